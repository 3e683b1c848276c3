#include "http/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace hearth::http {
namespace {
constexpr size_t kMaxKeys = 100'000;
}  // namespace

RateLimiter::RateLimiter(const Clock& clock, int per_minute, int burst)
    : clock_(clock), per_ms_(per_minute / 60'000.0), burst_(std::max(1, burst)) {}

void RateLimiter::Refill(Bucket& b, Timestamp now) const {
  const double elapsed = static_cast<double>((now - b.updated).count());
  b.tokens = std::min(burst_, b.tokens + elapsed * per_ms_);
  b.updated = now;
}

bool RateLimiter::Allow(const std::string& key) {
  if (per_ms_ <= 0) return true;
  const Timestamp now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.size() >= kMaxKeys && !buckets_.count(key)) {
    // Drop buckets that have refilled completely: they carry no information.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      Refill(it->second, now);
      it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Refill(it->second, now);
  if (it->second.tokens < 1) return false;
  it->second.tokens -= 1;
  return true;
}

int RateLimiter::RetryAfterSeconds(const std::string& key) {
  if (per_ms_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return 0;
  Refill(it->second, clock_.Now());
  if (it->second.tokens >= 1) return 0;
  return static_cast<int>(std::ceil((1 - it->second.tokens) / per_ms_ / 1000));
}

}  // namespace hearth::http
