#pragma once
// At most one rendering of a costly text at a time (the /metrics scrape): callers that arrive while
// one is being rendered wait for it and share its text instead of starting their own. So N concurrent
// scrapes cost one rendering and one copy of the text, not N. Sequential callers each get a fresh
// rendering. Thread-safe.
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace spooled::server {

class SingleFlight {
 public:
  // render()'s text, or the text of the rendering already in flight. An exception from render
  // reaches every caller that shared that rendering.
  std::shared_ptr<const std::string> run(const std::function<std::string()>& render);

  // How many times render() ran, and how many callers shared a rendering already in flight (tests).
  long long renders() const;
  long long joined() const;

 private:
  struct Flight {
    std::shared_ptr<const std::string> text;
    std::exception_ptr error;
    bool done = false;
  };

  mutable std::mutex mutex_;
  std::condition_variable landed_;
  std::shared_ptr<Flight> current_;  // guarded by mutex_; null when nothing is in flight
  long long renders_ = 0;            // guarded by mutex_
  long long joined_ = 0;             // guarded by mutex_
};

}  // namespace spooled::server
