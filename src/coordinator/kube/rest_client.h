// RestClient: kube::Client over HTTPS (Boost.Beast + OpenSSL) with the credentials of a
// kubeconfig (client certificate or bearer token; the apiserver is verified against the
// kubeconfig's CA and host name). Owns one I/O thread; keeps idle keep-alive connections for
// reuse; each watch holds its own connection.
// Destroy every Watch before the RestClient; callbacks still pending then never run.
#pragma once

#include <memory>

#include "common/random.h"
#include "coordinator/kube/client.h"
#include "coordinator/kube/kubeconfig.h"

namespace hearth::kube {

struct RestClientOptions {
  Random* random = nullptr;  // jitter for backoff; null = SecureRandom::Instance()
  size_t body_limit = size_t{64} << 20;
  Duration max_backoff = std::chrono::seconds(10);
};

class RestClient final : public Client {
 public:
  // Errors: kInvalidArgument naming the kubeconfig field when the CA, certificate or key is
  // not usable PEM.
  static StatusOr<std::unique_ptr<RestClient>> Create(KubeConfig config,
                                                      RestClientOptions options = {});
  ~RestClient() override;
  using Client::Create;  // the JSON helper, beside the static factory

  void Send(Request request, Callback done) override;
  std::unique_ptr<Watch> StartWatch(WatchOptions options, EventHandler handler) override;
  const std::string& ca_pem() const override;

 protected:
  bool OnClientThread() const override;

 public:
  struct Impl;  // implementation detail, shared with the watch loops in rest_client.cc

 private:
  explicit RestClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// Percent-encodes a query parameter value.
std::string QueryEscape(const std::string& value);

}  // namespace hearth::kube
