// Provider attributes of a region, derived from its actual online devices (so they are never
// wrong about what runs there) and checked against the deploy console's attribute schema
// (data/akash/provider-attributes.json, embedded). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/akash.h"
#include "coordinator/akash/config.h"
#include "coordinator/akash/location.h"

namespace hearth::akash {

// The embedded attribute schema.
const nlohmann::json& AttributeSchema();

// host, tier, location-type=home, location-region, country, city, organization, email,
// capabilities/cpu(/arch), capabilities/gpu(/vendor/V/model/M), feat-persistent-storage, ...
// Country and city are where most online devices are (`where`, from ComputeLocation); the
// region's configured country and city stand in only when no online device tells a country
// (the configured city also when the devices' country is the configured one but none tells a
// city). Facts the schema has no key or value for (a GPU model it does not list, an unset
// organization) go to `omitted` with the reason instead of producing an invalid attribute.
api::ProviderAttributes RegionAttributes(const AkashConfig& config, const RegionConfig& region,
                                         const api::FleetSnapshot& fleet,
                                         const FleetLocation& where,
                                         const nlohmann::json& schema = AttributeSchema());

// OK when `key` = `value` is valid against `schema`: the key is a schema key (or an option key
// of a multiple-option entry), the value has the entry's type and is one of its options.
Status ValidateAttribute(const nlohmann::json& schema, const std::string& key,
                         const std::string& value);

}  // namespace hearth::akash
