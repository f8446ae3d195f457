// JobNotifier: long-poll claims park as suspended coroutines and wake on notify, probe or timeout.
#include "server/core/job_notifier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/task.hpp"

using namespace std::chrono_literals;
using namespace spooled;
using namespace spooled::server;
using Reason = JobNotifier::WakeReason;

namespace {

Task<Reason> waitOn(JobNotifier& notifier, std::string queue, JobNotifier::Ticket ticket, std::chrono::milliseconds timeout) {
  co_return co_await notifier.wait("o", queue, ticket, timeout);
}

// Parks `count` waiters on `queue` without holding a thread for any of them; each records why it woke.
struct ParkedWaiters {
  ParkedWaiters(JobNotifier& notifier, const std::string& queue, int count, std::chrono::milliseconds timeout)
      : reasons(static_cast<std::size_t>(count)) {
    for (int i = 0; i < count; ++i) {
      spawn(waitOn(notifier, queue, notifier.ticket("o", queue), timeout),
            [this, i](std::optional<Reason> reason, std::exception_ptr) {
              reasons[static_cast<std::size_t>(i)] = reason;
              ++woken;
            });
    }
  }
  // Polls with a deadline until `n` waiters have woken.
  bool waitForWoken(int n, std::chrono::milliseconds deadline = 5s) const {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (woken.load() < n) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(1ms);
    }
    return true;
  }
  std::vector<std::optional<Reason>> reasons;
  std::atomic<int> woken{0};
};

}  // namespace

TEST(JobNotifierTest, AJobAnnouncedAfterTheTicketWakesALaterWaitAtOnce) {
  JobNotifier notifier;
  const auto ticket = notifier.ticket("o", "q");
  notifier.notify("o", "q");  // between "found nothing" and "start waiting"
  EXPECT_EQ(syncWait(waitOn(notifier, "q", ticket, 0ms)), Reason::Notified);
  EXPECT_EQ(syncWait(waitOn(notifier, "q", notifier.ticket("o", "q"), 10ms)), Reason::Timeout);
  const auto other = notifier.ticket("o", "other");
  notifier.notify("o", "q");
  EXPECT_EQ(syncWait(waitOn(notifier, "other", other, 10ms)), Reason::Timeout);
}

TEST(JobNotifierTest, ThousandsOfClaimsParkWithoutAThreadEachAndAllWakeOnNotify) {
  JobNotifier notifier;
  ParkedWaiters waiters(notifier, "q", 5000, 30s);
  EXPECT_EQ(notifier.parkedCount(), 5000u);  // all parked, and this test still has its one thread
  notifier.notify("o", "q");
  ASSERT_TRUE(waiters.waitForWoken(5000));
  EXPECT_EQ(notifier.parkedCount(), 0u);
  for (const auto& reason : waiters.reasons) EXPECT_EQ(reason, Reason::Notified);
}

TEST(JobNotifierTest, ANotifyForNJobsWakesOnlyTheNOldestWaiters) {
  JobNotifier notifier;
  ParkedWaiters waiters(notifier, "q", 10, 30s);
  notifier.notify("o", "q", 3);
  ASSERT_TRUE(waiters.waitForWoken(3));
  EXPECT_EQ(notifier.parkedCount(), 7u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(waiters.reasons[i].has_value(), i < 3) << "waiter " << i;
  notifier.notifyAll();
  ASSERT_TRUE(waiters.waitForWoken(10));
}

TEST(JobNotifierTest, AWaitEndsWithTimeoutWhenNothingArrives) {
  JobNotifier notifier;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(syncWait(waitOn(notifier, "q", notifier.ticket("o", "q"), 50ms)), Reason::Timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
  EXPECT_EQ(notifier.parkedCount(), 0u);
}

TEST(JobNotifierTest, EachProbeWakesOneWaiterPerQueueNotEveryWaiter) {
  JobNotifier notifier(nullptr, 50ms);
  ParkedWaiters a(notifier, "a", 5, 30s);
  ParkedWaiters b(notifier, "b", 5, 30s);
  ASSERT_TRUE(a.waitForWoken(1));
  ASSERT_TRUE(b.waitForWoken(1));
  EXPECT_EQ(a.reasons[0], Reason::Probe);  // the oldest waiter of each queue probes
  EXPECT_EQ(b.reasons[0], Reason::Probe);
  EXPECT_LE(a.woken.load(), 2);  // one per probe interval, not all five at once
  notifier.notifyAll();
  ASSERT_TRUE(a.waitForWoken(5));
  ASSERT_TRUE(b.waitForWoken(5));
}

TEST(JobNotifierTest, NotifyAllWakesEveryWaiterAndLaterWaitsEndAtOnce) {
  JobNotifier notifier;
  ParkedWaiters waiters(notifier, "q", 20, 30s);
  const auto ticket = notifier.ticket("o", "z");
  notifier.notifyAll();
  ASSERT_TRUE(waiters.waitForWoken(20));
  EXPECT_EQ(syncWait(waitOn(notifier, "z", ticket, 30s)), Reason::Notified);
}
