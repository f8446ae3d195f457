#include "server/core/metrics_registry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace spooled::server {

namespace metrics_text {

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes; never emit a broken line
  return std::string(buf.data(), end);
}

std::string formatLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    out += escapeLabelValue(labels[i].second);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace metrics_text

namespace {

using metrics_text::formatLabels;
using metrics_text::formatValue;

const std::vector<std::string> kJobLabels = {"organization_id", "queue"};
const std::vector<std::string> kRequestLabels = {"method", "route", "status"};
const std::vector<std::string> kLatencyLabels = {"method", "route"};

// Methods outside this list would let any client mint new series, so they are counted as "OTHER".
constexpr std::string_view kKnownMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};

std::string methodLabel(std::string_view method) {
  const bool known = std::find(std::begin(kKnownMethods), std::end(kKnownMethods), method) != std::end(kKnownMethods);
  return known ? std::string(method) : "OTHER";
}

MetricLabels zipLabels(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  MetricLabels labels;
  labels.reserve(names.size());
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) labels.emplace_back(names[i], values[i]);
  return labels;
}

void renderHeader(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += metrics_text::escapeHelp(help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void renderSample(std::string& out, std::string_view name, const MetricLabels& labels, double value) {
  out += name;
  out += formatLabels(labels);
  out += ' ';
  out += formatValue(value);
  out += '\n';
}

}  // namespace

void Histogram::observe(double value) {
  // Buckets are stored non-cumulative so one observation touches one slot; render sums them up.
  const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  if (it != bounds_->end()) ++buckets_[static_cast<std::size_t>(it - bounds_->begin())];
  sum_ += value;
  ++count_;
}

std::vector<double> MetricsRegistry::defaultJobDurationBuckets() {
  return {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
}

std::vector<double> MetricsRegistry::defaultRequestDurationBuckets() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

MetricsRegistry::MetricsRegistry(std::vector<double> jobDurationBuckets, std::vector<double> requestDurationBuckets)
    : jobBuckets_(std::move(jobDurationBuckets)), requestBuckets_(std::move(requestDurationBuckets)) {}

std::vector<std::string> MetricsRegistry::jobSeriesKey(const std::string& orgId, const std::string& queueName) {
  std::vector<std::string> key = {orgId, queueName};
  if (jobSeries_.contains(key)) return key;
  if (jobSeries_.size() < maxQueueSeries_) {
    jobSeries_.insert(key);
    return key;
  }
  return {std::string(kOtherLabel), std::string(kOtherLabel)};
}

void MetricsRegistry::onJobEvent(const JobEvent& event) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> key = jobSeriesKey(event.orgId, event.queueName);
    switch (event.kind) {
      case JobEvent::Kind::Created: ++jobsEnqueued_[key]; break;
      case JobEvent::Kind::Claimed: ++jobsClaimed_[key]; break;
      case JobEvent::Kind::Completed: ++jobsCompleted_[key]; break;
      case JobEvent::Kind::Failed:
        ++jobsFailed_[key];
        ++jobsRetried_[key];
        break;
      case JobEvent::Kind::DeadLettered:
        // A dead-lettered job's last attempt failed too, so it counts as a failure as well.
        ++jobsFailed_[key];
        ++jobsDeadlettered_[key];
        break;
      case JobEvent::Kind::Cancelled: ++jobsCancelled_[key]; return;  // a cancel is not a finished attempt
      case JobEvent::Kind::Progress:
      case JobEvent::Kind::Retried: return;  // neither starts nor ends an attempt
    }
    if (event.processingTime && event.kind != JobEvent::Kind::Created && event.kind != JobEvent::Kind::Claimed) {
      const double seconds = std::chrono::duration<double>(*event.processingTime).count();
      jobDuration_.try_emplace(std::move(key), &jobBuckets_).first->second.observe(std::max(0.0, seconds));
    }
  } catch (...) {
    // Out of memory while adding a series: losing one sample beats failing the request that caused it.
  }
}

void MetricsRegistry::recordRequest(std::string_view method, std::string_view routePattern, int status,
                                    std::chrono::nanoseconds duration) noexcept {
  try {
    std::string methodValue = methodLabel(method);
    std::string route = routePattern.empty() ? std::string("(unmatched)") : std::string(routePattern);
    const double seconds = std::chrono::duration<double>(duration).count();
    const std::lock_guard lock(mutex_);
    ++requests_[std::vector<std::string>{methodValue, route, std::to_string(status)}];
    std::vector<std::string> latencyKey = {std::move(methodValue), std::move(route)};
    requestDuration_.try_emplace(std::move(latencyKey), &requestBuckets_).first->second.observe(std::max(0.0, seconds));
  } catch (...) {
    // As in onJobEvent: a metric is never worth failing a request for.
  }
}

void MetricsRegistry::renderCounter(std::string& out, std::string_view name, std::string_view help,
                                    const std::vector<std::string>& labelNames, const CounterFamily& family) const {
  renderHeader(out, name, help, "counter");
  for (const auto& [values, count] : family)
    renderSample(out, name, zipLabels(labelNames, values), static_cast<double>(count));
}

void MetricsRegistry::renderHistogram(std::string& out, std::string_view name, std::string_view help,
                                      const std::vector<std::string>& labelNames,
                                      const HistogramFamily& family) const {
  renderHeader(out, name, help, "histogram");
  const std::string bucketName = std::string(name) + "_bucket";
  const std::string sumName = std::string(name) + "_sum";
  const std::string countName = std::string(name) + "_count";
  for (const auto& [values, histogram] : family) {
    const MetricLabels labels = zipLabels(labelNames, values);
    unsigned long long cumulative = 0;
    for (std::size_t i = 0; i < histogram.bounds().size(); ++i) {
      cumulative += histogram.buckets()[i];
      MetricLabels withLe = labels;
      withLe.emplace_back("le", formatValue(histogram.bounds()[i]));
      renderSample(out, bucketName, withLe, static_cast<double>(cumulative));
    }
    MetricLabels infLabels = labels;
    infLabels.emplace_back("le", "+Inf");
    renderSample(out, bucketName, infLabels, static_cast<double>(histogram.count()));
    renderSample(out, sumName, labels, histogram.sum());
    renderSample(out, countName, labels, static_cast<double>(histogram.count()));
  }
}

std::string MetricsRegistry::render(const std::vector<ScrapeGauge>& gauges) const {
  std::string out;
  {
    const std::lock_guard lock(mutex_);
    renderCounter(out, "spooled_jobs_enqueued_total", "Jobs created, by organization and queue.", kJobLabels,
                  jobsEnqueued_);
    renderCounter(out, "spooled_jobs_claimed_total", "Jobs handed to a worker by a claim.", kJobLabels, jobsClaimed_);
    renderCounter(out, "spooled_jobs_completed_total", "Jobs completed successfully.", kJobLabels, jobsCompleted_);
    renderCounter(out, "spooled_jobs_failed_total",
                  "Failed attempts (reported failures and expired leases), whether retried or dead-lettered.",
                  kJobLabels, jobsFailed_);
    renderCounter(out, "spooled_jobs_retried_total", "Failed attempts that sent the job back to its queue.",
                  kJobLabels, jobsRetried_);
    renderCounter(out, "spooled_jobs_deadlettered_total", "Jobs moved to the dead-letter queue.", kJobLabels,
                  jobsDeadlettered_);
    renderCounter(out, "spooled_jobs_cancelled_total", "Jobs cancelled.", kJobLabels, jobsCancelled_);
    renderHistogram(out, "spooled_job_duration_seconds",
                    "Duration of finished attempts (claim to complete or fail), in seconds.", kJobLabels,
                    jobDuration_);
    renderCounter(out, "spooled_api_requests_total", "HTTP requests, by method, route pattern and status.",
                  kRequestLabels, requests_);
    renderHistogram(out, "spooled_api_request_duration_seconds",
                    "HTTP request duration from routing to response, in seconds.", kLatencyLabels,
                    requestDuration_);
  }
  for (const ScrapeGauge& gauge : gauges) {
    renderHeader(out, gauge.name, gauge.help, "gauge");
    for (const GaugeSample& sample : gauge.samples) renderSample(out, gauge.name, sample.labels, sample.value);
  }
  return out;
}

}  // namespace spooled::server
