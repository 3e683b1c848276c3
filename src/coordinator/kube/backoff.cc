#include "coordinator/kube/backoff.h"

#include <algorithm>

namespace hearth::kube {

Duration Backoff::Next() {
  const Duration d = next_;
  next_ = std::min(max_, next_ * 2);
  const auto half = d.count() / 2;
  const auto jitter = half > 0 ? random_.Uniform(static_cast<uint32_t>(half + 1)) : 0;
  return Duration(half + jitter + (d.count() % 2));
}

}  // namespace hearth::kube
