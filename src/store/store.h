// Store: the coordinator's durable state behind one interface.
//
// Backends: sqlite/ (embedded default, WAL) and, later, postgres/. Every backend passes the same
// conformance suite (store_conformance_test.cc). Methods are thread-safe and each is atomic: a
// call that returns an error has changed nothing. A call that returns OK is durable (the
// transaction committed with a synchronous flush) — "no acknowledged write is lost".
// Timestamps are wall-clock milliseconds supplied by the caller (time is injected, not read).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"

namespace hearth::store {

enum class Role { kOwner, kAdmin };
std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);

struct Account {
  AccountId id;
  std::string email;          // normalized to lowercase
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id) string
  Role role = Role::kOwner;
  Timestamp created_at;
};

struct Session {
  std::string token_hash;  // hex SHA-256 of the bearer token; the token itself is never stored
  AccountId account_id;
  Timestamp created_at;
  Timestamp expires_at;
};

struct InstallKeyRecord {
  InstallKeyId id;
  AccountId owner_id;
  std::string key_hash;  // hex SHA-256 of the canonical key
  std::string hint;      // first word, so owners can tell keys apart
  Timestamp created_at;
  Timestamp expires_at;
  std::optional<Timestamp> used_at;
  std::optional<DeviceId> used_by;
  std::optional<Timestamp> revoked_at;
};

struct Device {
  DeviceId id;
  AccountId owner_id;
  std::string name;
  std::string role = "worker";
  std::string credential_hash;  // hex SHA-256 of the device credential
  std::string wg_public_key;
  std::string identity_public_key;
  std::string agent_version;
  std::string inventory_json;  // as reported at enrollment, validated by the API layer
  Timestamp enrolled_at;
  Timestamp last_seen;
  // Latest heartbeat payload (uptime, load, ...) as JSON; "{}" before the first.
  std::string last_heartbeat_json = "{}";
  std::optional<Timestamp> removed_at;
};

struct Heartbeat {
  Timestamp at;
  std::string agent_version;
  std::string payload_json;
};

class Store {
 public:
  virtual ~Store() = default;

  // Accounts. CreateAccount fails with kAlreadyExists (field "email") on a duplicate email.
  virtual Status CreateAccount(const Account& account) = 0;
  virtual StatusOr<Account> GetAccount(const AccountId& id) = 0;
  virtual StatusOr<Account> FindAccountByEmail(const std::string& email) = 0;
  virtual StatusOr<int64_t> CountAccounts() = 0;

  // Sessions.
  virtual Status CreateSession(const Session& session) = 0;
  virtual StatusOr<Session> FindSession(const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  virtual Status DeleteExpiredSessions(Timestamp now) = 0;

  // Install keys.
  virtual Status CreateInstallKey(const InstallKeyRecord& key) = 0;
  virtual StatusOr<std::vector<InstallKeyRecord>> ListInstallKeys(const AccountId& owner) = 0;
  // Revokes an unused key of `owner`; kNotFound when it is not theirs, kFailedPrecondition
  // (reason "install_key_used") when already used.
  virtual Status RevokeInstallKey(const AccountId& owner, const InstallKeyId& id,
                                  Timestamp now) = 0;

  // Enrollment, atomically: the key with `key_hash` must exist, be unused, unrevoked and
  // unexpired at `now`; it is marked used by `device.id` and the device is inserted with the
  // key's owner. Errors (nothing written): kUnauthenticated reason "install_key_unknown";
  // kFailedPrecondition reasons "install_key_used", "install_key_revoked",
  // "install_key_expired". Returns the stored device (owner filled in).
  virtual StatusOr<Device> EnrollDevice(const std::string& key_hash, Timestamp now,
                                        Device device) = 0;

  // Devices. GetDevice returns removed devices too (callers check removed_at).
  virtual StatusOr<Device> GetDevice(const DeviceId& id) = 0;
  // Devices that are not removed; of one owner, or all when `owner` is empty.
  virtual StatusOr<std::vector<Device>> ListDevices(const std::optional<AccountId>& owner) = 0;
  virtual Status RecordHeartbeat(const DeviceId& id, const Heartbeat& hb) = 0;
  virtual Status RenameDevice(const DeviceId& id, const std::string& name) = 0;
  virtual Status RemoveDevice(const DeviceId& id, Timestamp now) = 0;
  // Devices removed at or after `since` (for churn statistics), oldest removal first.
  virtual StatusOr<std::vector<Device>> ListDevicesRemovedSince(Timestamp since) = 0;

  // Schema version after migrations (for /healthz and tests).
  virtual StatusOr<int> SchemaVersion() = 0;
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace hearth::store
