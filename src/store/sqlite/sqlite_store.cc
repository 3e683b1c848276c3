#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "common/log.h"
#include "store/migrations.h"

namespace hearth::store {
namespace {

// A prepared statement with positional binding; finalized on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(const std::string& v) {
    sqlite3_bind_text(stmt_, ++idx_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int64_t v) {
    sqlite3_bind_int64(stmt_, ++idx_, v);
    return *this;
  }
  Stmt& Bind(Timestamp t) { return Bind(ToUnixMillis(t)); }
  Stmt& Bind(double v) {
    sqlite3_bind_double(stmt_, ++idx_, v);
    return *this;
  }
  template <typename T>
  Stmt& Bind(const std::optional<T>& v) {
    if (v) return Bind(*v);
    sqlite3_bind_null(stmt_, ++idx_);
    return *this;
  }
  template <typename Tag>
  Stmt& Bind(const Id<Tag>& id) {
    return Bind(id.str());
  }

  // Returns true when a row is available, false when done; errors go to status().
  bool Step() {
    if (rc_ != SQLITE_OK && rc_ != SQLITE_ROW && rc_ != SQLITE_DONE) return false;
    rc_ = sqlite3_step(stmt_);
    return rc_ == SQLITE_ROW;
  }
  Status status(std::string_view what) const {
    if (rc_ == SQLITE_OK || rc_ == SQLITE_ROW || rc_ == SQLITE_DONE) return Status::Ok();
    if ((rc_ & 0xff) == SQLITE_CONSTRAINT) {
      return Status(Code::kAlreadyExists, std::string(what) + ": " + sqlite3_errmsg(db_),
                    "already_exists");
    }
    if ((rc_ & 0xff) == SQLITE_BUSY) {
      return Status::Unavailable(std::string(what) + ": database is busy; retry");
    }
    return Status::Internal(std::string(what) + ": sqlite: " + sqlite3_errmsg(db_));
  }
  Status Exec(std::string_view what) {
    Step();
    return status(what);
  }
  // For re-executing a prepared statement with new values (after sqlite3_reset).
  sqlite3_stmt* raw() { return stmt_; }
  void Rebind() {
    sqlite3_clear_bindings(stmt_);
    idx_ = 0;
    rc_ = SQLITE_OK;
  }

  std::string Text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  Timestamp Time(int col) const { return FromUnixMillis(Int(col)); }
  std::optional<Timestamp> OptTime(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Time(col);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  int idx_ = 0;
};

// Columns written at enrollment; the network columns after them are set by NetworkTx.
constexpr std::string_view kDeviceInsertColumns =
    "id, owner_id, name, role, credential_hash, wg_public_key, identity_public_key, "
    "agent_version, inventory_json, enrolled_at, last_seen, last_heartbeat_json, removed_at, "
    "endpoint, placement_evidence_json";
constexpr std::string_view kDeviceColumns =
    "id, owner_id, name, role, credential_hash, wg_public_key, identity_public_key, "
    "agent_version, inventory_json, enrolled_at, last_seen, last_heartbeat_json, removed_at, "
    "endpoint, region_id, overlay_ip, pod_cidr, home_gateway_id, config_version, "
    "applied_version, applied_error, gateway_down_at, homed_workers, placement_evidence_json, "
    "placement_json, waitlist_cell, admin_state, admin_reason, admin_state_at, k8s_state, "
    "k8s_json";

Device ReadDevice(const Stmt& s) {
  Device d;
  d.id = DeviceId(s.Text(0));
  d.owner_id = AccountId(s.Text(1));
  d.name = s.Text(2);
  d.role = s.Text(3);
  d.credential_hash = s.Text(4);
  d.wg_public_key = s.Text(5);
  d.identity_public_key = s.Text(6);
  d.agent_version = s.Text(7);
  d.inventory_json = s.Text(8);
  d.enrolled_at = s.Time(9);
  d.last_seen = s.Time(10);
  d.last_heartbeat_json = s.Text(11);
  d.removed_at = s.OptTime(12);
  d.endpoint = s.Text(13);
  d.region_id = s.Text(14);
  d.overlay_ip = s.Text(15);
  d.pod_cidr = s.Text(16);
  if (!s.IsNull(17)) d.home_gateway = DeviceId(s.Text(17));
  d.config_version = s.Int(18);
  d.applied_version = s.Int(19);
  d.applied_error = s.Text(20);
  d.gateway_down_at = s.OptTime(21);
  d.homed_workers = s.Int(22);
  d.placement_evidence_json = s.Text(23);
  d.placement_json = s.Text(24);
  d.waitlist_cell = s.Text(25);
  d.admin_state = s.Text(26);
  d.admin_reason = s.Text(27);
  d.admin_state_at = s.OptTime(28);
  d.k8s_state = s.Text(29);
  d.k8s_json = s.Text(30);
  return d;
}

Account ReadAccount(const Stmt& s) {
  Account a;
  a.id = AccountId(s.Text(0));
  a.email = s.Text(1);
  a.password_hash = s.Text(2);
  a.role = ParseRole(s.Text(3)).value_or(Role::kOwner);
  a.created_at = s.Time(4);
  return a;
}

InstallKeyRecord ReadKey(const Stmt& s) {
  InstallKeyRecord k;
  k.id = InstallKeyId(s.Text(0));
  k.owner_id = AccountId(s.Text(1));
  k.key_hash = s.Text(2);
  k.hint = s.Text(3);
  k.created_at = s.Time(4);
  k.expires_at = s.Time(5);
  k.used_at = s.OptTime(6);
  if (!s.IsNull(7)) k.used_by = DeviceId(s.Text(7));
  k.revoked_at = s.OptTime(8);
  return k;
}

constexpr std::string_view kKeyColumns =
    "id, owner_id, key_hash, hint, created_at, expires_at, used_at, used_by, revoked_at";

constexpr std::string_view kRegionColumns =
    "id, overlay_prefix, pod_prefix, service_prefix, pod_cidr_length, created_at, name, "
    "location_region, centre_lat, centre_lon, countries, max_workers, hardware_policy, status, "
    "kube_api_endpoint, kube_ca_hash, gateways, admin_account_id, updated_at";

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Region ReadRegion(const Stmt& s) {
  Region r;
  r.id = s.Text(0);
  r.overlay_prefix = s.Text(1);
  r.pod_prefix = s.Text(2);
  r.service_prefix = s.Text(3);
  r.pod_cidr_length = static_cast<int>(s.Int(4));
  r.created_at = s.Time(5);
  r.name = s.Text(6);
  r.location_region = s.Text(7);
  r.centre_lat = s.Double(8);
  r.centre_lon = s.Double(9);
  r.countries = SplitList(s.Text(10));
  r.max_workers = s.Int(11);
  r.hardware_policy = s.Text(12);
  r.status = s.Text(13);
  r.kube_api_endpoint = s.Text(14);
  r.kube_ca_hash = s.Text(15);
  r.gateways = SplitList(s.Text(16));
  if (!s.IsNull(17)) r.admin = AccountId(s.Text(17));
  r.updated_at = s.Time(18);
  return r;
}

// Binds the columns of kRegionColumns from name on (what UpdateRegion may change), in order.
Stmt& BindCatalog(Stmt& s, const Region& r) {
  return s.Bind(r.name)
      .Bind(r.location_region)
      .Bind(r.centre_lat)
      .Bind(r.centre_lon)
      .Bind(JoinList(r.countries))
      .Bind(r.max_workers)
      .Bind(r.hardware_policy)
      .Bind(r.status)
      .Bind(r.kube_api_endpoint)
      .Bind(r.kube_ca_hash)
      .Bind(JoinList(r.gateways))
      .Bind(r.admin)
      .Bind(r.updated_at);
}

// ---- Regions: proposals and admin events ----
constexpr std::string_view kProposalColumns =
    "id, cell, country, status, devices, gpus, region_id, volunteer_account_id, created_at, "
    "updated_at";

RegionProposal ReadProposal(const Stmt& s) {
  RegionProposal p;
  p.id = s.Text(0);
  p.cell = s.Text(1);
  p.country = s.Text(2);
  p.status = s.Text(3);
  p.devices = s.Int(4);
  p.gpus = s.Int(5);
  p.region_id = s.Text(6);
  if (!s.IsNull(7)) p.volunteer = AccountId(s.Text(7));
  p.created_at = s.Time(8);
  p.updated_at = s.Time(9);
  return p;
}

void BindProposal(Stmt& s, const RegionProposal& p) {
  s.Bind(p.id)
      .Bind(p.cell)
      .Bind(p.country)
      .Bind(p.status)
      .Bind(p.devices)
      .Bind(p.gpus)
      .Bind(p.region_id)
      .Bind(p.volunteer)
      .Bind(p.created_at)
      .Bind(p.updated_at);
}

constexpr std::string_view kEventColumns =
    "id, at, kind, region_id, proposal_id, message, detail_json, webhook_state, "
    "webhook_attempts, webhook_next_at";

AdminEvent ReadEvent(const Stmt& s) {
  AdminEvent e;
  e.id = s.Int(0);
  e.at = s.Time(1);
  e.kind = s.Text(2);
  e.region_id = s.Text(3);
  e.proposal_id = s.Text(4);
  e.message = s.Text(5);
  e.detail_json = s.Text(6);
  e.webhook_state = s.Text(7);
  e.webhook_attempts = s.Int(8);
  e.webhook_next_at = s.Time(9);
  return e;
}

constexpr std::string_view kKubeNodeColumns =
    "device_id, region_id, generation, node_name, token_id, token_secret, token_expires_at, "
    "created_at, retired_at";

KubeNode ReadKubeNode(const Stmt& s) {
  KubeNode n;
  n.device_id = DeviceId(s.Text(0));
  n.region_id = s.Text(1);
  n.generation = s.Int(2);
  n.node_name = s.Text(3);
  n.token_id = s.Text(4);
  n.token_secret = Secret<std::string>(s.Text(5));
  n.token_expires_at = s.Time(6);
  n.created_at = s.Time(7);
  n.retired_at = s.OptTime(8);
  return n;
}

constexpr std::string_view kPodRunColumns =
    "uid, region_id, namespace, name, node_name, device_id, lease_id, cpu_millis, memory_bytes, "
    "gpus, started_at, stopped_at";

PodRun ReadPodRun(const Stmt& s) {
  PodRun r;
  r.uid = s.Text(0);
  r.region_id = s.Text(1);
  r.ns = s.Text(2);
  r.name = s.Text(3);
  r.node_name = s.Text(4);
  r.device_id = DeviceId(s.Text(5));
  r.lease_id = s.Text(6);
  r.cpu_millis = s.Int(7);
  r.memory_bytes = s.Int(8);
  r.gpus = s.Int(9);
  r.started_at = s.Time(10);
  r.stopped_at = s.OptTime(11);
  return r;
}

// NetworkTx over the store's connection; the caller holds the store mutex and a transaction.
class SqliteNetworkTx final : public NetworkTx {
 public:
  explicit SqliteNetworkTx(sqlite3* db) : db_(db) {}

  StatusOr<std::optional<Region>> FindRegion(const std::string& id) override {
    Stmt s(db_, "SELECT " + std::string(kRegionColumns) + " FROM regions WHERE id = ?");
    s.Bind(id);
    if (s.Step()) return std::optional<Region>(ReadRegion(s));
    HEARTH_RETURN_IF_ERROR(s.status("find region"));
    return std::optional<Region>();
  }
  StatusOr<std::vector<Region>> ListRegions() override {
    Stmt s(db_, "SELECT " + std::string(kRegionColumns) + " FROM regions ORDER BY id");
    std::vector<Region> out;
    while (s.Step()) out.push_back(ReadRegion(s));
    HEARTH_RETURN_IF_ERROR(s.status("list regions"));
    return out;
  }
  Status InsertRegion(const Region& r) override {
    Stmt s(db_, "INSERT INTO regions(" + std::string(kRegionColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(r.id)
        .Bind(r.overlay_prefix)
        .Bind(r.pod_prefix)
        .Bind(r.service_prefix)
        .Bind(int64_t{r.pod_cidr_length})
        .Bind(r.created_at);
    BindCatalog(s, r);
    return s.Exec("insert region");
  }
  Status UpdateRegion(const Region& r) override {
    Stmt s(db_,
           "UPDATE regions SET name = ?, location_region = ?, centre_lat = ?, centre_lon = ?, "
           "countries = ?, max_workers = ?, hardware_policy = ?, "
           "status = ?, kube_api_endpoint = ?, kube_ca_hash = ?, gateways = ?, "
           "admin_account_id = ?, updated_at = ? WHERE id = ?");
    BindCatalog(s, r).Bind(r.id);
    HEARTH_RETURN_IF_ERROR(s.Exec("update region"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such region: " + r.id);
    return Status::Ok();
  }
  StatusOr<int64_t> CountInRegion(const std::string& region) override {
    Stmt s(db_, "SELECT COUNT(*) FROM devices WHERE region_id = ? AND removed_at IS NULL");
    s.Bind(region);
    if (s.Step()) return s.Int(0);
    HEARTH_RETURN_IF_ERROR(s.status("count devices in region"));
    return int64_t{0};
  }
  StatusOr<Device> GetDevice(const DeviceId& id) override {
    Stmt s(db_, "SELECT " + std::string(kDeviceColumns) + " FROM devices WHERE id = ?");
    s.Bind(id);
    if (s.Step()) return ReadDevice(s);
    HEARTH_RETURN_IF_ERROR(s.status("get device"));
    return Status::NotFound("no such device");
  }
  StatusOr<std::vector<Device>> ListByRole(const std::string& region,
                                           const std::string& role) override {
    return List("region_id = ? AND role = ?", {region, role});
  }
  StatusOr<std::vector<Device>> ListHomedOn(const DeviceId& gateway) override {
    return List("home_gateway_id = ?", {gateway.str()});
  }
  StatusOr<std::vector<Device>> ListUnhomed(const std::string& region,
                                            const std::string& role) override {
    return List("region_id = ? AND role = ? AND home_gateway_id IS NULL", {region, role});
  }
  StatusOr<std::vector<Device>> ListUnattached() override { return List("region_id = ''", {}); }
  StatusOr<bool> IsClaimed(const std::string& pool, int64_t index) override {
    Stmt s(db_, "SELECT 1 FROM address_claims WHERE pool = ? AND idx = ?");
    s.Bind(pool).Bind(index);
    const bool found = s.Step();
    HEARTH_RETURN_IF_ERROR(s.status("find address claim"));
    return found;
  }
  Status Claim(const std::string& pool, int64_t index, const DeviceId& device,
               Timestamp now) override {
    Stmt s(db_, "INSERT INTO address_claims(pool, idx, device_id, claimed_at) VALUES (?, ?, ?, ?)");
    s.Bind(pool).Bind(index).Bind(device).Bind(now);
    return s.Exec("claim address");
  }
  StatusOr<int64_t> ClaimedCount(const std::string& pool) override {
    Stmt s(db_, "SELECT COUNT(*) FROM address_claims WHERE pool = ?");
    s.Bind(pool);
    if (s.Step()) return s.Int(0);
    HEARTH_RETURN_IF_ERROR(s.status("count address claims"));
    return int64_t{0};
  }
  Status ReleaseClaims(const DeviceId& device) override {
    Stmt s(db_, "DELETE FROM address_claims WHERE device_id = ?");
    s.Bind(device);
    return s.Exec("release addresses");
  }
  StatusOr<int64_t> Cursor(const std::string& pool) override {
    Stmt s(db_, "SELECT next_idx FROM address_cursors WHERE pool = ?");
    s.Bind(pool);
    if (s.Step()) return s.Int(0);
    HEARTH_RETURN_IF_ERROR(s.status("read address cursor"));
    return int64_t{0};
  }
  Status SetCursor(const std::string& pool, int64_t next) override {
    Stmt s(db_,
           "INSERT INTO address_cursors(pool, next_idx) VALUES (?, ?) "
           "ON CONFLICT(pool) DO UPDATE SET next_idx = excluded.next_idx");
    s.Bind(pool).Bind(next);
    return s.Exec("set address cursor");
  }
  Status SetAddressing(const DeviceId& id, const std::string& region, const std::string& overlay_ip,
                       const std::string& pod_cidr) override {
    Stmt s(db_, "UPDATE devices SET region_id = ?, overlay_ip = ?, pod_cidr = ? WHERE id = ?");
    s.Bind(region).Bind(overlay_ip).Bind(pod_cidr).Bind(id);
    return s.Exec("set device addressing");
  }
  Status SetHome(const DeviceId& device, const std::optional<DeviceId>& gateway) override {
    HEARTH_ASSIGN_OR_RETURN(Device d, GetDevice(device));
    if (d.role == "worker" && d.home_gateway != gateway) {
      HEARTH_RETURN_IF_ERROR(AddHomed(d.home_gateway, -1));
      HEARTH_RETURN_IF_ERROR(AddHomed(gateway, +1));
    }
    Stmt s(db_, "UPDATE devices SET home_gateway_id = ? WHERE id = ?");
    s.Bind(gateway).Bind(device);
    return s.Exec("set home gateway");
  }
  Status SetPlacement(const DeviceId& device, const std::string& placement_json,
                      const std::string& waitlist_cell) override {
    Stmt s(db_, "UPDATE devices SET placement_json = ?, waitlist_cell = ? WHERE id = ?");
    s.Bind(placement_json).Bind(waitlist_cell).Bind(device);
    return s.Exec("set placement");
  }
  Status SetGatewayDown(const DeviceId& gateway, std::optional<Timestamp> since) override {
    Stmt s(db_, "UPDATE devices SET gateway_down_at = ? WHERE id = ?");
    s.Bind(since).Bind(gateway);
    return s.Exec("set gateway down");
  }
  Status MarkRemoved(const DeviceId& id, Timestamp now) override {
    HEARTH_ASSIGN_OR_RETURN(Device d, GetDevice(id));
    if (d.removed_at) return Status::NotFound("no such device");
    if (d.role == "worker") HEARTH_RETURN_IF_ERROR(AddHomed(d.home_gateway, -1));
    Stmt s(db_, "UPDATE devices SET removed_at = ?, home_gateway_id = NULL WHERE id = ?");
    s.Bind(now).Bind(id);
    return s.Exec("remove device");
  }
  Status BumpVersion(const DeviceId& id) override {
    Stmt s(db_, "UPDATE devices SET config_version = config_version + 1 WHERE id = ?");
    s.Bind(id);
    return s.Exec("bump config version");
  }

  // ---- Regions: proposals, volunteers, admin events ----
  StatusOr<std::vector<Device>> ListWaitlisted(const std::string& cell) override {
    return List("region_id = '' AND waitlist_cell = ?", {cell});
  }
  StatusOr<std::optional<RegionProposal>> FindProposal(const std::string& id) override {
    Stmt s(db_, "SELECT " + std::string(kProposalColumns) + " FROM region_proposals WHERE id = ?");
    s.Bind(id);
    if (s.Step()) return std::optional<RegionProposal>(ReadProposal(s));
    HEARTH_RETURN_IF_ERROR(s.status("find region proposal"));
    return std::optional<RegionProposal>();
  }
  StatusOr<std::vector<RegionProposal>> ListProposals() override {
    Stmt s(db_, "SELECT " + std::string(kProposalColumns) +
                    " FROM region_proposals ORDER BY created_at, id");
    std::vector<RegionProposal> out;
    while (s.Step()) out.push_back(ReadProposal(s));
    HEARTH_RETURN_IF_ERROR(s.status("list region proposals"));
    return out;
  }
  Status InsertProposal(const RegionProposal& p) override {
    Stmt s(db_, "INSERT INTO region_proposals(" + std::string(kProposalColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    BindProposal(s, p);
    return s.Exec("insert region proposal");
  }
  Status UpdateProposal(const RegionProposal& p) override {
    Stmt s(db_,
           "UPDATE region_proposals SET status = ?, region_id = ?, volunteer_account_id = ?, "
           "updated_at = ? WHERE id = ?");
    s.Bind(p.status).Bind(p.region_id).Bind(p.volunteer).Bind(p.updated_at).Bind(p.id);
    HEARTH_RETURN_IF_ERROR(s.Exec("update region proposal"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such region proposal: " + p.id);
    return Status::Ok();
  }
  Status UpsertVolunteer(const RegionVolunteer& v) override {
    Stmt s(db_,
           "INSERT INTO region_volunteers(proposal_id, account_id, details_json, created_at) "
           "VALUES (?, ?, ?, ?) ON CONFLICT(proposal_id, account_id) DO UPDATE SET "
           "details_json = excluded.details_json, created_at = excluded.created_at");
    s.Bind(v.proposal_id).Bind(v.account_id).Bind(v.details_json).Bind(v.created_at);
    return s.Exec("record region volunteer");
  }
  StatusOr<std::vector<RegionVolunteer>> ListVolunteers(const std::string& proposal_id) override {
    Stmt s(db_,
           "SELECT proposal_id, account_id, details_json, created_at FROM region_volunteers "
           "WHERE proposal_id = ? ORDER BY created_at, account_id");
    s.Bind(proposal_id);
    std::vector<RegionVolunteer> out;
    while (s.Step()) {
      out.push_back({s.Text(0), AccountId(s.Text(1)), s.Text(2), s.Time(3)});
    }
    HEARTH_RETURN_IF_ERROR(s.status("list region volunteers"));
    return out;
  }
  Status InsertEvent(AdminEvent& e) override {
    {
      Stmt q(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM admin_events");
      if (q.Step()) e.id = q.Int(0);
      HEARTH_RETURN_IF_ERROR(q.status("next admin event id"));
    }
    Stmt s(db_, "INSERT INTO admin_events(" + std::string(kEventColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(e.id)
        .Bind(e.at)
        .Bind(e.kind)
        .Bind(e.region_id)
        .Bind(e.proposal_id)
        .Bind(e.message)
        .Bind(e.detail_json)
        .Bind(e.webhook_state)
        .Bind(e.webhook_attempts)
        .Bind(e.webhook_next_at);
    return s.Exec("insert admin event");
  }

 private:
  Status AddHomed(const std::optional<DeviceId>& gateway, int64_t delta) {
    if (!gateway) return Status::Ok();
    Stmt s(db_, "UPDATE devices SET homed_workers = homed_workers + ? WHERE id = ?");
    s.Bind(delta).Bind(*gateway);
    return s.Exec("count homed workers");
  }
  StatusOr<std::vector<Device>> List(const std::string& where,
                                     const std::vector<std::string>& args) {
    Stmt s(db_, "SELECT " + std::string(kDeviceColumns) + " FROM devices WHERE " + where +
                    " AND removed_at IS NULL ORDER BY id");
    for (const auto& a : args) s.Bind(a);
    std::vector<Device> out;
    while (s.Step()) out.push_back(ReadDevice(s));
    HEARTH_RETURN_IF_ERROR(s.status("list devices"));
    return out;
  }

  sqlite3* db_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Status Init() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                               "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"}) {
      HEARTH_RETURN_IF_ERROR(ExecRaw(pragma));
    }
    HEARTH_RETURN_IF_ERROR(
        ExecRaw("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    std::set<int> applied;
    {
      Stmt s(db_, "SELECT version FROM schema_migrations");
      while (s.Step()) applied.insert(static_cast<int>(s.Int(0)));
      HEARTH_RETURN_IF_ERROR(s.status("read schema version"));
    }
    const int current = applied.empty() ? 0 : *applied.rbegin();
    const int newest = Migrations().empty() ? 0 : Migrations().back().version;
    if (current > newest) {
      return Status::FailedPrecondition(
          "schema_too_new", "the database has schema version " + std::to_string(current) +
                                " but this hearth knows only up to " + std::to_string(newest) +
                                "; run a newer hearth or restore a backup");
    }
    for (const Migration& m : PendingMigrations(Migrations(), applied)) {
      HEARTH_RETURN_IF_ERROR(ExecRaw("BEGIN IMMEDIATE"));
      Status st = ExecRaw(std::string(m.sql));
      if (st.ok()) {
        Stmt s(db_, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)");
        s.Bind(int64_t{m.version}).Bind(std::string(m.name)).Bind(int64_t{0});
        st = s.Exec("record migration");
      }
      if (!st.ok()) {
        (void)ExecRaw("ROLLBACK");
        return st.WithContext("migration " + std::to_string(m.version));
      }
      HEARTH_RETURN_IF_ERROR(ExecRaw("COMMIT"));
      log::Info("store: applied migration", {{"version", m.version}, {"name", m.name}});
    }
    return Status::Ok();
  }

  Status CreateAccount(const Account& a) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "INSERT INTO accounts(id, email, password_hash, role, created_at) "
           "VALUES (?, ?, ?, ?, ?)");
    s.Bind(a.id)
        .Bind(a.email)
        .Bind(a.password_hash)
        .Bind(std::string(RoleName(a.role)))
        .Bind(a.created_at);
    Status st = s.Exec("create account");
    if (st.code() == Code::kAlreadyExists) {
      return Status::AlreadyExists("email", "an account with this email exists; sign in instead");
    }
    return st;
  }

  StatusOr<Account> GetAccount(const AccountId& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT id, email, password_hash, role, created_at FROM accounts WHERE id = ?");
    s.Bind(id);
    if (s.Step()) return ReadAccount(s);
    HEARTH_RETURN_IF_ERROR(s.status("get account"));
    return Status::NotFound("no such account");
  }

  StatusOr<Account> FindAccountByEmail(const std::string& email) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT id, email, password_hash, role, created_at FROM accounts WHERE email = ?");
    s.Bind(email);
    if (s.Step()) return ReadAccount(s);
    HEARTH_RETURN_IF_ERROR(s.status("find account"));
    return Status::NotFound("no account with this email");
  }

  StatusOr<int64_t> CountAccounts() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT COUNT(*) FROM accounts");
    if (s.Step()) return s.Int(0);
    HEARTH_RETURN_IF_ERROR(s.status("count accounts"));
    return int64_t{0};
  }

  Status CreateSession(const Session& se) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "INSERT INTO sessions(token_hash, account_id, created_at, expires_at) "
           "VALUES (?, ?, ?, ?)");
    s.Bind(se.token_hash).Bind(se.account_id).Bind(se.created_at).Bind(se.expires_at);
    return s.Exec("create session");
  }

  StatusOr<Session> FindSession(const std::string& token_hash) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "SELECT token_hash, account_id, created_at, expires_at FROM sessions "
           "WHERE token_hash = ?");
    s.Bind(token_hash);
    if (s.Step()) {
      return Session{s.Text(0), AccountId(s.Text(1)), s.Time(2), s.Time(3)};
    }
    HEARTH_RETURN_IF_ERROR(s.status("find session"));
    return Status::NotFound("no such session");
  }

  Status DeleteSession(const std::string& token_hash) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "DELETE FROM sessions WHERE token_hash = ?");
    s.Bind(token_hash);
    return s.Exec("delete session");
  }

  Status DeleteExpiredSessions(Timestamp now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "DELETE FROM sessions WHERE expires_at <= ?");
    s.Bind(now);
    return s.Exec("delete expired sessions");
  }

  Status CreateInstallKey(const InstallKeyRecord& k) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "INSERT INTO install_keys(id, owner_id, key_hash, hint, created_at, expires_at) "
           "VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(k.id)
        .Bind(k.owner_id)
        .Bind(k.key_hash)
        .Bind(k.hint)
        .Bind(k.created_at)
        .Bind(k.expires_at);
    return s.Exec("create install key");
  }

  StatusOr<std::vector<InstallKeyRecord>> ListInstallKeys(const AccountId& owner) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kKeyColumns) +
                    " FROM install_keys WHERE owner_id = ? ORDER BY created_at, id");
    s.Bind(owner);
    std::vector<InstallKeyRecord> out;
    while (s.Step()) out.push_back(ReadKey(s));
    HEARTH_RETURN_IF_ERROR(s.status("list install keys"));
    return out;
  }

  Status RevokeInstallKey(const AccountId& owner, const InstallKeyId& id, Timestamp now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt q(db_, "SELECT " + std::string(kKeyColumns) +
                    " FROM install_keys WHERE id = ? AND owner_id = ?");
    q.Bind(id).Bind(owner);
    if (!q.Step()) {
      HEARTH_RETURN_IF_ERROR(q.status("find install key"));
      return Status::NotFound("no such install key");
    }
    const InstallKeyRecord k = ReadKey(q);
    if (k.used_at) {
      return Status::FailedPrecondition("install_key_used",
                                        "this key was already used to enroll a device; remove "
                                        "the device instead");
    }
    if (k.revoked_at) return Status::Ok();  // idempotent
    Stmt s(db_, "UPDATE install_keys SET revoked_at = ? WHERE id = ?");
    s.Bind(now).Bind(id);
    return s.Exec("revoke install key");
  }

  StatusOr<Device> EnrollDevice(const std::string& key_hash, Timestamp now,
                                Device device) override {
    std::lock_guard<std::mutex> lock(mu_);
    HEARTH_RETURN_IF_ERROR(ExecRaw("BEGIN IMMEDIATE"));
    StatusOr<Device> result = EnrollLocked(key_hash, now, std::move(device));
    if (!result.ok()) {
      (void)ExecRaw("ROLLBACK");
      return result;
    }
    if (Status st = ExecRaw("COMMIT"); !st.ok()) {
      (void)ExecRaw("ROLLBACK");
      return st;
    }
    return result;
  }

  StatusOr<Device> GetDevice(const DeviceId& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kDeviceColumns) + " FROM devices WHERE id = ?");
    s.Bind(id);
    if (s.Step()) return ReadDevice(s);
    HEARTH_RETURN_IF_ERROR(s.status("get device"));
    return Status::NotFound("no such device");
  }

  StatusOr<std::vector<Device>> ListDevices(const std::optional<AccountId>& owner) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql =
        "SELECT " + std::string(kDeviceColumns) + " FROM devices WHERE removed_at IS NULL";
    if (owner) sql += " AND owner_id = ?";
    sql += " ORDER BY enrolled_at, id";
    Stmt s(db_, sql);
    if (owner) s.Bind(*owner);
    std::vector<Device> out;
    while (s.Step()) out.push_back(ReadDevice(s));
    HEARTH_RETURN_IF_ERROR(s.status("list devices"));
    return out;
  }

  Status RecordHeartbeat(const DeviceId& id, const Heartbeat& hb) override {
    std::lock_guard<std::mutex> lock(mu_);
    return InTxn([&]() -> Status {
      Stmt s(db_,
             "UPDATE devices SET last_seen = ?, agent_version = ?, last_heartbeat_json = ? "
             "WHERE id = ? AND removed_at IS NULL");
      s.Bind(hb.at).Bind(hb.agent_version).Bind(hb.payload_json).Bind(id);
      HEARTH_RETURN_IF_ERROR(s.Exec("record heartbeat"));
      if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
      if (hb.inventory) HEARTH_RETURN_IF_ERROR(UpdateInventoryLocked(id, *hb.inventory));
      return ExtendUptimeLocked(id, hb.at, hb.uptime_gap);
    });
  }

  StatusOr<std::vector<HardwareChange>> ListHardwareChanges(const DeviceId& id,
                                                            int64_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "SELECT device_id, seq, at, kind, changes_json FROM hardware_changes "
           "WHERE device_id = ? ORDER BY seq DESC LIMIT ?");
    s.Bind(id).Bind(limit);
    std::vector<HardwareChange> out;
    while (s.Step()) {
      out.push_back({DeviceId(s.Text(0)), s.Int(1), s.Time(2), s.Text(3), s.Text(4)});
    }
    HEARTH_RETURN_IF_ERROR(s.status("list hardware changes"));
    return out;
  }

  Status RenameDevice(const DeviceId& id, const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "UPDATE devices SET name = ? WHERE id = ? AND removed_at IS NULL");
    s.Bind(name).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("rename device"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
    return Status::Ok();
  }

  Status RemoveDevice(const DeviceId& id, Timestamp now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "UPDATE devices SET removed_at = ? WHERE id = ? AND removed_at IS NULL");
    s.Bind(now).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("remove device"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
    return Status::Ok();
  }

  Status SetAdminState(const DeviceId& id, const std::string& state, const std::string& reason,
                       Timestamp now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "UPDATE devices SET admin_state = ?, admin_reason = ?, admin_state_at = ? "
           "WHERE id = ? AND removed_at IS NULL");
    s.Bind(state).Bind(reason).Bind(now).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("set admin state"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
    return Status::Ok();
  }

  Status SetKubeState(const DeviceId& id, const std::string& state,
                      const std::string& json) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "UPDATE devices SET k8s_state = ?, k8s_json = ? WHERE id = ?");
    s.Bind(state).Bind(json).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("set kube state"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
    return Status::Ok();
  }

  StatusOr<std::vector<Device>> ListDevicesRemovedSince(Timestamp since) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kDeviceColumns) +
                    " FROM devices WHERE removed_at IS NOT NULL AND removed_at >= ?"
                    " ORDER BY removed_at, id");
    s.Bind(since);
    std::vector<Device> out;
    while (s.Step()) out.push_back(ReadDevice(s));
    HEARTH_RETURN_IF_ERROR(s.status("list removed devices"));
    return out;
  }

  Status NetworkTransaction(const std::function<Status(NetworkTx&)>& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    HEARTH_RETURN_IF_ERROR(ExecRaw("BEGIN IMMEDIATE"));
    SqliteNetworkTx tx(db_);
    Status st = fn(tx);
    if (st.ok()) st = ExecRaw("COMMIT");
    if (!st.ok()) (void)ExecRaw("ROLLBACK");
    return st;
  }
  Status RecordApplied(const DeviceId& id, int64_t version, const std::string& error) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "UPDATE devices SET applied_version = ?, applied_error = ? WHERE id = ? AND "
           "removed_at IS NULL");
    s.Bind(version).Bind(error).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("record applied version"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
    return Status::Ok();
  }
  // ---- Regions: admin event log and webhook outbox ----
  StatusOr<std::vector<AdminEvent>> ListEvents(int64_t after_id, int64_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kEventColumns) +
                    " FROM admin_events WHERE id > ? ORDER BY id LIMIT ?");
    s.Bind(after_id).Bind(limit);
    std::vector<AdminEvent> out;
    while (s.Step()) out.push_back(ReadEvent(s));
    HEARTH_RETURN_IF_ERROR(s.status("list admin events"));
    return out;
  }
  StatusOr<std::vector<AdminEvent>> DueWebhookEvents(Timestamp now, int64_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kEventColumns) +
                    " FROM admin_events WHERE webhook_state = 'pending' AND webhook_next_at <= ? "
                    "ORDER BY id LIMIT ?");
    s.Bind(now).Bind(limit);
    std::vector<AdminEvent> out;
    while (s.Step()) out.push_back(ReadEvent(s));
    HEARTH_RETURN_IF_ERROR(s.status("list due webhook events"));
    return out;
  }
  Status SetWebhookState(int64_t id, const std::string& state, int64_t attempts,
                         Timestamp next_at) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "UPDATE admin_events SET webhook_state = ?, webhook_attempts = ?, webhook_next_at = ? "
           "WHERE id = ?");
    s.Bind(state).Bind(attempts).Bind(next_at).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("set webhook state"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such admin event");
    return Status::Ok();
  }
  StatusOr<int64_t> ConfigVersion(const DeviceId& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT config_version FROM devices WHERE id = ?");
    s.Bind(id);
    if (s.Step()) return s.Int(0);
    HEARTH_RETURN_IF_ERROR(s.status("read config version"));
    return Status::NotFound("no such device");
  }
  // ---- Rewards ledger ----

  StatusOr<std::vector<UptimeInterval>> ListUptime(Timestamp from, Timestamp to) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "SELECT device_id, start_at, end_at FROM uptime_intervals "
           "WHERE end_at > ? AND start_at < ? ORDER BY device_id, start_at");
    s.Bind(from).Bind(to);
    std::vector<UptimeInterval> out;
    while (s.Step()) out.push_back({DeviceId(s.Text(0)), s.Time(1), s.Time(2)});
    HEARTH_RETURN_IF_ERROR(s.status("list uptime"));
    return out;
  }

  StatusOr<std::vector<Device>> ListAllDevices() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kDeviceColumns) + " FROM devices ORDER BY id");
    std::vector<Device> out;
    while (s.Step()) out.push_back(ReadDevice(s));
    HEARTH_RETURN_IF_ERROR(s.status("list all devices"));
    return out;
  }

  Status SetEpochRevenue(const EpochRevenue& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    return InTxn([&]() -> Status {
      Stmt q(db_, "SELECT 1 FROM epochs WHERE epoch_start = ?");
      q.Bind(r.epoch_start);
      if (q.Step()) {
        return Status::FailedPrecondition(
            "epoch_settled",
            "this epoch is already settled; its revenue can no longer change (enter the "
            "difference in a later epoch)",
            "epoch");
      }
      HEARTH_RETURN_IF_ERROR(q.status("find epoch"));
      nlohmann::json attributed = nlohmann::json::object();
      for (const auto& [dev, amount] : r.attributed) attributed[dev.str()] = amount.micro();
      Stmt s(db_,
             "INSERT OR REPLACE INTO epoch_revenue(epoch_start, amount, source, detail_json, "
             "attributed_json, entered_at) VALUES (?, ?, ?, ?, ?, ?)");
      s.Bind(r.epoch_start)
          .Bind(r.amount.micro())
          .Bind(r.source)
          .Bind(r.detail_json)
          .Bind(attributed.dump())
          .Bind(r.entered_at);
      return s.Exec("set epoch revenue");
    });
  }

  StatusOr<std::optional<EpochRevenue>> GetEpochRevenue(Timestamp epoch_start) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "SELECT epoch_start, amount, source, detail_json, attributed_json, entered_at "
           "FROM epoch_revenue WHERE epoch_start = ?");
    s.Bind(epoch_start);
    if (!s.Step()) {
      HEARTH_RETURN_IF_ERROR(s.status("get epoch revenue"));
      return std::optional<EpochRevenue>();
    }
    EpochRevenue r;
    r.epoch_start = s.Time(0);
    r.amount = Amount::Micro(s.Int(1));
    r.source = s.Text(2);
    r.detail_json = s.Text(3);
    auto attributed = nlohmann::json::parse(s.Text(4), nullptr, false);
    if (attributed.is_object()) {
      for (const auto& [dev, amount] : attributed.items()) {
        if (amount.is_number_integer()) {
          r.attributed[DeviceId(dev)] = Amount::Micro(amount.get<int64_t>());
        }
      }
    }
    r.entered_at = s.Time(5);
    return std::optional<EpochRevenue>(std::move(r));
  }

  StatusOr<bool> SettleEpoch(const EpochRecord& e, const std::vector<LedgerEntry>& entries,
                             const CarryUpdate* carry) override {
    Int128 sum = 0;
    for (const LedgerEntry& le : entries) sum += le.amount.micro();
    if (sum != 0) return Status::Internal("settle epoch: ledger entries do not balance");
    std::lock_guard<std::mutex> lock(mu_);
    bool booked = false;
    Status txn_status = InTxn([&]() -> Status {
      Stmt ins(db_,
               "INSERT INTO epochs(epoch_start, epoch_end, policy_version, input_json, "
               "result_json, settled_at) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT(epoch_start) DO NOTHING");
      ins.Bind(e.start)
          .Bind(e.end)
          .Bind(e.policy_version)
          .Bind(e.input_json)
          .Bind(e.result_json)
          .Bind(e.settled_at);
      HEARTH_RETURN_IF_ERROR(ins.Exec("insert epoch"));
      if (sqlite3_changes(db_) == 0) return Status::Ok();  // already settled
      if (carry) HEARTH_RETURN_IF_ERROR(UpsertCarriesLocked(*carry));
      HEARTH_RETURN_IF_ERROR(InsertEntriesLocked(entries));
      booked = true;
      return Status::Ok();
    });
    if (!txn_status.ok()) return txn_status;
    return booked;
  }

  // ---- Rewards carry ----
  StatusOr<CarryState> ListCarries() override {
    std::lock_guard<std::mutex> lock(mu_);
    CarryState st;
    HEARTH_ASSIGN_OR_RETURN(st.generation, EpochCountLocked());
    Stmt s(db_, "SELECT device_id, carry, epoch_start FROM reward_carries ORDER BY device_id");
    while (s.Step()) st.carries.push_back({DeviceId(s.Text(0)), s.Int(1), s.Time(2)});
    HEARTH_RETURN_IF_ERROR(s.status("list reward carries"));
    return st;
  }

  StatusOr<std::optional<EpochRecord>> GetEpoch(Timestamp start) override {
    HEARTH_ASSIGN_OR_RETURN(std::vector<EpochRecord> v,
                            ListEpochs(start, start + std::chrono::milliseconds(1)));
    if (v.empty()) return std::optional<EpochRecord>();
    return std::optional<EpochRecord>(std::move(v.front()));
  }

  StatusOr<std::vector<EpochRecord>> ListEpochs(Timestamp from, Timestamp to) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "SELECT epoch_start, epoch_end, policy_version, input_json, result_json, settled_at "
           "FROM epochs WHERE epoch_start >= ? AND epoch_start < ? ORDER BY epoch_start");
    s.Bind(from).Bind(to);
    std::vector<EpochRecord> out;
    while (s.Step()) {
      out.push_back({s.Time(0), s.Time(1), s.Text(2), s.Text(3), s.Text(4), s.Time(5)});
    }
    HEARTH_RETURN_IF_ERROR(s.status("list epochs"));
    return out;
  }

  StatusOr<std::vector<LedgerEntry>> ListEntries(const EntryFilter& f) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql =
        "SELECT id, txn, account, kind, amount, device_id, epoch_start, created_at "
        "FROM ledger_entries WHERE 1 = 1";
    if (f.account) sql += " AND account = ?";
    if (f.epoch_from) sql += " AND epoch_start >= ?";
    if (f.epoch_to) sql += " AND epoch_start < ?";
    if (f.txn) sql += " AND txn = ?";
    sql += " ORDER BY id";
    Stmt s(db_, sql);
    if (f.account) s.Bind(*f.account);
    if (f.epoch_from) s.Bind(*f.epoch_from);
    if (f.epoch_to) s.Bind(*f.epoch_to);
    if (f.txn) s.Bind(*f.txn);
    std::vector<LedgerEntry> out;
    while (s.Step()) {
      LedgerEntry e;
      e.id = s.Int(0);
      e.txn = s.Text(1);
      e.account = s.Text(2);
      e.kind = s.Text(3);
      e.amount = Amount::Micro(s.Int(4));
      if (!s.IsNull(5)) e.device_id = DeviceId(s.Text(5));
      e.epoch_start = s.OptTime(6);
      e.created_at = s.Time(7);
      out.push_back(std::move(e));
    }
    HEARTH_RETURN_IF_ERROR(s.status("list ledger entries"));
    return out;
  }

  StatusOr<std::map<std::string, Amount>> Balances() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT account, SUM(amount) FROM ledger_entries GROUP BY account");
    std::map<std::string, Amount> out;
    while (s.Step()) out[s.Text(0)] = Amount::Micro(s.Int(1));
    HEARTH_RETURN_IF_ERROR(s.status("balances"));
    return out;
  }

  StatusOr<Amount> Balance(const std::string& account) override {
    std::lock_guard<std::mutex> lock(mu_);
    return BalanceLocked(account);
  }

  Status SetPayoutAddress(const AccountId& owner, const std::string& address,
                          Timestamp now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "INSERT INTO payout_addresses(owner_id, address, updated_at) VALUES (?, ?, ?) "
           "ON CONFLICT(owner_id) DO UPDATE SET address = excluded.address, "
           "updated_at = excluded.updated_at");
    s.Bind(owner).Bind(address).Bind(now);
    return s.Exec("set payout address");
  }

  StatusOr<std::optional<std::string>> GetPayoutAddress(const AccountId& owner) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT address FROM payout_addresses WHERE owner_id = ?");
    s.Bind(owner);
    if (s.Step()) return std::optional<std::string>(s.Text(0));
    HEARTH_RETURN_IF_ERROR(s.status("get payout address"));
    return std::optional<std::string>();
  }

  Status RequestWithdrawal(const Withdrawal& w) override {
    std::lock_guard<std::mutex> lock(mu_);
    return InTxn([&]() -> Status {
      const std::string owner_account = "owner:" + w.owner_id.str();
      HEARTH_ASSIGN_OR_RETURN(Amount balance, BalanceLocked(owner_account));
      if (w.amount.micro() <= 0 || balance < w.amount) {
        return Status::FailedPrecondition("insufficient_balance",
                                          "the available balance is " +
                                              std::to_string(balance.micro()) +
                                              " micro-units; request at most that",
                                          "amount");
      }
      Stmt ins(db_,
               "INSERT INTO withdrawals(id, owner_id, amount, address, state, batch_id, "
               "created_at, updated_at) VALUES (?, ?, ?, ?, 'requested', NULL, ?, ?)");
      ins.Bind(w.id)
          .Bind(w.owner_id)
          .Bind(w.amount.micro())
          .Bind(w.address)
          .Bind(w.created_at)
          .Bind(w.created_at);
      HEARTH_RETURN_IF_ERROR(ins.Exec("insert withdrawal"));
      const std::string txn = "withdrawal:" + w.id;
      return InsertEntriesLocked(
          {{0, txn, owner_account, "withdrawal", Amount::Zero() - w.amount, {}, {}, w.created_at},
           {0,
            txn,
            "in_flight:" + w.owner_id.str(),
            "withdrawal",
            w.amount,
            {},
            {},
            w.created_at}});
    });
  }

  StatusOr<std::vector<Withdrawal>> ListWithdrawals(
      const std::optional<AccountId>& owner) override {
    std::lock_guard<std::mutex> lock(mu_);
    return ListWithdrawalsLocked(owner ? "owner_id = ?" : "1 = 1",
                                 owner ? owner->str() : std::string());
  }

  StatusOr<PayoutBatch> CreatePayoutBatch(
      const std::string& id, Timestamp now,
      const std::function<StatusOr<std::string>(const std::vector<Withdrawal>&)>& make_tx)
      override {
    std::lock_guard<std::mutex> lock(mu_);
    PayoutBatch b;
    Status txn_status = InTxn([&]() -> Status {
      HEARTH_ASSIGN_OR_RETURN(std::vector<Withdrawal> ws,
                              ListWithdrawalsLocked("state = 'requested'", ""));
      if (ws.empty()) {
        return Status::FailedPrecondition("nothing_to_pay", "no withdrawal is waiting to be paid",
                                          "");
      }
      HEARTH_ASSIGN_OR_RETURN(b.tx_json, make_tx(ws));
      b.id = id;
      b.state = BatchState::kExported;
      b.created_at = b.updated_at = now;
      for (Withdrawal& w : ws) {
        b.total += w.amount;
        w.state = WithdrawalState::kBatched;
        w.batch_id = id;
        w.updated_at = now;
      }
      Stmt ins(db_,
               "INSERT INTO payout_batches(id, state, tx_json, tx_hash, total, created_at, "
               "updated_at) VALUES (?, 'exported', ?, '', ?, ?, ?)");
      ins.Bind(id).Bind(b.tx_json).Bind(b.total.micro()).Bind(now).Bind(now);
      HEARTH_RETURN_IF_ERROR(ins.Exec("insert payout batch"));
      Stmt upd(db_,
               "UPDATE withdrawals SET state = 'batched', batch_id = ?, updated_at = ? "
               "WHERE state = 'requested'");
      upd.Bind(id).Bind(now);
      HEARTH_RETURN_IF_ERROR(upd.Exec("batch withdrawals"));
      b.withdrawals = std::move(ws);
      return Status::Ok();
    });
    if (!txn_status.ok()) return txn_status;
    return b;
  }

  StatusOr<PayoutBatch> GetPayoutBatch(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return GetBatchLocked(id);
  }

  StatusOr<std::vector<PayoutBatch>> ListPayoutBatches() override {
    std::vector<std::string> ids;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Stmt s(db_, "SELECT id FROM payout_batches ORDER BY created_at, id");
      while (s.Step()) ids.push_back(s.Text(0));
      HEARTH_RETURN_IF_ERROR(s.status("list payout batches"));
    }
    std::vector<PayoutBatch> out;
    for (const std::string& id : ids) {
      HEARTH_ASSIGN_OR_RETURN(PayoutBatch b, GetPayoutBatch(id));
      out.push_back(std::move(b));
    }
    return out;
  }

  StatusOr<PayoutBatch> FinishPayoutBatch(const std::string& id, bool paid,
                                          const std::string& tx_hash, Timestamp now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Status txn_status = InTxn([&]() -> Status {
      HEARTH_ASSIGN_OR_RETURN(PayoutBatch b, GetBatchLocked(id));
      const BatchState target = paid ? BatchState::kPaid : BatchState::kFailed;
      if (b.state != BatchState::kExported) {
        if (b.state == target && (!paid || b.tx_hash == tx_hash)) return Status::Ok();
        return Status::FailedPrecondition(
            "batch_finished",
            "this batch is already marked " + std::string(BatchStateName(b.state)) +
                (b.tx_hash.empty() ? "" : " with transaction " + b.tx_hash) +
                "; a batch is finished once",
            "batch");
      }
      Stmt upd(db_,
               "UPDATE payout_batches SET state = ?, tx_hash = ?, updated_at = ? "
               "WHERE id = ? AND state = 'exported'");
      upd.Bind(std::string(BatchStateName(target))).Bind(tx_hash).Bind(now).Bind(id);
      HEARTH_RETURN_IF_ERROR(upd.Exec("finish payout batch"));
      Stmt wupd(db_, "UPDATE withdrawals SET state = ?, updated_at = ? WHERE batch_id = ?");
      wupd.Bind(std::string(paid ? "paid" : "failed")).Bind(now).Bind(id);
      HEARTH_RETURN_IF_ERROR(wupd.Exec("finish withdrawals"));
      const std::string txn = std::string(paid ? "payout:" : "refund:") + id;
      std::vector<LedgerEntry> entries;
      for (const Withdrawal& w : b.withdrawals) {
        entries.push_back({0,
                           txn,
                           "in_flight:" + w.owner_id.str(),
                           paid ? "payout" : "refund",
                           Amount::Zero() - w.amount,
                           {},
                           {},
                           now});
        entries.push_back({0,
                           txn,
                           paid ? "paid" : "owner:" + w.owner_id.str(),
                           paid ? "payout" : "refund",
                           w.amount,
                           {},
                           {},
                           now});
      }
      return InsertEntriesLocked(entries);
    });
    if (!txn_status.ok()) return txn_status;
    return GetBatchLocked(id);
  }

  // ---- Portal (web/): per-device summaries ----

  StatusOr<std::vector<UptimeInterval>> ListDeviceUptime(const DeviceId& device, Timestamp from,
                                                         Timestamp to) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "SELECT device_id, start_at, end_at FROM uptime_intervals "
           "WHERE device_id = ? AND end_at > ? AND start_at < ? ORDER BY start_at");
    s.Bind(device).Bind(from).Bind(to);
    std::vector<UptimeInterval> out;
    while (s.Step()) out.push_back({DeviceId(s.Text(0)), s.Time(1), s.Time(2)});
    HEARTH_RETURN_IF_ERROR(s.status("list device uptime"));
    return out;
  }

  StatusOr<std::map<DeviceId, Amount, IdTextLess>> DeviceEarnings(const std::string& account,
                                                                  Timestamp since) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_,
           "SELECT device_id, SUM(amount) FROM ledger_entries "
           "WHERE account = ? AND epoch_start >= ? AND device_id IS NOT NULL "
           "AND kind IN ('usage', 'participation') GROUP BY device_id");
    s.Bind(account).Bind(since);
    std::map<DeviceId, Amount, IdTextLess> out;
    while (s.Step()) out.emplace(DeviceId(s.Text(0)), Amount::Micro(s.Int(1)));
    HEARTH_RETURN_IF_ERROR(s.status("device earnings"));
    return out;
  }

  // ---- Kubernetes (coordinator/kube) ----

  StatusOr<std::optional<KubeNode>> GetKubeNode(const DeviceId& device) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kKubeNodeColumns) + " FROM kube_nodes WHERE device_id = ?");
    s.Bind(device);
    if (s.Step()) return std::optional<KubeNode>(ReadKubeNode(s));
    HEARTH_RETURN_IF_ERROR(s.status("get kube node"));
    return std::optional<KubeNode>();
  }

  StatusOr<std::vector<KubeNode>> ListKubeNodes(const std::string& region) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kKubeNodeColumns) +
                    " FROM kube_nodes WHERE region_id = ? ORDER BY device_id");
    s.Bind(region);
    std::vector<KubeNode> out;
    while (s.Step()) out.push_back(ReadKubeNode(s));
    HEARTH_RETURN_IF_ERROR(s.status("list kube nodes"));
    return out;
  }

  Status PutKubeNode(const KubeNode& n) override {
    std::lock_guard<std::mutex> lock(mu_);
    return InTxn([&]() -> Status {
      Stmt taken(db_, "SELECT device_id FROM kube_nodes WHERE node_name = ? AND device_id <> ?");
      taken.Bind(n.node_name).Bind(n.device_id);
      if (taken.Step()) {
        return Status::AlreadyExists(
            "node_name", "node name " + n.node_name + " belongs to device " + taken.Text(0));
      }
      HEARTH_RETURN_IF_ERROR(taken.status("check node name"));
      Stmt bump(db_, "UPDATE devices SET config_version = config_version + 1 WHERE id = ?");
      bump.Bind(n.device_id);
      HEARTH_RETURN_IF_ERROR(bump.Exec("bump config version"));
      if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
      Stmt s(db_, "INSERT INTO kube_nodes(" + std::string(kKubeNodeColumns) +
                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET "
                      "region_id = excluded.region_id, generation = excluded.generation, "
                      "node_name = excluded.node_name, token_id = excluded.token_id, "
                      "token_secret = excluded.token_secret, "
                      "token_expires_at = excluded.token_expires_at, "
                      "created_at = excluded.created_at, retired_at = excluded.retired_at");
      s.Bind(n.device_id)
          .Bind(n.region_id)
          .Bind(n.generation)
          .Bind(n.node_name)
          .Bind(n.token_id)
          .Bind(n.token_secret.Reveal())
          .Bind(n.token_expires_at)
          .Bind(n.created_at)
          .Bind(n.retired_at);
      return s.Exec("put kube node");
    });
  }

  Status SetKubeStates(const std::vector<KubeStateUpdate>& updates) override {
    std::lock_guard<std::mutex> lock(mu_);
    return InTxn([&]() -> Status {
      Stmt s(db_, "UPDATE devices SET k8s_state = ?, k8s_json = ? WHERE id = ?");
      for (const KubeStateUpdate& u : updates) {
        sqlite3_reset(s.raw());
        s.Rebind();
        s.Bind(u.k8s_state).Bind(u.k8s_json).Bind(u.device_id);
        HEARTH_RETURN_IF_ERROR(s.Exec("set kube states"));
      }
      return Status::Ok();
    });
  }

  Status RecordPodRuns(const std::vector<PodRun>& started,
                       const std::vector<PodRunStop>& stopped) override {
    std::lock_guard<std::mutex> lock(mu_);
    return InTxn([&]() -> Status {
      Stmt ins(db_, "INSERT INTO pod_runs(" + std::string(kPodRunColumns) +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(uid) DO NOTHING");
      for (const PodRun& r : started) {
        sqlite3_reset(ins.raw());
        ins.Rebind();
        ins.Bind(r.uid)
            .Bind(r.region_id)
            .Bind(r.ns)
            .Bind(r.name)
            .Bind(r.node_name)
            .Bind(r.device_id)
            .Bind(r.lease_id)
            .Bind(r.cpu_millis)
            .Bind(r.memory_bytes)
            .Bind(r.gpus)
            .Bind(r.started_at)
            .Bind(r.stopped_at);
        HEARTH_RETURN_IF_ERROR(ins.Exec("record pod run"));
      }
      Stmt stop(db_,
                "UPDATE pod_runs SET stopped_at = MAX(?, started_at) "
                "WHERE uid = ? AND stopped_at IS NULL");
      for (const PodRunStop& r : stopped) {
        sqlite3_reset(stop.raw());
        stop.Rebind();
        stop.Bind(r.stopped_at).Bind(r.uid);
        HEARTH_RETURN_IF_ERROR(stop.Exec("stop pod run"));
      }
      return Status::Ok();
    });
  }

  StatusOr<std::vector<PodRun>> ListPodRuns(Timestamp from, Timestamp to) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kPodRunColumns) +
                    " FROM pod_runs WHERE started_at < ? AND (stopped_at IS NULL OR "
                    "stopped_at > ?) ORDER BY started_at, uid");
    s.Bind(to).Bind(from);
    std::vector<PodRun> out;
    while (s.Step()) out.push_back(ReadPodRun(s));
    HEARTH_RETURN_IF_ERROR(s.status("list pod runs"));
    return out;
  }

  StatusOr<std::vector<PodRun>> ListOpenPodRuns(const std::string& region) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT " + std::string(kPodRunColumns) +
                    " FROM pod_runs WHERE region_id = ? AND stopped_at IS NULL ORDER BY uid");
    s.Bind(region);
    std::vector<PodRun> out;
    while (s.Step()) out.push_back(ReadPodRun(s));
    HEARTH_RETURN_IF_ERROR(s.status("list open pod runs"));
    return out;
  }

  StatusOr<int> SchemaVersion() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (s.Step()) return static_cast<int>(s.Int(0));
    HEARTH_RETURN_IF_ERROR(s.status("schema version"));
    return 0;
  }

 private:
  Status ExecRaw(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Status::Internal("sqlite: " + msg);
    }
    return Status::Ok();
  }

  // Runs `fn` in BEGIN IMMEDIATE … COMMIT; rolls back on error. Caller holds mu_.
  Status InTxn(const std::function<Status()>& fn) {
    HEARTH_RETURN_IF_ERROR(ExecRaw("BEGIN IMMEDIATE"));
    Status st = fn();
    if (st.ok()) st = ExecRaw("COMMIT");
    if (!st.ok()) (void)ExecRaw("ROLLBACK");
    return st;
  }

  Status UpdateInventoryLocked(const DeviceId& id, const InventoryUpdate& u) {
    Stmt s(db_, "UPDATE devices SET inventory_json = ? WHERE id = ?");
    s.Bind(u.inventory_json).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("update inventory"));
    if (!u.change) return Status::Ok();
    int64_t seq = 1;
    {
      Stmt q(db_, "SELECT COALESCE(MAX(seq), 0) + 1 FROM hardware_changes WHERE device_id = ?");
      q.Bind(id);
      if (q.Step()) seq = q.Int(0);
      HEARTH_RETURN_IF_ERROR(q.status("next hardware change"));
    }
    Stmt ins(db_,
             "INSERT INTO hardware_changes(device_id, seq, at, kind, changes_json) "
             "VALUES (?, ?, ?, ?, ?)");
    ins.Bind(id).Bind(seq).Bind(u.change->at).Bind(u.change->kind).Bind(u.change->changes_json);
    return ins.Exec("record hardware change");
  }

  Status ExtendUptimeLocked(const DeviceId& id, Timestamp at, Duration gap) {
    Stmt q(db_,
           "SELECT start_at, end_at FROM uptime_intervals WHERE device_id = ? "
           "ORDER BY end_at DESC LIMIT 1");
    q.Bind(id);
    if (q.Step()) {
      const Timestamp start = q.Time(0), end = q.Time(1);
      if (at < end) return Status::Ok();  // clock went back: the interval covers it already
      if (at - end <= gap) {
        Stmt u(db_, "UPDATE uptime_intervals SET end_at = ? WHERE device_id = ? AND start_at = ?");
        u.Bind(at).Bind(id).Bind(start);
        return u.Exec("extend uptime");
      }
    }
    HEARTH_RETURN_IF_ERROR(q.status("find uptime"));
    Stmt ins(db_,
             "INSERT INTO uptime_intervals(device_id, start_at, end_at) VALUES (?, ?, ?) "
             "ON CONFLICT(device_id, start_at) DO NOTHING");
    ins.Bind(id).Bind(at).Bind(at);
    return ins.Exec("start uptime");
  }

  // Ids are assigned here (MAX + 1 under the write transaction) rather than by
  // AUTOINCREMENT, so the SQL stays portable to PostgreSQL.
  StatusOr<int64_t> EpochCountLocked() {
    Stmt q(db_, "SELECT COUNT(*) FROM epochs");
    const int64_t n = q.Step() ? q.Int(0) : 0;
    HEARTH_RETURN_IF_ERROR(q.status("count settled epochs"));
    return n;
  }

  // Inside SettleEpoch's transaction, after its epoch row was inserted.
  Status UpsertCarriesLocked(const CarryUpdate& carry) {
    HEARTH_ASSIGN_OR_RETURN(int64_t settled, EpochCountLocked());
    if (settled != carry.expected_generation + 1) {
      return Status(Code::kUnavailable,
                    "another epoch was settled while this one was computed; settle again",
                    "carry_changed");
    }
    Stmt up(db_,
            "INSERT INTO reward_carries(device_id, carry, epoch_start) VALUES (?, ?, ?) "
            "ON CONFLICT(device_id) DO UPDATE SET carry = excluded.carry, "
            "epoch_start = excluded.epoch_start");
    for (const RewardCarry& c : carry.carries) {
      sqlite3_reset(up.raw());
      up.Rebind();
      up.Bind(c.device_id).Bind(c.carry).Bind(c.epoch_start);
      HEARTH_RETURN_IF_ERROR(up.Exec("upsert reward carry"));
    }
    return Status::Ok();
  }

  Status InsertEntriesLocked(const std::vector<LedgerEntry>& entries) {
    int64_t next_id = 1;
    {
      Stmt q(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_entries");
      if (q.Step()) next_id = q.Int(0);
      HEARTH_RETURN_IF_ERROR(q.status("next ledger entry id"));
    }
    Stmt ins(db_,
             "INSERT INTO ledger_entries(id, txn, account, kind, amount, device_id, epoch_start, "
             "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const LedgerEntry& e : entries) {
      sqlite3_reset(ins.raw());
      ins.Rebind();
      std::optional<std::string> dev;
      if (e.device_id) dev = e.device_id->str();
      ins.Bind(next_id++)
          .Bind(e.txn)
          .Bind(e.account)
          .Bind(e.kind)
          .Bind(e.amount.micro())
          .Bind(dev)
          .Bind(e.epoch_start)
          .Bind(e.created_at);
      HEARTH_RETURN_IF_ERROR(ins.Exec("insert ledger entry"));
    }
    return Status::Ok();
  }

  StatusOr<Amount> BalanceLocked(const std::string& account) {
    Stmt s(db_, "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account = ?");
    s.Bind(account);
    if (s.Step()) return Amount::Micro(s.Int(0));
    HEARTH_RETURN_IF_ERROR(s.status("balance"));
    return Amount::Zero();
  }

  StatusOr<std::vector<Withdrawal>> ListWithdrawalsLocked(const std::string& where,
                                                          const std::string& arg) {
    Stmt s(db_,
           "SELECT id, owner_id, amount, address, state, COALESCE(batch_id, ''), created_at, "
           "updated_at FROM withdrawals WHERE " +
               where + " ORDER BY created_at, id");
    if (!arg.empty()) s.Bind(arg);
    std::vector<Withdrawal> out;
    while (s.Step()) {
      Withdrawal w;
      w.id = s.Text(0);
      w.owner_id = AccountId(s.Text(1));
      w.amount = Amount::Micro(s.Int(2));
      w.address = s.Text(3);
      const std::string st = s.Text(4);
      w.state = st == "batched"  ? WithdrawalState::kBatched
                : st == "paid"   ? WithdrawalState::kPaid
                : st == "failed" ? WithdrawalState::kFailed
                                 : WithdrawalState::kRequested;
      w.batch_id = s.Text(5);
      w.created_at = s.Time(6);
      w.updated_at = s.Time(7);
      out.push_back(std::move(w));
    }
    HEARTH_RETURN_IF_ERROR(s.status("list withdrawals"));
    return out;
  }

  StatusOr<PayoutBatch> GetBatchLocked(const std::string& id) {
    Stmt s(db_,
           "SELECT id, state, tx_json, tx_hash, total, created_at, updated_at "
           "FROM payout_batches WHERE id = ?");
    s.Bind(id);
    if (!s.Step()) {
      HEARTH_RETURN_IF_ERROR(s.status("get payout batch"));
      return Status::NotFound("no such payout batch");
    }
    PayoutBatch b;
    b.id = s.Text(0);
    const std::string st = s.Text(1);
    b.state = st == "paid"     ? BatchState::kPaid
              : st == "failed" ? BatchState::kFailed
                               : BatchState::kExported;
    b.tx_json = s.Text(2);
    b.tx_hash = s.Text(3);
    b.total = Amount::Micro(s.Int(4));
    b.created_at = s.Time(5);
    b.updated_at = s.Time(6);
    HEARTH_ASSIGN_OR_RETURN(b.withdrawals, ListWithdrawalsLocked("batch_id = ?", id));
    return b;
  }

  StatusOr<Device> EnrollLocked(const std::string& key_hash, Timestamp now, Device device) {
    Stmt q(db_, "SELECT " + std::string(kKeyColumns) + " FROM install_keys WHERE key_hash = ?");
    q.Bind(key_hash);
    if (!q.Step()) {
      HEARTH_RETURN_IF_ERROR(q.status("find install key"));
      return Status::Unauthenticated(
          "this install key does not exist; check the words, or create a new key in the portal",
          "install_key_unknown");
    }
    const InstallKeyRecord k = ReadKey(q);
    if (k.used_at) {
      return Status::FailedPrecondition(
          "install_key_used", "this install key was already used; create a new key in the portal",
          "install_key");
    }
    if (k.revoked_at) {
      return Status::FailedPrecondition(
          "install_key_revoked", "this install key was revoked; create a new key in the portal",
          "install_key");
    }
    if (now >= k.expires_at) {
      return Status::FailedPrecondition("install_key_expired",
                                        "this install key expired at " +
                                            FormatRfc3339(k.expires_at) +
                                            "; create a new key in the portal",
                                        "install_key");
    }
    device.owner_id = k.owner_id;
    if (device.role != "worker") {
      Stmt o(db_, "SELECT role FROM accounts WHERE id = ?");
      o.Bind(k.owner_id);
      bool admin = o.Step() && o.Text(0) == "admin";
      HEARTH_RETURN_IF_ERROR(o.status("find key owner"));
      if (!admin && device.role == "gateway" && !device.endpoint.empty()) {
        // A region's admin (e.g. the volunteer approved to bootstrap it) enrolls the gateways
        // its catalog entry names.
        Stmt g(db_, "SELECT gateways FROM regions WHERE admin_account_id = ?");
        g.Bind(k.owner_id);
        while (!admin && g.Step()) {
          const std::vector<std::string> gateways = SplitList(g.Text(0));
          admin = std::find(gateways.begin(), gateways.end(), device.endpoint) != gateways.end();
        }
        HEARTH_RETURN_IF_ERROR(g.status("find the key owner's regions"));
      }
      if (!admin) {
        return Status(Code::kPermissionDenied,
                      "a " + device.role +
                          " must be enrolled with an install key created by an admin (or, for a "
                          "gateway, by the admin of the region whose catalog lists its "
                          "endpoint); ask an admin for one, or join as a worker",
                      "role_needs_admin_key", "role");
      }
    }
    Stmt ins(db_, "INSERT INTO devices(" + std::string(kDeviceInsertColumns) +
                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.Bind(device.id)
        .Bind(device.owner_id)
        .Bind(device.name)
        .Bind(device.role)
        .Bind(device.credential_hash)
        .Bind(device.wg_public_key)
        .Bind(device.identity_public_key)
        .Bind(device.agent_version)
        .Bind(device.inventory_json)
        .Bind(device.enrolled_at)
        .Bind(device.last_seen)
        .Bind(device.last_heartbeat_json)
        .Bind(device.removed_at)
        .Bind(device.endpoint)
        .Bind(device.placement_evidence_json);
    HEARTH_RETURN_IF_ERROR(ins.Exec("insert device"));
    Stmt upd(db_, "UPDATE install_keys SET used_at = ?, used_by = ? WHERE id = ?");
    upd.Bind(now).Bind(device.id).Bind(k.id);
    HEARTH_RETURN_IF_ERROR(upd.Exec("mark install key used"));
    return device;
  }

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace

StatusOr<StorePtr> OpenSqliteStore(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Status::Unavailable("cannot open database '" + path + "': " + msg +
                               "; check that the --data directory exists and is writable");
  }
  auto store = std::make_unique<SqliteStore>(db);
  HEARTH_RETURN_IF_ERROR(store->Init().WithContext("open database '" + path + "'"));
  return StorePtr(std::move(store));
}

}  // namespace hearth::store
