// Backoff: exponential retry delays with jitter for the Kubernetes client. Pure and
// deterministic for a given Random; not thread-safe (one per retry loop).
#pragma once

#include "common/clock.h"
#include "common/random.h"

namespace hearth::kube {

class Backoff {
 public:
  Backoff(Random& random, Duration initial = std::chrono::milliseconds(200),
          Duration max = std::chrono::seconds(10))
      : random_(random), initial_(initial), max_(max), next_(initial) {}
  // The next delay: uniform in [d/2, d] where d doubles from `initial` up to `max`.
  Duration Next();
  void Reset() { next_ = initial_; }

 private:
  Random& random_;
  Duration initial_, max_, next_;
};

}  // namespace hearth::kube
