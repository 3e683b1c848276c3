#include "coordinator/regions/webhook.h"

#include "api/regions.h"
#include "common/log.h"

namespace hearth::regions {
namespace {

// "http://host:port/path?q" → ("http://host:port", "/path?q").
std::pair<std::string, std::string> Split(const std::string& url) {
  const size_t slash = url.find('/', 7);
  if (slash == std::string::npos) return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

}  // namespace

Status WebhookSender::ValidateUrl(const std::string& url, const std::string& field) {
  if (url.rfind("https://", 0) == 0) {
    return Status::InvalidArgument(
        field,
        "https webhooks are not supported yet (the coordinator's HTTP client speaks plain "
        "HTTP); point it at an http:// receiver or a local relay");
  }
  if (url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument(field, "must be an http://host:port/path URL");
  }
  auto c = http::Client::Create(Split(url).first);
  if (!c.ok()) return Status::InvalidArgument(field, c.status().message());
  return Status::Ok();
}

WebhookSender::WebhookSender(std::string url, store::Store& store, const Clock& clock,
                             Duration timeout, int max_attempts)
    : store_(store), clock_(clock), timeout_(timeout), max_attempts_(max_attempts) {
  std::tie(base_, path_) = Split(url);
}

Duration WebhookSender::Backoff(int64_t attempt) {
  const int64_t shift = std::min<int64_t>(attempt, 20);
  return std::min<Duration>(std::chrono::seconds(int64_t{1} << shift), std::chrono::minutes(10));
}

StatusOr<int> WebhookSender::DeliverDue() {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::AdminEvent> due,
                          store_.DueWebhookEvents(clock_.Now(), 100));
  int delivered = 0;
  for (store::AdminEvent& e : due) {
    if (!client_) {
      auto c = http::Client::Create(base_, timeout_);
      if (!c.ok()) return c.status();
      client_ = std::move(*c);
    }
    const std::string body = api::EncodeAdminEvent(e).dump();
    auto res = client_->Do("POST", path_, body,
                           {{"Content-Type", "application/json"},
                            {"User-Agent", "hearth/" HEARTH_VERSION},
                            {"X-Hearth-Event", e.kind},
                            {"X-Hearth-Event-Id", std::to_string(e.id)}});
    ++e.webhook_attempts;
    const Timestamp now = clock_.Now();
    if (res.ok() && res->status >= 200 && res->status < 300) {
      HEARTH_RETURN_IF_ERROR(store_.SetWebhookState(e.id, "delivered", e.webhook_attempts, now));
      ++delivered;
      continue;
    }
    const std::string why =
        res.ok() ? "HTTP " + std::to_string(res->status) : res.status().message();
    if (!res.ok()) client_.reset();  // reconnect next time
    if (e.webhook_attempts >= max_attempts_) {
      log::Error("webhook delivery failed for good",
                 {{"event_id", e.id}, {"attempts", e.webhook_attempts}, {"error", why}});
      HEARTH_RETURN_IF_ERROR(store_.SetWebhookState(e.id, "failed", e.webhook_attempts, now));
      continue;
    }
    log::Warn("webhook delivery failed; will retry",
              {{"event_id", e.id}, {"attempts", e.webhook_attempts}, {"error", why}});
    HEARTH_RETURN_IF_ERROR(store_.SetWebhookState(e.id, "pending", e.webhook_attempts,
                                                  now + Backoff(e.webhook_attempts - 1)));
  }
  return delivered;
}

}  // namespace hearth::regions
