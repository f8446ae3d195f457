// spooled watch [QUEUE]: a live view that redraws in place on a terminal; piped, one frame after
// another (one JSON line per frame with --json).
#include <signal.h>

#include <atomic>
#include <ctime>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/watch_source.hpp"

namespace spooled::cli {

namespace {

std::atomic<bool> stopWatching{false};

extern "C" void onWatchSignal(int) { stopWatching.store(true); }

std::string clock() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%H:%M:%S", std::localtime(&now));
  return text;
}

struct WatchArgs {
  std::optional<std::string> queue;
  int intervalMs = 1000;
  int count = 0;
};

int runWatch(CliContext& ctx, const WatchArgs& a) {
  stopWatching.store(false);
  struct sigaction action {};
  action.sa_handler = onWatchSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  const auto source = makeWatchSource(ctx.client(), a.queue, std::chrono::milliseconds(a.intervalMs));
  const bool redraw = ctx.stdoutIsTerminal() && !ctx.json();
  if (redraw) ctx.out() << "\x1b[?25l";  // hide the cursor while redrawing
  int frames = 0;
  int lastError = kExitOk;
  while (!stopWatching.load()) {
    std::ostringstream frame;
    try {
      const StatusSnapshot s = source->snapshot();
      lastError = kExitOk;
      if (ctx.json()) {
        json line = toJson(s);
        line["time"] = clock();
        frame << line.dump() << "\n";
      } else {
        printSnapshot(ctx, s, frame);
      }
    } catch (const std::exception& e) {
      // The server restarting is what one watches for: show it and keep polling.
      std::ostringstream err;
      lastError = reportError(e, err);
      if (ctx.json()) frame << json{{"time", clock()}, {"error", err.str()}}.dump() << "\n";
      else frame << ctx.paint(err.str(), ansi::red);
    }
    if (!ctx.json()) frame << "\n" << ctx.paint(clock() + "  " + source->describe() + "  (Ctrl-C to quit)", ansi::dim) << "\n";
    if (redraw) ctx.out() << "\x1b[H\x1b[2J";
    else if (!ctx.json() && frames > 0) ctx.out() << "\n";
    ctx.out() << frame.str() << std::flush;
    if (a.count > 0 && ++frames >= a.count) break;
    if (a.count <= 0) ++frames;
    if (!source->waitForChange(stopWatching)) break;
  }
  if (redraw) ctx.out() << "\x1b[?25h" << std::flush;
  return a.count > 0 ? lastError : kExitOk;
}

}  // namespace

bool PollingWatchSource::waitForChange(const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + interval_;
  while (std::chrono::steady_clock::now() < until) {
    if (stop.load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(interval_, std::chrono::milliseconds(50)));
  }
  return !stop.load();
}

std::string PollingWatchSource::describe() const { return "polling every " + std::to_string(interval_.count()) + " ms"; }

std::unique_ptr<WatchSource> makeWatchSource(SpooledClient& client, std::optional<std::string> queue,
                                             std::chrono::milliseconds interval) {
  // Realtime events: when the server's event stream exists, try it here and fall back to polling.
  return std::make_unique<PollingWatchSource>(client, std::move(queue), interval);
}

void addWatchCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<WatchArgs>();
  auto* cmd = app.add_subcommand("watch", "Live view of queues and workers, redrawn in place");
  cmd->add_option("queue", args->queue, "Only this queue");
  cmd->add_option("-i,--interval", args->intervalMs, "Milliseconds between frames")->check(CLI::Range(100, 3600000));
  cmd->add_option("-n,--count", args->count, "Stop after this many frames (default: until Ctrl-C)");
  cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return runWatch(ctx, *args); }; });
}

}  // namespace spooled::cli
