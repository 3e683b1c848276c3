#include "coordinator/regions/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace hearth::regions {
namespace {

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-regions-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::OpenSqliteStore(dir_ + "/hearth.db").value());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  StatusOr<store::Region> CreateJson(const std::string& body) {
    HEARTH_ASSIGN_OR_RETURN(api::RegionSpec spec, api::DecodeRegionSpec(body, true));
    return Create(*store_, now_, spec);
  }
  std::vector<store::Region> All() {
    std::vector<store::Region> out;
    EXPECT_TRUE(store_
                    ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                      HEARTH_ASSIGN_OR_RETURN(out, tx.ListRegions());
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  std::string dir_;
  store::StorePtr store_;
  Timestamp now_ = FromUnixMillis(1'700'000'000'000);
};

constexpr const char* kBerlin =
    R"({"id":"eu-berlin","name":"Berlin","location_region":"eu-central","lat":52.52,"lon":13.4,
        "countries":["de","PL"],"max_workers":100,"hardware_policy":"mixed",
        "gateways":["gw1.example.net:51820"],"kube_api_endpoint":"https://10.1.0.1:6443"})";

TEST_F(CatalogTest, CreatesAndStoresEveryField) {
  auto r = CreateJson(kBerlin);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto all = All();
  ASSERT_EQ(all.size(), 1u);
  const store::Region& got = all[0];
  EXPECT_EQ(got.id, "eu-berlin");
  EXPECT_EQ(got.location_region, "eu-central");
  EXPECT_DOUBLE_EQ(got.centre_lat, 52.52);
  EXPECT_EQ(got.countries, (std::vector<std::string>{"DE", "PL"}));
  EXPECT_EQ(got.max_workers, 100);
  EXPECT_EQ(got.status, "active");
  EXPECT_EQ(got.gateways, (std::vector<std::string>{"gw1.example.net:51820"}));
  EXPECT_EQ(got.overlay_prefix, "100.64.0.0/16");
  // A second region gets the next free prefixes.
  auto second = CreateJson(
      R"({"id":"eu-paris","name":"Paris","location_region":"eu-west","lat":48.86,"lon":2.35,
          "countries":["FR","DE"]})");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->overlay_prefix, "100.65.0.0/16");
  EXPECT_EQ(second->pod_prefix, "10.65.0.0/16");
}

TEST_F(CatalogTest, BadInputIsRefusedByFieldAndWritesNothing) {
  ASSERT_TRUE(CreateJson(kBerlin).ok());
  struct Bad {
    std::string body;
    std::string field;
  };
  const std::vector<Bad> cases = {
      {R"({"id":"x1","name":"X","location_region":"eu-middle","lat":1,"lon":1})",
       "location_region"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":91,"lon":1})", "lat"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":1,"lon":-180.5})", "lon"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":"north","lon":1})", "lat"},
      // Potsdam is 30 km from Berlin: a German device's country could not choose.
      {R"({"id":"x1","name":"X","location_region":"eu-central","lat":52.4,"lon":13.06,
           "countries":["DE"]})",
       "countries"},
      {R"({"id":"X!","name":"X","location_region":"eu-west","lat":1,"lon":1})", "id"},
      {R"({"name":"X","location_region":"eu-west","lat":1,"lon":1})", "id"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":1,"lon":1,
           "countries":["DEU"]})",
       "countries[0]"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":1,"lon":1,
           "hardware_policy":"gpu"})",
       "hardware_policy"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":1,"lon":1,
           "gateways":["no-port"]})",
       "gateways[0]"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":1,"lon":1,
           "kube_ca_hash":"md5:abc"})",
       "kube_ca_hash"},
      {R"({"id":"x1","name":"X","location_region":"eu-west","lat":1,"lon":1,
           "overlay_prefix":"100.64.0.0/20"})",
       "overlay_prefix"},
      {R"({"id":"eu-berlin","name":"X","location_region":"eu-west","lat":1,"lon":1})", "id"},
  };
  for (const Bad& b : cases) {
    auto r = CreateJson(b.body);
    ASSERT_FALSE(r.ok()) << b.body;
    EXPECT_EQ(r.status().field(), b.field) << r.status().ToString();
    EXPECT_FALSE(r.status().message().empty());
    EXPECT_EQ(All().size(), 1u) << "nothing written for " << b.body;
  }
}

TEST_F(CatalogTest, UpdateChangesOnlyGivenFieldsAndIsValidated) {
  ASSERT_TRUE(CreateJson(kBerlin).ok());
  auto spec = api::DecodeRegionSpec(R"({"max_workers":5})", false);
  ASSERT_TRUE(spec.ok());
  auto r = Update(*store_, now_, "eu-berlin", *spec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(All()[0].max_workers, 5);
  EXPECT_EQ(All()[0].countries, (std::vector<std::string>{"DE", "PL"}));

  auto bad = api::DecodeRegionSpec(R"({"location_region":"mars"})", false);
  ASSERT_TRUE(bad.ok());
  auto refused = Update(*store_, now_, "eu-berlin", *bad);
  EXPECT_EQ(refused.status().field(), "location_region");
  EXPECT_EQ(All()[0].location_region, "eu-central");

  EXPECT_EQ(api::DecodeRegionSpec(R"({"id":"other"})", false).status().field(), "id");
  EXPECT_EQ(Update(*store_, now_, "nope", *spec).status().code(), Code::kNotFound);
}

TEST_F(CatalogTest, DrainAndActivate) {
  ASSERT_TRUE(CreateJson(kBerlin).ok());
  auto drained = SetStatus(*store_, now_, "eu-berlin", "draining");
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(All()[0].status, "draining");
  EXPECT_EQ(SetStatus(*store_, now_, "eu-berlin", "draining").status().code(),
            Code::kFailedPrecondition);
  ASSERT_TRUE(SetStatus(*store_, now_, "eu-berlin", "active").ok());
  EXPECT_EQ(All()[0].status, "active");
}

TEST(LocationRegionsTest, ComeFromTheEmbeddedProviderAttributes) {
  EXPECT_GT(LocationRegions().size(), 30u);
  EXPECT_TRUE(IsLocationRegion("eu-central"));
  EXPECT_TRUE(IsLocationRegion("af-east"));
  EXPECT_FALSE(IsLocationRegion("eu-middle"));
  EXPECT_FALSE(IsLocationRegion(""));
}

}  // namespace
}  // namespace hearth::regions

namespace hearth::api {
namespace {

TEST(PlacementEvidenceTest, DecodesAndRefusesBadInputByField) {
  auto ok = DecodePlacementEvidence(
      nlohmann::json::parse(
          R"({"country":"ke","rtt":[{"region":"a","gateway":"g:1","samples_ms":[1,2.5]}]})"),
      "placement");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->country, "KE");
  ASSERT_EQ(ok->rtt.size(), 1u);
  EXPECT_EQ(ok->rtt[0].samples_ms, (std::vector<double>{1, 2.5}));
  auto round = DecodePlacementEvidence(EncodePlacementEvidence(*ok), "placement");
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->country, "KE");

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"country":"KEN"})", "placement.country"},
      {R"({"rtt":{}})", "placement.rtt"},
      {R"({"rtt":[{"gateway":"g:1","samples_ms":[1]}]})", "placement.rtt[0].region"},
      {R"({"rtt":[{"region":"a","gateway":"g:1","samples_ms":[-1]}]})",
       "placement.rtt[0].samples_ms"},
      {R"("KE")", "placement"},
  };
  for (const auto& [body, field] : bad) {
    auto r = DecodePlacementEvidence(nlohmann::json::parse(body), "placement");
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().field(), field) << r.status().ToString();
  }
}

}  // namespace
}  // namespace hearth::api
