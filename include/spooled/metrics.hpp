#pragma once
// Metrics: the server's Prometheus metrics (GET /metrics), as the raw text exposition format. Point
// Prometheus at the server itself for scraping; this is for scripts, health checks and tests.
#include <string>

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

// Obtained from SpooledClient::metrics(); lives as long as the client. Thread-safe.
class MetricsResource {
 public:
  MetricsResource(const MetricsResource&) = delete;
  MetricsResource& operator=(const MetricsResource&) = delete;

  // The text, e.g. "# HELP spooled_jobs_enqueued_total ...\n...". The client's API key is sent as
  // the bearer token; a server started with --metrics-token needs a client whose apiKey is that token.
  // Throws a SpooledError subclass on failure (AuthenticationError for a wrong metrics token).
  std::string get();

 private:
  friend class SpooledClient;
  explicit MetricsResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
