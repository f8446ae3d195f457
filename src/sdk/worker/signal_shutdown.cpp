// SignalShutdown: the self-pipe trick. The only thing a signal handler may safely do here is
// write(2); everything else (stop(), which locks mutexes) happens on a watcher thread.
#include "spooled/signal_shutdown.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "spooled/worker.hpp"

namespace spooled {

namespace {

// Write end of the active watcher's pipe, -1 when none. Lock-free, so reading it in a signal
// handler is safe.
std::atomic<int> activeWriteFd{-1};
static_assert(std::atomic<int>::is_always_lock_free);

std::mutex activeMutex;
bool watcherAlive = false;  // guarded by activeMutex

// A byte the watcher reads as "exit", never a signal number.
constexpr unsigned char kQuitByte = 0;

extern "C" void forwardSignal(int signal) {
  const int savedErrno = errno;
  const int fd = activeWriteFd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const auto byte = static_cast<unsigned char>(signal);
    // If the pipe is full, signals are already queued for the watcher; dropping this one is fine.
    [[maybe_unused]] const ssize_t written = ::write(fd, &byte, 1);
  }
  errno = savedErrno;
}

[[noreturn]] void throwErrno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

namespace detail {

class SignalWatcher {
 public:
  SignalWatcher(std::vector<SpooledWorker*> workers, SignalShutdown::Callback onSignal, std::vector<int> signals)
      : workers_(std::move(workers)), onSignal_(std::move(onSignal)), signals_(std::move(signals)) {
    {
      const std::lock_guard lock(activeMutex);
      if (watcherAlive) throw std::logic_error("only one SignalShutdown may be alive at a time");
      watcherAlive = true;
    }
    try {
      install();
    } catch (...) {
      uninstall();
      throw;
    }
  }

  ~SignalWatcher() { uninstall(); }

  bool triggered() const noexcept { return firstSignal_.load() != 0; }
  int signal() const noexcept { return firstSignal_.load(); }

 private:
  void install() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throwErrno("pipe2");
    // A signal handler must never block on a full pipe.
    if (::fcntl(fds_[1], F_SETFL, O_NONBLOCK) != 0) throwErrno("fcntl");
    activeWriteFd.store(fds_[1]);
    thread_ = std::thread([this] { watch(); });
    struct sigaction action {};
    action.sa_handler = forwardSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    previous_.resize(signals_.size());
    for (std::size_t i = 0; i < signals_.size(); ++i) {
      if (::sigaction(signals_[i], &action, &previous_[i]) != 0) throwErrno("sigaction");
      ++installed_;
    }
  }

  void uninstall() noexcept {
    for (std::size_t i = 0; i < installed_; ++i) ::sigaction(signals_[i], &previous_[i], nullptr);
    installed_ = 0;
    activeWriteFd.store(-1);
    if (thread_.joinable()) {
      const unsigned char quit = kQuitByte;
      while (::write(fds_[1], &quit, 1) < 0 && errno == EINTR) {
      }
      thread_.join();
    }
    for (int& fd : fds_) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
    const std::lock_guard lock(activeMutex);
    watcherAlive = false;
  }

  void watch() noexcept {
    for (;;) {
      unsigned char byte = 0;
      const ssize_t n = ::read(fds_[0], &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || byte == kQuitByte) return;
      handle(byte);
    }
  }

  void handle(int signal) noexcept {
    int none = 0;
    firstSignal_.compare_exchange_strong(none, signal);
    if (onSignal_) {
      try {
        onSignal_(signal);
      } catch (...) {
      }
    }
    for (SpooledWorker* worker : workers_) {
      try {
        if (worker != nullptr) worker->stop(signalName(signal) + " received");
      } catch (...) {
      }
    }
  }

  const std::vector<SpooledWorker*> workers_;
  const SignalShutdown::Callback onSignal_;
  const std::vector<int> signals_;
  std::vector<struct sigaction> previous_;
  std::size_t installed_ = 0;
  int fds_[2] = {-1, -1};
  std::thread thread_;
  std::atomic<int> firstSignal_{0};
};

}  // namespace detail

SignalShutdown::SignalShutdown(std::vector<SpooledWorker*> workers, Callback onSignal, std::vector<int> signals)
    : watcher_(std::make_unique<detail::SignalWatcher>(std::move(workers), std::move(onSignal), std::move(signals))) {}

SignalShutdown::~SignalShutdown() = default;

bool SignalShutdown::triggered() const noexcept { return watcher_->triggered(); }

int SignalShutdown::signal() const noexcept { return watcher_->signal(); }

SignalShutdown stopOnSignals(std::vector<SpooledWorker*> workers, SignalShutdown::Callback onSignal) {
  return SignalShutdown(std::move(workers), std::move(onSignal));
}

std::string signalName(int signal) {
  switch (signal) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return "signal " + std::to_string(signal);
  }
}

}  // namespace spooled
