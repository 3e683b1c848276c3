// StaticFiles: content types, cache headers, the SPA fallback, the CSP, and that no request
// path reaches a file outside the loaded tree.
#include "coordinator/web/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hearth::web {
namespace {

namespace fs = std::filesystem;

std::string HeaderOf(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("hearth-web-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "dist" / "assets");
    Write("dist/index.html", "<!doctype html><title>Hearth</title>");
    Write("dist/assets/index-abc123.js", "console.log(1)");
    Write("dist/assets/index-abc123.css", "body{}");
    Write("dist/favicon.svg", "<svg/>");
    Write("secret.txt", "outside");
    fs::create_symlink(root_ / "secret.txt", root_ / "dist" / "link.txt");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& body) {
    std::ofstream(root_ / rel) << body;
  }
  static http::Request Get(const std::string& path) {
    http::Request r;
    r.method = "GET";
    r.path = path;
    return r;
  }
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCacheHeaders) {
  auto files = StaticFiles::Load((root_ / "dist").string(), "--web-dir");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto js = files->Serve(Get("/assets/index-abc123.js"));
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(HeaderOf(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto css = files->Serve(Get("/assets/index-abc123.css"));
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  auto svg = files->Serve(Get("/favicon.svg"));
  ASSERT_TRUE(svg.has_value());
  EXPECT_EQ(svg->content_type, "image/svg+xml");
  EXPECT_EQ(HeaderOf(*svg, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, IndexIsNotCachedAndHasStrictCsp) {
  auto files = StaticFiles::Load((root_ / "dist").string(), "--web-dir");
  ASSERT_TRUE(files.ok());
  auto index = files->Serve(Get("/index.html"));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(HeaderOf(*index, "Cache-Control"), "no-cache");
  const std::string csp = HeaderOf(*index, "Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(files->Index().body, index->body);
}

TEST_F(StaticFilesTest, ClientRoutesFallBackToIndex) {
  auto files = StaticFiles::Load((root_ / "dist").string(), "--web-dir");
  ASSERT_TRUE(files.ok());
  for (const char* path : {"/devices", "/devices/dev_abc", "/admin/devices", "/signin"}) {
    auto r = files->Serve(Get(path));
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->body, "<!doctype html><title>Hearth</title>") << path;
  }
}

TEST_F(StaticFilesTest, ApiPathsMissingFilesAndWritesAreNotServed) {
  auto files = StaticFiles::Load((root_ / "dist").string(), "--web-dir");
  ASSERT_TRUE(files.ok());
  for (const char* path : {"/v1/nope", "/v1", "/healthz", "/metrics", "/assets/gone-123.js",
                           "/missing.png", "relative"}) {
    EXPECT_FALSE(files->Serve(Get(path)).has_value()) << path;
  }
  http::Request post = Get("/devices");
  post.method = "POST";
  EXPECT_FALSE(files->Serve(post).has_value());
}

TEST_F(StaticFilesTest, NoTraversalAndNoSymlinks) {
  auto files = StaticFiles::Load((root_ / "dist").string(), "--web-dir");
  ASSERT_TRUE(files.ok());
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                           "/link.txt", "//secret.txt"}) {
    auto r = files->Serve(Get(path));
    if (r.has_value()) {
      EXPECT_NE(r->body, "outside") << path;
    }
  }
  EXPECT_FALSE(files->Serve(Get("/link.txt")).has_value());
}

TEST_F(StaticFilesTest, LoadErrorsNameTheFlag) {
  auto missing = StaticFiles::Load((root_ / "nope").string(), "--web-dir");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().field(), "--web-dir");
  fs::remove(root_ / "dist" / "index.html");
  auto no_index = StaticFiles::Load((root_ / "dist").string(), "--web-dir");
  ASSERT_FALSE(no_index.ok());
  EXPECT_NE(no_index.status().message().find("index.html"), std::string::npos);
}

TEST(ContentTypeTest, KnownAndUnknownExtensions) {
  EXPECT_EQ(ContentTypeFor("/a/b.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("/x.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("/x.bin"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("/noext"), "application/octet-stream");
}

}  // namespace
}  // namespace hearth::web
