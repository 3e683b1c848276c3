// Table tests of reward eligibility (ban, hardware verified against Kubernetes' node capacity,
// probation) and of the Kubernetes quantity parser it uses.
#include "coordinator/rewards/eligibility.h"

#include <gtest/gtest.h>

namespace hearth::rewards {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Timestamp kStart = FromUnixMillis(1'700'000'000'000 / 3'600'000 * 3'600'000);
const Timestamp kEnd = kStart + hours(1);
constexpr Duration kProbation = hours(24);

agent::Inventory Machine(uint32_t cores, uint32_t threads, uint64_t memory_bytes,
                         std::vector<std::string> gpu_vendors = {}) {
  agent::Inventory inv;
  inv.cpu_cores = cores;
  inv.cpu_threads = threads;
  inv.memory_bytes = memory_bytes;
  for (const std::string& v : gpu_vendors) {
    agent::Gpu g;
    g.vendor = v;
    g.model = v == "nvidia" ? "rtx4090" : "";
    inv.gpus.push_back(g);
  }
  return inv;
}

// A workstation: 8 cores / 16 threads, 62.8 GiB (MemTotal of a 64 GiB machine), one RTX 4090.
const agent::Inventory kWorkstation = Machine(8, 16, uint64_t{65'843'184} * 1024, {"nvidia"});
// Its Node's status.capacity as the kube module records it.
constexpr const char* kNode =
    R"({"node":"hearth-ab12-1","capacity":{"cpu":"16","memory":"65843184Ki",)"
    R"("nvidia.com/gpu":"1","pods":"110","ephemeral-storage":"981810380Ki"}})";

struct Case {
  std::string name;
  EligibilityFacts facts;
  std::string reason_prefix;  // "" = eligible
};

EligibilityFacts Facts(agent::Inventory inv = kWorkstation, std::string k8s = "{}") {
  EligibilityFacts f;
  f.enrolled_at = kStart - hours(48);
  f.inventory = std::move(inv);
  f.k8s_json = std::move(k8s);
  return f;
}

EligibilityFacts With(EligibilityFacts f, const std::string& state, std::optional<Timestamp> at) {
  f.admin_state = state;
  f.admin_state_at = at;
  return f;
}

EligibilityFacts Enrolled(EligibilityFacts f, Timestamp at) {
  f.enrolled_at = at;
  return f;
}

std::string Cap(const std::string& cap) { return R"({"node":"n","capacity":)" + cap + "}"; }

TEST(Eligibility, Table) {
  const uint64_t gib = uint64_t{1} << 30;
  const std::vector<Case> cases = {
      {"active, long enrolled, no cluster", Facts(), ""},
      {"k8s_json empty string", Facts(kWorkstation, ""), ""},
      {"node facts without capacity yet", Facts(kWorkstation, R"({"node":"n"})"), ""},
      {"capacity null", Facts(kWorkstation, R"({"capacity":null})"), ""},
      {"matches its node", Facts(kWorkstation, kNode), ""},
      {"cordoned still earns", With(Facts(), "cordoned", kStart), ""},
      {"drained (maintenance) still earns", With(Facts(), "drained", kStart - hours(3)), ""},
      {"banned before the epoch", With(Facts(), "banned", kStart - hours(5)), "banned: since "},
      {"banned during the epoch", With(Facts(), "banned", kStart + minutes(59)), "banned: since "},
      {"banned at the epoch's end", With(Facts(), "banned", kEnd), ""},
      {"banned after the epoch", With(Facts(), "banned", kEnd + minutes(1)), ""},
      {"banned at an unknown time", With(Facts(), "banned", std::nullopt), "banned: by an admin"},
      {"unbanned again (active since)", With(Facts(), "active", kStart + minutes(5)), ""},
      {"probation: enrolled a day minus a minute before",
       Enrolled(Facts(), kStart - kProbation + minutes(1)), "probation: enrolled "},
      {"probation ends exactly at the epoch start", Enrolled(Facts(), kStart - kProbation), ""},
      {"enrolled during the epoch", Enrolled(Facts(), kStart + minutes(10)), "probation: "},
      {"ban is reported before probation",
       With(Enrolled(Facts(), kStart), "banned", kStart - hours(1)), "banned: "},
      {"claims more CPUs than its node",
       Facts(Machine(16, 32, 64 * gib), Cap(R"({"cpu":"16","memory":"64Gi"})")),
       "hardware_unverified: the inventory claims 32 CPUs, Kubernetes reports capacity cpu 16"},
      {"millicore capacity below the claim",
       Facts(Machine(16, 16, 64 * gib), Cap(R"({"cpu":"15500m","memory":"64Gi"})")),
       "hardware_unverified: the inventory claims 16 CPUs"},
      {"integer capacity values",
       Facts(Machine(4, 4, 8 * gib), Cap(R"({"cpu":4,"memory":8589934592})")), ""},
      {"fewer CPUs claimed than the node has is harmless",
       Facts(Machine(2, 4, 8 * gib), Cap(R"({"cpu":"8","memory":"8Gi"})")), ""},
      {"memory within the tolerance",
       Facts(Machine(4, 4, 8 * gib + 8 * gib / 100), Cap(R"({"cpu":"4","memory":"8Gi"})")), ""},
      {"memory above the tolerance",
       Facts(Machine(4, 4, 8 * gib + 8 * gib * 3 / 100), Cap(R"({"cpu":"4","memory":"8Gi"})")),
       "hardware_unverified: the inventory claims 8847632629 bytes of memory, Kubernetes reports "
       "capacity memory 8Gi"},
      {"two NVIDIA GPUs claimed, one reported",
       Facts(Machine(8, 16, 64 * gib, {"nvidia", "nvidia"}),
             Cap(R"({"cpu":"16","memory":"64Gi","nvidia.com/gpu":"1"})")),
       "hardware_unverified: the inventory claims 2 NVIDIA GPUs, Kubernetes reports "
       "nvidia.com/gpu 1"},
      {"NVIDIA GPU claimed, none reported",
       Facts(Machine(8, 16, 64 * gib, {"nvidia"}), Cap(R"({"cpu":"16","memory":"64Gi"})")),
       "hardware_unverified: the inventory claims 1 NVIDIA GPUs, Kubernetes reports "
       "nvidia.com/gpu 0 (no nvidia.com/gpu)"},
      {"AMD GPU verified",
       Facts(Machine(8, 16, 64 * gib, {"amd"}),
             Cap(R"({"cpu":"16","memory":"64Gi","amd.com/gpu":"1"})")),
       ""},
      {"AMD GPU not reported",
       Facts(Machine(8, 16, 64 * gib, {"amd"}),
             Cap(R"({"cpu":"16","memory":"64Gi","nvidia.com/gpu":"1"})")),
       "hardware_unverified: the inventory claims 1 AMD GPUs"},
      {"a GPU vendor without a Kubernetes resource is not checked",
       Facts(Machine(8, 16, 64 * gib, {"intel"}), Cap(R"({"cpu":"16","memory":"64Gi"})")), ""},
      {"node facts not JSON", Facts(kWorkstation, "{not json"),
       "hardware_unverified: the Kubernetes node facts (k8s_json) are not an object"},
      {"capacity not an object", Facts(kWorkstation, Cap(R"("16 cores")")),
       "hardware_unverified: Kubernetes capacity is not an object"},
      {"capacity without cpu", Facts(kWorkstation, Cap(R"({"memory":"64Gi"})")),
       "hardware_unverified: Kubernetes capacity cpu is missing or not a quantity"},
      {"capacity cpu not a quantity", Facts(kWorkstation, Cap(R"({"cpu":"lots","memory":"1Gi"})")),
       "hardware_unverified: Kubernetes capacity cpu is missing"},
      {"capacity memory negative", Facts(kWorkstation, Cap(R"({"cpu":"16","memory":-1})")),
       "hardware_unverified: Kubernetes capacity memory is missing or not a quantity"},
      {"GPU count not a quantity",
       Facts(kWorkstation, Cap(R"({"cpu":"16","memory":"64Gi","nvidia.com/gpu":"one"})")),
       "hardware_unverified: Kubernetes capacity nvidia.com/gpu is not a quantity"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Eligibility e = EligibilityFor(c.facts, kStart, kEnd, kProbation);
    if (c.reason_prefix.empty()) {
      EXPECT_TRUE(e.eligible) << e.reason;
      EXPECT_EQ(e.reason, "");
    } else {
      EXPECT_FALSE(e.eligible);
      EXPECT_EQ(e.reason.substr(0, c.reason_prefix.size()), c.reason_prefix) << e.reason;
      EXPECT_LE(e.reason.size(), kMaxReasonLength);
    }
  }
}

TEST(Eligibility, AnUnreadableInventoryIsUnverified) {
  EligibilityFacts f = Facts();
  f.inventory = Status::InvalidArgument("inventory.cpu_cores", "must be at least 1");
  const Eligibility e = EligibilityFor(f, kStart, kEnd, kProbation);
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.reason.substr(0, 52), "hardware_unverified: the stored inventory does not p");
}

TEST(Eligibility, TheReasonNamesTheBanTime) {
  const Eligibility e =
      EligibilityFor(With(Facts(), "banned", kStart - hours(1)), kStart, kEnd, kProbation);
  EXPECT_EQ(e.reason, "banned: since " + FormatRfc3339(kStart - hours(1)));
}

TEST(ParseQuantity, KubernetesForms) {
  struct Q {
    std::string text;
    int64_t scale;
    std::optional<int64_t> want;
  };
  const std::vector<Q> cases = {
      {"16", 1000, 16'000},
      {"15500m", 1000, 15'500},
      {"0.5", 1000, 500},
      {"250m", 1, 0},  // rounded down
      {"64Gi", 1, int64_t{64} << 30},
      {"65843184Ki", 1, int64_t{65'843'184} * 1024},
      {"1.5G", 1, 1'500'000'000},
      {"100M", 1, 100'000'000},
      {"2k", 1, 2000},
      {"1E", 1, 1'000'000'000'000'000'000},
      {"2e3", 1, 2000},
      {"1e+2", 1, 100},
      {"1E3", 1, 1000},
      {"1e-3", 1000, 1},
      {"1Ti", 1, int64_t{1} << 40},
      {"8Ei", 1, std::nullopt},  // 2^63 overflows int64
      {"12345678901234567890123", 1, std::nullopt},
      {"", 1, std::nullopt},
      {"abc", 1, std::nullopt},
      {"-1", 1, std::nullopt},
      {"1Zi", 1, std::nullopt},
      {"1e", 1, std::nullopt},
      {"1e3x", 1, std::nullopt},
      {"1.2.3", 1, std::nullopt},
      {".5", 1000, 500},
  };
  for (const Q& q : cases) {
    EXPECT_EQ(ParseQuantity(q.text, q.scale), q.want) << q.text;
  }
}

}  // namespace
}  // namespace hearth::rewards
