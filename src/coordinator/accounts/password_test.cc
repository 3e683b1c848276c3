#include "coordinator/accounts/password.h"

#include <gtest/gtest.h>

namespace hearth::accounts {
namespace {

TEST(PasswordTest, HashIsArgon2idAndVerifies) {
  auto h = HashPassword(Secret<std::string>("correct horse battery"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword(Secret<std::string>("correct horse battery"), *h));
  EXPECT_FALSE(VerifyPassword(Secret<std::string>("correct horse batterY"), *h));
  EXPECT_FALSE(VerifyPassword(Secret<std::string>(""), *h));
}

TEST(PasswordTest, SaltedSoEqualPasswordsHashDifferently) {
  auto a = HashPassword(Secret<std::string>("same password"));
  auto b = HashPassword(Secret<std::string>("same password"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(PasswordTest, GarbageStoredHashNeverVerifies) {
  EXPECT_FALSE(VerifyPassword(Secret<std::string>("x"), ""));
  EXPECT_FALSE(VerifyPassword(Secret<std::string>("x"), "$argon2id$v=19$garbage"));
  EXPECT_FALSE(VerifyPassword(Secret<std::string>("x"), std::string(500, 'a')));
}

}  // namespace
}  // namespace hearth::accounts
