#include "support/cli_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace spooled::test {

namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

json CliResult::jsonOut() const {
  json value = json::parse(out, nullptr, false);
  if (value.is_discarded()) throw std::runtime_error("stdout is not JSON:\n" + describe());
  return value;
}

std::string CliResult::describe() const { return "exit " + std::to_string(exitCode) + "\nstdout:\n" + out + "\nstderr:\n" + err; }

CliResult runCli(const CliEnv& env, const std::vector<std::string>& args, const std::string& stdinText,
                 const std::map<std::string, std::string>& extra, std::chrono::milliseconds timeout) {
  std::string pattern = (fs::temp_directory_path() / "spooled-cli-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  const std::string dir = pattern;
  {
    std::ofstream in(dir + "/in");
    in << stdinText;
  }
  std::vector<std::string> argv = {SPOOLED_CLI_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> vars = extra;
  std::vector<std::string> envText;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string line = *entry;
    const std::string key = line.substr(0, line.find('='));
    if (key == "SPOOLED_API_URL" || key == "SPOOLED_API_KEY" || key == "NO_COLOR" || vars.contains(key)) continue;
    envText.push_back(line);
  }
  if (!env.apiUrl.empty()) envText.push_back("SPOOLED_API_URL=" + env.apiUrl);
  if (!env.apiKey.empty()) envText.push_back("SPOOLED_API_KEY=" + env.apiKey);
  for (const auto& [k, v] : vars) envText.push_back(k + "=" + v);
  std::vector<char*> cargs, cenv;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  for (auto& e : envText) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  const std::string inPath = dir + "/in", outPath = dir + "/out", errPath = dir + "/err";
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = ::open(inPath.c_str(), O_RDONLY);
    const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(cargs[0], cargs.data(), cenv.data());
    ::_exit(127);
  }
  CliResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.out = slurp(outPath);
  result.err = slurp(errPath);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return result;
}

}  // namespace spooled::test
