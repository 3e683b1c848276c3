// Routes for devices: GET /v1/devices, GET/PATCH/DELETE /v1/devices/{id},
// POST /v1/devices/{id}/heartbeat. Owners see only their own devices (others are 404, not
// 403, so ids cannot be probed); admins see all; a device may heartbeat and remove itself.
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::devices {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

}  // namespace hearth::devices
