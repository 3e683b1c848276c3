// Password hashing with Argon2id (libsodium crypto_pwhash_str, "interactive" limits: 2 passes,
// 64 MiB). The stored string encodes algorithm, parameters and salt, so limits can be raised
// later without breaking old hashes. Thread-safe.
#pragma once

#include <string>

#include "common/secret.h"
#include "common/status.h"

namespace hearth::accounts {

StatusOr<std::string> HashPassword(const Secret<std::string>& password);
// True when `password` matches `stored` (constant time in the password).
bool VerifyPassword(const Secret<std::string>& password, const std::string& stored);

}  // namespace hearth::accounts
