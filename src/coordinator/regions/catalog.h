// Region catalog (DESIGN §4): creating, changing, draining and activating regions.
//
// Every change is validated against the request and the other regions before anything is
// written (errors name the field and the fix): the Akash location-region key must be one of the
// keys in the embedded provider-attributes.json; a country may be served by several regions only
// when their centres are at least kMinCentreSeparationKm apart (GeoIP coordinates then tell them
// apart; closer than that, a device's country could not choose between them); a new region's
// address prefixes must not overlap another region's. Each change is one store transaction.
// Thread-safe: all state is in the store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/regions.h"
#include "common/clock.h"
#include "store/store.h"

namespace hearth::regions {

inline constexpr double kMinCentreSeparationKm = 100;

// The Akash `location-region` keys (UN geoscheme), in file order.
const std::vector<std::string>& LocationRegions();
bool IsLocationRegion(std::string_view key);

// POST /v1/regions: a new region, status "active" unless `status` says otherwise ("proposed"
// and "bootstrapping" are used by proposals). kAlreadyExists (field "id") on a duplicate id.
StatusOr<store::Region> Create(store::Store& store, Timestamp now, const api::RegionSpec& spec,
                               std::string_view status = "active");
// Create inside a caller's transaction (proposal approval creates the region with it).
StatusOr<store::Region> CreateIn(store::NetworkTx& tx, Timestamp now, const api::RegionSpec& spec,
                                 std::string_view status);
// PATCH /v1/regions/{id}: the fields present in `spec`; kNotFound for an unknown id.
StatusOr<store::Region> Update(store::Store& store, Timestamp now, const std::string& id,
                               const api::RegionSpec& spec);
// Drain / activate: sets the status; kFailedPrecondition when the transition is not allowed
// (activate from proposed/bootstrapping/draining; drain from active). "default" cannot be drained.
StatusOr<store::Region> SetStatus(store::Store& store, Timestamp now, const std::string& id,
                                  std::string_view status);

// The region's shape checks against the others (excluding itself), as used by Create and
// Update; exposed for tests.
Status Validate(const store::Region& r, const std::vector<store::Region>& all);

}  // namespace hearth::regions
