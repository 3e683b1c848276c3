// HTTP request and response values passed between the server and handlers.
// Handlers are pure functions from Request to Response; all I/O lives in server.cc.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace hearth::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoding not applied
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // The client's address: the TCP peer's, or the one a trusted proxy forwarded
  // (http/trusted_proxies.h). Rate limits, GeoIP and logs use this.
  std::string remote_address;
  std::string peer_address;                   // IP of the TCP peer itself
  std::map<std::string, std::string> params;  // path parameters filled by the router
  // Set on the last call of a long-poll (see Response::WaitFor): answer now, do not wait again.
  bool final_attempt = false;

  // First header value with this (lowercase) name, or "".
  std::string Header(std::string_view lowercase_name) const;
  // Value of a cookie from the Cookie header, or "".
  std::string Cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Long-poll: when `wait_topic` is set, the server parks the request and calls the handler again
  // on Notifier::Notify(wait_topic), every re-check interval, and finally (final_attempt) after
  // `wait_for`. The other fields are ignored.
  std::string wait_topic;
  Duration wait_for{0};

  static Response WaitFor(std::string topic, Duration max_wait);
  static Response Json(int status, const nlohmann::json& body);
  static Response NoContent();
  // The API's one error shape: {"error":{"code","message","field"?}}, status from error_mapping.
  static Response Error(const Status& status);
};

}  // namespace hearth::http
