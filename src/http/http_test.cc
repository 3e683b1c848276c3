// Tests of the HTTP layer against a real server on a loopback port: routing (404/405), the
// error shape, the body limit (413), read timeouts, cookies, and graceful shutdown.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <thread>

#include "http/client.h"
#include "http/error_mapping.h"
#include "http/router.h"
#include "http/server.h"

namespace hearth::http {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/v1/things/{id}", [](const Request& r) {
      return Response::Json(
          200, {{"id", r.params.at("id")}, {"q", r.query.count("q") ? r.query.at("q") : ""}});
    });
    router_.Add("POST", "/v1/things", [](const Request& r) {
      return Response::Json(201, {{"size", r.body.size()}});
    });
    router_.Add("DELETE", "/v1/things/{id}", [](const Request&) { return Response::NoContent(); });
    router_.Add("GET", "/slow", [](const Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return Response::Json(200, {{"done", true}});
    });
    // Long-poll: answers once `ready_` is set, else waits up to ?wait= ms; 304 at the deadline.
    router_.Add("GET", "/poll", [this](const Request& r) {
      if (ready_.load()) return Response::Json(200, {{"ready", true}});
      if (r.final_attempt) return Response::Json(304, nlohmann::json::object());
      return Response::WaitFor("topic", std::chrono::milliseconds(std::stoi(r.query.at("wait"))));
    });
    router_.Add("GET", "/throws",
                [](const Request&) -> Response { throw std::runtime_error("bug"); });
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.body_limit = 1024;
    o.read_timeout = std::chrono::milliseconds(300);
    o.long_poll_recheck = std::chrono::seconds(30);  // only Notify wakes, unless a test says so
    server_ = std::make_unique<Server>(o, router_, &metrics_, &notifier_);
    ASSERT_TRUE(server_->Start().ok());
    thread_ = std::thread([this] { server_->Run(); });
    client_ = std::move(Client::Create("http://" + server_->BoundAddress()).value());
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::seconds(2));
    thread_.join();
  }

  // Starts a 20 s long-poll on another thread (its status lands in *status) and returns once the
  // server has parked it.
  std::thread StartParkedPoll(std::optional<int>* status) {
    std::thread t([this, status] {
      auto c = Client::Create("http://" + server_->BoundAddress()).value();
      auto res = c->Get("/poll?wait=20000");
      if (res.ok()) *status = res->status;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (notifier_.waiting() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return t;
  }

  Router router_;
  Metrics metrics_;
  Notifier notifier_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<Client> client_;
};

TEST_F(ServerTest, RoutesWithParamsAndQuery) {
  auto r = client_->Get("/v1/things/abc?q=a%20b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Json()["id"], "abc");
  EXPECT_EQ(r->Json()["q"], "a b");
  EXPECT_EQ(r->Header("content-type"), "application/json");
}

TEST_F(ServerTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  auto r = client_->Get("/v1/nothing");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Json()["error"]["code"], "route_not_found");
  r = client_->Do("PUT", "/v1/things/abc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Json()["error"]["code"], "method_not_allowed");
  EXPECT_EQ(r->Header("allow"), "GET, DELETE");
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  auto r = client_->Do("POST", "/v1/things", std::string(2000, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Json()["error"]["code"], "body_too_large");
  // The connection is closed after a 413; the client reconnects and goes on.
  r = client_->Do("POST", "/v1/things", std::string(1000, 'x'));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->Json()["size"], 1000);
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerSurvives) {
  auto r = client_->Get("/throws");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Json()["error"]["code"], "internal");
  EXPECT_EQ(client_->Get("/v1/things/x")->status, 200);
}

TEST_F(ServerTest, SlowClientIsCutOffByReadTimeout) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  const std::string addr = server_->BoundAddress();
  s.connect({asio::ip::make_address("127.0.0.1"),
             static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)))});
  asio::write(s, asio::buffer(std::string("GET /v1/things/x HTTP/1.1\r\nHost: x\r\n")));
  // Never finish the headers: the server must close the connection after its read timeout.
  const auto start = std::chrono::steady_clock::now();
  char buf[64];
  boost::system::error_code ec;
  s.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec) << "expected the server to close the connection";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatus) {
  (void)client_->Get("/v1/things/a");
  (void)client_->Get("/v1/things/b");
  (void)client_->Get("/missing");
  const std::string text = metrics_.Render();
  EXPECT_NE(text.find("route=\"/v1/things/{id}\",method=\"GET\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"unmatched\",method=\"GET\",status=\"404\"} 1"), std::string::npos);
}

TEST_F(ServerTest, ShutdownLetsInFlightRequestFinish) {
  std::optional<int> status;
  std::thread t([&] {
    auto c = Client::Create("http://" + server_->BoundAddress()).value();
    auto r = c->Get("/slow");
    if (r.ok()) status = r->status;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Shutdown(std::chrono::seconds(2));
  t.join();
  EXPECT_EQ(status, 200);
}

TEST_F(ServerTest, LongPollAnswersOnNotifyAndAtTheDeadline) {
  // Nothing happens: the final attempt answers after the wait (the read timeout is shorter,
  // so a parked request must not be cut off by it).
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client_->Get("/poll?wait=500");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 304);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(450));
  EXPECT_EQ(notifier_.waiting(), 0u);

  // A change and a Notify wake the parked request long before its 20 s deadline.
  std::optional<int> status;
  std::thread t = StartParkedPoll(&status);
  ASSERT_EQ(notifier_.waiting(), 1u);
  const auto woken = std::chrono::steady_clock::now();
  ready_ = true;
  notifier_.Notify("other-topic");  // not ours: stays parked
  notifier_.Notify("topic");
  t.join();
  EXPECT_EQ(status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - woken, std::chrono::seconds(5));
}

TEST_F(ServerTest, ShutdownAnswersParkedLongPolls) {
  std::optional<int> status;
  std::thread t = StartParkedPoll(&status);
  const auto t0 = std::chrono::steady_clock::now();
  server_->Shutdown(std::chrono::seconds(5));
  t.join();
  EXPECT_EQ(status, 304);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
}

TEST(RouterTest, CookieAndHeaderLookup) {
  Request r;
  r.headers = {{"cookie", "a=1; hearth_session=hst_x; b=2"}, {"x-csrf-token", "t"}};
  EXPECT_EQ(r.Cookie("hearth_session"), "hst_x");
  EXPECT_EQ(r.Cookie("b"), "2");
  EXPECT_EQ(r.Cookie("missing"), "");
  EXPECT_EQ(r.Header("x-csrf-token"), "t");
}

TEST(ErrorMappingTest, EveryCodeHasAnHttpStatusAndRoundTrips) {
  for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kUnauthenticated,
                 Code::kPermissionDenied, Code::kUnavailable}) {
    EXPECT_EQ(CodeForHttpStatus(HttpStatusFor(c)), c);
  }
  EXPECT_EQ(HttpStatusFor(Code::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
  Response r = Response::Error(Status::InvalidArgument("name", "must not be empty"));
  EXPECT_EQ(r.status, 400);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["field"], "name");
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  Response u = Response::Error(Status::Unauthenticated("sign in"));
  EXPECT_EQ(u.status, 401);
  EXPECT_FALSE(nlohmann::json::parse(u.body)["error"].contains("field"));
}

TEST(HostPortTest, ParsesAndRejects) {
  std::string host;
  uint16_t port = 0;
  EXPECT_TRUE(ParseHostPort("127.0.0.1:8080", "--listen", &host, &port).ok());
  EXPECT_EQ(port, 8080);
  EXPECT_TRUE(ParseHostPort("[::1]:0", "--listen", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  for (const char* bad : {"8080", ":80", "1.2.3.4:", "1.2.3.4:99999", "example.com:80", "a:b"}) {
    Status st = ParseHostPort(bad, "--listen", &host, &port);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.field(), "--listen");
  }
}

TEST(ClientTest, UnreachableIsUnavailableAndBadUrlIsInvalid) {
  auto c = Client::Create("http://127.0.0.1:1");
  ASSERT_TRUE(c.ok());
  auto r = (*c)->Get("/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_FALSE(Client::Create("ftp://x").ok());
  EXPECT_FALSE(Client::Create("127.0.0.1:80").ok());
  EXPECT_EQ(Client::Create("https://x").status().field(), "coordinator");
}

}  // namespace
}  // namespace hearth::http
