// Preflight: can this machine be a Hearth worker? A list of checks, each pass / warn / fail with
// what was found and, unless it passed, how to fix it. `hearth join` refuses to enroll on any
// fail (unless --ignore-preflight). Reads only files under the injected roots; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/inventory/inventory.h"

namespace hearth::agent {

enum class CheckResult { kPass, kWarn, kFail };

struct Check {
  std::string name;
  CheckResult result = CheckResult::kPass;
  std::string detail;  // what was found
  std::string fix;     // empty only when passed
};

struct PreflightEnv {
  InventoryRoots roots;
  std::string dev = "/dev";
  std::string state_dir = ".";                       // free disk is measured here
  std::string path_env;                              // PATH to search for wireguard-go
  std::optional<uint64_t> free_disk_bytes_override;  // tests
};

std::vector<Check> RunPreflight(const Inventory& inv, const PreflightEnv& env);
bool PreflightPassed(const std::vector<Check>& checks);
// "PASS  arch        x86_64" lines, with "      fix: ..." under warnings and failures.
std::string FormatPreflight(const std::vector<Check>& checks);
nlohmann::json PreflightToJson(const std::vector<Check>& checks);
std::string_view CheckResultName(CheckResult r);

}  // namespace hearth::agent
