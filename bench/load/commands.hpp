#pragma once
// The benchmark commands of spooled-bench. Each drives `server` and returns one JSON object (the
// --json output, also the source of the table). Every wait has a deadline; every count is bounded.
#include <string>
#include <vector>

#include "bench_server.hpp"
#include "report.hpp"

namespace spooled::bench {

struct BurndownOptions {
  long long jobs = 20000;
  int workers = 4;
  int concurrency = 8;
  bool officialApi = false;
  int enqueueThreads = 4;
  int batchSize = 0;  // 0: 1000 (our extension), or 100 (the official limit) with officialApi
  int pollIntervalMs = 1000;
  int timeoutSeconds = 600;  // for the drain
};
// Bulk enqueue `jobs` no-op jobs, then drain them with the workers.
Report runBurndown(BenchServer& server, const BurndownOptions& options);

struct SteadyOptions {
  double rate = 1000;  // jobs per second
  double seconds = 10;
  int workers = 4;
  int concurrency = 8;
  int senders = 32;  // create requests in flight at most
  bool officialApi = false;
  int pollIntervalMs = 1000;
  int drainTimeoutSeconds = 30;  // after the last enqueue
};
// Enqueue one job at a time at a fixed rate while workers run them; latency from enqueue to handler
// start and to the acknowledged completion.
Report runSteady(BenchServer& server, const SteadyOptions& options);

struct DepthOptions {
  std::vector<long long> pendingLevels{1000, 100000, 1000000};
  int claims = 200;  // timed single claims per level
  int enqueueThreads = 4;
};
// Single-claim latency with a queue holding each number of pending jobs; server RSS at each level.
Report runDepth(BenchServer& server, const DepthOptions& options);

struct LongpollOptions {
  int waiters = 1000;
  int waitMs = 30000;  // the server's maximum
  int probes = 200;    // GETs timed while idle and while the claims are parked
  int settleMs = 500;  // parked means: no answer for this long after the last request was sent
};
// Parks `waiters` long-poll claims on an empty queue over their own connections; server RSS before
// and after, and the latency of an unrelated GET while they wait.
Report runLongpoll(BenchServer& server, const LongpollOptions& options);

struct SubscribersOptions {
  int subscribers = 1000;
  int rounds = 20;      // jobs created one at a time; each reaches every subscriber
  int settleMs = 1000;  // after the last connection, before measuring
};
// Opens N live-event streams (SSE); server RSS before and with them, and the latency from creating a job
// to its JobCreated event reaching each subscriber.
Report runSubscribers(BenchServer& server, const SubscribersOptions& options);

}  // namespace spooled::bench
