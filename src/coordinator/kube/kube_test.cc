// Unit tests for the pure parts of the Kubernetes client: kubeconfig parsing, the watch's
// object cache, backoff, bootstrap tokens. The client itself is tested against a real
// apiserver in tests/k8s/.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "common/encoding.h"
#include "common/random.h"
#include "coordinator/kube/backoff.h"
#include "coordinator/kube/bootstrap_token.h"
#include "coordinator/kube/kubeconfig.h"
#include "coordinator/kube/object_cache.h"
#include "coordinator/kube/rest_client.h"

namespace hearth::kube {
namespace {

std::string Config(const std::string& server, const std::string& user_block,
                   const std::string& cluster_extra = "") {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: " + server +
         "\n    certificate-authority-data: " + Base64Encode("CA-PEM") + "\n" + cluster_extra +
         "users:\n- name: u\n  user:\n" + user_block +
         "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n"
         "current-context: ctx\n";
}

TEST(KubeConfig, ParsesClientCertificate) {
  auto cfg = ParseKubeConfig(
      Config("https://127.0.0.1:6443/", "    client-certificate-data: " + Base64Encode("CERT") +
                                            "\n    client-key-data: " + Base64Encode("KEY") + "\n"),
      "");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->host, "127.0.0.1");
  EXPECT_EQ(cfg->port, "6443");
  EXPECT_EQ(cfg->ca_pem, "CA-PEM");
  EXPECT_EQ(cfg->client_cert_pem, "CERT");
  EXPECT_EQ(cfg->client_key_pem.Reveal(), "KEY");
  EXPECT_TRUE(cfg->token.empty());
  EXPECT_EQ(cfg->context, "ctx");
}

TEST(KubeConfig, ParsesTokenFileRelativeToTheKubeconfig) {
  char tmpl[] = "/tmp/hearth-kubeconfig-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  std::ofstream(dir + "/token") << "abc.def\n";
  std::ofstream(dir + "/config") << Config("https://[::1]", "    tokenFile: token\n");
  auto cfg = LoadKubeConfig(dir + "/config");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->token.Reveal(), "abc.def");
  EXPECT_EQ(cfg->host, "::1");
  EXPECT_EQ(cfg->port, "443");
  std::remove((dir + "/token").c_str());
  std::remove((dir + "/config").c_str());
  std::remove(dir.c_str());
}

TEST(KubeConfig, RejectsBadInputNamingTheField) {
  struct Case {
    std::string yaml, field;
  } cases[] = {
      {Config("http://127.0.0.1:8080", "    token: t\n"), "clusters[c].cluster.server"},
      {Config("https://127.0.0.1:x", "    token: t\n"), "clusters[c].cluster.server"},
      {Config("https://h/path", "    token: t\n"), "clusters[c].cluster.server"},
      {Config("https://h", "    username: x\n"), "users[u].user"},
      {Config("https://h", "    client-certificate-data: " + Base64Encode("C") + "\n"),
       "users[u].user.client-key-data"},
      {Config("https://h", "    client-key-data: '!!'\n"), "users[u].user.client-key-data"},
      {Config("https://h", "    client-certificate: /nonexistent/cert\n    client-key: k\n"),
       "users[u].user.client-certificate"},
      {"current-context: nope\ncontexts: []\n", "current-context"},
      {"kind: Config\n", "current-context"},
      {"- a\n- b\n", "kubeconfig"},
      {"a: [unclosed\n", "kubeconfig"},
  };
  for (const auto& c : cases) {
    auto cfg = ParseKubeConfig(c.yaml, "");
    ASSERT_FALSE(cfg.ok()) << c.yaml;
    EXPECT_EQ(cfg.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(cfg.status().field(), c.field) << cfg.status().ToString();
  }
  // No CA at all is refused unless verification is explicitly off.
  const std::string no_ca =
      "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
      "users:\n- name: u\n  user:\n    token: t\n"
      "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n";
  auto cfg = ParseKubeConfig(no_ca, "");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().field(), "clusters[c].cluster.certificate-authority-data");
  EXPECT_FALSE(LoadKubeConfig("/nonexistent/kubeconfig").ok());
}

TEST(KubeConfig, ExplicitContextOverridesCurrent) {
  std::string yaml = Config("https://h", "    token: t\n");
  auto cfg = ParseKubeConfig(yaml, "", "other");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().field(), "current-context");
  EXPECT_NE(cfg.status().message().find("'other'"), std::string::npos);
}

nlohmann::json Obj(const std::string& name, const std::string& rv) {
  return {{"metadata", {{"namespace", "ns"}, {"name", name}, {"resourceVersion", rv}}}};
}

TEST(ObjectCache, DeliversEachChangeOnce) {
  ObjectCache cache;
  using T = WatchEvent::Type;
  auto e = cache.Apply(T::kAdded, Obj("a", "1"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, T::kAdded);
  EXPECT_FALSE(cache.Apply(T::kAdded, Obj("a", "1")));  // replayed after a reconnect
  e = cache.Apply(T::kAdded, Obj("a", "2"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, T::kModified);
  EXPECT_FALSE(cache.Apply(T::kModified, Obj("a", "2")));
  e = cache.Apply(T::kDeleted, Obj("a", "3"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, T::kDeleted);
  EXPECT_FALSE(cache.Apply(T::kDeleted, Obj("a", "3")));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ObjectCache, RelistYieldsExactlyTheDifference) {
  ObjectCache cache;
  using T = WatchEvent::Type;
  (void)cache.Apply(T::kAdded, Obj("keep", "1"));
  (void)cache.Apply(T::kAdded, Obj("change", "2"));
  (void)cache.Apply(T::kAdded, Obj("gone", "3"));
  auto events = cache.Replace({Obj("keep", "1"), Obj("change", "5"), Obj("new", "6")});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, T::kModified);
  EXPECT_EQ(ObjectCache::Key(events[0].object), "ns/change");
  EXPECT_EQ(events[1].type, T::kAdded);
  EXPECT_EQ(ObjectCache::Key(events[1].object), "ns/new");
  EXPECT_EQ(events[2].type, T::kDeleted);
  EXPECT_EQ(ObjectCache::Key(events[2].object), "ns/gone");
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Replace({Obj("keep", "1"), Obj("change", "5"), Obj("new", "6")}).empty());
}

TEST(Backoff, GrowsWithJitterUpToTheCap) {
  SeededRandom random(7);
  Backoff b(random, std::chrono::milliseconds(100), std::chrono::milliseconds(1000));
  int64_t expected_max = 100;
  for (int i = 0; i < 10; ++i) {
    const auto d = b.Next().count();
    EXPECT_GE(d, expected_max / 2) << i;
    EXPECT_LE(d, expected_max) << i;
    expected_max = std::min<int64_t>(expected_max * 2, 1000);
  }
  b.Reset();
  EXPECT_LE(b.Next().count(), 100);
}

TEST(BootstrapToken, GeneratesWellFormedDistinctTokens) {
  SeededRandom random(42);
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    const BootstrapToken t = GenerateBootstrapToken(random);
    auto parsed = ParseBootstrapToken(t.Bearer().Reveal(), "token");
    ASSERT_TRUE(parsed.ok()) << t.Bearer().Reveal();
    EXPECT_EQ(parsed->id, t.id);
    EXPECT_EQ(parsed->secret.Reveal(), t.secret.Reveal());
    ids.insert(t.id);
  }
  EXPECT_EQ(ids.size(), 50u);
  for (const char* bad : {"", "abcdef", "abcdef.0123456789abcde", "ABCDEF.0123456789abcdef",
                          "abcde.0123456789abcdefg", "abcdef-0123456789abcdef"}) {
    auto r = ParseBootstrapToken(bad, "join_token");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "join_token");
  }
}

TEST(BootstrapToken, SecretManifestAndJoinToken) {
  auto token = ParseBootstrapToken("abcdef.0123456789abcdef", "t");
  ASSERT_TRUE(token.ok());
  const auto secret = BootstrapTokenSecret(*token, FromUnixMillis(1'800'000'000'123), "device d1");
  EXPECT_EQ(secret["type"], "bootstrap.kubernetes.io/token");
  EXPECT_EQ(secret["metadata"]["name"], "bootstrap-token-abcdef");
  EXPECT_EQ(secret["metadata"]["namespace"], "kube-system");
  EXPECT_EQ(secret["stringData"]["token-id"], "abcdef");
  EXPECT_EQ(secret["stringData"]["token-secret"], "0123456789abcdef");
  EXPECT_EQ(secret["stringData"]["expiration"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(secret["stringData"]["usage-bootstrap-authentication"], "true");
  EXPECT_EQ(secret["stringData"]["description"], "device d1");
  const std::string hash = CaBundleHash("PEM");
  EXPECT_EQ(hash, Sha256Hex("PEM"));
  EXPECT_EQ(K3sJoinToken(hash, *token).Reveal(), "K10" + hash + "::abcdef.0123456789abcdef");
  EXPECT_FALSE(CaCertFingerprint("not a certificate").ok());
}

TEST(Kube, QueryEscapeAndStatusMapping) {
  EXPECT_EQ(QueryEscape("app=a,b in (x y)"), "app%3Da%2Cb%20in%20%28x%20y%29");
  Response r{409, R"({"kind":"Status","reason":"AlreadyExists","message":"exists","code":409})",
             "application/json"};
  Status s = ToStatus(r, "create");
  EXPECT_EQ(s.code(), Code::kAlreadyExists);
  EXPECT_EQ(s.reason(), "AlreadyExists");
  r = {401, "Unauthorized", "text/plain"};
  EXPECT_EQ(ToStatus(r, "get").code(), Code::kUnauthenticated);
  r = {200, "{}", "application/json"};
  EXPECT_TRUE(ToStatus(r, "get").ok());
  EXPECT_EQ(ContentType(PatchType::kStrategicMerge), "application/strategic-merge-patch+json");
}

}  // namespace
}  // namespace hearth::kube
