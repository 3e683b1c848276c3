// GeoIP: the country, city and coordinates of a client address, from a MaxMind-format city
// database (.mmdb) read with libmaxminddb (DESIGN §4: placement evidence after RTT, before the
// declared country).
//
// Both layouts of city databases are read: MaxMind's GeoIP2/GeoLite2-City records
// (country.iso_code, city.names.en, location.latitude/longitude) and the flat records of the
// ip-location-db redistribution (country_code, city, latitude, longitude) that
// scripts/fetch-geoip caches. A database may be split in an IPv4 and an IPv6 file; a lookup asks
// each file in turn. Addresses no file knows (private, loopback, unrouted) have no location.
// The files are memory-mapped once at Open and never written: lookups are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hearth::geoip {

struct Location {
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string city;     // "" when the database knows only the country
  std::optional<double> lat, lon;
};

class Database {
 public:
  // Opens every file in `paths` (at least one). Errors name `field` and the file.
  static StatusOr<std::shared_ptr<const Database>> Open(const std::vector<std::string>& paths,
                                                        const std::string& field);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The location of an IPv4 or IPv6 address ("::ffff:a.b.c.d" is looked up as IPv4); nullopt
  // when no file has it or the address is not an address.
  std::optional<Location> Lookup(std::string_view address) const;
  const std::vector<std::string>& paths() const { return paths_; }
  // "GeoLite2-City" / "city ipv4" ... of the first file, and its build date, for logs.
  std::string Describe() const;

 private:
  struct File;
  Database() = default;
  std::vector<std::unique_ptr<File>> files_;
  std::vector<std::string> paths_;
};

// The database scripts/fetch-geoip cached: the *.mmdb files of the newest complete version
// under ${HEARTH_CACHE:-$HOME/.cache/hearth}/geoip/, or empty when there is none.
std::vector<std::string> CachedDatabase(
    const std::function<const char*(const char*)>& getenv = nullptr);

// What `hearth serve --geoip-db VALUE` means: "" → the cached database (none cached: no GeoIP),
// "none" → no GeoIP, else comma-separated .mmdb paths. nullptr when GeoIP is off.
StatusOr<std::shared_ptr<const Database>> OpenFromFlag(const std::string& value,
                                                       const std::string& field);

}  // namespace hearth::geoip
