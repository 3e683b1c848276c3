// `hearth serve --web-dir`: the portal's files with their types, cache headers and CSP, the SPA
// fallback for client routes, the API untouched by it; the APIs the portal relies on: the CSRF
// token from GET /v1/me for cookie sessions, and the admin-only, paginated GET /v1/admin/devices.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace hearth::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kAdminEmail[] = "admin@example.com";
constexpr char kAdminPassword[] = "admin-password-1";

class PortalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_ = dir_.path() + "/dist";
    fs::create_directories(web_ + "/assets");
    std::ofstream(web_ + "/index.html") << "<!doctype html><title>portal</title>";
    std::ofstream(web_ + "/assets/index-abc.js") << "export {};";
    setenv("HEARTH_ADMIN_EMAIL", kAdminEmail, 1);
    setenv("HEARTH_ADMIN_PASSWORD", kAdminPassword, 1);
    coord_ = std::make_unique<CoordinatorProcess>(
        dir_.path() + "/coord",
        std::vector<std::string>{"--web-dir", web_, "--auth-rate-limit", "0"});
    ASSERT_TRUE(coord_->Start()) << coord_->log();
    unsetenv("HEARTH_ADMIN_EMAIL");
    unsetenv("HEARTH_ADMIN_PASSWORD");
  }

  std::unique_ptr<http::Client> Anonymous() {
    return std::move(http::Client::Create(coord_->url()).value());
  }

  TempDir dir_;
  std::string web_;
  std::unique_ptr<CoordinatorProcess> coord_;
};

TEST_F(PortalTest, ServesThePortalWithCacheHeadersCspAndSpaFallback) {
  auto c = Anonymous();
  auto root = c->Get("/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->body, "<!doctype html><title>portal</title>");
  EXPECT_EQ(root->Header("cache-control"), "no-cache");
  EXPECT_EQ(root->Header("content-security-policy").find("unsafe-inline"), std::string::npos);

  auto deep = c->Get("/devices/dev_whatever");
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(deep->status, 200);
  EXPECT_EQ(deep->body, root->body);
  EXPECT_NE(deep->Header("content-type").find("text/html"), std::string::npos);

  auto js = c->Get("/assets/index-abc.js");
  ASSERT_TRUE(js.ok());
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js->Header("cache-control").find("immutable"), std::string::npos);

  // Unknown API routes and missing files stay JSON 404s; traversal finds nothing.
  for (const char* path : {"/v1/nope", "/assets/missing.js", "/../../etc/passwd"}) {
    auto r = c->Get(path);
    ASSERT_TRUE(r.ok());
    if (std::string(path).find("passwd") != std::string::npos) {
      EXPECT_EQ(r->body.find("root:"), std::string::npos);
    } else {
      EXPECT_EQ(r->status, 404) << path;
      EXPECT_EQ(r->Json()["error"]["code"], "route_not_found") << path;
    }
  }
  auto post = c->Do("POST", "/devices", "{}", {{"Content-Type", "application/json"}});
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 404);
}

TEST_F(PortalTest, AMissingWebDirIsAClearStartupError) {
  CommandResult r = RunHearth({"serve", "--listen", "127.0.0.1:0", "--data", dir_.path() + "/x",
                               "--web-dir", dir_.path() + "/nope"},
                              std::chrono::seconds(10), dir_.path() + "/bad.log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--web-dir"), std::string::npos) << r.output;
}

TEST_F(PortalTest, CookieSessionsGetTheirCsrfTokenFromMe) {
  auto c = Anonymous();
  ASSERT_EQ(c->PostJson("/v1/accounts", {{"email", "o@example.com"}, {"password", "owner-pass-1"}})
                ->status,
            201);
  auto login =
      c->PostJson("/v1/sessions", {{"email", "o@example.com"}, {"password", "owner-pass-1"}});
  ASSERT_TRUE(login.ok());
  const std::string token = login->Json()["token"];
  const std::string csrf = login->Json()["csrf_token"];
  const std::vector<std::pair<std::string, std::string>> cookie = {
      {"Cookie", "hearth_session=" + token}};
  auto me = c->Do("GET", "/v1/me", "", cookie);
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->Json()["csrf_token"], csrf);
  // A bearer session needs no CSRF token and is not given one.
  c->SetBearer(token);
  auto bearer_me = c->Get("/v1/me");
  ASSERT_TRUE(bearer_me.ok());
  EXPECT_FALSE(bearer_me->Json().contains("csrf_token"));
}

TEST_F(PortalTest, AdminDevicesIsForAdminsFilteredAndPaginated) {
  ApiUser owner(coord_->url(), "owner@example.com", "owner-password-1");
  ASSERT_TRUE(owner.SignUpAndIn());
  auto denied = owner.client()->Get("/v1/admin/devices");
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(denied->Json()["error"]["code"], "admin_required");
  EXPECT_EQ(Anonymous()->Get("/v1/admin/devices")->status, 401);

  std::vector<std::string> ids;
  for (const char* host : {"rtx4090", "cpu-only", "dual-3090"}) {
    CommandResult r = JoinWithFixture(coord_->url(), dir_.path() + "/" + host, host,
                                      owner.CreateKey(), dir_.path() + "/" + host + ".log");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ids.push_back(LastLine(r.output));
  }

  auto admin = Anonymous();
  auto login =
      admin->PostJson("/v1/sessions", {{"email", kAdminEmail}, {"password", kAdminPassword}});
  ASSERT_TRUE(login.ok());
  admin->SetBearer(login->Json()["token"]);

  auto all = admin->Get("/v1/admin/devices?limit=2");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(all->Json()["total"], 3);
  EXPECT_EQ(all->Json()["devices"].size(), 2u);
  EXPECT_EQ(all->Json()["devices"][0]["id"], ids[0]);
  auto second = admin->Get("/v1/admin/devices?limit=2&offset=2");
  ASSERT_EQ(second->Json()["devices"].size(), 1u);
  EXPECT_EQ(second->Json()["devices"][0]["id"], ids[2]);

  auto gpu = admin->Get("/v1/admin/devices?q=RTX4090");
  ASSERT_EQ(gpu->Json()["total"], 1);
  EXPECT_EQ(gpu->Json()["devices"][0]["id"], ids[0]);
  auto online = admin->Get("/v1/admin/devices?status=online");
  EXPECT_EQ(online->Json()["counts"]["online"].get<int>() +
                online->Json()["counts"]["stale"].get<int>() +
                online->Json()["counts"]["offline"].get<int>(),
            3);

  for (const char* bad : {"?status=sleeping", "?limit=0", "?limit=x", "?offset=-1"}) {
    auto r = admin->Get(std::string("/v1/admin/devices") + bad);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_FALSE(r->Json()["error"]["field"].get<std::string>().empty()) << bad;
  }
}

}  // namespace
}  // namespace hearth::testing
