// spooled dlq list|retry|purge
#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_views.hpp"
#include "cli/table.hpp"

namespace spooled::cli {

namespace {

// Purging deletes for good: ask on a terminal, refuse without one (scripts pass --yes).
bool confirmPurge(CliContext& ctx, const PurgeDlqParams& p) {
  if (::isatty(STDIN_FILENO) != 1) {
    ctx.err() << "error: purge deletes dead-lettered jobs for good; pass --yes to confirm without a terminal\n";
    return false;
  }
  ctx.err() << "Delete " << (p.limit ? "up to " + std::to_string(*p.limit) + " " : "all ") << "dead-lettered jobs"
            << (p.queueName ? " of queue " + *p.queueName : std::string(" of every queue"))
            << (p.olderThan ? " created before " + *p.olderThan : std::string()) << "? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void addList(CLI::App& dlq, CliContext& ctx) {
  auto p = std::make_shared<ListDlqParams>();
  auto* cmd = dlq.add_subcommand("list", "Dead-lettered jobs, newest first");
  cmd->add_option("-q,--queue", p->queueName, "Only this queue");
  cmd->add_option("-n,--limit", p->limit, "At most this many (1..100, default 50)");
  cmd->add_option("--offset", p->offset, "Skip this many");
  cmd->callback([&ctx, p] {
    ctx.action = [&ctx, p] {
      const auto jobs = ctx.client().jobs().dlq().list(*p);
      if (ctx.json()) {
        ctx.printJson(toJsonArray(jobs));
        return kExitOk;
      }
      Table table({"ID", "QUEUE", "RETRIES", "CREATED", "COMPLETED"});
      for (const auto& j : jobs) table.add({j.id, j.queueName, std::to_string(j.retryCount), j.createdAt, orDash(j.completedAt)});
      if (table.empty()) ctx.err() << "the dead-letter queue is empty\n";
      else table.print(ctx.out(), ctx.colorEnabled());
      return kExitOk;
    };
  });
}

void addRetry(CLI::App& dlq, CliContext& ctx) {
  struct Args {
    std::vector<std::string> ids;
    std::optional<std::string> queue;
    std::optional<int> limit;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = dlq.add_subcommand("retry", "Put dead-lettered jobs back in their queues (these ids, or the oldest of a queue)");
  cmd->add_option("ids", args->ids, "Job ids (default: the oldest, see --queue/--limit)");
  cmd->add_option("-q,--queue", args->queue, "Only this queue");
  cmd->add_option("-n,--limit", args->limit, "At most this many (1..100, default 100)");
  cmd->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      RetryDlqParams p;
      if (!args->ids.empty()) p.jobIds = args->ids;
      p.queueName = args->queue;
      p.limit = args->limit;
      const auto r = ctx.client().jobs().dlq().retry(p);
      if (ctx.json()) ctx.printJson(toJson(r));
      else ctx.out() << "retried " << r.retriedCount << " jobs\n";
      return kExitOk;
    };
  });
}

void addPurge(CLI::App& dlq, CliContext& ctx) {
  struct Args {
    PurgeDlqParams params;
    bool yes = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = dlq.add_subcommand("purge", "Delete dead-lettered jobs for good (asks first unless --yes)");
  cmd->add_option("-q,--queue", args->params.queueName, "Only this queue");
  cmd->add_option("--older-than", args->params.olderThan, "Only jobs created before this ISO-8601 time");
  cmd->add_option("-n,--limit", args->params.limit, "At most this many, oldest first (1..10000)");
  cmd->add_flag("-y,--yes", args->yes, "Do not ask");
  cmd->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      PurgeDlqParams p = args->params;
      if (!args->yes && !confirmPurge(ctx, p)) {
        ctx.err() << "nothing deleted\n";
        return static_cast<int>(kExitAborted);
      }
      p.confirm = true;
      const auto r = ctx.client().jobs().dlq().purge(p);
      if (ctx.json()) ctx.printJson(toJson(r));
      else ctx.out() << "purged " << r.purgedCount << " jobs\n";
      return static_cast<int>(kExitOk);
    };
  });
}

}  // namespace

void addDlqCommands(CLI::App& app, CliContext& ctx) {
  auto* dlq = app.add_subcommand("dlq", "The dead-letter queue: list, retry, purge");
  dlq->require_subcommand(1);
  addList(*dlq, ctx);
  addRetry(*dlq, ctx);
  addPurge(*dlq, ctx);
}

}  // namespace spooled::cli
