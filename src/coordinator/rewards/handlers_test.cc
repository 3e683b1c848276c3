// The rewards routes through the coordinator's router with a fake clock and an in-memory
// store: earnings JSON and CSV, payout address checks, withdrawals, batch export and marking.
#include "coordinator/rewards/handlers.h"

#include <gtest/gtest.h>

#include "agent/inventory/inventory.h"
#include "coordinator/coordinator.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::rewards {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kAddress = "akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akz";

class RewardsRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStore(":memory:");
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened).value();
    clock_ = std::make_unique<FakeClock>(FromUnixMillis(1'700'000'000'000 / 3'600'000 * 3'600'000));
    coordinator::Config cfg;
    cfg.rewards.probation = Duration(0);
    cfg.rewards.op = {Amount::Zero(), 1000};  // 10 % fee
    cfg.rewards.min_withdrawal = Amount::Micro(1000);
    cfg.payout.from_address = "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0smz7g5x";
    coord_ = std::make_unique<coordinator::Coordinator>(cfg, *store_, *clock_, random_);
    ASSERT_TRUE(
        coord_->BootstrapAdmin("admin@example.com", Secret<std::string>("admin-password-1")).ok());
    admin_ = Login("admin@example.com", "admin-password-1");
    ASSERT_EQ(Call("POST", "/v1/accounts", "",
                   R"({"email":"o@example.com","password":"owner-password-1"})")
                  .status,
              201);
    owner_ = Login("o@example.com", "owner-password-1");
  }

  std::string Login(const std::string& email, const std::string& password) {
    auto r = coord_->context().auth.Login(email, Secret<std::string>(password));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->second.token.Reveal() : "";
  }

  http::Response Call(const std::string& method, const std::string& target,
                      const std::string& token, const std::string& body = "") {
    http::Request req;
    req.method = method;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string kv = rest.substr(0, amp);
        const auto eq = kv.find('=');
        req.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
      }
    }
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    req.body = body;
    req.remote_address = "127.0.0.1";
    auto m = coord_->router().Find(&req);
    if (!m.handler) {
      http::Response none;
      none.status = m.status;
      return none;
    }
    return (*m.handler)(req);
  }

  nlohmann::json J(const http::Response& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  store::StorePtr store_;
  std::unique_ptr<FakeClock> clock_;
  SeededRandom random_{7};
  std::unique_ptr<coordinator::Coordinator> coord_;
  std::string admin_, owner_;
};

TEST_F(RewardsRoutesTest, EarningsWithdrawalAndPayoutEndToEnd) {
  // A device of the owner, online for a whole epoch.
  auto owner = store_->FindAccountByEmail("o@example.com");
  ASSERT_TRUE(owner.ok());
  store::InstallKeyRecord k{InstallKeyId("ik_1"),     owner->id, "kh", "w", clock_->Now(),
                            clock_->Now() + hours(1), {},        {},   {}};
  ASSERT_TRUE(store_->CreateInstallKey(k).ok());
  agent::Inventory inv;
  inv.hostname = inv.arch = inv.os = inv.kernel_version = inv.cpu_model = "x";
  inv.cpu_cores = inv.cpu_threads = 8;
  inv.memory_bytes = uint64_t{32} << 30;
  store::Device d;
  d.id = DeviceId("dev_aaaaaaaaaaaaaaaa");
  d.name = "gamer, pc";
  d.credential_hash = "c";
  d.inventory_json = agent::InventoryToJson(inv).dump();
  d.enrolled_at = d.last_seen = clock_->Now();
  ASSERT_TRUE(store_->EnrollDevice("kh", clock_->Now(), d).ok());
  const Timestamp epoch = clock_->Now();
  const std::string epoch_text = FormatRfc3339(epoch);
  for (int i = 0; i <= 120; ++i) {
    ASSERT_TRUE(store_->RecordHeartbeat(d.id, {clock_->Now(), "1", "{}", minutes(5)}).ok());
    clock_->Advance(seconds(30));
  }

  // Only admins enter revenue; the epoch must be a boundary.
  const std::string rev_path = "/v1/admin/epochs/" + epoch_text + "/revenue";
  EXPECT_EQ(Call("PUT", rev_path, owner_, R"({"amount":5000000})").status, 403);
  auto bad = Call("PUT", "/v1/admin/epochs/" + FormatRfc3339(epoch + minutes(1)) + "/revenue",
                  admin_, R"({"amount":1})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(J(bad)["error"]["field"], "start");
  EXPECT_EQ(Call("PUT", rev_path, admin_, R"({"amount":-4})").status, 400);
  ASSERT_EQ(Call("PUT", rev_path, admin_, R"({"amount":5000000})").status, 200);
  auto early = Call("POST", "/v1/admin/epochs/" + epoch_text + "/settle", admin_);
  EXPECT_EQ(early.status, 409) << early.body;
  clock_->Advance(minutes(10));
  auto settled = Call("POST", "/v1/admin/epochs/" + epoch_text + "/settle", admin_);
  ASSERT_EQ(settled.status, 200) << settled.body;
  EXPECT_TRUE(J(settled)["booked"].get<bool>());
  auto audit = Call("GET", "/v1/admin/epochs/" + epoch_text + "/audit", admin_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_TRUE(J(audit)["matches"].get<bool>()) << audit.body;

  // The admin's epoch list: what went in and what came out, newest first.
  EXPECT_EQ(Call("GET", "/v1/admin/epochs", owner_).status, 403);
  auto list = Call("GET", "/v1/admin/epochs", admin_);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto lj = J(list);
  ASSERT_EQ(lj["epochs"].size(), 1U);
  const auto& ep = lj["epochs"][0];
  EXPECT_EQ(ep["start"], epoch_text);
  EXPECT_EQ(ep["revenue"], 5'000'000);
  EXPECT_EQ(ep["fee_bps"], 1000);
  EXPECT_EQ(ep["devices"], 1);
  EXPECT_EQ(ep["eligible"], 1);
  EXPECT_EQ(ep["online_seconds"], 3600);
  EXPECT_EQ(ep["operator"], 500'000);
  EXPECT_EQ(ep["usage"], 0);
  EXPECT_EQ(ep["participation"], 4'500'000);
  EXPECT_EQ(lj["epoch_seconds"], 3600);
  EXPECT_EQ(J(Call("GET", "/v1/admin/epochs?to=" + epoch_text, admin_))["epochs"].size(), 0U);
  auto backwards = Call("GET", "/v1/admin/epochs?from=" + epoch_text + "&to=" + epoch_text, admin_);
  EXPECT_EQ(backwards.status, 400);
  EXPECT_EQ(J(backwards)["error"]["field"], "to");
  auto too_long = Call("GET", "/v1/admin/epochs?from=0", admin_);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(J(too_long)["error"]["field"], "from");

  // Owner view: JSON and CSV.
  auto e = Call("GET", "/v1/earnings?group=epoch&from=" + epoch_text, owner_);
  ASSERT_EQ(e.status, 200) << e.body;
  const auto ej = J(e);
  // 10 % default fee → 4.5 AKT to the only device (all participation: no attribution).
  EXPECT_EQ(ej["total"]["total"], 4'500'000);
  EXPECT_EQ(ej["total"]["participation"], 4'500'000);
  EXPECT_EQ(ej["balance"]["available"], 4'500'000);
  ASSERT_EQ(ej["periods"].size(), 1U);
  EXPECT_EQ(ej["periods"][0]["start"], epoch_text);
  EXPECT_TRUE(ej["payout_address"].is_null());
  auto csv = Call("GET", "/v1/earnings?format=csv&from=" + epoch_text, owner_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("period_start,device_id,device_name,usage_uakt"), std::string::npos);
  EXPECT_NE(csv.body.find("\"gamer, pc\",0,4500000,4500000"), std::string::npos) << csv.body;
  EXPECT_EQ(Call("GET", "/v1/earnings?group=week", owner_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/earnings?owner=acc_x", owner_).status, 403);

  // Payout address: a wrong checksum is refused with a clear message.
  auto wrong = Call("PUT", "/v1/payout-address", owner_,
                    R"({"address":"akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akq"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(J(wrong)["error"]["code"], "invalid_checksum");
  EXPECT_EQ(J(wrong)["error"]["field"], "address");
  EXPECT_EQ(Call("POST", "/v1/withdrawals", owner_, R"({"amount":2000000})").status, 409);
  ASSERT_EQ(
      Call("PUT", "/v1/payout-address", owner_, std::string(R"({"address":")") + kAddress + "\"}")
          .status,
      200);
  EXPECT_EQ(Call("POST", "/v1/withdrawals", owner_, R"({"amount":999})").status, 400);  // < min
  EXPECT_EQ(Call("POST", "/v1/withdrawals", owner_, R"({"amount":4500001})").status, 409);
  ASSERT_EQ(Call("POST", "/v1/withdrawals", owner_, R"({"amount":4000000})").status, 201);
  EXPECT_EQ(J(Call("GET", "/v1/earnings", owner_))["payout_address"], kAddress);

  // Admin exports, then marks paid once.
  EXPECT_EQ(Call("POST", "/v1/admin/payout-batches", owner_).status, 403);
  auto batch = Call("POST", "/v1/admin/payout-batches", admin_);
  ASSERT_EQ(batch.status, 201) << batch.body;
  const auto bj = J(batch);
  EXPECT_EQ(bj["tx"]["body"]["messages"][0]["outputs"][0]["coins"][0]["amount"], "4000000");
  EXPECT_EQ(Call("POST", "/v1/admin/payout-batches", admin_).status, 409);  // nothing left
  const std::string id = bj["id"];
  EXPECT_EQ(Call("POST", "/v1/admin/payout-batches/" + id + "/paid", admin_, R"({"tx_hash":"xyz"})")
                .status,
            400);
  const std::string hash(64, 'a');
  ASSERT_EQ(Call("POST", "/v1/admin/payout-batches/" + id + "/paid", admin_,
                 R"({"tx_hash":")" + hash + "\"}")
                .status,
            200);
  EXPECT_EQ(Call("POST", "/v1/admin/payout-batches/" + id + "/failed", admin_).status, 409);
  const auto after = J(Call("GET", "/v1/earnings", owner_));
  EXPECT_EQ(after["balance"]["available"], 500'000);
  EXPECT_EQ(after["balance"]["in_flight"], 0);
  EXPECT_EQ(after["balance"]["paid"], 4'000'000);
  // The owner's history names the paying transaction.
  const auto ws = J(Call("GET", "/v1/withdrawals", owner_))["withdrawals"];
  ASSERT_EQ(ws.size(), 1U);
  EXPECT_EQ(ws[0]["state"], "paid");
  EXPECT_EQ(ws[0]["tx_hash"], std::string(64, 'A'));
}

TEST(ParseTime, AcceptsRfc3339AndMillisAndNamesTheFieldOtherwise) {
  EXPECT_EQ(ToUnixMillis(*ParseTime("2023-11-14T22:00:00Z", "from")), 1'699'999'200'000);
  EXPECT_EQ(ToUnixMillis(*ParseTime("1700000000123", "from")), 1'700'000'000'123);
  EXPECT_EQ(ToUnixMillis(*ParseTime("2023-11-14T22:13:20.123Z", "from")), 1'700'000'000'123);
  auto bad = ParseTime("yesterday", "from");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "from");
  EXPECT_FALSE(ParseTime("2023-11-14T22:00:00+01:00", "to").ok());
}

}  // namespace
}  // namespace hearth::rewards
