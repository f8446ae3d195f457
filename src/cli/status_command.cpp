// spooled status
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/status_snapshot.hpp"

namespace spooled::cli {

void addStatusCommand(CLI::App& app, CliContext& ctx) {
  auto queue = std::make_shared<std::optional<std::string>>();
  auto* cmd = app.add_subcommand("status", "Queues (pending, processing, failed, dead-letter), workers and rates");
  cmd->add_option("queue", *queue, "Only this queue");
  cmd->callback([&ctx, queue] {
    ctx.action = [&ctx, queue] {
      const StatusSnapshot s = takeSnapshot(ctx.client(), *queue);
      if (ctx.json()) ctx.printJson(toJson(s));
      else printSnapshot(ctx, s, ctx.out());
      return kExitOk;
    };
  });
}

}  // namespace spooled::cli
