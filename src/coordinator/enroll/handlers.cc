#include "coordinator/enroll/handlers.h"

#include <tuple>

#include "agent/inventory/inventory.h"
#include "api/types.h"
#include "common/encoding.h"
#include "common/keys.h"
#include "common/log.h"
#include "coordinator/enroll/install_key.h"
#include "coordinator/geoip/geoip.h"

namespace hearth::enroll {

using http::Request;
using http::Response;

namespace {
constexpr std::string_view kCredentialPrefix = "hdc_";
}  // namespace

StatusOr<IssuedKey> IssueInstallKey(coordinator::Context& ctx, const AccountId& owner,
                                    Duration ttl) {
  Secret<std::string> key = GenerateInstallKey(ctx.random);
  const Timestamp now = ctx.clock.Now();
  store::InstallKeyRecord rec;
  rec.id = InstallKeyId(NewRandomId(kInstallKeyPrefix, ctx.random));
  rec.owner_id = owner;
  rec.key_hash = HashInstallKey(key.Reveal());
  rec.hint = InstallKeyHint(key.Reveal());
  rec.created_at = now;
  rec.expires_at = now + ttl;
  HEARTH_RETURN_IF_ERROR(ctx.store.CreateInstallKey(rec));
  return IssuedKey{std::move(rec), std::move(key)};
}

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("POST", "/v1/install-keys", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto body = api::DecodeCreateInstallKey(req.body);
    if (!body.ok()) return Response::Error(body.status());
    auto issued = IssueInstallKey(ctx, p->account.id, std::chrono::seconds(body->ttl_seconds));
    if (!issued.ok()) return Response::Error(issued.status());
    nlohmann::json j = api::EncodeInstallKey(issued->record, ctx.clock.Now());
    j["key"] = issued->key.Reveal();
    j["command"] = "hearth join --coordinator <this coordinator's URL> " + issued->key.Reveal();
    Response r = Response::Json(201, j);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router.Add("GET", "/v1/install-keys", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto keys = ctx.store.ListInstallKeys(p->account.id);
    if (!keys.ok()) return Response::Error(keys.status());
    nlohmann::json list = nlohmann::json::array();
    const Timestamp now = ctx.clock.Now();
    for (const auto& k : *keys) list.push_back(api::EncodeInstallKey(k, now));
    return Response::Json(200, {{"install_keys", list}});
  });

  router.Add("DELETE", "/v1/install-keys/{id}", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    Status st = ctx.store.RevokeInstallKey(p->account.id, InstallKeyId(req.params.at("id")),
                                           ctx.clock.Now());
    if (!st.ok()) return Response::Error(st);
    return Response::NoContent();
  });

  router.Add("POST", "/v1/enroll", [&ctx](const Request& req) {
    if (auto limited = coordinator::RateLimited(ctx, req)) return *limited;
    auto er = api::DecodeEnroll(req.body);
    if (!er.ok()) return Response::Error(er.status());
    auto canonical = NormalizeInstallKey(er->install_key.Reveal());
    if (!canonical.ok()) return Response::Error(canonical.status());
    auto wg = WgPublicKey::Parse(er->wg_public_key, "wg_public_key");
    if (!wg.ok()) return Response::Error(wg.status());
    auto identity = IdentityPublicKey::Parse(er->identity_public_key, "identity_public_key");
    if (!identity.ok()) return Response::Error(identity.status());
    auto inventory = agent::InventoryFromJson(er->inventory);
    if (!inventory.ok()) return Response::Error(inventory.status());

    const Timestamp now = ctx.clock.Now();
    const std::string credential =
        std::string(kCredentialPrefix) + Base64UrlEncode(ctx.random.Bytes(32));
    store::Device d;
    d.id = DeviceId(NewRandomId(kDevicePrefix, ctx.random));
    d.name = er->name;
    d.credential_hash = Sha256Hex(credential);
    d.wg_public_key = wg->ToString();
    d.identity_public_key = identity->ToString();
    d.agent_version = er->agent_version;
    d.inventory_json = agent::InventoryToJson(*inventory).dump();
    d.enrolled_at = now;
    d.last_seen = now;
    d.role = er->role;
    d.endpoint = er->endpoint;
    // GeoIP of the client address (behind trusted proxies, the forwarded one) is the
    // coordinator's own evidence; whatever the device sent under that name was not decoded.
    if (ctx.config.geoip) {
      if (std::optional<geoip::Location> loc = ctx.config.geoip->Lookup(req.remote_address)) {
        er->placement.geoip = api::GeoIpEvidence{loc->country, loc->city, loc->lat, loc->lon};
      }
    }
    d.placement_evidence_json = api::EncodePlacementEvidence(er->placement).dump();
    auto stored = ctx.store.EnrollDevice(HashInstallKey(*canonical), now, std::move(d));
    if (!stored.ok()) {
      log::Info("enrollment refused",
                {{"reason", stored.status().reason()}, {"remote", req.remote_address}});
      return Response::Error(stored.status());
    }
    // Addresses and a home gateway. A failure here (e.g. the region's addresses are exhausted)
    // does not undo the enrollment: the device waits and the liveness loop retries.
    if (auto cs = ctx.network.Attach(stored->id); !cs.ok()) {
      log::Warn("device enrolled but not attached to the overlay yet",
                {{"device_id", stored->id.str()}, {"error", cs.status().ToString()}});
    }
    log::Info("device enrolled", {{"device_id", stored->id.str()},
                                  {"role", stored->role},
                                  {"owner_id", stored->owner_id.str()},
                                  {"name", stored->name}});
    nlohmann::json body = {
        {"device_id", stored->id.str()},
        {"name", stored->name},
        {"credential", credential},
        {"heartbeat_interval_seconds",
         std::chrono::duration_cast<std::chrono::seconds>(ctx.config.liveness.heartbeat_interval)
             .count()},
        {"api_version", api::kApiVersion}};
    // Where the device was placed, or that it waits (and in which coarse cell).
    if (auto placed = ctx.store.GetDevice(stored->id); placed.ok()) {
      body["placement"] = api::EncodeDevice(*placed, now, ctx.config.liveness)["placement"];
      if (!placed->waitlist_cell.empty()) {
        // Position in the cell's queue: devices waiting there that enrolled no later.
        auto all = ctx.store.ListDevices(std::nullopt);
        int64_t position = 0;
        if (all.ok()) {
          for (const auto& o : *all) {
            if (o.waitlist_cell == placed->waitlist_cell && o.region_id.empty() &&
                std::tie(o.enrolled_at, o.id) <= std::tie(placed->enrolled_at, placed->id)) {
              ++position;
            }
          }
        }
        body["placement"]["waitlist_position"] = position;
      }
    }
    Response r = Response::Json(201, body);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
}

}  // namespace hearth::enroll
