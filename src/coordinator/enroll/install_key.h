// Install keys: single-use, expiring, human-typeable secrets that enroll a device for its owner.
//
// A key is five words from the embedded BIP-39 English list (2048 words, 11 bits each; 55 bits
// in all), e.g. "maple-river-stone-cloud-tiger". People type them, so normalization accepts any
// case and spaces, dashes, underscores or dots between words. Keys are stored only as a SHA-256
// hash: with 55 bits, single use, expiry and a hashed-on-the-server check, a slow hash would
// add cost without adding safety. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/random.h"
#include "common/secret.h"
#include "common/status.h"

namespace hearth::enroll {

inline constexpr int kInstallKeyWords = 5;

// The word list, parsed once.
const std::vector<std::string_view>& WordList();
// A new key: kInstallKeyWords uniform choices joined by '-'.
Secret<std::string> GenerateInstallKey(Random& random);
// The canonical lowercase dash-joined form of what a person typed; errors name "install_key".
StatusOr<std::string> NormalizeInstallKey(std::string_view typed);
// Hex SHA-256 of a canonical key, as stored.
std::string HashInstallKey(std::string_view canonical);
// The first word, shown in listings so owners can tell keys apart.
std::string InstallKeyHint(std::string_view canonical);

}  // namespace hearth::enroll
