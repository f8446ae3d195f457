#pragma once
// At most one rendering of a costly text at a time (the /metrics scrape): callers that arrive while
// one is being rendered wait for it and share its text instead of starting their own. So N concurrent
// scrapes cost one rendering and one copy of the text, not N. Sequential callers each get a fresh
// rendering. Thread-safe.
//
// A caller that waits is a suspended coroutine, not a blocked thread: the server runs on as many
// threads as cores, and two scrapes waiting on two threads would stop it for the whole rendering.
#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/task.hpp"

namespace spooled::server {

class SingleFlight {
 public:
  using Text = std::shared_ptr<const std::string>;

  // `co_await share(render)`: render()'s text, or the text of the rendering already in flight. An
  // exception from render reaches every caller that shared that rendering. The callers that waited
  // continue on the thread that rendered, one after another, once it is done.
  Task<Text> share(std::function<std::string()> render);

  // How many times render() ran, and how many callers shared a rendering already in flight (tests).
  long long renders() const;
  long long joined() const;

 private:
  struct Flight {
    Text text;
    std::exception_ptr error;
    bool done = false;                             // guarded by the SingleFlight's mutex_
    std::vector<std::coroutine_handle<>> waiting;  // guarded by the SingleFlight's mutex_
  };
  // Suspends a caller until its flight has landed (or does not suspend if it already has).
  struct Landed {
    SingleFlight& owner;
    Flight& flight;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> handle);
    void await_resume() const noexcept {}
  };

  void land(const std::shared_ptr<Flight>& flight);

  mutable std::mutex mutex_;
  std::shared_ptr<Flight> current_;  // guarded by mutex_; null when nothing is in flight
  long long renders_ = 0;            // guarded by mutex_
  long long joined_ = 0;             // guarded by mutex_
};

}  // namespace spooled::server
