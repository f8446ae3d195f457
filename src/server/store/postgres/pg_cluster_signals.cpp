#include "server/store/postgres/pg_cluster_signals.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <sstream>

#include "common/ids.hpp"

namespace spooled::server {

namespace {

constexpr const char* kChannel = "spooled_ready";
constexpr const char* kDutyLock = "7305129845202";  // any fixed number, one per database
constexpr auto kRetry = std::chrono::milliseconds(500);

}  // namespace

PgClusterSignals::PgClusterSignals(std::string url) : url_(std::move(url)), instance_(randomHex(8)) {
  listener_ = std::thread([this] { listenLoop(); });
  publisher_ = std::thread([this] { publishLoop(); });
}

PgClusterSignals::~PgClusterSignals() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  listener_.join();
  publisher_.join();
}

void PgClusterSignals::publishReady(const std::string& orgId, const std::string& queueName, std::size_t count) {
  {
    std::lock_guard lock(mutex_);
    pending_[{orgId, queueName}] += count;
  }
  wake_.notify_all();
}

void PgClusterSignals::onReady(ReadyFn fn) {
  std::lock_guard lock(callbackMutex_);  // waits for a call in progress, so the old fn's owner may go
  onReady_ = std::move(fn);
}

void PgClusterSignals::publishLoop() {
  std::unique_ptr<PgConnection> conn;
  for (;;) {
    std::map<std::pair<std::string, std::string>, std::size_t> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      batch.swap(pending_);
    }
    try {
      if (!conn || conn->broken()) conn = std::make_unique<PgConnection>(url_);
      // The payload: instance, organization, queue, count, separated by newlines (names have none).
      for (const auto& [queue, count] : batch)
        conn->query("SELECT pg_notify($1, $2)",
                    {std::string(kChannel),
                     instance_ + "\n" + queue.first + "\n" + queue.second + "\n" + std::to_string(count)});
    } catch (const std::exception& e) {
      // Lost wake-ups only delay claims until the next probe (a second); nothing waits for them.
      spdlog::debug("cluster wake-up not sent: {}", e.what());
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kRetry, [&] { return stopping_; });
    }
  }
}

void PgClusterSignals::listenLoop() {
  std::unique_ptr<PgConnection> conn;
  auto stopping = [&] {
    std::lock_guard lock(mutex_);
    return stopping_;
  };
  while (!stopping()) {
    try {
      if (!conn || conn->broken()) {
        conn = std::make_unique<PgConnection>(url_);
        conn->exec(std::string("LISTEN ") + kChannel);
      }
      pollfd fd{PQsocket(conn->raw()), POLLIN, 0};
      if (::poll(&fd, 1, 200) > 0 && PQconsumeInput(conn->raw()) == 0)
        throw PgError("listener connection lost", "", true);
      while (PGnotify* note = PQnotifies(conn->raw())) {
        std::istringstream in(note->extra ? note->extra : "");
        PQfreemem(note);
        std::string instance, org, queue, count;
        if (!std::getline(in, instance) || !std::getline(in, org) || !std::getline(in, queue) ||
            !std::getline(in, count) || instance == instance_)
          continue;
        std::lock_guard lock(callbackMutex_);
        if (onReady_) onReady_(org, queue, static_cast<std::size_t>(std::stoull(count)));
      }
    } catch (const std::exception& e) {
      spdlog::debug("cluster listener: {}", e.what());
      conn.reset();
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kRetry, [&] { return stopping_; });
    }
  }
}

bool PgClusterSignals::holdsDuties() {
  std::lock_guard lock(dutyMutex_);
  try {
    if (!duty_ || duty_->broken()) {
      holding_ = false;
      duty_ = std::make_unique<PgConnection>(url_);
    }
    if (holding_) {
      duty_->exec("SELECT 1");  // still connected, so still holding the lock
      return true;
    }
    holding_ = duty_->queryText(std::string("SELECT pg_try_advisory_lock(") + kDutyLock + ")") == "t";
    if (holding_) spdlog::info("this server now runs the cluster's background duties");
    return holding_;
  } catch (const std::exception& e) {
    spdlog::warn("cluster duty lock: {}", e.what());
    holding_ = false;
    duty_.reset();
    return false;
  }
}

}  // namespace spooled::server
