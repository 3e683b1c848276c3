// Store: the coordinator's durable state behind one interface.
//
// Backends: sqlite/ (embedded default, WAL) and, later, postgres/. Every backend passes the same
// conformance suite (store_conformance_test.cc). Methods are thread-safe and each is atomic: a
// call that returns an error has changed nothing. A call that returns OK is durable (the
// transaction committed with a synchronous flush) — "no acknowledged write is lost".
// Timestamps are wall-clock milliseconds supplied by the caller (time is injected, not read).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/amount.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/secret.h"
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

  // Overlay network (coordinator/network). Empty region_id: not attached yet.
  std::string region_id;
  std::string overlay_ip;                    // "100.64.0.5"
  std::string pod_cidr;                      // workers: "10.42.5.0/24"
  std::string endpoint;                      // gateways: public "host:port"
  std::optional<DeviceId> home_gateway;      // workers and control nodes
  int64_t config_version = 0;                // desired network config version
  int64_t applied_version = 0;               // the version the agent last reported running
  std::string applied_error;                 // why the agent could not apply config_version
  std::optional<Timestamp> gateway_down_at;  // gateways marked down by missed heartbeats
  int64_t homed_workers = 0;                 // gateways: live workers homed here (kept by SetHome)

  // Placement (coordinator/placement): the evidence the agent sent at enrollment (api/regions.h
  // PlacementEvidence as JSON), the last decision {"region","reason","detail","evidence"} as
  // JSON ("" before one), and the waitlist cell while waitlisted ("" otherwise).
  std::string placement_evidence_json = "{}";
  std::string placement_json;
  std::string waitlist_cell;

  // Admin decision (coordinator/devices): "active", "cordoned" (no new pods), "drained"
  // (cordoned and its pods evicted: maintenance) or "banned" (drained, Node deleted, join token
  // revoked, credential refused, not eligible for rewards); why, and since when.
  std::string admin_state = "active";
  std::string admin_reason;
  std::optional<Timestamp> admin_state_at;
  // What the region's cluster reports (coordinator/kube): "" (no cluster or no Node yet),
  // "ready", "notready", "missing"; and the kube module's node facts as a JSON object
  // ({"node", "capacity": {"cpu", "memory", "nvidia.com/gpu"}, "drain": {...}, ...}).
  std::string k8s_state;
  std::string k8s_json = "{}";
};

// The admin states of a device, in the order of their severity.
inline constexpr std::string_view kAdminStates[] = {"active", "cordoned", "drained", "banned"};

// A region: its address plan (DESIGN §5) and its catalog entry (DESIGN §4). "default" is created
// at start-up with an empty catalog (no location_region): it accepts every device until regions
// are configured.
struct Region {
  std::string id;
  std::string name;
  std::string overlay_prefix;  // device /32s come from here, e.g. "100.64.0.0/16"
  std::string pod_prefix;      // one pod CIDR per worker, e.g. "10.42.0.0/16"
  std::string service_prefix;  // Kubernetes services, e.g. "10.43.0.0/16"
  int pod_cidr_length = 24;
  Timestamp created_at;

  // Catalog (coordinator/regions); validated by the API layer.
  std::string location_region;  // Akash location-region key, e.g. "eu-west"
  double centre_lat = 0;
  double centre_lon = 0;
  std::vector<std::string> countries;     // ISO 3166-1 alpha-2, upper case, sorted
  int64_t max_workers = 0;                // 0: unlimited
  std::string hardware_policy = "mixed";  // "mixed", "gpu-only", "cpu-only"
  std::string status = "active";          // "proposed", "bootstrapping", "active", "draining"
  std::string kube_api_endpoint;          // "https://host:6443"
  std::string kube_ca_hash;               // "sha256:<hex>"
  std::vector<std::string> gateways;      // public "host:port" endpoints devices probe
  std::optional<AccountId> admin;         // the region admin, if any
  Timestamp updated_at;
};

// ---- Regions: proposals, volunteers and the admin event log (coordinator/regions) ----

// A region proposal: raised once per waitlist cell when its waitlist reaches the threshold.
struct RegionProposal {
  std::string id;                      // "rp_" + 16 hex digits of SHA-256(cell): one per cell
  std::string cell;                    // the waitlist cell, e.g. "KE/-/-" (unique)
  std::string country;                 // of the cell
  std::string status = "open";         // "open", "approved"
  int64_t devices = 0;                 // waitlisted devices in the cell when it was raised
  int64_t gpus = 0;                    // and their GPUs
  std::string region_id;               // set when approved: the bootstrapping region
  std::optional<AccountId> volunteer;  // the approved volunteer (the region's admin)
  Timestamp created_at;
  Timestamp updated_at;
};

// A waitlisted owner's offer to host a proposed region's control plane.
struct RegionVolunteer {
  std::string proposal_id;
  AccountId account_id;
  std::string details_json;  // api::HostingDetails as JSON, validated by the API layer
  Timestamp created_at;
};

// One entry of the admin event log, and its webhook delivery state (an outbox: the event and
// its pending delivery are written in the same transaction as the change they report).
struct AdminEvent {
  int64_t id = 0;  // assigned by the store, increasing
  Timestamp at;
  std::string kind;  // "region_proposed", "region_volunteered", "region_approved", ...
  std::string region_id;
  std::string proposal_id;
  std::string message;                 // one human sentence
  std::string detail_json = "{}";      // kind-specific facts (coarse cells only, no coordinates)
  std::string webhook_state = "none";  // "none" (no webhook), "pending", "delivered", "failed"
  int64_t webhook_attempts = 0;
  Timestamp webhook_next_at;  // when a pending delivery is due
};

// Network-state operations inside one transaction (Store::NetworkTransaction); valid only during
// the callback. Lists are of live (not removed) devices, ordered by id, so that callers are
// deterministic. An address pool is named "<region>/<kind>" and holds claimed indexes.
class NetworkTx {
 public:
  virtual ~NetworkTx() = default;
  virtual StatusOr<std::optional<Region>> FindRegion(const std::string& id) = 0;
  virtual StatusOr<std::vector<Region>> ListRegions() = 0;
  virtual Status InsertRegion(const Region& r) = 0;
  // Replaces every field of the region `r.id` but id and created_at; kNotFound when absent.
  virtual Status UpdateRegion(const Region& r) = 0;
  // Live devices attached to the region (any role).
  virtual StatusOr<int64_t> CountInRegion(const std::string& region) = 0;
  virtual StatusOr<Device> GetDevice(const DeviceId& id) = 0;
  virtual StatusOr<std::vector<Device>> ListByRole(const std::string& region,
                                                   const std::string& role) = 0;
  virtual StatusOr<std::vector<Device>> ListHomedOn(const DeviceId& gateway) = 0;
  // Devices of a role that have no home gateway (workers waiting for one).
  virtual StatusOr<std::vector<Device>> ListUnhomed(const std::string& region,
                                                    const std::string& role) = 0;
  // Devices enrolled but not attached to a region's network yet.
  virtual StatusOr<std::vector<Device>> ListUnattached() = 0;
  virtual StatusOr<bool> IsClaimed(const std::string& pool, int64_t index) = 0;
  virtual Status Claim(const std::string& pool, int64_t index, const DeviceId& device,
                       Timestamp now) = 0;
  virtual StatusOr<int64_t> ClaimedCount(const std::string& pool) = 0;
  virtual Status ReleaseClaims(const DeviceId& device) = 0;
  // Next-fit cursor of a pool (0 when never set).
  virtual StatusOr<int64_t> Cursor(const std::string& pool) = 0;
  virtual Status SetCursor(const std::string& pool, int64_t next) = 0;
  virtual Status SetAddressing(const DeviceId& id, const std::string& region,
                               const std::string& overlay_ip, const std::string& pod_cidr) = 0;
  // Also keeps the gateways' homed_workers counts (workers only), so loads are O(1) to read.
  virtual Status SetHome(const DeviceId& device, const std::optional<DeviceId>& gateway) = 0;
  // Records a placement decision and the waitlist cell ("" when placed).
  virtual Status SetPlacement(const DeviceId& device, const std::string& placement_json,
                              const std::string& waitlist_cell) = 0;
  virtual Status SetGatewayDown(const DeviceId& gateway, std::optional<Timestamp> since) = 0;
  virtual Status MarkRemoved(const DeviceId& id, Timestamp now) = 0;
  // config_version += 1.
  virtual Status BumpVersion(const DeviceId& id) = 0;

  // ---- Regions: proposals, volunteers, admin events ----
  // Live devices waitlisted in `cell` (not attached), ordered by id.
  virtual StatusOr<std::vector<Device>> ListWaitlisted(const std::string& cell) = 0;
  virtual StatusOr<std::optional<RegionProposal>> FindProposal(const std::string& id) = 0;
  // Oldest first.
  virtual StatusOr<std::vector<RegionProposal>> ListProposals() = 0;
  // kAlreadyExists when the id or the cell has a proposal already.
  virtual Status InsertProposal(const RegionProposal& p) = 0;
  // Replaces status, region_id, volunteer and updated_at; kNotFound when absent.
  virtual Status UpdateProposal(const RegionProposal& p) = 0;
  // Inserts, or replaces the details of the same account's earlier offer.
  virtual Status UpsertVolunteer(const RegionVolunteer& v) = 0;
  // Oldest first.
  virtual StatusOr<std::vector<RegionVolunteer>> ListVolunteers(const std::string& proposal_id) = 0;
  // Appends to the admin event log; sets e.id (increasing).
  virtual Status InsertEvent(AdminEvent& e) = 0;
};

// A hardware change seen in a heartbeat's inventory (coordinator/devices/hardware.h): a GPU
// added, removed or swapped, the CPU, memory or a disk. Kept after the device is removed.
struct HardwareChange {
  DeviceId device_id;
  int64_t seq = 0;  // assigned by the store: 1, 2, ... per device, in the order recorded
  Timestamp at;
  std::string kind;          // "upgrade", "downgrade" or "change"
  std::string changes_json;  // [{"type","direction","before"?,"after"?}, ...]
};

// A heartbeat's inventory that differs from the stored one: it replaces it, and the change it
// makes (none when only NICs, hostname, OS or drivers moved) is recorded with it.
struct InventoryUpdate {
  std::string inventory_json;            // validated by the API layer
  std::optional<HardwareChange> change;  // device_id and seq are set by the store
};

struct Heartbeat {
  Timestamp at;
  std::string agent_version;
  std::string payload_json;
  // Uptime for rewards: a heartbeat within this gap of the device's latest uptime interval
  // extends it to `at`; otherwise it starts a new interval at `at` (the offline threshold).
  Duration uptime_gap = std::chrono::minutes(5);
  std::optional<InventoryUpdate> inventory = std::nullopt;
};

// ---- Rewards ledger (coordinator/rewards) ----

// Orders typed ids by their text (for maps keyed by an id).
struct IdTextLess {
  template <typename Tag>
  bool operator()(const Id<Tag>& a, const Id<Tag>& b) const {
    return a.str() < b.str();
  }
};

// A span during which a device heartbeated without a gap longer than the offline threshold.
struct UptimeInterval {
  DeviceId device_id;
  Timestamp start;
  Timestamp end;
};

// Revenue of one epoch: entered by an admin or derived from lease records, with per-device
// attributed revenue (pod attribution, or admin-entered) and the evidence as JSON for audit.
struct EpochRevenue {
  Timestamp epoch_start;
  Amount amount;
  std::string source;       // "admin" | "leases"
  std::string detail_json;  // the leases and their per-lease amounts, or {}
  std::map<DeviceId, Amount, IdTextLess> attributed;
  Timestamp entered_at;
};

// One settled epoch: the split's input and output as booked, and the policy that produced them.
struct EpochRecord {
  Timestamp start;
  Timestamp end;
  std::string policy_version;
  std::string input_json;
  std::string result_json;
  Timestamp settled_at;
};

// One leg of a double-entry transaction. Amounts are signed micro-units; the legs of one `txn`
// sum to zero. Accounts: "provider_revenue", "operator", "owner:<account id>",
// "in_flight:<account id>", "paid".
struct LedgerEntry {
  int64_t id = 0;  // assigned by the store
  std::string txn;
  std::string account;
  std::string kind;  // revenue|operator|usage|participation|withdrawal|payout|refund
  Amount amount;
  std::optional<DeviceId> device_id;
  std::optional<Timestamp> epoch_start;
  Timestamp created_at;
};

struct EntryFilter {
  std::optional<std::string> account;   // exact account
  std::optional<Timestamp> epoch_from;  // epoch_start >= (inclusive)
  std::optional<Timestamp> epoch_to;    // epoch_start < (exclusive)
  std::optional<std::string> txn;
};

// ---- Rewards carry (coordinator/rewards, migration 8) ----

// The sub-unit share a device has accrued but not been paid (split.h, carry epochs), in
// 1/10^12 micro-units, and the settled epoch whose result set it (for audit).
struct RewardCarry {
  DeviceId device_id;
  int64_t carry = 0;
  Timestamp epoch_start;
};

// Every device's carry, read together with the number of settled epochs (the generation that
// a settlement must still see to book new carries: two settlements never build on one read).
struct CarryState {
  int64_t generation = 0;
  std::vector<RewardCarry> carries;  // ordered by device id
};

// New carries booked with an epoch: `carries` are upserted when no other epoch was settled
// since the CarryState with `expected_generation` was read.
struct CarryUpdate {
  int64_t expected_generation = 0;
  std::vector<RewardCarry> carries;
};

enum class WithdrawalState { kRequested, kBatched, kPaid, kFailed };
std::string_view WithdrawalStateName(WithdrawalState s);

struct Withdrawal {
  std::string id;  // "wd_..."
  AccountId owner_id;
  Amount amount;
  std::string address;  // akash1..., checked by the caller
  WithdrawalState state = WithdrawalState::kRequested;
  std::string batch_id;  // empty until batched
  Timestamp created_at;
  Timestamp updated_at;
};

enum class BatchState { kExported, kPaid, kFailed };
std::string_view BatchStateName(BatchState s);

struct PayoutBatch {
  std::string id;  // "pb_..."
  BatchState state = BatchState::kExported;
  std::string tx_json;  // the unsigned transaction as exported
  std::string tx_hash;  // set when paid
  Amount total;
  std::vector<Withdrawal> withdrawals;
  Timestamp created_at;
  Timestamp updated_at;
};

// ---- Kubernetes (coordinator/kube) ----

// A worker's node identity in its region's cluster and the bootstrap token it joins with. A
// retired identity (node deleted, token revoked: ban or removal) is never reused; re-joining
// takes the next generation, hence a fresh node name.
struct KubeNode {
  DeviceId device_id;
  std::string region_id;
  int64_t generation = 1;
  std::string node_name;  // "hearth-<device id suffix>-<generation>"
  std::string token_id;   // bootstrap token id (Secret bootstrap-token-<id>)
  Secret<std::string> token_secret;
  Timestamp token_expires_at;
  Timestamp created_at;
  std::optional<Timestamp> retired_at;
};

// One device's node state as the kube module saw it (Store::SetKubeStates).
struct KubeStateUpdate {
  DeviceId device_id;
  std::string k8s_state;
  std::string k8s_json;
};

// A pod of an Akash lease that ran on an edge node: when it started and stopped running there
// and what it requested (pod attribution).
struct PodRun {
  std::string uid;  // the pod's metadata.uid
  std::string region_id;
  std::string ns, name;
  std::string node_name;
  DeviceId device_id;
  std::string lease_id;  // "owner/dseq/gseq/oseq/provider"
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;
  int64_t gpus = 0;
  Timestamp started_at;
  std::optional<Timestamp> stopped_at;  // nullopt while running
};

struct PodRunStop {
  std::string uid;
  Timestamp stopped_at;
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
  // "install_key_expired"; kPermissionDenied reason "role_needs_admin_key" when a device of a role
  // other than worker uses a key not created by an admin — or, for a gateway, by the admin of a
  // region whose gateways list the device's endpoint. Returns the stored device.
  virtual StatusOr<Device> EnrollDevice(const std::string& key_hash, Timestamp now,
                                        Device device) = 0;

  // Devices. GetDevice returns removed devices too (callers check removed_at).
  virtual StatusOr<Device> GetDevice(const DeviceId& id) = 0;
  // Devices that are not removed; of one owner, or all when `owner` is empty.
  virtual StatusOr<std::vector<Device>> ListDevices(const std::optional<AccountId>& owner) = 0;
  // Records a heartbeat; with hb.inventory, also replaces the device's inventory and records
  // its hardware change, in the same transaction.
  virtual Status RecordHeartbeat(const DeviceId& id, const Heartbeat& hb) = 0;
  // The device's hardware changes, newest first, at most `limit` (removed devices too).
  virtual StatusOr<std::vector<HardwareChange>> ListHardwareChanges(const DeviceId& id,
                                                                    int64_t limit) = 0;
  virtual Status RenameDevice(const DeviceId& id, const std::string& name) = 0;
  virtual Status RemoveDevice(const DeviceId& id, Timestamp now) = 0;
  // Records an admin decision on a live device (state is one of kAdminStates; the caller
  // validates). kNotFound for an unknown or removed device.
  virtual Status SetAdminState(const DeviceId& id, const std::string& state,
                               const std::string& reason, Timestamp now) = 0;
  // Records what the device's cluster reports about its Node (coordinator/kube); removed devices
  // too, so a drain report survives removal.
  virtual Status SetKubeState(const DeviceId& id, const std::string& state,
                              const std::string& json) = 0;
  // Devices removed at or after `since` (for churn statistics), oldest removal first.
  virtual StatusOr<std::vector<Device>> ListDevicesRemovedSince(Timestamp since) = 0;

  // Network state: runs `fn` in one write transaction; commits when it returns OK, otherwise
  // nothing it did is kept.
  virtual Status NetworkTransaction(const std::function<Status(NetworkTx&)>& fn) = 0;
  // The agent's report of the config version it runs (and why it could not apply a newer one).
  virtual Status RecordApplied(const DeviceId& id, int64_t version, const std::string& error) = 0;
  // The desired config version alone (cheap; long-polls re-check it).
  virtual StatusOr<int64_t> ConfigVersion(const DeviceId& id) = 0;
  // ---- Rewards ledger ----
  // Uptime intervals of any device overlapping [from, to).
  virtual StatusOr<std::vector<UptimeInterval>> ListUptime(Timestamp from, Timestamp to) = 0;
  // Devices including removed ones (for settling epochs in which they were still online).
  virtual StatusOr<std::vector<Device>> ListAllDevices() = 0;

  // Replaces the revenue of an unsettled epoch; kFailedPrecondition "epoch_settled" otherwise.
  virtual Status SetEpochRevenue(const EpochRevenue& revenue) = 0;
  virtual StatusOr<std::optional<EpochRevenue>> GetEpochRevenue(Timestamp epoch_start) = 0;

  // Books an epoch in one transaction: the record, its entries (which must sum to zero, else
  // kInternal and nothing written) and, when `carry` is set, the devices' new carries. Returns
  // false, writing nothing, when the epoch is already settled — settling twice changes nothing.
  // kUnavailable reason "carry_changed" (nothing written) when another epoch was settled since
  // carry->expected_generation: read the carries again and recompute.
  virtual StatusOr<bool> SettleEpoch(const EpochRecord& epoch,
                                     const std::vector<LedgerEntry>& entries,
                                     const CarryUpdate* carry) = 0;
  virtual StatusOr<std::optional<EpochRecord>> GetEpoch(Timestamp start) = 0;
  // Settled epochs with start in [from, to), oldest first.
  virtual StatusOr<std::vector<EpochRecord>> ListEpochs(Timestamp from, Timestamp to) = 0;
  virtual StatusOr<std::vector<LedgerEntry>> ListEntries(const EntryFilter& filter) = 0;
  // Sum of every entry per account.
  virtual StatusOr<std::map<std::string, Amount>> Balances() = 0;
  // ---- Rewards carry ----
  virtual StatusOr<CarryState> ListCarries() = 0;
  virtual StatusOr<Amount> Balance(const std::string& account) = 0;

  // Payouts. The address is validated by the caller (bech32 akash1...).
  virtual Status SetPayoutAddress(const AccountId& owner, const std::string& address,
                                  Timestamp now) = 0;
  virtual StatusOr<std::optional<std::string>> GetPayoutAddress(const AccountId& owner) = 0;
  // Atomically checks the owner's balance covers w.amount (else kFailedPrecondition
  // "insufficient_balance", field "amount") and moves it to in flight.
  virtual Status RequestWithdrawal(const Withdrawal& w) = 0;
  virtual StatusOr<std::vector<Withdrawal>> ListWithdrawals(
      const std::optional<AccountId>& owner) = 0;
  // Claims every requested withdrawal into a new batch; `make_tx` builds the transaction JSON
  // from them. kFailedPrecondition "nothing_to_pay" when there are none.
  virtual StatusOr<PayoutBatch> CreatePayoutBatch(
      const std::string& id, Timestamp now,
      const std::function<StatusOr<std::string>(const std::vector<Withdrawal>&)>& make_tx) = 0;
  virtual StatusOr<PayoutBatch> GetPayoutBatch(const std::string& id) = 0;
  virtual StatusOr<std::vector<PayoutBatch>> ListPayoutBatches() = 0;
  // exported → paid (in flight → paid) or failed (in flight → owner balance), once. Repeating
  // the same outcome (same hash) returns the batch unchanged; any other change of a finished
  // batch is kFailedPrecondition "batch_finished".
  virtual StatusOr<PayoutBatch> FinishPayoutBatch(const std::string& id, bool paid,
                                                  const std::string& tx_hash, Timestamp now) = 0;

  // ---- Regions: admin event log and webhook outbox ----
  // Events with id > after_id, oldest first, at most `limit`.
  virtual StatusOr<std::vector<AdminEvent>> ListEvents(int64_t after_id, int64_t limit) = 0;
  // Pending webhook deliveries due at `now`, oldest first.
  virtual StatusOr<std::vector<AdminEvent>> DueWebhookEvents(Timestamp now, int64_t limit) = 0;
  virtual Status SetWebhookState(int64_t id, const std::string& state, int64_t attempts,
                                 Timestamp next_at) = 0;
  // ---- Portal (web/): per-device summaries for the devices pages ----
  // Uptime intervals of one device overlapping [from, to), oldest first.
  virtual StatusOr<std::vector<UptimeInterval>> ListDeviceUptime(const DeviceId& device,
                                                                 Timestamp from, Timestamp to) = 0;
  // Per device: the sum of the usage and participation entries booked to `account` (an owner's
  // "owner:<id>") for epochs starting at or after `since`. Devices without entries are absent.
  virtual StatusOr<std::map<DeviceId, Amount, IdTextLess>> DeviceEarnings(
      const std::string& account, Timestamp since) = 0;
  // ---- Kubernetes (coordinator/kube) ----
  virtual StatusOr<std::optional<KubeNode>> GetKubeNode(const DeviceId& device) = 0;
  // The region's node identities, retired ones included, ordered by device id.
  virtual StatusOr<std::vector<KubeNode>> ListKubeNodes(const std::string& region) = 0;
  // Inserts or replaces the device's node identity and bumps the device's config version in the
  // same transaction (the join is part of the device's config). kAlreadyExists (field
  // "node_name") when another device holds the node name; kNotFound for an unknown device.
  virtual Status PutKubeNode(const KubeNode& node) = 0;
  // SetKubeState for many devices in one transaction (unknown devices are skipped).
  virtual Status SetKubeStates(const std::vector<KubeStateUpdate>& updates) = 0;
  // In one transaction: records runs that started (a uid already recorded is left as it is) and
  // stops open runs (a stop for an unknown or stopped run changes nothing).
  virtual Status RecordPodRuns(const std::vector<PodRun>& started,
                               const std::vector<PodRunStop>& stopped) = 0;
  // Runs overlapping [from, to) (started before `to`, not stopped by `from`), by start then uid.
  virtual StatusOr<std::vector<PodRun>> ListPodRuns(Timestamp from, Timestamp to) = 0;
  // The region's runs that have not stopped, by uid.
  virtual StatusOr<std::vector<PodRun>> ListOpenPodRuns(const std::string& region) = 0;

  // Schema version after migrations (for /healthz and tests).
  virtual StatusOr<int> SchemaVersion() = 0;
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace hearth::store
