// hearth admin ...: the admin CLI over the API (a thin client; the coordinator decides).
#include <iostream>

#include "api/akash.h"
#include "cli/commands.h"
#include "common/flags.h"
#include "http/client.h"

namespace hearth::cli {
namespace {

int RegionAttributes(const Args& args) {
  std::string coordinator = "http://127.0.0.1:8080", token, format = "yaml";
  FlagSet flags("hearth admin region attributes [FLAGS] REGION",
                "Prints the Akash provider attributes of a region, derived from its online\n"
                "devices and valid against the deploy console's attribute schema (the\n"
                "`attributes:` list of provider.yaml). Facts the schema cannot express are\n"
                "listed on stderr. Until regions exist, the only region is `default`.");
  flags.String("coordinator", &coordinator, "Coordinator URL.");
  flags.String("token", &token, "An admin session token (from POST /v1/sessions).");
  flags.String("format", &format, "yaml or json.");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth admin region attributes: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (rest->size() != 1 || (format != "yaml" && format != "json")) {
    std::cerr << "hearth admin region attributes: give one REGION and --format yaml|json\n";
    return 2;
  }
  auto client = http::Client::Create(coordinator);
  if (!client.ok()) {
    std::cerr << "hearth admin region attributes: --coordinator: " << client.status().ToString()
              << "\n";
    return 2;
  }
  (*client)->SetBearer(token);
  auto resp = (*client)->Get("/v1/admin/regions/" + rest->front() + "/attributes");
  if (!resp.ok() || !resp->ToStatus().ok()) {
    std::cerr << "hearth admin region attributes: "
              << (resp.ok() ? resp->ToStatus() : resp.status()).ToString() << "\n";
    return 1;
  }
  const nlohmann::json j = resp->Json();
  api::ProviderAttributes attrs;
  attrs.region = j.value("region", "");
  for (const auto& a : j.value("attributes", nlohmann::json::array())) {
    attrs.attributes.push_back({a.value("key", ""), a.value("value", "")});
  }
  for (const auto& o : j.value("omitted", nlohmann::json::array())) {
    if (o.is_string()) std::cerr << "omitted: " << o.get<std::string>() << "\n";
  }
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : attrs.attributes) out.push_back({{"key", a.key}, {"value", a.value}});
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << api::AttributesYaml(attrs);
  }
  return 0;
}

}  // namespace

int RunAdmin(const Args& args) {
  if (args.size() >= 2 && args[0] == "region" && args[1] == "attributes") {
    return RegionAttributes(Args(args.begin() + 2, args.end()));
  }
  std::cerr << "hearth admin: commands:\n"
               "  hearth admin region attributes REGION [--format yaml|json]\n";
  return args.empty() || args[0] == "--help" ? 0 : 2;
}

}  // namespace hearth::cli
