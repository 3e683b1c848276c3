// Every route the coordinator serves must be documented in api/openapi.yaml (and nothing
// documented may be missing from the router), so the document cannot drift from the code.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/clock.h"
#include "common/random.h"
#include "coordinator/coordinator.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::coordinator {
namespace {

std::string SourceDir() {
  if (const char* s = std::getenv("HEARTH_SOURCE_DIR")) return s;
  return HEARTH_SOURCE_DIR;
}

// "METHOD path" pairs from the document's `paths:` section.
std::set<std::string> DocumentedRoutes(const std::string& yaml) {
  std::set<std::string> out;
  std::istringstream in(yaml);
  std::string line, path;
  bool in_paths = false;
  const std::regex path_re(R"(^  (/[^:]*):\s*$)");
  const std::regex method_re(R"(^    (get|post|put|patch|delete|head):\s*$)");
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    std::smatch m;
    if (std::regex_match(line, m, path_re)) {
      path = m[1];
    } else if (std::regex_match(line, m, method_re)) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(std::toupper(c));
      out.insert(method + " " + path);
    }
  }
  return out;
}

TEST(OpenApiTest, EveryServedRouteIsDocumentedAndViceVersa) {
  std::ifstream in(SourceDir() + "/api/openapi.yaml");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::set<std::string> documented = DocumentedRoutes(ss.str());
  ASSERT_GT(documented.size(), 10u);

  auto store = store::OpenSqliteStore(":memory:");
  ASSERT_TRUE(store.ok());
  FakeClock clock;
  SeededRandom random(1);
  Coordinator coord(Config{}, **store, clock, random);
  std::set<std::string> served;
  for (const auto& r : coord.router().Routes()) served.insert(r.method + " " + r.pattern);

  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << r << " is not in openapi.yaml";
  for (const auto& r : documented)
    EXPECT_TRUE(served.count(r)) << r << " is documented but not served";
}

}  // namespace
}  // namespace hearth::coordinator
