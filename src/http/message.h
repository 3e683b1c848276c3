// HTTP request and response values passed between the server and handlers.
// Handlers are pure functions from Request to Response; all I/O lives in server.cc.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace hearth::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoding not applied
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string remote_address;                 // peer IP of the TCP connection
  std::map<std::string, std::string> params;  // path parameters filled by the router

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

  static Response Json(int status, const nlohmann::json& body);
  static Response NoContent();
  // The API's one error shape: {"error":{"code","message","field"?}}, status from error_mapping.
  static Response Error(const Status& status);
};

}  // namespace hearth::http
