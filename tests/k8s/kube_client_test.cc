// Kubernetes client tests against a real control plane: upstream etcd, kube-apiserver,
// kube-scheduler and kwok started by tests/k8s/cluster (the CTest fixture `k8s` does that and
// passes its directory in HEARTH_K8S_DIR). Nothing here is faked.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/random.h"
#include "coordinator/kube/bootstrap_token.h"
#include "coordinator/kube/kubeconfig.h"
#include "coordinator/kube/rest_client.h"

namespace hearth::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ClusterDir() {
  const char* dir = std::getenv("HEARTH_K8S_DIR");
  return dir != nullptr ? dir : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Polls `cond` every 50 ms until it holds or `timeout` passes.
template <typename F>
bool Eventually(F cond, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return cond();
}

class KubeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ClusterDir();
    ASSERT_FALSE(dir_.empty())
        << "HEARTH_K8S_DIR is not set: run these tests through ctest (fixture k8s) or start a "
           "cluster with `tests/k8s/cluster up DIR` and export HEARTH_K8S_DIR=DIR";
    auto cfg = LoadKubeConfig(dir_ + "/admin.kubeconfig");
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    config_ = *cfg;
    RestClientOptions options;
    options.random = &random_;
    options.max_backoff = milliseconds(500);
    auto client = RestClient::Create(config_, options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
    ns_ = "t-" + GenerateBootstrapToken(SecureRandom::Instance()).id;
    auto r = client_->Create(
        "/api/v1/namespaces",
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void TearDown() override {
    if (client_) {
      EXPECT_TRUE(client_->Delete("/api/v1/namespaces/" + ns_).ok());
    }
  }

  std::string ConfigMaps() const { return "/api/v1/namespaces/" + ns_ + "/configmaps"; }

  Status CreateConfigMap(const std::string& name, const std::string& value) {
    return client_
        ->Create(ConfigMaps(), {{"apiVersion", "v1"},
                                {"kind", "ConfigMap"},
                                {"metadata", {{"name", name}}},
                                {"data", {{"v", value}}}})
        .status();
  }

  // POSTs a SelfSubjectReview with `bearer`; returns the HTTP status and the username.
  std::pair<int, std::string> WhoAmI(const std::string& bearer) {
    Request req;
    req.method = "POST";
    req.path = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    req.body =
        nlohmann::json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}}
            .dump();
    req.bearer_override = bearer;
    req.timeout = seconds(10);
    auto r = client_->Call(req);
    if (!r.ok()) return {0, r.status().ToString()};
    const auto j = r->Json();
    std::string user;
    if (j.is_object() && j.contains("status") && j["status"].is_object()) {
      user = j["status"].value("userInfo", nlohmann::json::object()).value("username", "");
    }
    return {r->status, user};
  }

  std::string dir_;
  KubeConfig config_;
  SeededRandom random_{1};
  std::unique_ptr<RestClient> client_;
  std::string ns_;
};

TEST_F(KubeTest, CreateGetPatchDelete) {
  ASSERT_TRUE(CreateConfigMap("cm", "1").ok());
  Status dup = CreateConfigMap("cm", "1");
  EXPECT_EQ(dup.code(), Code::kAlreadyExists) << dup.ToString();
  const std::string path = ConfigMaps() + "/cm";
  auto got = client_->Get(path);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)["data"]["v"], "1");

  auto merged = client_->Patch(path, PatchType::kMerge, {{"data", {{"w", "2"}}}});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ((*merged)["data"]["v"], "1");
  EXPECT_EQ((*merged)["data"]["w"], "2");
  auto strategic = client_->Patch(path, PatchType::kStrategicMerge,
                                  {{"metadata", {{"labels", {{"hearth.dev/x", "y"}}}}}});
  ASSERT_TRUE(strategic.ok()) << strategic.status().ToString();
  EXPECT_EQ((*strategic)["metadata"]["labels"]["hearth.dev/x"], "y");
  auto json_patch = client_->Patch(
      path, PatchType::kJson,
      nlohmann::json::array({{{"op", "replace"}, {"path", "/data/v"}, {"value", "3"}}}));
  ASSERT_TRUE(json_patch.ok()) << json_patch.status().ToString();
  EXPECT_EQ((*json_patch)["data"]["v"], "3");

  ASSERT_TRUE(client_->Delete(path).ok());
  auto gone = client_->Get(path);
  EXPECT_EQ(gone.status().code(), Code::kNotFound);
  EXPECT_TRUE(client_->Delete(path).ok());  // deleting what is gone is fine

  auto bad = client_->Create(
      ConfigMaps(),
      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "Not_Valid"}}}});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument) << bad.status().ToString();
  EXPECT_EQ(bad.status().reason(), "Invalid");
}

TEST_F(KubeTest, WrongCredentialsAreRefused) {
  auto [status, user] = WhoAmI("abcdef.0123456789abcdef");
  EXPECT_EQ(status, 401);
  KubeConfig bad = config_;
  bad.client_cert_pem.clear();
  bad.client_key_pem = Secret<std::string>();
  bad.token = Secret<std::string>("not-a-token");
  auto client = RestClient::Create(bad);
  ASSERT_TRUE(client.ok());
  auto r = (*client)->Get("/api/v1/namespaces");
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated) << r.status().ToString();
}

TEST_F(KubeTest, SendNeverBlocksAndRequestsTimeOut) {
  // An address where nothing answers: connection refused, retried until the deadline.
  KubeConfig dead = config_;
  dead.port = "1";
  dead.server = "https://127.0.0.1:1";
  auto client = RestClient::Create(dead);
  ASSERT_TRUE(client.ok());
  Request req;
  req.path = "/api/v1/namespaces";
  req.timeout = milliseconds(1500);
  std::mutex mu;
  std::optional<Status> result;
  const auto t0 = std::chrono::steady_clock::now();
  (*client)->Send(req, [&](StatusOr<Response> r) {
    std::lock_guard<std::mutex> lock(mu);
    result = r.status();
  });
  const auto send_took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(send_took, milliseconds(100));  // Send only queues
  ASSERT_TRUE(Eventually(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return result.has_value();
      },
      seconds(10)));
  const auto total = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(result->code(), Code::kUnavailable) << result->ToString();
  EXPECT_GE(total, milliseconds(700));  // it retried with backoff
  EXPECT_LT(total, seconds(5));         // and gave up at the deadline
}

TEST_F(KubeTest, BootstrapTokenAuthenticatesUntilDeleted) {
  const BootstrapToken token = GenerateBootstrapToken(SecureRandom::Instance());
  const Timestamp expires = SystemClock::Instance().Now() + std::chrono::hours(1);
  ASSERT_TRUE(CreateBootstrapToken(*client_, token, expires, "hearth test").ok());
  EXPECT_EQ(CreateBootstrapToken(*client_, token, expires, "again").code(), Code::kAlreadyExists);
  const std::string bearer = token.Bearer().Reveal();
  std::pair<int, std::string> who;
  EXPECT_TRUE(Eventually(
      [&] {
        who = WhoAmI(bearer);
        return who.first == 201;
      },
      seconds(20)))
      << "status " << who.first;
  EXPECT_EQ(who.second, "system:bootstrap:" + token.id);
  // The wrong secret for a real id is refused.
  EXPECT_EQ(WhoAmI(token.id + ".0000000000000000").first, 401);

  ASSERT_TRUE(DeleteBootstrapToken(*client_, token.id).ok());
  // The apiserver caches a successful token authentication for up to 10 s.
  EXPECT_TRUE(Eventually([&] { return WhoAmI(bearer).first == 401; }, seconds(60)));
}

TEST_F(KubeTest, BootstrapTokenStopsWorkingAtExpiry) {
  const BootstrapToken token = GenerateBootstrapToken(SecureRandom::Instance());
  // Whole seconds: the Secret's expiration has no sub-second part.
  const auto now_s = ToUnixMillis(SystemClock::Instance().Now()) / 1000;
  const Timestamp expires = FromUnixMillis((now_s + 12) * 1000);
  ASSERT_TRUE(CreateBootstrapToken(*client_, token, expires, "expires soon").ok());
  const std::string bearer = token.Bearer().Reveal();
  EXPECT_TRUE(Eventually([&] { return WhoAmI(bearer).first == 201; }, seconds(10)));
  ASSERT_TRUE(Eventually([&] { return WhoAmI(bearer).first == 401; }, seconds(60)));
  EXPECT_GE(ToUnixMillis(SystemClock::Instance().Now()), ToUnixMillis(expires));
  EXPECT_TRUE(DeleteBootstrapToken(*client_, token.id).ok());
}

TEST_F(KubeTest, JoinTokenCarriesTheClusterCaHash) {
  const std::string ca_file = dir_ + "/pki/ca.crt";
  EXPECT_EQ(client_->ca_pem(), ReadFile(ca_file));
  const std::string bundle_hash = CaBundleHash(client_->ca_pem());
  EXPECT_EQ(bundle_hash, Sha256Hex(ReadFile(ca_file)));
  // The DER fingerprint must agree with openssl's.
  auto fp = CaCertFingerprint(client_->ca_pem());
  ASSERT_TRUE(fp.ok()) << fp.status().ToString();
  std::string cmd = "openssl x509 -noout -fingerprint -sha256 -in '" + ca_file + "'";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[256] = {};
  std::string out;
  while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  pclose(p);
  std::string hex;
  for (char c : out.substr(out.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  EXPECT_EQ(*fp, hex);
  const BootstrapToken token = GenerateBootstrapToken(SecureRandom::Instance());
  EXPECT_EQ(K3sJoinToken(bundle_hash, token).Reveal(),
            "K10" + bundle_hash + "::" + token.id + "." + token.secret.Reveal());
}

// Records what a watch delivered.
struct Recorder {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> events;  // (type, name@rv)
  std::map<std::string, std::string> state;                 // name -> data.v

  void On(const WatchEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    const std::string name = e.object["metadata"]["name"];
    const std::string rv = e.object["metadata"]["resourceVersion"];
    const char* type = e.type == WatchEvent::Type::kAdded      ? "ADDED"
                       : e.type == WatchEvent::Type::kModified ? "MODIFIED"
                                                               : "DELETED";
    events.emplace_back(type, name + "@" + rv);
    if (e.type == WatchEvent::Type::kDeleted) {
      state.erase(name);
    } else {
      state[name] = e.object.value("data", nlohmann::json::object()).value("v", "");
    }
  }
  std::map<std::string, std::string> State() {
    std::lock_guard<std::mutex> lock(mu);
    return state;
  }
};

TEST_F(KubeTest, WatchSurvivesApiserverRestartWithoutLosingOrRepeatingEvents) {
  std::map<std::string, std::vector<std::string>> expected;  // name -> event types
  auto create = [&](const std::string& name) {
    ASSERT_TRUE(CreateConfigMap(name, "0").ok()) << name;
    expected[name].push_back("ADDED");
  };
  auto modify = [&](const std::string& name, const std::string& v) {
    ASSERT_TRUE(
        client_->Patch(ConfigMaps() + "/" + name, PatchType::kMerge, {{"data", {{"v", v}}}}).ok());
    expected[name].push_back("MODIFIED");
  };
  auto remove = [&](const std::string& name) {
    ASSERT_TRUE(client_->Delete(ConfigMaps() + "/" + name).ok());
    expected[name].push_back("DELETED");
  };
  // What the server has, as name -> data.v.
  auto server_state = [&] {
    std::map<std::string, std::string> s;
    auto list = client_->Get(ConfigMaps());
    if (!list.ok()) return s;
    for (const auto& item : (*list)["items"]) {
      s[item["metadata"]["name"]] = item.value("data", nlohmann::json::object()).value("v", "");
    }
    return s;
  };

  for (int i = 0; i < 5; ++i) create("a" + std::to_string(i));
  Recorder rec;
  WatchOptions options;
  options.path = ConfigMaps();
  options.list_page_size = 2;  // the first list takes several pages
  options.watch_timeout = seconds(10);
  auto watch = client_->StartWatch(options, [&](const WatchEvent& e) { rec.On(e); });
  ASSERT_TRUE(Eventually([&] { return watch->stats().synced.load(); }, seconds(20)));

  for (int i = 0; i < 5; ++i) create("b" + std::to_string(i));
  modify("a0", "1");
  remove("a1");
  ASSERT_TRUE(Eventually([&] { return rec.State() == server_state(); }, seconds(20)));
  const int64_t watches_before = watch->stats().watches;

  // Changes right before the apiserver dies may or may not reach the watch before it breaks.
  for (int i = 0; i < 3; ++i) create("c" + std::to_string(i));
  modify("b2", "1");
  const std::string restart =
      std::string(HEARTH_SOURCE_DIR) + "/tests/k8s/cluster restart-apiserver '" + dir_ + "'";
  ASSERT_EQ(std::system(restart.c_str()), 0) << restart;

  for (int i = 0; i < 5; ++i) create("d" + std::to_string(i));
  modify("b0", "2");
  remove("b1");
  // (Not a c*: had the watch missed one before the kill and relisted after its deletion, the
  // relist would rightly show nothing of it.)
  remove("a2");
  const auto want = server_state();
  ASSERT_EQ(want.size(), 5u + 5u + 3u + 5u - 3u);
  ASSERT_TRUE(Eventually([&] { return rec.State() == want; }, seconds(60)))
      << "the watch did not converge to the server's state";
  EXPECT_GT(watch->stats().watches, watches_before);

  // Exactly the changes made, each once, in order per object.
  std::map<std::string, std::vector<std::string>> got;
  std::set<std::string> seen;
  {
    std::lock_guard<std::mutex> lock(rec.mu);
    for (const auto& [type, name_rv] : rec.events) {
      EXPECT_TRUE(seen.insert(type + " " + name_rv).second)
          << "duplicate " << type << " " << name_rv;
      got[name_rv.substr(0, name_rv.find('@'))].push_back(type);
    }
  }
  EXPECT_EQ(got, expected);
  std::printf(
      "watch stats: lists=%lld gone=%lld watches=%lld bookmarks=%lld events=%lld "
      "duplicates_dropped=%lld errors=%lld\n",
      static_cast<long long>(watch->stats().lists.load()),
      static_cast<long long>(watch->stats().gone.load()),
      static_cast<long long>(watch->stats().watches.load()),
      static_cast<long long>(watch->stats().bookmarks.load()),
      static_cast<long long>(watch->stats().events.load()),
      static_cast<long long>(watch->stats().duplicates.load()),
      static_cast<long long>(watch->stats().errors.load()));
  watch->Stop();
  const int64_t events_after_stop = watch->stats().events;
  create("after-stop");
  std::this_thread::sleep_for(milliseconds(300));  // a stopped watch must stay silent
  EXPECT_EQ(watch->stats().events.load(), events_after_stop);
}

TEST_F(KubeTest, WatchRelistsWhenItsVersionIsGone) {
  ASSERT_TRUE(CreateConfigMap("x", "0").ok());
  Recorder rec;
  WatchOptions options;
  options.path = ConfigMaps();
  auto watch = client_->StartWatch(options, [&](const WatchEvent& e) { rec.On(e); });
  ASSERT_TRUE(Eventually([&] { return watch->stats().synced.load(); }, seconds(20)));
  // With the apiserver down, advance etcd's revision and compact its history past the watch's
  // version, so resuming from that version is impossible: the restarted apiserver answers
  // 410 Gone and the client relists.
  ASSERT_TRUE(CreateConfigMap("y", "0").ok());
  ASSERT_TRUE(Eventually([&] { return rec.State().size() == 2; }, seconds(20)));
  const std::string cluster = std::string(HEARTH_SOURCE_DIR) + "/tests/k8s/cluster";
  ASSERT_EQ(std::system((cluster + " stop-apiserver '" + dir_ + "'").c_str()), 0);
  std::string port = ReadFile(dir_ + "/etcd.port");
  while (!port.empty() && port.back() == '\n') port.pop_back();
  const std::string etcd = "http://127.0.0.1:" + port;
  // key "/hearth-test/advance" and value "x", base64 as the etcd JSON gateway wants them.
  const std::string cmd =
      "set -e; for i in 1 2 3; do curl -sf -X POST '" + etcd + "/v3/kv/put' -d '{\"key\":\"" +
      Base64Encode("/hearth-test/advance") + "\",\"value\":\"" + Base64Encode("x") +
      "\"}' >/dev/null; done; rev=$(curl -sf -X POST '" + etcd +
      "/v3/kv/range' -d '{\"key\":\"AA==\"}' | python3 -c "
      "'import json,sys; print(json.load(sys.stdin)[\"header\"][\"revision\"])'); "
      "curl -sf -X POST '" +
      etcd + "/v3/kv/compaction' -d \"{\\\"revision\\\":$rev,\\\"physical\\\":true}\" >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ASSERT_EQ(std::system((cluster + " start-apiserver '" + dir_ + "'").c_str()), 0);
  ASSERT_TRUE(CreateConfigMap("z", "0").ok());
  ASSERT_TRUE(Eventually([&] { return rec.State().size() == 3; }, seconds(60)));
  EXPECT_GE(watch->stats().gone.load(), 1);
  EXPECT_GE(watch->stats().lists.load(), 2);
  std::lock_guard<std::mutex> lock(rec.mu);
  EXPECT_EQ(rec.events.size(), 3u);  // x, y, z added once each
}

}  // namespace
}  // namespace hearth::kube
