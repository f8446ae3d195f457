#include "support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace spooled::test {

namespace fs = std::filesystem;

ChildProcess::ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env) {
  std::string pattern = (fs::temp_directory_path() / "spooled-child-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  logPath_ = dir_ + "/output.log";
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  // The environment is built before fork: the child of a multi-threaded parent may only make
  // async-signal-safe calls, which setenv is not.
  std::vector<std::string> envText;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string line = *entry;
    if (!env.contains(line.substr(0, line.find('=')))) envText.push_back(line);
  }
  for (const auto& [key, value] : env) envText.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& line : envText) envp.push_back(line.data());
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls until exec: the parent may have threads.
    const int out = ::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0) ::_exit(126);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  if (!exitCode_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitExit(std::chrono::seconds(10));
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void ChildProcess::signal(int signal) {
  if (!exitCode_ && pid_ > 0) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::waitExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exitCode_) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (r < 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exitCode_;
}

bool ChildProcess::waitForOutput(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (output().find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ChildProcess::output() const {
  std::ifstream in(logPath_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string selfExecutable() { return fs::read_symlink("/proc/self/exe").string(); }

}  // namespace spooled::test
