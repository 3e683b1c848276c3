#include "coordinator/rewards/handlers.h"

#include <ctime>
#include <map>

#include "api/json_reader.h"
#include "common/bech32.h"
#include "common/log.h"
#include "coordinator/rewards/leases.h"
#include "coordinator/rewards/split_codec.h"

namespace hearth::rewards {

using http::Request;
using http::Response;

namespace {

constexpr int64_t kDayMs = 86'400'000;

Status AdminOnly() { return Status::PermissionDenied("this needs an admin account"); }

struct Sums {
  int64_t usage = 0, participation = 0;
  nlohmann::json ToJson() const {
    return {{"usage", usage}, {"participation", participation}, {"total", usage + participation}};
  }
};

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The owner whose money a request is about: the caller, or ?owner= for an admin.
StatusOr<AccountId> OwnerOf(const accounts::Principal& p, const Request& req) {
  auto it = req.query.find("owner");
  if (it == req.query.end() || it->second.empty()) return p.account.id;
  if (!p.admin()) return AdminOnly();
  return AccountId(it->second);
}

StatusOr<Timestamp> EpochParam(const Ledger& ledger, const Request& req) {
  HEARTH_ASSIGN_OR_RETURN(Timestamp t, ParseTime(req.params.at("start"), "start"));
  HEARTH_RETURN_IF_ERROR(ledger.CheckEpochStart(t, "start"));
  return t;
}

nlohmann::json EncodeWithdrawal(const store::Withdrawal& w) {
  nlohmann::json j = {{"id", w.id},
                      {"amount", w.amount.micro()},
                      {"address", w.address},
                      {"state", std::string(store::WithdrawalStateName(w.state))},
                      {"created_at", FormatRfc3339(w.created_at)},
                      {"updated_at", FormatRfc3339(w.updated_at)}};
  if (!w.batch_id.empty()) j["batch_id"] = w.batch_id;
  return j;
}

nlohmann::json EncodeBatch(const store::PayoutBatch& b) {
  nlohmann::json ws = nlohmann::json::array();
  for (const auto& w : b.withdrawals) ws.push_back(EncodeWithdrawal(w));
  nlohmann::json j = {{"id", b.id},
                      {"state", std::string(store::BatchStateName(b.state))},
                      {"total", b.total.micro()},
                      {"withdrawals", ws},
                      {"created_at", FormatRfc3339(b.created_at)},
                      {"updated_at", FormatRfc3339(b.updated_at)},
                      {"tx", nlohmann::json::parse(b.tx_json, nullptr, false)}};
  if (!b.tx_hash.empty()) j["tx_hash"] = b.tx_hash;
  return j;
}

Response Earnings(coordinator::Context& ctx, Ledger& ledger, const Request& req) {
  auto p = ctx.auth.Authenticate(req);
  if (!p.ok()) return Response::Error(p.status());
  auto owner = OwnerOf(*p, req);
  if (!owner.ok()) return Response::Error(owner.status());
  const Timestamp now = ctx.clock.Now();
  Timestamp to = now, from = now - std::chrono::days(30);
  if (auto it = req.query.find("to"); it != req.query.end()) {
    auto t = ParseTime(it->second, "to");
    if (!t.ok()) return Response::Error(t.status());
    to = *t;
  }
  if (auto it = req.query.find("from"); it != req.query.end()) {
    auto t = ParseTime(it->second, "from");
    if (!t.ok()) return Response::Error(t.status());
    from = *t;
  }
  if (to <= from) return Response::Error(Status::InvalidArgument("to", "must be after from"));
  const std::string group = req.query.count("group") ? req.query.at("group") : "day";
  if (group != "day" && group != "epoch") {
    return Response::Error(Status::InvalidArgument("group", "must be day or epoch"));
  }
  const std::string format = req.query.count("format") ? req.query.at("format") : "json";
  if (format != "json" && format != "csv") {
    return Response::Error(Status::InvalidArgument("format", "must be json or csv"));
  }

  store::EntryFilter f;
  f.account = OwnerAccount(*owner);
  f.epoch_from = from;
  f.epoch_to = to;
  auto entries = ctx.store.ListEntries(f);
  if (!entries.ok()) return Response::Error(entries.status());
  std::map<std::pair<int64_t, std::string>, Sums> periods;  // (period start, device) → sums
  std::map<std::string, Sums> devices;
  Sums total;
  for (const store::LedgerEntry& e : *entries) {
    if (!e.epoch_start || !e.device_id) continue;
    int64_t start = ToUnixMillis(*e.epoch_start);
    if (group == "day") start -= ((start % kDayMs) + kDayMs) % kDayMs;
    Sums* targets[] = {&periods[{start, e.device_id->str()}], &devices[e.device_id->str()], &total};
    for (Sums* s : targets) (e.kind == "usage" ? s->usage : s->participation) += e.amount.micro();
  }
  std::map<std::string, std::string> names;
  for (const auto& [id, _] : devices) {
    auto d = ctx.store.GetDevice(DeviceId(id));
    names[id] = d.ok() ? d->name : "";
  }

  if (format == "csv") {
    Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"earnings.csv\"");
    r.body = "period_start,device_id,device_name,usage_uakt,participation_uakt,total_uakt\n";
    for (const auto& [key, s] : periods) {
      r.body += FormatRfc3339(FromUnixMillis(key.first)) + "," + CsvField(key.second) + "," +
                CsvField(names[key.second]) + "," + std::to_string(s.usage) + "," +
                std::to_string(s.participation) + "," + std::to_string(s.usage + s.participation) +
                "\n";
    }
    return r;
  }
  nlohmann::json periods_j = nlohmann::json::array();
  for (const auto& [key, s] : periods) {
    nlohmann::json j = s.ToJson();
    j["start"] = FormatRfc3339(FromUnixMillis(key.first));
    j["device_id"] = key.second;
    periods_j.push_back(std::move(j));
  }
  nlohmann::json devices_j = nlohmann::json::array();
  for (const auto& [id, s] : devices) {
    nlohmann::json j = s.ToJson();
    j["device_id"] = id;
    j["name"] = names[id];
    devices_j.push_back(std::move(j));
  }
  auto available = ctx.store.Balance(OwnerAccount(*owner));
  auto in_flight = ctx.store.Balance(InFlightAccount(*owner));
  auto withdrawals = ctx.store.ListWithdrawals(*owner);
  auto address = ctx.store.GetPayoutAddress(*owner);
  if (!available.ok() || !in_flight.ok() || !withdrawals.ok() || !address.ok()) {
    return Response::Error(Status::Unavailable("cannot read balances; retry"));
  }
  int64_t paid = 0;
  for (const auto& w : *withdrawals) {
    if (w.state == store::WithdrawalState::kPaid) paid += w.amount.micro();
  }
  return Response::Json(
      200,
      {{"from", FormatRfc3339(from)},
       {"to", FormatRfc3339(to)},
       {"group", group},
       {"denom", "uakt"},
       {"total", total.ToJson()},
       {"devices", devices_j},
       {"periods", periods_j},
       {"balance",
        {{"available", available->micro()}, {"in_flight", in_flight->micro()}, {"paid", paid}}},
       {"min_withdrawal", ledger.policy().min_withdrawal.micro()},
       {"payout_address", *address ? nlohmann::json(**address) : nlohmann::json(nullptr)}});
}

// A settled epoch at a glance, for the admin portal: its input (revenue, policy, devices, uptime)
// and what it paid (operator, usage, participation), from the booked input and result.
nlohmann::json EpochSummary(const store::EpochRecord& e) {
  // The ledger books {"policy", "split": split input}.
  const nlohmann::json booked = nlohmann::json::parse(e.input_json, nullptr, false);
  const nlohmann::json in =
      booked.is_object() && booked.contains("split") ? booked["split"] : nlohmann::json();
  const nlohmann::json out = nlohmann::json::parse(e.result_json, nullptr, false);
  auto num = [](const nlohmann::json& j, const char* key) -> int64_t {
    if (!j.is_object()) return 0;
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  int64_t devices = 0, eligible = 0, online = 0, attributed = 0, usage = 0, participation = 0;
  if (in.is_object() && in.contains("devices") && in["devices"].is_array()) {
    for (const auto& d : in["devices"]) {
      ++devices;
      eligible += d.is_object() && d.value("eligible", false) ? 1 : 0;
      online += num(d, "online_seconds");
      attributed += num(d, "attributed_revenue");
    }
  }
  if (out.is_object() && out.contains("allocations") && out["allocations"].is_array()) {
    for (const auto& a : out["allocations"]) {
      usage += num(a, "usage");
      participation += num(a, "participation");
    }
  }
  const nlohmann::json op = in.is_object() && in.contains("operator") ? in["operator"] : nullptr;
  return {{"start", FormatRfc3339(e.start)},
          {"end", FormatRfc3339(e.end)},
          {"settled_at", FormatRfc3339(e.settled_at)},
          {"policy_version", e.policy_version},
          {"revenue", num(in, "revenue")},
          {"fixed_cost", num(op, "fixed_cost")},
          {"fee_bps", num(op, "fee_bps")},
          {"usage_share_bps", num(in, "usage_share_bps")},
          {"devices", devices},
          {"eligible", eligible},
          {"online_seconds", online},
          {"attributed", attributed},
          {"operator", num(out, "operator")},
          {"usage", usage},
          {"participation", participation}};
}

Response SetRevenue(coordinator::Context& ctx, Ledger& ledger, const Request& req) {
  auto p = ctx.auth.Authenticate(req);
  if (!p.ok()) return Response::Error(p.status());
  if (!p->admin()) return Response::Error(AdminOnly());
  auto start = EpochParam(ledger, req);
  if (!start.ok()) return Response::Error(start.status());
  auto body = api::ParseObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  api::JsonReader r(*body);
  store::EpochRevenue rev;
  rev.epoch_start = *start;
  rev.entered_at = ctx.clock.Now();
  rev.detail_json = "{}";
  auto amount = r.OptInt("amount", 0, kMaxAmount);
  if (!amount.ok()) return Response::Error(amount.status());
  if (body->contains("leases")) {
    if (*amount) {
      return Response::Error(
          Status::InvalidArgument("amount", "give either amount or leases, not both"));
    }
    auto height = r.Int("start_height", 0, int64_t{1} << 50);
    if (!height.ok()) return Response::Error(height.status());
    auto block_ms = r.OptInt("block_ms", 100, 600'000);
    if (!block_ms.ok()) return Response::Error(block_ms.status());
    const int64_t blocks = ledger.policy().epoch.count() / block_ms->value_or(6000);
    auto lr = RevenueFromLeases((*body)["leases"], *height, *height + blocks);
    if (!lr.ok()) return Response::Error(lr.status());
    rev.amount = lr->total;
    rev.source = "leases";
    nlohmann::json detail = lr->ToJson();
    detail["start_height"] = *height;
    detail["end_height"] = *height + blocks;
    rev.detail_json = detail.dump();
  } else if (*amount) {
    rev.amount = Amount::Micro(**amount);
    rev.source = "admin";
  } else {
    return Response::Error(Status::InvalidArgument(
        "amount", "is required: the epoch's revenue in uakt, or leases + start_height"));
  }
  if (auto it = body->find("attributed"); it != body->end() && !it->is_null()) {
    if (!it->is_array()) {
      return Response::Error(
          Status::InvalidArgument("attributed", "must be an array of {\"device_id\",\"amount\"}"));
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string prefix = "attributed[" + std::to_string(i) + "]";
      if (!(*it)[i].is_object()) {
        return Response::Error(Status::InvalidArgument(prefix, "must be an object"));
      }
      api::JsonReader ar((*it)[i], prefix);
      auto dev = ar.String("device_id", 64);
      auto amt = ar.Int("amount", 0, kMaxAmount);
      if (!dev.ok()) return Response::Error(dev.status());
      if (!amt.ok()) return Response::Error(amt.status());
      if (!ctx.store.GetDevice(DeviceId(*dev)).ok()) {
        return Response::Error(
            Status::InvalidArgument(prefix + ".device_id", "is not an enrolled device"));
      }
      if (!rev.attributed.emplace(DeviceId(*dev), Amount::Micro(*amt)).second) {
        return Response::Error(
            Status::InvalidArgument(prefix + ".device_id", "is listed twice; list it once"));
      }
    }
  }
  if (Status st = ctx.store.SetEpochRevenue(rev); !st.ok()) return Response::Error(st);
  log::Info("epoch revenue set", {{"epoch", FormatRfc3339(*start)},
                                  {"amount", rev.amount.micro()},
                                  {"source", rev.source},
                                  {"by", p->account.id.str()}});
  return Response::Json(200, {{"epoch_start", FormatRfc3339(*start)},
                              {"amount", rev.amount.micro()},
                              {"source", rev.source},
                              {"detail", nlohmann::json::parse(rev.detail_json)}});
}

}  // namespace

StatusOr<Timestamp> ParseTime(const std::string& text, const std::string& field) {
  auto digits = [&](size_t pos, size_t n) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (!text.empty() && text.size() <= 15 &&
      text.find_first_not_of("0123456789") == std::string::npos) {
    return FromUnixMillis(std::stoll(text));
  }
  const Status bad = Status::InvalidArgument(
      field, "must be RFC 3339 in UTC (2026-11-25T13:00:00Z) or Unix milliseconds");
  // YYYY-MM-DDTHH:MM:SS[.mmm]Z
  if (text.size() != 20 && text.size() != 24) return bad;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text.back() != 'Z') {
    return bad;
  }
  const int year = digits(0, 4), mon = digits(5, 2), day = digits(8, 2), hour = digits(11, 2),
            min = digits(14, 2), sec = digits(17, 2);
  int ms = 0;
  if (text.size() == 24) {
    if (text[19] != '.') return bad;
    ms = digits(20, 3);
  }
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      min < 0 || min > 59 || sec < 0 || sec > 59 || ms < 0) {
    return bad;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return FromUnixMillis(static_cast<int64_t>(timegm(&tm)) * 1000 + ms);
}

void RegisterRoutes(http::Router& router, coordinator::Context& ctx, Ledger& ledger,
                    const PayoutConfig& payout) {
  router.Add("GET", "/v1/earnings",
             [&ctx, &ledger](const Request& req) { return Earnings(ctx, ledger, req); });

  router.Add("GET", "/v1/payout-address", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto a = ctx.store.GetPayoutAddress(p->account.id);
    if (!a.ok()) return Response::Error(a.status());
    if (!*a) {
      return Response::Error(Status(Code::kNotFound,
                                    "no payout address yet; set one with PUT /v1/payout-address",
                                    "payout_address_unset"));
    }
    return Response::Json(200, {{"address", **a}});
  });

  router.Add("PUT", "/v1/payout-address", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto body = api::ParseObject(req.body);
    if (!body.ok()) return Response::Error(body.status());
    auto text = api::JsonReader(*body).String("address", 128);
    if (!text.ok()) return Response::Error(text.status());
    auto addr = AkashAddress::Parse(*text, "address");
    if (!addr.ok()) return Response::Error(addr.status());
    if (Status st = ctx.store.SetPayoutAddress(p->account.id, addr->str(), ctx.clock.Now());
        !st.ok()) {
      return Response::Error(st);
    }
    return Response::Json(200, {{"address", addr->str()}});
  });

  router.Add("GET", "/v1/withdrawals", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto owner = OwnerOf(*p, req);
    if (!owner.ok()) return Response::Error(owner.status());
    auto ws = ctx.store.ListWithdrawals(*owner);
    if (!ws.ok()) return Response::Error(ws.status());
    // A paid withdrawal shows the transaction that paid it (its batch's hash).
    std::map<std::string, std::string> hashes;
    for (const auto& w : *ws) {
      if (w.state != store::WithdrawalState::kPaid || hashes.count(w.batch_id)) continue;
      auto b = ctx.store.GetPayoutBatch(w.batch_id);
      if (!b.ok()) return Response::Error(b.status());
      hashes[w.batch_id] = b->tx_hash;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& w : *ws) {
      nlohmann::json j = EncodeWithdrawal(w);
      if (auto it = hashes.find(w.batch_id); it != hashes.end() && !it->second.empty()) {
        j["tx_hash"] = it->second;
      }
      list.push_back(std::move(j));
    }
    return Response::Json(200, {{"withdrawals", list}});
  });

  router.Add("POST", "/v1/withdrawals", [&ctx, &ledger](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto body = api::ParseObject(req.body);
    if (!body.ok()) return Response::Error(body.status());
    const int64_t min = ledger.policy().min_withdrawal.micro();
    auto amount = api::JsonReader(*body).Int("amount", 1, kMaxAmount);
    if (!amount.ok()) return Response::Error(amount.status());
    if (*amount < min) {
      return Response::Error(Status::InvalidArgument(
          "amount", "is below the minimum withdrawal of " + std::to_string(min) +
                        " uakt; wait until your balance reaches it"));
    }
    auto addr = ctx.store.GetPayoutAddress(p->account.id);
    if (!addr.ok()) return Response::Error(addr.status());
    if (!*addr) {
      return Response::Error(Status::FailedPrecondition(
          "payout_address_unset", "set a payout address first (PUT /v1/payout-address)",
          "address"));
    }
    store::Withdrawal w;
    w.id = NewRandomId("wd", ctx.random);
    w.owner_id = p->account.id;
    w.amount = Amount::Micro(*amount);
    w.address = **addr;
    w.created_at = w.updated_at = ctx.clock.Now();
    if (Status st = ctx.store.RequestWithdrawal(w); !st.ok()) return Response::Error(st);
    log::Info("withdrawal requested",
              {{"id", w.id}, {"owner", w.owner_id.str()}, {"amount", w.amount.micro()}});
    return Response::Json(201, EncodeWithdrawal(w));
  });

  router.Add("GET", "/v1/admin/epochs", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminOnly());
    Timestamp to = ctx.clock.Now(), from = to - std::chrono::days(7);
    for (auto [name, target] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
      if (auto it = req.query.find(name); it != req.query.end()) {
        auto t = ParseTime(it->second, name);
        if (!t.ok()) return Response::Error(t.status());
        *target = *t;
      }
    }
    if (to <= from) return Response::Error(Status::InvalidArgument("to", "must be after from"));
    if (to - from > std::chrono::days(93)) {
      return Response::Error(
          Status::InvalidArgument("from", "ask for at most 93 days of epochs at a time"));
    }
    auto epochs = ctx.store.ListEpochs(from, to);
    if (!epochs.ok()) return Response::Error(epochs.status());
    nlohmann::json list = nlohmann::json::array();
    for (auto it = epochs->rbegin(); it != epochs->rend(); ++it) list.push_back(EpochSummary(*it));
    return Response::Json(
        200, {{"from", FormatRfc3339(from)},
              {"to", FormatRfc3339(to)},
              {"epoch_seconds",
               std::chrono::duration_cast<std::chrono::seconds>(ctx.config.rewards.epoch).count()},
              {"epochs", list}});
  });

  router.Add("PUT", "/v1/admin/epochs/{start}/revenue",
             [&ctx, &ledger](const Request& req) { return SetRevenue(ctx, ledger, req); });

  router.Add("POST", "/v1/admin/epochs/{start}/settle", [&ctx, &ledger](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminOnly());
    auto start = EpochParam(ledger, req);
    if (!start.ok()) return Response::Error(start.status());
    auto o = ledger.SettleEpoch(*start);
    if (!o.ok()) return Response::Error(o.status());
    return Response::Json(200, {{"epoch_start", FormatRfc3339(o->record.start)},
                                {"booked", o->booked},
                                {"policy_version", o->record.policy_version},
                                {"result", nlohmann::json::parse(o->record.result_json)}});
  });

  router.Add("GET", "/v1/admin/epochs/{start}/audit", [&ctx, &ledger](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminOnly());
    auto start = EpochParam(ledger, req);
    if (!start.ok()) return Response::Error(start.status());
    auto report = ledger.Audit(*start);
    if (!report.ok()) return Response::Error(report.status());
    return Response::Json(200, report->ToJson());
  });

  router.Add("POST", "/v1/admin/payout-batches", [&ctx, payout](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminOnly());
    const std::string id = NewRandomId("pb", ctx.random);
    auto b = ctx.store.CreatePayoutBatch(
        id, ctx.clock.Now(),
        [&](const std::vector<store::Withdrawal>& ws) -> StatusOr<std::string> {
          HEARTH_ASSIGN_OR_RETURN(nlohmann::json tx,
                                  BuildMultiSendTx(payout, ws, "hearth payout " + id));
          return tx.dump();
        });
    if (!b.ok()) return Response::Error(b.status());
    log::Info("payout batch exported", {{"id", b->id}, {"total", b->total.micro()}});
    return Response::Json(201, EncodeBatch(*b));
  });

  router.Add("GET", "/v1/admin/payout-batches", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminOnly());
    auto bs = ctx.store.ListPayoutBatches();
    if (!bs.ok()) return Response::Error(bs.status());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& b : *bs) list.push_back(EncodeBatch(b));
    return Response::Json(200, {{"payout_batches", list}});
  });

  router.Add("GET", "/v1/admin/payout-batches/{id}", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminOnly());
    auto b = ctx.store.GetPayoutBatch(req.params.at("id"));
    if (!b.ok()) return Response::Error(b.status());
    return Response::Json(200, EncodeBatch(*b));
  });

  for (const bool paid : {true, false}) {
    router.Add(
        "POST", std::string("/v1/admin/payout-batches/{id}/") + (paid ? "paid" : "failed"),
        [&ctx, paid](const Request& req) {
          auto p = ctx.auth.Authenticate(req);
          if (!p.ok()) return Response::Error(p.status());
          if (!p->admin()) return Response::Error(AdminOnly());
          std::string hash;
          if (paid) {
            auto body = api::ParseObject(req.body);
            if (!body.ok()) return Response::Error(body.status());
            auto h = api::JsonReader(*body).String("tx_hash", 128);
            if (!h.ok()) return Response::Error(h.status());
            if (h->size() != 64 ||
                h->find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
              return Response::Error(
                  Status::InvalidArgument("tx_hash",
                                          "must be the 64-hex-digit transaction hash the broadcast "
                                          "printed (txhash)"));
            }
            hash = *h;
            for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          }
          auto b = ctx.store.FinishPayoutBatch(req.params.at("id"), paid, hash, ctx.clock.Now());
          if (!b.ok()) return Response::Error(b.status());
          log::Info("payout batch finished",
                    {{"id", b->id}, {"state", std::string(store::BatchStateName(b->state))}});
          return Response::Json(200, EncodeBatch(*b));
        });
  }
}

}  // namespace hearth::rewards
