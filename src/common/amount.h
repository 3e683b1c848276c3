// Amount: a sum of money in the payout denomination's micro-units (1 AKT = 1'000'000 uakt).
//
// A typed integer, so a count of seconds or a capacity weight cannot be passed where money is
// expected, and money is never a floating-point number. Arithmetic that could overflow is
// checked by the callers that combine amounts (the split bounds every input; the ledger checks
// sums with CheckedAdd). Values are plain data, safe to copy and share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace hearth {

// 128-bit integer for products of amounts with weights and seconds (GCC/Clang builtin;
// __extension__ keeps -Wpedantic quiet about it).
__extension__ typedef __int128 Int128;

class Amount {
 public:
  constexpr Amount() = default;
  static constexpr Amount Micro(int64_t micro) { return Amount(micro); }
  static constexpr Amount Zero() { return Amount(0); }

  constexpr int64_t micro() const { return micro_; }
  constexpr bool is_zero() const { return micro_ == 0; }
  constexpr bool is_negative() const { return micro_ < 0; }

  // Spelled out rather than a defaulted <=> (clang-tidy misreads the synthesized `< 0`).
  constexpr bool operator==(const Amount& o) const { return micro_ == o.micro_; }
  constexpr bool operator!=(const Amount& o) const { return micro_ != o.micro_; }
  constexpr bool operator<(const Amount& o) const { return micro_ < o.micro_; }
  constexpr bool operator<=(const Amount& o) const { return micro_ <= o.micro_; }
  constexpr bool operator>(const Amount& o) const { return micro_ > o.micro_; }
  constexpr bool operator>=(const Amount& o) const { return micro_ >= o.micro_; }
  // Unchecked arithmetic: only for values already known to be within bounds (the split keeps
  // every amount below kMaxAmount, so sums of two never overflow).
  constexpr Amount operator+(Amount o) const { return Amount(micro_ + o.micro_); }
  constexpr Amount operator-(Amount o) const { return Amount(micro_ - o.micro_); }
  constexpr Amount& operator+=(Amount o) {
    micro_ += o.micro_;
    return *this;
  }
  constexpr Amount& operator-=(Amount o) {
    micro_ -= o.micro_;
    return *this;
  }

  // std::nullopt when the sum does not fit in int64.
  static std::optional<Amount> CheckedAdd(Amount a, Amount b) {
    int64_t out = 0;
    if (__builtin_add_overflow(a.micro_, b.micro_, &out)) return std::nullopt;
    return Amount(out);
  }

  // "1.250000" for 1'250'000 micro-units: the whole-unit form people read.
  std::string ToDecimal() const {
    const bool neg = micro_ < 0;
    const uint64_t mag = neg ? 0 - static_cast<uint64_t>(micro_) : static_cast<uint64_t>(micro_);
    std::string frac = std::to_string(mag % 1'000'000);
    frac.insert(0, 6 - frac.size(), '0');
    return (neg ? "-" : "") + std::to_string(mag / 1'000'000) + "." + frac;
  }

  friend std::ostream& operator<<(std::ostream& os, Amount a) { return os << a.micro_; }

 private:
  constexpr explicit Amount(int64_t micro) : micro_(micro) {}
  int64_t micro_ = 0;
};

// Upper bound on every amount the split accepts (10^18 micro-units = 10^12 whole units), so
// products with weights and seconds fit in __int128 and sums of amounts fit in int64.
inline constexpr int64_t kMaxAmount = 1'000'000'000'000'000'000;

}  // namespace hearth
