// Routes of the rewards module.
//
// Owners: GET /v1/earnings (JSON, or CSV with format=csv), GET/PUT /v1/payout-address,
// GET/POST /v1/withdrawals. Admins: PUT /v1/admin/epochs/{start}/revenue,
// POST /v1/admin/epochs/{start}/settle, GET /v1/admin/epochs/{start}/audit,
// POST/GET /v1/admin/payout-batches, GET /v1/admin/payout-batches/{id},
// POST /v1/admin/payout-batches/{id}/paid and .../failed. Owners see only their own money.
#pragma once

#include "coordinator/context.h"
#include "coordinator/rewards/ledger.h"
#include "coordinator/rewards/payout.h"
#include "http/router.h"

namespace hearth::rewards {

// "2026-11-25T13:00:00Z" (optionally with .mmm) or Unix milliseconds.
StatusOr<Timestamp> ParseTime(const std::string& text, const std::string& field);

// `ledger` must outlive the router.
void RegisterRoutes(http::Router& router, coordinator::Context& ctx, Ledger& ledger,
                    const PayoutConfig& payout);

}  // namespace hearth::rewards
