// Workers guide, "Long-Running Jobs": a 5-minute lease renewed every minute, so a job may run far
// longer than its lease. Processes `video-processing` jobs shaped {"videoUrl": "...", "seconds": 3}
// (seconds: how long the simulated encode takes). Reads SPOOLED_API_URL and SPOOLED_API_KEY;
// SIGTERM/SIGINT stop it (exit 0).
#include <spooled/spooled.hpp>

#include <iostream>

using namespace std::chrono_literals;

namespace {

// Stand-in for an encoder: works in one-second chunks, reporting progress and giving up early when
// the job stops being ours (lease lost, cancelled on the server, or shutdown gave up on it).
bool processVideo(spooled::JobContext& ctx, const std::string& videoUrl, int seconds) {
  std::cout << "Encoding " << videoUrl << std::endl;
  for (int done = 0; done < seconds; ++done) {
    if (ctx.waitCancelled(1s)) return false;
    ctx.progress(100.0 * (done + 1) / seconds, "encoded " + std::to_string(done + 1) + "s");
  }
  return true;
}

}  // namespace

int main() try {
  spooled::SpooledClient client;
  spooled::SpooledWorker worker(client, spooled::WorkerOptions{
                                            .queueName = "video-processing",
                                            .leaseDuration = 300s,     // 5 minute lease
                                            .heartbeatInterval = 60s,  // renew every minute
                                        });

  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    // The lease is renewed in the background while this runs; nothing to do here for it.
    const bool finished =
        processVideo(ctx, ctx.payload.value("videoUrl", "video.mp4"), ctx.payload.value("seconds", 3));
    if (!finished) {
      std::cout << "Job " << ctx.jobId << " cancelled; stopping early" << std::endl;
      return nullptr;  // discarded: a cancelled job's result is never submitted
    }
    return {{"processed", true}};
  });

  auto signals = spooled::stopOnSignals({&worker});
  worker.run();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "long_running: " << e.what() << std::endl;
  return 1;
}
