// Router: maps (method, path) to a handler. Patterns are literal segments and "{name}"
// parameters, e.g. "/v1/devices/{id}". Unknown path → 404, known path with another method →
// 405 with an Allow header. Each route has a stable name (its pattern) for metrics.
// Routes are added at start-up; Dispatch is then thread-safe (read-only).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace hearth::http {

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: see status
    std::string route;                 // pattern, or "unmatched"
    int status = 200;                  // 404 or 405 when handler is null
    std::string allow;                 // for 405
  };
  // Fills req->params on a match.
  Match Find(Request* req) const;

  struct RouteInfo {
    std::string method, pattern;
  };
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace hearth::http
