#include "coordinator/kube/handlers.h"

#include "coordinator/kube/attribution.h"
#include "coordinator/rewards/handlers.h"

namespace hearth::kube {

namespace {

using HttpRequest = http::Request;
using HttpResponse = http::Response;

constexpr Duration kMaxWindow = std::chrono::hours(24 * 31);

StatusOr<Timestamp> TimeParam(const HttpRequest& req, const std::string& name, Timestamp def) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return def;
  return rewards::ParseTime(it->second, name);
}

}  // namespace

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("GET", "/v1/admin/attribution", [&ctx](const HttpRequest& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return HttpResponse::Error(p.status());
    if (!p->admin()) {
      return HttpResponse::Error(
          Status(Code::kPermissionDenied,
                 "only network admins can read lease attribution; sign in as "
                 "an admin",
                 "admin_required"));
    }
    const Timestamp now = ctx.clock.Now();
    auto to = TimeParam(req, "to", now);
    if (!to.ok()) return HttpResponse::Error(to.status());
    auto from = TimeParam(req, "from", *to - std::chrono::hours(1));
    if (!from.ok()) return HttpResponse::Error(from.status());
    if (*to <= *from)
      return HttpResponse::Error(Status::InvalidArgument("to", "must be after from"));
    if (*to - *from > kMaxWindow) {
      return HttpResponse::Error(
          Status::InvalidArgument("from", "the window is longer than 31 days; ask for less"));
    }
    auto runs = ctx.store.ListPodRuns(*from, *to);
    if (!runs.ok()) return HttpResponse::Error(runs.status());
    const rewards::CapacityTable& cap = ctx.config.rewards.capacity;
    const ShareWeights weights{cap.per_cpu_core, cap.per_memory_gib, cap.gpu_default};
    return HttpResponse::Json(200,
                              {{"from", FormatRfc3339(*from)},
                               {"to", FormatRfc3339(*to)},
                               {"weights",
                                {{"per_cpu_core", weights.per_cpu_core},
                                 {"per_memory_gib", weights.per_memory_gib},
                                 {"per_gpu", weights.per_gpu}}},
                               {"leases", EncodeShares(SharesOf(*runs, *from, *to, weights))}});
  });
}

}  // namespace hearth::kube
