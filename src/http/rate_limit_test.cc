#include "http/rate_limit.h"

#include <gtest/gtest.h>

namespace hearth::http {
namespace {

TEST(RateLimiterTest, BurstThenSteadyRatePerKey) {
  FakeClock clock;
  RateLimiter rl(clock, /*per_minute=*/6, /*burst=*/3);
  EXPECT_TRUE(rl.Allow("1.2.3.4"));
  EXPECT_TRUE(rl.Allow("1.2.3.4"));
  EXPECT_TRUE(rl.Allow("1.2.3.4"));
  EXPECT_FALSE(rl.Allow("1.2.3.4"));
  EXPECT_EQ(rl.RetryAfterSeconds("1.2.3.4"), 10);
  EXPECT_TRUE(rl.Allow("5.6.7.8"));  // another client is unaffected
  clock.Advance(std::chrono::seconds(9));
  EXPECT_FALSE(rl.Allow("1.2.3.4"));
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(rl.Allow("1.2.3.4"));
  EXPECT_FALSE(rl.Allow("1.2.3.4"));
  clock.Advance(std::chrono::minutes(10));  // refills only up to the burst
  EXPECT_TRUE(rl.Allow("1.2.3.4"));
  EXPECT_TRUE(rl.Allow("1.2.3.4"));
  EXPECT_TRUE(rl.Allow("1.2.3.4"));
  EXPECT_FALSE(rl.Allow("1.2.3.4"));
}

TEST(RateLimiterTest, ZeroDisables) {
  FakeClock clock;
  RateLimiter rl(clock, 0, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(rl.Allow("k"));
  EXPECT_EQ(rl.RetryAfterSeconds("k"), 0);
}

}  // namespace
}  // namespace hearth::http
