#pragma once
// ClusterSignals on PostgreSQL. Each has a connection of its own:
// - the listener LISTENs on "spooled_ready" (wake-ups) and "spooled_events" (live events) and hands
//   messages to the callbacks (one thread; it reconnects by itself after the database comes back);
// - the publisher sends the NOTIFYs that publishReady and publishEvent queue, in the order they were
//   queued (one thread, so request threads never wait). Everything queued while it was busy goes out
//   in one transaction, live events packed several to a payload;
// - the duty connection holds a session advisory lock while this process does the cluster's
//   background duties. When the process dies its connection ends and PostgreSQL frees the lock, so
//   another process takes the duties at its next tick;
// - the rate connection (pg_rate_buckets.cpp) exchanges request-rate uses for shared bucket levels.
//
// Order: NOTIFYs reach every listener in the order their transactions committed, and this process's
// own events come back through the database too, so all servers see one order of events. A job's
// created event is queued before the wake-up that lets another server claim it (core emits first).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/store/cluster_event_barrier.hpp"
#include "server/store/postgres/pg_connection.hpp"
#include "server/store/store.hpp"

namespace spooled::server {

class PgClusterSignals final : public ClusterSignals, public ClusterEventBarrier {
 public:
  // presenceInterval: how often this process announces that it has live-event subscribers.
  PgClusterSignals(std::string url, std::chrono::milliseconds presenceInterval);
  ~PgClusterSignals() override;

  void publishReady(const std::string& orgId, const std::string& queueName, std::size_t count) override;
  void onReady(ReadyFn fn) override;
  bool holdsDuties() override;
  std::vector<double> syncRateBuckets(const std::vector<BucketUse>& uses) override;
  void publishEvent(std::string message) override;
  void onEvent(EventFn fn) override;
  bool whenEventsSent(std::function<void()> done) override;
  void watchListeners(std::function<bool()> hasListeners) override;
  void listenerJoined() override;
  bool relayEvents() override;

 private:
  enum class Kind { WakeUp, Event, Presence };
  struct Outgoing {
    Kind kind = Kind::WakeUp;
    std::string body;       // event: the message; wake-up: "org\nqueue"; presence: empty
    std::size_t count = 0;  // wake-up: jobs
  };
  using Clock = std::chrono::steady_clock;
  void listenLoop();
  void publishLoop();
  // The statements that send `batch` as NOTIFYs in its order (spilling oversized events to a table).
  std::string notifySql(PgConnection& conn, const std::deque<Outgoing>& batch);
  void receiveEvents(PgConnection& conn, const std::string& payload);
  void deliverLocally(const std::deque<Outgoing>& batch);
  // Marks the events up to `queued` as sent and calls the waiters that were waiting for no more.
  void eventsSentUpTo(std::uint64_t queued);
  // Listener thread, each turn: announces this process while it has (or lately had) subscribers.
  void announceIfListening(Clock::time_point now);
  void queuePresence(Clock::time_point now);  // under mutex_

  const std::string url_;
  const std::string instance_;  // this process's wake-ups carry it, so the listener skips them
  std::uint64_t payloadSeq_ = 0;  // publisher thread only: makes every payload distinct

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<Outgoing> pending_;
  std::uint64_t eventsQueued_ = 0;  // events ever queued
  std::uint64_t eventsSent_ = 0;    // of those, sent or given up on
  std::vector<std::pair<std::uint64_t, std::function<void()>>> sentWaiters_;  // (eventsQueued_ then, done)
  // Presence (under mutex_).
  const std::chrono::milliseconds presenceInterval_;
  Clock::time_point askedAt_{};  // when this process first asked who has subscribers
  Clock::time_point othersListenUntil_{};  // another process announced subscribers lately
  Clock::time_point lastAnnounced_{};
  Clock::time_point lastLocalListener_{};
  std::function<bool()> hasListeners_;  // under callbackMutex_
  std::mutex callbackMutex_;  // held while onReady_ or onEvent_ runs
  ReadyFn onReady_;
  EventFn onEvent_;

  std::mutex dutyMutex_;
  std::unique_ptr<PgConnection> duty_;
  bool holding_ = false;

  std::mutex rateMutex_;
  std::unique_ptr<PgConnection> rate_;

  std::thread listener_;
  std::thread publisher_;
};

}  // namespace spooled::server
