#include "api/device_auth.h"

#include "common/encoding.h"

namespace hearth::api {
namespace {

std::string SignedText(const std::string& method, const std::string& path, const std::string& date,
                       const std::string& body) {
  return "hearth-device-v1\n" + method + "\n" + path + "\n" + date + "\n" + Sha256Hex(body);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> SignDeviceRequest(const IdentityPrivateKey& key,
                                                                   const std::string& method,
                                                                   const std::string& path,
                                                                   const std::string& body,
                                                                   Timestamp now) {
  const std::string date = std::to_string(ToUnixMillis(now));
  return {{"X-Hearth-Date", date},
          {"X-Hearth-Signature", Base64Encode(key.Sign(SignedText(method, path, date, body)))}};
}

Status VerifyDeviceRequest(const IdentityPublicKey& key, const std::string& method,
                           const std::string& path, const std::string& body,
                           const std::string& date_header, const std::string& signature_header,
                           Timestamp now) {
  auto bad = [](const std::string& why) {
    return Status::Unauthenticated(why, "invalid_device_signature");
  };
  if (date_header.empty() || signature_header.empty()) {
    return bad(
        "device requests must be signed with the device identity key "
        "(X-Hearth-Date and X-Hearth-Signature); update the agent");
  }
  if (date_header.size() > 15 || date_header.find_first_not_of("0123456789") != std::string::npos) {
    return bad("X-Hearth-Date must be Unix time in milliseconds");
  }
  const Timestamp at = FromUnixMillis(std::stoll(date_header));
  if (at < now - kDeviceSignatureSkew || at > now + kDeviceSignatureSkew) {
    return bad(
        "the request's X-Hearth-Date is more than 5 minutes from the coordinator's "
        "clock; fix the device's clock (enable NTP)");
  }
  auto sig = Base64Decode(signature_header);
  if (!sig || !key.Verify(SignedText(method, path, date_header, body), *sig)) {
    return bad(
        "the request signature does not match this device's identity key; the "
        "credential may have been copied to another machine. Re-enroll the device");
  }
  return Status::Ok();
}

}  // namespace hearth::api
