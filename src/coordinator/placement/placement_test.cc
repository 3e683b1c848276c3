#include "coordinator/placement/placement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace hearth::placement {
namespace {

const GeoPoint kFrankfurt{50.11, 8.68};
const GeoPoint kParis{48.86, 2.35};
const GeoPoint kBerlin{52.52, 13.40};
const GeoPoint kNairobi{-1.29, 36.82};

Candidate Region(std::string id, GeoPoint centre, std::vector<std::string> countries,
                 HardwarePolicy policy = HardwarePolicy::kMixed, int64_t used = 0,
                 int64_t max = 0) {
  return {std::move(id), centre, std::move(countries), used, max, policy};
}

RttProbe Rtt(std::string region, std::vector<double> samples) {
  return {std::move(region), "gw", std::move(samples)};
}

struct Case {
  std::string name;
  std::vector<Candidate> regions;
  Evidence evidence;
  std::optional<std::string> want_region;
  std::string want_reason;
};

class PlacementTable : public ::testing::TestWithParam<Case> {};

TEST_P(PlacementTable, Decides) {
  const Case& c = GetParam();
  Decision d = Place(c.regions, c.evidence, Bounds{});
  EXPECT_EQ(d.region, c.want_region) << d.detail;
  EXPECT_EQ(d.reason, c.want_reason) << d.detail;
  EXPECT_FALSE(d.detail.empty());
  // Deterministic: the same inputs in reverse order decide the same.
  std::vector<Candidate> reversed(c.regions.rbegin(), c.regions.rend());
  Decision again = Place(reversed, c.evidence, Bounds{});
  EXPECT_EQ(again.region, d.region);
  EXPECT_EQ(again.reason, d.reason);
}

std::vector<Case> Cases() {
  std::vector<Case> cs;
  {
    // GeoIP puts the device in Frankfurt, but it measured Paris faster (e.g. its ISP peers
    // there): measured RTT is the stronger evidence.
    Case c{"NearestByRttBeatsNearerByGeoip", {}, {}, "eu-paris", "rtt"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"}), Region("eu-paris", kParis, {"FR"})};
    c.evidence.rtt = {Rtt("eu-fra", {40, 42, 41}), Rtt("eu-paris", {12, 90, 11})};
    c.evidence.geoip_location = GeoPoint{50.0, 8.5};
    c.evidence.geoip_country = "DE";
    cs.push_back(c);
  }
  {
    Case c{"BestGatewayOfARegionCounts", {}, {}, "eu-fra", "rtt"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"}), Region("eu-paris", kParis, {"FR"})};
    c.evidence.rtt = {Rtt("eu-fra", {80, 80, 80}), Rtt("eu-fra", {9, 10, 11}),
                      Rtt("eu-paris", {20, 20, 20})};
    cs.push_back(c);
  }
  {
    Case c{"CapacityFullGoesToTheNextRegion", {}, {}, "eu-paris", "rtt"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"}, HardwarePolicy::kMixed, 10, 10),
                 Region("eu-paris", kParis, {"FR"}, HardwarePolicy::kMixed, 3, 10)};
    c.evidence.rtt = {Rtt("eu-fra", {5, 5, 5}), Rtt("eu-paris", {15, 15, 15})};
    cs.push_back(c);
  }
  {
    Case c{"CapacityFullEverywhereWaitlists", {}, {}, std::nullopt, "no_capacity"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"}, HardwarePolicy::kMixed, 10, 10)};
    c.evidence.rtt = {Rtt("eu-fra", {5, 5, 5})};
    cs.push_back(c);
  }
  {
    Case c{"GpuDeviceSkipsACpuOnlyRegion", {}, {}, "eu-paris", "rtt"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"}, HardwarePolicy::kCpuOnly),
                 Region("eu-paris", kParis, {"FR"}, HardwarePolicy::kGpuOnly)};
    c.evidence.hardware = HardwareClass::kGpu;
    c.evidence.rtt = {Rtt("eu-fra", {5}), Rtt("eu-paris", {30})};
    cs.push_back(c);
  }
  {
    Case c{"CpuDeviceSkipsAGpuOnlyRegion", {}, {}, "eu-fra", "geoip_location"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"}, HardwarePolicy::kMixed),
                 Region("eu-berlin", kBerlin, {"DE"}, HardwarePolicy::kGpuOnly)};
    c.evidence.geoip_location = GeoPoint{52.4, 13.1};  // Potsdam: Berlin is nearer
    cs.push_back(c);
  }
  {
    Case c{"NoRegionAcceptsTheHardware", {}, {}, std::nullopt, "hardware_not_accepted"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"}, HardwarePolicy::kGpuOnly)};
    c.evidence.declared_country = "DE";
    cs.push_back(c);
  }
  {
    Case c{"RttOutOfBoundWaitlists", {}, {}, std::nullopt, "out_of_bound"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"})};
    c.evidence.rtt = {Rtt("eu-fra", {210, 220, 230})};
    c.evidence.declared_country = "DE";  // measured RTT overrides the weaker evidence
    cs.push_back(c);
  }
  {
    Case c{"DistanceOutOfBoundWaitlists", {}, {}, std::nullopt, "out_of_bound"};
    c.regions = {Region("eu-fra", kFrankfurt, {"DE"})};
    c.evidence.geoip_location = kNairobi;
    c.evidence.geoip_country = "KE";
    cs.push_back(c);
  }
  {
    Case c{"RttTiesGoToTheLowerId", {}, {}, "eu-a", "rtt"};
    c.regions = {Region("eu-b", kParis, {"FR"}), Region("eu-a", kFrankfurt, {"DE"})};
    c.evidence.rtt = {Rtt("eu-b", {20}), Rtt("eu-a", {20})};
    cs.push_back(c);
  }
  {
    Case c{"CountryTiesGoToTheLowerId", {}, {}, "de-1", "declared_country"};
    c.regions = {Region("de-2", kBerlin, {"DE"}), Region("de-1", kFrankfurt, {"DE"})};
    c.evidence.declared_country = "DE";
    cs.push_back(c);
  }
  {
    Case c{"GeoipCountryBeatsDeclaredCountry", {}, {}, "fr", "geoip_country"};
    c.regions = {Region("de", kBerlin, {"DE"}), Region("fr", kParis, {"FR"})};
    c.evidence.geoip_country = "FR";
    c.evidence.declared_country = "DE";
    cs.push_back(c);
  }
  {
    Case c{"DeclaredCountryAloneWorks", {}, {}, "de", "declared_country"};
    c.regions = {Region("de", kBerlin, {"DE"}), Region("fr", kParis, {"FR"})};
    c.evidence.declared_country = "DE";
    cs.push_back(c);
  }
  {
    Case c{"UnservedCountryWaitlists", {}, {}, std::nullopt, "no_region_serves"};
    c.regions = {Region("de", kBerlin, {"DE"})};
    c.evidence.declared_country = "KE";
    cs.push_back(c);
  }
  {
    Case c{"NoEvidenceWaitlists", {}, {}, std::nullopt, "no_evidence"};
    c.regions = {Region("de", kBerlin, {"DE"})};
    cs.push_back(c);
  }
  {
    Case c{"NoActiveRegionWaitlists", {}, {}, std::nullopt, "no_active_region"};
    c.evidence.declared_country = "DE";
    cs.push_back(c);
  }
  {
    // Unmeasured regions still count by the weaker evidence when the measured one is full.
    Case c{"MeasuredRegionFullFallsBackToCountry", {}, {}, "fr", "declared_country"};
    c.regions = {Region("de", kBerlin, {"DE"}, HardwarePolicy::kMixed, 1, 1),
                 Region("fr", kParis, {"FR"})};
    c.evidence.rtt = {Rtt("de", {10})};
    c.evidence.declared_country = "FR";
    cs.push_back(c);
  }
  return cs;
}

INSTANTIATE_TEST_SUITE_P(Placement, PlacementTable, ::testing::ValuesIn(Cases()),
                         [](const auto& p) { return p.param.name; });

TEST(PlacementTest, MedianIgnoresOutliers) {
  EXPECT_EQ(Median({}), 0);
  EXPECT_EQ(Median({5}), 5);
  EXPECT_EQ(Median({100, 1, 2}), 2);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
}

TEST(PlacementTest, DistanceIsGreatCircle) {
  EXPECT_NEAR(DistanceKm(kParis, kBerlin), 878, 5);
  EXPECT_NEAR(DistanceKm(kFrankfurt, kFrankfurt), 0, 1e-9);
}

TEST(PlacementTest, CoordinatesAreValidated) {
  EXPECT_TRUE(ValidGeoPoint({-90, 180}));
  EXPECT_FALSE(ValidGeoPoint({91, 0}));
  EXPECT_FALSE(ValidGeoPoint({0, -181}));
  EXPECT_FALSE(ValidGeoPoint({std::numeric_limits<double>::quiet_NaN(), 0}));
}

TEST(PlacementTest, CellsAreCoarse) {
  EXPECT_EQ(WaitlistCell("KE", GeoPoint{-1.29, 36.82}), "KE/-2/36");
  EXPECT_EQ(WaitlistCell("KE", GeoPoint{-1.01, 36.99}), "KE/-2/36");  // same ~100 km cell
  EXPECT_EQ(WaitlistCell("KE", std::nullopt), "KE/-/-");
  EXPECT_EQ(WaitlistCell(std::nullopt, std::nullopt), "ZZ/-/-");
}

TEST(PlacementTest, HardwarePolicyNamesRoundTrip) {
  for (auto p : {HardwarePolicy::kMixed, HardwarePolicy::kGpuOnly, HardwarePolicy::kCpuOnly}) {
    EXPECT_EQ(ParseHardwarePolicy(HardwarePolicyName(p)), p);
  }
  EXPECT_EQ(ParseHardwarePolicy("gpu"), std::nullopt);
}

}  // namespace
}  // namespace hearth::placement
