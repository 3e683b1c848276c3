// Routes of the region catalog (admins; a region admin sees and changes only its region):
//   GET   /v1/regions                  the regions (with their device counts)
//   POST  /v1/regions                  admin: create a region (api::RegionSpec)
//   PATCH /v1/regions/{id}             admin or its region admin: change fields of a region
//   POST  /v1/regions/{id}/drain       admin: stop placing devices there; its devices move to
//                                      another acceptable region or the waitlist
//   POST  /v1/regions/{id}/activate    admin: start placing devices there
//   PUT   /v1/regions/{id}/admin       admin: make the account {"email"} the region's admin
//   GET   /v1/regions/{id}/devices     admin or its region admin: the region's devices
//   GET   /v1/regions/proposals        admins: every proposal; owners: those of cells where a
//                                      device of theirs waits
//   POST  /v1/regions/proposals/{id}/volunteer  a waitlisted owner offers to host (HostingDetails)
//   POST  /v1/regions/proposals/{id}/approve    admin: the region, bootstrapping, run by a
//                                      volunteer
//   GET   /v1/admin/events             admin: the admin event log (?after=ID&limit=N)
//   POST  /v1/checkin                  before enrollment (no credential, rate-limited): the
//                                      candidate regions and their gateway endpoints to probe
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::regions {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

}  // namespace hearth::regions
