#include "common/random.h"

#include <sodium.h>

#include <cstdlib>

namespace hearth {

uint32_t Random::Uniform(uint32_t bound) {
  // Rejection sampling: discard values in the final partial range.
  const uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
  while (true) {
    uint32_t v = 0;
    Fill(reinterpret_cast<uint8_t*>(&v), sizeof(v));
    if (v < limit) return v % bound;
  }
}

std::string Random::Bytes(size_t n) {
  std::string out(n, '\0');
  Fill(reinterpret_cast<uint8_t*>(out.data()), n);
  return out;
}

void SecureRandom::Fill(uint8_t* out, size_t n) { randombytes_buf(out, n); }

Random& SecureRandom::Instance() {
  static SecureRandom* r = [] {
    if (sodium_init() < 0) std::abort();  // no entropy source: nothing secure can run
    return new SecureRandom();
  }();
  return *r;
}

void SeededRandom::Fill(uint8_t* out, size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(engine_() & 0xff);
}

}  // namespace hearth
