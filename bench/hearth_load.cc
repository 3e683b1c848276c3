// hearth_load: a load generator for one coordinator. It signs up an owner, enrolls N simulated
// devices over T connections (joins per second) and then sends heartbeats for those devices as
// fast as T connections allow for D seconds (requests per second, p50/p99 latency): plain, with
// the unchanged inventory, and with hardware that changes at every heartbeat.
// Run it with bench/run, which also starts the coordinator and measures an agent's memory.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "agent/inventory/inventory.h"
#include "api/device_auth.h"
#include "common/duration.h"
#include "common/flags.h"
#include "common/keys.h"
#include "common/random.h"
#include "http/client.h"

namespace hearth {
namespace {

struct Latencies {
  std::mutex mu;
  std::vector<double> ms;
  void Add(const std::vector<double>& v) {
    std::lock_guard<std::mutex> lock(mu);
    ms.insert(ms.end(), v.begin(), v.end());
  }
  double Pct(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  }
};

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

int Main(int argc, char** argv) {
  std::string url = "http://127.0.0.1:8080";
  std::string fixture = "tests/fixtures/hosts/rtx4090";
  int64_t devices = 200, threads = 2;
  Duration duration = std::chrono::seconds(10);
  FlagSet flags("hearth_load [FLAGS]", "Enrollment and heartbeat load against a coordinator.");
  flags.String("coordinator", &url, "Coordinator URL.");
  flags.String("fixture", &fixture, "Fixture host whose inventory the simulated devices report.");
  flags.Int("devices", &devices, "Simulated devices to enroll.", 1, 1'000'000);
  flags.Int("threads", &threads, "Concurrent connections.", 1, 256);
  flags.Dur("duration", &duration, "How long to send heartbeats.");
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
  const nlohmann::json inventory = agent::InventoryToJson(*inv);

  auto owner = http::Client::Create(url).value();
  const std::string email =
      "load-" + std::to_string(SecureRandom::Instance().Uniform(1'000'000'000)) + "@example.com";
  const nlohmann::json creds = {{"email", email}, {"password", "load-test-password"}};
  if (owner->PostJson("/v1/accounts", creds)->status != 201) {
    std::cerr << "sign-up failed\n";
    return 1;
  }
  owner->SetBearer(owner->PostJson("/v1/sessions", creds)->Json()["token"].get<std::string>());

  // Keys and bodies are prepared before timing: the clock measures the coordinator only.
  std::vector<nlohmann::json> bodies;
  std::vector<IdentityPrivateKey> identities;
  for (int64_t i = 0; i < devices; ++i) {
    identities.push_back(IdentityPrivateKey::Generate());
    auto k = owner->PostJson("/v1/install-keys", nlohmann::json::object());
    if (!k.ok() || k->status != 201) {
      std::cerr << "install key " << i << " failed\n";
      return 1;
    }
    bodies.push_back({{"install_key", k->Json()["key"]},
                      {"hostname", "load-" + std::to_string(i)},
                      {"agent_version", "load"},
                      {"wg_public_key", WgPrivateKey::Generate().Public().ToString()},
                      {"identity_public_key", identities.back().Public().ToString()},
                      {"inventory", inventory}});
  }

  struct Device {
    std::string id, credential;
  };
  std::vector<Device> enrolled(static_cast<size_t>(devices));
  std::atomic<int64_t> next{0}, failures{0};
  Latencies join_lat;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int64_t t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto c = http::Client::Create(url).value();
      std::vector<double> lat;
      for (int64_t i; (i = next++) < devices;) {
        const auto s = std::chrono::steady_clock::now();
        auto r = c->PostJson("/v1/enroll", bodies[static_cast<size_t>(i)]);
        lat.push_back(Since(s));
        if (!r.ok() || r->status != 201) {
          ++failures;
          continue;
        }
        const auto j = r->Json();
        enrolled[static_cast<size_t>(i)] = {j["device_id"], j["credential"]};
      }
      join_lat.Add(lat);
    });
  }
  for (auto& w : workers) w.join();
  const double join_secs = Since(t0) / 1000;
  std::printf(
      "enroll:    %lld devices in %.2fs = %.1f joins/s, p50 %.2f ms, p99 %.2f ms, %lld failed\n",
      static_cast<long long>(devices), join_secs, static_cast<double>(devices) / join_secs,
      join_lat.Pct(0.5), join_lat.Pct(0.99), static_cast<long long>(failures.load()));

  // Heartbeats, three ways, each for `duration`: plain; carrying the unchanged inventory (what
  // every agent sends once after it starts: parsed, compared, nothing written); and carrying an
  // inventory that differs every time (a GPU fitted, then taken out: a write and a hardware
  // change per heartbeat, the worst case).
  nlohmann::json upgraded = inventory;
  upgraded["gpus"].push_back({{"pci_address", "0000:21:00.0"},
                              {"vendor_id", "10de"},
                              {"device_id", "2204"},
                              {"vendor", "nvidia"},
                              {"model", "rtx3090"},
                              {"memory_size", "24Gi"}});
  nlohmann::json hb = {{"agent_version", "load"},
                       {"uptime_seconds", 100},
                       {"load1", 0.5},
                       {"load5", 0.4},
                       {"load15", 0.3}};
  const std::string plain = hb.dump();
  hb["inventory"] = inventory;
  const std::string same = hb.dump();
  hb["inventory"] = upgraded;
  const std::string changed = hb.dump();
  std::vector<std::atomic<uint32_t>> visits(enrolled.size());

  bool ok = true;
  auto heartbeats = [&](const char* label, const std::function<const std::string&(size_t)>& body) {
    std::vector<std::thread> senders;
    std::atomic<int64_t> sent{0}, failed{0};
    Latencies lat_all;
    const auto end = std::chrono::steady_clock::now() + duration;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t t = 0; t < threads; ++t) {
      senders.emplace_back([&, t] {
        auto c = http::Client::Create(url).value();
        std::vector<double> lat;
        for (size_t i = static_cast<size_t>(t); std::chrono::steady_clock::now() < end;
             i = (i + static_cast<size_t>(threads)) % enrolled.size()) {
          const Device& d = enrolled[i];
          if (d.id.empty()) continue;
          const std::string& payload = body(i);
          const auto s = std::chrono::steady_clock::now();
          // Signing is the agent's cost, but it is paid inside the timed loop: the client shares
          // the machine's two cores with the coordinator anyway.
          const std::string path = "/v1/devices/" + d.id + "/heartbeat";
          auto headers = api::SignDeviceRequest(identities[i], "POST", path, payload,
                                                SystemClock::Instance().Now());
          headers.emplace_back("Content-Type", "application/json");
          headers.emplace_back("Authorization", "Bearer " + d.credential);
          auto r = c->Do("POST", path, payload, headers);
          lat.push_back(Since(s));
          ++sent;
          if (!r.ok() || r->status != 200) {
            if (failed++ == 0) {
              std::fprintf(stderr, "first %s failure: %s\n", label,
                           r.ok() ? r->body.c_str() : r.status().ToString().c_str());
            }
          }
        }
        lat_all.Add(lat);
      });
    }
    for (auto& w : senders) w.join();
    const double secs = Since(start) / 1000;
    std::printf("%s %lld requests in %.2fs = %.1f req/s, p50 %.2f ms, p99 %.2f ms, %lld failed\n",
                label, static_cast<long long>(sent.load()), secs,
                static_cast<double>(sent.load()) / secs, lat_all.Pct(0.5), lat_all.Pct(0.99),
                static_cast<long long>(failed.load()));
    ok = ok && failed.load() == 0;
  };
  heartbeats("heartbeat:                  ", [&](size_t) -> const std::string& { return plain; });
  heartbeats("heartbeat, same inventory:  ", [&](size_t) -> const std::string& { return same; });
  heartbeats("heartbeat, changed hardware:", [&](size_t i) -> const std::string& {
    return visits[i]++ % 2 == 0 ? changed : same;
  });
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace hearth

int main(int argc, char** argv) { return hearth::Main(argc, argv); }
