#pragma once
// AckBatcher: sends the results of one worker's finished jobs together, through our server's batched
// acknowledgement route (POST /api/v1/jobs/ack), with the worker's next claim when the poll thread
// wants one — so a busy worker returns results and receives new jobs in one round trip and one
// commit. A result waits at most `window` for others; the batch leaves sooner when it is full or when
// no handler is running any more (nothing else can join it).
//
// Each job stays in the lease keeper until the server answered for it, and its event (job:completed,
// job:failed, or `error` for a refused item) follows the server's answer for that item, as the
// single-job calls do. A 404/405 on the route means the server does not have it: the batcher says so
// once, settles what it holds with single-job calls, and refuses later submits (the runner then
// settles each job itself).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sdk/worker/active_job.hpp"
#include "sdk/worker/lease_keeper.hpp"

namespace spooled::detail {

class AckBatcher {
 public:
  using Clock = std::chrono::steady_clock;

  // The claim the poll thread wants carried by the next batch. Its limit is set when the request
  // leaves: the slots no handler runs in, less the results that stay behind (they still hold theirs;
  // the request's own are settled before its claim runs).
  struct ClaimRequest {
    AckClaimParams params;
    std::function<int()> slotsWithoutHandler;  // must not block
    int capacity = 1;                          // slotsWithoutHandler() == capacity: no handler runs
  };

  // Starts the sender thread. `onAnswered` runs (on that thread, no lock held) after each request's
  // results were settled and reported, when unconfirmed() went down.
  AckBatcher(JobServices& services, LeaseKeeper& keeper, std::chrono::milliseconds window,
             std::function<void()> onAnswered);
  // stop().
  ~AckBatcher();
  AckBatcher(const AckBatcher&) = delete;
  AckBatcher& operator=(const AckBatcher&) = delete;

  // Queues a finished job's outcome and returns true, having moved from `outcome`. Returns false and
  // takes nothing once the server turned out not to have the route, or after stop().
  bool submit(const std::shared_ptr<ActiveJob>& job, JobOutcome& outcome);

  // Poll thread: when results are waiting, sends them with `claim` in one request and returns the
  // jobs it claimed. nullopt when no result was waiting or the server has no route: claim as usual.
  // Throws what the request threw, after every item of it was reported.
  std::optional<std::vector<ClaimedJob>> acknowledgeAndClaim(ClaimRequest claim);

  // A handler finished: whether no handler is running any more may have changed.
  void nudge();

  // Sends everything waiting, waits for the answers and ends the thread; later submits return false.
  // Idempotent.
  void stop();

  bool supported() const noexcept { return !unsupported_.load(std::memory_order_acquire); }
  // Results queued and not yet sent.
  int waiting() const;
  // Results queued or sent whose answer has not been handled yet.
  int unconfirmed() const;

 private:
  using ClaimAnswer = std::promise<std::optional<std::vector<ClaimedJob>>>;

  struct Pending {
    std::shared_ptr<ActiveJob> job;
    JobOutcome outcome;
    Clock::time_point queuedAt;
    std::size_t bytes = 0;  // what the item adds to the request body, roughly
  };

  struct WaitingClaim {
    ClaimRequest request;
    ClaimAnswer answer;
  };

  struct Batch {
    std::vector<Pending> items;
    std::optional<AckClaimParams> claim;
    std::optional<ClaimAnswer> answer;  // set when the poll thread waits for this batch's claim
  };

  void run() noexcept;
  bool sendNow() const;  // mutex_ held
  Batch take();          // mutex_ held
  void send(Batch& batch) noexcept;
  void settleOneByOne(Batch& batch) noexcept;
  void reportFailure(Batch& batch, const std::exception_ptr& error) noexcept;
  void apply(Pending& item, const AckItemResult& result) noexcept;

  JobServices& services_;
  LeaseKeeper& keeper_;
  const std::chrono::milliseconds window_;
  const std::function<void()> onAnswered_;
  std::atomic<bool> unsupported_{false};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> pending_;           // guarded by mutex_
  std::size_t pendingBytes_ = 0;          // guarded by mutex_
  std::size_t inFlight_ = 0;              // guarded by mutex_: items of the request being sent
  WaitingClaim* waitingClaim_ = nullptr;  // guarded by mutex_; lives on the poll thread's stack
  bool stopping_ = false;                 // guarded by mutex_
  std::thread thread_;
};

}  // namespace spooled::detail
