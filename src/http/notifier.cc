#include "http/notifier.h"

#include <vector>

namespace hearth::http {

Notifier::Token Notifier::Subscribe(const std::string& topic, std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  const Token t = next_++;
  subs_.emplace(topic, std::make_pair(t, std::move(wake)));
  return t;
}

void Notifier::Unsubscribe(Token token) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = subs_.begin(); it != subs_.end(); ++it) {
    if (it->second.first == token) {
      subs_.erase(it);
      return;
    }
  }
}

void Notifier::Notify(const std::string& topic) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [b, e] = subs_.equal_range(topic);
    for (auto it = b; it != e; ++it) wake.push_back(it->second.second);
  }
  for (auto& w : wake) w();
}

void Notifier::NotifyAll() {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [topic, sub] : subs_) wake.push_back(sub.second);
  }
  for (auto& w : wake) w();
}

size_t Notifier::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subs_.size();
}

}  // namespace hearth::http
