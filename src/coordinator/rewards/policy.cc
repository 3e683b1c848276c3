#include "coordinator/rewards/policy.h"

#include "common/encoding.h"

namespace hearth::rewards {

CapacityTable CapacityTable::Default() {
  CapacityTable t;
  // Classes by what an Akash tenant pays for them; one weight unit ≈ one CPU core / 10.
  for (const char* m : {"h100", "h200", "b200", "gh200", "a100", "h800", "mi300x"}) {
    t.gpu_models[m] = 2000;
  }
  for (const char* m : {"rtx5090", "rtx4090", "l40s", "l40", "a6000", "rtx6000ada", "a40"}) {
    t.gpu_models[m] = 800;
  }
  for (const char* m :
       {"rtx4080", "rtx3090", "rtx3090ti", "rtx4070ti", "a10", "l4", "rtx5080", "gb10"}) {
    t.gpu_models[m] = 400;
  }
  for (const char* m : {"rtx3080", "rtx3070", "rtx4070", "rtx4060ti", "t4", "rtx3060"}) {
    t.gpu_models[m] = 200;
  }
  return t;
}

int64_t CapacityWeight(const agent::Inventory& inv, const CapacityTable& table) {
  const auto gib = static_cast<int64_t>(inv.memory_bytes >> 30);
  Int128 w = static_cast<Int128>(inv.cpu_cores) * table.per_cpu_core +
             static_cast<Int128>(gib) * table.per_memory_gib;
  for (const agent::Gpu& g : inv.gpus) {
    auto it = table.gpu_models.find(g.model);
    w += it == table.gpu_models.end() ? table.gpu_default : it->second;
  }
  return static_cast<int64_t>(std::min<Int128>(w, kMaxCapacityWeight));
}

nlohmann::json RewardPolicy::ToJson() const {
  nlohmann::json gpus = nlohmann::json::object();
  for (const auto& [m, w] : capacity.gpu_models) gpus[m] = w;
  return {
      {"epoch_seconds", std::chrono::duration_cast<std::chrono::seconds>(epoch).count()},
      {"operator", {{"fixed_cost", op.fixed_cost.micro()}, {"fee_bps", op.fee_bps}}},
      {"usage_share_bps", usage_share_bps},
      {"carry", carry},
      {"probation_seconds", std::chrono::duration_cast<std::chrono::seconds>(probation).count()},
      {"capacity",
       {{"per_cpu_core", capacity.per_cpu_core},
        {"per_memory_gib", capacity.per_memory_gib},
        {"gpu_default", capacity.gpu_default},
        {"gpu_models", gpus}}}};
}

std::string RewardPolicy::Version() const {
  return "pol_" + Sha256Hex(ToJson().dump()).substr(0, 16);
}

}  // namespace hearth::rewards
