// In-process throughput of the Akash integration's pure parts: SDL parse + check over the
// sample files (files/s), and one bid-script decision (orders/s). Run by bench/akash.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "coordinator/akash/fleet.h"
#include "coordinator/akash/policy.h"
#include "coordinator/akash/sdl.h"

namespace {

using namespace hearth;  // NOLINT(google-build-using-namespace): a benchmark's own file

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Dir() {
  const char* s = std::getenv("HEARTH_SOURCE_DIR");
  return std::string(s ? s : ".") + "/tests/fixtures/akash/";
}

api::FleetSnapshot Fleet() {
  api::FleetSnapshot f;
  f.region = "default";
  f.devices_total = f.devices_online = 3;
  f.largest_cpu_millicores = 32000;
  f.largest_memory_bytes = int64_t{64} << 30;
  f.largest_gpu_units = 2;
  f.gpus = {{"nvidia", "rtx4090", 1, 1, 1}, {"nvidia", "rtx3090", 2, 1, 2}};
  return f;
}

akash::AkashConfig Config() {
  auto c = akash::ParseAkashConfig(
      "regions:\n  default:\n    prices:\n      uact: {cpu_per_core: 100, memory_per_gib: 50,"
      " endpoint: 10, storage_per_gib: {ephemeral: 2}, gpu_per_unit: {\"*\": 2000}}\n",
      "bench");
  return c.ok() ? *c : akash::AkashConfig{};
}

void BM_SdlParseAndCheck(benchmark::State& state) {
  std::vector<std::string> files;
  for (const char* name :
       {"DeepSeek-R1-Distill-Qwen-7B_deploy.yaml", "Sentinel-dVPN-node_deploy.yml",
        "minecraft_deploy.yaml", "nginx-letsencrypt-proxy_deploy.yml", "ollama-gpu_deploy.yaml",
        "postgres_deploy.yaml", "web_deploy.yaml"}) {
    files.push_back(Read(Dir() + "sdl/" + name));
  }
  const auto fleet = Fleet();
  const auto region = Config().Region("default");
  size_t i = 0;
  for (auto _ : state) {
    auto sdl = akash::ParseSdl(files[i++ % files.size()]);
    if (!sdl.ok()) state.SkipWithError("fixture did not parse");
    benchmark::DoNotOptimize(akash::CheckSdl(*sdl, region, fleet));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("files");
}
BENCHMARK(BM_SdlParseAndCheck);

void BM_BidDecision(benchmark::State& state) {
  const std::string order = Read(Dir() + "orders/gpu-rtx4090.json");
  const auto fleet = Fleet();
  const auto region = Config().Region("default");
  for (auto _ : state) {
    auto o = akash::ParseOrder(order, "");
    benchmark::DoNotOptimize(akash::Decide(*o, region, fleet));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("orders");
}
BENCHMARK(BM_BidDecision);

}  // namespace
