// The coordinator's node lifecycle against a real control plane (tests/k8s/cluster: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler, kwok). A coordinator runs in-process
// on a real SQLite store with the region "default" bound to the test cluster; devices enroll
// through the store as the enroll handler does. A kubelet is played by the test: it POSTs the
// Node as a kubelet registers it (name, kubelet labels, capacity), labelled
// hearth.test/kubelet=kwok so that kwok keeps it Ready and renews its Lease; removing that label
// is the kubelet dying. Pods are created by real Deployments, placed by the real scheduler,
// evicted through the real Eviction API with real PodDisruptionBudgets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "api/types.h"
#include "common/keys.h"
#include "coordinator/coordinator.h"
#include "coordinator/kube/attribution.h"
#include "coordinator/kube/bootstrap_token.h"
#include "coordinator/kube/kubeconfig.h"
#include "coordinator/kube/rest_client.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ClusterDir() {
  const char* dir = std::getenv("HEARTH_K8S_DIR");
  return dir != nullptr ? dir : "";
}

template <typename F>
bool Eventually(F cond, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return cond();
}

// An RTX 3090 box: two GPUs Akash knows.
std::string GpuInventory() {
  agent::Inventory inv;
  inv.hostname = "box";
  inv.arch = "amd64";
  inv.cpu_cores = 16;
  inv.cpu_threads = 32;
  inv.memory_bytes = uint64_t{64} << 30;
  for (const char* pci : {"0000:21:00.0", "0000:4b:00.0"}) {
    agent::Gpu g;
    g.pci_address = pci;
    g.vendor_id = "10de";
    g.device_id = "2204";
    g.vendor = "nvidia";
    g.model = "rtx3090";
    g.memory_size = "24Gi";
    g.interface = "PCIe";
    inv.gpus.push_back(g);
  }
  return agent::InventoryToJson(inv).dump();
}

class KubeNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = ClusterDir();
    ASSERT_FALSE(cluster_.empty())
        << "HEARTH_K8S_DIR is not set: run through ctest (fixture k8s) or `tests/k8s/cluster up "
           "DIR` and export HEARTH_K8S_DIR=DIR";
    auto cfg = LoadKubeConfig(cluster_ + "/admin.kubeconfig");
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    server_ = cfg->server;
    RestClientOptions ro;
    ro.max_backoff = milliseconds(500);
    auto client = RestClient::Create(*cfg, ro);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    kube_ = std::move(*client);
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-kube-nodes-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    std::filesystem::create_directories(dir_);
    ns_ = "t-" + GenerateBootstrapToken(SecureRandom::Instance()).id;
    ASSERT_TRUE(
        kube_
            ->Create("/api/v1/namespaces",
                     {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}})
            .ok());
    StartCoordinator();
  }

  void TearDown() override {
    coord_.reset();
    store_.reset();
    if (kube_) {
      for (const std::string& node : nodes_) (void)kube_->Delete("/api/v1/nodes/" + node);
      (void)kube_->Delete("/api/v1/namespaces/" + ns_);
    }
    std::filesystem::remove_all(dir_);
  }

  // (Re)starts the coordinator on the same store, as after a crash or upgrade.
  void StartCoordinator() {
    coord_.reset();
    store_.reset();
    store_ = std::move(store::OpenSqliteStore(dir_ + "/hearth.db").value());
    coordinator::Config config;
    config.kube.clusters = {{"default", cluster_ + "/admin.kubeconfig"}};
    config.kube.edge_taints["default"] = DefaultEdgeTaint();
    config.kube.resync = milliseconds(250);
    config.kube.drain_timeout = drain_timeout_;
    coord_ = std::make_unique<coordinator::Coordinator>(config, *store_, SystemClock::Instance(),
                                                        SecureRandom::Instance());
    Status st = coord_->Init();
    ASSERT_TRUE(st.ok()) << st.ToString();
    if (!store_->FindAccountByEmail("admin@example.com").ok()) {
      ASSERT_TRUE(store_
                      ->CreateAccount({AccountId("acc_admin"), "admin@example.com", "h",
                                       store::Role::kAdmin, SystemClock::Instance().Now()})
                      .ok());
    }
  }

  // Enrolls a worker through the store (as the enroll handler does) and attaches it.
  DeviceId Enroll(const std::string& inventory_json = GpuInventory()) {
    Random& random = SecureRandom::Instance();
    const Timestamp now = SystemClock::Instance().Now();
    store::InstallKeyRecord k;
    k.id = InstallKeyId(NewRandomId(kInstallKeyPrefix, random));
    k.owner_id = AccountId("acc_admin");
    k.key_hash = k.id.str();
    k.hint = "w";
    k.created_at = now;
    k.expires_at = now + seconds(3600);
    EXPECT_TRUE(store_->CreateInstallKey(k).ok());
    store::Device d;
    d.id = DeviceId(NewRandomId(kDevicePrefix, random));
    d.name = "worker";
    d.role = "worker";
    d.credential_hash = d.id.str();
    d.wg_public_key = WgPrivateKey::Generate().Public().ToString();
    d.identity_public_key = "ed25519:x";
    d.inventory_json = inventory_json;
    d.enrolled_at = d.last_seen = now;
    EXPECT_TRUE(store_->EnrollDevice(k.key_hash, now, d).ok());
    EXPECT_TRUE(coord_->network().Attach(d.id).ok());
    return d.id;
  }

  store::Device Device(const DeviceId& id) { return store_->GetDevice(id).value(); }

  // The join the device's config carries, once the controller issued it.
  api::KubeJoin WaitForJoin(const DeviceId& id) {
    std::optional<api::KubeJoin> join;
    EXPECT_TRUE(Eventually(
        [&] {
          auto j = coord_->kube()->JoinFor(Device(id));
          if (j.ok() && j->has_value()) join = **j;
          return join.has_value();
        },
        seconds(20)))
        << "no join parameters for " << id;
    return join.value_or(api::KubeJoin{});
  }

  // A kubelet registering: the Node with kubelet labels and capacity, nothing of Hearth's.
  void RegisterNode(const std::string& name) {
    nlohmann::json node = {
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata",
         {{"name", name},
          {"labels",
           {{"kubernetes.io/hostname", name},
            {"kubernetes.io/os", "linux"},
            {"kubernetes.io/arch", "amd64"},
            {"hearth.test/kubelet", "kwok"}}}}},
        {"status",
         {{"capacity",
           {{"cpu", "16"}, {"memory", "64Gi"}, {"pods", "110"}, {"nvidia.com/gpu", "2"}}},
          {"allocatable",
           {{"cpu", "16"}, {"memory", "64Gi"}, {"pods", "110"}, {"nvidia.com/gpu", "2"}}}}}};
    auto r = kube_->Create("/api/v1/nodes", node);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    nodes_.insert(name);
  }

  nlohmann::json GetNode(const std::string& name) {
    auto n = kube_->Get("/api/v1/nodes/" + name);
    return n.ok() ? *n : nlohmann::json();
  }
  bool NodeExists(const std::string& name) {
    return kube_->Get("/api/v1/nodes/" + name).status().code() != Code::kNotFound;
  }

  // A Deployment of an Akash lease's pods that may run on the edge nodes of `devices` (found by
  // the labels Hearth puts on them; other tests' nodes are left out).
  void CreateDeployment(const std::string& name, int replicas, const std::string& dseq,
                        const std::vector<DeviceId>& devices) {
    nlohmann::json ids = nlohmann::json::array();
    for (const DeviceId& d : devices) ids.push_back(d.str());
    const nlohmann::json labels = {{"app", name},
                                   {"akash.network", "true"},
                                   {"akash.network/lease.id.owner", "akash1tenant"},
                                   {"akash.network/lease.id.dseq", dseq},
                                   {"akash.network/lease.id.gseq", "1"},
                                   {"akash.network/lease.id.oseq", "1"},
                                   {"akash.network/lease.id.provider", "akash1provider"},
                                   {"akash.network/manifest-service", "web"}};
    nlohmann::json d = {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", {{"name", name}, {"namespace", ns_}}},
        {"spec",
         {{"replicas", replicas},
          {"selector", {{"matchLabels", {{"app", name}}}}},
          {"template",
           {{"metadata", {{"labels", labels}}},
            {"spec",
             {{"nodeSelector", {{"hearth.dev/edge", "true"}}},
              {"affinity",
               {{"nodeAffinity",
                 {{"requiredDuringSchedulingIgnoredDuringExecution",
                   {{"nodeSelectorTerms",
                     {{{"matchExpressions",
                        {{{"key", "hearth.dev/device"},
                          {"operator", "In"},
                          {"values", ids}}}}}}}}}}}}},
              {"tolerations",
               {{{"key", "hearth.dev/edge"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}}},
              {"containers",
               {{{"name", "web"},
                 {"image", "nginx"},
                 {"resources", {{"requests", {{"cpu", "500m"}, {"memory", "256Mi"}}}}}}}}}}}}}}};
    auto r = kube_->Create("/apis/apps/v1/namespaces/" + ns_ + "/deployments", d);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // Running pods of the namespace: name → node.
  std::map<std::string, std::string> RunningPods(const std::string& app) {
    std::map<std::string, std::string> out;
    auto list = kube_->Get("/api/v1/namespaces/" + ns_ + "/pods?labelSelector=app%3D" + app);
    if (!list.ok()) return out;
    for (const auto& p : (*list)["items"]) {
      if (p["status"].value("phase", "") != "Running") continue;
      if (p["metadata"].contains("deletionTimestamp")) continue;
      out[p["metadata"]["name"]] = p["spec"].value("nodeName", "");
    }
    return out;
  }

  nlohmann::json K8sJson(const DeviceId& id) {
    return nlohmann::json::parse(Device(id).k8s_json, nullptr, false);
  }

  std::string cluster_, dir_, ns_, server_;
  Duration drain_timeout_ = seconds(60);
  std::unique_ptr<RestClient> kube_;
  store::StorePtr store_;
  std::unique_ptr<coordinator::Coordinator> coord_;
  std::set<std::string> nodes_;
};

TEST_F(KubeNodesTest, JoinTokenThenLabelsTaintsAndPodCidrWithinFiveSecondsOfRegistration) {
  const DeviceId id = Enroll();
  const api::KubeJoin join = WaitForJoin(id);
  const store::Device d = Device(id);
  EXPECT_EQ(join.node_name, NodeName(id, 1));
  EXPECT_EQ(join.node_ip, d.overlay_ip);
  EXPECT_EQ(join.pod_cidr, d.pod_cidr);
  EXPECT_EQ(join.server, server_);  // the region has no kube_api_endpoint: the kubeconfig's
  EXPECT_EQ(join.taints, std::vector<std::string>{"hearth.dev/edge=true:NoSchedule"});
  EXPECT_EQ(join.labels.at("akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090"), "2");
  // The token is a real bootstrap token Secret of the cluster, with the cluster's CA hash.
  const std::string ca_hash = CaBundleHash(kube_->ca_pem());
  ASSERT_EQ(join.token.rfind("K10" + ca_hash + "::", 0), 0u) << join.token;
  const std::string token_id = join.token.substr(join.token.find("::") + 2, 6);
  auto secret = kube_->Get("/api/v1/namespaces/kube-system/secrets/bootstrap-token-" + token_id);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ((*secret)["type"], "bootstrap.kubernetes.io/token");
  // Issued, not registered yet.
  EXPECT_TRUE(Eventually([&] { return Device(id).k8s_state == "missing"; }, seconds(5)));

  const auto registered = std::chrono::steady_clock::now();
  RegisterNode(join.node_name);
  nlohmann::json node;
  ASSERT_TRUE(Eventually(
      [&] {
        node = GetNode(join.node_name);
        const auto& labels = node["metadata"].value("labels", nlohmann::json::object());
        return labels.value("hearth.dev/device", "") == id.str() &&
               node["spec"].value("podCIDR", "") == d.pod_cidr && node["spec"].contains("taints");
      },
      seconds(5)))
      << "labels, taints and podCIDR were not applied within 5 s: " << node.dump();
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - registered);
  std::printf("labels/taints/podCIDR applied %lld ms after registration\n",
              static_cast<long long>(took.count()));
  const auto& labels = node["metadata"]["labels"];
  EXPECT_EQ(labels["hearth.dev/region"], "default");
  EXPECT_EQ(labels["hearth.dev/edge"], "true");
  EXPECT_EQ(labels["nvidia.com/gpu.present"], "true");
  EXPECT_EQ(labels["akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090"], "2");
  EXPECT_EQ(labels["akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090.ram.24Gi"], "2");
  EXPECT_EQ(labels["akash.network/capabilities.gpu.vendor.nvidia.model.rtx3090.interface.pcie"],
            "2");
  EXPECT_EQ(labels["kubernetes.io/hostname"], join.node_name);  // the kubelet's stay
  bool edge_taint = false;
  for (const auto& t : node["spec"]["taints"]) {
    if (t["key"] == "hearth.dev/edge") edge_taint = t["effect"] == "NoSchedule";
  }
  EXPECT_TRUE(edge_taint) << node["spec"].dump();
  EXPECT_EQ(node["spec"]["podCIDRs"], nlohmann::json::array({d.pod_cidr}));

  // Ready (kwok) is reflected on the device with the node's facts. (Ready may first be written
  // from the Node as kwok saw it before our patch; the next reconcile writes the podCIDR.)
  ASSERT_TRUE(Eventually(
      [&] {
        const nlohmann::json k = K8sJson(id);
        return Device(id).k8s_state == "ready" && k.is_object() &&
               k.value("pod_cidr", "") == d.pod_cidr;
      },
      seconds(20)))
      << Device(id).k8s_json;
  const nlohmann::json k8s = K8sJson(id);
  EXPECT_EQ(k8s["node"], join.node_name);
  EXPECT_EQ(k8s["capacity"]["nvidia.com/gpu"], "2");
  EXPECT_EQ(k8s["pod_cidr"], d.pod_cidr);
  const nlohmann::json dev =
      api::EncodeDevice(Device(id), SystemClock::Instance().Now(), api::LivenessPolicy{});
  EXPECT_EQ(dev["k8s"]["state"], "ready");
  EXPECT_FALSE(dev["k8s"].contains("mismatch")) << dev["k8s"].dump();
}

TEST_F(KubeNodesTest, NotReadyNodeIsReflectedOnTheOnlineDeviceAsAMismatch) {
  const DeviceId id = Enroll("{}");
  const api::KubeJoin join = WaitForJoin(id);
  RegisterNode(join.node_name);
  ASSERT_TRUE(Eventually([&] { return Device(id).k8s_state == "ready"; }, seconds(20)));
  // The kubelet dies: kwok stops renewing the lease; the node lifecycle controller marks the
  // node NotReady (Unknown) after its grace period.
  ASSERT_TRUE(kube_
                  ->Patch("/api/v1/nodes/" + join.node_name, PatchType::kMerge,
                          {{"metadata", {{"labels", {{"hearth.test/kubelet", nullptr}}}}}})
                  .ok());
  // The device keeps heartbeating meanwhile.
  std::atomic<bool> beating{true};
  std::thread heart([&] {
    while (beating) {
      store::Heartbeat hb;
      hb.at = SystemClock::Instance().Now();
      hb.payload_json = "{}";
      (void)store_->RecordHeartbeat(id, hb);
      std::this_thread::sleep_for(milliseconds(500));
    }
  });
  const bool notready = Eventually([&] { return Device(id).k8s_state == "notready"; }, seconds(90));
  beating = false;
  heart.join();
  ASSERT_TRUE(notready) << K8sJson(id).dump();
  const nlohmann::json dev =
      api::EncodeDevice(Device(id), SystemClock::Instance().Now(), api::LivenessPolicy{});
  EXPECT_EQ(dev["status"], "online");
  EXPECT_EQ(dev["k8s"]["state"], "notready");
  EXPECT_EQ(dev["k8s"]["ready"]["reason"], "NodeStatusUnknown") << dev["k8s"].dump();
  ASSERT_TRUE(dev["k8s"].contains("mismatch")) << dev["k8s"].dump();
  EXPECT_NE(dev["k8s"]["mismatch"].get<std::string>().find("NotReady"), std::string::npos);
  EXPECT_GE(dev["k8s"].value("lease_age_seconds", -1), 0) << dev["k8s"].dump();
}

TEST_F(KubeNodesTest, RemovalDrainsPodsToAnotherNodeDeletesTheNodeAndRevokesTheToken) {
  const DeviceId a = Enroll(), b = Enroll();
  const api::KubeJoin ja = WaitForJoin(a), jb = WaitForJoin(b);
  RegisterNode(ja.node_name);
  RegisterNode(jb.node_name);
  ASSERT_TRUE(
      Eventually([&] { return Device(a).k8s_state == "ready" && Device(b).k8s_state == "ready"; },
                 seconds(20)));
  // Keep b out of the first placement so that every pod starts on a.
  ASSERT_TRUE(store_->SetAdminState(b, "cordoned", "test", SystemClock::Instance().Now()).ok());
  ASSERT_TRUE(Eventually(
      [&] { return GetNode(jb.node_name)["spec"].value("unschedulable", false); }, seconds(10)));
  CreateDeployment("web", 3, "100", {a, b});
  std::map<std::string, std::string> before;
  ASSERT_TRUE(Eventually(
      [&] {
        before = RunningPods("web");
        return before.size() == 3;
      },
      seconds(60)));
  for (const auto& [pod, node] : before) EXPECT_EQ(node, ja.node_name) << pod;
  // Attribution has recorded them on a.
  ASSERT_TRUE(Eventually(
      [&] {
        auto runs = store_->ListPodRuns(SystemClock::Instance().Now() - seconds(600),
                                        SystemClock::Instance().Now() + seconds(1));
        return runs.ok() && runs->size() == 3;
      },
      seconds(20)));

  ASSERT_TRUE(store_->SetAdminState(b, "active", "", SystemClock::Instance().Now()).ok());
  ASSERT_TRUE(coord_->network().Remove(a).ok());  // what DELETE /v1/devices/{id} does

  // a's pods are evicted and the ReplicaSet's replacements run on b; a's node is deleted and
  // its token revoked; the identity is retired.
  std::map<std::string, std::string> after;
  ASSERT_TRUE(Eventually(
      [&] {
        after = RunningPods("web");
        if (after.size() != 3) return false;
        for (const auto& [pod, node] : after) {
          if (node != jb.node_name) return false;
        }
        return true;
      },
      seconds(60)))
      << K8sJson(a).dump();
  for (const auto& [pod, node] : before) EXPECT_EQ(after.count(pod), 0u) << pod << " survived";
  ASSERT_TRUE(Eventually([&] { return !NodeExists(ja.node_name); }, seconds(30)));
  const std::string token_id = ja.token.substr(ja.token.find("::") + 2, 6);
  ASSERT_TRUE(Eventually(
      [&] {
        auto row = store_->GetKubeNode(a);
        return row.ok() && *row && (*row)->retired_at.has_value();
      },
      seconds(20)));
  EXPECT_EQ(kube_->Get("/api/v1/namespaces/kube-system/secrets/bootstrap-token-" + token_id)
                .status()
                .code(),
            Code::kNotFound);
  const nlohmann::json k8s = K8sJson(a);
  EXPECT_EQ(Device(a).k8s_state, "");
  EXPECT_EQ(k8s["drain"]["state"], "done") << k8s.dump();
  EXPECT_EQ(k8s["drain"]["evicted"].size(), 3u) << k8s.dump();

  // Attribution records match what the scheduler placed: the three on a (stopped), the three
  // replacements on b (running).
  const Timestamp now = SystemClock::Instance().Now();
  std::vector<store::PodRun> runs;
  ASSERT_TRUE(Eventually(
      [&] {
        runs = store_->ListPodRuns(now - seconds(600), now + seconds(1)).value();
        int stopped_on_a = 0, running_on_b = 0;
        for (const auto& r : runs) {
          if (r.device_id == a && r.stopped_at) ++stopped_on_a;
          if (r.device_id == b && !r.stopped_at) ++running_on_b;
        }
        return runs.size() == 6 && stopped_on_a == 3 && running_on_b == 3;
      },
      seconds(20)));
  for (const auto& r : runs) {
    const bool on_a = before.count(r.name) != 0, on_b = after.count(r.name) != 0;
    EXPECT_TRUE(on_a || on_b) << r.name;
    EXPECT_EQ(r.node_name, on_a ? ja.node_name : jb.node_name) << r.name;
    EXPECT_EQ(r.device_id, on_a ? a : b) << r.name;
    EXPECT_EQ(r.lease_id, "akash1tenant/100/1/1/akash1provider");
    EXPECT_EQ(r.cpu_millis, 500);
    EXPECT_EQ(r.memory_bytes, int64_t{256} << 20);
  }
  const auto shares = SharesOf(runs, now - seconds(600), now + seconds(1), {});
  ASSERT_EQ(shares.size(), 1u);
  ASSERT_EQ(shares[0].devices.size(), 2u);
  int64_t ppm = 0;
  for (const auto& s : shares[0].devices) ppm += s.share_ppm;
  EXPECT_EQ(ppm, kShareScale);
}

TEST_F(KubeNodesTest, DrainRespectsADisruptionBudgetReportsWhatItCouldNotEvictAndResumes) {
  drain_timeout_ = seconds(15);
  StartCoordinator();
  const DeviceId a = Enroll(), b = Enroll();
  const api::KubeJoin ja = WaitForJoin(a), jb = WaitForJoin(b);
  RegisterNode(ja.node_name);
  RegisterNode(jb.node_name);
  ASSERT_TRUE(
      Eventually([&] { return Device(a).k8s_state == "ready" && Device(b).k8s_state == "ready"; },
                 seconds(20)));
  ASSERT_TRUE(store_->SetAdminState(b, "cordoned", "test", SystemClock::Instance().Now()).ok());
  ASSERT_TRUE(Eventually(
      [&] { return GetNode(jb.node_name)["spec"].value("unschedulable", false); }, seconds(10)));
  CreateDeployment("db", 2, "200", {a, b});
  ASSERT_TRUE(Eventually([&] { return RunningPods("db").size() == 2; }, seconds(60)));
  // No voluntary disruption allowed: both replicas must stay available.
  nlohmann::json pdb = {
      {"apiVersion", "policy/v1"},
      {"kind", "PodDisruptionBudget"},
      {"metadata", {{"name", "db"}, {"namespace", ns_}}},
      {"spec", {{"minAvailable", 2}, {"selector", {{"matchLabels", {{"app", "db"}}}}}}}};
  ASSERT_TRUE(
      kube_->Create("/apis/policy/v1/namespaces/" + ns_ + "/poddisruptionbudgets", pdb).ok());
  ASSERT_TRUE(Eventually(
      [&] {
        auto p = kube_->Get("/apis/policy/v1/namespaces/" + ns_ + "/poddisruptionbudgets/db");
        return p.ok() && (*p)["status"].value("currentHealthy", 0) == 2;
      },
      seconds(30)));
  ASSERT_TRUE(store_->SetAdminState(b, "active", "", SystemClock::Instance().Now()).ok());
  ASSERT_TRUE(
      store_->SetAdminState(a, "drained", "maintenance", SystemClock::Instance().Now()).ok());

  // Refused evictions are retried, and reported with the apiserver's reason...
  ASSERT_TRUE(Eventually(
      [&] {
        const nlohmann::json k8s = K8sJson(a);
        return k8s.contains("drain") && k8s["drain"]["not_evicted"].size() == 2 &&
               k8s["drain"].value("attempts", 0) >= 4;
      },
      seconds(20)))
      << K8sJson(a).dump();
  const std::string started = K8sJson(a)["drain"]["started_at"];
  // ...across a coordinator restart (the drain resumes with its start and timeout)...
  StartCoordinator();
  ASSERT_TRUE(Eventually(
      [&] {
        const nlohmann::json k8s = K8sJson(a);
        return k8s.contains("drain") && k8s["drain"].value("state", "") == "timed_out";
      },
      seconds(30)))
      << K8sJson(a).dump();
  nlohmann::json k8s = K8sJson(a);
  EXPECT_EQ(k8s["drain"]["started_at"], started);
  ASSERT_EQ(k8s["drain"]["not_evicted"].size(), 2u) << k8s.dump();
  for (const auto& left : k8s["drain"]["not_evicted"]) {
    EXPECT_NE(left["reason"].get<std::string>().find("disruption budget"), std::string::npos)
        << left.dump();
  }
  EXPECT_TRUE(k8s["drain"]["evicted"].empty());
  // ...and nothing was evicted: both pods still run on a, which stays (drained, not deleted).
  const auto pods = RunningPods("db");
  ASSERT_EQ(pods.size(), 2u);
  for (const auto& [pod, node] : pods) EXPECT_EQ(node, ja.node_name) << pod;
  EXPECT_TRUE(NodeExists(ja.node_name));
  EXPECT_TRUE(GetNode(ja.node_name)["spec"].value("unschedulable", false));

  // Once the budget allows one disruption, a new drain moves the pods one at a time.
  ASSERT_TRUE(kube_
                  ->Patch("/apis/policy/v1/namespaces/" + ns_ + "/poddisruptionbudgets/db",
                          PatchType::kMerge, {{"spec", {{"minAvailable", 1}}}})
                  .ok());
  ASSERT_TRUE(store_->SetAdminState(a, "drained", "again", SystemClock::Instance().Now()).ok());
  ASSERT_TRUE(Eventually(
      [&] {
        const auto p = RunningPods("db");
        if (p.size() != 2) return false;
        for (const auto& [pod, node] : p) {
          if (node != jb.node_name) return false;
        }
        const nlohmann::json now = K8sJson(a);
        return now.contains("drain") && now["drain"].value("state", "") == "done";
      },
      seconds(60)))
      << K8sJson(a).dump();
  EXPECT_EQ(K8sJson(a)["drain"]["evicted"].size(), 2u);
  EXPECT_TRUE(NodeExists(ja.node_name));  // drained is maintenance: the node stays
}

TEST_F(KubeNodesTest, BanDeletesTheNodeAndUnbanOrReEnrollGetsAFreshNodeIdentity) {
  const DeviceId id = Enroll();
  const api::KubeJoin first = WaitForJoin(id);
  RegisterNode(first.node_name);
  ASSERT_TRUE(Eventually([&] { return Device(id).k8s_state == "ready"; }, seconds(20)));
  const int64_t version = Device(id).config_version;

  ASSERT_TRUE(store_->SetAdminState(id, "banned", "abuse", SystemClock::Instance().Now()).ok());
  ASSERT_TRUE(Eventually([&] { return !NodeExists(first.node_name); }, seconds(30)));
  ASSERT_TRUE(Eventually(
      [&] {
        auto row = store_->GetKubeNode(id);
        return row.ok() && *row && (*row)->retired_at.has_value();
      },
      seconds(20)));
  EXPECT_FALSE(coord_->kube()->JoinFor(Device(id)).value().has_value());
  EXPECT_GT(Device(id).config_version, version);  // the agent learns the join is gone
  const std::string token_id = first.token.substr(first.token.find("::") + 2, 6);
  EXPECT_EQ(kube_->Get("/api/v1/namespaces/kube-system/secrets/bootstrap-token-" + token_id)
                .status()
                .code(),
            Code::kNotFound);

  // Unbanned, the same device joins again under the next generation, with a new token.
  ASSERT_TRUE(store_->SetAdminState(id, "active", "", SystemClock::Instance().Now()).ok());
  const api::KubeJoin second = WaitForJoin(id);
  EXPECT_EQ(second.node_name, NodeName(id, 2));
  EXPECT_NE(second.node_name, first.node_name);
  EXPECT_NE(second.token, first.token);

  // The same machine enrolling again is a new device, hence a new node name too.
  const DeviceId again = Enroll();
  const api::KubeJoin third = WaitForJoin(again);
  EXPECT_NE(third.node_name, first.node_name);
  EXPECT_NE(third.node_name, second.node_name);
}

}  // namespace
}  // namespace hearth::kube
