// Clock: the only way Hearth code reads time.
//
// SystemClock is the real one (the only place that calls std::chrono::system_clock::now());
// FakeClock is for tests and only moves when Advance() is called. All methods are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace hearth {

using Duration = std::chrono::milliseconds;
// Wall-clock instant in milliseconds since the Unix epoch (UTC).
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  // Process-wide instance; never destroyed.
  static const Clock& Instance();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = Timestamp(std::chrono::milliseconds(1'700'000'000'000)))
      : now_ms_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp(std::chrono::milliseconds(now_ms_.load())); }
  void Advance(Duration d) { now_ms_ += d.count(); }

 private:
  std::atomic<int64_t> now_ms_;
};

inline int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMillis(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

// RFC 3339 in UTC with millisecond precision, e.g. "2026-11-24T23:38:36.123Z".
std::string FormatRfc3339(Timestamp t);

}  // namespace hearth
