#include "common/ids.h"

namespace hearth {
namespace {
constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";  // no l, o, 0, 1
constexpr size_t kIdChars = 16;
}  // namespace

std::string NewRandomId(std::string_view prefix, Random& random) {
  std::string out(prefix);
  out += '_';
  for (size_t i = 0; i < kIdChars; ++i) out += kAlphabet[random.Uniform(kAlphabet.size())];
  return out;
}

bool IsWellFormedId(std::string_view text, std::string_view prefix) {
  if (text.size() != prefix.size() + 1 + kIdChars) return false;
  if (text.substr(0, prefix.size()) != prefix || text[prefix.size()] != '_') return false;
  for (char c : text.substr(prefix.size() + 1)) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace hearth
