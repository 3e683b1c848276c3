// kube_load: Kubernetes numbers for a coordinator bound to a real cluster (run by bench/kube/run,
// which starts the tests/k8s control plane and `hearth serve --kubeconfig default=...`).
//
//   --mode nodes   N workers enroll over HTTP and fetch their config (the join parameters), then
//                  N Nodes register at once as kubelets would (kwok keeps them Ready); reports the
//                  time until the coordinator has labelled, tainted and given a podCIDR to every
//                  one, and until every device shows k8s ready.
//   --mode spread  G gateways and N workers enroll, their Nodes register; then a Deployment of P
//                  pods (default scheduler, nodeSelector hearth.dev/edge=true) is created and the
//                  pods per node (min, max, stddev) and per home gateway are reported once all run.
// Prints one JSON object on stdout (progress on stderr).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/inventory/inventory.h"
#include "api/device_auth.h"
#include "common/flags.h"
#include "common/keys.h"
#include "common/random.h"
#include "coordinator/kube/kubeconfig.h"
#include "coordinator/kube/rest_client.h"
#include "http/client.h"

namespace hearth {
namespace {

using Steady = std::chrono::steady_clock;

double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

struct Enrolled {
  std::string id, credential, role, node_name;
  std::optional<IdentityPrivateKey> identity;  // set at enrollment
};

// Enrolls `n` devices of `role` over `threads` connections; returns them in order.
StatusOr<std::vector<Enrolled>> EnrollMany(const std::string& url, http::Client& admin,
                                           const nlohmann::json& inventory, int64_t n,
                                           const std::string& role, int64_t threads) {
  std::vector<Enrolled> out(static_cast<size_t>(n));
  std::vector<nlohmann::json> bodies;
  for (int64_t i = 0; i < n; ++i) {
    out[static_cast<size_t>(i)].identity = IdentityPrivateKey::Generate();
    out[static_cast<size_t>(i)].role = role;
    auto k = admin.PostJson("/v1/install-keys", nlohmann::json::object());
    if (!k.ok() || k->status != 201) return Status::Unavailable("creating an install key failed");
    nlohmann::json b = {
        {"install_key", k->Json()["key"]},
        {"hostname", role + "-" + std::to_string(i)},
        {"agent_version", "kube-load"},
        {"wg_public_key", WgPrivateKey::Generate().Public().ToString()},
        {"identity_public_key", out[static_cast<size_t>(i)].identity->Public().ToString()},
        {"inventory", inventory},
        {"role", role}};
    if (role == "gateway") b["endpoint"] = "203.0.113." + std::to_string(i + 1) + ":51820";
    bodies.push_back(std::move(b));
  }
  std::atomic<int64_t> next{0}, failures{0};
  std::vector<std::thread> workers;
  for (int64_t t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto c = http::Client::Create(url).value();
      for (int64_t i; (i = next++) < n;) {
        auto r = c->PostJson("/v1/enroll", bodies[static_cast<size_t>(i)]);
        if (!r.ok() || r->status != 201) {
          ++failures;
          continue;
        }
        const auto j = r->Json();
        out[static_cast<size_t>(i)].id = j["device_id"];
        out[static_cast<size_t>(i)].credential = j["credential"];
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failures > 0)
    return Status::Unavailable(std::to_string(failures.load()) + " enrollments failed");
  return out;
}

// Fetches each worker's config until it carries the join parameters; fills node_name.
Status FetchJoins(const std::string& url, std::vector<Enrolled>& devices, int64_t threads,
                  Duration timeout) {
  std::atomic<size_t> next{0};
  std::atomic<int64_t> missing{0};
  std::vector<std::thread> workers;
  const auto deadline = Steady::now() + timeout;
  for (int64_t t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto c = http::Client::Create(url).value();
      for (size_t i; (i = next++) < devices.size();) {
        Enrolled& d = devices[i];
        if (d.role != "worker") continue;
        while (d.node_name.empty() && Steady::now() < deadline) {
          const std::string path = "/v1/devices/" + d.id + "/config";
          auto headers =
              api::SignDeviceRequest(*d.identity, "GET", path, "", SystemClock::Instance().Now());
          headers.emplace_back("Authorization", "Bearer " + d.credential);
          auto r = c->Do("GET", path + "?since=0&wait=0", "", headers);
          if (r.ok() && r->status == 200) {
            const auto j = r->Json();
            if (j.contains("kubernetes")) {
              d.node_name = j["kubernetes"]["node_name"];
              break;
            }
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        if (d.node_name.empty()) ++missing;
      }
    });
  }
  for (auto& w : workers) w.join();
  if (missing > 0)
    return Status::Unavailable(std::to_string(missing.load()) + " workers got no join");
  return Status::Ok();
}

// POSTs the Nodes as kubelets register them (kwok plays the kubelets).
Status RegisterNodes(kube::Client& k, const std::vector<Enrolled>& devices) {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = 0, failed = 0;
  for (const Enrolled& d : devices) {
    if (d.node_name.empty()) continue;
    kube::Request r;
    r.method = "POST";
    r.path = "/api/v1/nodes";
    r.body =
        nlohmann::json{{"apiVersion", "v1"},
                       {"kind", "Node"},
                       {"metadata",
                        {{"name", d.node_name},
                         {"labels",
                          {{"kubernetes.io/hostname", d.node_name},
                           {"kubernetes.io/os", "linux"},
                           {"hearth.test/kubelet", "kwok"}}}}},
                       {"status",
                        {{"capacity", {{"cpu", "16"}, {"memory", "64Gi"}, {"pods", "110"}}},
                         {"allocatable", {{"cpu", "16"}, {"memory", "64Gi"}, {"pods", "110"}}}}}}
            .dump();
    r.timeout = std::chrono::seconds(60);
    {
      std::lock_guard<std::mutex> lock(mu);
      ++pending;
    }
    k.Send(std::move(r), [&](StatusOr<kube::Response> resp) {
      std::lock_guard<std::mutex> lock(mu);
      if (!resp.ok() || resp->status != 201) ++failed;
      --pending;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return pending == 0; });
  if (failed > 0) return Status::Unavailable(std::to_string(failed) + " nodes failed to register");
  return Status::Ok();
}

// Nodes that carry the coordinator's labels, podCIDR and edge taint.
size_t Labelled(kube::Client& k, const std::string& selector) {
  auto list = k.Get("/api/v1/nodes?labelSelector=" + kube::QueryEscape(selector));
  if (!list.ok()) return 0;
  size_t n = 0;
  for (const auto& node : (*list)["items"]) {
    const auto& spec = node["spec"];
    if (!spec.contains("podCIDR")) continue;
    bool tainted = false;
    for (const auto& t : spec.value("taints", nlohmann::json::array())) {
      if (t.value("key", "") == "hearth.dev/edge") tainted = true;
    }
    if (tainted) ++n;
  }
  return n;
}

// Every device, page by page (the admin list pages at 500).
std::vector<nlohmann::json> AllDevices(http::Client& admin) {
  std::vector<nlohmann::json> out;
  for (int64_t offset = 0;; offset += 500) {
    auto r = admin.Get("/v1/admin/devices?limit=500&offset=" + std::to_string(offset));
    if (!r.ok() || r->status != 200) return out;
    const auto j = r->Json();
    for (const auto& d : j["devices"]) out.push_back(d);
    if (static_cast<int64_t>(out.size()) >= j["total"].get<int64_t>() || j["devices"].empty()) {
      return out;
    }
  }
}

size_t ReadyDevices(http::Client& admin) {
  size_t n = 0;
  for (const auto& d : AllDevices(admin)) {
    if (d.contains("k8s") && d["k8s"].value("state", "") == "ready") ++n;
  }
  return n;
}

int Main(int argc, char** argv) {
  std::string url = "http://127.0.0.1:8080", kubeconfig, mode = "nodes", ns = "kube-load";
  std::string fixture = "tests/fixtures/hosts/cpu-only", email, password;
  int64_t nodes = 1000, gateways = 3, pods = 1000, threads = 4;
  Duration timeout = std::chrono::minutes(10);
  FlagSet flags("kube_load [FLAGS]",
                "Kubernetes node and scheduling numbers (see bench/kube/run).");
  flags.String("coordinator", &url, "Coordinator URL.");
  flags.String("kubeconfig", &kubeconfig, "Kubeconfig of the cluster the coordinator manages.");
  flags.String("mode", &mode, "nodes or spread.");
  flags.String("admin-email", &email, "The coordinator's admin.");
  flags.String("admin-password", &password, "The admin's password.");
  flags.String("fixture", &fixture, "Fixture host whose inventory the workers report.");
  flags.String("namespace", &ns, "Namespace of the spread Deployment.");
  flags.Int("nodes", &nodes, "Workers (and Nodes).", 1, 100000);
  flags.Int("gateways", &gateways, "Gateways (spread).", 0, 100);
  flags.Int("pods", &pods, "Deployment replicas (spread).", 1, 1000000);
  flags.Int("threads", &threads, "Concurrent HTTP connections.", 1, 64);
  flags.Dur("timeout", &timeout, "Give up waiting after this long.");
  auto rest = flags.Parse(std::vector<std::string>(argv + 1, argv + argc));
  if (!rest.ok() || flags.help_requested()) {
    std::cerr << (rest.ok() ? flags.Help() : rest.status().ToString() + "\n");
    return rest.ok() ? 0 : 2;
  }
  auto inv = agent::CollectInventory(
      {fixture + "/sys", fixture + "/proc", fixture + "/etc", /*nvidia_smi=*/""});
  if (!inv.ok()) {
    std::cerr << "inventory: " << inv.status().ToString() << "\n";
    return 1;
  }
  auto cfg = kube::LoadKubeConfig(kubeconfig);
  if (!cfg.ok()) {
    std::cerr << "--kubeconfig: " << cfg.status().ToString() << "\n";
    return 2;
  }
  auto k = kube::RestClient::Create(*cfg).value();
  auto admin = http::Client::Create(url).value();
  auto session = admin->PostJson("/v1/sessions", {{"email", email}, {"password", password}});
  if (!session.ok() || session->status != 201) {
    std::cerr << "admin sign-in failed\n";
    return 1;
  }
  admin->SetBearer(session->Json()["token"].get<std::string>());
  const nlohmann::json inventory = agent::InventoryToJson(*inv);
  nlohmann::json out = {{"mode", mode}, {"nodes", nodes}};

  std::vector<Enrolled> all;
  if (mode == "spread" && gateways > 0) {
    auto g = EnrollMany(url, *admin, inventory, gateways, "gateway", threads);
    if (!g.ok()) {
      std::cerr << "gateways: " << g.status().ToString() << "\n";
      return 1;
    }
    all = std::move(*g);
  }
  auto t0 = Steady::now();
  auto w = EnrollMany(url, *admin, inventory, nodes, "worker", threads);
  if (!w.ok()) {
    std::cerr << "workers: " << w.status().ToString() << "\n";
    return 1;
  }
  out["enroll_seconds"] = Since(t0);
  t0 = Steady::now();
  if (Status st = FetchJoins(url, *w, threads, timeout); !st.ok()) {
    std::cerr << "joins: " << st.ToString() << "\n";
    return 1;
  }
  out["join_seconds"] = Since(t0);
  std::cerr << "enrolled " << nodes << " workers; every config carries its join\n";

  t0 = Steady::now();
  if (Status st = RegisterNodes(*k, *w); !st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 1;
  }
  out["register_seconds"] = Since(t0);
  size_t labelled = 0;
  while ((labelled = Labelled(*k, "hearth.dev/edge=true,hearth.test/kubelet=kwok")) <
             static_cast<size_t>(nodes) &&
         Since(t0) < std::chrono::duration<double>(timeout).count()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  out["labelled"] = labelled;
  out["all_labelled_seconds"] = Since(t0);
  std::cerr << labelled << " nodes labelled after " << Since(t0) << " s\n";
  size_t ready = 0;
  while ((ready = ReadyDevices(*admin)) < static_cast<size_t>(nodes) &&
         Since(t0) < std::chrono::duration<double>(timeout).count()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  out["devices_ready"] = ready;
  out["all_ready_seconds"] = Since(t0);

  if (mode == "spread") {
    (void)k->Create("/api/v1/namespaces",
                    {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
    nlohmann::json d = {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", {{"name", "spread"}, {"namespace", ns}}},
        {"spec",
         {{"replicas", pods},
          {"selector", {{"matchLabels", {{"app", "spread"}}}}},
          {"template",
           {{"metadata", {{"labels", {{"app", "spread"}}}}},
            {"spec",
             {{"nodeSelector", {{"hearth.dev/edge", "true"}}},
              {"tolerations",
               {{{"key", "hearth.dev/edge"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}}},
              {"containers",
               {{{"name", "app"},
                 {"image", "nginx"},
                 {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}}}}}}}}}}}}};
    t0 = Steady::now();
    auto created = k->Create("/apis/apps/v1/namespaces/" + ns + "/deployments", d);
    if (!created.ok()) {
      std::cerr << "deployment: " << created.status().ToString() << "\n";
      return 1;
    }
    std::map<std::string, int> per_node;
    size_t running = 0;
    while (Since(t0) < std::chrono::duration<double>(timeout).count()) {
      per_node.clear();
      running = 0;
      std::string cont;
      do {
        auto list = k->Get("/api/v1/namespaces/" + ns + "/pods?limit=500" +
                           (cont.empty() ? "" : "&continue=" + kube::QueryEscape(cont)));
        if (!list.ok()) break;
        for (const auto& p : (*list)["items"]) {
          if (p["status"].value("phase", "") != "Running") continue;
          ++running;
          ++per_node[p["spec"].value("nodeName", "")];
        }
        cont = (*list)["metadata"].value("continue", "");
      } while (!cont.empty());
      if (running >= static_cast<size_t>(pods)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    out["pods_running"] = running;
    out["all_running_seconds"] = Since(t0);
    // Every worker's node counts, including any the scheduler left empty.
    std::vector<double> counts;
    std::map<std::string, std::string> gateway_of;
    std::map<std::string, int> per_gateway;
    {
      for (const auto& dj : AllDevices(*admin)) {
        if (dj.value("role", "") != "worker") continue;
        const std::string node = dj["k8s"].value("node", "");
        const std::string gw = dj["network"].value("home_gateway", "");
        per_gateway[gw] += per_node.count(node) ? per_node[node] : 0;
        gateway_of[node] = gw;
      }
    }
    for (const Enrolled& e : *w) {
      counts.push_back(per_node.count(e.node_name) ? per_node[e.node_name] : 0);
    }
    double sum = 0, sq = 0;
    for (double c : counts) sum += c;
    const double mean = counts.empty() ? 0 : sum / static_cast<double>(counts.size());
    for (double c : counts) sq += (c - mean) * (c - mean);
    out["pods_per_node"] = {
        {"min", counts.empty() ? 0 : *std::min_element(counts.begin(), counts.end())},
        {"max", counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end())},
        {"mean", mean},
        {"stddev", counts.empty() ? 0 : std::sqrt(sq / static_cast<double>(counts.size()))}};
    std::map<std::string, int> workers_per_gateway;
    for (const auto& [node, gw] : gateway_of) ++workers_per_gateway[gw];
    out["workers_per_gateway"] = workers_per_gateway;
    out["pods_per_gateway"] = per_gateway;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace hearth

int main(int argc, char** argv) { return hearth::Main(argc, argv); }
