// Routes for accounts and sessions: POST /v1/accounts, POST /v1/sessions,
// DELETE /v1/sessions/current, GET /v1/me.
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::accounts {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

// Creates an account (used by sign-up, the first-admin bootstrap and the demo).
StatusOr<store::Account> CreateAccount(coordinator::Context& ctx, const std::string& email,
                                       const Secret<std::string>& password, store::Role role);

}  // namespace hearth::accounts
