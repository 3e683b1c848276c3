#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "common/bech32.h"
#include "common/duration.h"
#include "common/flags.h"
#include "common/log.h"
#include "coordinator/akash/config.h"
#include "coordinator/coordinator.h"
#include "coordinator/regions/webhook.h"
#include "http/server.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::cli {

int RunServe(const Args& args) {
  std::string listen = "127.0.0.1:8080";
  std::string data = "hearth-data";
  Duration heartbeat = std::chrono::seconds(30);
  Duration stale_after{0};
  Duration offline_after = std::chrono::minutes(5);
  bool allow_signup = true;
  std::string log_format = "text", log_level = "info";
  int64_t body_limit = 1 << 20;
  Duration read_timeout = std::chrono::seconds(15);
  int64_t threads = 2;
  Duration session_ttl = std::chrono::hours(24 * 7);
  std::string admin_email, admin_password;
  int64_t auth_rate = 30;
  int64_t public_rate = 120;
  std::string akash_config;
  network::Config net;
  Duration gateway_down_after{0};
  Duration tick = std::chrono::seconds(1);
  std::string web_dir;
  rewards::RewardPolicy reward_policy;
  int64_t fixed_cost = 0, fee_bps = 1000, usage_share_bps = reward_policy.usage_share_bps;
  int64_t min_withdrawal = reward_policy.min_withdrawal.micro();
  rewards::PayoutConfig payout;
  int64_t payout_fee = payout.fee.micro();
  Duration settle_every = std::chrono::minutes(1);
  std::string trusted_proxies;
  std::string geoip_db;
  std::string webhook_url;
  int64_t max_rtt_ms = static_cast<int64_t>(net.placement.max_rtt_ms);
  int64_t max_distance_km = static_cast<int64_t>(net.placement.max_distance_km);
  std::vector<std::string> kubeconfigs, edge_taints;
  std::string kubeconfig_dir;
  kube::ClustersOptions kube_opts;

  FlagSet flags("hearth serve [FLAGS]",
                "Runs the coordinator: the /v1 HTTP API, the start page, /healthz and /metrics,\n"
                "backed by an embedded SQLite database in --data. Stops gracefully on SIGTERM or\n"
                "SIGINT (in-flight requests finish).");
  flags.String("listen", &listen, "Address to listen on, HOST:PORT (port 0 picks a free port).");
  flags.String("data", &data, "Directory for the database (hearth.db); created if missing.");
  flags.Dur("heartbeat-interval", &heartbeat, "How often agents are told to heartbeat.");
  flags.Dur("stale-after", &stale_after,
            "A device with no heartbeat for this long is 'stale' (0: twice the heartbeat "
            "interval, capped by --offline-after).");
  flags.Dur("offline-after", &offline_after,
            "A device with no heartbeat for this long is 'offline'.");
  flags.Bool("allow-signup", &allow_signup, "Allow anyone to create an owner account.");
  flags.String("log-format", &log_format, "Log format: text or json (one object per line).");
  flags.String("log-level", &log_level, "Minimum log level: debug, info, warn, error.");
  flags.Int("body-limit", &body_limit, "Largest request body accepted, in bytes (else 413).", 1024,
            int64_t{64} << 20);
  flags.Dur("read-timeout", &read_timeout, "Time allowed to receive one request.");
  flags.Int("threads", &threads, "I/O threads serving requests.", 1, 64);
  flags.Dur("session-ttl", &session_ttl, "How long a sign-in session lasts.");
  flags.Int("auth-rate-limit", &auth_rate,
            "Sign-in, sign-up and enrollment attempts allowed per client address and minute "
            "(bursts of 10; 0 disables, e.g. for load tests).",
            0, 1'000'000);
  flags.Int("public-rate-limit", &public_rate,
            "Requests per client address and minute to the public Akash endpoints "
            "(/v1/public/..., /v1/sdl/check; 0 disables).",
            0, 1'000'000);
  flags.String("trusted-proxies", &trusted_proxies,
               "Load balancers / reverse proxies whose X-Forwarded-For names the client, as "
               "CIDR[,CIDR] (e.g. 10.0.0.0/8). The client address (rate limits, GeoIP "
               "placement, logs) is then the rightmost X-Forwarded-For hop that is not a trusted "
               "proxy; from any other peer the header is ignored. Empty: trust nobody.");
  flags.String("geoip-db", &geoip_db,
               "MaxMind-format city database(s) (.mmdb, comma-separated, e.g. an IPv4 and an "
               "IPv6 file) for placing devices by the GeoIP of their address. Empty: the one "
               "scripts/fetch-geoip cached under ${HEARTH_CACHE:-~/.cache/hearth}/geoip, if any; "
               "'none': no GeoIP.");
  flags.String("akash-config", &akash_config,
               "The Akash policy file (YAML): edge policy, prices, provider identity and the "
               "bid-script token. Without it no persistent storage or IP leases are offered.");
  flags.String("web-dir", &web_dir,
               "Directory of the web portal's built files (web/dist). Empty: the source tree's "
               "web/dist when built, else " HEARTH_WEB_INSTALL_DIR
               ", else the minimal start page. 'none' disables the portal.");
  flags.String("overlay-prefix", &net.default_overlay_prefix,
               "Overlay prefix of the default region (inside 100.64.0.0/10); each device gets a "
               "/32 from it. Used when the store has no region yet.");
  flags.String("pod-prefix", &net.default_pod_prefix,
               "Pod prefix of the default region; each worker gets a pod CIDR from it.");
  flags.String("service-prefix", &net.default_service_prefix,
               "Kubernetes service prefix of the default region (routed to workers).");
  flags.Dur("gateway-down-after", &gateway_down_after,
            "A gateway with no heartbeat for this long is marked down and its workers are "
            "re-homed to the other gateways (0: three heartbeat intervals).");
  flags.Dur("liveness-tick", &tick,
            "How often gateway liveness and pending network attachments are checked.");
  flags.Int("placement-max-rtt-ms", &max_rtt_ms,
            "Placement bound by measurement: a region whose best gateway the device measured "
            "slower than this (median round trip, ms) is not acceptable for it.",
            1, 60'000);
  flags.Int("placement-max-distance-km", &max_distance_km,
            "Placement bound by GeoIP: a region whose centre is farther than this from the "
            "device's GeoIP location (great-circle km) is not acceptable for it.",
            1, 20'040);
  flags.Int("waitlist-threshold-devices", &net.proposal_min_devices,
            "A waitlist cell with this many waiting devices raises a region proposal for admins "
            "(0: not by count).",
            0, 1'000'000);
  flags.Int("waitlist-threshold-gpus", &net.proposal_min_gpus,
            "A waitlist cell whose waiting devices have this many GPUs raises a region proposal "
            "(0: not by GPUs).",
            0, 1'000'000);
  flags.String("webhook-url", &webhook_url,
               "http://host:port/path that admin events (region proposals, volunteers, "
               "approvals, activations, drains) are POSTed to as JSON, off the request path, "
               "retried with backoff. Empty: the event log only (GET /v1/admin/events).");
  flags.String("admin-email", &admin_email,
               "With an empty store: create the first admin with this email.");
  flags.String("admin-password", &admin_password,
               "Password of the first admin (prefer the environment variable to the flag, "
               "which other users can see in the process list).");
  flags.Dur("epoch", &reward_policy.epoch, "Length of a reward epoch (aligned to the Unix epoch).");
  flags.Int("operator-fixed-cost", &fixed_cost,
            "Operator's infrastructure cost per epoch, in uakt (taken before any device share).", 0,
            kMaxAmount);
  flags.Int("operator-fee-bps", &fee_bps,
            "Operator fee on each epoch's revenue, in basis points (1000 = 10 %).", 0, 10000);
  flags.Int("usage-share-bps", &usage_share_bps,
            "Share of the devices' part paid by attributed revenue (the rest by capacity x "
            "uptime), in basis points.",
            0, 10000);
  flags.Dur("probation", &reward_policy.probation,
            "New devices earn only for epochs that start this long after enrollment.");
  flags.Int("min-withdrawal", &min_withdrawal, "Smallest withdrawal an owner may request, in uakt.",
            1, kMaxAmount);
  flags.String("payout-from", &payout.from_address,
               "Provider wallet (akash1...) that payout batches send from; needed to export "
               "batches.");
  flags.Int("payout-fee", &payout_fee, "Transaction fee written into payout batches, in uakt.", 0,
            1'000'000'000);
  flags.Dur("settle-every", &settle_every,
            "How often the coordinator settles ended epochs (0 disables the loop; admins can "
            "still settle with POST /v1/admin/epochs/{start}/settle).");
  flags.Strings("kubeconfig", &kubeconfigs,
                "REGION=PATH: the kubeconfig of the region's Kubernetes cluster (repeatable). "
                "Without any, Kubernetes features are off.");
  flags.String("kubeconfig-dir", &kubeconfig_dir,
               "Directory of <region>.kubeconfig files, one per region with a cluster.");
  flags.Strings("kube-edge-taint", &edge_taints,
                "REGION or REGION=key=value:Effect: taint the region's edge nodes so that only "
                "workloads that tolerate it land there (default hearth.dev/edge=true:NoSchedule; "
                "repeatable).");
  flags.Dur("kube-token-ttl", &kube_opts.token_ttl,
            "Lifetime of a worker's bootstrap (join) token; rotated when a quarter is left.");
  flags.Dur("kube-drain-timeout", &kube_opts.drain_timeout,
            "How long a drain retries evictions refused by PodDisruptionBudgets before it "
            "reports what it could not evict (a ban or removal then deletes the node anyway).");
  flags.Dur("kube-resync", &kube_opts.resync,
            "How often the Kubernetes controllers re-read the store (admin states, new workers) "
            "and step drains.");
  flags.Epilog(
      "Example:\n  HEARTH_ADMIN_EMAIL=admin@example.com HEARTH_ADMIN_PASSWORD=... \\\n"
      "    hearth serve --listen 0.0.0.0:8080 --data /var/lib/hearth");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth serve: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (!rest->empty()) {
    std::cerr << "hearth serve: unexpected argument '" << rest->front() << "' (see --help)\n";
    return 2;
  }
  log::Format fmt;
  log::Level lvl;
  if (!log::ParseFormat(log_format, &fmt)) {
    std::cerr << "hearth serve: --log-format: must be text or json\n";
    return 2;
  }
  if (!log::ParseLevel(log_level, &lvl)) {
    std::cerr << "hearth serve: --log-level: must be debug, info, warn or error\n";
    return 2;
  }
  log::Configure(fmt, lvl);
  if (heartbeat < std::chrono::seconds(1)) {
    std::cerr << "hearth serve: --heartbeat-interval: must be at least 1s\n";
    return 2;
  }
  if (offline_after <= heartbeat) {
    std::cerr << "hearth serve: --offline-after: must be longer than --heartbeat-interval ("
              << FormatDuration(heartbeat) << "), or devices would flap offline\n";
    return 2;
  }
  if (stale_after.count() == 0) stale_after = std::min(2 * heartbeat, offline_after);
  if (stale_after > offline_after) {
    std::cerr << "hearth serve: --stale-after: must not be longer than --offline-after\n";
    return 2;
  }

  if (reward_policy.epoch < std::chrono::minutes(1) ||
      std::chrono::days(1) % reward_policy.epoch != Duration(0)) {
    std::cerr << "hearth serve: --epoch: must be at least 1m and divide a day (e.g. 1h, 15m)\n";
    return 2;
  }
  if (!payout.from_address.empty()) {
    auto from = AkashAddress::Parse(payout.from_address, "--payout-from");
    if (!from.ok()) {
      std::cerr << "hearth serve: " << from.status().ToString() << "\n";
      return 2;
    }
    payout.from_address = from->str();
  }
  reward_policy.op = {Amount::Micro(fixed_cost), fee_bps};
  reward_policy.usage_share_bps = usage_share_bps;
  reward_policy.min_withdrawal = Amount::Micro(min_withdrawal);
  reward_policy.settle_grace = offline_after;
  payout.fee = Amount::Micro(payout_fee);

  if (mkdir(data.c_str(), 0700) != 0 && errno != EEXIST) {
    std::cerr << "hearth serve: --data: cannot create '" << data << "': " << std::strerror(errno)
              << "\n";
    return 2;
  }
  auto store = store::OpenSqliteStore(data + "/hearth.db");
  if (!store.ok()) {
    std::cerr << "hearth serve: " << store.status().ToString() << "\n";
    return 1;
  }

  auto proxies = http::TrustedProxies::Parse(trusted_proxies, "--trusted-proxies");
  if (!proxies.ok()) {
    std::cerr << "hearth serve: " << proxies.status().ToString() << "\n";
    return 2;
  }

  if (!webhook_url.empty()) {
    if (Status st = regions::WebhookSender::ValidateUrl(webhook_url, "--webhook-url"); !st.ok()) {
      std::cerr << "hearth serve: " << st.ToString() << "\n";
      return 2;
    }
  }
  if (net.proposal_min_devices == 0 && net.proposal_min_gpus == 0) {
    log::Warn(
        "--waitlist-threshold-devices and --waitlist-threshold-gpus are both 0: full "
        "waitlist cells raise no region proposals");
  }

  auto geoip = geoip::OpenFromFlag(geoip_db, "--geoip-db");
  if (!geoip.ok()) {
    std::cerr << "hearth serve: " << geoip.status().ToString() << "\n";
    return 2;
  }
  if (*geoip) {
    log::Info("GeoIP placement evidence",
              {{"database", (*geoip)->Describe()},
               {"files", static_cast<int64_t>((*geoip)->paths().size())}});
  } else {
    log::Info("no GeoIP database; placement uses RTT and declared countries only");
  }

  coordinator::Config config;
  config.geoip = *geoip;
  config.liveness = {heartbeat, stale_after, offline_after};
  config.allow_signup = allow_signup;
  config.session_ttl = session_ttl;
  config.auth_rate_per_minute = static_cast<int>(auth_rate);
  config.public_rate_per_minute = static_cast<int>(public_rate);
  if (!akash_config.empty()) {
    auto ac = akash::LoadAkashConfig(akash_config);
    if (!ac.ok()) {
      std::cerr << "hearth serve: --akash-config: " << ac.status().ToString() << "\n";
      return 2;
    }
    config.akash = std::make_shared<const akash::AkashConfig>(std::move(*ac));
  }
  if (tick < std::chrono::milliseconds(100)) {
    std::cerr << "hearth serve: --liveness-tick: must be at least 100ms\n";
    return 2;
  }
  net.gateway_down_after = gateway_down_after.count() > 0 ? gateway_down_after : 3 * heartbeat;
  net.webhook = !webhook_url.empty();
  net.placement.max_rtt_ms = static_cast<double>(max_rtt_ms);
  net.placement.max_distance_km = static_cast<double>(max_distance_km);
  config.network = net;
  config.rewards = reward_policy;
  config.payout = payout;
  auto clusters = kube::ParseClusterSpecs(kubeconfigs, kubeconfig_dir);
  if (!clusters.ok()) {
    std::cerr << "hearth serve: " << clusters.status().ToString() << "\n";
    return 2;
  }
  kube_opts.clusters = std::move(*clusters);
  for (const std::string& t : edge_taints) {
    auto spec = kube::ParseEdgeTaintSpec(t);
    if (!spec.ok()) {
      std::cerr << "hearth serve: " << spec.status().ToString() << "\n";
      return 2;
    }
    kube_opts.edge_taints[spec->first] = spec->second;
  }
  if (kube_opts.token_ttl < std::chrono::minutes(10)) {
    std::cerr << "hearth serve: --kube-token-ttl: must be at least 10m (agents need time to "
                 "join)\n";
    return 2;
  }
  if (kube_opts.resync < std::chrono::milliseconds(100)) {
    std::cerr << "hearth serve: --kube-resync: must be at least 100ms\n";
    return 2;
  }
  config.kube = kube_opts;
  coordinator::Coordinator coord(config, **store, SystemClock::Instance(),
                                 SecureRandom::Instance());
  if (Status st = coord.Init(); !st.ok()) {
    std::cerr << "hearth serve: " << st.ToString() << "\n";
    return 2;
  }
  if (Status st = coord.BootstrapAdmin(admin_email, Secret<std::string>(admin_password));
      !st.ok()) {
    std::cerr << "hearth serve: first admin: " << st.ToString() << "\n";
    return 2;
  }

  if (web_dir.empty()) {
    for (const char* candidate : {HEARTH_WEB_BUILD_DIR, HEARTH_WEB_INSTALL_DIR}) {
      if (access((std::string(candidate) + "/index.html").c_str(), R_OK) == 0) {
        web_dir = candidate;
        break;
      }
    }
  }
  if (!web_dir.empty() && web_dir != "none") {
    auto files = web::StaticFiles::Load(web_dir, "--web-dir");
    if (!files.ok()) {
      std::cerr << "hearth serve: --web-dir: " << files.status().message() << "\n";
      return 2;
    }
    log::Info("serving the web portal", {{"dir", web_dir}, {"files", files->file_count()}});
    coord.SetWebFiles(std::move(*files));
  }

  BlockTerminationSignals();
  http::ServerOptions opts;
  opts.listen = listen;
  opts.body_limit = static_cast<size_t>(body_limit);
  opts.read_timeout = read_timeout;
  opts.threads = static_cast<int>(threads);
  opts.trusted_proxies = *proxies;
  opts.static_files = [&coord](const http::Request& req) { return coord.ServeStatic(req); };
  http::Server server(opts, coord.router(), &coord.metrics(), &coord.notifier());
  if (Status st = server.Start(); !st.ok()) {
    std::cerr << "hearth serve: " << st.ToString() << "\n";
    return 1;
  }
  log::Info("coordinator listening", {{"address", server.BoundAddress()},
                                      {"data", data},
                                      {"heartbeat_interval", FormatDuration(heartbeat)},
                                      {"offline_after", FormatDuration(offline_after)}});
  // Settlement loop: books every final epoch (see rewards::Ledger::SettlePending).
  std::mutex settle_mu;
  std::condition_variable settle_cv;
  bool stopping = false;
  std::thread settler([&] {
    if (settle_every.count() == 0) return;
    std::unique_lock<std::mutex> lock(settle_mu);
    while (!stopping) {
      lock.unlock();
      auto n = coord.ledger().SettlePending();
      if (!n.ok()) {
        log::Warn("settling epochs failed; retrying", {{"error", n.status().ToString()}});
      } else if (*n > 0) {
        log::Info("settled epochs", {{"count", *n}});
      }
      lock.lock();
      settle_cv.wait_for(lock, settle_every, [&] { return stopping; });
    }
  });
  std::thread signals([&] {
    while (!WaitForSignal(std::chrono::seconds(3600))) {
    }
    log::Info("shutting down");
    {
      std::lock_guard<std::mutex> lock(settle_mu);
      stopping = true;
    }
    settle_cv.notify_all();
    server.Shutdown(std::chrono::seconds(10));
  });
  // Gateway failover and pending attachments, on the same stop signal as the settler.
  std::thread liveness([&] {
    std::unique_lock<std::mutex> lock(settle_mu);
    while (!stopping) {
      lock.unlock();
      if (auto cs = coord.network().Tick(); !cs.ok()) {
        log::Error("network liveness tick failed", {{"error", cs.status().ToString()}});
      }
      lock.lock();
      settle_cv.wait_for(lock, tick, [&] { return stopping; });
    }
  });
  // Admin events to the webhook, on their own thread so a slow receiver never delays a tick.
  std::thread webhook([&] {
    if (webhook_url.empty()) return;
    regions::WebhookSender sender(webhook_url, **store, SystemClock::Instance());
    std::unique_lock<std::mutex> lock(settle_mu);
    while (!stopping) {
      lock.unlock();
      if (auto n = sender.DeliverDue(); !n.ok()) {
        log::Warn("webhook delivery loop failed; retrying", {{"error", n.status().ToString()}});
      }
      lock.lock();
      settle_cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; });
    }
  });
  server.Run();
  webhook.join();
  liveness.join();
  signals.join();
  settler.join();
  log::Info("coordinator stopped");
  return 0;
}

}  // namespace hearth::cli
