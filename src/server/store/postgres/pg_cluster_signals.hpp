#pragma once
// ClusterSignals on PostgreSQL. Each has a connection of its own:
// - the listener LISTENs on channel "spooled_ready" and hands messages from other processes to the
//   ReadyFn (one thread; it reconnects by itself after the database comes back);
// - the publisher sends NOTIFYs queued by publishReady (one thread, so request threads never wait;
//   counts for one queue that pile up while it is busy go out as one message);
// - the duty connection holds a session advisory lock while this process does the cluster's
//   background duties. When the process dies its connection ends and PostgreSQL frees the lock, so
//   another process takes the duties at its next tick.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/store/postgres/pg_connection.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class PgClusterSignals final : public ClusterSignals {
 public:
  explicit PgClusterSignals(std::string url);
  ~PgClusterSignals() override;

  void publishReady(const std::string& orgId, const std::string& queueName, std::size_t count) override;
  void onReady(ReadyFn fn) override;
  bool holdsDuties() override;

 private:
  void listenLoop();
  void publishLoop();

  const std::string url_;
  const std::string instance_;  // this process's messages carry it, so the listener skips them

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::pair<std::string, std::string>, std::size_t> pending_;  // (org, queue) -> jobs
  std::mutex callbackMutex_;  // held while onReady_ runs
  ReadyFn onReady_;

  std::mutex dutyMutex_;
  std::unique_ptr<PgConnection> duty_;
  bool holding_ = false;

  std::thread listener_;
  std::thread publisher_;
};

}  // namespace spooled::server
