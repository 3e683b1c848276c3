#include "agent/checkin.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hearth::agent {

std::optional<double> ProbeRtt(const std::string& endpoint, std::chrono::milliseconds timeout) {
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = endpoint.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = endpoint.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return std::nullopt;
  }
  std::optional<double> rtt;
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    // Round-trip measurement only: a monotonic clock, not wall time.
    const auto start = std::chrono::steady_clock::now();
    int rc = connect(fd, res->ai_addr, res->ai_addrlen);
    bool done = rc == 0 || errno == ECONNREFUSED;
    if (!done && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        int soerr = 0;
        socklen_t len = sizeof soerr;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        done = soerr == 0 || soerr == ECONNREFUSED;
      }
    }
    if (done) {
      rtt = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
    }
    close(fd);
  }
  freeaddrinfo(res);
  return rtt;
}

nlohmann::json CheckIn(http::Client& client, const std::string& country, int gpus,
                       int samples_per_gateway, std::ostream& out) {
  nlohmann::json evidence = {{"rtt", nlohmann::json::array()}};
  if (!country.empty()) evidence["country"] = country;
  auto res = client.PostJson("/v1/checkin", {{"gpus", gpus}});
  if (!res.ok() || !res->ToStatus().ok()) return evidence;
  const nlohmann::json j = res->Json();
  if (!j.contains("candidates") || !j["candidates"].is_array() || j["candidates"].empty()) {
    return evidence;
  }
  for (const auto& c : j["candidates"]) {
    if (!c.is_object() || !c.contains("gateways") || !c["gateways"].is_array()) continue;
    const std::string region = c.value("region", "");
    for (const auto& g : c["gateways"]) {
      if (!g.is_string()) continue;
      nlohmann::json samples = nlohmann::json::array();
      for (int i = 0; i < samples_per_gateway; ++i) {
        if (auto ms = ProbeRtt(g.get<std::string>(), std::chrono::milliseconds(1000))) {
          samples.push_back(*ms);
        }
      }
      if (samples.empty()) continue;
      evidence["rtt"].push_back(
          {{"region", region}, {"gateway", g.get<std::string>()}, {"samples_ms", samples}});
    }
  }
  out << "Measured the round trip to " << evidence["rtt"].size() << " gateway(s) of "
      << j["candidates"].size() << " candidate region(s).\n";
  return evidence;
}

void PrintPlacement(const nlohmann::json& enroll_response, std::ostream& out) {
  if (!enroll_response.contains("placement") || !enroll_response["placement"].is_object()) return;
  const nlohmann::json& p = enroll_response["placement"];
  if (p.contains("region") && p["region"].is_string()) {
    out << "Placed in region " << p["region"].get<std::string>();
    if (p.contains("detail") && p["detail"].is_string()) {
      out << ": " << p["detail"].get<std::string>();
    }
    out << ".\n";
    return;
  }
  if (p.contains("waitlist_cell") && p["waitlist_cell"].is_string()) {
    out << "Waitlisted: no region can take this device yet ("
        << p.value("detail", p.value("reason", std::string("no region"))) << ").\n"
        << "It waits in cell " << p["waitlist_cell"].get<std::string>() << " at position "
        << p.value("waitlist_position", int64_t{0})
        << "; when a region opens there the coordinator places it automatically. Keep "
           "`hearth agent` running.\n";
  }
}

}  // namespace hearth::agent
