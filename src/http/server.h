// Server: HTTP/1.1 over TCP with Boost.Beast and C++20 coroutines.
//
// Each connection is one coroutine: read a request (header and body limits, a read timeout),
// dispatch it to the router's pure handler, write the response, repeat while keep-alive. A handler
// may answer Response::WaitFor to long-poll: the connection's coroutine parks on a timer that a
// Notifier or the re-check interval wakes, and calls the handler again.
// Expected network errors are error codes, never exceptions. Shutdown() stops accepting, lets
// in-flight requests finish up to a deadline, then stops the I/O threads.
// Start/Run/Shutdown may be called from different threads; Shutdown is idempotent.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/metrics.h"
#include "common/status.h"
#include "http/notifier.h"
#include "http/router.h"
#include "http/trusted_proxies.h"

namespace hearth::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  size_t body_limit = 1 << 20;            // bytes; larger bodies get 413
  Duration read_timeout = std::chrono::seconds(15);
  Duration idle_timeout = std::chrono::seconds(60);  // keep-alive wait for the next request
  int threads = 2;
  // Long-polls (Response::WaitFor) re-run their handler at least this often, so changes made by
  // another coordinator replica are seen even without a local Notify.
  Duration long_poll_recheck = std::chrono::seconds(1);
  // Peers whose X-Forwarded-For names the client (Request::remote_address); empty: none.
  TrustedProxies trusted_proxies;
  // Static fallback for GET requests that match no route (e.g. the portal's files); may be null.
  std::function<std::optional<Response>(const Request&)> static_files;
};

class Server {
 public:
  // `notifier` (may be null: no long-polls) wakes parked requests; it must outlive the server.
  Server(ServerOptions options, const Router& router, Metrics* metrics,
         Notifier* notifier = nullptr);
  ~Server();

  // Binds the listening socket. After OK, BoundAddress() is the real "host:port".
  Status Start();
  std::string BoundAddress() const;
  // Runs the I/O threads; returns after Shutdown() completes.
  void Run();
  // Stops accepting and finishes in-flight requests, waiting at most `grace`.
  void Shutdown(Duration grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses "HOST:PORT" ("[::1]:80" for IPv6). Errors name `field`.
Status ParseHostPort(const std::string& text, const std::string& field, std::string* host,
                     uint16_t* port);

}  // namespace hearth::http
