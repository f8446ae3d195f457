// spooled jobs enqueue --file F: many jobs with bulk requests (100 per request by default), a progress
// bar on a terminal, and a summary of the items the server refused.
#include <fstream>
#include <iostream>

#include "cli/bulk_input.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "spooled/errors.hpp"

namespace spooled::cli {

namespace {

struct EnqueueArgs {
  std::string queue, file;
  int batchSize = 100;
  std::optional<int> priority, maxRetries, timeout;
  bool quiet = false;
};

struct Failure {
  std::string where;
  std::string error;
};

void drawProgress(std::ostream& err, std::size_t done, std::size_t total) {
  constexpr int kWidth = 30;
  const int filled = total == 0 ? kWidth : static_cast<int>(kWidth * done / total);
  err << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << done << "/" << total << std::flush;
}

int runEnqueue(CliContext& ctx, const EnqueueArgs& a) {
  std::vector<BulkInputItem> items;
  try {
    if (a.file == "-") {
      items = readBulkInput(std::cin);
    } else {
      std::ifstream in(a.file);
      if (!in) {
        ctx.err() << "error: cannot read " << a.file << "\n";
        return kExitUsage;
      }
      items = readBulkInput(in);
    }
  } catch (const std::exception& e) {
    ctx.err() << "error: " << a.file << ": " << e.what() << "\n";
    return kExitUsage;
  }
  std::vector<Failure> failures;
  std::vector<std::string> ids;
  std::vector<const BulkInputItem*> batch;
  std::size_t done = 0;
  const bool bar = !a.quiet && ctx.stderrIsTerminal();
  auto flush = [&] {
    if (batch.empty()) return;
    BulkEnqueueParams p;
    p.queueName = a.queue;
    p.defaultPriority = a.priority;
    p.defaultMaxRetries = a.maxRetries;
    p.defaultTimeoutSeconds = a.timeout;
    for (const auto* item : batch) p.jobs.push_back(*item->job);
    try {
      const BulkEnqueueResult r = ctx.client().jobs().bulkEnqueue(p);
      for (const auto& ok : r.succeeded) ids.push_back(ok.jobId);
      for (const auto& bad : r.failed) {
        const bool known = bad.index >= 0 && static_cast<std::size_t>(bad.index) < batch.size();
        failures.push_back({known ? batch[bad.index]->where : "index " + std::to_string(bad.index), bad.error});
      }
    } catch (const ValidationError& e) {
      // The whole request was refused (e.g. one payload too large for the batch): say so per item
      // and go on with the next batch; anything else (server down, bad key) stops the run.
      for (const auto* item : batch) failures.push_back({item->where, e.what()});
    } catch (const PayloadTooLargeError& e) {
      for (const auto* item : batch) failures.push_back({item->where, e.what()});
    }
    done += batch.size();
    batch.clear();
    if (bar) drawProgress(ctx.err(), done, items.size());
  };
  for (const auto& item : items) {
    if (!item.job) {
      failures.push_back({item.where, item.error});
      ++done;
      continue;
    }
    batch.push_back(&item);
    if (static_cast<int>(batch.size()) >= a.batchSize) flush();
  }
  flush();
  if (bar) ctx.err() << "\n";
  if (ctx.json()) {
    json failed = json::array();
    for (const auto& f : failures) failed.push_back({{"where", f.where}, {"error", f.error}});
    ctx.printJson({{"queue_name", a.queue},
                   {"total", items.size()},
                   {"succeeded", ids.size()},
                   {"failed", failures.size()},
                   {"job_ids", ids},
                   {"failures", failed}});
  } else {
    ctx.out() << "enqueued " << ids.size() << " of " << items.size() << " jobs on " << a.queue << "\n";
    if (!failures.empty()) {
      ctx.out() << ctx.paint(std::to_string(failures.size()) + " failed:", ansi::red) << "\n";
      for (const auto& f : failures) ctx.out() << "  " << f.where << ": " << f.error << "\n";
    }
  }
  return failures.empty() ? kExitOk : kExitPartial;
}

}  // namespace

void addEnqueueCommand(CLI::App& jobs, CliContext& ctx) {
  auto args = std::make_shared<EnqueueArgs>();
  auto* cmd = jobs.add_subcommand("enqueue", "Enqueue many jobs from a file (NDJSON or a JSON array) with bulk requests");
  cmd->add_option("-f,--file", args->file, "Input file, '-' for stdin")->required();
  cmd->add_option("-q,--queue", args->queue, "Queue name")->required();
  cmd->add_option("--batch-size", args->batchSize,
                  "Jobs per request: 1..100 (official API), up to 1000 on this project's server")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--priority", args->priority, "Default priority of items that set none");
  cmd->add_option("--max-retries", args->maxRetries, "Default max retries");
  cmd->add_option("--timeout-seconds", args->timeout, "Default timeout in seconds");
  cmd->add_flag("--quiet", args->quiet, "No progress bar");
  cmd->footer(
      "Each item is a payload, or an object with \"payload\" and optionally \"priority\",\n"
      "\"idempotency_key\", \"scheduled_at\". Exit 8 when some items failed (listed).");
  cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return runEnqueue(ctx, *args); }; });
}

}  // namespace spooled::cli
