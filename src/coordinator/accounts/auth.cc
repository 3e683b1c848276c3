#include "coordinator/accounts/auth.h"

#include "common/encoding.h"
#include "coordinator/accounts/password.h"

namespace hearth::accounts {
namespace {
constexpr std::string_view kSessionPrefix = "hst_";
// Verified against when the email is unknown, so both failures cost the same time.
const std::string& DummyHash() {
  static const std::string h = HashPassword(Secret<std::string>("not a real password")).value();
  return h;
}
}  // namespace

StatusOr<std::pair<store::Account, NewSession>> Auth::Login(const std::string& email,
                                                            const Secret<std::string>& password) {
  auto account = store_.FindAccountByEmail(email);
  const Status bad = Status::Unauthenticated(
      "wrong email or password; check both, or sign up if you have no account",
      "invalid_credentials");
  if (!account.ok()) {
    if (account.status().code() != Code::kNotFound) return account.status();
    (void)VerifyPassword(password, DummyHash());
    return bad;
  }
  if (!VerifyPassword(password, account->password_hash)) return bad;
  NewSession s;
  s.token = Secret<std::string>(std::string(kSessionPrefix) + Base64UrlEncode(random_.Bytes(32)));
  s.csrf_token = CsrfTokenFor(s.token.Reveal());
  const Timestamp now = clock_.Now();
  s.expires_at = now + session_ttl_;
  HEARTH_RETURN_IF_ERROR(
      store_.CreateSession({Sha256Hex(s.token.Reveal()), account->id, now, s.expires_at}));
  return std::make_pair(std::move(account).value(), std::move(s));
}

std::optional<std::pair<std::string, bool>> Auth::TokenOf(const http::Request& req) const {
  const std::string authz = req.Header("authorization");
  if (authz.rfind("Bearer ", 0) == 0) return std::make_pair(authz.substr(7), false);
  std::string cookie = req.Cookie(kSessionCookie);
  if (!cookie.empty()) return std::make_pair(std::move(cookie), true);
  return std::nullopt;
}

StatusOr<Principal> Auth::Authenticate(const http::Request& req) {
  auto token = TokenOf(req);
  if (!token) {
    return Status::Unauthenticated(
        "sign in first: POST /v1/sessions, then send Authorization: Bearer <token>");
  }
  if (token->first.rfind(kSessionPrefix, 0) != 0) {
    return Status::Unauthenticated("this is not a session token; sign in again", "invalid_session");
  }
  auto session = store_.FindSession(Sha256Hex(token->first));
  if (!session.ok()) {
    if (session.status().code() != Code::kNotFound) return session.status();
    return Status::Unauthenticated("the session is unknown or signed out; sign in again",
                                   "invalid_session");
  }
  if (clock_.Now() >= session->expires_at) {
    return Status::Unauthenticated("the session expired; sign in again", "session_expired");
  }
  if (token->second && req.method != "GET" && req.method != "HEAD") {
    if (!ConstantTimeEquals(req.Header("x-csrf-token"), CsrfTokenFor(token->first))) {
      return Status::PermissionDenied(
          "missing or wrong X-CSRF-Token header; cookie-authenticated changes must send the "
          "csrf_token returned at sign-in");
    }
  }
  HEARTH_ASSIGN_OR_RETURN(store::Account account, store_.GetAccount(session->account_id));
  return Principal{std::move(account), token->second};
}

Status Auth::Logout(const http::Request& req) {
  HEARTH_RETURN_IF_ERROR(Authenticate(req).status());
  return store_.DeleteSession(Sha256Hex(TokenOf(req)->first));
}

std::string Auth::CsrfTokenFor(const std::string& session_token) {
  return Base64UrlEncode(Sha256("hearth-csrf:" + session_token)).substr(0, 32);
}

std::string Auth::SessionCookie(const NewSession& s, Duration ttl) {
  return std::string(kSessionCookie) + "=" + s.token.Reveal() +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(ttl).count());
}

std::string Auth::ClearSessionCookie() {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

}  // namespace hearth::accounts
