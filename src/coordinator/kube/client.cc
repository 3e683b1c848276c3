#include "coordinator/kube/client.h"

#include <future>

#include "http/error_mapping.h"

namespace hearth::kube {

nlohmann::json Response::Json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

Status ToStatus(const Response& response, const std::string& what) {
  if (response.status >= 200 && response.status < 300) return Status::Ok();
  const nlohmann::json j = response.Json();
  std::string reason = "kubernetes_http_" + std::to_string(response.status);
  std::string message = "HTTP " + std::to_string(response.status);
  if (j.is_object() && j.value("kind", "") == "Status") {
    if (j.contains("reason") && j["reason"].is_string() && !j["reason"].get<std::string>().empty())
      reason = j["reason"].get<std::string>();
    if (j.contains("message") && j["message"].is_string()) message = j["message"];
  }
  Code code = http::CodeForHttpStatus(response.status);
  if (response.status == 409 && reason == "AlreadyExists") code = Code::kAlreadyExists;
  return Status(code, "kubernetes: " + what + ": " + message, reason);
}

std::string ContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
  }
  return "application/merge-patch+json";
}

StatusOr<Response> Client::Call(Request request) {
  if (OnClientThread()) {
    return Status::Internal(
        "kube::Client::Call on the client's own thread would deadlock; use "
        "Send from callbacks");
  }
  auto promise = std::make_shared<std::promise<StatusOr<Response>>>();
  auto future = promise->get_future();
  Send(std::move(request), [promise](StatusOr<Response> r) { promise->set_value(std::move(r)); });
  try {
    return future.get();
  } catch (const std::future_error&) {  // the client was destroyed with the request pending
    return Status::Unavailable("kubernetes client shut down before the request finished");
  }
}

namespace {
StatusOr<nlohmann::json> JsonResult(StatusOr<Response> r, const std::string& what) {
  if (!r.ok()) return r.status().WithContext("kubernetes: " + what);
  HEARTH_RETURN_IF_ERROR(ToStatus(*r, what));
  nlohmann::json j = r->Json();
  if (j.is_null()) return Status::Unavailable("kubernetes: " + what + ": answer is not JSON");
  return j;
}
}  // namespace

StatusOr<nlohmann::json> Client::Get(const std::string& path) {
  Request req;
  req.path = path;
  return JsonResult(Call(std::move(req)), "GET " + path);
}

StatusOr<nlohmann::json> Client::Create(const std::string& collection_path,
                                        const nlohmann::json& obj) {
  Request req;
  req.method = "POST";
  req.path = collection_path;
  req.body = obj.dump();
  return JsonResult(Call(std::move(req)), "POST " + collection_path);
}

StatusOr<nlohmann::json> Client::Patch(const std::string& path, PatchType type,
                                       const nlohmann::json& patch) {
  Request req;
  req.method = "PATCH";
  req.path = path;
  req.body = patch.dump();
  req.content_type = ContentType(type);
  return JsonResult(Call(std::move(req)), "PATCH " + path);
}

Status Client::Delete(const std::string& path) {
  Request req;
  req.method = "DELETE";
  req.path = path;
  auto r = Call(std::move(req));
  if (!r.ok()) return r.status().WithContext("kubernetes: DELETE " + path);
  if (r->status == 404) return Status::Ok();
  return ToStatus(*r, "DELETE " + path);
}

}  // namespace hearth::kube
