#include "http/message.h"

#include "http/error_mapping.h"

namespace hearth::http {

std::string Request::Header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lowercase_name) return v;
  }
  return "";
}

std::string Request::Cookie(std::string_view name) const {
  const std::string cookies = Header("cookie");
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string_view part(cookies.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (auto eq = part.find('='); eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    pos = end + 1;
  }
  return "";
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::WaitFor(std::string topic, Duration max_wait) {
  Response r;
  r.wait_topic = std::move(topic);
  r.wait_for = max_wait;
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response Response::Error(const Status& status) {
  nlohmann::json err = {{"code", status.reason()}, {"message", status.message()}};
  if (!status.field().empty()) err["field"] = status.field();
  Response r = Json(HttpStatusFor(status.code()), {{"error", err}});
  if (status.code() == Code::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  return r;
}

}  // namespace hearth::http
