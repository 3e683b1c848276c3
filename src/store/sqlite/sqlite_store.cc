#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <mutex>
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
    "applied_version, applied_error, gateway_down_at, placement_evidence_json, placement_json, "
    "waitlist_cell";

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
  d.placement_evidence_json = s.Text(22);
  d.placement_json = s.Text(23);
  d.waitlist_cell = s.Text(24);
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
  StatusOr<std::map<DeviceId, int64_t>> HomedWorkerCounts(const std::string& region) override {
    Stmt s(db_,
           "SELECT home_gateway_id, COUNT(*) FROM devices WHERE region_id = ? AND role = 'worker' "
           "AND removed_at IS NULL AND home_gateway_id IS NOT NULL GROUP BY home_gateway_id");
    s.Bind(region);
    std::map<DeviceId, int64_t> out;
    while (s.Step()) out[DeviceId(s.Text(0))] = s.Int(1);
    HEARTH_RETURN_IF_ERROR(s.status("count homed workers"));
    return out;
  }
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
    Stmt s(db_,
           "UPDATE devices SET removed_at = ?, home_gateway_id = NULL WHERE id = ? AND "
           "removed_at IS NULL");
    s.Bind(now).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("remove device"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
    return Status::Ok();
  }
  Status BumpVersion(const DeviceId& id) override {
    Stmt s(db_, "UPDATE devices SET config_version = config_version + 1 WHERE id = ?");
    s.Bind(id);
    return s.Exec("bump config version");
  }

 private:
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
    int current = 0;
    {
      Stmt s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (s.Step()) current = static_cast<int>(s.Int(0));
      HEARTH_RETURN_IF_ERROR(s.status("read schema version"));
    }
    const int newest = Migrations().empty() ? 0 : Migrations().back().version;
    if (current > newest) {
      return Status::FailedPrecondition(
          "schema_too_new", "the database has schema version " + std::to_string(current) +
                                " but this hearth knows only up to " + std::to_string(newest) +
                                "; run a newer hearth or restore a backup");
    }
    for (const Migration& m : Migrations()) {
      if (m.version <= current) continue;
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
    Stmt s(db_,
           "UPDATE devices SET last_seen = ?, agent_version = ?, last_heartbeat_json = ? "
           "WHERE id = ? AND removed_at IS NULL");
    s.Bind(hb.at).Bind(hb.agent_version).Bind(hb.payload_json).Bind(id);
    HEARTH_RETURN_IF_ERROR(s.Exec("record heartbeat"));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("no such device");
    return Status::Ok();
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
  StatusOr<int64_t> ConfigVersion(const DeviceId& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s(db_, "SELECT config_version FROM devices WHERE id = ?");
    s.Bind(id);
    if (s.Step()) return s.Int(0);
    HEARTH_RETURN_IF_ERROR(s.status("read config version"));
    return Status::NotFound("no such device");
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
      const bool admin = o.Step() && o.Text(0) == "admin";
      HEARTH_RETURN_IF_ERROR(o.status("find key owner"));
      if (!admin) {
        return Status(Code::kPermissionDenied,
                      "a " + device.role +
                          " must be enrolled with an install key created by an admin; ask an "
                          "admin for one, or join as a worker",
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
