// Kubeconfig: the connection settings for one Kubernetes cluster (one region), read from a
// kubeconfig file as kubectl writes it. Only what the coordinator's client needs: the current
// context's server URL, CA bundle and credentials (client certificate + key, or a bearer token).
// Inline `*-data` fields and file references (relative to the kubeconfig's directory) are both
// accepted. Pure functions; the result is a value, safe to copy between threads.
#pragma once

#include <string>

#include "common/secret.h"
#include "common/status.h"

namespace hearth::kube {

struct KubeConfig {
  std::string server;           // "https://host:port" (no trailing slash)
  std::string host;             // from `server`
  std::string port;             // from `server` (default 443)
  std::string ca_pem;           // CA bundle (PEM) that signs the apiserver's certificate
  std::string client_cert_pem;  // empty when a token is used
  Secret<std::string> client_key_pem;
  Secret<std::string> token;
  bool insecure_skip_tls_verify = false;
  std::string context;  // the context that was used
};

// Parses kubeconfig text. `base_dir` resolves relative file references; `context` empty = the
// file's current-context. Errors name the kubeconfig field at fault and how to fix it.
StatusOr<KubeConfig> ParseKubeConfig(const std::string& yaml, const std::string& base_dir,
                                     const std::string& context = "");
// Reads and parses the kubeconfig file at `path`.
StatusOr<KubeConfig> LoadKubeConfig(const std::string& path, const std::string& context = "");

}  // namespace hearth::kube
