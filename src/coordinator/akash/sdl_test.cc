#include "coordinator/akash/sdl.h"

#include <gtest/gtest.h>

#include <set>

#include "common/random.h"
#include "coordinator/akash/bid_script.h"
#include "coordinator/akash/policy.h"
#include "coordinator/akash/test_util.h"

namespace hearth::akash {
namespace {

using testing::HomeFleet;
using testing::kGi;
using testing::MakeDevice;
using testing::SdlFixture;
using testing::SdlFixtureNames;
using testing::TestConfig;

const Timestamp kNow = FromUnixMillis(1'800'000'000'000);

std::set<std::string> Codes(const api::SdlCheckReport& r) {
  std::set<std::string> out;
  for (const auto& x : r.reasons) out.insert(x.code);
  return out;
}

api::SdlCheckReport Check(const std::string& file, const AkashConfig& config,
                          const api::FleetSnapshot& fleet) {
  auto sdl = ParseSdl(SdlFixture(file));
  EXPECT_TRUE(sdl.ok()) << file << ": " << sdl.status().ToString();
  if (!sdl.ok()) return {};
  return CheckSdl(*sdl, config.Region("default"), fleet);
}

// Runs every bid input the check derived through the bid script; returns (exit code, output).
std::vector<BidScriptResult> Bid(const api::SdlCheckReport& report, const AkashConfig& config,
                                 const api::FleetSnapshot& fleet) {
  std::vector<BidScriptResult> out;
  for (const auto& input : report.bid_inputs) {
    out.push_back(RunBidScript(input.dump(), config, "default", "", [&] {
      return StatusOr<FleetFetch>(FleetFetch{fleet, false, ""});
    }));
  }
  return out;
}

TEST(SdlTest, EveryFixtureParses) {
  for (const auto& name : SdlFixtureNames()) {
    auto sdl = ParseSdl(SdlFixture(name));
    ASSERT_TRUE(sdl.ok()) << name << ": " << sdl.status().ToString();
    EXPECT_FALSE(sdl->deployments.empty()) << name;
    EXPECT_EQ(SdlOrders(*sdl).size(), 1u) << name;
  }
}

TEST(SdlTest, RealWorldShapes) {
  auto deepseek = ParseSdl(SdlFixture("DeepSeek-R1-Distill-Qwen-7B_deploy.yaml"));
  ASSERT_TRUE(deepseek.ok());
  const ResourceReq& r = deepseek->profiles.at("sglang1").resources;
  EXPECT_EQ(r.cpu_millicores, 32000);
  EXPECT_EQ(r.memory_bytes, 128 * kGi);
  ASSERT_EQ(r.storage.size(), 3u);
  EXPECT_EQ(r.storage[0].klass, "ephemeral");
  EXPECT_EQ(r.storage[1].klass, "beta3");
  EXPECT_EQ(r.storage[2].klass, "ram");
  EXPECT_EQ(r.gpu_models.size(), 3u);

  auto ollama = ParseSdl(SdlFixture("ollama-gpu_deploy.yaml"));
  ASSERT_TRUE(ollama.ok());
  const ResourceReq& o = ollama->profiles.at("ollama").resources;
  ASSERT_EQ(o.gpu_models.size(), 1u);  // `nvidia:` with nothing under it: any model
  EXPECT_EQ(o.gpu_models[0].model, "*");
  ASSERT_EQ(o.storage.size(), 1u);  // storage as a map
  EXPECT_EQ(o.storage[0].size_bytes, 100 * kGi);

  auto web = ParseSdl(SdlFixture("web_deploy.yaml"));
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(web->profiles.at("web").resources.cpu_millicores, 500);  // "500m"
  EXPECT_EQ(web->services.at("web").endpoint_quantity, 0);           // HTTP on 80: ingress

  auto sentinel = ParseSdl(SdlFixture("Sentinel-dVPN-node_deploy.yml"));
  ASSERT_TRUE(sentinel.ok());
  EXPECT_EQ(sentinel->services.at("app").ip_endpoints.size(), 1u);
  auto postgres = ParseSdl(SdlFixture("postgres_deploy.yaml"));
  ASSERT_TRUE(postgres.ok());
  EXPECT_EQ(postgres->profiles.at("postgres").resources.cpu_millicores, 1000);  // 1.0
}

TEST(SdlTest, IpLeaseFilesAreDeclinedForTheIpLease) {
  const AkashConfig config = TestConfig();
  const auto fleet = HomeFleet(kNow);
  auto report = Check("Sentinel-dVPN-node_deploy.yml", config, fleet);
  EXPECT_FALSE(report.runnable);
  EXPECT_EQ(Codes(report), std::set<std::string>{"ip_lease"});
  EXPECT_EQ(report.reasons[0].service, "app");
  for (const auto& b : Bid(report, config, fleet)) {
    EXPECT_EQ(b.exit_code, 1);
    EXPECT_NE(b.err.find("ip_lease"), std::string::npos) << b.err;
  }
  auto nginx = Check("nginx-letsencrypt-proxy_deploy.yml", config, fleet);
  EXPECT_TRUE(Codes(nginx).count("ip_lease"));
}

TEST(SdlTest, PersistentStorageFilesAreDeclinedForTheirStorage) {
  const AkashConfig config = TestConfig();
  const auto fleet = HomeFleet(kNow);
  for (const char* file : {"postgres_deploy.yaml", "minecraft_deploy.yaml"}) {
    auto report = Check(file, config, fleet);
    EXPECT_FALSE(report.runnable) << file;
    EXPECT_EQ(Codes(report), std::set<std::string>{"persistent_storage"}) << file;
    for (const auto& b : Bid(report, config, fleet)) {
      EXPECT_EQ(b.exit_code, 1);
      EXPECT_NE(b.err.find("persistent_storage"), std::string::npos) << b.err;
      EXPECT_EQ(std::count(b.err.begin(), b.err.end(), '\n'), 1) << "one line: " << b.err;
    }
  }
  // A region that offers beta3 runs them.
  const AkashConfig offers =
      TestConfig("    persistent_storage: {classes: [beta3], max_size: 10Gi}\n");
  for (const char* file : {"postgres_deploy.yaml", "minecraft_deploy.yaml"}) {
    auto report = Check(file, offers, fleet);
    EXPECT_TRUE(report.runnable) << file << ": " << api::EncodeSdlCheck(report).dump();
    for (const auto& b : Bid(report, offers, fleet)) EXPECT_EQ(b.exit_code, 0) << b.err;
  }
}

TEST(SdlTest, GpuFilesAreAcceptedOnlyWhenAMatchingGpuIsOnline) {
  const AkashConfig config = TestConfig();
  auto with = Check("ollama-gpu_deploy.yaml", config, HomeFleet(kNow, true));
  EXPECT_TRUE(with.runnable) << api::EncodeSdlCheck(with).dump();
  for (const auto& b : Bid(with, config, HomeFleet(kNow, true))) {
    EXPECT_EQ(b.exit_code, 0) << b.err;
    EXPECT_GT(CompareDecimal(b.out, "0", 6), 0);
  }
  auto without = Check("ollama-gpu_deploy.yaml", config, HomeFleet(kNow, false));
  EXPECT_EQ(Codes(without), std::set<std::string>{"gpu_unavailable"});
  for (const auto& b : Bid(without, config, HomeFleet(kNow, false))) EXPECT_EQ(b.exit_code, 1);

  // The DeepSeek file wants an a100, h100 or rtx4090 on a 32-CPU, 128 Gi box with beta3.
  const AkashConfig offers =
      TestConfig("    persistent_storage: {classes: [beta3], max_size: 200Gi}\n");
  const auto big = [&](const std::string& model) {
    return ComputeFleet({MakeDevice("dev_big", kNow, 64, 256, {model})}, "default", kNow,
                        api::LivenessPolicy{});
  };
  auto ok = Check("DeepSeek-R1-Distill-Qwen-7B_deploy.yaml", offers, big("rtx4090"));
  EXPECT_TRUE(ok.runnable) << api::EncodeSdlCheck(ok).dump();
  for (const auto& b : Bid(ok, offers, big("rtx4090"))) EXPECT_EQ(b.exit_code, 0) << b.err;
  auto wrong = Check("DeepSeek-R1-Distill-Qwen-7B_deploy.yaml", offers, big("rtx3060"));
  EXPECT_EQ(Codes(wrong), std::set<std::string>{"gpu_unavailable"});
  for (const auto& b : Bid(wrong, offers, big("rtx3060"))) EXPECT_EQ(b.exit_code, 1);
  // On the home fleet it is too large as well as needing storage the region lacks.
  auto home = Check("DeepSeek-R1-Distill-Qwen-7B_deploy.yaml", config, HomeFleet(kNow));
  EXPECT_EQ(Codes(home), (std::set<std::string>{"persistent_storage", "too_large"}));
}

TEST(SdlTest, PlainWebServiceIsAcceptedWithAPositivePrice) {
  const AkashConfig config = TestConfig();
  const auto fleet = HomeFleet(kNow, false);
  auto report = Check("web_deploy.yaml", config, fleet);
  EXPECT_TRUE(report.runnable) << api::EncodeSdlCheck(report).dump();
  ASSERT_EQ(report.bid_inputs.size(), 1u);
  EXPECT_EQ(report.bid_inputs[0]["price"]["amount"], "1000.000000000000000000");
  auto bids = Bid(report, config, fleet);
  ASSERT_EQ(bids.size(), 1u);
  EXPECT_EQ(bids[0].exit_code, 0) << bids[0].err;
  // 0.5 × 100 + 0.5 × 50 + 1 × 2 = 77 per block.
  EXPECT_EQ(bids[0].out, "77.000000\n");
}

TEST(SdlTest, MissingPricingIsReportedAsInvalid) {
  std::string text = SdlFixture("web_deploy.yaml");
  text.replace(text.find("      pricing:"), std::string::npos,
               "      attributes: {host: akash}\ndeployment:\n  web:\n    akash:\n"
               "      profile: web\n      count: 1\n");
  auto sdl = ParseSdl(text);
  ASSERT_TRUE(sdl.ok()) << sdl.status().ToString();
  auto report = CheckSdl(*sdl, TestConfig().Region("default"), HomeFleet(kNow));
  EXPECT_FALSE(report.runnable);
  EXPECT_EQ(Codes(report), std::set<std::string>{"invalid"});
}

TEST(SdlTest, InvalidFilesGiveTheKeyAndLine) {
  struct Case {
    std::string text, field, line;
  } cases[] = {
      {"version: \"2.0\"\nservices: [\n", "sdl", "line 3"},
      {"version: \"3.0\"\nservices: {}\n", "version", "line 1"},
      {"- a\n- b\n", "sdl", "line 1"},
      {"version: \"2.0\"\n", "services", ""},
  };
  for (const auto& c : cases) {
    auto sdl = ParseSdl(c.text);
    ASSERT_FALSE(sdl.ok()) << c.text;
    EXPECT_EQ(sdl.status().field(), c.field) << sdl.status().ToString();
    EXPECT_NE(sdl.status().message().find(c.line), std::string::npos) << sdl.status().ToString();
  }
  std::string bad = SdlFixture("web_deploy.yaml");
  bad.replace(bad.find("512Mi"), 5, "512Qi");
  auto sdl = ParseSdl(bad);
  ASSERT_FALSE(sdl.ok());
  EXPECT_EQ(sdl.status().field(), "profiles.compute.web.resources.memory.size");
  EXPECT_NE(sdl.status().message().find("line 19"), std::string::npos) << sdl.status().ToString();
  bad = SdlFixture("web_deploy.yaml");
  bad.replace(bad.find("profile: web"), 12, "profile: nope");
  sdl = ParseSdl(bad);
  ASSERT_FALSE(sdl.ok());
  EXPECT_EQ(sdl.status().field(), "deployment.web.akash.profile");
}

// Fuzz: mutated fixture files (byte flips, truncation, line shuffles) never crash; whatever
// parses yields a report whose bid inputs the bid script either declines or prices positively.
TEST(SdlPropertyTest, MutatedFilesNeverCrashAndNeverPriceZero) {
  SeededRandom rnd(7);
  const AkashConfig config =
      TestConfig("    persistent_storage: {classes: [beta3], max_size: 1Ti}\n");
  const auto fleet = ComputeFleet({MakeDevice("dev_big", kNow, 64, 512, {"rtx4090", "rtx4090"})},
                                  "default", kNow, api::LivenessPolicy{});
  int parsed = 0, bids = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto& names = SdlFixtureNames();
    std::string text = SdlFixture(names[rnd.Uniform(static_cast<uint32_t>(names.size()))]);
    const int mutations = 1 + static_cast<int>(rnd.Uniform(4));
    for (int m = 0; m < mutations && !text.empty(); ++m) {
      const size_t at = rnd.Uniform(static_cast<uint32_t>(text.size()));
      switch (rnd.Uniform(6)) {
        case 0:
          text[at] = static_cast<char>(rnd.Uniform(256));
          break;
        case 1:
          text.resize(at);
          break;
        case 2:
          text.insert(at, "\n  - {}\n");
          break;
        case 3:
          text.insert(at, ": null");
          break;
        case 4:
          text.insert(at, "99999999999999999999Ei");
          break;
        default:
          text.erase(at, 1 + rnd.Uniform(20));
          break;
      }
    }
    auto sdl = ParseSdl(text);
    if (!sdl.ok()) {
      EXPECT_FALSE(sdl.status().message().empty());
      continue;
    }
    ++parsed;
    auto report = CheckSdl(*sdl, config.Region("default"), fleet);
    EXPECT_EQ(report.runnable, report.reasons.empty());
    for (const auto& b : Bid(report, config, fleet)) {
      if (b.exit_code != 0) {
        EXPECT_FALSE(b.err.empty());
        continue;
      }
      ++bids;
      EXPECT_GT(CompareDecimal(b.out, "0", 6), 0) << b.out;
      EXPECT_EQ(b.out.find('-'), std::string::npos) << b.out;
    }
  }
  EXPECT_GT(parsed, 100);
  EXPECT_GT(bids, 10);
}

}  // namespace
}  // namespace hearth::akash
