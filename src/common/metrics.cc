#include "common/metrics.h"

#include <cstdio>

namespace hearth {
namespace {
constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
constexpr size_t kNumBuckets = sizeof(kBuckets) / sizeof(kBuckets[0]);

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}
}  // namespace

std::string Metrics::EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void Metrics::CountRequest(const std::string& route, const std::string& method, int status,
                           double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, status}];
  Histogram& h = durations_[route];
  if (h.buckets.empty()) h.buckets.assign(kNumBuckets, 0);
  for (size_t i = 0; i < kNumBuckets; ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddGauge(std::string name, std::string help, GaugeFn fn) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(fn)});
}

std::string Metrics::Render() const {
  std::vector<Gauge> gauges;
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    gauges = gauges_;
    out += "# HELP hearth_http_requests_total HTTP requests served, by route, method and status.\n";
    out += "# TYPE hearth_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out += "hearth_http_requests_total{route=\"" + EscapeLabel(route) + "\",method=\"" +
             EscapeLabel(method) + "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n) + "\n";
    }
    out += "# HELP hearth_http_request_duration_seconds Time to handle a request, by route.\n";
    out += "# TYPE hearth_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : durations_) {
      const std::string r = "route=\"" + EscapeLabel(route) + "\"";
      for (size_t i = 0; i < kNumBuckets; ++i) {
        out += "hearth_http_request_duration_seconds_bucket{" + r + ",le=\"" + Num(kBuckets[i]) +
               "\"} " + std::to_string(h.buckets[i]) + "\n";
      }
      out += "hearth_http_request_duration_seconds_bucket{" + r + ",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      out += "hearth_http_request_duration_seconds_sum{" + r + "} " + Num(h.sum) + "\n";
      out +=
          "hearth_http_request_duration_seconds_count{" + r + "} " + std::to_string(h.count) + "\n";
    }
  }
  // Callbacks run outside the lock: they may query the store.
  for (const Gauge& g : gauges) {
    out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
    for (const Sample& s : g.fn()) {
      out += g.name + (s.labels.empty() ? "" : "{" + s.labels + "}") + " " + Num(s.value) + "\n";
    }
  }
  return out;
}

}  // namespace hearth
