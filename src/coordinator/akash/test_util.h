// Helpers for the akash module's tests only: devices with inventories, a test policy, the
// fixture SDL files. Not linked into `hearth` (included only by *_test.cc).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "coordinator/akash/config.h"
#include "coordinator/akash/fleet.h"
#include "store/store.h"

namespace hearth::akash::testing {

inline std::string SourceDir() {
  if (const char* s = std::getenv("HEARTH_SOURCE_DIR")) return s;
  return HEARTH_SOURCE_DIR;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string SdlFixture(const std::string& name) {
  return ReadFile(SourceDir() + "/tests/fixtures/akash/sdl/" + name);
}

inline const std::vector<std::string>& SdlFixtureNames() {
  static const std::vector<std::string> names = {"DeepSeek-R1-Distill-Qwen-7B_deploy.yaml",
                                                 "Sentinel-dVPN-node_deploy.yml",
                                                 "minecraft_deploy.yaml",
                                                 "nginx-letsencrypt-proxy_deploy.yml",
                                                 "ollama-gpu_deploy.yaml",
                                                 "postgres_deploy.yaml",
                                                 "web_deploy.yaml"};
  return names;
}

constexpr int64_t kGi = int64_t{1} << 30;

// A device last seen at `seen` with `threads` CPUs, `mem_gib` memory and `gpus` (model names,
// vendor nvidia).
inline store::Device MakeDevice(const std::string& id, Timestamp seen, int threads, int mem_gib,
                                const std::vector<std::string>& gpus,
                                const std::string& arch = "x86_64",
                                const std::string& cpu = "AMD Ryzen 9 7950X") {
  nlohmann::json g = nlohmann::json::array();
  for (const auto& m : gpus) g.push_back({{"vendor", "nvidia"}, {"model", m}});
  store::Device d;
  d.id = DeviceId(id);
  d.name = id;
  d.inventory_json = nlohmann::json{
      {"arch", arch},
      {"cpu_model", cpu},
      {"cpu_cores", threads / 2},
      {"cpu_threads", threads},
      {"memory_bytes", int64_t{mem_gib} * kGi},
      {"gpus", g}}.dump();
  d.enrolled_at = seen - std::chrono::hours(1);
  d.last_seen = seen;
  d.last_heartbeat_json = R"({"uptime_seconds":3600})";
  return d;
}

// A home fleet: a gaming PC with an RTX 4090 and a CPU-only box, both online at `now`.
inline api::FleetSnapshot HomeFleet(Timestamp now, bool with_gpu = true) {
  std::vector<store::Device> devices = {
      MakeDevice("dev_a", now, 16, 64,
                 with_gpu ? std::vector<std::string>{"rtx4090"} : std::vector<std::string>{}),
      MakeDevice("dev_b", now, 8, 32, {}, "x86_64", "Intel(R) Core(TM) i7")};
  return ComputeFleet(devices, "default", now, api::LivenessPolicy{});
}

inline const char* kTestConfig = R"(
provider: {organization: Hearth Test, email: ops@example.com}
regions:
  default:
    location_region: eu-west
    country: DE
    city: Berlin
    prices:
      uact:
        cpu_per_core: 100
        memory_per_gib: 50
        endpoint: 10
        storage_per_gib: {ephemeral: 2, beta3: 5}
        gpu_per_unit: {"*": 2000, rtx4090: 3000}
)";

inline AkashConfig TestConfig(const std::string& extra_policy = "") {
  std::string text = kTestConfig;
  if (!extra_policy.empty()) text += extra_policy;
  auto c = ParseAkashConfig(text, "test-config");
  if (!c.ok()) return {};
  return *c;
}

}  // namespace hearth::akash::testing
