// Webhook: delivers admin events (the event log's outbox, coordinator/regions/proposals.h) to an
// admin's URL as `POST` JSON, off the request path: a change writes its event and a pending
// delivery in its own transaction; `hearth serve` runs DeliverDue() on its own thread. A delivery
// that fails (transport error, timeout, non-2xx) is retried with exponential backoff (1 s doubling,
// capped at 10 min) up to `max_attempts`, then marked failed and logged. Delivery is at least
// once: the receiver deduplicates by the event `id`.
// Not thread-safe: one sender per thread (it owns one HTTP connection).
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "http/client.h"
#include "store/store.h"

namespace hearth::regions {

class WebhookSender {
 public:
  // Checks `url` ("http://host:port/path"); errors name `field`.
  static Status ValidateUrl(const std::string& url, const std::string& field);
  // `url` must be valid; `store` and `clock` must outlive the sender.
  WebhookSender(std::string url, store::Store& store, const Clock& clock,
                Duration timeout = std::chrono::seconds(5), int max_attempts = 10);

  // Delivers every pending event that is due now, oldest first; returns how many were delivered.
  StatusOr<int> DeliverDue();

  // The delay before attempt `attempt + 1` after `attempt` failures (1 s, 2 s, 4 s, ... ≤ 10 min).
  static Duration Backoff(int64_t attempt);

 private:
  std::string base_, path_;
  store::Store& store_;
  const Clock& clock_;
  Duration timeout_;
  int max_attempts_;
  std::unique_ptr<http::Client> client_;
};

}  // namespace hearth::regions
