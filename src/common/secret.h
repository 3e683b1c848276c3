// Secret<T>: a value that must never be logged or printed.
//
// Formatting a Secret (operator<<) prints "<redacted>"; the value is reachable only through
// the explicit Reveal(). Use it for passwords, tokens, install keys and private keys.
#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace hearth {

template <typename T = std::string>
class Secret {
 public:
  Secret() = default;
  explicit Secret(T value) : value_(std::move(value)) {}
  const T& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  // For comparing whole configurations; not constant-time, so never for checking a credential.
  bool operator==(const Secret&) const = default;

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<redacted>"; }

 private:
  T value_{};
};

}  // namespace hearth
