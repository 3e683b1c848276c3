// Batch: sends many requests through a kube::Client with at most `max_in_flight` outstanding,
// and runs each request's completion on the thread that calls Run() (never on the client's
// thread), so completions may use blocking calls and the caller's own state without locks.
// Not thread-safe: one thread adds and runs. Never call Run() from a client callback.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "coordinator/kube/client.h"

namespace hearth::kube {

class Batch {
 public:
  using Done = std::function<void(const StatusOr<Response>&)>;

  Batch(Client& client, size_t max_in_flight) : client_(client), max_(max_in_flight) {}

  void Add(Request request, Done done);
  size_t size() const { return queued_.size(); }
  // Sends everything added (completions may Add more) and returns when all have completed.
  void Run();

 private:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::pair<size_t, StatusOr<Response>>> finished;  // GUARDED_BY(mu)
  };
  Client& client_;
  size_t max_;
  std::deque<std::pair<Request, Done>> queued_;
  std::vector<Done> dones_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace hearth::kube
