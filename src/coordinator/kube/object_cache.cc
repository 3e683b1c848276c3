#include "coordinator/kube/object_cache.h"

#include <set>

namespace hearth::kube {

std::string ObjectCache::Key(const nlohmann::json& object) {
  const auto& md = object.value("metadata", nlohmann::json::object());
  return md.value("namespace", "") + "/" + md.value("name", "");
}

std::string ObjectCache::ResourceVersion(const nlohmann::json& object) {
  const auto& md = object.value("metadata", nlohmann::json::object());
  return md.value("resourceVersion", "");
}

std::optional<WatchEvent> ObjectCache::Apply(WatchEvent::Type type, const nlohmann::json& object) {
  const std::string key = Key(object);
  auto it = objects_.find(key);
  if (type == WatchEvent::Type::kDeleted) {
    if (it == objects_.end()) return std::nullopt;
    objects_.erase(it);
    return WatchEvent{type, object};
  }
  if (it == objects_.end()) {
    objects_.emplace(key, object);
    return WatchEvent{WatchEvent::Type::kAdded, object};
  }
  if (ResourceVersion(it->second) == ResourceVersion(object)) return std::nullopt;
  it->second = object;
  return WatchEvent{WatchEvent::Type::kModified, object};
}

std::vector<WatchEvent> ObjectCache::Replace(const std::vector<nlohmann::json>& items) {
  std::vector<WatchEvent> out;
  std::set<std::string> present;
  for (const auto& item : items) {
    present.insert(Key(item));
    if (auto e = Apply(WatchEvent::Type::kModified, item)) out.push_back(std::move(*e));
  }
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (present.count(it->first) != 0) {
      ++it;
      continue;
    }
    out.push_back(WatchEvent{WatchEvent::Type::kDeleted, it->second});
    it = objects_.erase(it);
  }
  return out;
}

}  // namespace hearth::kube
