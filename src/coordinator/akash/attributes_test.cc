#include "coordinator/akash/attributes.h"

#include <gtest/gtest.h>

#include <map>

#include "coordinator/akash/location.h"
#include "coordinator/akash/test_util.h"

namespace hearth::akash {
namespace {

using testing::MakeDevice;
using testing::TestConfig;

const Timestamp kNow = FromUnixMillis(1'800'000'000'000);

// The schema as shipped in data/ (the same file is embedded into the binary).
nlohmann::json SchemaFile() {
  return nlohmann::json::parse(
      testing::ReadFile(testing::SourceDir() + "/data/akash/provider-attributes.json"));
}

// An independent reading of the schema: every (key, value) the console accepts.
bool ValidAgainst(const nlohmann::json& schema, const std::string& key, const std::string& value) {
  for (const auto& [name, e] : schema.items()) {
    const std::string type = e["type"];
    if (type == "multiple-option") {
      for (const auto& v : e["values"]) {
        if (v["key"] == key) {
          return v["value"].is_boolean() ? value == (v["value"].get<bool>() ? "true" : "false")
                                         : v["value"] == value;
        }
      }
      continue;
    }
    if (e["key"] != key) continue;
    if (type == "string") return !value.empty();
    if (type == "boolean") return value == "true" || value == "false";
    if (type == "option") {
      for (const auto& v : e["values"]) {
        if (v["key"] == value) return true;
      }
      return false;
    }
    return false;
  }
  return false;
}

api::ProviderAttributes Generate(const AkashConfig& config, std::vector<store::Device> devices) {
  return RegionAttributes(config, config.Region("default"),
                          ComputeFleet(devices, "default", kNow, api::LivenessPolicy{}),
                          ComputeLocation(devices, kNow, api::LivenessPolicy{}));
}

store::Device Located(store::Device d, const std::string& evidence) {
  d.placement_evidence_json = evidence;
  return d;
}

std::map<std::string, std::string> AsMap(const api::ProviderAttributes& a) {
  std::map<std::string, std::string> m;
  for (const auto& x : a.attributes) m[x.key] = x.value;
  return m;
}

TEST(AttributesTest, EmbeddedSchemaIsTheShippedFile) { EXPECT_EQ(AttributeSchema(), SchemaFile()); }

TEST(AttributesTest, EveryGeneratedKeyAndValueIsValidAgainstTheSchema) {
  const nlohmann::json schema = SchemaFile();
  const std::vector<store::Device> fleets[] = {
      {},
      {MakeDevice("dev_a", kNow, 16, 64, {"rtx4090"}), MakeDevice("dev_b", kNow, 8, 32, {})},
      {MakeDevice("dev_c", kNow, 32, 128, {"rtx3090", "rtx3090", "gtx1080ti", "rtxa6000"}),
       MakeDevice("dev_d", kNow, 20, 128, {"gb10-unknown"}, "aarch64", "Cortex-X925")},
      {MakeDevice("dev_e", kNow, 64, 512, {"h100", "a100", "t4", "rtx5090", "gt1030"})},
      {Located(MakeDevice("dev_f", kNow, 8, 32, {}),
               R"({"geoip":{"country":"fr","city":"Saint-Étienne"}})"),
       Located(MakeDevice("dev_g", kNow, 8, 32, {}), R"({"country":"FR"})")},
      {Located(MakeDevice("dev_h", kNow, 8, 32, {}), R"({"country":"AT"})")},
  };
  const AkashConfig configs[] = {
      TestConfig(),
      TestConfig(
          "    persistent_storage: {classes: [beta2, beta3, default, beta1], max_size: 1Ti}\n"
          "    ip_leases: true\n"),
      AkashConfig{},
  };
  int checked = 0;
  for (const auto& config : configs) {
    for (const auto& devices : fleets) {
      const api::ProviderAttributes a = Generate(config, devices);
      std::map<std::string, int> seen;
      for (const auto& attr : a.attributes) {
        EXPECT_TRUE(ValidAgainst(schema, attr.key, attr.value)) << attr.key << "=" << attr.value;
        EXPECT_TRUE(ValidateAttribute(schema, attr.key, attr.value).ok()) << attr.key;
        EXPECT_EQ(++seen[attr.key], 1) << "duplicate key " << attr.key;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 60);
}

TEST(AttributesTest, DerivedFromTheOnlineDevices) {
  const AkashConfig config = TestConfig();
  std::vector<store::Device> devices = {
      MakeDevice("dev_a", kNow, 16, 64, {"rtx4090"}),
      MakeDevice("dev_b", kNow, 8, 32, {"rtx3090"}, "x86_64", "Intel(R) Core(TM) i7"),
      MakeDevice("dev_c", kNow, 8, 32, {}, "x86_64", "AMD Ryzen 5")};
  devices[1].last_seen = kNow - std::chrono::hours(1);  // offline: its 3090 is not offered
  const api::ProviderAttributes a = Generate(config, devices);
  std::map<std::string, std::string> m;
  for (const auto& x : a.attributes) m[x.key] = x.value;
  EXPECT_EQ(m["host"], "akash");
  EXPECT_EQ(m["tier"], "community");
  EXPECT_EQ(m["location-type"], "home");
  EXPECT_EQ(m["location-region"], "eu-west");
  EXPECT_EQ(m["country"], "DE");
  EXPECT_EQ(m["city"], "Berlin");
  EXPECT_EQ(m["organization"], "Hearth Test");
  EXPECT_EQ(m["email"], "ops@example.com");
  EXPECT_EQ(m["capabilities/cpu"], "amd");
  EXPECT_EQ(m["capabilities/cpu/arch"], "x86-64");
  EXPECT_EQ(m["capabilities/gpu"], "nvidia");
  EXPECT_EQ(m["capabilities/gpu/vendor/nvidia/model/4090"], "true");
  EXPECT_EQ(m.count("capabilities/gpu/vendor/nvidia/model/3090"), 0u);
  EXPECT_EQ(m["feat-persistent-storage"], "false");
  EXPECT_EQ(m["feat-endpoint-ip"], "false");
}

TEST(AttributesTest, CountryAndCityAreWhereMostOnlineDevicesAre) {
  const AkashConfig config = TestConfig();  // configured: DE, Berlin
  std::vector<store::Device> devices = {
      Located(MakeDevice("dev_a", kNow, 8, 32, {}),
              R"({"geoip":{"country":"FR","city":"Paris","lat":48.86,"lon":2.35}})"),
      Located(MakeDevice("dev_b", kNow, 8, 32, {}), R"({"geoip":{"country":"FR","city":"Paris"}})"),
      Located(MakeDevice("dev_c", kNow, 8, 32, {}), R"({"country":"DE"})"),
      Located(MakeDevice("dev_d", kNow, 8, 32, {}), R"({"geoip":{"country":"DE"}})")};
  devices[3].last_seen = kNow - std::chrono::hours(1);  // offline: not counted
  auto m = AsMap(Generate(config, devices));
  EXPECT_EQ(m["country"], "FR");
  EXPECT_EQ(m["city"], "Paris");
}

TEST(AttributesTest, TheConfiguredPlaceStandsInOnlyWhenDevicesDoNotSay) {
  const AkashConfig config = TestConfig();  // configured: DE, Berlin
  // No device tells a location: the configuration's.
  auto m = AsMap(Generate(config, {MakeDevice("dev_a", kNow, 8, 32, {})}));
  EXPECT_EQ(m["country"], "DE");
  EXPECT_EQ(m["city"], "Berlin");
  // Devices in the configured country without a GeoIP city: the configured city.
  m = AsMap(
      Generate(config, {Located(MakeDevice("dev_a", kNow, 8, 32, {}), R"({"country":"DE"})")}));
  EXPECT_EQ(m["country"], "DE");
  EXPECT_EQ(m["city"], "Berlin");
  // Devices elsewhere without a city: the configured city would be wrong, so none (with why).
  const api::ProviderAttributes a =
      Generate(config, {Located(MakeDevice("dev_a", kNow, 8, 32, {}), R"({"country":"AT"})")});
  m = AsMap(a);
  EXPECT_EQ(m["country"], "AT");
  EXPECT_EQ(m.count("city"), 0u);
  std::string omitted;
  for (const auto& o : a.omitted) omitted += o + "\n";
  EXPECT_NE(omitted.find("city: no online device in AT has a GeoIP city"), std::string::npos)
      << omitted;
}

TEST(AttributesTest, UnknownModelsAndMissingIdentityAreOmittedWithAReason) {
  AkashConfig config;  // no organization, email or location
  const api::ProviderAttributes a =
      Generate(config, {MakeDevice("dev_a", kNow, 8, 32, {"rtx5090"})});
  std::string omitted;
  for (const auto& o : a.omitted) omitted += o + "\n";
  EXPECT_NE(omitted.find("organization"), std::string::npos) << omitted;
  EXPECT_NE(omitted.find("location-region"), std::string::npos) << omitted;
  EXPECT_NE(omitted.find("rtx5090"), std::string::npos) << omitted;
}

TEST(AttributesTest, ValidatorRejects) {
  const nlohmann::json schema = SchemaFile();
  EXPECT_FALSE(ValidateAttribute(schema, "no-such-key", "x").ok());
  EXPECT_FALSE(ValidateAttribute(schema, "location-type", "castle").ok());
  EXPECT_FALSE(ValidateAttribute(schema, "location-region", "eu-nowhere").ok());
  EXPECT_FALSE(ValidateAttribute(schema, "feat-persistent-storage", "yes").ok());
  EXPECT_FALSE(
      ValidateAttribute(schema, "capabilities/gpu/vendor/nvidia/model/rtx4090", "true").ok());
  EXPECT_FALSE(
      ValidateAttribute(schema, "capabilities/gpu/vendor/nvidia/model/4090", "false").ok());
  EXPECT_FALSE(ValidateAttribute(schema, "host", "").ok());
  EXPECT_TRUE(ValidateAttribute(schema, "capabilities/storage/3/class", "beta3").ok());
}

}  // namespace
}  // namespace hearth::akash
