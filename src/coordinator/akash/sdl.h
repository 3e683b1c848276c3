// Akash SDL (v2.0/v2.1 deployment files) parsing and the edge-fleet check behind
// `hearth sdl check` and POST /v1/sdl/check. ParseSdl handles real-world files (comments, null
// values such as `nvidia:` with nothing under it, CPU as 0.5 or "500m", sizes in Ki/Mi/Gi/Ti or
// k/M/G/T, storage as a map or a list); an invalid file is a Status naming the key and its
// line. CheckSdl judges each deployed service with the same rules as the bid script and
// derives the bid-script input each placement group implies. Pure functions; never throw.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/akash.h"
#include "coordinator/akash/config.h"
#include "coordinator/akash/order.h"

namespace hearth::akash {

struct SdlService {
  std::string name;
  int64_t endpoint_quantity = 0;  // global exposes that need their own port (not HTTP on 80)
  std::vector<std::string> ip_endpoints;  // distinct `ip:` endpoint names it uses
};

struct SdlProfile {
  std::string name;
  ResourceReq resources;  // count 1; the deployment sets the count
};

struct SdlPrice {
  std::string denom, amount;
};

struct SdlPlacement {
  std::string name;
  std::map<std::string, SdlPrice> pricing;  // compute profile → price
};

struct SdlDeployment {
  std::string service, placement, profile;
  int64_t count = 1;
};

struct Sdl {
  std::string version;
  std::map<std::string, SdlService> services;
  std::map<std::string, SdlProfile> profiles;
  std::map<std::string, SdlPlacement> placements;
  std::vector<SdlDeployment> deployments;
};

// kInvalidArgument (field = the SDL key path, message with the line) for a file that is not SDL.
StatusOr<Sdl> ParseSdl(const std::string& text);

// Judges a parsed SDL against a region's policy and fleet.
api::SdlCheckReport CheckSdl(const Sdl& sdl, const RegionConfig& region,
                             const api::FleetSnapshot& fleet);

// The bid-script orders the SDL implies, one per placement group (in placement-name order).
std::vector<Order> SdlOrders(const Sdl& sdl);

}  // namespace hearth::akash
