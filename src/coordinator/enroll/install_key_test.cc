#include "coordinator/enroll/install_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace hearth::enroll {
namespace {

TEST(InstallKeyTest, WordListIsTheBip39EnglishList) {
  const auto& words = WordList();
  ASSERT_EQ(words.size(), 2048u);
  EXPECT_EQ(std::set<std::string_view>(words.begin(), words.end()).size(), 2048u);
  EXPECT_EQ(words.front(), "abandon");
  EXPECT_EQ(words.back(), "zoo");
  for (auto w : words) {
    EXPECT_GE(w.size(), 3u);
    EXPECT_LE(w.size(), 8u);
    for (char c : w) EXPECT_TRUE(c >= 'a' && c <= 'z') << w;
  }
}

TEST(InstallKeyTest, GeneratedKeysHaveFiveListedWordsAndAreSeedDeterministic) {
  SeededRandom a(3), b(3), c(4);
  const std::string ka = GenerateInstallKey(a).Reveal();
  EXPECT_EQ(ka, GenerateInstallKey(b).Reveal());
  EXPECT_NE(ka, GenerateInstallKey(c).Reveal());
  auto n = NormalizeInstallKey(ka);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, ka);
  EXPECT_EQ(std::count(ka.begin(), ka.end(), '-'), 4);
}

TEST(InstallKeyTest, EveryWordIsReachable) {
  SeededRandom r(11);
  std::set<std::string> seen;
  for (int i = 0; i < 8000 && seen.size() < 2048; ++i) {
    const std::string k = GenerateInstallKey(r).Reveal();
    size_t pos = 0;
    while (pos <= k.size()) {
      size_t dash = k.find('-', pos);
      if (dash == std::string::npos) dash = k.size();
      seen.insert(k.substr(pos, dash - pos));
      pos = dash + 1;
    }
  }
  EXPECT_EQ(seen.size(), 2048u);
}

TEST(InstallKeyTest, NormalizesWhatPeopleType) {
  auto n = NormalizeInstallKey("  Abandon ZOO_ability.able   about ");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, "abandon-zoo-ability-able-about");
  EXPECT_EQ(*NormalizeInstallKey("abandon--zoo-ability-able-about"), *n);
}

TEST(InstallKeyTest, ErrorsSayWhatIsWrong) {
  auto e = NormalizeInstallKey("");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().field(), "install_key");
  e = NormalizeInstallKey("abandon-zoo-ability-able");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("has 5 words; got 4"), std::string::npos);
  e = NormalizeInstallKey("abandon-zoo-ability-able-abuot");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("'abuot' is not an install-key word"), std::string::npos);
  e = NormalizeInstallKey("abandon-zoo-ability-able-about1");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("contains '1'"), std::string::npos);
}

TEST(InstallKeyTest, HashIsStableSha256AndHintIsFirstWord) {
  EXPECT_EQ(HashInstallKey("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(HashInstallKey("abandon-zoo-ability-able-about"),
            HashInstallKey("abandon-zoo-ability-able-above"));
  EXPECT_EQ(InstallKeyHint("abandon-zoo-ability-able-about"), "abandon");
}

}  // namespace
}  // namespace hearth::enroll
