// Small helpers over yaml-cpp for the akash module. yaml-cpp reports errors by throwing; these
// helpers and the module's public functions catch every exception and turn it into a Status
// with the line number (YAML::Mark), so none escapes the module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "common/status.h"

namespace hearth::akash {

// Parses one YAML document; a syntax error names the line and column. `what` names the input.
StatusOr<YAML::Node> LoadYaml(const std::string& text, const std::string& what);

// " (line N)" for a node that came from text, "" otherwise.
std::string LineOf(const YAML::Node& n);

// The scalar text of `n`, or nullopt when `n` is null, undefined or not a scalar.
std::optional<std::string> ScalarOf(const YAML::Node& n);

// Map lookup that never throws and never inserts: an undefined node when absent or when `map`
// is not a map.
YAML::Node Child(const YAML::Node& map, const std::string& key);

}  // namespace hearth::akash
