// Routes for devices: GET /v1/devices, GET/PATCH/DELETE /v1/devices/{id},
// POST /v1/devices/{id}/heartbeat, POST /v1/admin/devices/{id}/actions. Owners see only their
// own devices (others are 404, not 403, so ids cannot be probed); admins see all; a device may
// heartbeat and remove itself; admins and the device's region admin cordon, drain and ban it.
// stats.h adds GET /v1/devices/{id}/uptime and ?stats=1.
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::devices {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

// The live device `id` as `p` may see it: their own, or any for an admin; 404 device_not_found
// otherwise (so ids cannot be probed).
StatusOr<store::Device> VisibleDevice(coordinator::Context& ctx, const accounts::Principal& p,
                                      const std::string& id);

// True when the request presents a device credential (Bearer hdc_...).
bool HasDeviceCredential(const http::Request& req);
// The live device whose credential and identity-key signature the request carries, for device
// `id`; 401 otherwise (reason device_removed for a removed device), 403 device_banned for a
// banned one.
StatusOr<store::Device> AuthenticateDevice(coordinator::Context& ctx, const http::Request& req,
                                           const std::string& id);

// The admin state after `action` (cordon, uncordon, drain, ban, unban) on a device in
// `current`: cordon keeps a stricter state, drain leaves a ban in place, uncordon does not lift
// a ban (unban does). Errors name the action. Pure.
StatusOr<std::string> AdminStateAfter(const std::string& current, const std::string& action);

}  // namespace hearth::devices
