// Routes of the region catalog (admins; a region admin sees and changes only its region):
//   GET   /v1/regions                  the regions (with their device counts)
//   POST  /v1/regions                  admin: create a region (api::RegionSpec)
//   PATCH /v1/regions/{id}             admin or its region admin: change fields of a region
//   POST  /v1/regions/{id}/drain       admin: stop placing devices there
//   POST  /v1/regions/{id}/activate    admin: start placing devices there
//   PUT   /v1/regions/{id}/admin       admin: make the account {"email"} the region's admin
//   GET   /v1/regions/{id}/devices     admin or its region admin: the region's devices
//   POST  /v1/checkin                  before enrollment (no credential, rate-limited): the
//                                      candidate regions and their gateway endpoints to probe
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::regions {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

}  // namespace hearth::regions
