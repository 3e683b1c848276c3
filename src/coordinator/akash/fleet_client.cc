#include "coordinator/akash/fleet_client.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/duration.h"
#include "http/client.h"

namespace hearth::akash {
namespace {

StatusOr<api::FleetSnapshot> FetchLive(const AkashConfig& config, const std::string& region) {
  if (config.coordinator_url.empty()) {
    return Status::Unavailable("no coordinator.url in the Akash config");
  }
  HEARTH_ASSIGN_OR_RETURN(auto client,
                          http::Client::Create(config.coordinator_url, config.timeout));
  if (!config.token.empty()) client->SetBearer(config.token.Reveal());
  HEARTH_ASSIGN_OR_RETURN(http::ClientResponse resp,
                          client->Get("/v1/akash/regions/" + region + "/fleet"));
  HEARTH_RETURN_IF_ERROR(resp.ToStatus());
  auto fleet = api::DecodeFleet(resp.Json());
  if (!fleet.ok()) return fleet.status().WithContext("coordinator sent a bad fleet snapshot");
  return fleet;
}

}  // namespace

StatusOr<api::FleetSnapshot> ReadFleetFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("no fleet snapshot at '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument(path, "is not JSON");
  auto f = api::DecodeFleet(j);
  if (!f.ok()) return f.status().WithContext(path);
  return f;
}

Status WriteFleetFile(const std::string& path, const api::FleetSnapshot& fleet) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << api::EncodeFleet(fleet).dump() << "\n";
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Status::Internal("cannot write the fleet cache '" + tmp + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::Internal("cannot rename the fleet cache into '" + path + "'");
  }
  return Status::Ok();
}

StatusOr<FleetFetch> FetchFleet(const AkashConfig& config, const std::string& region,
                                const Clock& clock) {
  auto live = FetchLive(config, region);
  if (live.ok()) {
    if (!config.cache_path.empty()) (void)WriteFleetFile(config.cache_path, *live);
    return FleetFetch{*live, false, ""};
  }
  // Auth and unknown-region errors are answers, not outages: do not paper over them.
  if (live.status().code() != Code::kUnavailable &&
      live.status().code() != Code::kDeadlineExceeded && live.status().code() != Code::kInternal) {
    return live.status().WithContext("coordinator refused the fleet request");
  }
  const std::string why = "coordinator unreachable (" + live.status().message() + ")";
  if (config.cache_path.empty()) {
    return Status::Unavailable(why + " and no cache.path is configured");
  }
  auto cached = ReadFleetFile(config.cache_path);
  if (!cached.ok()) return Status::Unavailable(why + "; " + cached.status().message());
  if (cached->region != region) {
    return Status::Unavailable(why + "; the cache holds region '" + cached->region + "'");
  }
  const Duration age = clock.Now() - cached->generated_at;
  if (age > config.cache_max_age) {
    return Status::Unavailable(why + "; the cached snapshot is " + FormatDuration(age) +
                               " old (cache.max_age " + FormatDuration(config.cache_max_age) + ")");
  }
  return FleetFetch{
      *cached, true,
      why + "; using the cached fleet snapshot from " + FormatRfc3339(cached->generated_at)};
}

}  // namespace hearth::akash
