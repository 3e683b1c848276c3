#include "coordinator/kube/batch.h"

namespace hearth::kube {

void Batch::Add(Request request, Done done) {
  queued_.emplace_back(std::move(request), std::move(done));
}

void Batch::Run() {
  size_t in_flight = 0;
  while (!queued_.empty() || in_flight > 0) {
    while (!queued_.empty() && in_flight < max_) {
      auto [request, done] = std::move(queued_.front());
      queued_.pop_front();
      const size_t index = dones_.size();
      dones_.push_back(std::move(done));
      ++in_flight;
      std::shared_ptr<Shared> shared = shared_;
      client_.Send(std::move(request), [shared, index](StatusOr<Response> r) {
        std::lock_guard<std::mutex> lock(shared->mu);
        shared->finished.emplace_back(index, std::move(r));
        shared->cv.notify_one();
      });
    }
    std::deque<std::pair<size_t, StatusOr<Response>>> done;
    {
      std::unique_lock<std::mutex> lock(shared_->mu);
      shared_->cv.wait(lock, [&] { return !shared_->finished.empty(); });
      done.swap(shared_->finished);
    }
    for (auto& [index, result] : done) {
      --in_flight;
      Done fn = std::move(dones_[index]);
      if (fn) fn(result);
    }
  }
  dones_.clear();
}

}  // namespace hearth::kube
