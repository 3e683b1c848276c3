// `hearth admin region create|update|list|drain|activate|attributes|grant|proposals|approve`:
// the region catalog (DESIGN §4) over /v1/regions, region admins, region proposals, and a
// region's Akash provider attributes. Field errors come back
// from the coordinator naming the field; they are printed with the flag that sets it.
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/akash.h"
#include "cli/commands.h"
#include "common/flags.h"
#include "http/client.h"

namespace hearth::cli {

namespace {

constexpr const char* kRegionUsage = R"(Usage: hearth admin region COMMAND [FLAGS]

Commands:
  list                 List the regions
  create  --id ID ...  Create a region (flags below)
  update  ID ...       Change fields of a region (only the flags given)
  drain   ID           Stop placing devices in a region and move its devices to another
                       acceptable region (or the waitlist when there is none)
  activate ID          Start placing devices in a region
  grant   ID --email E Make the account E the region's admin (sees and manages only it)
  proposals            Region proposals raised by waitlists, with their volunteers
  approve PROPOSAL --volunteer EMAIL|ID --id ID --name N --location-region K [...]
                       Create the proposed region, bootstrapping, run by the volunteer; it
                       becomes active when its gateway is up (lat/lon, countries and
                       gateways default to the cell's and the volunteer's)
  attributes ID        Akash provider attributes of a region (--format yaml|json)

Run `hearth admin region create --help` for the region fields.
)";

struct Fields {
  std::string id, name, location_region, lat, lon, countries, max_workers, hardware_policy,
      kube_api_endpoint, kube_ca_hash, gateways;
};

void AddFieldFlags(FlagSet& f, Fields* v) {
  f.String("id", &v->id, "Region id: lowercase letters, digits, '-' (create only).");
  f.String("name", &v->name, "Display name.");
  f.String("location-region", &v->location_region,
           "Akash location-region key (UN geoscheme), e.g. eu-central.");
  f.String("lat", &v->lat, "Centre latitude, -90..90.");
  f.String("lon", &v->lon, "Centre longitude, -180..180.");
  f.String("countries", &v->countries, "Served countries, ISO codes, comma-separated: DE,PL.");
  f.String("max-workers", &v->max_workers, "Maximum devices (0: unlimited).");
  f.String("hardware-policy", &v->hardware_policy, "mixed, gpu-only or cpu-only.");
  f.String("kube-api-endpoint", &v->kube_api_endpoint, "https://host:6443 of the cluster.");
  f.String("kube-ca-hash", &v->kube_ca_hash, "sha256:<hex> of the cluster CA.");
  f.String("gateways", &v->gateways, "Gateway endpoints host:port, comma-separated.");
}

nlohmann::json List(const std::string& text) {
  nlohmann::json out = nlohmann::json::array();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// A number when the text is one; otherwise the text, so the coordinator names the bad field.
nlohmann::json Number(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_number() ? j : nlohmann::json(text);
}

nlohmann::json Body(const Fields& v) {
  nlohmann::json b = nlohmann::json::object();
  auto put = [&](const char* key, const std::string& text, nlohmann::json value) {
    if (!text.empty()) b[key] = std::move(value);
  };
  put("id", v.id, v.id);
  put("name", v.name, v.name);
  put("location_region", v.location_region, v.location_region);
  put("lat", v.lat, Number(v.lat));
  put("lon", v.lon, Number(v.lon));
  put("countries", v.countries, List(v.countries));
  put("max_workers", v.max_workers, Number(v.max_workers));
  put("hardware_policy", v.hardware_policy, v.hardware_policy);
  put("kube_api_endpoint", v.kube_api_endpoint, v.kube_api_endpoint);
  put("kube_ca_hash", v.kube_ca_hash, v.kube_ca_hash);
  put("gateways", v.gateways, List(v.gateways));
  return b;
}

std::string FlagOf(const std::string& field) {
  std::string f = field.substr(0, field.find('['));
  for (char& c : f) {
    if (c == '_') c = '-';
  }
  return f == "id" ? "id" : f;
}

void PrintRegion(const nlohmann::json& r) {
  std::cout << r.value("id", "") << "  " << r.value("status", "") << "  "
            << r.value("location_region", "") << "  devices " << r.value("devices", 0);
  if (r.value("max_workers", 0) > 0) std::cout << "/" << r.value("max_workers", 0);
  std::cout << "  " << r.value("hardware_policy", "") << "  countries "
            << (r.contains("countries") ? r["countries"].dump() : "[]") << "  centre "
            << r.value("lat", 0.0) << "," << r.value("lon", 0.0) << "  " << r.value("name", "")
            << "\n";
}

int RegionAttributes(const Args& args) {
  std::string coordinator = "http://127.0.0.1:8080", token, format = "yaml";
  FlagSet flags("hearth admin region attributes [FLAGS] REGION",
                "Prints the Akash provider attributes of a region, derived from its online\n"
                "devices (country and city: where most of them are, else the config) and valid\n"
                "against the deploy console's attribute schema (the\n"
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

int RunAdminRegion(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kRegionUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  if (cmd == "attributes") return RegionAttributes(Args(args.begin() + 1, args.end()));
  if (cmd != "list" && cmd != "create" && cmd != "update" && cmd != "drain" && cmd != "activate" &&
      cmd != "grant" && cmd != "proposals" && cmd != "approve") {
    std::cerr << "hearth admin region: unknown command '" << cmd << "'\n\n" << kRegionUsage;
    return 2;
  }
  std::string coordinator = "http://127.0.0.1:8080";
  std::string token, email, volunteer;
  Fields fields;
  const bool no_id = cmd == "list" || cmd == "create" || cmd == "proposals";
  FlagSet flags("hearth admin region " + cmd +
                    (no_id              ? ""
                     : cmd == "approve" ? " PROPOSAL"
                                        : " ID") +
                    " [FLAGS]",
                "Region catalog: " + cmd + ".");
  flags.String("coordinator", &coordinator, "Coordinator URL.");
  flags.String("token", &token, "Session token of an admin (from sign-in).");
  if (cmd == "create" || cmd == "update" || cmd == "approve") AddFieldFlags(flags, &fields);
  if (cmd == "grant") flags.String("email", &email, "Email of the account to make region admin.");
  if (cmd == "approve") {
    flags.String("volunteer", &volunteer, "The volunteer to run the region: email or account id.");
  }
  auto rest = flags.Parse(Args(args.begin() + 1, args.end()));
  if (!rest.ok()) {
    std::cerr << "hearth admin region " << cmd << ": " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  const bool needs_id = !no_id;
  if (rest->size() != (needs_id ? 1u : 0u)) {
    std::cerr << "hearth admin region " << cmd << ": "
              << (!needs_id          ? "takes no positional arguments"
                  : cmd == "approve" ? "give exactly one PROPOSAL id (see `proposals`)"
                                     : "give exactly one region ID")
              << "\n";
    return 2;
  }
  if (token.empty()) {
    std::cerr << "hearth admin region " << cmd
              << ": --token (or HEARTH_TOKEN) is required: an admin's session token\n";
    return 2;
  }
  auto client = http::Client::Create(coordinator, std::chrono::seconds(15));
  if (!client.ok()) {
    std::cerr << "hearth admin region: --coordinator: " << client.status().message() << "\n";
    return 2;
  }
  (*client)->SetBearer(token);
  StatusOr<http::ClientResponse> res = Status::Internal("unreachable");
  if (cmd == "list") {
    res = (*client)->Get("/v1/regions");
  } else if (cmd == "create") {
    res = (*client)->PostJson("/v1/regions", Body(fields));
  } else if (cmd == "update") {
    res = (*client)->Do("PATCH", "/v1/regions/" + (*rest)[0], Body(fields).dump(),
                        {{"Content-Type", "application/json"}});
  } else if (cmd == "grant") {
    res = (*client)->Do("PUT", "/v1/regions/" + (*rest)[0] + "/admin",
                        nlohmann::json{{"email", email}}.dump(),
                        {{"Content-Type", "application/json"}});
  } else if (cmd == "proposals") {
    res = (*client)->Get("/v1/regions/proposals");
  } else if (cmd == "approve") {
    res = (*client)->PostJson("/v1/regions/proposals/" + (*rest)[0] + "/approve",
                              {{"volunteer", volunteer}, {"region", Body(fields)}});
  } else {
    res = (*client)->PostJson("/v1/regions/" + (*rest)[0] + "/" + cmd, nlohmann::json::object());
  }
  if (!res.ok()) {
    std::cerr << "hearth admin region " << cmd << ": " << res.status().message() << "\n";
    return 4;
  }
  if (Status st = res->ToStatus(); !st.ok()) {
    std::cerr << "hearth admin region " << cmd << ": "
              << (st.field().empty() ? "" : "--" + FlagOf(st.field()) + ": ") << st.message()
              << "\n";
    return 1;
  }
  nlohmann::json body = res->Json();
  if (cmd == "list") {
    for (const auto& r : body.value("regions", nlohmann::json::array())) PrintRegion(r);
  } else if (cmd == "proposals") {
    PrintProposals(body);
  } else {
    PrintRegion(body);
  }
  return 0;
}

}  // namespace hearth::cli
