// JsonReader: typed, validating access to a JSON request body.
//
// Every failure is a Status naming the field (with its path, e.g. "inventory.memory_bytes") and
// saying what a valid value looks like. Never throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace hearth::api {

// Parses a request body: malformed JSON → invalid_argument "malformed_json"; not an object → error.
StatusOr<nlohmann::json> ParseObject(const std::string& body);

class JsonReader {
 public:
  JsonReader(const nlohmann::json& obj, std::string prefix = "")
      : obj_(obj), prefix_(std::move(prefix)) {}

  StatusOr<std::string> String(const std::string& key, size_t max_len = 256) const;
  StatusOr<std::optional<std::string>> OptString(const std::string& key,
                                                 size_t max_len = 256) const;
  StatusOr<int64_t> Int(const std::string& key, int64_t min, int64_t max) const;
  StatusOr<std::optional<int64_t>> OptInt(const std::string& key, int64_t min, int64_t max) const;
  StatusOr<std::optional<double>> OptNumber(const std::string& key, double min, double max) const;
  StatusOr<nlohmann::json> Object(const std::string& key) const;

  std::string Field(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }

 private:
  const nlohmann::json& obj_;
  std::string prefix_;
};

}  // namespace hearth::api
