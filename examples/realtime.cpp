// Live events: print every event of one queue (default `emails`) as it happens, or, with a job id as
// the second argument, one job's events until it ends. The stream reconnects by itself when the server
// restarts. Reads SPOOLED_API_URL and SPOOLED_API_KEY; SIGTERM/SIGINT stop it (exit 0).
//
//   ./realtime emails            # the queue's events
//   ./realtime emails <job-id>   # one job, until it completes, fails for good or is cancelled
#include <spooled/spooled.hpp>

#include <pthread.h>

#include <csignal>
#include <iostream>

int main(int argc, char** argv) try {
  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  spooled::SpooledClient client;
  spooled::RealtimeOptions options;
  options.queue = argc > 1 ? argv[1] : "emails";
  if (argc > 2) options.jobId = argv[2];

  auto stream = client.realtime().connect(
      options, {.onEvent =
                    [](const spooled::RealtimeEvent& e) {
                      std::cout << e.name << " " << e.data.dump() << std::endl;  // e.g. job.completed {...}
                    },
                .onStateChange =
                    [](spooled::RealtimeState state, const std::string& reason) {
                      const char* names[] = {"connecting", "connected", "reconnecting", "closed"};
                      std::cout << "[" << names[static_cast<int>(state)] << "] " << reason << std::endl;
                    }});

  // Until a stop signal; a one-job stream also ends by itself once the job has ended.
  const timespec tick{0, 100'000'000};
  while (sigtimedwait(&stopSignals, nullptr, &tick) < 0) {
    if (options.jobId && stream->state() == spooled::RealtimeState::Closed) break;
  }
  stream->close();
  return 0;
} catch (const spooled::SpooledError& e) {
  std::cerr << "error: " << e.what() << std::endl;
  return 1;
}
