#include "common/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"

namespace hearth {
namespace {

std::string RunWg(const std::string& args, const std::string& input) {
  const std::string tmp = std::filesystem::temp_directory_path() / "hearth-wg-in";
  std::ofstream(tmp) << input;
  FILE* p = popen(("wg " + args + " < " + tmp).c_str(), "r");
  std::string out;
  char buf[256];
  while (p && fgets(buf, sizeof(buf), p)) out += buf;
  if (p) pclose(p);
  std::filesystem::remove(tmp);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(WgKeyTest, PublicKeyMatchesTheRealWgTool) {
  if (access("/usr/bin/wg", X_OK) != 0) GTEST_SKIP() << "wg (wireguard-tools) not installed";
  for (int i = 0; i < 8; ++i) {
    WgPrivateKey k = WgPrivateKey::Generate();
    const std::string expected = RunWg("pubkey", k.ToBase64().Reveal() + "\n");
    EXPECT_EQ(k.Public().ToString(), expected);
    EXPECT_EQ(k.Public().ToString().size(), 44u);
  }
  // A key made by `wg genkey` parses and gives the same public key as `wg pubkey`.
  const std::string genkey = RunWg("genkey", "");
  auto parsed = WgPrivateKey::Parse(genkey, "key");
  ASSERT_TRUE(parsed.ok()) << genkey;
  EXPECT_EQ(parsed->Public().ToString(), RunWg("pubkey", genkey + "\n"));
  EXPECT_EQ(parsed->ToBase64().Reveal(), genkey);
}

TEST(WgKeyTest, GeneratedKeysAreClampedAndDistinct) {
  WgPrivateKey a = WgPrivateKey::Generate(), b = WgPrivateKey::Generate();
  EXPECT_NE(a.ToBase64().Reveal(), b.ToBase64().Reveal());
  auto raw = Base64Decode(a.ToBase64().Reveal());
  ASSERT_TRUE(raw && raw->size() == 32);
  EXPECT_EQ(static_cast<uint8_t>((*raw)[0]) & 7, 0);
  EXPECT_EQ(static_cast<uint8_t>((*raw)[31]) & 128, 0);
  EXPECT_EQ(static_cast<uint8_t>((*raw)[31]) & 64, 64);
}

TEST(WgKeyTest, ParseRejectsBadInputNamingTheField) {
  const std::string k31 = Base64Encode(std::string(31, 'a'));
  const std::string k33 = Base64Encode(std::string(33, 'a'));
  for (const std::string& bad :
       {std::string(), std::string("not base64!"), k31, k33, std::string("aGVsbG8=")}) {
    auto r = WgPublicKey::Parse(bad, "wg_public_key");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "wg_public_key");
    EXPECT_NE(r.status().message().find("44 characters"), std::string::npos);
  }
  const std::string good = WgPrivateKey::Generate().Public().ToString();
  auto r = WgPublicKey::Parse(good, "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ToString(), good);
}

TEST(WgKeyTest, PrivateKeysPrintRedacted) {
  std::ostringstream os;
  os << WgPrivateKey::Generate() << " " << IdentityPrivateKey::Generate();
  EXPECT_EQ(os.str(), "<redacted> <redacted>");
}

TEST(IdentityKeyTest, SignVerifyAndTextRoundTrip) {
  IdentityPrivateKey k = IdentityPrivateKey::Generate();
  const std::string sig = k.Sign("heartbeat 1");
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(k.Public().Verify("heartbeat 1", sig));
  EXPECT_FALSE(k.Public().Verify("heartbeat 2", sig));
  std::string tampered = sig;
  tampered[0] ^= 1;
  EXPECT_FALSE(k.Public().Verify("heartbeat 1", tampered));
  EXPECT_FALSE(IdentityPrivateKey::Generate().Public().Verify("heartbeat 1", sig));

  auto reparsed = IdentityPrivateKey::Parse(k.ToText().Reveal(), "f");
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->Public(), k.Public());
  const std::string pub = k.Public().ToString();
  EXPECT_EQ(pub.rfind("ed25519:", 0), 0u);
  auto p = IdentityPublicKey::Parse(pub, "identity_public_key");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, k.Public());
  auto bad = IdentityPublicKey::Parse(pub.substr(8), "identity_public_key");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "identity_public_key");
  EXPECT_FALSE(IdentityPublicKey::Parse("ed25519:AAAA", "f").ok());
}

TEST(PrivateFileTest, WritesMode0600AtomicallyAndRefusesLooseFiles) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("hearth-keys-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string f = dir + "/wg.key";
  const mode_t old = umask(0);  // even a permissive umask must not widen the mode
  ASSERT_TRUE(WritePrivateFile(f, "first").ok());
  umask(old);
  struct stat st {};
  ASSERT_EQ(stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(WritePrivateFile(f, "second").ok());
  EXPECT_EQ(*ReadPrivateFile(f), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temp left
  chmod(f.c_str(), 0644);
  auto r = ReadPrivateFile(f);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(ReadPrivateFile(dir + "/missing").status().code(), Code::kNotFound);
  EXPECT_FALSE(WritePrivateFile(dir + "/no/such/dir/x", "y").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hearth
