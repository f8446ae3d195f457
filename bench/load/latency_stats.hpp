#pragma once
// Percentiles of a set of latencies, as the load benchmark reports them.
#include <cstddef>
#include <vector>

#include "report.hpp"

namespace spooled::bench {

struct LatencySummary {
  std::size_t count = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;

  // {"count", "p50", "p95", "p99", "max"}, milliseconds rounded to microseconds.
  Report toJson() const;
};

// Nearest-rank percentiles (the value below which `p` percent of the samples lie, never an
// interpolation between two), so a p99 of 200 samples is the second-slowest one. Empty: all zero.
LatencySummary summarize(std::vector<double> samplesMs);

}  // namespace spooled::bench
