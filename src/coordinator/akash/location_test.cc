#include "coordinator/akash/location.h"

#include <gtest/gtest.h>

#include "coordinator/akash/test_util.h"

namespace hearth::akash {
namespace {

using testing::MakeDevice;

const Timestamp kNow = FromUnixMillis(1'800'000'000'000);

store::Device At(const std::string& id, const std::string& evidence, bool online = true) {
  store::Device d = MakeDevice(id, online ? kNow : kNow - std::chrono::hours(2), 8, 32, {});
  d.placement_evidence_json = evidence;
  return d;
}

FleetLocation Locate(const std::vector<store::Device>& devices) {
  return ComputeLocation(devices, kNow, api::LivenessPolicy{});
}

TEST(LocationTest, WhereMostOnlineDevicesAre) {
  const FleetLocation l = Locate({
      At("dev_a", R"({"geoip":{"country":"FR","city":"Paris","lat":48.9,"lon":2.3}})"),
      At("dev_b", R"({"geoip":{"country":"FR","city":"Lyon"}})"),
      At("dev_c", R"({"geoip":{"country":"FR","city":"Paris"},"country":"DE"})"),
      At("dev_d", R"({"country":"de"})"),
      At("dev_e", R"({"geoip":{"country":"DE","city":"Berlin"}})", /*online=*/false),
      At("dev_f", R"({"geoip":{"country":"DE","city":"Berlin"}})", /*online=*/false),
  });
  EXPECT_EQ(l.country, "FR");
  EXPECT_EQ(l.city, "Paris");
  EXPECT_EQ(l.devices_with_country, 4);
  EXPECT_EQ(l.devices_in_country, 3);
  EXPECT_EQ(l.devices_in_city, 2);
}

TEST(LocationTest, GeoIpBeatsTheDeclaredCountryAndDeclaredCountsWithoutGeoIp) {
  const FleetLocation l =
      Locate({At("dev_a", R"({"country":"NL"})"), At("dev_b", R"({"country":"NL","rtt":[]})"),
              At("dev_c", R"({"country":"NL","geoip":{"country":"BE"}})")});
  EXPECT_EQ(l.country, "NL");
  EXPECT_EQ(l.city, "") << "no NL device has a GeoIP city";
}

TEST(LocationTest, ACityCountsOnlyInsideTheWinningCountry) {
  const FleetLocation l =
      Locate({At("dev_a", R"({"country":"AT"})"), At("dev_b", R"({"country":"AT"})"),
              At("dev_c", R"({"geoip":{"country":"CH","city":"Zurich"}})")});
  EXPECT_EQ(l.country, "AT");
  EXPECT_EQ(l.city, "");
}

TEST(LocationTest, TiesGoToTheAlphabeticallyFirstCode) {
  const FleetLocation l =
      Locate({At("dev_a", R"({"country":"SE"})"), At("dev_b", R"({"country":"DK"})")});
  EXPECT_EQ(l.country, "DK");
  EXPECT_EQ(l.devices_in_country, 1);
}

TEST(LocationTest, JunkEvidenceIsSkipped) {
  const FleetLocation l = Locate({
      At("dev_a", R"({"country":"SE"})"),
      At("dev_b", R"({"country":"DK"})"),
      At("dev_c", "not json"),
      At("dev_d", R"({"country":"Sweden"})"),
      At("dev_e", R"({"country":7,"geoip":"x"})"),
      At("dev_f", R"({"geoip":{"country":"D1","city":"X"}})"),
      At("dev_g", "{}"),
      At("dev_h", R"({"geoip":{"country":"DK","city":"bad\u0001name"}})"),
  });
  EXPECT_EQ(l.country, "DK");
  EXPECT_EQ(l.devices_in_country, 2);
  EXPECT_EQ(l.city, "");
  EXPECT_EQ(l.devices_with_country, 3);
}

TEST(LocationTest, NoDeviceTellsNothing) {
  const FleetLocation l = Locate({At("dev_a", "{}")});
  EXPECT_EQ(l.country, "");
  EXPECT_EQ(l.city, "");
  EXPECT_EQ(Locate({}).devices_with_country, 0);
}

}  // namespace
}  // namespace hearth::akash
