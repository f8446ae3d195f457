#include "server/store/store_condition.hpp"

#include <spdlog/spdlog.h>

namespace spooled::server {

void StoreCondition::fault(const std::string& reason, Reach reach) {
  {
    std::lock_guard lock(mutex_);
    if (fault_) return;
    fault_ = reason;
    faultReach_ = reach;
  }
  spdlog::critical("storage fault: {}. {} refused (503) until the server is restarted on intact files", reason,
                   reach == Reach::Writes ? "Writes are" : "Reads and writes are");
}

void StoreCondition::writeFailed(const std::string& reason) {
  bool wasFine = false;
  {
    std::lock_guard lock(mutex_);
    wasFine = !lastWriteFailure_;
    lastWriteFailure_ = reason;
  }
  if (wasFine) spdlog::error("writes fail: {}; readiness reports 503 until a commit succeeds", reason);
}

void StoreCondition::writeSucceeded() {
  bool wasFailing = false;
  {
    std::lock_guard lock(mutex_);
    wasFailing = lastWriteFailure_.has_value();
    lastWriteFailure_.reset();
  }
  if (wasFailing) spdlog::info("writes succeed again");
}

std::optional<std::string> StoreCondition::writeFault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

std::optional<std::string> StoreCondition::readFault() const {
  std::lock_guard lock(mutex_);
  return faultReach_ == Reach::ReadsAndWrites ? fault_ : std::nullopt;
}

std::optional<std::string> StoreCondition::writeProblem() const {
  std::lock_guard lock(mutex_);
  return fault_ ? fault_ : lastWriteFailure_;
}

}  // namespace spooled::server
