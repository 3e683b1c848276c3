// RateLimiter: a token bucket per key (the client address), for public endpoints where guessing
// is the attack (sign-in, sign-up, enrollment). Time comes from the injected Clock, so tests
// advance a FakeClock instead of sleeping. Thread-safe; memory is bounded by evicting idle keys.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace hearth::http {

class RateLimiter {
 public:
  // `per_minute` requests per key and minute, with bursts up to `burst`. per_minute 0 disables.
  RateLimiter(const Clock& clock, int per_minute, int burst);

  // True when the request may proceed (a token was taken).
  bool Allow(const std::string& key);
  // Seconds until the key has a token again (for Retry-After); 0 when it has one now.
  int RetryAfterSeconds(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    Timestamp updated;
  };
  void Refill(Bucket& b, Timestamp now) const;

  const Clock& clock_;
  const double per_ms_;
  const double burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace hearth::http
