#include "coordinator/web/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hearth::web {

namespace fs = std::filesystem;

namespace {

// Paths that belong to the API or the coordinator itself: never answered with the portal.
bool IsServerPath(const std::string& path) {
  for (std::string_view prefix : {"/v1/", "/v1", "/healthz", "/metrics"}) {
    if (path == prefix || (prefix.back() == '/' && path.rfind(prefix, 0) == 0)) return true;
  }
  return false;
}

bool HasExtension(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string last = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return last.find('.') != std::string::npos;
}

}  // namespace

std::string ContentTypeFor(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  const std::string ext = fs::path(path).extension().string();
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

StatusOr<StaticFiles> StaticFiles::Load(const std::string& dir, const std::string& field) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidArgument(field, "'" + dir +
                                              "' is not a directory; build the portal with `make "
                                              "build` or point " +
                                              field + " at a web/dist directory");
  }
  StaticFiles out;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink() || !it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) continue;
    std::ostringstream body;
    body << in.rdbuf();
    const std::string rel = "/" + fs::relative(it->path(), dir).generic_string();
    out.files_[rel] = {ContentTypeFor(rel), body.str()};
  }
  if (ec) {
    return Status::InvalidArgument(field, "cannot read '" + dir + "': " + ec.message());
  }
  if (!out.files_.count("/index.html")) {
    return Status::InvalidArgument(
        field, "'" + dir + "' has no index.html; build the portal with `make build`");
  }
  return out;
}

http::Response StaticFiles::Make(const std::string& path, const File& f) const {
  http::Response r;
  r.content_type = f.content_type;
  r.body = f.body;
  const bool hashed = path.rfind("/assets/", 0) == 0;
  r.headers.emplace_back("Cache-Control",
                         hashed ? "public, max-age=31536000, immutable" : "no-cache");
  if (f.content_type.rfind("text/html", 0) == 0) {
    r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Frame-Options", "DENY");
  }
  return r;
}

http::Response StaticFiles::Index() const { return Make("/index.html", files_.at("/index.html")); }

std::optional<http::Response> StaticFiles::Serve(const http::Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  const std::string& path = req.path;
  if (path.empty() || path[0] != '/' || IsServerPath(path)) return std::nullopt;
  if (auto it = files_.find(path); it != files_.end()) return Make(path, it->second);
  // A missing file (a stale hashed asset, a typo) is a 404, not the portal's HTML.
  if (HasExtension(path)) return std::nullopt;
  return Index();
}

}  // namespace hearth::web
