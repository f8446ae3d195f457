#pragma once
// Where `spooled watch` gets its frames. Today: PollingWatchSource reads a snapshot every interval.
// The seam: a source fed by the server's realtime event stream (being built) would implement the
// same interface, return early from waitForChange() when an event arrives, and be chosen by
// makeWatchSource() when the server offers the stream; the drawing loop stays as it is.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/status_snapshot.hpp"

namespace spooled::cli {

class WatchSource {
 public:
  virtual ~WatchSource() = default;
  // The current state. Throws what the SDK throws.
  virtual StatusSnapshot snapshot() = 0;
  // Blocks until it is time for the next frame (interval passed, or something changed); returns
  // false at once when `stop` becomes true.
  virtual bool waitForChange(const std::atomic<bool>& stop) = 0;
  // "polling every 1000 ms", for the frame's footer.
  virtual std::string describe() const = 0;
};

class PollingWatchSource : public WatchSource {
 public:
  PollingWatchSource(SpooledClient& client, std::optional<std::string> queue, std::chrono::milliseconds interval)
      : client_(client), queue_(std::move(queue)), interval_(interval) {}
  StatusSnapshot snapshot() override { return takeSnapshot(client_, queue_); }
  bool waitForChange(const std::atomic<bool>& stop) override;
  std::string describe() const override;

 private:
  SpooledClient& client_;
  std::optional<std::string> queue_;
  std::chrono::milliseconds interval_;
};

std::unique_ptr<WatchSource> makeWatchSource(SpooledClient& client, std::optional<std::string> queue,
                                             std::chrono::milliseconds interval);

}  // namespace spooled::cli
