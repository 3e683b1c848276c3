// Auth: sessions for people, credentials for devices.
//
// A session token (random 256 bits, "hst_" prefix) is returned by POST /v1/sessions and also set
// as an HttpOnly, SameSite=Strict cookie. Only its SHA-256 is stored. Requests authenticated by
// the cookie that change state (anything but GET/HEAD) must carry X-CSRF-Token equal to the
// session's CSRF token, which is derived from the session token (so nothing extra is stored).
// Bearer-authenticated requests need no CSRF token: a browser never attaches them on its own.
// Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/secret.h"
#include "http/message.h"
#include "store/store.h"

namespace hearth::accounts {

inline constexpr std::string_view kSessionCookie = "hearth_session";

struct Principal {
  store::Account account;
  bool via_cookie = false;
  bool admin() const { return account.role == store::Role::kAdmin; }
};

struct NewSession {
  Secret<std::string> token;
  std::string csrf_token;
  Timestamp expires_at;
};

class Auth {
 public:
  Auth(store::Store& store, const Clock& clock, Random& random, Duration session_ttl)
      : store_(store), clock_(clock), random_(random), session_ttl_(session_ttl) {}

  // Verifies email + password; on success stores a session. Wrong email and wrong password give
  // the same error, so accounts cannot be discovered by probing.
  StatusOr<std::pair<store::Account, NewSession>> Login(const std::string& email,
                                                        const Secret<std::string>& password);
  Status Logout(const http::Request& req);
  // The signed-in person, or kUnauthenticated; enforces CSRF for cookie-authenticated writes.
  StatusOr<Principal> Authenticate(const http::Request& req);

  static std::string CsrfTokenFor(const std::string& session_token);
  // Set-Cookie values for a new session and for clearing it.
  static std::string SessionCookie(const NewSession& s, Duration ttl);
  static std::string ClearSessionCookie();
  Duration session_ttl() const { return session_ttl_; }

 private:
  // The session token from Authorization: Bearer or the cookie.
  std::optional<std::pair<std::string, bool>> TokenOf(const http::Request& req) const;

  store::Store& store_;
  const Clock& clock_;
  Random& random_;
  Duration session_ttl_;
};

}  // namespace hearth::accounts
