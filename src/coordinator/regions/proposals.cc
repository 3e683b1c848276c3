#include "coordinator/regions/proposals.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/encoding.h"
#include "common/log.h"
#include "coordinator/regions/catalog.h"

namespace hearth::regions {
namespace {

int64_t GpusOf(const store::Device& d) {
  auto inv = nlohmann::json::parse(d.inventory_json, nullptr, false);
  if (inv.is_discarded() || !inv.contains("gpus") || !inv["gpus"].is_array()) return 0;
  return static_cast<int64_t>(inv["gpus"].size());
}

// "KE/-1/36" → country "KE" and the cell's centre (-0.5, 36.5); "KE/-/-" has none.
struct Cell {
  std::string country;
  std::optional<double> lat, lon;
};
Cell ParseCell(const std::string& cell) {
  Cell c;
  const size_t a = cell.find('/');
  c.country = cell.substr(0, a);
  if (a == std::string::npos) return c;
  const size_t b = cell.find('/', a + 1);
  if (b == std::string::npos) return c;
  const std::string lat = cell.substr(a + 1, b - a - 1), lon = cell.substr(b + 1);
  if (lat == "-" || lon == "-") return c;
  try {
    c.lat = std::stoi(lat) + 0.5;
    c.lon = std::stoi(lon) + 0.5;
  } catch (const std::exception&) {
    c.lat.reset();
    c.lon.reset();
  }
  return c;
}

StatusOr<store::RegionProposal> FindOpen(store::NetworkTx& tx, const std::string& id) {
  HEARTH_ASSIGN_OR_RETURN(std::optional<store::RegionProposal> p, tx.FindProposal(id));
  if (!p) return Status::NotFound("no such region proposal: " + id);
  if (p->status != "open") {
    return Status::FailedPrecondition(
        "proposal_not_open", "proposal " + id + " is " + p->status +
                                 (p->region_id.empty() ? "" : " (region " + p->region_id + ")"));
  }
  return *p;
}

}  // namespace

std::string ProposalId(const std::string& cell) { return "rp_" + Sha256Hex(cell).substr(0, 16); }

Status RecordEvent(store::NetworkTx& tx, bool webhook, store::AdminEvent e) {
  e.webhook_state = webhook ? "pending" : "none";
  e.webhook_attempts = 0;
  e.webhook_next_at = e.at;
  HEARTH_RETURN_IF_ERROR(tx.InsertEvent(e));
  log::Info("admin event", {{"kind", e.kind}, {"message", e.message}});
  return Status::Ok();
}

StatusOr<Waiting> CountWaiting(store::NetworkTx& tx, const std::string& cell) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> waiting, tx.ListWaitlisted(cell));
  Waiting w;
  for (const auto& d : waiting) {
    ++w.devices;
    w.gpus += GpusOf(d);
  }
  return w;
}

StatusOr<bool> MaybePropose(store::NetworkTx& tx, const std::string& cell,
                            const ProposalPolicy& policy, bool webhook, Timestamp now) {
  if (cell.empty() || (policy.min_devices <= 0 && policy.min_gpus <= 0)) return false;
  // Devices with no location evidence at all wait in "ZZ/…": there is nowhere to put a region
  // for them, so they never propose one (they are placed once a region accepts any country).
  if (cell.rfind("ZZ/", 0) == 0) return false;
  HEARTH_ASSIGN_OR_RETURN(std::optional<store::RegionProposal> existing,
                          tx.FindProposal(ProposalId(cell)));
  if (existing) return false;  // once per cell
  HEARTH_ASSIGN_OR_RETURN(Waiting w, CountWaiting(tx, cell));
  const bool by_devices = policy.min_devices > 0 && w.devices >= policy.min_devices;
  const bool by_gpus = policy.min_gpus > 0 && w.gpus >= policy.min_gpus;
  if (!by_devices && !by_gpus) return false;
  store::RegionProposal p;
  p.id = ProposalId(cell);
  p.cell = cell;
  p.country = ParseCell(cell).country;
  p.devices = w.devices;
  p.gpus = w.gpus;
  p.created_at = p.updated_at = now;
  HEARTH_RETURN_IF_ERROR(tx.InsertProposal(p));
  store::AdminEvent e;
  e.at = now;
  e.kind = "region_proposed";
  e.proposal_id = p.id;
  e.message = "waitlist cell " + cell + " has " + std::to_string(w.devices) + " device(s) and " +
              std::to_string(w.gpus) + " GPU(s) waiting; region proposal " + p.id +
              " is open for volunteers";
  e.detail_json = nlohmann::json{{"cell", cell},
                                 {"country", p.country},
                                 {"devices", w.devices},
                                 {"gpus", w.gpus},
                                 {"threshold_devices", policy.min_devices},
                                 {"threshold_gpus", policy.min_gpus}}
                      .dump();
  HEARTH_RETURN_IF_ERROR(RecordEvent(tx, webhook, e));
  return true;
}

StatusOr<store::RegionVolunteer> Volunteer(store::Store& store, Timestamp now, bool webhook,
                                           const std::string& proposal_id, const AccountId& owner,
                                           const api::HostingDetails& details) {
  store::RegionVolunteer v;
  Status st = store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(store::RegionProposal p, FindOpen(tx, proposal_id));
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> waiting, tx.ListWaitlisted(p.cell));
    const bool mine = std::any_of(waiting.begin(), waiting.end(),
                                  [&](const store::Device& d) { return d.owner_id == owner; });
    if (!mine) {
      return Status(Code::kPermissionDenied,
                    "only owners with a device waitlisted in cell " + p.cell +
                        " can volunteer to host its region",
                    "not_waitlisted_here");
    }
    v.proposal_id = p.id;
    v.account_id = owner;
    v.details_json = api::EncodeHostingDetails(details).dump();
    v.created_at = now;
    HEARTH_RETURN_IF_ERROR(tx.UpsertVolunteer(v));
    store::AdminEvent e;
    e.at = now;
    e.kind = "region_volunteered";
    e.proposal_id = p.id;
    e.message = "an owner volunteered to host the region proposed for cell " + p.cell;
    e.detail_json = nlohmann::json{{"cell", p.cell},
                                   {"account_id", owner.str()},
                                   {"hosting", api::EncodeHostingDetails(details)}}
                        .dump();
    return RecordEvent(tx, webhook, e);
  });
  if (!st.ok()) return st;
  return v;
}

StatusOr<store::Region> Approve(store::Store& store, Timestamp now, bool webhook,
                                const std::string& proposal_id, const AccountId& volunteer,
                                const nlohmann::json& region_fields) {
  store::Region created;
  Status st = store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(store::RegionProposal p, FindOpen(tx, proposal_id));
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::RegionVolunteer> volunteers,
                            tx.ListVolunteers(p.id));
    auto v =
        std::find_if(volunteers.begin(), volunteers.end(),
                     [&](const store::RegionVolunteer& x) { return x.account_id == volunteer; });
    if (v == volunteers.end()) {
      return Status::InvalidArgument("volunteer",
                                     "this account has not volunteered for proposal " + p.id +
                                         "; list the volunteers with GET /v1/regions/proposals");
    }
    // Defaults from the proposal's cell and the volunteer's hosting details.
    nlohmann::json fields = region_fields;
    const Cell cell = ParseCell(p.cell);
    if (!fields.contains("countries") && cell.country != "ZZ") {
      fields["countries"] = {cell.country};
    }
    if (!fields.contains("lat") && !fields.contains("lon") && cell.lat && cell.lon) {
      fields["lat"] = *cell.lat;
      fields["lon"] = *cell.lon;
    }
    auto hosting = nlohmann::json::parse(v->details_json, nullptr, false);
    if (!fields.contains("gateways") && !hosting.is_discarded() &&
        hosting.contains("gateway_endpoint")) {
      fields["gateways"] = {hosting["gateway_endpoint"]};
    }
    auto spec = api::DecodeRegionSpec(fields.dump(), /*for_create=*/true);
    if (!spec.ok()) {
      const Status& s = spec.status();
      return Status(s.code(), s.message(), s.reason(),
                    "region" + (s.field().empty() ? "" : "." + s.field()));
    }
    auto r = CreateIn(tx, now, *spec, "bootstrapping");
    if (!r.ok()) {
      const Status& s = r.status();
      return Status(s.code(), s.message(), s.reason(),
                    "region" + (s.field().empty() ? "" : "." + s.field()));
    }
    created = *r;
    created.admin = volunteer;
    HEARTH_RETURN_IF_ERROR(tx.UpdateRegion(created));
    p.status = "approved";
    p.region_id = created.id;
    p.volunteer = volunteer;
    p.updated_at = now;
    HEARTH_RETURN_IF_ERROR(tx.UpdateProposal(p));
    store::AdminEvent e;
    e.at = now;
    e.kind = "region_approved";
    e.region_id = created.id;
    e.proposal_id = p.id;
    e.message = "region " + created.id + " for cell " + p.cell +
                " is bootstrapping; its volunteer is the region admin";
    e.detail_json = nlohmann::json{{"cell", p.cell},
                                   {"region", created.id},
                                   {"admin_account_id", volunteer.str()},
                                   {"gateways", created.gateways}}
                        .dump();
    return RecordEvent(tx, webhook, e);
  });
  if (!st.ok()) return st;
  return created;
}

}  // namespace hearth::regions
