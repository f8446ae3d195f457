#include "latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace spooled::bench {

namespace {

double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

double roundedMs(double ms) { return std::round(ms * 1000.0) / 1000.0; }

}  // namespace

Report LatencySummary::toJson() const {
  return Report{{"count", count},
              {"p50", roundedMs(p50)},
              {"p95", roundedMs(p95)},
              {"p99", roundedMs(p99)},
              {"max", roundedMs(max)}};
}

LatencySummary summarize(std::vector<double> samplesMs) {
  LatencySummary summary;
  if (samplesMs.empty()) return summary;
  std::sort(samplesMs.begin(), samplesMs.end());
  summary.count = samplesMs.size();
  summary.p50 = percentile(samplesMs, 50);
  summary.p95 = percentile(samplesMs, 95);
  summary.p99 = percentile(samplesMs, 99);
  summary.max = samplesMs.back();
  return summary;
}

}  // namespace spooled::bench
