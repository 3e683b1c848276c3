#include "coordinator/akash/quantity.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>

namespace hearth::akash {
namespace {

// Parses a non-negative decimal ("12", "1.5", ".5") into a long double; false on anything else.
bool ParseDecimal(const std::string& s, long double* out) {
  if (s.empty() || s.size() > 40) return false;
  long double v = 0, scale = 1;
  bool dot = false, digit = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return false;
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
      if (dot) {
        scale /= 10;
        v += (c - '0') * scale;
      } else {
        v = v * 10 + (c - '0');
      }
    } else {
      return false;
    }
  }
  *out = v;
  return digit;
}

std::string Trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

StatusOr<int64_t> ParseByteQuantity(const std::string& text, const std::string& field) {
  const Status bad = Status::InvalidArgument(
      field, "'" + text.substr(0, 40) +
                 "' is not a size; write a number with an optional unit: Ki, Mi, Gi, Ti "
                 "(powers of 1024) or k, M, G, T (powers of 1000), e.g. 512Mi or 10Gi");
  const std::string s = Trimmed(text);
  size_t split = s.size();
  while (split > 0 && std::isalpha(static_cast<unsigned char>(s[split - 1]))) --split;
  std::string unit = s.substr(split);
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();
  if (unit == "b") unit.clear();
  long double mult = 1;
  if (!unit.empty()) {
    static const std::pair<char, int> kPowers[] = {{'k', 1}, {'m', 2}, {'g', 3},
                                                   {'t', 4}, {'p', 5}, {'e', 6}};
    bool binary = unit.size() == 2 && unit[1] == 'i';
    if (unit.size() > (binary ? 2u : 1u)) return bad;
    int power = 0;
    for (const auto& [c, p] : kPowers) {
      if (unit[0] == c) power = p;
    }
    if (power == 0) return bad;
    mult = std::pow(binary ? 1024.0L : 1000.0L, power);
  }
  long double v = 0;
  if (!ParseDecimal(Trimmed(s.substr(0, split)), &v)) return bad;
  const long double bytes = std::ceil(v * mult);
  if (!(bytes <= static_cast<long double>(kMaxQuantity))) {
    return Status::InvalidArgument(field, "'" + text.substr(0, 40) + "' is too large");
  }
  return static_cast<int64_t>(bytes);
}

StatusOr<int64_t> ParseCpuQuantity(const std::string& text, const std::string& field) {
  const Status bad = Status::InvalidArgument(
      field, "'" + text.substr(0, 40) +
                 "' is not a CPU quantity; write cores (1, 0.5) or millicores (\"500m\")");
  std::string s = Trimmed(text);
  long double mult = 1000;
  if (!s.empty() && s.back() == 'm') {
    s.pop_back();
    mult = 1;
  }
  long double v = 0;
  if (!ParseDecimal(s, &v)) return bad;
  const long double millis = std::ceil(v * mult);
  if (!(millis <= static_cast<long double>(kMaxQuantity))) {
    return Status::InvalidArgument(field, "'" + text.substr(0, 40) + "' is too large");
  }
  return static_cast<int64_t>(millis);
}

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  long double v = static_cast<long double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  if (v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0Lf%s", v, kUnits[u]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1Lf%s", v, kUnits[u]);
  }
  return buf;
}

std::string FormatCores(int64_t millicores) {
  char buf[64];
  if (millicores % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(millicores / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(millicores) / 1000.0);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    return s;
  }
  return buf;
}

}  // namespace hearth::akash
