#pragma once
// What a store knows about its own ability to read and write, for readiness and for refusing work it
// cannot do. Thread-safe; never does I/O. Two kinds of trouble:
// - a fault, which only a restart clears (the database files were replaced under the server, or SQLite
//   was interrupted by SIGBUS): like leveldb's bg_error_, it is sticky, and every later write (and, for
//   a fault that reaches reads, every later read) is refused at once;
// - the latest commit's failure (a locked file, a full disk), cleared by the next commit that succeeds.
#include <mutex>
#include <optional>
#include <string>

namespace spooled::server {

class StoreCondition {
 public:
  enum class Reach { Writes, ReadsAndWrites };

  // Records a fault; the first one wins and is logged once, at error level.
  void fault(const std::string& reason, Reach reach);
  void writeFailed(const std::string& reason);  // logged when writes were succeeding until now
  void writeSucceeded();                        // logged when writes were failing until now

  // Why writes are refused for good, if they are.
  std::optional<std::string> writeFault() const;
  // Why reads are refused for good, if they are.
  std::optional<std::string> readFault() const;
  // Why writes fail: the fault, else the latest commit's failure; nullopt when they succeed.
  std::optional<std::string> writeProblem() const;

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> fault_;
  Reach faultReach_ = Reach::Writes;
  std::optional<std::string> lastWriteFailure_;
};

}  // namespace spooled::server
