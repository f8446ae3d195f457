#include "sdk/worker/ack_batcher.hpp"

#include <algorithm>
#include <string>

#include "sdk/error_mapping.hpp"
#include "spooled/errors.hpp"

namespace spooled::detail {

namespace {

// Items per request: a tenth of the server's cap, so one answer never holds back many events.
constexpr std::size_t kMaxItems = 100;
// Body bytes per request, far below the server's 1.5 MiB body limit; a larger result goes alone.
constexpr std::size_t kMaxBytes = 256 * 1024;
// The server's cap on one claim's limit.
constexpr int kMaxClaimLimit = 100;
// job_id, lease_id, status and the JSON around them.
constexpr std::size_t kItemOverhead = 160;

std::size_t itemBytes(const JobOutcome& outcome) {
  if (outcome.error) return kItemOverhead + outcome.error->size();
  return kItemOverhead + (outcome.result.is_null() ? 0 : outcome.result.dump(-1, ' ', false, json::error_handler_t::replace).size());
}

AckItem ackItem(const ActiveJob& job, const JobOutcome& outcome) {
  AckItem item;
  item.jobId = job.job().id;
  item.leaseId = job.job().leaseId;
  if (outcome.error) {
    item.status = AckStatus::failed;
    item.error = failureMessage(*outcome.error);
    item.retryable = outcome.retryable;
  } else if (!outcome.result.is_null()) {
    item.result = outcome.result;
  }
  return item;
}

const char* action(const JobOutcome& outcome) { return outcome.error ? "fail" : "complete"; }

}  // namespace

AckBatcher::AckBatcher(JobServices& services, LeaseKeeper& keeper, std::chrono::milliseconds window,
                       std::function<void()> onAnswered)
    : services_(services),
      keeper_(keeper),
      window_(window),
      onAnswered_(std::move(onAnswered)),
      thread_([this] { run(); }) {}

AckBatcher::~AckBatcher() { stop(); }

bool AckBatcher::submit(const std::shared_ptr<ActiveJob>& job, JobOutcome& outcome) {
  if (!supported()) return false;
  const std::size_t bytes = itemBytes(outcome);
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return false;
    pending_.push_back(Pending{job, std::move(outcome), Clock::now(), bytes});
    pendingBytes_ += bytes;
  }
  wake_.notify_all();
  return true;
}

std::optional<std::vector<ClaimedJob>> AckBatcher::acknowledgeAndClaim(ClaimRequest claim) {
  WaitingClaim waiting{std::move(claim), {}};
  auto answer = waiting.answer.get_future();
  {
    const std::lock_guard lock(mutex_);
    if (pending_.empty() || stopping_ || !supported() || waitingClaim_ != nullptr) return std::nullopt;
    waitingClaim_ = &waiting;
  }
  wake_.notify_all();  // with no handler running, the batch leaves now
  return answer.get();
}

int AckBatcher::waiting() const {
  const std::lock_guard lock(mutex_);
  return static_cast<int>(pending_.size());
}

int AckBatcher::unconfirmed() const {
  const std::lock_guard lock(mutex_);
  return static_cast<int>(pending_.size() + inFlight_);
}

void AckBatcher::nudge() {
  // Taking the lock orders this after a sender that is between checking sendNow() and sleeping.
  { const std::lock_guard lock(mutex_); }
  wake_.notify_all();
}

void AckBatcher::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool AckBatcher::sendNow() const {
  if (stopping_ || pending_.size() >= kMaxItems || pendingBytes_ >= kMaxBytes) return true;
  // The poll thread waits, and no handler runs that could add a result: waiting longer gains nothing.
  return waitingClaim_ != nullptr &&
         waitingClaim_->request.slotsWithoutHandler() >= waitingClaim_->request.capacity;
}

void AckBatcher::run() noexcept {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and everything was sent
    const Clock::time_point due = pending_.front().queuedAt + window_;
    wake_.wait_until(lock, due, [this] { return sendNow(); });
    Batch batch = take();
    lock.unlock();
    send(batch);
    lock.lock();
    inFlight_ = 0;
    if (onAnswered_) {
      lock.unlock();
      onAnswered_();
      lock.lock();
    }
  }
}

AckBatcher::Batch AckBatcher::take() {
  Batch batch;
  std::size_t bytes = 0;
  while (!pending_.empty() && batch.items.size() < kMaxItems) {
    Pending& next = pending_.front();
    if (!batch.items.empty() && bytes + next.bytes > kMaxBytes) break;
    bytes += next.bytes;
    pendingBytes_ -= next.bytes;
    batch.items.push_back(std::move(next));
    pending_.pop_front();
  }
  inFlight_ = batch.items.size();
  if (waitingClaim_ != nullptr) {
    WaitingClaim& waiting = *waitingClaim_;
    waitingClaim_ = nullptr;  // from here on the poll thread's frame is only reached through the promise
    const int freeSlots = waiting.request.slotsWithoutHandler() - static_cast<int>(pending_.size());
    if (freeSlots <= 0) {
      waiting.answer.set_value(std::vector<ClaimedJob>{});
    } else {
      batch.claim = std::move(waiting.request.params);
      batch.claim->limit = std::min(freeSlots, kMaxClaimLimit);
      batch.answer = std::move(waiting.answer);
    }
  }
  return batch;
}

void AckBatcher::send(Batch& batch) noexcept {
  if (!supported()) {
    settleOneByOne(batch);
    return;
  }
  AckBatchResult result;
  try {
    AckBatchParams params;
    params.workerId = services_.workerId;
    params.acks.reserve(batch.items.size());
    for (const Pending& item : batch.items) params.acks.push_back(ackItem(*item.job, item.outcome));
    params.claim = batch.claim;
    result = services_.jobs.acknowledge(params);
  } catch (const SpooledError& e) {
    if (e.status() == 404 || e.status() == 405) {
      if (!unsupported_.exchange(true, std::memory_order_acq_rel)) {
        services_.log.info("the server has no batched acknowledgements (HTTP " + std::to_string(e.status()) +
                           " on POST /api/v1/jobs/ack); settling each job with its own call from now on");
      }
      settleOneByOne(batch);
      return;
    }
    if (e.status() == 413) {  // one result too large for any request: the single calls deal with it
      settleOneByOne(batch);
      return;
    }
    reportFailure(batch, std::current_exception());
    return;
  } catch (...) {
    reportFailure(batch, std::current_exception());
    return;
  }
  for (std::size_t i = 0; i < batch.items.size(); ++i) apply(batch.items[i], result.results[i]);
  if (batch.answer) batch.answer->set_value(std::move(result.jobs));
}

void AckBatcher::settleOneByOne(Batch& batch) noexcept {
  // Nothing was claimed: the poll thread claims on its own.
  if (batch.answer) batch.answer->set_value(std::nullopt);
  for (Pending& item : batch.items) {
    keeper_.remove(item.job.get());
    try {
      item.job->settleOnServer(std::move(item.outcome));
    } catch (...) {  // allocation failure: the job is left to its lease expiry
      services_.log.error("job " + item.job->job().id + ": internal error: " + describe(std::current_exception()));
    }
  }
}

void AckBatcher::reportFailure(Batch& batch, const std::exception_ptr& error) noexcept {
  // As after a failed single call: the jobs are left to their lease expiry, and each says why.
  for (Pending& item : batch.items) {
    keeper_.remove(item.job.get());
    item.job->reportSettleError(action(item.outcome), error);
  }
  if (batch.answer) batch.answer->set_exception(error);
}

void AckBatcher::apply(Pending& item, const AckItemResult& result) noexcept {
  keeper_.remove(item.job.get());
  ActiveJob& job = *item.job;
  try {
    if (result.success) {
      if (item.outcome.error) {
        const bool fallback = item.outcome.retryable && job.willRetryAfterFailure();
        job.emitFailed(failureMessage(*item.outcome.error), result.willRetry.value_or(fallback));
      } else {
        job.emitCompleted(std::move(item.outcome.result));
      }
      return;
    }
    const std::exception_ptr error = ackItemException(result.errorCode, result.errorMessage);
    if (!item.outcome.error && result.errorCode == "PAYLOAD_TOO_LARGE") {
      // As the single call does: the same result would be refused again, so dead-letter with the reason.
      job.failOnServer("job result too large to store: " + describe(error), false);
      return;
    }
    job.reportSettleError(action(item.outcome), error);
  } catch (...) {
    services_.log.error("job " + job.job().id + ": internal error: " + describe(std::current_exception()));
  }
}

}  // namespace spooled::detail
