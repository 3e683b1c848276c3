// Client: a small synchronous HTTP/1.1 client for the agent, the CLI, tests and benchmarks.
//
// One Client keeps one keep-alive connection to one base URL ("http://host:port") and
// reconnects when needed. Every call has a timeout. Not thread-safe: use one per thread.
// Transport failures are Code::kUnavailable / kDeadlineExceeded; HTTP error statuses are
// returned as responses (callers map them with ToStatus()). Cancel() is the one method another
// thread may call.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace hearth::http {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string Header(std::string_view lowercase_name) const;
  // Parsed body, or a null json when it is not JSON.
  nlohmann::json Json() const;
  // OK for 2xx; otherwise the server's {"error":{...}} as a Status (code from the HTTP status).
  Status ToStatus() const;
};

class Client {
 public:
  // `base_url` is "http://HOST:PORT" (an optional trailing path prefix is kept).
  static StatusOr<std::unique_ptr<Client>> Create(const std::string& base_url,
                                                  Duration timeout = std::chrono::seconds(10));
  ~Client();

  void SetBearer(std::string token) { bearer_ = std::move(token); }
  const std::string& bearer() const { return bearer_; }
  void SetTimeout(Duration timeout) { timeout_ = timeout; }

  // Thread-safe: aborts the request in flight (a long poll) and makes every later call fail
  // with kUnavailable "cancelled". For shutting down a thread blocked in Do().
  void Cancel();

  StatusOr<ClientResponse> Do(const std::string& method, const std::string& path,
                              const std::string& body = "",
                              const std::vector<std::pair<std::string, std::string>>& headers = {});
  StatusOr<ClientResponse> Get(const std::string& path) { return Do("GET", path); }
  StatusOr<ClientResponse> PostJson(const std::string& path, const nlohmann::json& body) {
    return Do("POST", path, body.dump(), {{"Content-Type", "application/json"}});
  }
  StatusOr<ClientResponse> Delete(const std::string& path) { return Do("DELETE", path); }

 private:
  Client() = default;
  struct Conn;
  std::unique_ptr<Conn> conn_;
  std::string host_, port_, prefix_, bearer_;
  Duration timeout_{};
  std::atomic<bool> cancelled_{false};
};

}  // namespace hearth::http
