// Region proposals and bootstrapping (DESIGN §4): when a waitlist cell's devices (and/or GPUs)
// reach a threshold, a proposal is raised once for that cell and admins are told through the
// admin event log (and the webhook outbox); waitlisted owners there may volunteer to host the
// region's control plane; an admin approves one volunteer, which creates the region as
// `bootstrapping` with that owner as its region admin. Network::Tick makes it `active` once one
// of its gateways is enrolled and heartbeating, and then places the cell's waitlisted devices.
//
// Every function validates before writing and changes the store in one transaction (errors name
// the field). Thread-safe: all state is in the store.
#pragma once

#include <string>

#include "api/regions.h"
#include "common/clock.h"
#include "store/store.h"

namespace hearth::regions {

// When a cell's waitlist raises a proposal: at least `min_devices` devices (0: not by count) or
// at least `min_gpus` GPUs (0: not by GPUs). Both 0: never.
struct ProposalPolicy {
  int64_t min_devices = 10;
  int64_t min_gpus = 0;
};

// The proposal id of a cell: "rp_" + 16 hex digits of SHA-256(cell), so a cell has one.
std::string ProposalId(const std::string& cell);

// Appends an event to the admin event log in `tx`; queued for the webhook when `webhook`.
Status RecordEvent(store::NetworkTx& tx, bool webhook, store::AdminEvent e);

// After a device was newly waitlisted in `cell` (inside the transaction that waitlisted it):
// raises the cell's proposal and its "region_proposed" event when the waitlist meets `policy`
// and the cell has none yet. Returns whether one was raised.
StatusOr<bool> MaybePropose(store::NetworkTx& tx, const std::string& cell,
                            const ProposalPolicy& policy, bool webhook, Timestamp now);

// Waitlisted devices and their GPUs in a cell now.
struct Waiting {
  int64_t devices = 0, gpus = 0;
};
StatusOr<Waiting> CountWaiting(store::NetworkTx& tx, const std::string& cell);

// POST /v1/regions/proposals/{id}/volunteer: `owner` offers to host. Only an owner with a device
// waitlisted in the proposal's cell may (kPermissionDenied "not_waitlisted_here"); the proposal
// must be open (kFailedPrecondition "proposal_not_open"). Volunteering again replaces the details.
StatusOr<store::RegionVolunteer> Volunteer(store::Store& store, Timestamp now, bool webhook,
                                           const std::string& proposal_id, const AccountId& owner,
                                           const api::HostingDetails& details);

// POST /v1/regions/proposals/{id}/approve: the region from `request.region` (its lat/lon default
// to the cell's centre when the cell has coordinates, its countries to the cell's country, its
// gateways to the volunteer's endpoint) is created `bootstrapping` with the volunteer as region
// admin, and the proposal is marked approved — in one transaction. The volunteer must have
// volunteered for this proposal (field "volunteer").
StatusOr<store::Region> Approve(store::Store& store, Timestamp now, bool webhook,
                                const std::string& proposal_id, const AccountId& volunteer,
                                const nlohmann::json& region_fields);

}  // namespace hearth::regions
