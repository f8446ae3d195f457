#pragma once
// Task<T>: the coroutine type of the server's request path. A request that waits — for its group
// commit, for a job to arrive (long-poll), later for an event — suspends instead of holding a thread;
// it costs its coroutine frame, a few hundred bytes.
//
// A Task is lazy: nothing runs until it is awaited (`co_await task`) or started with spawn(). When it
// finishes, the awaiting coroutine resumes on the same thread (symmetric transfer, so long chains do
// not grow the stack). An exception thrown inside a Task is rethrown from the co_await.
//
// Lifetimes: a coroutine's reference parameters must outlive it. Callers in this project await at
// once (the caller's frame stays alive), and spawn() takes its Task by value.
#include <condition_variable>
#include <coroutine>
#include <exception>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

namespace spooled {

template <typename T = void>
class Task;

namespace detail {

struct TaskPromiseBase {
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <typename Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> finished) noexcept {
      return finished.promise().continuation;
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr error;
};

template <typename T>
struct TaskPromise : TaskPromiseBase {
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& value) {
    result.emplace(std::forward<U>(value));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
  std::optional<T> result;
};

template <>
struct TaskPromise<void> : TaskPromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;
  using value_type = T;

  explicit Task(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  // Awaiting starts the task and resumes the awaiting coroutine when it finishes.
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    handle_.promise().continuation = awaiting;
    return handle_;
  }
  T await_resume() { return handle_.promise().take(); }

 private:
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {

template <typename T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

// A coroutine nobody awaits: runs at once and frees itself at the end.
struct Detached {
  struct promise_type {
    Detached get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }  // runDetached catches everything
  };
};

template <typename T, typename Done>
Detached runDetached(Task<T> task, Done done) {
  std::exception_ptr error;
  if constexpr (std::is_void_v<T>) {
    try {
      co_await std::move(task);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  } else {
    std::optional<T> value;
    try {
      value.emplace(co_await std::move(task));
    } catch (...) {
      error = std::current_exception();
    }
    done(std::move(value), error);
  }
}

}  // namespace detail

// Starts `task` on the calling thread. When it finishes, `done` runs on whichever thread finished it:
// done(std::optional<T> value, std::exception_ptr error) — exactly one of the two is set — or, for
// Task<void>, done(std::exception_ptr error). `done` must not throw.
template <typename T, typename Done>
void spawn(Task<T> task, Done done) {
  detail::runDetached(std::move(task), std::move(done));
}

// Runs `task` and blocks the calling thread until it finishes; returns its value or rethrows. For
// start-up, background loops, tools and tests — never on a thread that must resume the task.
template <typename T>
T syncWait(Task<T> task) {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
  auto finish = [&] {
    std::lock_guard lock(mutex);
    done = true;
    finished.notify_one();
  };
  if constexpr (std::is_void_v<T>) {
    spawn(std::move(task), [&](std::exception_ptr e) {
      error = e;
      finish();
    });
  } else {
    spawn(std::move(task), [&](std::optional<T> v, std::exception_ptr e) {
      value = std::move(v);
      error = e;
      finish();
    });
  }
  std::unique_lock lock(mutex);
  finished.wait(lock, [&] { return done; });
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) return std::move(*value);
}

}  // namespace spooled
