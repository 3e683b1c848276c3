// Random sources. Production code uses the CSPRNG (libsodium's randombytes); tests that need
// determinism inject a SeededRandom. Both are thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace hearth {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(uint8_t* out, size_t n) = 0;
  // Uniform in [0, bound), bound > 0, without modulo bias.
  uint32_t Uniform(uint32_t bound);
  std::string Bytes(size_t n);
};

// Cryptographically secure (libsodium). Use for keys, tokens, credentials.
class SecureRandom final : public Random {
 public:
  void Fill(uint8_t* out, size_t n) override;
  static Random& Instance();
};

// Deterministic, for tests and simulations only; never for secrets.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  void Fill(uint8_t* out, size_t n) override;

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace hearth
