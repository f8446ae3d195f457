// spooled-server: thin main. Flags and environment -> ServerConfig; SIGTERM/SIGINT -> graceful stop.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <iostream>

#include "server/open_file_limit.hpp"
#include "server/server_app.hpp"

int main(int argc, char** argv) {
  using namespace spooled::server;
  ServerConfig config;
  if (const int exitCode = parseServerConfig(argc, argv, config); exitCode >= 0) return exitCode;

  // Logs go to stderr so stdout carries only what a user must copy (a generated API key).
  spdlog::set_default_logger(spdlog::stderr_color_mt("spooled"));
  spdlog::set_level(spdlog::level::from_str(config.logLevel));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  // Block the stop signals before any thread starts, so every thread inherits the mask and only the
  // sigwait below receives them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  // A client hanging up mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  // Connections cost descriptors: use what the hard limit allows (--max-connections stays below it).
  const std::uint64_t fileLimit = raiseOpenFileLimit();
  spdlog::debug("open-file limit: {}", fileLimit);
  // Nor a file-size limit (ulimit -f): the write that crosses it fails with EFBIG, which the store turns
  // into a 503, instead of the process dying of SIGXFSZ.
  signal(SIGXFSZ, SIG_IGN);
  // Each request allocates and frees a few kilobytes on whichever thread serves it; with glibc's
  // default, freeing the top of a thread's heap hands it back to the kernel (madvise) and the next
  // request takes it again: a profile of the drain showed 7% of the server's time in that. Keep up
  // to 64 MiB of freed memory per heap instead.
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TOP_PAD, 4 * 1024 * 1024);

  ServerApp app(config);
  int port = 0;
  try {
    port = app.start(std::cout);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
  const bool v6 = config.host.find(':') != std::string::npos;
  spdlog::info("listening on http://{}{}{}:{}", v6 ? "[" : "", config.host, v6 ? "]" : "", port);

  int signalNumber = 0;
  sigwait(&stopSignals, &signalNumber);
  spdlog::info("received {}: no new connections; finishing requests in flight", strsignal(signalNumber));
  app.stop();
  spdlog::info("stopped");
  return 0;
}
