// spooled-bench longpoll: what parked long-poll claims cost the server. Times an unrelated GET (one
// job, by id) on an idle server, parks N claims on an empty queue, then times the same GET again
// while they wait; server RSS before and after parking.
#include <cmath>
#include <optional>

#include "bench_util.hpp"
#include "commands.hpp"
#include "latency_stats.hpp"
#include "parked_claims.hpp"
#include "worker_fleet.hpp"

namespace spooled::bench {

namespace {

struct ProbeResult {
  std::vector<double> latenciesMs;
  int errors = 0;
};

ProbeResult timeGets(KeepAliveConnection& connection, const std::string& target, int count) {
  ProbeResult result;
  for (int i = 0; i < count; ++i) {
    const auto before = Clock::now();
    try {
      if (connection.get(target) == 200) {
        result.latenciesMs.push_back(millisBetween(before, Clock::now()));
        continue;
      }
    } catch (const std::exception&) {
    }
    ++result.errors;
  }
  return result;
}

}  // namespace

Report runLongpoll(BenchServer& server, const LongpollOptions& options) {
  const std::string queue = freshQueueName("longpoll");
  const HttpEndpoint endpoint = HttpEndpoint::fromUrl(server.url());
  SpooledClient client(benchClientOptions(server.url(), server.apiKey()));
  // The GET's job lives on another queue, so creating it wakes none of the parked claims.
  const std::string probeJob = client.jobs().create({.queueName = queue + "-probe"}).id;
  const std::string target = "/api/v1/jobs/" + probeJob;
  KeepAliveConnection probe(endpoint, server.apiKey());

  const ProbeResult idle = timeGets(probe, target, options.probes);
  const std::optional<double> rssBefore = server.rssMb();

  progress("parking " + std::to_string(options.waiters) + " claims (wait_ms " + std::to_string(options.waitMs) +
           ") on " + queue);
  ParkedClaims claims(endpoint, server.apiKey(), queue, options.waitMs);
  const auto parkStarted = Clock::now();
  // Everything must be measured before the first parked claim times out by itself.
  const auto parkDeadline = parkStarted + std::chrono::milliseconds(options.waitMs / 2);
  claims.park(options.waiters, std::chrono::milliseconds(options.settleMs), parkDeadline);
  const double parkSeconds = secondsSince(parkStarted);
  const ParkedClaimsCounts atPark = claims.counts();
  const std::optional<double> rssParked = server.rssMb();
  const ProbeResult parked = timeGets(probe, target, options.probes);
  const ParkedClaimsCounts afterProbes = claims.counts();
  const bool withinWait = secondsSince(parkStarted) * 1000.0 < options.waitMs;
  claims.close();

  const Report growthMb =
      rssBefore && rssParked ? Report(std::round((*rssParked - *rssBefore) * 1000.0) / 1000.0) : Report(nullptr);
  Report byStatus = Report::object();
  for (const auto& [status, count] : afterProbes.answersByStatus) byStatus[std::to_string(status)] = count;
  Report report{{"command", "longpoll"},
              {"server", server.description()},
              {"waiters", options.waiters},
              {"wait_ms", options.waitMs},
              {"sent", atPark.sent},
              {"connection_errors", afterProbes.failed},
              {"answered_early", afterProbes.answered},
              {"answers_by_status", byStatus},
              {"parked", afterProbes.parked()},
              {"park_seconds", roundedSeconds(parkSeconds)},
              {"server_rss_before_mb", optionalNumber(rssBefore)},
              {"server_rss_parked_mb", optionalNumber(rssParked)},
              {"server_rss_growth_mb", growthMb},
              {"get_latency_idle_ms", summarize(idle.latenciesMs).toJson()},
              {"get_latency_parked_ms", summarize(parked.latenciesMs).toJson()},
              {"get_errors", idle.errors + parked.errors}};
  if (!withinWait) report["warning"] = "the measurement outlasted wait_ms; parked claims may have ended by themselves";
  return report;
}

}  // namespace spooled::bench
