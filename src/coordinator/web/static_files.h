// StaticFiles: the web portal's built files (web/dist), served by `hearth serve`.
//
// The directory is read once at start-up into memory, so a request can only ever name a file
// that was in the tree then: no path from a request reaches the file system (no traversal, no
// symlinks followed). Hashed build outputs under /assets/ are cached forever (immutable);
// index.html and other files must be revalidated. A GET for a client-side route (a path with
// no file extension outside the API prefixes) gets index.html, so deep links work. Every HTML
// response carries a Content-Security-Policy without inline scripts. Thread-safe after Load.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace hearth::web {

// The CSP sent with the portal's HTML: scripts and styles from this origin only.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

class StaticFiles {
 public:
  // Reads every regular file under `dir`. Fails (naming `field`) when `dir` is not a directory
  // or has no index.html.
  static StatusOr<StaticFiles> Load(const std::string& dir, const std::string& field);

  // The response for a GET/HEAD that matched no API route, or nullopt (the caller answers 404).
  std::optional<http::Response> Serve(const http::Request& req) const;
  // The portal's index.html.
  http::Response Index() const;

  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  http::Response Make(const std::string& path, const File& f) const;

  std::map<std::string, File> files_;  // "/assets/index-abc.js" -> file
};

// The MIME type for a file name, by extension ("application/octet-stream" when unknown).
std::string ContentTypeFor(const std::string& path);

}  // namespace hearth::web
