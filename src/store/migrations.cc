#include "store/migrations.h"

namespace hearth::store {

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "accounts_sessions_install_keys_devices", R"sql(
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions(expires_at);
CREATE TABLE install_keys (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES accounts(id),
  key_hash TEXT NOT NULL UNIQUE,
  hint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  used_by TEXT,
  revoked_at BIGINT
);
CREATE INDEX install_keys_owner ON install_keys(owner_id);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  credential_hash TEXT NOT NULL UNIQUE,
  wg_public_key TEXT NOT NULL,
  identity_public_key TEXT NOT NULL,
  agent_version TEXT NOT NULL,
  inventory_json TEXT NOT NULL,
  enrolled_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  last_heartbeat_json TEXT NOT NULL,
  removed_at BIGINT
);
CREATE INDEX devices_owner ON devices(owner_id)
)sql"},
      {2, "overlay_network", R"sql(
CREATE TABLE regions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  overlay_prefix TEXT NOT NULL,
  pod_prefix TEXT NOT NULL,
  service_prefix TEXT NOT NULL,
  pod_cidr_length INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE address_claims (
  pool TEXT NOT NULL,
  idx BIGINT NOT NULL,
  device_id TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  PRIMARY KEY (pool, idx)
);
CREATE INDEX address_claims_device ON address_claims(device_id);
CREATE TABLE address_cursors (
  pool TEXT PRIMARY KEY,
  next_idx BIGINT NOT NULL
);
ALTER TABLE devices ADD COLUMN region_id TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN overlay_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN pod_cidr TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN home_gateway_id TEXT;
ALTER TABLE devices ADD COLUMN config_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN applied_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN applied_error TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN gateway_down_at BIGINT;
ALTER TABLE devices ADD COLUMN homed_workers BIGINT NOT NULL DEFAULT 0;
CREATE INDEX devices_home_gateway ON devices(home_gateway_id);
CREATE INDEX devices_region_role ON devices(region_id, role)
)sql"},
      // Rewards ledger (issue 6). Amounts are integer micro-units; ledger entries of one txn sum
      // to zero; an epoch row and its entries are written in one transaction.
      {3, "rewards_ledger", R"sql(
CREATE TABLE uptime_intervals (
  device_id TEXT NOT NULL REFERENCES devices(id),
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  PRIMARY KEY (device_id, start_at)
);
CREATE INDEX uptime_intervals_end ON uptime_intervals(end_at);
CREATE TABLE epoch_revenue (
  epoch_start BIGINT PRIMARY KEY,
  amount BIGINT NOT NULL,
  source TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  attributed_json TEXT NOT NULL,
  entered_at BIGINT NOT NULL
);
CREATE TABLE epochs (
  epoch_start BIGINT PRIMARY KEY,
  epoch_end BIGINT NOT NULL,
  policy_version TEXT NOT NULL,
  input_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  settled_at BIGINT NOT NULL
);
CREATE TABLE ledger_entries (
  id BIGINT PRIMARY KEY,
  txn TEXT NOT NULL,
  account TEXT NOT NULL,
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL,
  device_id TEXT,
  epoch_start BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries(account, epoch_start);
CREATE INDEX ledger_entries_epoch ON ledger_entries(epoch_start);
CREATE INDEX ledger_entries_txn ON ledger_entries(txn);
CREATE TABLE payout_addresses (
  owner_id TEXT PRIMARY KEY REFERENCES accounts(id),
  address TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE payout_batches (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  tx_json TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  total BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE withdrawals (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES accounts(id),
  amount BIGINT NOT NULL,
  address TEXT NOT NULL,
  state TEXT NOT NULL,
  batch_id TEXT REFERENCES payout_batches(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX withdrawals_owner ON withdrawals(owner_id);
CREATE INDEX withdrawals_state ON withdrawals(state)
)sql"},
      {4, "region_catalog", R"sql(
ALTER TABLE regions ADD COLUMN location_region TEXT NOT NULL DEFAULT '';
ALTER TABLE regions ADD COLUMN centre_lat REAL NOT NULL DEFAULT 0;
ALTER TABLE regions ADD COLUMN centre_lon REAL NOT NULL DEFAULT 0;
ALTER TABLE regions ADD COLUMN countries TEXT NOT NULL DEFAULT '';
ALTER TABLE regions ADD COLUMN max_workers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE regions ADD COLUMN hardware_policy TEXT NOT NULL DEFAULT 'mixed';
ALTER TABLE regions ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE regions ADD COLUMN kube_api_endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE regions ADD COLUMN kube_ca_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE regions ADD COLUMN gateways TEXT NOT NULL DEFAULT '';
ALTER TABLE regions ADD COLUMN admin_account_id TEXT;
ALTER TABLE regions ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN placement_evidence_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE devices ADD COLUMN placement_json TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN waitlist_cell TEXT NOT NULL DEFAULT ''
)sql"},
      // What admins decided about a device (cordon, drain, ban) and what its regional cluster
      // reports about its Node (written by coordinator/kube).
      {5, "device_admin_state", R"sql(
ALTER TABLE devices ADD COLUMN admin_state TEXT NOT NULL DEFAULT 'active';
ALTER TABLE devices ADD COLUMN admin_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN admin_state_at BIGINT;
ALTER TABLE devices ADD COLUMN k8s_state TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN k8s_json TEXT NOT NULL DEFAULT '{}'
)sql"},
      // Regions (issue 4): proposals raised by full waitlist cells, volunteers to host them, and
      // the admin event log with its webhook outbox.
      {6, "region_proposals_events", R"sql(
CREATE TABLE region_proposals (
  id TEXT PRIMARY KEY,
  cell TEXT NOT NULL UNIQUE,
  country TEXT NOT NULL,
  status TEXT NOT NULL,
  devices BIGINT NOT NULL,
  gpus BIGINT NOT NULL,
  region_id TEXT NOT NULL,
  volunteer_account_id TEXT REFERENCES accounts(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE region_volunteers (
  proposal_id TEXT NOT NULL REFERENCES region_proposals(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  details_json TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (proposal_id, account_id)
);
CREATE TABLE admin_events (
  id BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  region_id TEXT NOT NULL,
  proposal_id TEXT NOT NULL,
  message TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  webhook_state TEXT NOT NULL,
  webhook_attempts BIGINT NOT NULL,
  webhook_next_at BIGINT NOT NULL
);
CREATE INDEX admin_events_webhook ON admin_events(webhook_state, webhook_next_at);
CREATE INDEX devices_waitlist_cell ON devices(waitlist_cell)
)sql"},
      // Kubernetes (issue 5): each worker's node identity and join token, and the pods of Akash
      // leases that ran on edge nodes (pod attribution).
      {7, "kube_nodes_pod_runs", R"sql(
CREATE TABLE kube_nodes (
  device_id TEXT PRIMARY KEY REFERENCES devices(id),
  region_id TEXT NOT NULL,
  generation BIGINT NOT NULL,
  node_name TEXT NOT NULL UNIQUE,
  token_id TEXT NOT NULL,
  token_secret TEXT NOT NULL,
  token_expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  retired_at BIGINT
);
CREATE INDEX kube_nodes_region ON kube_nodes(region_id);
CREATE TABLE pod_runs (
  uid TEXT PRIMARY KEY,
  region_id TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  node_name TEXT NOT NULL,
  device_id TEXT NOT NULL,
  lease_id TEXT NOT NULL,
  cpu_millis BIGINT NOT NULL,
  memory_bytes BIGINT NOT NULL,
  gpus BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  stopped_at BIGINT
);
CREATE INDEX pod_runs_started ON pod_runs(started_at);
CREATE INDEX pod_runs_open ON pod_runs(region_id, stopped_at)
)sql"},
      // Rewards carry: each device's accrued sub-unit share (coordinator/rewards/split.h).
      {8, "reward_carries", R"sql(
CREATE TABLE reward_carries (
  device_id TEXT PRIMARY KEY,
  carry BIGINT NOT NULL,
  epoch_start BIGINT NOT NULL
)
)sql"},
      // Hardware changes (issue 7): what a heartbeat's inventory changed (a GPU added or swapped,
      // memory, CPU, disks), for the device page's upgrade events.
      {9, "hardware_changes", R"sql(
CREATE TABLE hardware_changes (
  device_id TEXT NOT NULL REFERENCES devices(id),
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  changes_json TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
)
)sql"},
  };
  return kMigrations;
}

std::vector<Migration> PendingMigrations(const std::vector<Migration>& all,
                                         const std::set<int>& applied) {
  std::vector<Migration> out;
  for (const Migration& m : all) {
    if (applied.count(m.version) == 0) out.push_back(m);
  }
  return out;
}

}  // namespace hearth::store
