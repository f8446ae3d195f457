// spooled queues list|stats|pause|resume|config
#include <sstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_views.hpp"
#include "cli/table.hpp"

namespace spooled::cli {

namespace {

std::string queueState(CliContext& ctx, bool paused, bool enabled) {
  if (paused) return ctx.paintStatus("paused");
  return enabled ? ctx.paint("active", ansi::green) : ctx.paint("disabled", ansi::red);
}

std::string optionalNumber(const std::optional<int>& n, const char* none) { return n ? std::to_string(*n) : none; }

void printConfig(CliContext& ctx, const QueueConfig& q) {
  printFields(ctx.out(), {{"queue", q.queueName},
                          {"state", queueState(ctx, q.paused, q.enabled)},
                          {"max retries", std::to_string(q.maxRetries)},
                          {"default timeout", std::to_string(q.defaultTimeout) + " s"},
                          {"rate limit", q.rateLimit ? std::to_string(*q.rateLimit) + "/s" : "unlimited"},
                          {"paused at", orDash(q.pausedAt)},
                          {"pause reason", orDash(q.pauseReason)},
                          {"settings", q.settings.dump()},
                          {"updated", q.updatedAt}});
}

void addList(CLI::App& queues, CliContext& ctx) {
  auto* cmd = queues.add_subcommand("list", "Queues with their configuration");
  cmd->callback([&ctx] {
    ctx.action = [&ctx] {
      const auto list = ctx.client().queues().list();
      if (ctx.json()) {
        ctx.printJson(toJsonArray(list));
        return kExitOk;
      }
      Table table({"QUEUE", "STATE", "MAX RETRIES", "TIMEOUT", "RATE LIMIT"});
      for (const auto& q : list)
        table.add({q.queueName, queueState(ctx, q.paused, q.enabled), std::to_string(q.maxRetries),
                   std::to_string(q.defaultTimeout) + "s", optionalNumber(q.rateLimit, "-")});
      if (table.empty()) ctx.err() << "no queues\n";
      else table.print(ctx.out(), ctx.colorEnabled());
      return kExitOk;
    };
  });
}

void addStats(CLI::App& queues, CliContext& ctx) {
  auto name = std::make_shared<std::string>();
  auto* cmd = queues.add_subcommand("stats", "Counts and timings of one queue");
  cmd->add_option("queue", *name, "Queue name")->required();
  cmd->callback([&ctx, name] {
    ctx.action = [&ctx, name] {
      const QueueStats s = ctx.client().queues().stats(*name);
      if (ctx.json()) {
        ctx.printJson(toJson(s));
        return kExitOk;
      }
      std::ostringstream avg;
      if (s.avgProcessingTimeMs) avg << *s.avgProcessingTimeMs << " ms";
      printFields(ctx.out(), {{"queue", s.queueName},
                              {"pending", std::to_string(s.pendingJobs)},
                              {"processing", std::to_string(s.processingJobs)},
                              {"completed 24h", std::to_string(s.completedJobs24h)},
                              {"failed 24h", std::to_string(s.failedJobs24h)},
                              {"avg processing", s.avgProcessingTimeMs ? avg.str() : "-"},
                              {"oldest waiting", s.maxJobAgeSeconds ? std::to_string(*s.maxJobAgeSeconds) + " s" : "-"},
                              {"active workers", std::to_string(s.activeWorkers)}});
      return kExitOk;
    };
  });
}

void addPauseResume(CLI::App& queues, CliContext& ctx) {
  struct Args {
    std::string name, reason;
  };
  auto args = std::make_shared<Args>();
  auto* pause = queues.add_subcommand("pause", "Stop handing out the queue's jobs (they wait)");
  pause->add_option("queue", args->name, "Queue name")->required();
  pause->add_option("--reason", args->reason, "Shown with the queue");
  pause->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      const auto r = ctx.client().queues().pause(args->name, args->reason.empty() ? std::nullopt
                                                                                   : std::optional(args->reason));
      if (ctx.json()) ctx.printJson(toJson(r));
      else ctx.out() << r.queueName << " " << ctx.paintStatus("paused") << "\n";
      return kExitOk;
    };
  });
  auto resumeName = std::make_shared<std::string>();
  auto* resume = queues.add_subcommand("resume", "Hand out the queue's jobs again");
  resume->add_option("queue", *resumeName, "Queue name")->required();
  resume->callback([&ctx, resumeName] {
    ctx.action = [&ctx, resumeName] {
      const auto r = ctx.client().queues().resume(*resumeName);
      if (ctx.json()) ctx.printJson(toJson(r));
      else ctx.out() << r.queueName << " resumed after " << r.pausedDurationSecs << " s\n";
      return kExitOk;
    };
  });
}

void addConfig(CLI::App& queues, CliContext& ctx) {
  struct Args {
    std::string name, settings;
    std::optional<int> maxRetries, timeout, rateLimit;
    bool noRateLimit = false, enable = false, disable = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = queues.add_subcommand("config", "Show a queue's configuration, or change it with the flags below");
  cmd->add_option("queue", args->name, "Queue name")->required();
  cmd->add_option("--max-retries", args->maxRetries, "0..100");
  cmd->add_option("--default-timeout", args->timeout, "Seconds, 1..86400");
  cmd->add_option("--rate-limit", args->rateLimit, "Jobs handed out per second, 1..100000");
  cmd->add_flag("--no-rate-limit", args->noRateLimit, "Remove the rate limit");
  auto* enable = cmd->add_flag("--enable", args->enable, "Enable (also resumes a paused queue)");
  cmd->add_flag("--disable", args->disable, "Disable")->excludes(enable);
  cmd->add_option("--settings", args->settings, "Settings JSON object (replaces the stored one)");
  cmd->callback([&ctx, args] {
    UpdateQueueConfigParams p;
    p.maxRetries = args->maxRetries;
    p.defaultTimeout = args->timeout;
    p.rateLimit = args->rateLimit;
    p.removeRateLimit = args->noRateLimit;
    if (args->enable) p.enabled = true;
    if (args->disable) p.enabled = false;
    if (!args->settings.empty()) p.settings = parseJsonArgument("--settings", args->settings);
    const bool change = p.maxRetries || p.defaultTimeout || p.rateLimit || p.removeRateLimit || p.enabled || p.settings;
    ctx.action = [&ctx, args, p, change] {
      const QueueConfig q = change ? ctx.client().queues().updateConfig(args->name, p) : ctx.client().queues().get(args->name);
      if (ctx.json()) ctx.printJson(toJson(q));
      else printConfig(ctx, q);
      return kExitOk;
    };
  });
}

}  // namespace

void addQueuesCommands(CLI::App& app, CliContext& ctx) {
  auto* queues = app.add_subcommand("queues", "List, inspect, pause, resume and configure queues");
  queues->require_subcommand(1);
  addList(*queues, ctx);
  addStats(*queues, ctx);
  addPauseResume(*queues, ctx);
  addConfig(*queues, ctx);
}

}  // namespace spooled::cli
