#include "coordinator/devices/handlers.h"

#include "api/device_auth.h"
#include "api/types.h"
#include "common/encoding.h"
#include "common/keys.h"
#include "common/log.h"

namespace hearth::devices {

using http::Request;
using http::Response;

namespace {

constexpr std::string_view kCredentialPrefix = "hdc_";

Status NotYours() {
  return Status(Code::kNotFound, "no such device among yours; list them with GET /v1/devices",
                "device_not_found");
}

// The device a person may see: their own, or any for an admin.
StatusOr<store::Device> VisibleDevice(coordinator::Context& ctx, const accounts::Principal& p,
                                      const std::string& id) {
  if (!IsWellFormedId(id, kDevicePrefix)) return NotYours();
  auto d = ctx.store.GetDevice(DeviceId(id));
  if (!d.ok()) return d.status().code() == Code::kNotFound ? NotYours() : d.status();
  if (d->removed_at || (!p.admin() && d->owner_id != p.account.id)) return NotYours();
  return d;
}

bool HasDeviceCredential(const Request& req) {
  return req.Header("authorization").rfind("Bearer " + std::string(kCredentialPrefix), 0) == 0;
}

// The device whose credential is presented for device `id`.
StatusOr<store::Device> AuthenticateDevice(coordinator::Context& ctx, const Request& req,
                                           const std::string& id) {
  const std::string authz = req.Header("authorization");
  const Status bad = Status::Unauthenticated(
      "the device credential is not valid for this device; re-enroll with `hearth join`",
      "invalid_device_credential");
  if (!HasDeviceCredential(req) || !IsWellFormedId(id, kDevicePrefix)) return bad;
  auto d = ctx.store.GetDevice(DeviceId(id));
  if (!d.ok()) return d.status().code() == Code::kNotFound ? bad : d.status();
  if (!ConstantTimeEquals(Sha256Hex(authz.substr(7)), d->credential_hash)) return bad;
  if (d->removed_at) {
    return Status::Unauthenticated(
        "this device was removed by its owner at " + FormatRfc3339(*d->removed_at) +
            "; its credential is revoked. Enroll again with a new install key",
        "device_removed");
  }
  auto identity = IdentityPublicKey::Parse(d->identity_public_key, "identity_public_key");
  if (!identity.ok()) return Status::Internal("stored identity key is corrupt");
  HEARTH_RETURN_IF_ERROR(api::VerifyDeviceRequest(
      *identity, req.method, req.path, req.body, req.Header(api::kDeviceDateHeader),
      req.Header(api::kDeviceSignatureHeader), ctx.clock.Now()));
  return d;
}

}  // namespace

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("GET", "/v1/devices", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    std::optional<AccountId> owner;
    if (!p->admin() || req.query.count("mine")) owner = p->account.id;
    auto list = ctx.store.ListDevices(owner);
    if (!list.ok()) return Response::Error(list.status());
    nlohmann::json out = nlohmann::json::array();
    const Timestamp now = ctx.clock.Now();
    for (const auto& d : *list) out.push_back(api::EncodeDevice(d, now, ctx.config.liveness));
    return Response::Json(200, {{"devices", out}});
  });

  router.Add("GET", "/v1/devices/{id}", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto d = VisibleDevice(ctx, *p, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    return Response::Json(200, api::EncodeDevice(*d, ctx.clock.Now(), ctx.config.liveness));
  });

  router.Add("PATCH", "/v1/devices/{id}", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto d = VisibleDevice(ctx, *p, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    auto name = api::DecodeRename(req.body);
    if (!name.ok()) return Response::Error(name.status());
    if (Status st = ctx.store.RenameDevice(d->id, *name); !st.ok()) return Response::Error(st);
    d->name = *name;
    return Response::Json(200, api::EncodeDevice(*d, ctx.clock.Now(), ctx.config.liveness));
  });

  router.Add("DELETE", "/v1/devices/{id}", [&ctx](const Request& req) {
    StatusOr<store::Device> d = Status::Internal("unset");
    std::string by;
    if (HasDeviceCredential(req)) {
      d = AuthenticateDevice(ctx, req, req.params.at("id"));  // `hearth leave`
      by = "device";
    } else {
      auto p = ctx.auth.Authenticate(req);
      if (!p.ok()) return Response::Error(p.status());
      d = VisibleDevice(ctx, *p, req.params.at("id"));
      by = p->account.id.str();
    }
    if (!d.ok()) return Response::Error(d.status());
    if (Status st = ctx.store.RemoveDevice(d->id, ctx.clock.Now()); !st.ok()) {
      return Response::Error(st);
    }
    log::Info("device removed", {{"device_id", d->id.str()}, {"by", by}});
    return Response::NoContent();
  });

  router.Add("POST", "/v1/devices/{id}/heartbeat", [&ctx](const Request& req) {
    auto d = AuthenticateDevice(ctx, req, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    auto hb = api::DecodeHeartbeat(req.body);
    if (!hb.ok()) return Response::Error(hb.status());
    const Timestamp now = ctx.clock.Now();
    Status st = ctx.store.RecordHeartbeat(
        d->id, {now, hb->agent_version, api::EncodeHeartbeatPayload(*hb).dump(),
                ctx.config.liveness.offline_after});
    if (!st.ok()) return Response::Error(st);
    return Response::Json(
        200, {{"status", "online"},
              {"heartbeat_interval_seconds", std::chrono::duration_cast<std::chrono::seconds>(
                                                 ctx.config.liveness.heartbeat_interval)
                                                 .count()}});
  });
}

}  // namespace hearth::devices
