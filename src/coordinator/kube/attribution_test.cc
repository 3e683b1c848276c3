// Pod attribution, pure: lease ids from Akash pod labels, requests, shares over a window and the
// exact split of lease revenue by them.
#include "coordinator/kube/attribution.h"

#include <gtest/gtest.h>

namespace hearth::kube {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

nlohmann::json LeaseLabels(const std::string& dseq) {
  return {{"akash.network", "true"},
          {"akash.network/lease.id.owner", "akash1owner"},
          {"akash.network/lease.id.dseq", dseq},
          {"akash.network/lease.id.gseq", "1"},
          {"akash.network/lease.id.oseq", "1"},
          {"akash.network/lease.id.provider", "akash1prov"},
          {"akash.network/manifest-service", "web"}};
}

store::PodRun MakeRun(const std::string& uid, const std::string& device, const std::string& lease,
                      int64_t start_s, std::optional<int64_t> stop_s, int64_t cpu_millis = 1000) {
  store::PodRun r;
  r.uid = uid;
  r.ns = "ns";
  r.name = uid;
  r.device_id = DeviceId(device);
  r.lease_id = lease;
  r.cpu_millis = cpu_millis;
  r.started_at = FromUnixMillis(kT0 + start_s * 1000);
  if (stop_s) r.stopped_at = FromUnixMillis(kT0 + *stop_s * 1000);
  return r;
}

TEST(AttributionTest, LeaseIdNeedsAllFiveLabels) {
  EXPECT_EQ(LeaseIdFromLabels(LeaseLabels("42")), "akash1owner/42/1/1/akash1prov");
  nlohmann::json partial = LeaseLabels("42");
  partial.erase("akash.network/lease.id.oseq");
  EXPECT_FALSE(LeaseIdFromLabels(partial).has_value());
  EXPECT_FALSE(LeaseIdFromLabels(nlohmann::json::object()).has_value());
  EXPECT_FALSE(LeaseIdFromLabels(nullptr).has_value());
}

TEST(AttributionTest, RequestsSumContainersAndFallBackToLimits) {
  const auto pod = nlohmann::json::parse(R"({"spec":{"containers":[
      {"resources":{"requests":{"cpu":"500m","memory":"512Mi"},"limits":{"nvidia.com/gpu":"1"}}},
      {"resources":{"limits":{"cpu":"2","memory":"1Gi"}}},
      {"resources":{"requests":{"cpu":"not-a-number"}}},
      {"name":"no-resources"}]}})");
  const PodRequests r = RequestsOf(pod);
  EXPECT_EQ(r.cpu_millis, 2500);
  EXPECT_EQ(r.memory_bytes, (int64_t{512} << 20) + (int64_t{1} << 30));
  EXPECT_EQ(r.gpus, 1);
  EXPECT_EQ(RequestsOf(nlohmann::json::object()).cpu_millis, 0);
}

TEST(AttributionTest, SharesFollowTimeInsideTheWindowAndRequests) {
  const std::string lease = "akash1owner/42/1/1/akash1prov";
  // Window [0, 3600). dev_a ran the whole hour; dev_b from 1800 on; dev_c before the window.
  const std::vector<store::PodRun> runs = {MakeRun("p1", "dev_a", lease, -100, std::nullopt),
                                           MakeRun("p2", "dev_b", lease, 1800, 7200),
                                           MakeRun("p3", "dev_c", lease, -500, -10),
                                           MakeRun("p4", "dev_a", "other/1/1/1/p", 0, 60, 4000)};
  const auto shares = SharesOf(runs, FromUnixMillis(kT0), FromUnixMillis(kT0 + 3'600'000), {});
  ASSERT_EQ(shares.size(), 2u);
  EXPECT_EQ(shares[0].lease_id, lease);
  ASSERT_EQ(shares[0].devices.size(), 2u);  // dev_c ran outside the window
  EXPECT_EQ(shares[0].devices[0].device_id.str(), "dev_a");
  EXPECT_EQ(shares[0].devices[0].run_ms, 3'600'000);
  EXPECT_EQ(shares[0].devices[1].run_ms, 1'800'000);
  EXPECT_EQ(shares[0].devices[0].share_ppm, 666'667);
  EXPECT_EQ(shares[0].devices[1].share_ppm, 333'333);
  EXPECT_EQ(shares[0].devices[0].pods, std::vector<std::string>{"ns/p1"});
  EXPECT_EQ(shares[1].lease_id, "other/1/1/1/p");
  EXPECT_EQ(shares[1].devices[0].share_ppm, kShareScale);

  // Bigger requests weigh more: 3 cores for half the time = 1 core for 1.5 times the time.
  const std::vector<store::PodRun> sized = {MakeRun("a", "dev_a", lease, 0, 3600, 1000),
                                            MakeRun("b", "dev_b", lease, 0, 1800, 3000)};
  const auto s2 = SharesOf(sized, FromUnixMillis(kT0), FromUnixMillis(kT0 + 3'600'000), {});
  EXPECT_EQ(s2[0].devices[0].share_ppm, 400'000);
  EXPECT_EQ(s2[0].devices[1].share_ppm, 600'000);
}

TEST(AttributionTest, RevenueSplitsExactlyAndUnknownLeasesAttributeNothing) {
  const std::string lease = "akash1owner/42/1/1/akash1prov";
  const std::vector<store::PodRun> runs = {MakeRun("p1", "dev_a", lease, 0, 3600),
                                           MakeRun("p2", "dev_b", lease, 0, 3600),
                                           MakeRun("p3", "dev_c", lease, 0, 3600)};
  const nlohmann::json detail = {
      {"leases",
       {{{"lease_id", lease}, {"amount", 1000}, {"blocks", 600}},
        {{"lease_id", "nobody/1/1/1/p"}, {"amount", 999}, {"blocks", 600}},
        {{"lease_id", 7}, {"amount", 5}}}}};
  const auto got =
      AttributeLeaseRevenue(detail, runs, FromUnixMillis(kT0), FromUnixMillis(kT0 + 3'600'000), {});
  ASSERT_EQ(got.size(), 3u);
  // 1000 / 3: the remainder unit goes to the smallest id.
  EXPECT_EQ(got.at(DeviceId("dev_a")).micro(), 334);
  EXPECT_EQ(got.at(DeviceId("dev_b")).micro(), 333);
  EXPECT_EQ(got.at(DeviceId("dev_c")).micro(), 333);
  EXPECT_TRUE(AttributeLeaseRevenue(nlohmann::json::object(), runs, FromUnixMillis(kT0),
                                    FromUnixMillis(kT0 + 1000), {})
                  .empty());
  EXPECT_TRUE(AttributeLeaseRevenue(detail, {}, FromUnixMillis(kT0), FromUnixMillis(kT0 + 1000), {})
                  .empty());
}

TEST(AttributionTest, EncodedSharesCarryPodsAndFractions) {
  const std::vector<store::PodRun> runs = {MakeRun("p1", "dev_a", "l/1/1/1/p", 0, 10)};
  const auto j =
      EncodeShares(SharesOf(runs, FromUnixMillis(kT0), FromUnixMillis(kT0 + 10'000), {}));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["lease_id"], "l/1/1/1/p");
  EXPECT_EQ(j[0]["devices"][0]["share_ppm"], kShareScale);
  EXPECT_EQ(j[0]["devices"][0]["share"], 1.0);
  EXPECT_EQ(j[0]["devices"][0]["pod_seconds"], 10);
  EXPECT_EQ(j[0]["devices"][0]["pods"][0], "ns/p1");
}

}  // namespace
}  // namespace hearth::kube
