#include "coordinator/rewards/split_codec.h"

#include "api/json_reader.h"

namespace hearth::rewards {
namespace {

StatusOr<bool> ReadBool(const nlohmann::json& obj, const std::string& key,
                        const std::string& field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return Status::InvalidArgument(field, "is required (true or false)");
  }
  if (!it->is_boolean()) return Status::InvalidArgument(field, "must be true or false");
  return it->get<bool>();
}

// A missing key is zero for amounts the caller may leave out (attributed revenue); required
// keys go through JsonReader::Int.
StatusOr<int64_t> OptZero(const api::JsonReader& r, const std::string& key, int64_t max) {
  HEARTH_ASSIGN_OR_RETURN(std::optional<int64_t> v, r.OptInt(key, 0, max));
  return v.value_or(0);
}

}  // namespace

StatusOr<SplitInput> DecodeSplitInput(const nlohmann::json& j) {
  if (!j.is_object()) {
    return Status(Code::kInvalidArgument, "the epoch input must be a JSON object ({...})",
                  "malformed_json");
  }
  api::JsonReader r(j);
  SplitInput in;
  HEARTH_ASSIGN_OR_RETURN(int64_t revenue, r.Int("revenue", 0, kMaxAmount));
  in.revenue = Amount::Micro(revenue);
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json op, r.Object("operator"));
  api::JsonReader opr(op, "operator");
  HEARTH_ASSIGN_OR_RETURN(int64_t fixed_cost, OptZero(opr, "fixed_cost", kMaxAmount));
  in.op.fixed_cost = Amount::Micro(fixed_cost);
  HEARTH_ASSIGN_OR_RETURN(in.op.fee_bps, OptZero(opr, "fee_bps", kMaxBps));
  HEARTH_ASSIGN_OR_RETURN(in.usage_share_bps, r.Int("usage_share_bps", 0, kMaxBps));
  HEARTH_ASSIGN_OR_RETURN(in.epoch_seconds, r.OptInt("epoch_seconds", 1, kMaxOnlineSeconds));
  if (auto c = j.find("carry"); c != j.end() && !c->is_null()) {
    if (!c->is_boolean()) return Status::InvalidArgument("carry", "must be true or false");
    in.carry = c->get<bool>();
  }

  auto devs = j.find("devices");
  if (devs == j.end() || devs->is_null()) {
    return Status::InvalidArgument("devices", "is required (an array, possibly empty)");
  }
  if (!devs->is_array()) return Status::InvalidArgument("devices", "must be an array");
  if (devs->size() > kMaxDevices) {
    return Status::InvalidArgument("devices",
                                   "has more than " + std::to_string(kMaxDevices) + " entries");
  }
  in.devices.reserve(devs->size());
  for (size_t i = 0; i < devs->size(); ++i) {
    const std::string prefix = "devices[" + std::to_string(i) + "]";
    const nlohmann::json& dj = (*devs)[i];
    if (!dj.is_object()) return Status::InvalidArgument(prefix, "must be a JSON object");
    api::JsonReader dr(dj, prefix);
    SplitDevice d;
    HEARTH_ASSIGN_OR_RETURN(std::string id, dr.String("id", 128));
    if (id.empty()) return Status::InvalidArgument(prefix + ".id", "must not be empty");
    d.id = DeviceId(std::move(id));
    HEARTH_ASSIGN_OR_RETURN(d.online_seconds, dr.Int("online_seconds", 0, kMaxOnlineSeconds));
    HEARTH_ASSIGN_OR_RETURN(d.capacity_weight, dr.Int("capacity_weight", 0, kMaxCapacityWeight));
    HEARTH_ASSIGN_OR_RETURN(int64_t attributed, OptZero(dr, "attributed_revenue", kMaxAmount));
    d.attributed_revenue = Amount::Micro(attributed);
    HEARTH_ASSIGN_OR_RETURN(d.eligible, ReadBool(dj, "eligible", prefix + ".eligible"));
    HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> reason,
                            dr.OptString("ineligible_reason", kMaxReasonLength));
    d.ineligible_reason = reason.value_or("");
    HEARTH_ASSIGN_OR_RETURN(d.carry_in, OptZero(dr, "carry_in", kCarryScale - 1));
    in.devices.push_back(std::move(d));
  }
  HEARTH_RETURN_IF_ERROR(ValidateSplitInput(in));
  return in;
}

StatusOr<SplitInput> DecodeSplitInput(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status(Code::kInvalidArgument,
                  "the epoch input is not valid JSON; see `hearth rewards split --help` for "
                  "its shape",
                  "malformed_json");
  }
  return DecodeSplitInput(j);
}

nlohmann::json EncodeSplitInput(const SplitInput& in) {
  nlohmann::json devices = nlohmann::json::array();
  for (const SplitDevice& d : in.devices) {
    devices.push_back({{"id", d.id.str()},
                       {"online_seconds", d.online_seconds},
                       {"capacity_weight", d.capacity_weight},
                       {"attributed_revenue", d.attributed_revenue.micro()},
                       {"eligible", d.eligible}});
    if (!d.ineligible_reason.empty()) devices.back()["ineligible_reason"] = d.ineligible_reason;
    if (in.carry) devices.back()["carry_in"] = d.carry_in;
  }
  nlohmann::json j = {
      {"revenue", in.revenue.micro()},
      {"operator", {{"fixed_cost", in.op.fixed_cost.micro()}, {"fee_bps", in.op.fee_bps}}},
      {"usage_share_bps", in.usage_share_bps},
      {"devices", std::move(devices)}};
  if (in.epoch_seconds) j["epoch_seconds"] = *in.epoch_seconds;
  if (in.carry) j["carry"] = true;
  return j;
}

nlohmann::json EncodeSplitResult(const SplitResult& r) {
  nlohmann::json allocations = nlohmann::json::array();
  for (const Allocation& a : r.allocations) {
    allocations.push_back({{"id", a.id.str()},
                           {"usage", a.usage.micro()},
                           {"participation", a.participation.micro()},
                           {"total", a.total.micro()}});
    if (r.carry) allocations.back()["carry_out"] = a.carry_out;
  }
  nlohmann::json j = {{"operator", r.operator_share.micro()},
                      {"allocations", std::move(allocations)}};
  if (r.carry) j["carried"] = r.carried.micro();
  return j;
}

}  // namespace hearth::rewards
