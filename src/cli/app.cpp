#include <cstdlib>

#include "cli/commands.hpp"

namespace spooled::cli {

json parseJsonArgument(const std::string& flag, const std::string& text) {
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded()) throw CLI::ValidationError(flag, "not valid JSON: " + text);
  return value;
}

std::string orDash(const std::optional<std::string>& value) { return value && !value->empty() ? *value : "-"; }

void buildApp(CLI::App& app, CliContext& ctx) {
  app.description("spooled: operate a Spooled job queue from a terminal, and run any program as a worker");
  app.footer("Environment: SPOOLED_API_URL, SPOOLED_API_KEY, NO_COLOR. Exit codes: docs/cli.md.");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spooled ") + sdkVersion());
  app.fallthrough();  // global flags may follow the subcommand: `spooled jobs list --json`
  auto& o = ctx.options;
  if (const char* url = std::getenv("SPOOLED_API_URL")) o.apiUrl = url;
  if (const char* key = std::getenv("SPOOLED_API_KEY")) o.apiKey = key;
  app.add_option("--api-url", o.apiUrl, "Server root URL ($SPOOLED_API_URL, default http://localhost:8080)");
  app.add_option("--api-key", o.apiKey, "API key ($SPOOLED_API_KEY)");
  app.add_flag("--json", o.json, "Print JSON on stdout instead of tables");
  app.add_option("--color", o.color, "Colour: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--timeout", o.timeoutMs, "Per-request timeout in milliseconds")->check(CLI::Range(100, 600000));
  addStatusCommand(app, ctx);
  addJobsCommands(app, ctx);
  addQueuesCommands(app, ctx);
  addDlqCommands(app, ctx);
  addWorkersCommands(app, ctx);
  addKeysCommands(app, ctx);
  addWatchCommand(app, ctx);
  addWorkerCommand(app, ctx);
}

}  // namespace spooled::cli
