#include "coordinator/accounts/password.h"

#include <sodium.h>

#include "common/random.h"

namespace hearth::accounts {

StatusOr<std::string> HashPassword(const Secret<std::string>& password) {
  (void)SecureRandom::Instance();  // ensures sodium_init()
  char out[crypto_pwhash_STRBYTES];
  const std::string& p = password.Reveal();
  if (crypto_pwhash_str(out, p.data(), p.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Unavailable("out of memory while hashing the password; retry");
  }
  return std::string(out);
}

bool VerifyPassword(const Secret<std::string>& password, const std::string& stored) {
  (void)SecureRandom::Instance();
  const std::string& p = password.Reveal();
  if (stored.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(stored.c_str(), p.data(), p.size()) == 0;
}

}  // namespace hearth::accounts
