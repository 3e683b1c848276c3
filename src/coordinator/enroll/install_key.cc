#include "coordinator/enroll/install_key.h"

#include <algorithm>
#include <cctype>

#include "common/encoding.h"

namespace hearth::embedded {
extern const std::string_view kWordList;
}  // namespace hearth::embedded

namespace hearth::enroll {

const std::vector<std::string_view>& WordList() {
  static const std::vector<std::string_view> words = [] {
    std::vector<std::string_view> out;
    std::string_view text = embedded::kWordList;
    while (!text.empty()) {
      const size_t nl = text.find('\n');
      std::string_view w = text.substr(0, nl);
      if (!w.empty()) out.push_back(w);
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return words;
}

Secret<std::string> GenerateInstallKey(Random& random) {
  const auto& words = WordList();
  std::string key;
  for (int i = 0; i < kInstallKeyWords; ++i) {
    if (i) key += '-';
    key += words[random.Uniform(static_cast<uint32_t>(words.size()))];
  }
  return Secret<std::string>(std::move(key));
}

StatusOr<std::string> NormalizeInstallKey(std::string_view typed) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : typed) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) {
      cur += static_cast<char>(std::tolower(u));
    } else if (c == '-' || c == '_' || c == '.' || std::isspace(u)) {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      return Status::InvalidArgument(
          "install_key", "contains '" + std::string(1, c) +
                             "'; an install key is five words separated by dashes, e.g. "
                             "maple-river-stone-cloud-tiger");
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  if (words.empty()) {
    return Status::InvalidArgument("install_key",
                                   "is empty; copy it from the portal's "
                                   "\"Add device\" page");
  }
  if (words.size() != kInstallKeyWords) {
    return Status::InvalidArgument(
        "install_key", "an install key has " + std::to_string(kInstallKeyWords) + " words; got " +
                           std::to_string(words.size()));
  }
  const auto& list = WordList();
  std::string canonical;
  for (const auto& w : words) {
    if (!std::binary_search(list.begin(), list.end(), std::string_view(w))) {
      return Status::InvalidArgument("install_key",
                                     "'" + w + "' is not an install-key word; check the spelling");
    }
    if (!canonical.empty()) canonical += '-';
    canonical += w;
  }
  return canonical;
}

std::string HashInstallKey(std::string_view canonical) { return Sha256Hex(canonical); }

std::string InstallKeyHint(std::string_view canonical) {
  return std::string(canonical.substr(0, canonical.find('-')));
}

}  // namespace hearth::enroll
