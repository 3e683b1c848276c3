// The network map (GET /v1/map, any signed-in account): every live worker device counted in the
// coarse cell its placement evidence puts it in, with the caller's own counted as `mine`, the
// regions with their status and centre, and how many devices wait in each cell.
//
// Where a device is shown, in order: its waitlist cell while it waits; its GeoIP coordinates'
// cell (placement::WaitlistCell, whole degrees); a country alone (GeoIP's, else the declared
// one); the centre of the region it was placed in. A device none of these locates is counted as
// unlocated. Only cell counts leave this module — never coordinates, cities, addresses or ids.
// BuildNetworkMap is a pure function (table-tested); the route reads the store.
#pragma once

#include <string>
#include <vector>

#include "api/map.h"
#include "api/types.h"
#include "coordinator/context.h"
#include "http/router.h"
#include "store/store.h"

namespace hearth::regions {

// The cell `d` is shown in, or "" when nothing locates it. `region` is the region the device is
// placed in (null when none or unknown).
std::string DeviceCell(const store::Device& d, const store::Region* region);

// The map of `devices` (live ones; gateways and control nodes are left out) over `regions`, as
// `caller` sees it at `now`.
api::NetworkMap BuildNetworkMap(const std::vector<store::Device>& devices,
                                const std::vector<store::Region>& regions, const AccountId& caller,
                                Timestamp now, const api::LivenessPolicy& liveness);

// GET /v1/map.
void RegisterMapRoutes(http::Router& router, coordinator::Context& ctx);

}  // namespace hearth::regions
