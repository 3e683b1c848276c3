// Routes of the kube module: GET /v1/admin/attribution?from=&to= (network admins): each edge
// device's share of each Akash lease over the window, from the recorded pod runs.
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::kube {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

}  // namespace hearth::kube
