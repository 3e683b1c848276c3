// The client address behind a load balancer, with a real coordinator: X-Forwarded-For from an
// untrusted peer cannot dodge the per-address rate limit, and from a trusted proxy
// (`--trusted-proxies`) each forwarded client has its own bucket — but a client cannot pick its
// bucket by writing hops left of the one the proxy added.
#include <gtest/gtest.h>

#include "harness.h"

namespace hearth::testing {
namespace {

// POST /v1/checkin (rate-limited per client address like sign-in, but cheap) `n` times with the
// X-Forwarded-For that `xff(i)` gives; returns how many were refused with 429. Also reports how
// long the loop took, since the bucket (burst 10, 30/min) refills one token every 2 s.
int Limited(const std::string& url, int n, const std::function<std::string(int)>& xff,
            int64_t* took_ms) {
  auto c = http::Client::Create(url).value();
  int limited = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto r = c->Do("POST", "/v1/checkin", "{}",
                   {{"Content-Type", "application/json"}, {"X-Forwarded-For", xff(i)}});
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      continue;
    }
    if (r->status == 429) ++limited;
    EXPECT_TRUE(r->status == 200 || r->status == 429) << r->body;
  }
  *took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - started)
                 .count();
  return limited;
}

constexpr int kAttempts = 30;

// The most requests the bucket can let through in `took_ms`: the burst plus the refills.
int Allowed(int64_t took_ms) { return 10 + static_cast<int>(took_ms / 2000) + 1; }

TEST(ClientAddressTest, SpoofedForwardedForFromAnUntrustedPeerIsIgnored) {
  TempDir dir;
  CoordinatorProcess coord(dir.path() + "/coord", {});
  ASSERT_TRUE(coord.Start()) << coord.log();
  int64_t took = 0;
  // A different forged client address on every request: all share the peer's bucket.
  const int limited = Limited(
      coord.url(), kAttempts, [](int i) { return "198.51.100." + std::to_string(i); }, &took);
  EXPECT_GE(limited, kAttempts - Allowed(took)) << "took " << took << " ms";
  EXPECT_GE(limited, 1) << "took " << took << " ms";
}

TEST(ClientAddressTest, ATrustedProxyForwardsEachClientToItsOwnBucket) {
  TempDir dir;
  CoordinatorProcess coord(dir.path() + "/coord", {"--trusted-proxies", "127.0.0.1/32,10.0.0.0/8"});
  ASSERT_TRUE(coord.Start()) << coord.log();
  int64_t took = 0;
  // Distinct clients behind the proxy: nobody is over the limit.
  EXPECT_EQ(
      Limited(
          coord.url(), kAttempts, [](int i) { return "198.51.100." + std::to_string(i); }, &took),
      0);
  // One client through two of our proxies (10.x is trusted, so skipped): limited as one.
  int limited = Limited(
      coord.url(), kAttempts, [](int) { return "203.0.113.7, 10.1.1.1"; }, &took);
  EXPECT_GE(limited, kAttempts - Allowed(took)) << "took " << took << " ms";
  EXPECT_GE(limited, 1);
  // The same client writing forged hops of its own left of it: still the same bucket.
  limited = Limited(
      coord.url(), kAttempts,
      [](int i) { return "192.0.2." + std::to_string(i) + ", 203.0.113.8"; }, &took);
  EXPECT_GE(limited, kAttempts - Allowed(took)) << "took " << took << " ms";
  EXPECT_GE(limited, 1);
}

TEST(ClientAddressTest, BadTrustedProxiesStopTheCoordinatorNamingTheFlag) {
  TempDir dir;
  CommandResult r = RunHearth({"serve", "--listen", "127.0.0.1:0", "--data", dir.path() + "/d",
                               "--trusted-proxies", "10.0.0.0/33"},
                              std::chrono::seconds(20), dir.path() + "/serve.log");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--trusted-proxies"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace hearth::testing
