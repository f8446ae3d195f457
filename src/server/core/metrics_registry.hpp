#pragma once
// The server's Prometheus metrics: counters and histograms that the server updates as things happen
// (job events from JobEngine, one record per HTTP request), rendered in the Prometheus text
// exposition format (version 0.0.4) together with gauges the caller reads at scrape time (queue
// depth, workers). Knows nothing of HTTP or the store, so it can be tested on its own and the scrape
// handler decides where the gauges come from.
//
// Names follow the official backend's where it has one (spooled_jobs_enqueued_total,
// spooled_job_duration_seconds, spooled_api_requests_total, ...) so dashboards built for it work;
// ours carry labels where the backend's have none, which sum() queries do not notice.
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/job_events.hpp"

namespace spooled::server {

// Label name/value pairs of one series, in the order they are rendered.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// One value of a gauge read at scrape time.
struct GaugeSample {
  MetricLabels labels;
  double value = 0;
};

// A gauge family read at scrape time, rendered after the registry's own metrics.
struct ScrapeGauge {
  std::string name;
  std::string help;
  std::vector<GaugeSample> samples;
};

// Cumulative bucket counts plus sum and count; `bounds` are the finite upper bounds (ascending),
// `+Inf` is implied and equals count.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds) : bounds_(bounds), buckets_(bounds->size(), 0) {}
  void observe(double value);
  const std::vector<double>& bounds() const { return *bounds_; }
  // Observations <= bounds()[i] (counted once per bucket they fall in, i.e. not yet cumulative).
  const std::vector<unsigned long long>& buckets() const { return buckets_; }
  double sum() const { return sum_; }
  unsigned long long count() const { return count_; }

 private:
  const std::vector<double>* bounds_;  // owned by the registry; every series of a family shares it
  std::vector<unsigned long long> buckets_;
  double sum_ = 0;
  unsigned long long count_ = 0;
};

class MetricsRegistry final : public JobEventListener {
 public:
  // Seconds; as the official backend's, extended for long jobs (timeouts go up to a day).
  static std::vector<double> defaultJobDurationBuckets();
  // Seconds; as the official backend's API latency buckets.
  static std::vector<double> defaultRequestDurationBuckets();

  // Distinct (organization, queue) series the job families keep, by default; see setMaxQueueSeries.
  static constexpr std::size_t kDefaultMaxQueueSeries = 500;
  // The label value the queues beyond the cap are added up under, for organization_id and queue.
  static constexpr std::string_view kOtherLabel = "_other";

  MetricsRegistry(std::vector<double> jobDurationBuckets = defaultJobDurationBuckets(),
                  std::vector<double> requestDurationBuckets = defaultRequestDurationBuckets());

  // The job families keep their own series for the first `max` (organization, queue) pairs they see
  // and add up every later pair under {organization_id="_other", queue="_other"}, so memory and the
  // scrape stay bounded however many queues clients create. Call before sharing the registry.
  void setMaxQueueSeries(std::size_t max) { maxQueueSeries_ = max; }
  std::size_t maxQueueSeries() const { return maxQueueSeries_; }

  // Counts the event by organization and queue; a finished attempt's processingTime goes into the
  // duration histogram. Thread-safe and quick (one short lock).
  void onJobEvent(const JobEvent& event) noexcept override;

  // One HTTP request. routePattern is the matched route ("/api/v1/jobs/{id}"), never the raw path,
  // so ids cannot blow up the number of series; empty when no route matched. Methods other than the
  // standard ones are counted as "OTHER" for the same reason. Thread-safe.
  void recordRequest(std::string_view method, std::string_view routePattern, int status,
                     std::chrono::nanoseconds duration) noexcept;

  // Everything in the text exposition format: the registry's counters and histograms, then the
  // scrape-time gauges. Each family has one HELP and one TYPE line; series are sorted by labels.
  std::string render(const std::vector<ScrapeGauge>& gauges = {}) const;

 private:
  // Series of one family keyed by their label values (the label names are fixed per family).
  using CounterFamily = std::map<std::vector<std::string>, unsigned long long>;
  using HistogramFamily = std::map<std::vector<std::string>, Histogram>;

  void renderCounter(std::string& out, std::string_view name, std::string_view help,
                     const std::vector<std::string>& labelNames, const CounterFamily& family) const;
  void renderHistogram(std::string& out, std::string_view name, std::string_view help,
                       const std::vector<std::string>& labelNames, const HistogramFamily& family) const;

  // The series key of (orgId, queueName): itself while there is room, else the "_other" key.
  std::vector<std::string> jobSeriesKey(const std::string& orgId, const std::string& queueName);

  const std::vector<double> jobBuckets_;
  const std::vector<double> requestBuckets_;
  std::size_t maxQueueSeries_ = kDefaultMaxQueueSeries;

  mutable std::mutex mutex_;  // guards everything below
  std::set<std::vector<std::string>> jobSeries_;  // the pairs with series of their own
  CounterFamily jobsEnqueued_;
  CounterFamily jobsClaimed_;
  CounterFamily jobsCompleted_;
  CounterFamily jobsFailed_;
  CounterFamily jobsRetried_;
  CounterFamily jobsDeadlettered_;
  CounterFamily jobsCancelled_;
  HistogramFamily jobDuration_;
  CounterFamily requests_;
  HistogramFamily requestDuration_;
};

// Prometheus text-format helpers, public for the tests and for gauge rendering.
namespace metrics_text {
// Escapes a label value: backslash, double quote and newline.
std::string escapeLabelValue(std::string_view value);
// Escapes HELP text: backslash and newline.
std::string escapeHelp(std::string_view text);
// Shortest text that reads back as the same double; "+Inf", "-Inf", "NaN" for the specials.
std::string formatValue(double value);
// `{a="x",b="y"}`, or "" when there are no labels.
std::string formatLabels(const MetricLabels& labels);
}  // namespace metrics_text

}  // namespace spooled::server
