#include "coordinator/kube/drain.h"

#include "coordinator/kube/node.h"

namespace hearth::kube {

PodDrainClass ClassifyForDrain(const nlohmann::json& pod) {
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& meta = pod.contains("metadata") ? pod["metadata"] : empty;
  if (meta.contains("annotations") && meta["annotations"].is_object() &&
      meta["annotations"].contains("kubernetes.io/config.mirror")) {
    return PodDrainClass::kMirror;
  }
  if (meta.contains("ownerReferences") && meta["ownerReferences"].is_array()) {
    for (const auto& o : meta["ownerReferences"]) {
      if (o.is_object() && o.value("kind", "") == "DaemonSet" && o.value("controller", false)) {
        return PodDrainClass::kDaemonSet;
      }
    }
  }
  if (meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null()) {
    return PodDrainClass::kTerminating;
  }
  return PodDrainClass::kEvict;
}

std::string PodKey(const nlohmann::json& pod) {
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& meta = pod.contains("metadata") ? pod["metadata"] : empty;
  return meta.value("namespace", "") + "/" + meta.value("name", "");
}

Request EvictionRequest(const std::string& ns, const std::string& name, Duration timeout) {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/namespaces/" + ns + "/pods/" + name + "/eviction";
  r.body = nlohmann::json{{"apiVersion", "policy/v1"},
                          {"kind", "Eviction"},
                          {"metadata", {{"name", name}, {"namespace", ns}}}}
               .dump();
  r.timeout = timeout;
  return r;
}

std::string DrainStateName(DrainReport::State s) {
  switch (s) {
    case DrainReport::State::kRunning:
      return "running";
    case DrainReport::State::kDone:
      return "done";
    case DrainReport::State::kTimedOut:
      return "timed_out";
  }
  return "running";
}

nlohmann::json DrainReport::ToJson() const {
  nlohmann::json left = nlohmann::json::array();
  for (const auto& [pod, why] : not_evicted) left.push_back({{"pod", pod}, {"reason", why}});
  nlohmann::json j = {{"state", DrainStateName(state)},
                      {"started_at", FormatRfc3339(started_at)},
                      {"evicted", evicted},
                      {"not_evicted", left},
                      {"attempts", attempts}};
  if (finished_at) j["finished_at"] = FormatRfc3339(*finished_at);
  return j;
}

std::optional<DrainReport> DrainReport::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("state") || !j["state"].is_string()) return std::nullopt;
  DrainReport r;
  const std::string state = j["state"];
  if (state == "running") {
    r.state = State::kRunning;
  } else if (state == "done") {
    r.state = State::kDone;
  } else if (state == "timed_out") {
    r.state = State::kTimedOut;
  } else {
    return std::nullopt;
  }
  auto started = ParseKubeTime(j.value("started_at", ""));
  if (!started) return std::nullopt;
  r.started_at = *started;
  if (j.contains("finished_at") && j["finished_at"].is_string()) {
    r.finished_at = ParseKubeTime(j["finished_at"].get<std::string>());
  }
  if (j.contains("evicted") && j["evicted"].is_array()) {
    for (const auto& p : j["evicted"]) {
      if (p.is_string()) r.evicted.push_back(p.get<std::string>());
    }
  }
  if (j.contains("not_evicted") && j["not_evicted"].is_array()) {
    for (const auto& p : j["not_evicted"]) {
      if (p.is_object()) r.not_evicted[p.value("pod", "")] = p.value("reason", "");
    }
  }
  if (j.contains("attempts") && j["attempts"].is_number_integer()) r.attempts = j["attempts"];
  return r;
}

std::string EvictionRefusal(const StatusOr<Response>& r) {
  if (!r.ok()) return r.status().message();
  if (r->status == 200 || r->status == 201 || r->status == 404) return "";
  const nlohmann::json j = r->Json();
  std::string message = "HTTP " + std::to_string(r->status);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) {
    message = j["message"].get<std::string>();
  }
  return message;
}

}  // namespace hearth::kube
