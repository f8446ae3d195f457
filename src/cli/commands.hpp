#pragma once
// One function per command group of `spooled`; each adds its subcommands to the app and, in their
// callbacks, sets CliContext::action to what runs once parsing succeeded.
#include <CLI/CLI.hpp>

#include "cli/cli_context.hpp"

namespace spooled::cli {

void addStatusCommand(CLI::App& app, CliContext& ctx);
void addJobsCommands(CLI::App& app, CliContext& ctx);      // jobs create|get|list|cancel|retry|priority
void addEnqueueCommand(CLI::App& jobs, CliContext& ctx);   // jobs enqueue --file F
void addQueuesCommands(CLI::App& app, CliContext& ctx);
void addDlqCommands(CLI::App& app, CliContext& ctx);
void addWorkersCommands(CLI::App& app, CliContext& ctx);
void addKeysCommands(CLI::App& app, CliContext& ctx);
void addWatchCommand(CLI::App& app, CliContext& ctx);
void addWorkerCommand(CLI::App& app, CliContext& ctx);     // worker -- CMD [ARGS...]

// The whole command line: global flags and every group. `spooled` with no command prints help.
void buildApp(CLI::App& app, CliContext& ctx);

// Parses a JSON argument (--payload, --settings) or throws CLI::ValidationError naming the flag.
json parseJsonArgument(const std::string& flag, const std::string& text);
// "-" for an unset optional string, for tables.
std::string orDash(const std::optional<std::string>& value);

}  // namespace spooled::cli
