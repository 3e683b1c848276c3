// Notifier: wakes long-polling requests when something they wait for changes.
//
// A handler that has nothing new yet answers Response::WaitFor(topic, max_wait); the server parks
// the request and calls the handler again when Notify(topic) is called or a re-check interval
// passes (so changes made by another coordinator replica are seen too), and one last time, with
// Request::final_attempt set, at the deadline. Thread-safe; callbacks run on the notifying
// thread and must only post work.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace hearth::http {

class Notifier {
 public:
  using Token = uint64_t;
  // Registers `wake` for `topic` until Unsubscribe(token).
  Token Subscribe(const std::string& topic, std::function<void()> wake);
  void Unsubscribe(Token token);
  // Calls every callback subscribed to `topic`.
  void Notify(const std::string& topic);
  // Calls every callback (shutdown).
  void NotifyAll();
  size_t waiting() const;

 private:
  mutable std::mutex mu_;
  Token next_ = 1;
  std::multimap<std::string, std::pair<Token, std::function<void()>>> subs_;  // GUARDED_BY(mu_)
};

}  // namespace hearth::http
