// `hearth earnings`: an owner's earnings from the coordinator (GET /v1/earnings), as a table,
// JSON or CSV. A thin client: the session token comes from --token / HEARTH_TOKEN.
#include <iostream>

#include "cli/commands.h"
#include "common/amount.h"
#include "common/flags.h"
#include "http/client.h"

namespace hearth::cli {
namespace {

std::string QueryEscape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      static const char* kHex = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Akt(const nlohmann::json& v) {
  return Amount::Micro(v.is_number_integer() ? v.get<int64_t>() : 0).ToDecimal();
}

}  // namespace

int RunEarnings(const Args& args) {
  std::string coordinator = "http://127.0.0.1:8080", token, from, to, group = "day";
  bool json = false, csv = false;
  FlagSet flags("hearth earnings [FLAGS]",
                "Shows your earnings per device and period (usage and participation), and your\n"
                "balance, from the coordinator. Amounts are in AKT (6 decimals).");
  flags.String("coordinator", &coordinator, "Coordinator URL.");
  flags.String("token", &token, "Session token (from POST /v1/sessions); prefer HEARTH_TOKEN.");
  flags.String("from", &from,
               "Start, RFC 3339 UTC (e.g. 2026-11-01T00:00:00Z); default 30 days ago.");
  flags.String("to", &to, "End (exclusive), RFC 3339 UTC; default now.");
  flags.String("group", &group, "Period: day or epoch.");
  flags.Bool("json", &json, "Print the API's JSON.");
  flags.Bool("csv", &csv, "Print CSV (one row per period and device).");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth earnings: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (token.empty()) {
    std::cerr << "hearth earnings: --token: is required (or set HEARTH_TOKEN); sign in with "
                 "POST /v1/sessions to get one\n";
    return 2;
  }
  if (group != "day" && group != "epoch") {
    std::cerr << "hearth earnings: --group: must be day or epoch\n";
    return 2;
  }
  std::string path = "/v1/earnings?group=" + group;
  if (!from.empty()) path += "&from=" + QueryEscape(from);
  if (!to.empty()) path += "&to=" + QueryEscape(to);
  if (csv) path += "&format=csv";
  auto client = http::Client::Create(coordinator);
  if (!client.ok()) {
    std::cerr << "hearth earnings: --coordinator: " << client.status().ToString() << "\n";
    return 2;
  }
  (*client)->SetBearer(token);
  auto resp = (*client)->Get(path);
  if (!resp.ok()) {
    std::cerr << "hearth earnings: " << resp.status().ToString() << "\n";
    return 1;
  }
  if (Status st = resp->ToStatus(); !st.ok()) {
    std::cerr << "hearth earnings: " << st.ToString() << "\n";
    return st.code() == Code::kInvalidArgument ? 2 : 1;
  }
  if (csv) {
    std::cout << resp->body;
    return 0;
  }
  const nlohmann::json j = resp->Json();
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "Earnings " << j.value("from", "") << " .. " << j.value("to", "") << " (AKT)\n\n";
  std::printf("%-24s %-22s %16s %16s %16s\n", "DEVICE", "NAME", "USAGE", "PARTICIPATION", "TOTAL");
  for (const auto& d : j.value("devices", nlohmann::json::array())) {
    std::printf("%-24s %-22s %16s %16s %16s\n", d.value("device_id", "").c_str(),
                d.value("name", "").substr(0, 22).c_str(), Akt(d["usage"]).c_str(),
                Akt(d["participation"]).c_str(), Akt(d["total"]).c_str());
  }
  const auto& t = j["total"];
  std::printf("%-24s %-22s %16s %16s %16s\n\n", "TOTAL", "", Akt(t["usage"]).c_str(),
              Akt(t["participation"]).c_str(), Akt(t["total"]).c_str());
  const auto& b = j["balance"];
  std::cout << "Balance: " << Akt(b["available"]) << " available, " << Akt(b["in_flight"])
            << " being paid, " << Akt(b["paid"]) << " paid out (minimum withdrawal "
            << Akt(j["min_withdrawal"]) << ")\n";
  return 0;
}

}  // namespace hearth::cli
