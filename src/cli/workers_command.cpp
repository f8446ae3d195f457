// spooled workers list
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_views.hpp"
#include "cli/table.hpp"

namespace spooled::cli {

void addWorkersCommands(CLI::App& app, CliContext& ctx) {
  auto* workers = app.add_subcommand("workers", "Registered workers");
  workers->require_subcommand(1);
  auto p = std::make_shared<ListWorkersParams>();
  auto* list = workers->add_subcommand("list", "Workers with their queue, host, status and load");
  list->add_option("-q,--queue", p->queueName, "Only this queue");
  list->add_option("-s,--status", p->status, "healthy|degraded|draining|offline");
  list->callback([&ctx, p] {
    ctx.action = [&ctx, p] {
      const auto list = ctx.client().workers().list(*p);
      if (ctx.json()) {
        ctx.printJson(toJsonArray(list));
        return kExitOk;
      }
      Table table({"ID", "QUEUE", "HOST", "STATUS", "JOBS", "LAST HEARTBEAT"});
      for (const auto& w : list)
        table.add({w.id, w.queueName, w.hostname, ctx.paintStatus(w.status),
                   std::to_string(w.currentJobs) + "/" + std::to_string(w.maxConcurrency), w.lastHeartbeat});
      if (table.empty()) ctx.err() << "no workers\n";
      else table.print(ctx.out(), ctx.colorEnabled());
      return kExitOk;
    };
  });
}

}  // namespace spooled::cli
