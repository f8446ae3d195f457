// spooled worker -- CMD [ARGS...]: a SpooledWorker whose handler runs CMD once per job
// (worker/exec_handler.hpp). Every option of the workers guide is a flag.
#include <signal.h>

#include <iostream>
#include <mutex>

#include "cli/commands.hpp"
#include "cli/duration_flag.hpp"
#include "cli/exit_codes.hpp"
#include "cli/worker/exec_exit_codes.hpp"
#include "cli/worker/exec_handler.hpp"
#include "cli/worker/job_process.hpp"
#include "spooled/worker.hpp"

namespace spooled::cli {

namespace {

struct WorkerArgs {
  std::string queue, hostname, workerType = "exec", version, metadata, logLevel = "info";
  int concurrency = 5;
  std::string pollInterval = "1000", lease = "30", heartbeat = "10", shutdownTimeout = "30000";
  std::string ackBatchWindow = "2", killTimeout = "10s", jobTimeout = "0";
  bool noLongPoll = false, noBatchAcks = false, forwardStderr = false;
  std::size_t maxOutput = 256 * 1024;
  int retryExit = kExecExitRetry, deadLetterExit = kExecExitDeadLetter;
  std::vector<std::string> command;
};

int levelRank(LogLevel level) { return static_cast<int>(level); }

LogLevel parseLevel(const std::string& name) {
  if (name == "debug") return LogLevel::debug;
  if (name == "warn") return LogLevel::warn;
  if (name == "error") return LogLevel::error;
  return LogLevel::info;
}

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

WorkerLogger makeLogger(LogLevel minimum) {
  return [minimum](LogLevel level, std::string_view message) {
    if (levelRank(level) < levelRank(minimum)) return;
    static std::mutex mutex;
    const std::lock_guard lock(mutex);
    std::cerr << "spooled worker: " << levelName(level) << ": " << message << std::endl;
  };
}

int runWorker(CliContext& ctx, const WorkerArgs& a) {
  if (findProgram(a.command.front()).empty()) {
    ctx.err() << "error: cannot find the program '" << a.command.front() << "' (not in PATH or not executable)\n";
    return kExitUsage;
  }
  const WorkerLogger log = makeLogger(parseLevel(a.logLevel));
  WorkerOptions o;
  o.queueName = a.queue;
  o.concurrency = a.concurrency;
  o.longPoll = !a.noLongPoll;
  o.batchAcks = !a.noBatchAcks;
  o.hostname = a.hostname;
  o.workerType = a.workerType;
  o.version = a.version;
  o.logger = log;
  try {
    o.pollInterval = parseDuration("--poll-interval", a.pollInterval, DurationUnit::milliseconds);
    o.leaseDuration = std::chrono::duration_cast<std::chrono::seconds>(parseDuration("--lease", a.lease, DurationUnit::seconds));
    o.heartbeatInterval = parseDuration("--heartbeat-interval", a.heartbeat, DurationUnit::seconds);
    o.shutdownTimeout = parseDuration("--shutdown-timeout", a.shutdownTimeout, DurationUnit::milliseconds);
    o.ackBatchWindow = parseDuration("--ack-batch-window", a.ackBatchWindow, DurationUnit::milliseconds);
    if (!a.metadata.empty()) o.metadata = parseJsonArgument("--metadata", a.metadata);
    o.validate();
  } catch (const std::exception& e) {
    ctx.err() << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  ExecOptions exec;
  exec.command = a.command;
  exec.maxOutputBytes = a.maxOutput;
  exec.retryExitCode = a.retryExit;
  exec.deadLetterExitCode = a.deadLetterExit;
  exec.forwardStderr = a.forwardStderr;
  exec.logger = log;
  try {
    exec.killGrace = parseDuration("--kill-timeout", a.killTimeout, DurationUnit::seconds);
    exec.jobTimeout = std::chrono::duration_cast<std::chrono::seconds>(parseDuration("--job-timeout", a.jobTimeout, DurationUnit::seconds));
  } catch (const std::exception& e) {
    ctx.err() << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  // A program that closes its stdin early must not kill the worker with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  SpooledWorker worker(ctx.client(), o);
  const ExecHandler handler(exec);
  worker.process([&handler](JobContext& job) { return handler(job); });
  worker.on(worker_events::jobCompleted, [log](const WorkerEvent& e) { log(LogLevel::info, "job " + e.jobId + " completed"); });
  worker.on(worker_events::jobFailed, [log](const WorkerEvent& e) {
    log(LogLevel::warn, "job " + e.jobId + " failed (" + (e.willRetry ? "will retry" : "no retry") + "): " + e.error);
  });
  worker.on(worker_events::started, [log, &o](const WorkerEvent& e) {
    log(LogLevel::info, "worker " + e.workerId + " started on queue " + e.queueName + ", concurrency " +
                            std::to_string(o.concurrency));
  });
  worker.on(worker_events::stopped, [log](const WorkerEvent& e) { log(LogLevel::info, "stopped: " + e.reason); });
  const auto signals = stopOnSignals({&worker}, [log, &o](int signal) {
    log(LogLevel::info, "received " + signalName(signal) + ": no new jobs; waiting up to " +
                            std::to_string(o.shutdownTimeout.count()) + " ms for running jobs");
  });
  worker.run();
  return kExitOk;
}

}  // namespace

void addWorkerCommand(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<WorkerArgs>();
  auto* cmd = app.add_subcommand("worker", "Run a program as a job handler: spooled worker --queue Q -- CMD [ARGS...]");
  cmd->add_option("-q,--queue", a->queue, "Queue to claim jobs from (queueName)")->required();
  cmd->add_option("-c,--concurrency", a->concurrency, "Programs running at once, 1..100 (concurrency)");
  cmd->add_option("--poll-interval", a->pollInterval, "Wait between claims on an empty queue (pollInterval; bare number: ms)");
  cmd->add_flag("--no-long-poll", a->noLongPoll, "Plain claims every poll interval, as the official API (longPoll=false)");
  cmd->add_option("--lease", a->lease, "Lease per claim and renewal, 5..3600 s (leaseDuration; bare number: s)");
  cmd->add_option("--heartbeat-interval", a->heartbeat, "Lease renewal and worker heartbeat (heartbeatInterval; bare number: s)");
  cmd->add_option("--shutdown-timeout", a->shutdownTimeout, "On SIGTERM, how long running jobs may finish (shutdownTimeout; bare number: ms)");
  cmd->add_flag("--no-batch-acks", a->noBatchAcks, "One complete/fail call per job (batchAcks=false)");
  cmd->add_option("--ack-batch-window", a->ackBatchWindow, "How long a result may wait to share a request (ackBatchWindow; bare: ms)");
  cmd->add_option("--hostname", a->hostname, "Reported at registration (default: this machine's)");
  cmd->add_option("--worker-type", a->workerType, "Reported at registration (workerType)");
  cmd->add_option("--app-version", a->version, "Your application's version, reported at registration (version)");
  cmd->add_option("--metadata", a->metadata, "JSON object reported at registration (metadata)");
  cmd->add_option("--kill-timeout", a->killTimeout, "After the shutdown timeout or a cancel: SIGTERM, then SIGKILL after this (bare: s)");
  cmd->add_option("--job-timeout", a->jobTimeout, "Stop a program running longer and fail its job for a retry (0: no limit; bare: s)");
  cmd->add_option("--max-output", a->maxOutput, "Bytes of stdout kept as the result; more is read and dropped");
  cmd->add_option("--retry-exit-code", a->retryExit, "Exit code meaning 'retry later'")->check(CLI::Range(1, 255));
  cmd->add_option("--deadletter-exit-code", a->deadLetterExit, "Exit code meaning 'do not retry'")->check(CLI::Range(1, 255));
  cmd->add_flag("--forward-stderr", a->forwardStderr, "Copy the programs' stderr lines to the worker's, prefixed with the job id");
  cmd->add_option("--log-level", a->logLevel, "debug|info|warn|error")->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  cmd->add_option("command", a->command, "The program and its arguments, after --")->required();
  cmd->footer(
      "Per job the program gets the payload JSON on stdin and SPOOLED_JOB_ID, SPOOLED_QUEUE,\n"
      "SPOOLED_RETRY_COUNT, SPOOLED_MAX_RETRIES, SPOOLED_WORKER_ID in its environment.\n"
      "Exit 0: completed, stdout is the result (JSON if it parses, else a string).\n"
      "Exit 75: retry later. Exit 65: do not retry (dead-letter). Other: failed, stderr's tail is the error.\n"
      "A stderr line 'progress: 40 resizing' reports progress.");
  cmd->callback([&ctx, a] { ctx.action = [&ctx, a] { return runWorker(ctx, *a); }; });
}

}  // namespace spooled::cli
