// ObjectCache: what a watch's handler has seen, keyed by namespace/name, so that events are
// delivered exactly once across reconnects and relists. Pure; not thread-safe (the watch's
// coroutine owns it).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/kube/client.h"

namespace hearth::kube {

class ObjectCache {
 public:
  // A watch event: returns the event to deliver, or nullopt for one already seen (same
  // resourceVersion) or a delete of an unknown object. ADDED of a known object becomes MODIFIED.
  std::optional<WatchEvent> Apply(WatchEvent::Type type, const nlohmann::json& object);
  // A full list: returns the events that turn the seen state into `items` (added, modified,
  // then deleted), in a stable order.
  std::vector<WatchEvent> Replace(const std::vector<nlohmann::json>& items);
  size_t size() const { return objects_.size(); }

  static std::string Key(const nlohmann::json& object);
  static std::string ResourceVersion(const nlohmann::json& object);

 private:
  std::map<std::string, nlohmann::json> objects_;
};

}  // namespace hearth::kube
