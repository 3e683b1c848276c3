// Metrics: counters and gauges rendered in the Prometheus text exposition format (0.0.4).
// Thread-safe. Gauge families are computed at scrape time by callbacks (derived state is not
// stored twice).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace hearth {

class Metrics {
 public:
  // One HTTP request served: counted by route pattern, method and status; duration observed.
  void CountRequest(const std::string& route, const std::string& method, int status,
                    double seconds);

  // A sample: label set rendered as `name="value",...` (already escaped) and its value.
  struct Sample {
    std::string labels;
    double value;
  };
  using GaugeFn = std::function<std::vector<Sample>()>;
  void AddGauge(std::string name, std::string help, GaugeFn fn);

  std::string Render() const;

  // Escapes a label value per the exposition format.
  static std::string EscapeLabel(const std::string& v);

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per kBuckets entry
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> durations_;  // by route
  struct Gauge {
    std::string name, help;
    GaugeFn fn;
  };
  std::vector<Gauge> gauges_;
};

}  // namespace hearth
