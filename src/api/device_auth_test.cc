#include "api/device_auth.h"

#include <gtest/gtest.h>

namespace hearth::api {
namespace {

using std::chrono::minutes;

struct Signed {
  std::string date, sig;
};

Signed Sign(const IdentityPrivateKey& k, const std::string& body, Timestamp at) {
  auto h = SignDeviceRequest(k, "POST", "/v1/devices/dev_x/heartbeat", body, at);
  return {h[0].second, h[1].second};
}

TEST(DeviceAuthTest, AcceptsOwnSignatureWithinSkew) {
  FakeClock clock;
  IdentityPrivateKey k = IdentityPrivateKey::Generate();
  Signed s = Sign(k, "{}", clock.Now());
  EXPECT_TRUE(VerifyDeviceRequest(k.Public(), "POST", "/v1/devices/dev_x/heartbeat", "{}", s.date,
                                  s.sig, clock.Now())
                  .ok());
  clock.Advance(minutes(4));
  EXPECT_TRUE(VerifyDeviceRequest(k.Public(), "POST", "/v1/devices/dev_x/heartbeat", "{}", s.date,
                                  s.sig, clock.Now())
                  .ok());
}

TEST(DeviceAuthTest, RejectsEverythingElse) {
  FakeClock clock;
  IdentityPrivateKey k = IdentityPrivateKey::Generate();
  const IdentityPublicKey pub = k.Public();
  const std::string path = "/v1/devices/dev_x/heartbeat";
  Signed s = Sign(k, "{}", clock.Now());
  auto check = [&](const std::string& method, const std::string& p, const std::string& body,
                   const std::string& date, const std::string& sig) -> std::string {
    Status st = VerifyDeviceRequest(pub, method, p, body, date, sig, clock.Now());
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.reason(), "invalid_device_signature");
    return st.message();
  };
  (void)check("POST", path, "{\"x\":1}", s.date, s.sig);                           // body changed
  (void)check("DELETE", path, "{}", s.date, s.sig);                                // method changed
  (void)check("POST", "/v1/devices/dev_y/heartbeat", "{}", s.date, s.sig);         // path changed
  (void)check("POST", path, "{}", std::to_string(std::stoll(s.date) + 1), s.sig);  // date changed
  (void)check("POST", path, "{}", "", "");                                         // unsigned
  (void)check("POST", path, "{}", "yesterday", s.sig);
  (void)check("POST", path, "{}", s.date, "not base64!");
  Signed other = Sign(IdentityPrivateKey::Generate(), "{}", clock.Now());
  (void)check("POST", path, "{}", other.date, other.sig);  // another device's key
  clock.Advance(minutes(6));
  EXPECT_NE(check("POST", path, "{}", s.date, s.sig).find("clock"), std::string::npos);
  Signed future = Sign(k, "{}", clock.Now() + minutes(6));
  (void)check("POST", path, "{}", future.date, future.sig);
}

}  // namespace
}  // namespace hearth::api
