#include "coordinator/kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "common/encoding.h"

namespace hearth::kube {
namespace {

StatusOr<std::string> ReadFile(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument(field, "cannot read '" + path +
                                              "'; fix the path or inline the content in the "
                                              "matching *-data field");
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  if (!v || !v.IsScalar()) return "";
  return v.as<std::string>();
}

// Reads `<key>-data` (base64) or `<key>` (a file path); empty when neither is set.
StatusOr<std::string> DataOrFile(const YAML::Node& node, const std::string& key,
                                 const std::string& prefix, const std::string& base_dir) {
  const std::string data = Scalar(node, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = Base64Decode(data);
    if (!decoded) {
      return Status::InvalidArgument(prefix + "." + key + "-data",
                                     "is not valid base64; re-export the kubeconfig");
    }
    return *decoded;
  }
  std::string path = Scalar(node, key.c_str());
  if (path.empty()) return std::string();
  if (path.front() != '/' && !base_dir.empty()) path = base_dir + "/" + path;
  return ReadFile(path, prefix + "." + key);
}

// The entry of list `list` (clusters/users/contexts) whose name is `name`, as its inner map.
StatusOr<YAML::Node> Named(const YAML::Node& root, const char* list, const char* inner,
                           const std::string& name, const std::string& referrer) {
  const YAML::Node items = root[list];
  if (items && items.IsSequence()) {
    for (const auto& item : items) {
      if (item.IsMap() && Scalar(item, "name") == name) {
        const YAML::Node v = item[inner];
        if (!v || !v.IsMap()) {
          return Status::InvalidArgument(std::string(list) + "[" + name + "]." + inner,
                                         "is missing or not a map");
        }
        return v;
      }
    }
  }
  return Status::InvalidArgument(referrer, "names " + std::string(list) + " entry '" + name +
                                               "', which the kubeconfig does not have");
}

StatusOr<KubeConfig> Parse(const YAML::Node& root, const std::string& base_dir,
                           std::string context) {
  if (!root.IsMap()) {
    return Status::InvalidArgument("kubeconfig", "is not a YAML map; pass a kubeconfig file");
  }
  if (context.empty()) context = Scalar(root, "current-context");
  if (context.empty()) {
    return Status::InvalidArgument("current-context",
                                   "is not set; set it or choose a context explicitly");
  }
  auto ctx = Named(root, "contexts", "context", context, "current-context");
  if (!ctx.ok()) return ctx.status();
  const std::string cluster_name = Scalar(*ctx, "cluster");
  const std::string user_name = Scalar(*ctx, "user");
  if (cluster_name.empty()) {
    return Status::InvalidArgument("contexts[" + context + "].context.cluster", "is not set");
  }
  auto cluster =
      Named(root, "clusters", "cluster", cluster_name, "contexts[" + context + "].context.cluster");
  if (!cluster.ok()) return cluster.status();

  KubeConfig out;
  out.context = context;
  const std::string cprefix = "clusters[" + cluster_name + "].cluster";
  out.server = Scalar(*cluster, "server");
  while (!out.server.empty() && out.server.back() == '/') out.server.pop_back();
  const std::string scheme = "https://";
  if (out.server.rfind(scheme, 0) != 0) {
    return Status::InvalidArgument(cprefix + ".server",
                                   "'" + out.server +
                                       "' is not an https:// URL; the Kubernetes API is only "
                                       "spoken over TLS");
  }
  std::string rest = out.server.substr(scheme.size());
  if (rest.find('/') != std::string::npos) {
    return Status::InvalidArgument(cprefix + ".server",
                                   "has a path; only https://HOST[:PORT] is supported");
  }
  out.host = rest;
  out.port = "443";
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.back() != ']') {
    out.host = rest.substr(0, colon);
    out.port = rest.substr(colon + 1);
  }
  if (out.host.size() >= 2 && out.host.front() == '[') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty() || out.port.empty() ||
      out.port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(cprefix + ".server",
                                   "'" + out.server + "' has no valid host:port");
  }
  out.insecure_skip_tls_verify = Scalar(*cluster, "insecure-skip-tls-verify") == "true";
  auto ca = DataOrFile(*cluster, "certificate-authority", cprefix, base_dir);
  if (!ca.ok()) return ca.status();
  out.ca_pem = *ca;
  if (out.ca_pem.empty() && !out.insecure_skip_tls_verify) {
    return Status::InvalidArgument(cprefix + ".certificate-authority-data",
                                   "is not set; the coordinator verifies the apiserver against "
                                   "the cluster CA, so the kubeconfig must carry it");
  }

  if (user_name.empty()) {
    return Status::InvalidArgument("contexts[" + context + "].context.user", "is not set");
  }
  auto user = Named(root, "users", "user", user_name, "contexts[" + context + "].context.user");
  if (!user.ok()) return user.status();
  const std::string uprefix = "users[" + user_name + "].user";
  auto cert = DataOrFile(*user, "client-certificate", uprefix, base_dir);
  if (!cert.ok()) return cert.status();
  auto key = DataOrFile(*user, "client-key", uprefix, base_dir);
  if (!key.ok()) return key.status();
  out.client_cert_pem = *cert;
  out.client_key_pem = Secret<std::string>(*key);
  std::string token = Scalar(*user, "token");
  if (token.empty()) {
    std::string token_file = Scalar(*user, "tokenFile");
    if (!token_file.empty()) {
      if (token_file.front() != '/' && !base_dir.empty()) token_file = base_dir + "/" + token_file;
      auto t = ReadFile(token_file, uprefix + ".tokenFile");
      if (!t.ok()) return t.status();
      token = *t;
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    }
  }
  out.token = Secret<std::string>(token);
  if (out.client_cert_pem.empty() != out.client_key_pem.empty()) {
    return Status::InvalidArgument(
        uprefix + (out.client_cert_pem.empty() ? ".client-certificate-data" : ".client-key-data"),
        "is missing; a client certificate needs both the certificate and its key");
  }
  if (out.client_cert_pem.empty() && out.token.empty()) {
    return Status::InvalidArgument(uprefix,
                                   "has no credentials; give client-certificate-data and "
                                   "client-key-data, or a token");
  }
  return out;
}

}  // namespace

StatusOr<KubeConfig> ParseKubeConfig(const std::string& yaml, const std::string& base_dir,
                                     const std::string& context) {
  try {
    return Parse(YAML::Load(yaml), base_dir, context);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("kubeconfig", std::string("is not valid YAML: ") + e.what());
  }
}

StatusOr<KubeConfig> LoadKubeConfig(const std::string& path, const std::string& context) {
  auto text = ReadFile(path, "kubeconfig");
  if (!text.ok()) return text.status();
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) dir = path.substr(0, slash);
  auto cfg = ParseKubeConfig(*text, dir, context);
  if (!cfg.ok()) return cfg.status().WithContext(path);
  return cfg;
}

}  // namespace hearth::kube
