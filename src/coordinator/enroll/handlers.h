// Routes for install keys and enrollment: POST/GET /v1/install-keys,
// DELETE /v1/install-keys/{id}, POST /v1/enroll.
#pragma once

#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::enroll {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

// A new install key for `owner` (the key itself is returned once and stored only as a hash).
struct IssuedKey {
  store::InstallKeyRecord record;
  Secret<std::string> key;
};
StatusOr<IssuedKey> IssueInstallKey(coordinator::Context& ctx, const AccountId& owner,
                                    Duration ttl);

}  // namespace hearth::enroll
