// Devices through the coordinator's router (fake clock, in-memory SQLite). Admin decisions: who
// may cordon, drain and ban; the state machine; a banned device's credential refused; bad input
// writes nothing. Hardware changes: a heartbeat's inventory replaces the stored one and records
// what changed; who sees the history; a bad inventory writes nothing.
#include "coordinator/devices/handlers.h"

#include <gtest/gtest.h>

#include <cctype>

#include "agent/inventory/inventory.h"
#include "api/device_auth.h"
#include "common/encoding.h"
#include "common/keys.h"
#include "coordinator/coordinator.h"
#include "coordinator/devices/test_util.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::devices {
namespace {

using std::chrono::hours;

class DeviceActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenSqliteStore(":memory:");
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened).value();
    coordinator::Config cfg;
    coord_ = std::make_unique<coordinator::Coordinator>(cfg, *store_, clock_, random_);
    ASSERT_TRUE(coord_->Init().ok());
    ASSERT_TRUE(
        coord_->BootstrapAdmin("admin@example.com", Secret<std::string>("admin-password-1")).ok());
    admin_ = Login("admin@example.com", "admin-password-1");
    owner_ = SignUp("o@example.com");
    region_admin_ = SignUp("ra@example.com");

    auto owner = store_->FindAccountByEmail("o@example.com");
    ASSERT_TRUE(owner.ok());
    store::InstallKeyRecord k{InstallKeyId("ik_1"),    owner->id, "kh", "w", clock_.Now(),
                              clock_.Now() + hours(1), {},        {},   {}};
    ASSERT_TRUE(store_->CreateInstallKey(k).ok());
    store::Device d;
    d.id = DeviceId("dev_aaaaaaaaaaaaaaaa");
    d.name = "pc";
    d.credential_hash = Sha256Hex(std::string(kCredential));
    d.identity_public_key = identity_.Public().ToString();
    d.inventory_json = "{}";
    d.enrolled_at = d.last_seen = clock_.Now();
    auto enrolled = store_->EnrollDevice("kh", clock_.Now(), d);
    ASSERT_TRUE(enrolled.ok()) << enrolled.status().ToString();
    device_ = d.id.str();
  }

  std::string Login(const std::string& email, const std::string& password) {
    auto r = coord_->context().auth.Login(email, Secret<std::string>(password));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->second.token.Reveal() : "";
  }
  std::string SignUp(const std::string& email) {
    EXPECT_EQ(Call("POST", "/v1/accounts", "",
                   R"({"email":")" + email + R"(","password":"owner-password-1"})")
                  .status,
              201);
    return Login(email, "owner-password-1");
  }

  http::Response Call(const std::string& method, const std::string& path, const std::string& token,
                      const std::string& body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = method;
    req.path = path;
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    for (auto& [name, value] : headers) {
      // The server hands handlers lower-case header names.
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(name, value);
    }
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
  http::Response Act(const std::string& token, const std::string& body) {
    return Call("POST", "/v1/admin/devices/" + device_ + "/actions", token, body);
  }
  http::Response Heartbeat(const nlohmann::json& extra = nlohmann::json::object()) {
    const std::string path = "/v1/devices/" + device_ + "/heartbeat";
    nlohmann::json j = {{"agent_version", "0.1.0"}, {"uptime_seconds", 60}};
    j.update(extra);
    const std::string body = j.dump();
    auto headers = api::SignDeviceRequest(identity_, "POST", path, body, clock_.Now());
    return Call("POST", path, std::string(kCredential), body, headers);
  }
  store::Device Stored() {
    auto d = store_->GetDevice(DeviceId(device_));
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : store::Device{};
  }
  static nlohmann::json J(const http::Response& r) {
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  static constexpr std::string_view kCredential = "hdc_test-credential";
  store::StorePtr store_;
  FakeClock clock_{FromUnixMillis(1'700'000'000'000)};
  SeededRandom random_{7};
  IdentityPrivateKey identity_ = IdentityPrivateKey::Generate();
  std::unique_ptr<coordinator::Coordinator> coord_;
  std::string admin_, owner_, region_admin_, device_;
};

TEST_F(DeviceActionsTest, AdminCordonsDrainsBansAndUnbans) {
  auto first = Heartbeat();
  ASSERT_EQ(first.status, 200) << first.body;
  auto r = Act(admin_, R"({"action":"cordon","reason":"flaky GPU"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(J(r)["admin_state"], "cordoned");
  EXPECT_EQ(J(r)["admin_reason"], "flaky GPU");
  EXPECT_EQ(J(r)["k8s"]["state"], "none");
  EXPECT_EQ(Stored().admin_state, "cordoned");
  EXPECT_EQ(Stored().admin_state_at, clock_.Now());

  EXPECT_EQ(J(Act(admin_, R"({"action":"drain"})"))["admin_state"], "drained");
  // Cordoning a drained device keeps the stricter state.
  EXPECT_EQ(J(Act(admin_, R"({"action":"cordon"})"))["admin_state"], "drained");
  EXPECT_EQ(J(Act(admin_, R"({"action":"ban","reason":"abuse"})"))["admin_state"], "banned");

  // A banned device's credential is refused, with a reason it can show.
  auto hb = Heartbeat();
  EXPECT_EQ(hb.status, 403);
  EXPECT_EQ(J(hb)["error"]["code"], "device_banned");
  EXPECT_NE(J(hb)["error"]["message"].get<std::string>().find("abuse"), std::string::npos);

  // Uncordon does not lift a ban; unban does, and the device may heartbeat again.
  auto un = Act(admin_, R"({"action":"uncordon"})");
  EXPECT_EQ(un.status, 409);
  EXPECT_EQ(J(un)["error"]["code"], "device_banned");
  EXPECT_EQ(J(Act(admin_, R"({"action":"unban"})"))["admin_state"], "active");
  EXPECT_EQ(Heartbeat().status, 200);
  EXPECT_EQ(Act(admin_, R"({"action":"unban"})").status, 409);

  // The owner sees the decision on their device.
  auto mine = Call("GET", "/v1/devices/" + device_, owner_);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(J(mine)["admin_state"], "active");
}

TEST_F(DeviceActionsTest, OnlyAdminsAndTheRegionAdminMayAct) {
  auto owner = Act(owner_, R"({"action":"ban"})");
  EXPECT_EQ(owner.status, 403);
  EXPECT_EQ(J(owner)["error"]["code"], "admin_required");
  EXPECT_EQ(Act("", R"({"action":"ban"})").status, 401);
  // A region admin of another region (here: of none) may not act either, nor read the device.
  EXPECT_EQ(Act(region_admin_, R"({"action":"cordon"})").status, 403);
  EXPECT_EQ(Call("GET", "/v1/devices/" + device_, region_admin_).status, 404);
  EXPECT_EQ(Stored().admin_state, "active");

  // Appointed admin of the device's region, they may.
  // Found outside the transaction: the store's lock is held inside it.
  auto ra = store_->FindAccountByEmail("ra@example.com");
  ASSERT_TRUE(ra.ok());
  ASSERT_TRUE(
      store_
          ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
            HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> region, tx.FindRegion("default"));
            if (!region) return Status::NotFound("no default region");
            region->admin = ra->id;
            HEARTH_RETURN_IF_ERROR(tx.UpdateRegion(*region));
            return tx.SetAddressing(DeviceId(device_), "default", "100.64.0.9", "10.42.9.0/24");
          })
          .ok());
  auto ok = Act(region_admin_, R"({"action":"cordon"})");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Stored().admin_state, "cordoned");
  // ... and read it (the portal's device page), but not rename or remove another's device.
  auto read = Call("GET", "/v1/devices/" + device_, region_admin_);
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(J(read)["admin_state"], "cordoned");
  EXPECT_EQ(Call("PATCH", "/v1/devices/" + device_, region_admin_, R"({"name":"x"})").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/devices/" + device_, region_admin_).status, 404);
}

TEST_F(DeviceActionsTest, BadInputWritesNothing) {
  for (const std::string& body : std::vector<std::string>{
           R"({"action":"explode"})", R"({})", R"({"action":5})", "not json",
           R"({"action":"ban","reason":")" + std::string(501, 'x') + R"("})"}) {
    auto r = Act(admin_, body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_FALSE(J(r)["error"]["message"].get<std::string>().empty());
  }
  EXPECT_EQ(J(Act(admin_, R"({"action":"explode"})"))["error"]["field"], "action");
  EXPECT_EQ(Stored().admin_state, "active");
  EXPECT_FALSE(Stored().admin_state_at.has_value());
  auto unknown =
      Call("POST", "/v1/admin/devices/dev_bbbbbbbbbbbbbbbb/actions", admin_, R"({"action":"ban"})");
  EXPECT_EQ(unknown.status, 404);
  auto junk = Call("POST", "/v1/admin/devices/../actions", admin_, R"({"action":"ban"})");
  EXPECT_NE(junk.status, 200);
}

using testing::Tower;

using DeviceHardwareTest = DeviceActionsTest;

TEST_F(DeviceHardwareTest, AGpuAddedShowsAsAnUpgradeNewestFirst) {
  // The fixture enrolled with "{}": the first inventory replaces it without a change.
  ASSERT_EQ(Heartbeat({{"inventory", agent::InventoryToJson(Tower())}}).status, 200);
  EXPECT_EQ(nlohmann::json::parse(Stored().inventory_json), agent::InventoryToJson(Tower()));
  auto page = Call("GET", "/v1/devices/" + device_, owner_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(J(page)["hardware_changes"], nlohmann::json::array());

  // Sent again, or a NIC renamed: no change recorded (the NIC is stored).
  ASSERT_EQ(Heartbeat({{"inventory", agent::InventoryToJson(Tower())}}).status, 200);
  agent::Inventory nic = Tower();
  nic.nics[0].name = "enp6s0";
  ASSERT_EQ(Heartbeat({{"inventory", agent::InventoryToJson(nic)}}).status, 200);
  EXPECT_EQ(nlohmann::json::parse(Stored().inventory_json)["nics"][0]["name"], "enp6s0");
  EXPECT_TRUE(store_->ListHardwareChanges(DeviceId(device_), 50)->empty());

  clock_.Advance(std::chrono::minutes(10));
  agent::Inventory two = nic;
  two.gpus.push_back(two.gpus[0]);
  two.gpus[1].pci_address = "0000:02:00.0";
  two.gpus[1].device_id = "2684";
  two.gpus[1].model = "rtx4090";
  two.gpus[1].memory_size = "24Gi";
  ASSERT_EQ(Heartbeat({{"inventory", agent::InventoryToJson(two)}}).status, 200);
  const Timestamp added_at = clock_.Now();
  clock_.Advance(std::chrono::minutes(10));
  agent::Inventory less = two;
  less.memory_bytes = uint64_t{32} << 30;
  ASSERT_EQ(Heartbeat({{"inventory", agent::InventoryToJson(less)}}).status, 200);

  page = Call("GET", "/v1/devices/" + device_, owner_);
  ASSERT_EQ(page.status, 200) << page.body;
  const nlohmann::json changes = J(page)["hardware_changes"];
  ASSERT_EQ(changes.size(), 2U) << changes.dump();
  EXPECT_EQ(changes[0]["kind"], "downgrade");
  EXPECT_EQ(changes[0]["changes"][0]["type"], "memory_changed");
  EXPECT_EQ(changes[0]["changes"][0]["after"]["bytes"], uint64_t{32} << 30);
  EXPECT_EQ(changes[1]["kind"], "upgrade");
  EXPECT_EQ(changes[1]["at"], FormatRfc3339(added_at));
  EXPECT_EQ(changes[1]["changes"][0]["type"], "gpu_added");
  EXPECT_EQ(changes[1]["changes"][0]["after"]["model"], "rtx4090");
  EXPECT_EQ(J(page)["inventory"]["gpus"].size(), 2U);
  // The heartbeat payload does not carry the inventory; the device's inventory does.
  EXPECT_FALSE(J(page)["heartbeat"].contains("inventory"));

  // An admin sees the history; another owner does not see the device at all.
  EXPECT_EQ(J(Call("GET", "/v1/devices/" + device_, admin_))["hardware_changes"].size(), 2U);
  EXPECT_EQ(Call("GET", "/v1/devices/" + device_, region_admin_).status, 404);
  // Lists stay light: the history is only on the device's own page.
  auto list = Call("GET", "/v1/devices", owner_);
  ASSERT_EQ(list.status, 200);
  EXPECT_FALSE(J(list)["devices"][0].contains("hardware_changes"));
}

TEST_F(DeviceHardwareTest, ABadInventoryIsRefusedByFieldAndWritesNothing) {
  ASSERT_EQ(Heartbeat({{"inventory", agent::InventoryToJson(Tower())}}).status, 200);
  const store::Device before = Stored();
  clock_.Advance(std::chrono::minutes(1));
  nlohmann::json no_cores = agent::InventoryToJson(Tower());
  no_cores["cpu_cores"] = 0;
  nlohmann::json bad_gpu = agent::InventoryToJson(Tower());
  bad_gpu["gpus"][0]["vendor_id"] = 10;
  struct Case {
    nlohmann::json inventory;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{{"x", "inventory"},
                                         {nlohmann::json::array(), "inventory"},
                                         {no_cores, "inventory.cpu_cores"},
                                         {bad_gpu, "inventory.gpus[0].vendor_id"}}) {
    auto r = Heartbeat({{"inventory", c.inventory}});
    EXPECT_EQ(r.status, 400) << c.inventory.dump();
    EXPECT_EQ(J(r)["error"]["field"], c.field) << r.body;
    EXPECT_FALSE(J(r)["error"]["message"].get<std::string>().empty());
  }
  // Nothing was written: not the inventory, not the heartbeat, no change.
  EXPECT_EQ(Stored().inventory_json, before.inventory_json);
  EXPECT_EQ(Stored().last_seen, before.last_seen);
  EXPECT_TRUE(store_->ListHardwareChanges(DeviceId(device_), 50)->empty());
  // null is the same as absent.
  EXPECT_EQ(Heartbeat({{"inventory", nullptr}}).status, 200);
}

TEST(AdminStateAfterTest, Transitions) {
  struct Case {
    std::string from, action, to;
  };
  for (const auto& c : std::vector<Case>{{"active", "cordon", "cordoned"},
                                         {"cordoned", "cordon", "cordoned"},
                                         {"drained", "cordon", "drained"},
                                         {"banned", "cordon", "banned"},
                                         {"cordoned", "uncordon", "active"},
                                         {"drained", "uncordon", "active"},
                                         {"active", "drain", "drained"},
                                         {"banned", "drain", "banned"},
                                         {"active", "ban", "banned"},
                                         {"banned", "unban", "active"}}) {
    auto next = AdminStateAfter(c.from, c.action);
    ASSERT_TRUE(next.ok()) << c.from << " " << c.action;
    EXPECT_EQ(*next, c.to) << c.from << " " << c.action;
  }
  EXPECT_FALSE(AdminStateAfter("banned", "uncordon").ok());
  EXPECT_FALSE(AdminStateAfter("active", "unban").ok());
  EXPECT_EQ(AdminStateAfter("active", "nuke").status().field(), "action");
}

}  // namespace
}  // namespace hearth::devices
