// GeoIP against the real GeoLite2 City database that scripts/fetch-geoip caches (run by
// scripts/install-deps): well-known public addresses resolve to their country — only a lookup in
// the file, no traffic. Countries only: cities and coordinates move between database builds.
#include "coordinator/geoip/geoip.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hearth::geoip {
namespace {

std::shared_ptr<const Database> RealDatabase() {
  const std::vector<std::string> paths = CachedDatabase();
  if (paths.empty()) {
    ADD_FAILURE() << "no GeoIP database cached under ${HEARTH_CACHE:-~/.cache/hearth}/geoip; "
                     "run scripts/fetch-geoip (scripts/install-deps does)";
    return nullptr;
  }
  auto db = Database::Open(paths, "--geoip-db");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? *db : nullptr;
}

TEST(GeoIpTest, WellKnownAddressesResolveToTheirCountry) {
  auto db = RealDatabase();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->paths().size(), 2u);  // the IPv4 and the IPv6 file
  EXPECT_NE(db->Describe().find("city"), std::string::npos) << db->Describe();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"8.8.8.8", "US"},                    // Google Public DNS
      {"193.0.6.139", "NL"},                // RIPE NCC, Amsterdam
      {"202.12.27.33", "JP"},               // M-root (WIDE), Tokyo
      {"200.160.0.8", "BR"},                // NIC.br, São Paulo
      {"203.119.0.1", "AU"},                // APNIC, Brisbane
      {"::ffff:8.8.8.8", "US"},             // IPv4-mapped, as a dual-stack socket reports it
      {"2001:4860:4860::8888", "US"},       // Google Public DNS over IPv6
      {"2001:67c:2e8:22::c100:68b", "NL"},  // www.ripe.net over IPv6
  };
  for (const auto& [ip, country] : cases) {
    std::optional<Location> loc = db->Lookup(ip);
    ASSERT_TRUE(loc.has_value()) << ip;
    EXPECT_EQ(loc->country, country) << ip;
    ASSERT_TRUE(loc->lat && loc->lon) << ip;  // a city database has coordinates
    EXPECT_LE(std::abs(*loc->lat), 90) << ip;
  }
}

TEST(GeoIpTest, PrivateLoopbackAndGarbageHaveNoLocation) {
  auto db = RealDatabase();
  ASSERT_NE(db, nullptr);
  for (const std::string ip :
       {"127.0.0.1", "10.1.2.3", "192.168.1.1", "::1", "fd00::1", "", "not-an-ip", "999.1.1.1"}) {
    EXPECT_FALSE(db->Lookup(ip).has_value()) << ip;
  }
}

TEST(GeoIpTest, OpeningSomethingElseIsAClearError) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("hearth-geoip-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/junk.mmdb") << "not a database";
  for (const std::vector<std::string>& paths :
       {std::vector<std::string>{dir + "/missing.mmdb"},
        std::vector<std::string>{dir + "/junk.mmdb"}, std::vector<std::string>{}}) {
    auto db = Database::Open(paths, "--geoip-db");
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().field(), "--geoip-db");
  }
  auto off = OpenFromFlag("none", "--geoip-db");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(*off, nullptr);
  EXPECT_FALSE(OpenFromFlag(dir + "/junk.mmdb", "--geoip-db").ok());
  std::filesystem::remove_all(dir);
}

TEST(GeoIpTest, TheCacheUsesTheNewestCompleteVersion) {
  const std::string cache =
      std::filesystem::temp_directory_path() / ("hearth-geoip-cache-" + std::to_string(getpid()));
  auto make = [&](const std::string& version, bool complete) {
    const std::string d = cache + "/geoip/" + version;
    std::filesystem::create_directories(d);
    std::ofstream(d + "/city-ipv4.mmdb") << "x";
    std::ofstream(d + "/GEOLITE2_LICENSE") << "x";
    if (complete) std::ofstream(d + "/.complete");
  };
  make("2.3.999", true);
  make("2.3.2026061719", true);
  make("9.0.0", false);  // a fetch that did not finish
  auto env = [&](const char* name) -> const char* {
    return std::string(name) == "HEARTH_CACHE" ? cache.c_str() : nullptr;
  };
  EXPECT_EQ(CachedDatabase(env),
            std::vector<std::string>{cache + "/geoip/2.3.2026061719/city-ipv4.mmdb"});
  std::filesystem::remove_all(cache);
  EXPECT_TRUE(CachedDatabase(env).empty());
}

}  // namespace
}  // namespace hearth::geoip
