// Wire types of the Hearth HTTP API (/v1), in one place, each with its endpoint and codec.
//
// Requests are decoded with validation (errors name the field and the fix); responses are
// encoded to JSON. api/openapi.yaml documents the same shapes, and openapi_test.cc checks that
// every route the coordinator serves is in it. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/network.h"
#include "api/regions.h"
#include "common/clock.h"
#include "common/secret.h"
#include "common/status.h"
#include "store/store.h"

namespace hearth::api {

// Capability version of this API; bumped when an agent-visible shape changes.
inline constexpr int kApiVersion = 1;

// POST /v1/accounts and POST /v1/sessions: {"email","password"}.
struct Credentials {
  std::string email;  // trimmed, lowercased
  Secret<std::string> password;
};
// `for_signup` also enforces the password policy (length 10..256).
StatusOr<Credentials> DecodeCredentials(const std::string& body, bool for_signup);

// Response of POST /v1/accounts (201) and GET /v1/me.
nlohmann::json EncodeAccount(const store::Account& a);

// POST /v1/install-keys: {"ttl_seconds"?}. Default 24 h, allowed 1 s .. 30 days.
struct CreateInstallKeyRequest {
  int64_t ttl_seconds = int64_t{24} * 3600;
};
StatusOr<CreateInstallKeyRequest> DecodeCreateInstallKey(const std::string& body);
// Element of GET /v1/install-keys: status is active|used|expired|revoked at `now`.
nlohmann::json EncodeInstallKey(const store::InstallKeyRecord& k, Timestamp now);

// POST /v1/enroll (authenticated by the install key in the body).
struct EnrollRequest {
  Secret<std::string> install_key;  // as typed; normalized by the enroll module
  std::string name;                 // optional; defaults to hostname
  std::string hostname;
  std::string agent_version;
  std::string wg_public_key;
  std::string identity_public_key;
  nlohmann::json inventory;  // validated by agent::InventoryFromJson
  nlohmann::json preflight;  // array of checks, stored for support; may be null
  // "worker", "gateway" or "control" (a control-plane node); the latter two need an admin's key.
  std::string role = "worker";
  std::string endpoint;         // gateways: public "host:port" workers reach them at
  PlacementEvidence placement;  // optional: check-in RTTs and declared country (api/regions.h)
};
StatusOr<EnrollRequest> DecodeEnroll(const std::string& body);
// 201 response: {"device_id","name","credential","heartbeat_interval_seconds","api_version"}.

// POST /v1/devices/{id}/heartbeat (device credential):
// {"agent_version","uptime_seconds","load1","load5","load15","mem_available_bytes"?,"network"?,
// "inventory"?}.
struct HeartbeatRequest {
  std::string agent_version;
  int64_t uptime_seconds = 0;
  double load1 = 0, load5 = 0, load15 = 0;
  std::optional<int64_t> mem_available_bytes;
  std::optional<NetworkStatus> network;  // agents that manage the overlay interface
  // The hardware as the agent reads it now (first heartbeat, then when it changed); validated
  // by agent::InventoryFromJson in the devices module. Not part of the stored payload.
  std::optional<nlohmann::json> inventory;
};
StatusOr<HeartbeatRequest> DecodeHeartbeat(const std::string& body);
nlohmann::json EncodeHeartbeatPayload(const HeartbeatRequest& hb);

// PATCH /v1/devices/{id}: {"name"}.
StatusOr<std::string> DecodeRename(const std::string& body);
// Device names: 1..64 printable characters, trimmed.
StatusOr<std::string> ValidateDeviceName(std::string name, const std::string& field);

// POST /v1/admin/devices/{id}/actions: {"action":"cordon|uncordon|drain|ban|unban",
// "reason"?: up to 500 characters, shown to the owner}.
struct DeviceAction {
  std::string action;
  std::string reason;
};
StatusOr<DeviceAction> DecodeDeviceAction(const std::string& body);

// Device status derived from last_seen: online → stale → offline.
enum class DeviceStatus { kOnline, kStale, kOffline };
std::string_view DeviceStatusName(DeviceStatus s);
struct LivenessPolicy {
  Duration heartbeat_interval = std::chrono::seconds(30);
  Duration stale_after = std::chrono::seconds(90);  // no heartbeat for this long → stale
  Duration offline_after = std::chrono::minutes(5);
};
DeviceStatus StatusOf(const store::Device& d, Timestamp now, const LivenessPolicy& p);

// How long a worker may take to register its node after its join token is issued before its
// absence counts as a mismatch.
inline constexpr Duration kKubeJoinGrace = std::chrono::minutes(5);
// Adds to a device's "k8s" object what depends on the time of reading: "lease_age_seconds" and
// "mismatch" (device online but node NotReady or never registered; node Ready but device offline).
void AddKubeLiveness(nlohmann::json& k8s, DeviceStatus status, Timestamp now);

// Element of GET /v1/devices and body of GET /v1/devices/{id}.
nlohmann::json EncodeDevice(const store::Device& d, Timestamp now, const LivenessPolicy& p);

}  // namespace hearth::api
