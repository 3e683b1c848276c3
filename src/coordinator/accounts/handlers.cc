#include "coordinator/accounts/handlers.h"

#include "api/types.h"
#include "common/log.h"
#include "coordinator/accounts/password.h"

namespace hearth::accounts {

using http::Request;
using http::Response;

StatusOr<store::Account> CreateAccount(coordinator::Context& ctx, const std::string& email,
                                       const Secret<std::string>& password, store::Role role) {
  HEARTH_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  store::Account a{AccountId(NewRandomId(kAccountPrefix, ctx.random)), email, std::move(hash), role,
                   ctx.clock.Now()};
  HEARTH_RETURN_IF_ERROR(ctx.store.CreateAccount(a));
  log::Info("account created", {{"account_id", a.id.str()}, {"role", store::RoleName(role)}});
  return a;
}

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("POST", "/v1/accounts", [&ctx](const Request& req) {
    if (auto limited = coordinator::RateLimited(ctx, req)) return *limited;
    if (!ctx.config.allow_signup) {
      return Response::Error(Status(Code::kPermissionDenied,
                                    "self sign-up is disabled on this coordinator; ask an admin "
                                    "for an account",
                                    "signup_disabled"));
    }
    auto creds = api::DecodeCredentials(req.body, /*for_signup=*/true);
    if (!creds.ok()) return Response::Error(creds.status());
    auto account = CreateAccount(ctx, creds->email, creds->password, store::Role::kOwner);
    if (!account.ok()) return Response::Error(account.status());
    return Response::Json(201, api::EncodeAccount(*account));
  });

  router.Add("POST", "/v1/sessions", [&ctx](const Request& req) {
    if (auto limited = coordinator::RateLimited(ctx, req)) return *limited;
    auto creds = api::DecodeCredentials(req.body, /*for_signup=*/false);
    if (!creds.ok()) return Response::Error(creds.status());
    auto login = ctx.auth.Login(creds->email, creds->password);
    if (!login.ok()) return Response::Error(login.status());
    const auto& [account, session] = *login;
    Response r = Response::Json(201, {{"token", session.token.Reveal()},
                                      {"csrf_token", session.csrf_token},
                                      {"expires_at", FormatRfc3339(session.expires_at)},
                                      {"account", api::EncodeAccount(account)}});
    r.headers.emplace_back("Set-Cookie", Auth::SessionCookie(session, ctx.auth.session_ttl()));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router.Add("DELETE", "/v1/sessions/current", [&ctx](const Request& req) {
    if (Status st = ctx.auth.Logout(req); !st.ok()) return Response::Error(st);
    Response r = Response::NoContent();
    r.headers.emplace_back("Set-Cookie", Auth::ClearSessionCookie());
    return r;
  });

  router.Add("GET", "/v1/me", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    nlohmann::json out = api::EncodeAccount(p->account);
    // The regions this account administers, so the portal offers their admin pages.
    std::vector<store::Region> regions;
    Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
      HEARTH_ASSIGN_OR_RETURN(regions, tx.ListRegions());
      return Status::Ok();
    });
    if (!st.ok()) return Response::Error(st);
    nlohmann::json admin_of = nlohmann::json::array();
    for (const auto& r : regions) {
      if (r.admin && *r.admin == p->account.id) admin_of.push_back(r.id);
    }
    out["region_admin_of"] = admin_of;
    // A reloaded portal page has the HttpOnly cookie but not the token it got at sign-in; the
    // same-origin policy keeps this response from other sites.
    if (p->via_cookie) out["csrf_token"] = Auth::CsrfTokenFor(req.Cookie(kSessionCookie));
    return Response::Json(200, out);
  });
}

}  // namespace hearth::accounts
