// Bootstrap tokens: how a worker joins its region's cluster. For each enrolled worker the
// coordinator creates a Kubernetes bootstrap token (Secret `bootstrap-token-<id>` in
// kube-system, type bootstrap.kubernetes.io/token, usable for authentication, expiring) and
// hands the device the k3s join token `K10<CA hash>::<id>.<secret>`. The apiserver
// authenticates the token as `system:bootstrap:<id>` until the Secret is deleted or expires.
// Pure functions except Create/Delete, which call the region's kube::Client (blocking).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/secret.h"
#include "common/status.h"
#include "coordinator/kube/client.h"

namespace hearth::kube {

struct BootstrapToken {
  std::string id;              // 6 characters [a-z0-9]; public (names the Secret)
  Secret<std::string> secret;  // 16 characters [a-z0-9]
  // "<id>.<secret>", the bearer token.
  Secret<std::string> Bearer() const { return Secret<std::string>(id + "." + secret.Reveal()); }
};

// The group k3s gives node bootstrap tokens (its `k3s token create` default).
inline constexpr const char* kK3sNodeTokenGroup = "system:bootstrappers:k3s:default-node-token";

// A new random token (use SecureRandom in production).
BootstrapToken GenerateBootstrapToken(Random& random);
// Parses "<id>.<secret>"; errors name `field`.
StatusOr<BootstrapToken> ParseBootstrapToken(const std::string& text, const std::string& field);

// The Secret manifest for `token`, expiring at `expiration` (whole seconds, RFC 3339 UTC).
nlohmann::json BootstrapTokenSecret(const BootstrapToken& token, Timestamp expiration,
                                    const std::string& description,
                                    const std::string& extra_groups = kK3sNodeTokenGroup);
std::string BootstrapTokenSecretName(const std::string& token_id);

// Creates the token's Secret in kube-system. kAlreadyExists when the id is taken.
Status CreateBootstrapToken(Client& client, const BootstrapToken& token, Timestamp expiration,
                            const std::string& description);
// Deletes (revokes) the token; OK when it does not exist.
Status DeleteBootstrapToken(Client& client, const std::string& token_id);

// The CA hash in a K10 token for a cluster whose CA k3s generated itself: SHA-256 (hex) of the
// CA bundle exactly as the server stores and serves it at /cacerts.
std::string CaBundleHash(const std::string& ca_bundle);
// The CA hash for a cluster with a custom (externally issued) CA: SHA-256 (hex) of the DER
// encoding of the bundle's first certificate, i.e. its fingerprint.
StatusOr<std::string> CaCertFingerprint(const std::string& ca_pem);

// "K10<ca_hash>::<id>.<secret>".
Secret<std::string> K3sJoinToken(const std::string& ca_hash, const BootstrapToken& token);

}  // namespace hearth::kube
