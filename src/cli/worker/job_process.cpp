#include "cli/worker/job_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace spooled::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  return {fds[0], fds[1]};
}

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Splits stderr into lines for the hook and keeps the tail of what the hook did not consume.
class StderrSink {
 public:
  StderrSink(const JobProcessSpec& spec, const JobProcessHooks& hooks) : spec_(spec), hooks_(hooks) {}

  void feed(const char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      if (data[i] == '\n') {
        endLine();
      } else if (!skipping_) {
        line_ += data[i];
        if (line_.size() > spec_.maxLineBytes) {  // not a progress line: keep it only as tail text
          keep(line_);
          line_.clear();
          skipping_ = true;
        }
      } else {
        tail_ += data[i];
      }
    }
    trim();
  }

  std::string finish() {
    if (!line_.empty()) keep(line_);
    trim();
    if (tail_.size() > spec_.stderrTailBytes) tail_.erase(0, tail_.size() - spec_.stderrTailBytes);
    return tail_;
  }

 private:
  void endLine() {
    if (skipping_) {
      tail_ += '\n';
      skipping_ = false;
      return;
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    const bool consumed = hooks_.onStderrLine && hooks_.onStderrLine(line_);
    if (!consumed) keep(line_ + "\n");
    line_.clear();
  }
  void keep(const std::string& text) { tail_ += text; }
  void trim() {
    if (tail_.size() > 2 * spec_.stderrTailBytes) tail_.erase(0, tail_.size() - spec_.stderrTailBytes);
  }

  const JobProcessSpec& spec_;
  const JobProcessHooks& hooks_;
  std::string line_;
  std::string tail_;
  bool skipping_ = false;
};

pid_t spawn(const JobProcessSpec& spec, const Pipe& in, const Pipe& out, const Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a terminal's Ctrl-C reaches only the worker, which decides, and a stop
  // reaches the program's own children too (kill(-pgid)).
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;  // the worker ignores SIGPIPE; the program gets the usual dispositions
  sigemptyset(&defaults);
  for (const int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "cannot start " + spec.argv[0]);
  return pid;
}

}  // namespace

JobProcessOutcome runJobProcess(const JobProcessSpec& spec, const JobProcessHooks& hooks) {
  Pipe in = makePipe(), out, err;
  try {
    out = makePipe();
    err = makePipe();
  } catch (...) {
    closeFd(in.read), closeFd(in.write), closeFd(out.read), closeFd(out.write);
    throw;
  }
  pid_t pid = -1;
  try {
    pid = spawn(spec, in, out, err);
  } catch (...) {
    for (int* fd : {&in.read, &in.write, &out.read, &out.write, &err.read, &err.write}) closeFd(*fd);
    throw;
  }
  closeFd(in.read), closeFd(out.write), closeFd(err.write);
  for (const int fd : {in.write, out.read, err.read}) setNonBlocking(fd);

  JobProcessOutcome outcome;
  StderrSink sink(spec, hooks);
  std::size_t written = 0;
  if (spec.stdinData.empty()) closeFd(in.write);
  bool exited = false;
  Clock::time_point exitedAt{}, killAt{};
  bool termSent = false, killSent = false;
  char buffer[65536];

  auto drain = [&](int& fd, bool isStdout) {
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n > 0) {
        const auto size = static_cast<std::size_t>(n);
        if (isStdout) {
          outcome.stdoutBytes += size;
          if (outcome.stdoutText.size() < spec.maxStdoutBytes)
            outcome.stdoutText.append(buffer, std::min(size, spec.maxStdoutBytes - outcome.stdoutText.size()));
        } else {
          sink.feed(buffer, size);
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      closeFd(fd);  // EOF or error
      return;
    }
  };

  for (;;) {
    pollfd fds[3];
    nfds_t count = 0;
    if (in.write >= 0) fds[count++] = {in.write, POLLOUT, 0};
    if (out.read >= 0) fds[count++] = {out.read, POLLIN, 0};
    if (err.read >= 0) fds[count++] = {err.read, POLLIN, 0};
    if (count > 0) {
      ::poll(fds, count, exited ? 20 : 100);
    } else if (!exited) {
      ::usleep(20000);  // every pipe closed, the program still running: just wait for its exit
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.write) {
        while (in.write >= 0 && written < spec.stdinData.size()) {
          const ssize_t n = ::write(in.write, spec.stdinData.data() + written, spec.stdinData.size() - written);
          if (n > 0) written += static_cast<std::size_t>(n);
          else if (n < 0 && errno == EINTR) continue;
          else if (n < 0 && errno == EAGAIN) break;
          else closeFd(in.write);  // EPIPE: it closed stdin without reading it all, which is its right
        }
        if (written >= spec.stdinData.size()) closeFd(in.write);
      } else if (fds[i].fd == out.read) {
        drain(out.read, true);
      } else if (fds[i].fd == err.read) {
        drain(err.read, false);
      }
    }
    const auto now = Clock::now();
    if (!exited) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        exitedAt = now;
        if (WIFEXITED(status)) outcome.exitCode = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
        closeFd(in.write);
      }
    }
    if (exited) {
      // Its output is read to the end; a background grandchild that keeps the pipes open does not
      // hold the job beyond a short grace.
      if ((out.read < 0 && err.read < 0) || now - exitedAt > std::chrono::milliseconds(300)) break;
      continue;
    }
    if (!termSent && hooks.shouldStop && hooks.shouldStop()) {
      ::kill(-pid, SIGTERM);
      termSent = true;
      outcome.stopped = true;
      killAt = now + spec.killGrace;
    } else if (termSent && !killSent && now >= killAt) {
      ::kill(-pid, SIGKILL);
      killSent = true;
    }
  }
  for (int* fd : {&in.write, &out.read, &err.read}) closeFd(*fd);
  outcome.stderrTail = sink.finish();
  return outcome;
}

std::string findProgram(const std::string& name) {
  auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return executable(name) ? name : std::string();
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    if (executable(dir + "/" + name)) return dir + "/" + name;
    start = end + 1;
  }
  return {};
}

}  // namespace spooled::cli
