// Routes of the overlay network:
//   GET  /v1/devices/{id}/config?since=V&wait=S   device: desired config, long-polled
//   POST /v1/devices/{id}/config/applied          device: the version it runs (or why not)
//   GET  /v1/gateways                             admin: gateways, their state and load
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::network {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

}  // namespace hearth::network
