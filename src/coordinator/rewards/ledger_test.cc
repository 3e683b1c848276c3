// Ledger on a real SQLite file with a fake clock: uptime from heartbeats, idempotent and atomic
// settlement (including kill -9 mid-settlement), withdrawals and payout batches that move money
// exactly once, and the audit that re-derives an epoch.
#include "coordinator/rewards/ledger.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "agent/inventory/inventory.h"
#include "coordinator/rewards/payout.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::rewards {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kAddress = "akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akz";
constexpr const char* kProvider =
    "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0smz7g5x";

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-ledger-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    Open();
    policy_.probation = hours(1);
    policy_.op = {Amount::Micro(1000), 1000};
    policy_.usage_share_bps = 5000;
    policy_.min_withdrawal = Amount::Micro(100);
    // An epoch boundary, then time starts there.
    clock_ = std::make_unique<FakeClock>(FromUnixMillis(1'700'000'000'000 / 3'600'000 * 3'600'000));
    ledger_ = std::make_unique<Ledger>(*store_, *clock_, policy_);
  }
  void TearDown() override {
    ledger_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto s = store::OpenSqliteStore(dir_ + "/hearth.db");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  AccountId Owner(const std::string& id) {
    store::Account a{AccountId(id), id + "@example.com", "hash", store::Role::kOwner,
                     clock_->Now()};
    EXPECT_TRUE(store_->CreateAccount(a).ok());
    return a.id;
  }

  DeviceId Enroll(const AccountId& owner, const std::string& id, uint32_t cores) {
    store::InstallKeyRecord k{InstallKeyId("ik_" + id), owner, "hash-" + id, "w", clock_->Now(),
                              clock_->Now() + hours(1), {},    {},           {}};
    EXPECT_TRUE(store_->CreateInstallKey(k).ok());
    agent::Inventory inv;
    inv.hostname = id;
    inv.arch = "x86_64";
    inv.os = "linux";
    inv.kernel_version = "6.1";
    inv.cpu_model = "cpu";
    inv.cpu_cores = cores;
    inv.cpu_threads = cores;
    inv.memory_bytes = uint64_t{16} << 30;
    store::Device d;
    d.id = DeviceId(id);
    d.name = id;
    d.credential_hash = "cred-" + id;
    d.inventory_json = agent::InventoryToJson(inv).dump();
    d.enrolled_at = d.last_seen = clock_->Now();
    auto r = store_->EnrollDevice(k.key_hash, clock_->Now(), d);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return d.id;
  }

  // Heartbeats every 30 s for `d` of fake time, for every device in `devs`.
  void RunFor(Duration d, const std::vector<DeviceId>& devs) {
    for (Duration t{0}; t < d; t += seconds(30)) {
      for (const auto& id : devs) {
        ASSERT_TRUE(store_->RecordHeartbeat(id, {clock_->Now(), "1", "{}", minutes(5)}).ok());
      }
      clock_->Advance(seconds(30));
    }
  }

  Amount Bal(const std::string& account) { return *store_->Balance(account); }

  std::string dir_;
  store::StorePtr store_;
  std::unique_ptr<FakeClock> clock_;
  RewardPolicy policy_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, UptimeFromHeartbeatsCountsOnlineSecondsInTheEpoch) {
  const AccountId o = Owner("acc_a");
  const DeviceId d = Enroll(o, "dev_a", 4);
  const Timestamp start = clock_->Now();
  RunFor(minutes(30), {d});
  clock_->Advance(minutes(10));  // offline gap longer than the threshold
  RunFor(minutes(20), {d});
  auto iv = store_->ListUptime(start, start + hours(1));
  ASSERT_TRUE(iv.ok());
  ASSERT_EQ(iv->size(), 2U);  // the gap started a new interval
  // Intervals span first to last heartbeat: 29.5 min + 19.5 min.
  EXPECT_EQ(OnlineSeconds(*iv, start, start + hours(1)), (29 * 60 + 30) + (19 * 60 + 30));
  EXPECT_EQ(OnlineSeconds(*iv, start, start + minutes(15)), 15 * 60);
}

TEST_F(LedgerTest, RefusesAnEpochThatHasNotEnded) {
  const Timestamp start = clock_->Now();
  auto r = ledger_->SettleEpoch(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "epoch_not_final");
  clock_->Advance(hours(1));  // ended, but late heartbeats may still arrive
  EXPECT_EQ(ledger_->SettleEpoch(start).status().reason(), "epoch_not_final");
  EXPECT_EQ(ledger_->SettleEpoch(start + minutes(1)).status().field(), "epoch");
}

TEST_F(LedgerTest, SettlingTwiceChangesNothingAndBalances) {
  const AccountId a = Owner("acc_a"), b = Owner("acc_b");
  const DeviceId da = Enroll(a, "dev_a", 8), db = Enroll(b, "dev_b", 4);
  const DeviceId young = Enroll(b, "dev_c", 4);
  clock_->Advance(hours(1));  // dev_a, dev_b past probation; dev_c enrolls one epoch later
  (void)young;
  const Timestamp epoch = clock_->Now();
  RunFor(hours(1), {da, db});
  store::EpochRevenue rev{epoch, Amount::Micro(1'000'000),  "admin",
                          "{}",  {{da, Amount::Micro(10)}}, clock_->Now()};
  ASSERT_TRUE(store_->SetEpochRevenue(rev).ok());
  clock_->Advance(minutes(6));
  auto first = ledger_->SettleEpoch(epoch);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->booked);
  auto balances = store_->Balances();
  ASSERT_TRUE(balances.ok());
  int64_t sum = 0;
  for (const auto& [acct, amt] : *balances) sum += amt.micro();
  EXPECT_EQ(sum, 0);
  EXPECT_EQ(Bal("provider_revenue").micro(), -1'000'000);
  EXPECT_EQ(Bal("operator").micro(), 1000 + 100'000);
  EXPECT_GT(Bal(OwnerAccount(a)), Bal(OwnerAccount(b)));  // more cores and the usage pool
  EXPECT_EQ(
      Bal(OwnerAccount(a)).micro() + Bal(OwnerAccount(b)).micro() + Bal(kCarryAccount).micro(),
      1'000'000 - 101'000);
  EXPECT_LT(Bal(kCarryAccount).micro(), 2);  // at most one sub-unit share per device

  auto second = ledger_->SettleEpoch(epoch);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->booked);
  EXPECT_EQ(*store_->Balances(), *balances);
  EXPECT_EQ(*ledger_->SettlePending(), 0);  // nothing else has revenue or is old enough
  EXPECT_EQ(*store_->Balances(), *balances);
  // Revenue of a settled epoch cannot change.
  EXPECT_EQ(store_->SetEpochRevenue(rev).reason(), "epoch_settled");

  auto audit = ledger_->Audit(epoch);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  EXPECT_TRUE(audit->matches) << audit->ToJson().dump();
}

TEST_F(LedgerTest, LeaseRevenueIsAttributedByPodRunsUnlessAnAdminAttributedIt) {
  const AccountId a = Owner("acc_a"), b = Owner("acc_b");
  const DeviceId da = Enroll(a, "dev_a", 4), db = Enroll(b, "dev_b", 4);
  clock_->Advance(hours(1));
  const Timestamp epoch = clock_->Now();
  RunFor(hours(1), {da, db});
  // One lease's pods: on dev_a the whole epoch, on dev_b for the last quarter of it; another
  // lease ran on dev_b only before the epoch (attributes nothing here).
  const std::string lease = "akash1owner/7/1/1/akash1prov";
  auto run = [&](const std::string& uid, const DeviceId& d, Timestamp from,
                 std::optional<Timestamp> to, const std::string& l) {
    store::PodRun r;
    r.uid = uid;
    r.region_id = "default";
    r.ns = "ns";
    r.name = uid;
    r.node_name = "n";
    r.device_id = d;
    r.lease_id = l;
    r.cpu_millis = 1000;
    r.started_at = from;
    r.stopped_at = to;
    return r;
  };
  ASSERT_TRUE(
      store_
          ->RecordPodRuns({run("p1", da, epoch - minutes(5), std::nullopt, lease),
                           run("p2", db, epoch + minutes(45), epoch + hours(2), lease),
                           run("p3", db, epoch - hours(1), epoch - minutes(1), "x/1/1/1/p")},
                          {})
          .ok());
  const nlohmann::json detail = {
      {"total", 800'000},
      {"leases", {{{"lease_id", lease}, {"blocks", 600}, {"amount", 800'000}}}}};
  store::EpochRevenue rev{epoch, Amount::Micro(800'000), "leases", detail.dump(),
                          {},    clock_->Now()};
  ASSERT_TRUE(store_->SetEpochRevenue(rev).ok());
  auto in = ledger_->BuildEpochInput(epoch, policy_, {});
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  std::map<std::string, int64_t> attributed;
  for (const auto& d : in->devices) attributed[d.id.str()] = d.attributed_revenue.micro();
  EXPECT_EQ(attributed["dev_a"], 640'000);  // 4/5 of the lease's pod time
  EXPECT_EQ(attributed["dev_b"], 160'000);

  // An admin's attribution wins over the pods'.
  rev.attributed = {{db, Amount::Micro(5)}};
  ASSERT_TRUE(store_->SetEpochRevenue(rev).ok());
  in = ledger_->BuildEpochInput(epoch, policy_, {});
  ASSERT_TRUE(in.ok());
  for (const auto& d : in->devices) {
    EXPECT_EQ(d.attributed_revenue.micro(), d.id == db ? 5 : 0) << d.id;
  }
  // Settled from pod attribution, the epoch audits clean (the runs are raw facts it re-reads).
  rev.attributed.clear();
  ASSERT_TRUE(store_->SetEpochRevenue(rev).ok());
  clock_->Advance(minutes(6));
  auto settled = ledger_->SettleEpoch(epoch);
  ASSERT_TRUE(settled.ok()) << settled.status().ToString();
  EXPECT_GT(Bal(OwnerAccount(a)), Bal(OwnerAccount(b)));
  auto audit = ledger_->Audit(epoch);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->matches) << audit->ToJson().dump();
}

// Σ carries of every device, in 1/kCarryScale micro-units.
Int128 CarriesOf(store::Store& s) {
  auto state = s.ListCarries();
  EXPECT_TRUE(state.ok()) << state.status().ToString();
  Int128 sum = 0;
  if (state.ok()) {
    for (const store::RewardCarry& c : state->carries) sum += c.carry;
  }
  return sum;
}

TEST_F(LedgerTest, CarriesPayAnIdleDeviceOnASmallPoolAndTheCarryAccountHoldsThem) {
  // 3 uakt per epoch after the operator among a large device and a tiny idle one: the tiny
  // one's share is ~0.1 unit per epoch, paid once it has accrued a unit.
  policy_.op = {Amount::Zero(), 0};
  ledger_ = std::make_unique<Ledger>(*store_, *clock_, policy_);
  const AccountId a = Owner("acc_a"), b = Owner("acc_b");
  const DeviceId big = Enroll(a, "dev_big", 64), tiny = Enroll(b, "dev_tiny", 1);
  clock_->Advance(hours(1));
  const Timestamp first = clock_->Now();
  int epochs = 0;
  int64_t paid_after_first = -1;
  for (; epochs < 20; ++epochs) {
    const Timestamp e = first + hours(epochs);
    RunFor(hours(1), {big, tiny});
    ASSERT_TRUE(
        store_->SetEpochRevenue({e, Amount::Micro(3), "admin", "{}", {}, clock_->Now()}).ok());
    clock_->Advance(minutes(6));
    auto o = ledger_->SettleEpoch(e);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    ASSERT_TRUE(o->booked);
    clock_->Advance(-minutes(6));
    // The carry account holds exactly the devices' accrued sub-unit shares.
    EXPECT_TRUE(CarriesOf(*store_) ==
                static_cast<Int128>(Bal(kCarryAccount).micro()) * kCarryScale);
    auto audit = ledger_->Audit(e);
    ASSERT_TRUE(audit.ok()) << audit.status().ToString();
    EXPECT_TRUE(audit->matches) << audit->ToJson().dump();
    if (epochs == 0) paid_after_first = Bal(OwnerAccount(b)).micro();
  }
  EXPECT_EQ(paid_after_first, 0) << "the tiny device's first share is below one unit";
  EXPECT_GE(Bal(OwnerAccount(b)).micro(), 1) << "its accrued share was never paid";
  EXPECT_EQ(Bal("provider_revenue").micro(), -3 * epochs);
  EXPECT_EQ(
      Bal(OwnerAccount(a)).micro() + Bal(OwnerAccount(b)).micro() + Bal(kCarryAccount).micro(),
      3 * epochs);
  // The booked input records each carry_in and where it came from.
  auto rec = store_->GetEpoch(first + hours(1));
  const auto input = nlohmann::json::parse((*rec)->input_json);
  EXPECT_TRUE(input["split"]["carry"].get<bool>());
  EXPECT_EQ(input["carry_from"]["dev_tiny"].get<int64_t>(), ToUnixMillis(first));
}

TEST_F(LedgerTest, TheAuditFollowsTheChainOfCarries) {
  policy_.op = {Amount::Zero(), 0};
  ledger_ = std::make_unique<Ledger>(*store_, *clock_, policy_);
  const AccountId a = Owner("acc_a");
  const DeviceId d1 = Enroll(a, "dev_1", 3), d2 = Enroll(a, "dev_2", 7);
  clock_->Advance(hours(1));
  const Timestamp e1 = clock_->Now(), e2 = e1 + hours(1);
  for (const Timestamp e : {e1, e2}) {
    RunFor(hours(1), {d1, d2});
    ASSERT_TRUE(
        store_->SetEpochRevenue({e, Amount::Micro(1001), "admin", "{}", {}, clock_->Now()}).ok());
    clock_->Advance(minutes(6));
    ASSERT_TRUE(ledger_->SettleEpoch(e).ok());
    clock_->Advance(-minutes(6));
  }
  ASSERT_TRUE(ledger_->Audit(e2)->matches);
  ASSERT_NE(CarriesOf(*store_), 0) << "the shares should leave a carry";
  // A carry changed behind the ledger's back breaks the carry account's balance.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/hearth.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE reward_carries SET carry = carry + 1 WHERE device_id = 'dev_1'",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  auto audit = ledger_->Audit(e2);
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->matches);
  // ... and the next epoch settled on it no longer chains to what e2 booked.
  const Timestamp e3 = e2 + hours(1);
  RunFor(hours(1), {d1, d2});
  ASSERT_TRUE(
      store_->SetEpochRevenue({e3, Amount::Micro(1001), "admin", "{}", {}, clock_->Now()}).ok());
  clock_->Advance(minutes(6));
  ASSERT_TRUE(ledger_->SettleEpoch(e3).ok());
  audit = ledger_->Audit(e3);
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->matches);
  bool chain = false;
  for (const std::string& d : audit->differences) {
    chain = chain || d.find("dev_1's carry_in is not the carry_out") != std::string::npos;
  }
  EXPECT_TRUE(chain) << audit->ToJson().dump();
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE reward_carries SET carry = carry - 1 WHERE device_id = 'dev_1'",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(LedgerTest, TheAuditShowsWhyADeviceWasIneligible) {
  const AccountId a = Owner("acc_a");
  const DeviceId old_dev = Enroll(a, "dev_old", 4);
  clock_->Advance(minutes(30));
  const DeviceId young = Enroll(a, "dev_young", 4);  // enrolled 30 min later: still in probation
  clock_->Advance(minutes(30));
  const Timestamp e = clock_->Now();
  RunFor(hours(1), {old_dev, young});
  ASSERT_TRUE(
      store_->SetEpochRevenue({e, Amount::Micro(500'000), "admin", "{}", {}, clock_->Now()}).ok());
  clock_->Advance(minutes(6));
  ASSERT_TRUE(ledger_->SettleEpoch(e).ok());
  const auto input = nlohmann::json::parse((*store_->GetEpoch(e))->input_json);
  std::string reason;
  for (const auto& d : input["split"]["devices"]) {
    if (d["id"] == "dev_young") reason = d.value("ineligible_reason", "");
    if (d["id"] == "dev_old") {
      EXPECT_FALSE(d.contains("ineligible_reason"));
    }
  }
  EXPECT_EQ(reason.substr(0, 20), "probation: enrolled ");
  auto audit = ledger_->Audit(e);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->matches) << audit->ToJson().dump();
  ASSERT_EQ(audit->ineligible.size(), 1U);
  EXPECT_EQ(audit->ineligible[0].first, young);
  EXPECT_EQ(audit->ineligible[0].second, reason);
  EXPECT_EQ(audit->ToJson()["ineligible"][0]["reason"], reason);
}

TEST_F(LedgerTest, BannedAndUnverifiedDevicesEarnNothingAndSayWhy) {
  const AccountId a = Owner("acc_a");
  const DeviceId good = Enroll(a, "dev_good", 4), banned = Enroll(a, "dev_banned", 4),
                 fake = Enroll(a, "dev_fake", 8);
  clock_->Advance(hours(1));
  const Timestamp e = clock_->Now();
  ASSERT_TRUE(store_->SetAdminState(banned, "banned", "abuse", clock_->Now()).ok());
  // Its Node reports 2 CPUs while the inventory claims 8.
  ASSERT_TRUE(
      store_
          ->SetKubeState(fake, "ready",
                         R"({"node":"hearth-fake-1","capacity":{"cpu":"2","memory":"16Gi"}})")
          .ok());
  RunFor(hours(1), {good, banned, fake});
  ASSERT_TRUE(
      store_->SetEpochRevenue({e, Amount::Micro(500'000), "admin", "{}", {}, clock_->Now()}).ok());
  clock_->Advance(minutes(6));
  ASSERT_TRUE(ledger_->SettleEpoch(e).ok());
  EXPECT_GT(Bal(OwnerAccount(a)).micro(), 0);
  const auto result = nlohmann::json::parse((*store_->GetEpoch(e))->result_json);
  for (const auto& alloc : result["allocations"]) {
    if (alloc["id"] != "dev_good") {
      EXPECT_EQ(alloc["total"].get<int64_t>(), 0) << alloc.dump();
    }
  }
  auto audit = ledger_->Audit(e);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->matches) << audit->ToJson().dump();
  ASSERT_EQ(audit->ineligible.size(), 2U);
  EXPECT_EQ(audit->ineligible[0].first, banned);  // in id order
  EXPECT_EQ(audit->ineligible[0].second.substr(0, 14), "banned: since ");
  EXPECT_EQ(audit->ineligible[1].first, fake);
  EXPECT_EQ(audit->ineligible[1].second,
            "hardware_unverified: the inventory claims 8 CPUs, Kubernetes reports capacity cpu 2");
}

TEST_F(LedgerTest, AuditDetectsATamperedEntry) {
  const AccountId a = Owner("acc_a");
  const DeviceId da = Enroll(a, "dev_a", 8);
  clock_->Advance(hours(1));
  const Timestamp epoch = clock_->Now();
  RunFor(hours(1), {da});
  ASSERT_TRUE(
      store_->SetEpochRevenue({epoch, Amount::Micro(500'000), "admin", "{}", {}, clock_->Now()})
          .ok());
  clock_->Advance(minutes(6));
  ASSERT_TRUE(ledger_->SettleEpoch(epoch).ok());
  ASSERT_TRUE(ledger_->Audit(epoch)->matches);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/hearth.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE ledger_entries SET amount = amount + 1 WHERE kind = 'participation'",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto audit = ledger_->Audit(epoch);
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->matches);
  EXPECT_GE(audit->differences.size(), 1U);
}

TEST_F(LedgerTest, SettlePendingBooksEveryFinalEpochOnce) {
  const AccountId a = Owner("acc_a");
  const DeviceId da = Enroll(a, "dev_a", 8);
  RunFor(hours(3), {da});
  const Timestamp first = ledger_->EpochStartOf(clock_->Now()) - hours(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        store_
            ->SetEpochRevenue(
                {first + hours(i), Amount::Micro(100'000), "admin", "{}", {}, clock_->Now()})
            .ok());
  }
  clock_->Advance(minutes(6));
  auto n = ledger_->SettlePending();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(*ledger_->SettlePending(), 0);
  EXPECT_EQ(Bal("provider_revenue").micro(), -300'000);
}

TEST_F(LedgerTest, WithdrawalExportPaidMovesFundsExactlyOnce) {
  const AccountId a = Owner("acc_a");
  const std::string owner = OwnerAccount(a), flight = InFlightAccount(a);
  // Credit the owner through a booked epoch.
  ASSERT_TRUE(store_
                  ->SettleEpoch(
                      {clock_->Now(), clock_->Now() + hours(1), "pol_x", "{}", "{}", clock_->Now()},
                      {{0,
                        "epoch:1",
                        "provider_revenue",
                        "revenue",
                        Amount::Micro(-5000),
                        {},
                        clock_->Now(),
                        clock_->Now()},
                       {0, "epoch:1", owner, "participation", Amount::Micro(5000),
                        DeviceId("dev_a"), clock_->Now(), clock_->Now()}},
                      nullptr)
                  .ok());
  ASSERT_TRUE(store_->SetPayoutAddress(a, kAddress, clock_->Now()).ok());
  store::Withdrawal w{"wd_1", a,  Amount::Micro(6000), kAddress,
                      {},     "", clock_->Now(),       clock_->Now()};
  EXPECT_EQ(store_->RequestWithdrawal(w).reason(), "insufficient_balance");
  w.amount = Amount::Micro(3000);
  ASSERT_TRUE(store_->RequestWithdrawal(w).ok());
  EXPECT_EQ(Bal(owner).micro(), 2000);
  EXPECT_EQ(Bal(flight).micro(), 3000);
  w.id = "wd_2";
  w.amount = Amount::Micro(2001);
  EXPECT_EQ(store_->RequestWithdrawal(w).reason(), "insufficient_balance");  // no overdraft

  PayoutConfig pc;
  pc.from_address = kProvider;
  auto make_tx = [&](const std::vector<store::Withdrawal>& ws) -> StatusOr<std::string> {
    HEARTH_ASSIGN_OR_RETURN(nlohmann::json tx, BuildMultiSendTx(pc, ws, "m"));
    return tx.dump();
  };
  auto batch = store_->CreatePayoutBatch("pb_1", clock_->Now(), make_tx);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->withdrawals.size(), 1U);
  const auto tx = nlohmann::json::parse(batch->tx_json);
  const auto& msg = tx["body"]["messages"][0];
  EXPECT_EQ(msg["@type"], "/cosmos.bank.v1beta1.MsgMultiSend");
  EXPECT_EQ(msg["inputs"][0]["address"], kProvider);
  EXPECT_EQ(msg["inputs"][0]["coins"][0]["amount"], "3000");
  EXPECT_EQ(msg["outputs"][0]["address"], kAddress);
  EXPECT_EQ(msg["outputs"][0]["coins"][0]["denom"], "uakt");
  EXPECT_TRUE(tx["signatures"].empty());
  // The withdrawal is claimed: a second export has nothing to pay.
  EXPECT_EQ(store_->CreatePayoutBatch("pb_2", clock_->Now(), make_tx).status().reason(),
            "nothing_to_pay");

  const std::string hash(64, 'A');
  ASSERT_TRUE(store_->FinishPayoutBatch("pb_1", true, hash, clock_->Now()).ok());
  EXPECT_EQ(Bal(flight).micro(), 0);
  EXPECT_EQ(Bal("paid").micro(), 3000);
  // Marking paid again is a no-op; failing a paid batch is refused; nothing moves twice.
  ASSERT_TRUE(store_->FinishPayoutBatch("pb_1", true, hash, clock_->Now()).ok());
  EXPECT_EQ(store_->FinishPayoutBatch("pb_1", false, "", clock_->Now()).status().reason(),
            "batch_finished");
  EXPECT_EQ(store_->FinishPayoutBatch("pb_1", true, std::string(64, 'B'), clock_->Now())
                .status()
                .reason(),
            "batch_finished");
  EXPECT_EQ(Bal("paid").micro(), 3000);
  EXPECT_EQ(Bal(owner).micro(), 2000);
  auto ws = store_->ListWithdrawals(a);
  ASSERT_EQ(ws->size(), 1U);
  EXPECT_EQ((*ws)[0].state, store::WithdrawalState::kPaid);
}

TEST_F(LedgerTest, FailedPayoutReturnsTheFunds) {
  const AccountId a = Owner("acc_a");
  const std::string owner = OwnerAccount(a);
  ASSERT_TRUE(store_
                  ->SettleEpoch(
                      {clock_->Now(), clock_->Now() + hours(1), "pol_x", "{}", "{}", clock_->Now()},
                      {{0,
                        "epoch:1",
                        "provider_revenue",
                        "revenue",
                        Amount::Micro(-800),
                        {},
                        clock_->Now(),
                        clock_->Now()},
                       {0, "epoch:1", owner, "usage", Amount::Micro(800), DeviceId("dev_a"),
                        clock_->Now(), clock_->Now()}},
                      nullptr)
                  .ok());
  ASSERT_TRUE(
      store_
          ->RequestWithdrawal(
              {"wd_1", a, Amount::Micro(800), kAddress, {}, "", clock_->Now(), clock_->Now()})
          .ok());
  EXPECT_EQ(Bal(owner).micro(), 0);
  auto batch = store_->CreatePayoutBatch(
      "pb_1", clock_->Now(), [](const std::vector<store::Withdrawal>&) -> StatusOr<std::string> {
        return std::string("{}");
      });
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(store_->FinishPayoutBatch("pb_1", false, "", clock_->Now()).ok());
  EXPECT_EQ(Bal(owner).micro(), 800);
  EXPECT_EQ(Bal(InFlightAccount(a)).micro(), 0);
  EXPECT_EQ(Bal("paid").micro(), 0);
  EXPECT_EQ(store_->FinishPayoutBatch("pb_1", true, std::string(64, 'C'), clock_->Now())
                .status()
                .reason(),
            "batch_finished");
  // The returned funds can be withdrawn again.
  EXPECT_TRUE(
      store_
          ->RequestWithdrawal(
              {"wd_2", a, Amount::Micro(800), kAddress, {}, "", clock_->Now(), clock_->Now()})
          .ok());
}

// A child process books large epochs in a loop and is killed with SIGKILL mid-way; after
// reopening, every epoch is either fully booked (record + all entries, summing to zero, + the
// devices' carries) or absent, and no entry or carry exists without its epoch.
TEST_F(LedgerTest, KillDuringSettlementLeavesEachEpochAllOrNothing) {
  constexpr int kEntries = 100'000;
  constexpr int kCarries = 10'000;
  store_.reset();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto s = store::OpenSqliteStore(dir_ + "/hearth.db");
    if (!s.ok()) _exit(1);
    for (int64_t k = 0;; ++k) {
      const Timestamp start = FromUnixMillis(k * 3'600'000);
      std::vector<store::LedgerEntry> entries;
      entries.reserve(kEntries);
      const std::string txn = "epoch:" + std::to_string(k * 3'600'000);
      for (int i = 0; i < kEntries - 1; ++i) {
        entries.push_back({0, txn, "owner:acc_" + std::to_string(i), "participation",
                           Amount::Micro(1), DeviceId("dev_" + std::to_string(i)), start, start});
      }
      entries.push_back({0,
                         txn,
                         "provider_revenue",
                         "revenue",
                         Amount::Micro(-(kEntries - 1)),
                         {},
                         start,
                         start});
      // Every epoch also moves 10,000 devices' carries to k + 1.
      store::CarryUpdate carry{k, {}};
      for (int i = 0; i < kCarries; ++i) {
        carry.carries.push_back({DeviceId("dev_" + std::to_string(i)), k + 1, start});
      }
      const char tick = 'k';
      if (write(fds[1], &tick, 1) != 1) _exit(1);
      (void)(*s)->SettleEpoch({start, start + hours(1), "pol_x", "{}", "{}", start}, entries,
                              &carry);
    }
  }
  close(fds[1]);
  char buf = 0;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(read(fds[0], &buf, 1), 1);  // third epoch under way
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status));

  Open();
  auto epochs = store_->ListEpochs(FromUnixMillis(0), FromUnixMillis(int64_t{1} << 50));
  ASSERT_TRUE(epochs.ok());
  EXPECT_GE(epochs->size(), 2U);
  for (const auto& e : *epochs) {
    store::EntryFilter f;
    f.txn = "epoch:" + std::to_string(ToUnixMillis(e.start));
    auto entries = store_->ListEntries(f);
    ASSERT_TRUE(entries.ok());
    EXPECT_EQ(entries->size(), static_cast<size_t>(kEntries));
    int64_t sum = 0;
    for (const auto& le : *entries) sum += le.amount.micro();
    EXPECT_EQ(sum, 0);
  }
  auto balances = store_->Balances();
  ASSERT_TRUE(balances.ok());
  EXPECT_EQ((*balances)["provider_revenue"].micro(),
            -static_cast<int64_t>(epochs->size()) * (kEntries - 1));
  // The carries are those of the last booked epoch, for every device: none half-written.
  auto carries = store_->ListCarries();
  ASSERT_TRUE(carries.ok());
  EXPECT_EQ(carries->generation, static_cast<int64_t>(epochs->size()));
  ASSERT_EQ(carries->carries.size(), static_cast<size_t>(kCarries));
  for (const store::RewardCarry& c : carries->carries) {
    EXPECT_EQ(c.carry, static_cast<int64_t>(epochs->size()));
    EXPECT_EQ(c.epoch_start, epochs->back().start);
  }
}

}  // namespace
}  // namespace hearth::rewards
