#include "coordinator/geoip/geoip.h"

#include <dirent.h>
#include <maxminddb.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace hearth::geoip {

struct Database::File {
  MMDB_s mmdb{};
  ~File() { MMDB_close(&mmdb); }
};

namespace {

std::optional<std::string> StringAt(MMDB_entry_s* entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return std::nullopt;
  }
  return std::string(data.utf8_string, data.data_size);
}

std::optional<double> NumberAt(MMDB_entry_s* entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS || !data.has_data) return std::nullopt;
  if (data.type == MMDB_DATA_TYPE_DOUBLE) return data.double_value;
  if (data.type == MMDB_DATA_TYPE_FLOAT) return static_cast<double>(data.float_value);
  return std::nullopt;
}

// The first path that has a value, over both record layouts.
template <typename F>
auto First(MMDB_entry_s* entry, F get, std::initializer_list<const char* const*> paths)
    -> decltype(get(entry, nullptr)) {
  for (const char* const* p : paths) {
    if (auto v = get(entry, p)) return v;
  }
  return std::nullopt;
}

bool IsCountryCode(const std::string& c) {
  return c.size() == 2 && std::isalpha(static_cast<unsigned char>(c[0])) &&
         std::isalpha(static_cast<unsigned char>(c[1]));
}

std::vector<std::string> VersionParts(const std::string& v) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= v.size()) {
    size_t dot = v.find('.', start);
    if (dot == std::string::npos) dot = v.size();
    parts.push_back(v.substr(start, dot - start));
    start = dot + 1;
  }
  return parts;
}

bool IsNumber(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Dotted versions compared part by part, numerically where both parts are numbers
// ("2.3.2026061719" is newer than "2.3.999").
bool VersionLess(const std::string& a, const std::string& b) {
  const std::vector<std::string> pa = VersionParts(a), pb = VersionParts(b);
  for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
    if (pa[i] == pb[i]) continue;
    if (IsNumber(pa[i]) && IsNumber(pb[i]) && pa[i].size() != pb[i].size()) {
      return pa[i].size() < pb[i].size();
    }
    return pa[i] < pb[i];
  }
  return pa.size() < pb.size();
}

bool IsFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Database::~Database() = default;

StatusOr<std::shared_ptr<const Database>> Database::Open(const std::vector<std::string>& paths,
                                                         const std::string& field) {
  if (paths.empty()) {
    return Status::InvalidArgument(field, "names no database file; give a .mmdb path");
  }
  std::shared_ptr<Database> db(new Database());
  for (const std::string& path : paths) {
    auto f = std::make_unique<File>();
    const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &f->mmdb);
    if (rc != MMDB_SUCCESS) {
      return Status::InvalidArgument(
          field, "cannot open GeoIP database '" + path + "': " + MMDB_strerror(rc) +
                     "; give a MaxMind-format city .mmdb (scripts/fetch-geoip caches one) or "
                     "'none'");
    }
    const std::string type = f->mmdb.metadata.database_type ? f->mmdb.metadata.database_type : "";
    std::string lower = type;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("city") == std::string::npos) {
      return Status::InvalidArgument(field, "'" + path + "' is a \"" + type +
                                                "\" database; placement needs a city database "
                                                "(coordinates), e.g. GeoLite2-City");
    }
    db->files_.push_back(std::move(f));
    db->paths_.push_back(path);
  }
  return std::shared_ptr<const Database>(std::move(db));
}

std::optional<Location> Database::Lookup(std::string_view address) const {
  std::string ip(address);
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip.rfind("::ffff:", 0) == 0 && ip.find('.') != std::string::npos) ip = ip.substr(7);
  if (ip.empty() || ip.size() > 45) return std::nullopt;
  for (const auto& f : files_) {
    int gai_error = 0, mmdb_error = 0;
    MMDB_lookup_result_s r = MMDB_lookup_string(&f->mmdb, ip.c_str(), &gai_error, &mmdb_error);
    if (gai_error != 0) return std::nullopt;  // not an address at all
    if (mmdb_error != MMDB_SUCCESS || !r.found_entry) continue;
    static const char* const kIso[] = {"country", "iso_code", nullptr};
    static const char* const kFlatCountry[] = {"country_code", nullptr};
    static const char* const kCityEn[] = {"city", "names", "en", nullptr};
    static const char* const kFlatCity[] = {"city", nullptr};
    static const char* const kLat[] = {"location", "latitude", nullptr};
    static const char* const kFlatLat[] = {"latitude", nullptr};
    static const char* const kLon[] = {"location", "longitude", nullptr};
    static const char* const kFlatLon[] = {"longitude", nullptr};
    Location loc;
    loc.country = First(&r.entry, StringAt, {kIso, kFlatCountry}).value_or("");
    for (char& c : loc.country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!IsCountryCode(loc.country)) continue;
    loc.city = First(&r.entry, StringAt, {kCityEn, kFlatCity}).value_or("");
    loc.lat = First(&r.entry, NumberAt, {kLat, kFlatLat});
    loc.lon = First(&r.entry, NumberAt, {kLon, kFlatLon});
    if (!loc.lat || !loc.lon || !std::isfinite(*loc.lat) || !std::isfinite(*loc.lon) ||
        std::abs(*loc.lat) > 90 || std::abs(*loc.lon) > 180) {
      loc.lat.reset();
      loc.lon.reset();
    }
    return loc;
  }
  return std::nullopt;
}

std::string Database::Describe() const {
  if (files_.empty()) return "";
  const MMDB_metadata_s& m = files_.front()->mmdb.metadata;
  const auto built = static_cast<time_t>(m.build_epoch);
  char date[32] = "";
  std::tm tm{};
  if (gmtime_r(&built, &tm) != nullptr) std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  return std::string(m.database_type ? m.database_type : "") + " built " + date;
}

std::vector<std::string> CachedDatabase(const std::function<const char*(const char*)>& getenv) {
  auto env = [&](const char* name) -> const char* {
    return getenv ? getenv(name) : std::getenv(name);
  };
  std::string cache;
  if (const char* c = env("HEARTH_CACHE"); c != nullptr && *c != '\0') {
    cache = c;
  } else if (const char* home = env("HOME"); home != nullptr && *home != '\0') {
    cache = std::string(home) + "/.cache/hearth";
  } else {
    return {};
  }
  const std::string root = cache + "/geoip";
  std::vector<std::string> versions;
  for (const std::string& v : Entries(root)) {
    if (IsFile(root + "/" + v + "/.complete")) versions.push_back(v);
  }
  if (versions.empty()) return {};
  const std::string newest = *std::max_element(versions.begin(), versions.end(), VersionLess);
  std::vector<std::string> files;
  for (const std::string& name : Entries(root + "/" + newest)) {
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".mmdb") == 0) {
      files.push_back(root + "/" + newest + "/" + name);
    }
  }
  return files;
}

StatusOr<std::shared_ptr<const Database>> OpenFromFlag(const std::string& value,
                                                       const std::string& field) {
  if (value == "none") return std::shared_ptr<const Database>();
  std::vector<std::string> paths;
  if (value.empty()) {
    paths = CachedDatabase();
    if (paths.empty()) return std::shared_ptr<const Database>();
  } else {
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      if (comma > start) paths.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return Database::Open(paths, field);
}

}  // namespace hearth::geoip
