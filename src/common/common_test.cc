// Unit tests for the small common pieces: status, durations, flags, ids, encodings, metrics.
#include <gtest/gtest.h>

#include <map>

#include "common/duration.h"
#include "common/encoding.h"
#include "common/flags.h"
#include "common/ids.h"
#include "common/metrics.h"
#include "common/secret.h"
#include "common/status.h"

namespace hearth {
namespace {

using std::chrono::milliseconds;

TEST(StatusTest, CarriesReasonFieldAndContext) {
  Status s = Status::InvalidArgument("email", "must look like name@example.com");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.reason(), "invalid_argument");
  EXPECT_EQ(s.ToString(), "invalid_argument: email: must look like name@example.com");
  EXPECT_EQ(s.WithContext("sign-up").message(), "sign-up: must look like name@example.com");
  EXPECT_EQ(Status(Code::kNotFound, "x").reason(), "not_found");
  StatusOr<int> bad = Status::Ok();  // a StatusOr from OK is a bug, reported as internal
  EXPECT_EQ(bad.status().code(), Code::kInternal);
}

TEST(DurationTest, ParsesUnitsAndCombinations) {
  const std::map<std::string, int64_t> good = {{"1s", 1000},     {"30s", 30000},     {"5m", 300000},
                                               {"500ms", 500},   {"1h30m", 5400000}, {"0s", 0},
                                               {"24h", 86400000}};
  for (const auto& [text, ms] : good) {
    auto d = ParseDuration(text, "--x");
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(d->count(), ms) << text;
  }
  for (const char* text : {"", "5", "s", "5x", "-1s", "1.5s", "1s ", "999999999999999h"}) {
    auto d = ParseDuration(text, "--offline-after");
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().field(), "--offline-after");
    EXPECT_NE(d.status().message().find("e.g."), std::string::npos);
  }
  EXPECT_EQ(FormatDuration(milliseconds(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
}

TEST(FlagsTest, FlagBeatsEnvironmentBeatsDefault) {
  std::string listen = "127.0.0.1:8080", data = "d";
  Duration offline = std::chrono::minutes(5);
  bool signup = true;
  int64_t threads = 2;
  FlagSet f("hearth serve", "desc");
  f.String("listen", &listen, "where");
  f.String("data", &data, "dir");
  f.Dur("offline-after", &offline, "offline");
  f.Bool("allow-signup", &signup, "signup");
  f.Int("threads", &threads, "threads", 1, 64);
  std::map<std::string, std::string> env = {
      {"HEARTH_LISTEN", "0.0.0.0:1"}, {"HEARTH_DATA", "/env"}, {"HEARTH_OFFLINE_AFTER", "3s"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto rest =
      f.Parse({"--listen", "1.2.3.4:5", "--allow-signup=false", "pos", "--threads=4"}, getenv);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(listen, "1.2.3.4:5");
  EXPECT_EQ(data, "/env");
  EXPECT_EQ(offline.count(), 3000);
  EXPECT_FALSE(signup);
  EXPECT_EQ(threads, 4);
  EXPECT_EQ(*rest, std::vector<std::string>{"pos"});
  EXPECT_NE(f.Help().find("HEARTH_OFFLINE_AFTER"), std::string::npos);
  EXPECT_NE(f.Help().find("default 5m"), std::string::npos);
}

TEST(FlagsTest, BadInputNamesTheFlagOrVariable) {
  int64_t threads = 2;
  Duration d{};
  FlagSet f("x", "y");
  f.Int("threads", &threads, "t", 1, 64);
  f.Dur("offline-after", &d, "o");
  auto r = f.Parse({"--threads", "100"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "--threads");
  r = f.Parse({"--nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "--nope");
  r = f.Parse({"--threads"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs a value"), std::string::npos);
  r = f.Parse({}, [](const char* n) -> const char* {
    return std::string(n) == "HEARTH_OFFLINE_AFTER" ? "soon" : nullptr;
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "HEARTH_OFFLINE_AFTER");
  r = f.Parse({"-x"});
  ASSERT_FALSE(r.ok());
}

TEST(FlagsTest, RepeatableFlagCollectsEveryValueOrTheEnvironmentList) {
  std::vector<std::string> configs;
  FlagSet f("x", "y");
  f.Strings("kubeconfig", &configs, "k");
  auto env = [](const char* n) -> const char* {
    return std::string(n) == "HEARTH_KUBECONFIG" ? "c=/env/c,,d=/env/d" : nullptr;
  };
  ASSERT_TRUE(f.Parse({"--kubeconfig", "a=/x", "--kubeconfig=b=/y"}, env).ok());
  EXPECT_EQ(configs, (std::vector<std::string>{"a=/x", "b=/y"}));  // the flag wins
  configs.clear();
  ASSERT_TRUE(f.Parse({}, env).ok());
  EXPECT_EQ(configs, (std::vector<std::string>{"c=/env/c", "d=/env/d"}));
  EXPECT_NE(f.Help().find("--kubeconfig VALUE (repeatable)"), std::string::npos);
}

TEST(IdsTest, RandomIdsAreWellFormedAndDistinct) {
  SeededRandom r(7);
  const std::string a = NewRandomId(kDevicePrefix, r), b = NewRandomId(kDevicePrefix, r);
  EXPECT_NE(a, b);
  EXPECT_TRUE(IsWellFormedId(a, kDevicePrefix));
  EXPECT_FALSE(IsWellFormedId(a, kAccountPrefix));
  EXPECT_FALSE(IsWellFormedId("dev_", kDevicePrefix));
  EXPECT_FALSE(IsWellFormedId("dev_../../etc/passwd1", kDevicePrefix));
  EXPECT_FALSE(IsWellFormedId(a + "x", kDevicePrefix));
}

TEST(EncodingTest, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("rtx 4090&status=x"), "rtx%204090%26status%3Dx");
  EXPECT_EQ(PercentEncode("a-b.c_d~e"), "a-b.c_d~e");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(EncodingTest, Base64HexAndSha256) {
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(*Base64Decode("aGVsbG8="), "hello");
  EXPECT_FALSE(Base64Decode("aGVsbG8").has_value());
  EXPECT_FALSE(Base64Decode("a!==").has_value());
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(HexEncode("\x01\xab"), "01ab");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(SecretTest, PrintsRedacted) {
  std::ostringstream os;
  os << Secret<std::string>("hunter2");
  EXPECT_EQ(os.str(), "<redacted>");
}

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m;
  m.CountRequest("/v1/devices", "GET", 200, 0.002);
  m.CountRequest("/v1/devices", "GET", 200, 0.2);
  m.CountRequest("unmatched", "GET", 404, 0.0001);
  m.AddGauge("hearth_devices", "Devices by status.", [] {
    return std::vector<Metrics::Sample>{{"status=\"online\"", 3}};
  });
  const std::string text = m.Render();
  EXPECT_NE(text.find("hearth_http_requests_total{route=\"/v1/devices\",method=\"GET\","
                      "status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("hearth_http_request_duration_seconds_bucket{route=\"/v1/devices\","
                      "le=\"0.0025\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("hearth_devices{status=\"online\"} 3"), std::string::npos);
  EXPECT_NE(text.find("# TYPE hearth_devices gauge"), std::string::npos);
  EXPECT_EQ(Metrics::EscapeLabel("a\"b\\c\n"), "a\\\"b\\\\c\\n");
}

}  // namespace
}  // namespace hearth
