#include "coordinator/kube/bootstrap_token.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "common/encoding.h"

namespace hearth::kube {
namespace {

constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

std::string RandomString(Random& random, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[random.Uniform(sizeof(kAlphabet) - 1)];
  return out;
}

bool AllTokenChars(const std::string& s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

BootstrapToken GenerateBootstrapToken(Random& random) {
  BootstrapToken t;
  t.id = RandomString(random, 6);
  t.secret = Secret<std::string>(RandomString(random, 16));
  return t;
}

StatusOr<BootstrapToken> ParseBootstrapToken(const std::string& text, const std::string& field) {
  const auto dot = text.find('.');
  if (dot != 6 || text.size() != 6 + 1 + 16 || !AllTokenChars(text.substr(0, 6)) ||
      !AllTokenChars(text.substr(7))) {
    return Status::InvalidArgument(
        field, "is not a bootstrap token; it has the form abcdef.0123456789abcdef ([a-z0-9])");
  }
  BootstrapToken t;
  t.id = text.substr(0, 6);
  t.secret = Secret<std::string>(text.substr(7));
  return t;
}

std::string BootstrapTokenSecretName(const std::string& token_id) {
  return "bootstrap-token-" + token_id;
}

nlohmann::json BootstrapTokenSecret(const BootstrapToken& token, Timestamp expiration,
                                    const std::string& description,
                                    const std::string& extra_groups) {
  std::string exp = FormatRfc3339(expiration);  // "...T12:34:56.789Z"
  if (auto dot = exp.find('.'); dot != std::string::npos) exp = exp.substr(0, dot) + "Z";
  nlohmann::json data = {
      {"token-id", token.id},
      {"token-secret", token.secret.Reveal()},
      {"expiration", exp},
      {"usage-bootstrap-authentication", "true"},
      {"usage-bootstrap-signing", "true"},
  };
  if (!description.empty()) data["description"] = description;
  if (!extra_groups.empty()) data["auth-extra-groups"] = extra_groups;
  return {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"type", "bootstrap.kubernetes.io/token"},
      {"metadata",
       {{"name", BootstrapTokenSecretName(token.id)},
        {"namespace", "kube-system"},
        {"labels", {{"app.kubernetes.io/managed-by", "hearth"}}}}},
      {"stringData", data},
  };
}

Status CreateBootstrapToken(Client& client, const BootstrapToken& token, Timestamp expiration,
                            const std::string& description) {
  auto r = client.Create("/api/v1/namespaces/kube-system/secrets",
                         BootstrapTokenSecret(token, expiration, description));
  return r.status();
}

Status DeleteBootstrapToken(Client& client, const std::string& token_id) {
  if (token_id.size() != 6 || !AllTokenChars(token_id)) {
    return Status::InvalidArgument("token_id", "must be 6 characters [a-z0-9]");
  }
  return client.Delete("/api/v1/namespaces/kube-system/secrets/" +
                       BootstrapTokenSecretName(token_id));
}

std::string CaBundleHash(const std::string& ca_bundle) { return Sha256Hex(ca_bundle); }

StatusOr<std::string> CaCertFingerprint(const std::string& ca_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())), &BIO_free);
  if (!bio) return Status::Internal("out of memory");
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) {
    return Status::InvalidArgument("certificate-authority-data",
                                   "holds no PEM certificate; give the cluster CA certificate");
  }
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert.get(), &der);
  if (n <= 0) return Status::Internal("cannot DER-encode the CA certificate");
  std::string out = Sha256Hex(std::string(reinterpret_cast<const char*>(der), n));
  OPENSSL_free(der);
  return out;
}

Secret<std::string> K3sJoinToken(const std::string& ca_hash, const BootstrapToken& token) {
  return Secret<std::string>("K10" + ca_hash + "::" + token.id + "." + token.secret.Reveal());
}

}  // namespace hearth::kube
