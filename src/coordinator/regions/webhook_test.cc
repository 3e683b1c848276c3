// The webhook against a real loopback receiver (an http::Server on port 0) and a real SQLite
// outbox: events are POSTed as JSON with their id, a failing receiver is retried with
// exponential backoff on the injected clock, and a receiver that never recovers gets the event
// marked failed after the last attempt. Nothing here blocks a request: delivery runs from the
// outbox, apart from the transaction that wrote the event.
#include "coordinator/regions/webhook.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "coordinator/regions/proposals.h"
#include "http/server.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::regions {
namespace {

using std::chrono::seconds;

class WebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hearth-webhook-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::OpenSqliteStore(dir_ + "/hearth.db").value());
    router_.Add("POST", "/hooks/hearth", [this](const http::Request& r) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(nlohmann::json::parse(r.body, nullptr, false));
      ids_.push_back(r.Header("x-hearth-event-id"));
      if (fail_next_ > 0) {
        --fail_next_;
        return http::Response::Json(500, {{"error", "receiver down"}});
      }
      return http::Response::Json(200, {{"ok", true}});
    });
    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    server_ = std::make_unique<http::Server>(o, router_, nullptr);
    ASSERT_TRUE(server_->Start().ok());
    thread_ = std::thread([this] { server_->Run(); });
    url_ = "http://" + server_->BoundAddress() + "/hooks/hearth";
  }
  void TearDown() override {
    server_->Shutdown(seconds(2));
    thread_.join();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t AddEvent(const std::string& kind, bool webhook = true) {
    store::AdminEvent e;
    e.at = clock_.Now();
    e.kind = kind;
    e.proposal_id = "rp_1";
    e.message = kind + " happened";
    e.detail_json = R"({"cell":"KE/-/-"})";
    Status st = store_->NetworkTransaction(
        [&](store::NetworkTx& tx) { return RecordEvent(tx, webhook, e); });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return store_->ListEvents(0, 1000).value().back().id;
  }
  store::AdminEvent Event(int64_t id) { return store_->ListEvents(id - 1, 1).value().at(0); }
  size_t Received() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_.size();
  }

  FakeClock clock_;
  std::string dir_, url_;
  store::StorePtr store_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<nlohmann::json> bodies_;
  std::vector<std::string> ids_;
  int fail_next_ = 0;
};

TEST_F(WebhookTest, DeliversEventsAsJsonOnce) {
  const int64_t a = AddEvent("region_proposed");
  const int64_t quiet = AddEvent("region_volunteered", /*webhook=*/false);
  WebhookSender sender(url_, *store_, clock_);
  auto n = sender.DeliverDue();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  ASSERT_EQ(Received(), 1u);
  EXPECT_EQ(bodies_[0]["id"], a);
  EXPECT_EQ(bodies_[0]["kind"], "region_proposed");
  EXPECT_EQ(bodies_[0]["proposal"], "rp_1");
  EXPECT_EQ(bodies_[0]["detail"]["cell"], "KE/-/-");
  EXPECT_EQ(ids_[0], std::to_string(a));
  EXPECT_EQ(Event(a).webhook_state, "delivered");
  EXPECT_EQ(Event(quiet).webhook_state, "none");
  // Delivered events are not sent again.
  EXPECT_EQ(*sender.DeliverDue(), 0);
  EXPECT_EQ(Received(), 1u);
}

TEST_F(WebhookTest, RetriesWithBackoffUntilTheReceiverRecovers) {
  fail_next_ = 2;
  const int64_t a = AddEvent("region_approved");
  WebhookSender sender(url_, *store_, clock_);
  EXPECT_EQ(*sender.DeliverDue(), 0);  // attempt 1: 500
  EXPECT_EQ(Event(a).webhook_state, "pending");
  EXPECT_EQ(Event(a).webhook_attempts, 1);
  EXPECT_EQ(*sender.DeliverDue(), 0);  // not due yet: nothing sent
  EXPECT_EQ(Received(), 1u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(*sender.DeliverDue(), 0);  // attempt 2: 500, next in 2 s
  EXPECT_EQ(Received(), 2u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(*sender.DeliverDue(), 0);
  EXPECT_EQ(Received(), 2u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(*sender.DeliverDue(), 1);  // attempt 3 succeeds
  EXPECT_EQ(Event(a).webhook_state, "delivered");
  EXPECT_EQ(Event(a).webhook_attempts, 3);
  EXPECT_EQ(WebhookSender::Backoff(0), seconds(1));
  EXPECT_EQ(WebhookSender::Backoff(3), seconds(8));
  EXPECT_EQ(WebhookSender::Backoff(40), std::chrono::minutes(10));
}

TEST_F(WebhookTest, GivesUpAfterTheLastAttemptAndSurvivesADeadReceiver) {
  fail_next_ = 100;
  const int64_t a = AddEvent("region_activated");
  WebhookSender sender(url_, *store_, clock_, seconds(2), /*max_attempts=*/3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(sender.DeliverDue().ok());
    clock_.Advance(std::chrono::minutes(10));
  }
  EXPECT_EQ(Event(a).webhook_state, "failed");
  EXPECT_EQ(Received(), 3u);
  // A receiver that is not listening at all is a retry, not an error of the loop.
  const int64_t b = AddEvent("region_draining");
  WebhookSender nowhere("http://127.0.0.1:1/hook", *store_, clock_, seconds(2));
  EXPECT_TRUE(nowhere.DeliverDue().ok());
  EXPECT_EQ(Event(b).webhook_state, "pending");
  EXPECT_EQ(Event(b).webhook_attempts, 1);
}

TEST(WebhookUrlTest, OnlyPlainHttpUrlsAreAccepted) {
  EXPECT_TRUE(WebhookSender::ValidateUrl("http://127.0.0.1:9000/hook", "--webhook-url").ok());
  for (const std::string bad : {"https://hooks.example.com/x", "ftp://x", "127.0.0.1:9000", ""}) {
    Status st = WebhookSender::ValidateUrl(bad, "--webhook-url");
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.field(), "--webhook-url");
  }
}

}  // namespace
}  // namespace hearth::regions
