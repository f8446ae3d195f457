// spooled jobs create|get|list|cancel|retry|priority (jobs enqueue: enqueue_command.cpp).
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_views.hpp"
#include "cli/table.hpp"

namespace spooled::cli {

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CLI::ValidationError("--payload-file", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string jsonText(const std::optional<json>& value) { return value ? value->dump() : "-"; }

void printJob(CliContext& ctx, const Job& j) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", j.id},
      {"queue", j.queueName},
      {"status", ctx.paintStatus(j.status)},
      {"priority", std::to_string(j.priority)},
      {"retries", std::to_string(j.retryCount) + "/" + std::to_string(j.maxRetries)},
      {"created", j.createdAt},
      {"scheduled", orDash(j.scheduledAt)},
      {"started", orDash(j.startedAt)},
      {"completed", orDash(j.completedAt)},
      {"worker", orDash(j.assignedWorkerId)},
      {"payload", j.payload.dump()},
      {"result", jsonText(j.result)},
      {"last error", orDash(j.lastError)}};
  if (j.progress) {
    std::ostringstream p;
    p << *j.progress << "%" << (j.progressMessage ? " " + *j.progressMessage : "");
    fields.emplace_back("progress", p.str());
  }
  if (j.tags) fields.emplace_back("tags", j.tags->dump());
  printFields(ctx.out(), fields);
}

void printJobTable(CliContext& ctx, const std::vector<JobSummary>& jobs) {
  Table table({"ID", "QUEUE", "STATUS", "PRIORITY", "RETRIES", "CREATED"});
  for (const auto& j : jobs)
    table.add({j.id, j.queueName, ctx.paintStatus(j.status), std::to_string(j.priority), std::to_string(j.retryCount), j.createdAt});
  if (table.empty()) {
    ctx.err() << "no jobs\n";
    return;
  }
  table.print(ctx.out(), ctx.colorEnabled());
}

void addCreate(CLI::App& jobs, CliContext& ctx) {
  struct Args {
    std::string queue, payload, payloadFile, scheduledAt, idempotencyKey, tags;
    std::optional<int> priority, maxRetries, timeout;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = jobs.add_subcommand("create", "Enqueue one job; prints its id");
  cmd->add_option("queue", args->queue, "Queue name")->required();
  cmd->add_option("-p,--payload", args->payload, "Payload JSON (default {})");
  cmd->add_option("--payload-file", args->payloadFile, "Read the payload JSON from a file ('-': stdin)");
  cmd->add_option("--priority", args->priority, "-100..100 (default 0)");
  cmd->add_option("--max-retries", args->maxRetries, "0..100 (default 3)");
  cmd->add_option("--timeout-seconds", args->timeout, "Seconds a run may take (default 300)");
  cmd->add_option("--scheduled-at", args->scheduledAt, "ISO-8601 time to run at");
  cmd->add_option("--idempotency-key", args->idempotencyKey, "Repeat creates return the first job");
  cmd->add_option("--tags", args->tags, "Tags JSON");
  cmd->callback([&ctx, args] {
    CreateJobParams p;
    p.queueName = args->queue;
    if (!args->payloadFile.empty()) {
      const std::string text = args->payloadFile == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {})
                                                        : readFile(args->payloadFile);
      p.payload = parseJsonArgument("--payload-file", text);
    } else if (!args->payload.empty()) {
      p.payload = parseJsonArgument("--payload", args->payload);
    }
    p.priority = args->priority;
    p.maxRetries = args->maxRetries;
    p.timeoutSeconds = args->timeout;
    if (!args->scheduledAt.empty()) p.scheduledAt = args->scheduledAt;
    if (!args->idempotencyKey.empty()) p.idempotencyKey = args->idempotencyKey;
    if (!args->tags.empty()) p.tags = parseJsonArgument("--tags", args->tags);
    ctx.action = [&ctx, p] {
      const CreateJobResult r = ctx.client().jobs().create(p);
      if (ctx.json()) {
        ctx.printJson(toJson(r));
      } else {
        ctx.out() << r.id << "\n";  // just the id, so `ID=$(spooled jobs create q)` works
        if (!r.created) ctx.err() << "an earlier job with this idempotency key was returned\n";
      }
      return kExitOk;
    };
  });
}

void addGet(CLI::App& jobs, CliContext& ctx) {
  auto id = std::make_shared<std::string>();
  auto* cmd = jobs.add_subcommand("get", "Show one job");
  cmd->add_option("id", *id, "Job id")->required();
  cmd->callback([&ctx, id] {
    ctx.action = [&ctx, id] {
      const Job j = ctx.client().jobs().get(*id);
      if (ctx.json()) ctx.printJson(toJson(j));
      else printJob(ctx, j);
      return kExitOk;
    };
  });
}

void addList(CLI::App& jobs, CliContext& ctx) {
  auto p = std::make_shared<ListJobsParams>();
  auto* cmd = jobs.add_subcommand("list", "List jobs, newest first");
  cmd->add_option("-q,--queue", p->queueName, "Only this queue");
  cmd->add_option("-s,--status", p->status, "pending|scheduled|processing|completed|failed|deadletter|cancelled");
  cmd->add_option("--tag", p->tag, "Only jobs with this tag");
  cmd->add_option("-n,--limit", p->limit, "At most this many (1..100, default 50)");
  cmd->add_option("--offset", p->offset, "Skip this many");
  cmd->callback([&ctx, p] {
    ctx.action = [&ctx, p] {
      const auto jobs = ctx.client().jobs().list(*p);
      if (ctx.json()) ctx.printJson(toJsonArray(jobs));
      else printJobTable(ctx, jobs);
      return kExitOk;
    };
  });
}

// cancel and retry: one id in, one line out.
void addIdAction(CLI::App& jobs, CliContext& ctx, const std::string& name, const std::string& help, bool retry) {
  auto id = std::make_shared<std::string>();
  auto* cmd = jobs.add_subcommand(name, help);
  cmd->add_option("id", *id, "Job id")->required();
  cmd->callback([&ctx, id, retry, name] {
    ctx.action = [&ctx, id, retry, name] {
      if (retry) {
        const Job j = ctx.client().jobs().retry(*id);
        if (ctx.json()) ctx.printJson(toJson(j));
        else ctx.out() << j.id << " " << ctx.paintStatus(j.status) << "\n";
      } else {
        ctx.client().jobs().cancel(*id);
        if (ctx.json()) ctx.printJson({{"id", *id}, {"cancelled", true}});
        else ctx.out() << *id << " " << ctx.paintStatus("cancelled") << "\n";
      }
      return kExitOk;
    };
  });
}

void addPriority(CLI::App& jobs, CliContext& ctx) {
  struct Args {
    std::string id;
    int priority = 0;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = jobs.add_subcommand("priority", "Change a waiting job's priority");
  cmd->add_option("id", args->id, "Job id")->required();
  cmd->add_option("priority", args->priority, "New priority, -100..100")->required()->check(CLI::Range(-100, 100));
  cmd->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      const auto r = ctx.client().jobs().boostPriority(args->id, args->priority);
      if (ctx.json()) ctx.printJson(toJson(r));
      else ctx.out() << r.jobId << " priority " << r.oldPriority << " -> " << r.newPriority << "\n";
      return kExitOk;
    };
  });
}

}  // namespace

void addJobsCommands(CLI::App& app, CliContext& ctx) {
  auto* jobs = app.add_subcommand("jobs", "Create, inspect, cancel, retry and re-prioritize jobs");
  jobs->require_subcommand(1);
  addCreate(*jobs, ctx);
  addGet(*jobs, ctx);
  addList(*jobs, ctx);
  addIdAction(*jobs, ctx, "cancel", "Cancel a pending, scheduled or processing job", false);
  addIdAction(*jobs, ctx, "retry", "Run a failed or dead-lettered job again", true);
  addPriority(*jobs, ctx);
  addEnqueueCommand(*jobs, ctx);
}

}  // namespace spooled::cli
