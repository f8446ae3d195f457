// spooled: the command line. Parses with CLI11 (src/cli/app.cpp builds the commands), then runs the
// chosen command and maps what it throws to the exit codes of docs/cli.md.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace spooled::cli;
  CliContext ctx(std::cout, std::cerr);
  CLI::App app{"spooled", "spooled"};
  buildApp(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here too, with exit code 0.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!ctx.action) return kExitUsage;
  try {
    return ctx.action();
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    return reportError(e, std::cerr);
  }
}
