#include "sdk/worker/worker_core.hpp"

#include <algorithm>
#include <stdexcept>

#include "spooled/errors.hpp"

namespace spooled::detail {

namespace {

// The server's cap on one claim's limit.
constexpr int kMaxClaimBatch = 100;
// While claims keep failing, wait longer each time, up to this (or pollInterval if longer), so a
// down server is not hammered by every worker at full poll rate.
constexpr std::chrono::milliseconds kMaxClaimBackoff{10000};
constexpr std::chrono::milliseconds kMaxLongPoll{5000};

std::chrono::milliseconds claimBackoff(std::chrono::milliseconds pollInterval, int failures) {
  const auto cap = std::max(pollInterval, kMaxClaimBackoff);
  auto delay = pollInterval;
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

}  // namespace

WorkerCore::WorkerCore(SpooledClient& client, WorkerOptions options)
    : client_(client),
      options_([&] {
        options.validate();
        return options.resolved();
      }()),
      log_(options_.logger, options_.queueName),
      events_(log_) {}

WorkerCore::~WorkerCore() {
  stop("worker destroyed");
  if (pollThread_.joinable()) pollThread_.join();
  // Handlers that outlived shutdownTimeout still use the services; wait for them.
  if (pool_) pool_->join();
  if (acks_) acks_->stop();
  if (keeper_) keeper_->stop();
}

void WorkerCore::setHandler(JobHandler handler) {
  if (!handler) throw std::invalid_argument("SpooledWorker::process: the handler is empty");
  const std::lock_guard lock(mutex_);
  if (state_.load() != WorkerState::idle) throw std::logic_error("SpooledWorker::process must be called before start()");
  handler_ = std::move(handler);
}

std::optional<std::string> WorkerCore::workerId() const {
  const std::lock_guard lock(mutex_);
  return workerId_;
}

void WorkerCore::emit(std::string_view name) const noexcept {
  try {
    WorkerEvent event;
    event.name = std::string(name);
    event.queueName = options_.queueName;
    event.workerId = workerId().value_or("");
    if (name == worker_events::stopped) {
      const std::lock_guard lock(mutex_);
      event.reason = stopReason_;
    }
    events_.emit(event);
  } catch (...) {
    log_.error("could not emit " + std::string(name) + ": " + describe(std::current_exception()));
  }
}

void WorkerCore::start() {
  {
    const std::lock_guard lock(mutex_);
    if (state_.load() != WorkerState::idle) {
      throw std::logic_error("SpooledWorker::start: the worker was already started (state " +
                             std::string(toString(state_.load())) + ")");
    }
    if (!handler_) throw std::logic_error("SpooledWorker::start: no job handler; call process() first");
    state_ = WorkerState::starting;
    running_ = true;
  }
  RegisterWorkerParams params;
  params.queueName = options_.queueName;
  params.hostname = options_.hostname;
  params.workerType = options_.workerType;
  params.maxConcurrency = options_.concurrency;
  params.metadata = options_.metadata;
  params.version = options_.version;
  RegisterWorkerResult registration;
  try {
    registration = client_.workers().registerWorker(params);
  } catch (const std::exception& e) {
    log_.error(std::string("registration failed: ") + e.what());
    WorkerEvent event;
    event.name = std::string(worker_events::error);
    event.queueName = options_.queueName;
    event.error = std::string("worker registration failed: ") + e.what();
    event.exception = std::current_exception();
    events_.emit(event);
    finish(WorkerState::error);
    throw;
  }
  services_ = std::make_unique<JobServices>(client_.jobs(), events_, log_, registration.id, options_.queueName,
                                            static_cast<int>(options_.leaseDuration.count()));
  keeper_ = std::make_unique<LeaseKeeper>(*services_, options_.heartbeatInterval, options_.leaseDuration);
  if (options_.batchAcks) {
    // Confirmed results free their slots: the poll loop may claim again.
    acks_ = std::make_unique<AckBatcher>(*services_, *keeper_, options_.ackBatchWindow, [this] {
      { const std::lock_guard lock(mutex_); }
      wake_.notify_all();
    });
  }
  pool_ = std::make_unique<ThreadPool>(options_.concurrency);
  {
    const std::lock_guard lock(mutex_);
    workerId_ = registration.id;
    state_ = stopRequested_ ? WorkerState::stopping : WorkerState::running;
  }
  log_.info("worker " + registration.id + " registered on queue " + options_.queueName);
  emit(worker_events::started);
  pollThread_ = std::thread([this] { pollLoop(); });
}

void WorkerCore::stop(std::string reason) {
  bool neverStarted = false;
  {
    const std::lock_guard lock(mutex_);
    if (stopRequested_) return;
    stopRequested_ = true;
    stopReason_ = std::move(reason);
    stopRequestedAt_ = Clock::now();
    WorkerState expected = WorkerState::running;
    if (!state_.compare_exchange_strong(expected, WorkerState::stopping)) {
      neverStarted = expected == WorkerState::idle;
    }
  }
  if (neverStarted) {
    state_ = WorkerState::stopped;
    emit(worker_events::stopped);
    return;
  }
  wake_.notify_all();
}

void WorkerCore::wait() {
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [this] { return !running_.load(); });
}

bool WorkerCore::waitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return finished_.wait_for(lock, timeout, [this] { return !running_.load(); });
}

void WorkerCore::finish(WorkerState finalState) noexcept {
  state_ = finalState;
  {
    // Under the lock so a waiter cannot miss the change between its check and its sleep.
    const std::lock_guard lock(mutex_);
    running_ = false;
  }
  finished_.notify_all();
}

void WorkerCore::pollLoop() noexcept {
  auto nextHeartbeat = Clock::now() + options_.heartbeatInterval;
  try {
    std::unique_lock lock(mutex_);
    while (!stopRequested_) {
      if (Clock::now() >= nextHeartbeat) {
        lock.unlock();
        sendWorkerHeartbeat();
        lock.lock();
        nextHeartbeat = Clock::now() + options_.heartbeatInterval;
        continue;
      }
      const int freeSlots = this->freeSlots();
      if (freeSlots <= 0 && !canCarryClaim()) {
        // Full: sleep until a slot frees (a job's result was confirmed, or a handler returned and its
        // result can carry the next claim), a heartbeat is due, or stop.
        wake_.wait_until(lock, nextHeartbeat,
                         [this] { return stopRequested_ || this->freeSlots() > 0 || canCarryClaim(); });
        continue;
      }
      lock.unlock();
      const Clock::time_point claimStarted = Clock::now();
      std::chrono::milliseconds pause = options_.pollInterval;
      bool lookAgain = false;
      const std::optional<std::size_t> claimed = claim(freeSlots, pause, lookAgain);
      lock.lock();
      // More may be waiting: claim again at once while slots remain. After a claim that rode on
      // results, the slots those results held are free now.
      if (lookAgain || (claimed && *claimed > 0)) continue;
      // An empty claim already waited server-side when the server long-polls; only the rest of
      // pollInterval remains. After an error, back off from now.
      const auto until = claimed ? claimStarted + options_.pollInterval : Clock::now() + pause;
      wake_.wait_until(lock, std::min(until, nextHeartbeat), [this] { return stopRequested_; });
    }
  } catch (...) {
    log_.error("poll loop failed, shutting down: " + describe(std::current_exception()));
    stop("internal error: " + describe(std::current_exception()));
  }
  shutdown();
}

int WorkerCore::freeSlots() const {
  // A job holds its slot until the server confirmed its result, so a worker never holds more leases
  // than `concurrency`, also while results wait to be batched.
  return options_.concurrency - activeCount_.load() - (acks_ ? acks_->unconfirmed() : 0);
}

bool WorkerCore::canCarryClaim() const {
  return acks_ && acks_->supported() && acks_->waiting() > 0 && activeCount_.load() < options_.concurrency;
}

std::optional<std::size_t> WorkerCore::claim(int freeSlots, std::chrono::milliseconds& pause, bool& lookAgain) {
  ClaimJobsParams params;
  params.queueName = options_.queueName;
  params.workerId = services_->workerId;
  params.limit = std::min(freeSlots, kMaxClaimBatch);
  params.leaseDurationSecs = static_cast<int>(options_.leaseDuration.count());
  // Our server's long-poll extension (official servers ignore it): an empty queue answers as soon as
  // a job arrives instead of after a full pollInterval. Capped so stop() and the worker heartbeat
  // are never held up long by a parked claim.
  if (options_.longPoll) params.waitMs = static_cast<int>(std::min(options_.pollInterval, kMaxLongPoll).count());
  const Clock::time_point claimedAt = Clock::now();
  std::vector<ClaimedJob> jobs;
  try {
    std::optional<std::vector<ClaimedJob>> carried = claimWithAcks(params);
    if (carried) {
      // Empty when the queue was: the next loop claims as usual, and may long-poll.
      jobs = std::move(*carried);
      lookAgain = true;
    } else if (freeSlots > 0) {
      jobs = client_.jobs().claim(params);
    } else {
      lookAgain = true;  // the results that were to carry the claim left without it
      return 0;
    }
    consecutiveClaimFailures_ = 0;
  } catch (const RateLimitError& e) {
    if (e.retryAfter()) pause = std::max(pause, std::chrono::duration_cast<std::chrono::milliseconds>(*e.retryAfter()));
    services_->reportError("", std::string("claim rate-limited: ") + e.what(), std::current_exception());
    return std::nullopt;
  } catch (const std::exception& e) {
    pause = claimBackoff(options_.pollInterval, ++consecutiveClaimFailures_);
    services_->reportError("", std::string("claim failed: ") + e.what(), std::current_exception());
    return std::nullopt;
  }
  const std::size_t count = jobs.size();
  if (count > 0) dispatch(std::move(jobs), claimedAt);
  return count;
}

std::optional<std::vector<ClaimedJob>> WorkerCore::claimWithAcks(const ClaimJobsParams& params) {
  if (!acks_ || !acks_->supported()) return std::nullopt;
  AckBatcher::ClaimRequest request;
  request.params.queueName = params.queueName;
  request.params.leaseDurationSecs = params.leaseDurationSecs;
  // No wait_ms: a parked claim would hold back the answers (and events) of the acks it carries.
  request.slotsWithoutHandler = [this] { return options_.concurrency - activeCount_.load(); };
  request.capacity = options_.concurrency;
  return acks_->acknowledgeAndClaim(std::move(request));
}

void WorkerCore::dispatch(std::vector<ClaimedJob> jobs, Clock::time_point claimedAt) {
  for (auto& claimed : jobs) {
    auto job = std::make_shared<ActiveJob>(std::move(claimed), *services_);
    {
      const std::lock_guard lock(mutex_);
      active_.emplace(job.get(), job);
      ++activeCount_;
    }
    services_->events.emit(services_->event(worker_events::jobClaimed, job->job().id));
    keeper_->add(job, claimedAt);
    pool_->submit([this, job] {
      runJob(job, handler_, *keeper_, acks_.get());
      onJobFinished(job.get());
    });
  }
}

void WorkerCore::onJobFinished(const ActiveJob* job) noexcept {
  {
    const std::lock_guard lock(mutex_);
    active_.erase(job);
    --activeCount_;
  }
  wake_.notify_all();
  if (acks_) acks_->nudge();
}

void WorkerCore::sendWorkerHeartbeat() noexcept {
  try {
    WorkerHeartbeatParams params;
    params.currentJobs = activeCount_.load();
    params.status = "healthy";
    client_.workers().heartbeat(services_->workerId, params);
  } catch (const std::exception& e) {
    services_->reportError("", std::string("worker heartbeat failed: ") + e.what(), std::current_exception());
  }
}

void WorkerCore::shutdown() noexcept {
  // Steps 1 and 2 happened when the poll loop ended: no more claims, no more worker heartbeats.
  // Step 3: running handlers go on, and the lease keeper still renews their leases.
  std::vector<std::shared_ptr<ActiveJob>> remaining;
  {
    std::unique_lock lock(mutex_);
    const auto deadline = stopRequestedAt_ + options_.shutdownTimeout;
    if (!active_.empty()) {
      log_.info("stopping: waiting up to " + std::to_string(options_.shutdownTimeout.count()) + " ms for " +
                std::to_string(active_.size()) + " running job(s)");
    }
    // Step 4: wait for them, up to shutdownTimeout after stop() was called.
    wake_.wait_until(lock, deadline, [this] { return active_.empty(); });
    for (const auto& [key, job] : active_) remaining.push_back(job);
  }
  // Step 5: fail what is still running, so the server retries it elsewhere now rather than after
  // the lease runs out. The handler threads cannot be interrupted; their contexts say cancelled.
  for (const auto& job : remaining) {
    if (!job->abandon()) continue;  // its handler returned meanwhile and settles it itself
    keeper_->remove(job.get());
    job->cancel(CancelReason::shutdown);
    log_.warn("job " + job->job().id + " still running after shutdownTimeout; failing it for retry");
    job->failOnServer("worker shutdown timeout: job still running after " +
                          std::to_string(options_.shutdownTimeout.count()) + " ms",
                      true);
  }
  // Results still waiting to be batched go now; their leases are renewed until the server answered.
  if (acks_) acks_->stop();
  keeper_->stop();
  // Step 6: deregister, so the server stops counting this worker.
  try {
    client_.workers().deregister(services_->workerId);
  } catch (const std::exception& e) {
    services_->reportError("", std::string("deregistration failed: ") + e.what(), std::current_exception());
  }
  state_ = WorkerState::stopped;
  log_.info("worker " + services_->workerId + " stopped");
  emit(worker_events::stopped);
  finish(WorkerState::stopped);
}

}  // namespace spooled::detail
