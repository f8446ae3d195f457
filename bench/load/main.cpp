// spooled-bench: a load benchmark for a Spooled server (see docs/performance.md). Drives the server
// given by --url/--api-key, or starts its own spooled-server on a temporary SQLite file (or
// --servers N of them on one --database-url postgres://..., with --database-pid for the database's CPU).
//
//   spooled-bench burndown --jobs 20000 [--workers 4] [--concurrency 8] [--official-api] [--json]
//   spooled-bench steady --rate 1000 --seconds 10 [--json]
//   spooled-bench depth [--levels 1000,100000,1000000] [--claims 200] [--json]
//   spooled-bench longpoll --waiters 1000 [--json]
//   spooled-bench subscribers --n 10000 [--json]
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <iostream>

#include "bench_util.hpp"
#include "commands.hpp"

namespace {

using namespace spooled::bench;

// Each parked claim and each worker connection is a file descriptor, here and in a server we start
// (which inherits the limit).
void raiseFileLimit(rlim_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_max < wanted) {
    rlimit raised{wanted, wanted};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return;  // root may raise the hard limit
  }
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

void addFleetFlags(CLI::App* command, int& workers, int& concurrency, bool& officialApi, int& pollIntervalMs) {
  command->add_option("--workers", workers, "SpooledWorkers, each with its own client")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command->add_option("--concurrency", concurrency, "handlers each worker runs at once")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  command->add_flag("--official-api", officialApi,
                    "use only calls the official Spooled API has: no long-poll (wait_ms), no batched acknowledgements");
  command->add_option("--poll-interval-ms", pollIntervalMs, "the workers' pollInterval")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"spooled-bench: load benchmarks for a Spooled server. Without --url it starts its own spooled-server\n"
               "on a temporary SQLite file and a free loopback port, and stops it at the end."};
  app.require_subcommand(1);
  ServerFlags serverFlags;
  bool jsonOutput = false;
  app.add_option("--url", serverFlags.url, "drive this server (http://HOST:PORT) instead of starting one");
  app.add_option("--api-key", serverFlags.apiKey, "API key for --url (default: $SPOOLED_API_KEY)");
  app.add_option("--server-pid", serverFlags.serverPid, "pid of the --url server, to report its memory");
  app.add_option("--server-bin", serverFlags.serverBin, "spooled-server to start (default: next to spooled-bench)");
  app.add_option("--data-dir", serverFlags.dataDir, "folder for the temporary database (default: $TMPDIR or /tmp)");
  app.add_flag("--keep-data", serverFlags.keepData, "keep the temporary database and server log");
  app.add_option("--database-url", serverFlags.databaseUrl,
                 "the servers we start use this database (postgres://...) instead of a temporary SQLite file");
  app.add_option("--servers", serverFlags.servers,
                 "start this many servers on --database-url; workers and producers spread over them")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--database-pid", serverFlags.databasePid,
                 "the database's main process (postmaster), to report the CPU of it and its backends per job");
  app.add_flag("--json", jsonOutput, "print one JSON object instead of a table");

  std::function<Report(BenchServer&)> run;

  BurndownOptions burndown;
  auto* burndownCmd = app.add_subcommand("burndown", "bulk enqueue N no-op jobs, then drain them with workers");
  burndownCmd->add_option("--jobs", burndown.jobs, "jobs to enqueue and drain")
      ->check(CLI::Range(1LL, 100000000LL))
      ->capture_default_str();
  addFleetFlags(burndownCmd, burndown.workers, burndown.concurrency, burndown.officialApi, burndown.pollIntervalMs);
  burndownCmd->add_option("--enqueue-threads", burndown.enqueueThreads, "bulk requests in flight")->capture_default_str();
  burndownCmd->add_option("--batch", burndown.batchSize,
                          "jobs per bulk request (default 1000, our extension; 100, the official limit, with "
                          "--official-api)")
      ->check(CLI::Range(1, 1000));
  burndownCmd->add_option("--timeout-seconds", burndown.timeoutSeconds, "give up the drain after")->capture_default_str();
  burndownCmd->callback([&] { run = [&](BenchServer& s) { return runBurndown(s, burndown); }; });

  SteadyOptions steady;
  auto* steadyCmd = app.add_subcommand("steady", "enqueue at a fixed rate; latency to handler start and completion");
  steadyCmd->add_option("--rate", steady.rate, "jobs per second")->check(CLI::Range(1.0, 100000.0))->capture_default_str();
  steadyCmd->add_option("--seconds", steady.seconds, "how long to enqueue")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  addFleetFlags(steadyCmd, steady.workers, steady.concurrency, steady.officialApi, steady.pollIntervalMs);
  steadyCmd->add_option("--senders", steady.senders, "create requests in flight at most")->capture_default_str();
  steadyCmd->add_option("--drain-timeout-seconds", steady.drainTimeoutSeconds, "wait for the last jobs at most")
      ->capture_default_str();
  steadyCmd->callback([&] { run = [&](BenchServer& s) { return runSteady(s, steady); }; });

  DepthOptions depth;
  auto* depthCmd = app.add_subcommand("depth", "single-claim latency with many pending jobs; server memory");
  depthCmd->add_option("--levels", depth.pendingLevels, "pending jobs at each step, ascending")
      ->delimiter(',')
      ->capture_default_str();
  depthCmd->add_option("--claims", depth.claims, "timed claims per level")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  depthCmd->add_option("--enqueue-threads", depth.enqueueThreads, "bulk requests in flight")->capture_default_str();
  depthCmd->callback([&] { run = [&](BenchServer& s) { return runDepth(s, depth); }; });

  LongpollOptions longpoll;
  auto* longpollCmd = app.add_subcommand("longpoll", "park N long-poll claims; server memory and GET latency");
  longpollCmd->add_option("--waiters", longpoll.waiters, "claims to park, each on its own connection")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  longpollCmd->add_option("--wait-ms", longpoll.waitMs, "each claim's wait_ms (the server allows up to 30000)")
      ->check(CLI::Range(1000, 30000))
      ->capture_default_str();
  longpollCmd->add_option("--probes", longpoll.probes, "GETs timed idle and while parked")->capture_default_str();
  longpollCmd->add_option("--settle-ms", longpoll.settleMs, "no answer this long after sending means parked")
      ->capture_default_str();
  longpollCmd->callback([&] { run = [&](BenchServer& s) { return runLongpoll(s, longpoll); }; });

  SubscribersOptions subscribers;
  auto* subscribersCmd =
      app.add_subcommand("subscribers", "open N live-event streams; server memory and event delivery latency");
  subscribersCmd->add_option("--n", subscribers.subscribers, "SSE subscribers, each on its own connection")
      ->check(CLI::Range(1, 200000))
      ->capture_default_str();
  subscribersCmd->add_option("--rounds", subscribers.rounds, "jobs created one at a time (timed)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  subscribersCmd->callback([&] { run = [&](BenchServer& s) { return runSubscribers(s, subscribers); }; });

  for (auto* command : {burndownCmd, steadyCmd, depthCmd, longpollCmd, subscribersCmd}) command->fallthrough();
  CLI11_PARSE(app, argc, argv);
  if (burndown.batchSize == 0) burndown.batchSize = burndown.officialApi ? 100 : 1000;

  raiseFileLimit(static_cast<rlim_t>(std::max(longpoll.waiters, subscribers.subscribers)) * 2 + 4096);
  try {
    BenchServer server(serverFlags);
    const Report report = run(server);
    if (jsonOutput) {
      std::cout << report.dump() << std::endl;
    } else {
      std::cout << report.value("command", std::string()) << "\n";
      printTable(report, std::cout);
    }
    return report.contains("incomplete") ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "spooled-bench: " << e.what() << std::endl;
    return 1;
  }
}
