#include "server/store/postgres/pg_cluster_signals.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "common/ids.hpp"

namespace spooled::server {

namespace {

constexpr const char* kReadyChannel = "spooled_ready";
constexpr const char* kEventChannel = "spooled_events";
constexpr const char* kListenerChannel = "spooled_listeners";  // presence: payload is the instance
// A process just started relays everything until this long after it asked who has subscribers (when
// its listener connected): the answers arrive within it (each is one NOTIFY hop).
constexpr auto kAnswersWithin = std::chrono::milliseconds(500);
constexpr const char* kDutyLock = "7305129845202";  // any fixed number, one per database
constexpr auto kRetry = std::chrono::milliseconds(500);
// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. Events are packed up to kPackBytes per
// payload; one bigger than kSpillAbove goes to a table and travels as a reference.
constexpr std::size_t kPackBytes = 7600;
constexpr std::size_t kSpillAbove = 7400;

std::string literal(PgConnection& conn, const std::string& text) {
  char* escaped = PQescapeLiteral(conn.raw(), text.data(), text.size());
  if (escaped == nullptr) throw PgError("cannot quote a NOTIFY payload", "", conn.broken());
  std::string out(escaped);
  PQfreemem(escaped);
  return out;
}

}  // namespace

PgClusterSignals::PgClusterSignals(std::string url, std::chrono::milliseconds presenceInterval)
    : url_(std::move(url)), instance_(randomHex(8)), presenceInterval_(presenceInterval) {
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
  eventsSentUpTo(eventsQueued_);  // nobody waits for what will never be sent
}

void PgClusterSignals::publishReady(const std::string& orgId, const std::string& queueName, std::size_t count) {
  {
    std::lock_guard lock(mutex_);
    std::string key = orgId + "\n" + queueName;
    // Wake-ups for one queue queued back to back go out as one message.
    if (!pending_.empty() && pending_.back().kind == Kind::WakeUp && pending_.back().body == key)
      pending_.back().count += count;
    else
      pending_.push_back(Outgoing{Kind::WakeUp, std::move(key), count});
  }
  wake_.notify_all();
}

void PgClusterSignals::publishEvent(std::string message) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(Outgoing{Kind::Event, std::move(message), 0});
    ++eventsQueued_;
  }
  wake_.notify_all();
}

bool PgClusterSignals::whenEventsSent(std::function<void()> done) {
  std::lock_guard lock(mutex_);
  if (eventsSent_ >= eventsQueued_) return true;
  sentWaiters_.emplace_back(eventsQueued_, std::move(done));
  return false;
}

void PgClusterSignals::eventsSentUpTo(std::uint64_t queued) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mutex_);
    eventsSent_ = std::max(eventsSent_, queued);
    std::erase_if(sentWaiters_, [&](auto& waiter) {
      if (waiter.first > eventsSent_) return false;
      ready.push_back(std::move(waiter.second));
      return true;
    });
  }
  for (auto& done : ready) done();
}

void PgClusterSignals::onReady(ReadyFn fn) {
  std::lock_guard lock(callbackMutex_);  // waits for a call in progress, so the old fn's owner may go
  onReady_ = std::move(fn);
}

void PgClusterSignals::onEvent(EventFn fn) {
  std::lock_guard lock(callbackMutex_);
  onEvent_ = std::move(fn);
}

std::string PgClusterSignals::notifySql(PgConnection& conn, const std::deque<Outgoing>& batch) {
  std::string sql;
  std::string packed;
  auto flushEvents = [&] {
    if (packed.empty()) return;
    const std::string payload = instance_ + "-" + std::to_string(++payloadSeq_) + "\n" + packed;
    sql += std::string("SELECT pg_notify('") + kEventChannel + "', " + literal(conn, payload) + ");";
    packed.clear();
  };
  for (const Outgoing& item : batch) {
    if (item.kind == Kind::Presence) {  // an announcement, or with body "?" a question
      flushEvents();
      sql += std::string("SELECT pg_notify('") + kListenerChannel + "', " + literal(conn, item.body + instance_) + ");";
      continue;
    }
    if (item.kind == Kind::WakeUp) {
      flushEvents();
      // The payload: instance, organization, queue, count, separated by newlines (names have none).
      const std::string payload = instance_ + "\n" + item.body + "\n" + std::to_string(item.count);
      sql += std::string("SELECT pg_notify('") + kReadyChannel + "', " + literal(conn, payload) + ");";
      continue;
    }
    // Records: 'm' <length> ':' <message>, or 'r' <length> ':' <spill row id>.
    std::string record;
    if (item.body.size() > kSpillAbove) {
      const auto id = conn.queryText("INSERT INTO cluster_event_spill (body) VALUES ($1) RETURNING id", {item.body});
      if (payloadSeq_ % 64 == 0)
        conn.exec("DELETE FROM cluster_event_spill WHERE created_at < now() - interval '10 minutes'");
      record = "r" + std::to_string(id->size()) + ":" + *id;
    } else {
      record = "m" + std::to_string(item.body.size()) + ":" + item.body;
    }
    if (packed.size() + record.size() > kPackBytes) flushEvents();
    packed += record;
  }
  flushEvents();
  return sql;
}

void PgClusterSignals::deliverLocally(const std::deque<Outgoing>& batch) {
  std::lock_guard lock(callbackMutex_);
  if (!onEvent_) return;
  for (const Outgoing& item : batch)
    if (item.kind == Kind::Event) onEvent_(item.body, true);
}

void PgClusterSignals::publishLoop() {
  std::unique_ptr<PgConnection> conn;
  for (;;) {
    std::deque<Outgoing> batch;
    std::uint64_t queuedUpTo = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      batch.swap(pending_);
      queuedUpTo = eventsQueued_;
    }
    try {
      if (!conn || conn->broken()) {
        conn = std::make_unique<PgConnection>(url_);
        // A NOTIFY takes a transaction id, so each batch commits like a write, and with synchronous
        // commits waits for a WAL flush. Nothing here needs to survive a crash of the database (live
        // events are not stored; a lost wake-up costs a probe a second later), so the flush is skipped:
        // the listeners hear the batch as soon as it commits either way.
        conn->exec("SET synchronous_commit = off");
      }
      // Several statements in one simple query run as one transaction: their NOTIFYs arrive in order.
      conn->exec(notifySql(*conn, batch));
      eventsSentUpTo(queuedUpTo);
    } catch (const std::exception& e) {
      // Lost wake-ups only delay claims until the next probe (a second). Events that cannot reach the
      // other servers still reach this one's subscribers; the outcome of a failed send is unknown, so
      // they are not sent again (no duplicates).
      spdlog::debug("cluster messages not sent: {}", e.what());
      deliverLocally(batch);
      eventsSentUpTo(queuedUpTo);
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kRetry, [&] { return stopping_; });
    }
  }
}

void PgClusterSignals::receiveEvents(PgConnection& conn, const std::string& payload) {
  std::size_t at = payload.find('\n');
  if (at == std::string::npos) return;
  const bool own = payload.compare(0, instance_.size() + 1, instance_ + "-") == 0;
  ++at;
  while (at < payload.size()) {
    const char kind = payload[at];
    const std::size_t colon = payload.find(':', at);
    if (colon == std::string::npos) return;
    const std::size_t length = std::stoull(payload.substr(at + 1, colon - at - 1));
    std::string body = payload.substr(colon + 1, length);
    at = colon + 1 + length;
    if (kind == 'r') {
      const auto spilled = conn.queryText("SELECT body FROM cluster_event_spill WHERE id = $1", {body});
      if (!spilled) continue;  // removed by the clean-up after ten minutes: nothing to deliver
      body = *spilled;
    }
    std::lock_guard lock(callbackMutex_);
    if (onEvent_) onEvent_(body, own);
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
        conn->exec(std::string("LISTEN ") + kReadyChannel + "; LISTEN " + kEventChannel + "; LISTEN " +
                   kListenerChannel);
        {
          std::lock_guard lock(mutex_);  // who has subscribers? (they answer at once)
          pending_.push_back(Outgoing{Kind::Presence, "?", 0});
          if (askedAt_ == Clock::time_point{}) askedAt_ = Clock::now();
        }
        wake_.notify_all();
      }
      announceIfListening(Clock::now());
      pollfd fd{PQsocket(conn->raw()), POLLIN, 0};
      if (::poll(&fd, 1, 200) > 0 && PQconsumeInput(conn->raw()) == 0)
        throw PgError("listener connection lost", "", true);
      while (PGnotify* note = PQnotifies(conn->raw())) {
        const std::string channel = note->relname ? note->relname : "";
        const std::string payload = note->extra ? note->extra : "";
        PQfreemem(note);
        if (channel == kEventChannel) {
          receiveEvents(*conn, payload);
          continue;
        }
        if (channel == kListenerChannel) {
          if (payload == instance_ || payload == "?" + instance_) continue;
          const auto now = Clock::now();
          std::lock_guard lock(mutex_);
          if (payload.starts_with("?")) {  // a process that just started asks; answer if listening lately
            if (lastLocalListener_ != Clock::time_point{} && now - lastLocalListener_ < 3 * presenceInterval_) {
              queuePresence(now);
              wake_.notify_all();
            }
            continue;
          }
          othersListenUntil_ = std::max(othersListenUntil_, now + 3 * presenceInterval_);
          continue;
        }
        std::istringstream in(payload);
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

void PgClusterSignals::watchListeners(std::function<bool()> hasListeners) {
  std::lock_guard lock(callbackMutex_);
  hasListeners_ = std::move(hasListeners);
}

void PgClusterSignals::listenerJoined() {
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    lastLocalListener_ = now;
    // Announced within the last second: the others relay already, or hear it in a moment.
    if (now - lastAnnounced_ < std::chrono::seconds(1)) return;
    queuePresence(now);
  }
  wake_.notify_all();
}

void PgClusterSignals::queuePresence(Clock::time_point now) {
  lastAnnounced_ = now;
  pending_.push_back(Outgoing{Kind::Presence, {}, 0});
}

void PgClusterSignals::announceIfListening(Clock::time_point now) {
  bool listening = false;
  {
    std::lock_guard lock(callbackMutex_);
    listening = hasListeners_ && hasListeners_();
  }
  {
    std::lock_guard lock(mutex_);
    if (listening) lastLocalListener_ = now;
    // A subscriber that just left may reconnect with Last-Event-ID: keep the cluster's events coming
    // for as long as the others remember an announcement.
    const bool lately = lastLocalListener_ != Clock::time_point{} && now - lastLocalListener_ < 3 * presenceInterval_;
    if (!lately || now - lastAnnounced_ < presenceInterval_) return;
    queuePresence(now);
  }
  wake_.notify_all();
}

bool PgClusterSignals::relayEvents() {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  const bool othersListen = now < othersListenUntil_;
  const bool stillLearning = askedAt_ == Clock::time_point{} || now - askedAt_ < kAnswersWithin;
  return othersListen || stillLearning;
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
