// The Store conformance suite. Every backend must pass it unchanged: add it to storeBackends() in
// store_fixtures.hpp (PostgreSQL: open a fresh database per test) and the whole suite runs against it. Backend internals (group commit, migrations, query plans) are
// tested beside their backend, e.g. sqlite_store_test.cpp.
#include "server/store/store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/error_code.hpp"
#include "store_fixtures.hpp"

// Queries below name only the fields they set ({.status = ...}); the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace spooled::server {
namespace {

using namespace store_fixtures;

class StoreConformance : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.path()); }
  void TearDown() override { store_.reset(); }

  void reopen() {
    store_.reset();
    store_ = GetParam().open(dir_.path());
  }

  void put(const JobRecord& job) {
    store_->writeNow([&](StoreTx& tx) { tx.insertJob(job); });
  }
  std::optional<JobRecord> findJob(const std::string& orgId, const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.findJob(orgId, id); });
  }
  std::vector<std::string> listedIds(const JobQuery& query) {
    std::vector<std::string> ids;
    for (const auto& job : store_->readResult([&](StoreReader& r) { return r.listJobs(query); })) ids.push_back(job.id);
    return ids;
  }
  // An organization with one record of every other kind, every field set, committed in one write.
  struct OneOfEach {
    OrganizationRecord org;
    JobRecord job;
    WorkerRecord worker;
    ApiKeyRecord key;
    QueueRecord queue;
  };
  OneOfEach putOneOfEach(const std::string& slug) {
    OneOfEach all{.org = fullOrganization(slug)};
    all.job = fullJob(all.org.id, "q");
    all.worker = fullWorker(all.org.id, "q");
    all.key = fullApiKey(all.org.id);
    all.queue = fullQueue(all.org.id, "q");
    store_->writeNow([&](StoreTx& tx) {
      tx.insertOrganization(all.org);
      tx.insertJob(all.job);
      tx.insertWorker(all.worker);
      tx.insertApiKey(all.key);
      tx.upsertQueue(all.queue);
    });
    return all;
  }
  std::vector<std::string> claimableIds(const std::string& orgId, const std::string& queue, TimePoint now, int limit) {
    std::vector<std::string> ids;
    for (const auto& job : store_->writeNow([&](StoreTx& tx) { return tx.findClaimableJobs(orgId, queue, now, limit); }))
      ids.push_back(job.id);
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// --- every record type round-trips every field ---

TEST_P(StoreConformance, JobRoundTripsEveryFieldAndUpdateReplacesThem) {
  JobRecord full = fullJob("org-a", "emails");
  JobRecord minimal = minimalJob("org-a", "emails");
  put(full);
  put(minimal);
  EXPECT_EQ(view(findJob("org-a", full.id)), view(full));
  EXPECT_EQ(view(findJob("org-a", minimal.id)), view(minimal));

  // Swap the contents: every optional that was set is cleared and the other way round.
  JobRecord updatedFull = minimal;
  updatedFull.id = full.id;
  updatedFull.queueName = "reports";
  JobRecord updatedMinimal = fullJob("org-a", "emails");
  updatedMinimal.id = minimal.id;
  store_->writeNow([&](StoreTx& tx) {
    tx.updateJob(updatedFull);
    tx.updateJob(updatedMinimal);
  });
  EXPECT_EQ(view(findJob("org-a", full.id)), view(updatedFull));
  EXPECT_EQ(view(findJob("org-a", minimal.id)), view(updatedMinimal));
}

TEST_P(StoreConformance, WorkerRoundTripsEveryFieldAndUpdateReplacesThem) {
  WorkerRecord worker = fullWorker("org-a", "emails");
  WorkerRecord bare = fullWorker("org-a", "emails");
  bare.workerType.reset();
  bare.version.reset();
  store_->writeNow([&](StoreTx& tx) {
    tx.insertWorker(worker);
    tx.insertWorker(bare);
  });
  auto find = [&](const std::string& id) {
    return store_->readResult([&](StoreReader& r) { return r.findWorker("org-a", id); });
  };
  EXPECT_EQ(view(find(worker.id)), view(worker));
  EXPECT_EQ(view(find(bare.id)), view(bare));

  worker.status = "offline";
  worker.currentJobs = 0;
  worker.lastHeartbeat = at(60);
  worker.metadata = {{"moved", true}};
  worker.workerType.reset();
  store_->writeNow([&](StoreTx& tx) { tx.updateWorker(worker); });
  EXPECT_EQ(view(find(worker.id)), view(worker));
}

TEST_P(StoreConformance, OrganizationRoundTripsByIdAndSlug) {
  OrganizationRecord first = fullOrganization("acme");
  OrganizationRecord second = fullOrganization("globex");
  second.billingEmail.reset();
  second.webhookToken.reset();
  second.createdAt = at(10);
  store_->writeNow([&](StoreTx& tx) {
    tx.insertOrganization(second);
    tx.insertOrganization(first);
  });
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(view(r.findOrganization(first.id)), view(first));
    EXPECT_EQ(view(r.findOrganizationBySlug("globex")), view(second));
    EXPECT_FALSE(r.findOrganizationBySlug("initech"));
    auto all = r.listOrganizations();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, first.id);  // oldest first
  });
  first.name = "Acme Renamed";
  first.planTier = "enterprise";
  first.settings = json::object();
  first.billingEmail.reset();
  store_->writeNow([&](StoreTx& tx) { tx.updateOrganization(first); });
  EXPECT_EQ(view(store_->readResult([&](StoreReader& r) { return r.findOrganization(first.id); })), view(first));
}

TEST_P(StoreConformance, ApiKeyRoundTripsByHashAndId) {
  OrganizationRecord org = fullOrganization("acme");
  ApiKeyRecord key = fullApiKey(org.id);
  ApiKeyRecord anyQueue = fullApiKey(org.id);
  anyQueue.queues.clear();
  anyQueue.rateLimit.reset();
  anyQueue.lastUsed.reset();
  anyQueue.expiresAt.reset();
  anyQueue.createdAt = at(1);
  store_->writeNow([&](StoreTx& tx) {
    tx.insertOrganization(org);
    tx.insertApiKey(key);
    tx.insertApiKey(anyQueue);
  });
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(view(r.findApiKeyByHash(key.keyHash)), view(key));
    EXPECT_EQ(view(r.findApiKey(org.id, anyQueue.id)), view(anyQueue));
    EXPECT_FALSE(r.findApiKeyByHash("no-such-hash"));
    auto keys = r.listApiKeys(org.id);
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].id, key.id);
  });
  key.isActive = false;
  key.queues = {"only-this"};
  key.lastUsed = at(99);
  store_->writeNow([&](StoreTx& tx) { tx.updateApiKey(key); });
  EXPECT_EQ(view(store_->readResult([&](StoreReader& r) { return r.findApiKey(org.id, key.id); })), view(key));
}

TEST_P(StoreConformance, ApiKeyHashIsUniqueAndNeedsAnExistingOrganization) {
  OrganizationRecord org = fullOrganization("acme");
  ApiKeyRecord key = fullApiKey(org.id);
  store_->writeNow([&](StoreTx& tx) {
    tx.insertOrganization(org);
    tx.insertApiKey(key);
  });
  ApiKeyRecord sameHash = fullApiKey(org.id);
  sameHash.keyHash = key.keyHash;
  EXPECT_ANY_THROW(store_->writeNow([&](StoreTx& tx) { tx.insertApiKey(sameHash); }));
  EXPECT_ANY_THROW(store_->writeNow([&](StoreTx& tx) { tx.insertApiKey(fullApiKey("no-such-org")); }));
  EXPECT_ANY_THROW(store_->writeNow([&](StoreTx& tx) { tx.insertOrganization(fullOrganization("acme")); }));
}

TEST_P(StoreConformance, QueueUpsertKeepsIdentityAndDeleteRemovesOnlyThatQueue) {
  QueueRecord queue = fullQueue("org-a", "emails");
  QueueRecord bare = fullQueue("org-a", "alpha");
  bare.rateLimit.reset();
  bare.pausedAt.reset();
  bare.pauseReason.reset();
  QueueRecord otherOrg = fullQueue("org-b", "emails");
  store_->writeNow([&](StoreTx& tx) {
    tx.upsertQueue(queue);
    tx.upsertQueue(bare);
    tx.upsertQueue(otherOrg);
  });
  auto find = [&](const std::string& org, const std::string& name) {
    return store_->readResult([&](StoreReader& r) { return r.findQueue(org, name); });
  };
  EXPECT_EQ(view(find("org-a", "emails")), view(queue));
  EXPECT_EQ(view(find("org-a", "alpha")), view(bare));

  QueueRecord changed = fullQueue("org-a", "emails");  // a new id and creation time: both ignored
  changed.createdAt = at(500);
  changed.paused = false;
  changed.pausedAt.reset();
  changed.maxRetries = 9;
  store_->writeNow([&](StoreTx& tx) { tx.upsertQueue(changed); });
  QueueRecord expected = changed;
  expected.id = queue.id;
  expected.createdAt = queue.createdAt;
  EXPECT_EQ(view(find("org-a", "emails")), view(expected));

  auto names = [&](const std::string& org) {
    std::vector<std::string> out;
    for (const auto& q : store_->readResult([&](StoreReader& r) { return r.listQueues(org); }))
      out.push_back(q.queueName);
    return out;
  };
  EXPECT_EQ(names("org-a"), (std::vector<std::string>{"alpha", "emails"}));
  store_->writeNow([&](StoreTx& tx) { tx.deleteQueue("org-a", "emails"); });
  EXPECT_FALSE(find("org-a", "emails"));
  EXPECT_EQ(view(find("org-b", "emails")), view(otherOrg));
}

TEST_P(StoreConformance, UpdateOfAMissingRowThrowsAndChangesNothing) {
  JobRecord job = minimalJob("org-a", "q");
  put(job);
  JobRecord ghost = minimalJob("org-a", "q");
  EXPECT_ANY_THROW(store_->writeNow([&](StoreTx& tx) { tx.updateJob(ghost); }));
  JobRecord crossOrg = job;
  crossOrg.orgId = "org-b";
  crossOrg.priority = 99;
  EXPECT_ANY_THROW(store_->writeNow([&](StoreTx& tx) { tx.updateJob(crossOrg); }));
  EXPECT_EQ(findJob("org-a", job.id)->priority, 0);
  EXPECT_ANY_THROW(store_->writeNow([&](StoreTx& tx) { tx.updateWorker(fullWorker("org-a", "q")); }));
}

// --- claim, leases, silent workers ---

TEST_P(StoreConformance, ClaimOrdersByPriorityThenAgeThenInsertionAndHonoursLimit) {
  JobRecord low = minimalJob("org-a", "q", 0, 0);
  JobRecord highNew = minimalJob("org-a", "q", 10, 30);
  JobRecord highOld = minimalJob("org-a", "q", 10, 20);
  JobRecord mid = minimalJob("org-a", "q", 5, 0);
  JobRecord firstTwin = minimalJob("org-a", "q", 1, 40);
  JobRecord secondTwin = firstTwin;  // same priority and millisecond: whichever was stored first goes first
  // Ids in the opposite order, so that an id tie-break would fail this test.
  secondTwin.id = "00000000-0000-4000-8000-000000000000";
  firstTwin.id = "ffffffff-ffff-4fff-bfff-ffffffffffff";
  for (const auto* job : {&low, &highNew, &highOld, &mid, &firstTwin, &secondTwin}) put(*job);

  EXPECT_EQ(claimableIds("org-a", "q", at(100), 10),
            (std::vector<std::string>{highOld.id, highNew.id, mid.id, firstTwin.id, secondTwin.id, low.id}));
  EXPECT_EQ(claimableIds("org-a", "q", at(100), 2), (std::vector<std::string>{highOld.id, highNew.id}));
}

TEST_P(StoreConformance, ClaimTakesOnlyDueUnexpiredReadyJobsOfThatQueueAndOrganization) {
  const TimePoint now = at(100);
  std::set<std::string> expected;
  auto add = [&](JobRecord job, bool claimable) {
    put(job);
    if (claimable) expected.insert(job.id);
  };
  add(minimalJob("org-a", "q"), true);
  JobRecord job = minimalJob("org-a", "q");
  job.status = JobStatus::Scheduled;
  job.scheduledAt = now;  // due exactly now
  add(job, true);
  job = minimalJob("org-a", "q");
  job.scheduledAt = now + std::chrono::milliseconds(1);  // not yet due
  add(job, false);
  job = minimalJob("org-a", "q");
  job.expiresAt = now;  // expired exactly now
  add(job, false);
  job = minimalJob("org-a", "q");
  job.expiresAt = now + std::chrono::milliseconds(1);
  job.scheduledAt = now - std::chrono::seconds(1);
  add(job, true);
  for (JobStatus status : {JobStatus::Processing, JobStatus::Completed, JobStatus::Failed, JobStatus::Deadletter,
                           JobStatus::Cancelled}) {
    job = minimalJob("org-a", "q");
    job.status = status;
    add(job, false);
  }
  add(minimalJob("org-a", "other-queue"), false);
  add(minimalJob("org-b", "q"), false);

  auto ids = claimableIds("org-a", "q", now, 100);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected);
}

TEST_P(StoreConformance, ExpiredLeasesAreProcessingJobsOfEveryOrganizationOldestFirst) {
  const TimePoint now = at(100);
  auto leased = [&](const std::string& org, JobStatus status, TimePoint expires) {
    JobRecord job = minimalJob(org, "q");
    job.status = status;
    job.leaseId = newUuid();
    job.leaseExpiresAt = expires;
    put(job);
    return job.id;
  };
  std::string newest = leased("org-a", JobStatus::Processing, now);  // expiring exactly now counts
  std::string oldest = leased("org-b", JobStatus::Processing, at(10));
  std::string middle = leased("org-a", JobStatus::Processing, at(50));
  leased("org-a", JobStatus::Processing, now + std::chrono::milliseconds(1));
  leased("org-a", JobStatus::Completed, at(10));
  leased("org-a", JobStatus::Pending, at(10));

  auto ids = [&](int limit) {
    std::vector<std::string> out;
    for (const auto& job : store_->writeNow([&](StoreTx& tx) { return tx.findExpiredLeases(now, limit); }))
      out.push_back(job.id);
    return out;
  };
  EXPECT_EQ(ids(10), (std::vector<std::string>{oldest, middle, newest}));
  EXPECT_EQ(ids(1), (std::vector<std::string>{oldest}));
}

TEST_P(StoreConformance, SilentWorkersAreThoseNotOfflineWithAnOldHeartbeat) {
  const TimePoint cutoff = at(100);
  auto worker = [&](const std::string& org, const std::string& status, TimePoint heartbeat) {
    WorkerRecord w = fullWorker(org, "q");
    w.status = status;
    w.lastHeartbeat = heartbeat;
    store_->writeNow([&](StoreTx& tx) { tx.insertWorker(w); });
    return w.id;
  };
  std::string oldest = worker("org-b", "healthy", at(10));
  std::string later = worker("org-a", "draining", at(50));
  worker("org-a", "offline", at(5));
  worker("org-a", "healthy", cutoff);  // exactly at the cutoff is not silent
  worker("org-a", "healthy", at(200));

  auto ids = [&](int limit) {
    std::vector<std::string> out;
    for (const auto& w : store_->writeNow([&](StoreTx& tx) { return tx.findWorkersSilentSince(cutoff, limit); }))
      out.push_back(w.id);
    return out;
  };
  EXPECT_EQ(ids(10), (std::vector<std::string>{oldest, later}));
  EXPECT_EQ(ids(1), (std::vector<std::string>{oldest}));
}

// --- idempotency and organizations ---

TEST_P(StoreConformance, IdempotencyKeyIsUniquePerOrganization) {
  JobRecord first = minimalJob("org-a", "q");
  first.idempotencyKey = "order-17";
  put(first);
  put(minimalJob("org-a", "q"));  // jobs without a key never collide
  put(minimalJob("org-a", "q"));
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(r.findJobByIdempotencyKey("org-a", "order-17")->id, first.id);
    EXPECT_FALSE(r.findJobByIdempotencyKey("org-b", "order-17"));
    EXPECT_FALSE(r.findJobByIdempotencyKey("org-a", "order-18"));
  });

  JobRecord repeat = minimalJob("org-a", "q");
  repeat.idempotencyKey = "order-17";
  EXPECT_THROW(put(repeat), StoreDuplicateKey);
  EXPECT_FALSE(findJob("org-a", repeat.id));
  // The store-neutral answer leaves the transaction usable: core answers with the existing job and
  // commits the rest of the request.
  JobRecord after = minimalJob("org-a", "q");
  store_->writeNow([&](StoreTx& tx) {
    EXPECT_THROW(tx.insertJob(repeat), StoreDuplicateKey);
    EXPECT_EQ(tx.findJobByIdempotencyKey("org-a", "order-17")->id, first.id);
    tx.insertJob(after);
  });
  EXPECT_TRUE(findJob("org-a", after.id));

  JobRecord otherOrg = minimalJob("org-b", "q");
  otherOrg.idempotencyKey = "order-17";
  put(otherOrg);
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(r.findJobByIdempotencyKey("org-a", "order-17")->id, first.id);
    EXPECT_EQ(r.findJobByIdempotencyKey("org-b", "order-17")->id, otherOrg.id);
  });
}

TEST_P(StoreConformance, OneOrganizationNeverSeesAnothersData) {
  const auto [orgA, job, worker, key, queue] = putOneOfEach("a");
  OrganizationRecord orgB = fullOrganization("b");
  store_->writeNow([&](StoreTx& tx) { tx.insertOrganization(orgB); });
  store_->read([&](StoreReader& r) {
    ASSERT_TRUE(r.findJob(orgA.id, job.id));
    EXPECT_FALSE(r.findJob(orgB.id, job.id));
    EXPECT_FALSE(r.findJobByIdempotencyKey(orgB.id, *job.idempotencyKey));
    EXPECT_FALSE(r.findWorker(orgB.id, worker.id));
    EXPECT_FALSE(r.findApiKey(orgB.id, key.id));
    EXPECT_FALSE(r.findQueue(orgB.id, "q"));
    EXPECT_TRUE(r.listJobs(JobQuery{.orgId = orgB.id}).empty());
    EXPECT_TRUE(r.listWorkers(WorkerQuery{.orgId = orgB.id}).empty());
    EXPECT_TRUE(r.listApiKeys(orgB.id).empty());
    EXPECT_TRUE(r.listQueues(orgB.id).empty());
    EXPECT_TRUE(r.countJobsByStatus(orgB.id, std::nullopt).empty());
  });
}

// --- lists and counts ---

// Four jobs of org-a (and one of org-b) whose every sort key orders them differently.

class ListJobsTest : public StoreConformance {
 protected:
  void SetUp() override {
    StoreConformance::SetUp();
    auto make = [&](const std::string& queue, JobStatus status, int priority, int createdSec, std::optional<json> tags,
                    std::optional<int> scheduledSec) {
      JobRecord job = minimalJob("org-a", queue, priority, createdSec);
      job.status = status;
      job.updatedAt = at(1000 - createdSec);  // updated in the reverse order of creation
      job.tags = std::move(tags);
      if (scheduledSec) job.scheduledAt = at(*scheduledSec);
      put(job);
      return job.id;
    };
    a_ = make("emails", JobStatus::Pending, 5, 1, json{{"vip", true}}, 30);
    b_ = make("emails", JobStatus::Completed, 1, 2, json::array({"vip", "eu"}), std::nullopt);
    c_ = make("reports", JobStatus::Pending, 9, 3, json{{"eu", 1}}, 10);
    d_ = make("emails", JobStatus::Pending, 0, 4, std::nullopt, 20);
    put(minimalJob("org-b", "emails"));
  }

  std::vector<std::string> ids(JobQuery query) {
    query.orgId = "org-a";
    return listedIds(query);
  }

  std::string a_, b_, c_, d_;
};

TEST_P(ListJobsTest, DefaultsToNewestFirst) { EXPECT_EQ(ids({}), (std::vector<std::string>{d_, c_, b_, a_})); }

TEST_P(ListJobsTest, FiltersByQueueStatusAndTag) {
  EXPECT_EQ(ids({.queueName = "emails"}), (std::vector<std::string>{d_, b_, a_}));
  EXPECT_EQ(ids({.status = JobStatus::Pending}), (std::vector<std::string>{d_, c_, a_}));
  EXPECT_EQ(ids({.queueName = "emails", .status = JobStatus::Pending}), (std::vector<std::string>{d_, a_}));
  // A tag is a key of a tags object or an element of a tags array, never a value of an object.
  EXPECT_EQ(ids({.tag = "vip"}), (std::vector<std::string>{b_, a_}));
  EXPECT_EQ(ids({.tag = "eu"}), (std::vector<std::string>{c_, b_}));
  EXPECT_TRUE(ids({.tag = "true"}).empty());
  EXPECT_EQ(ids({.queueName = "emails", .status = JobStatus::Pending, .tag = "vip"}), (std::vector<std::string>{a_}));
}

TEST_P(ListJobsTest, OrdersByEveryAllowedColumnBothWays) {
  EXPECT_EQ(ids({.orderBy = "priority"}), (std::vector<std::string>{c_, a_, b_, d_}));
  EXPECT_EQ(ids({.orderBy = "priority", .descending = false}), (std::vector<std::string>{d_, b_, a_, c_}));
  EXPECT_EQ(ids({.orderBy = "created_at", .descending = false}), (std::vector<std::string>{a_, b_, c_, d_}));
  EXPECT_EQ(ids({.orderBy = "updated_at", .descending = false}), (std::vector<std::string>{d_, c_, b_, a_}));
  // Jobs without the value sort last either way.
  EXPECT_EQ(ids({.orderBy = "scheduled_at", .descending = false}), (std::vector<std::string>{c_, d_, a_, b_}));
  EXPECT_EQ(ids({.orderBy = "scheduled_at"}), (std::vector<std::string>{a_, d_, c_, b_}));
}

TEST_P(StoreConformance, ListTiesOfOneMillisecondFollowCreationOrder) {
  std::vector<std::string> created;
  for (const char* id : {"ffffffff-ffff-4fff-bfff-ffffffffffff", "00000000-0000-4000-8000-000000000000",
                         "88888888-8888-4888-8888-888888888888"}) {
    JobRecord job = minimalJob("org-a", "q", 0, 7);
    job.id = id;
    put(job);
    created.push_back(id);
  }
  EXPECT_EQ(listedIds({.orgId = "org-a", .descending = false}), created);
  EXPECT_EQ(listedIds({.orgId = "org-a"}), (std::vector<std::string>(created.rbegin(), created.rend())));
}

TEST_P(ListJobsTest, PagesWithLimitAndOffset) {
  EXPECT_EQ(ids({.limit = 2}), (std::vector<std::string>{d_, c_}));
  EXPECT_EQ(ids({.limit = 2, .offset = 2}), (std::vector<std::string>{b_, a_}));
  EXPECT_TRUE(ids({.limit = 2, .offset = 4}).empty());
}

TEST_P(ListJobsTest, RefusesAnOrderOutsideTheWhitelist) {
  EXPECT_ANY_THROW(ids({.orderBy = "created_at; DROP TABLE jobs"}));
  EXPECT_ANY_THROW(ids({.orderBy = "payload"}));
  EXPECT_EQ(ids({}).size(), 4u);
}

TEST_P(StoreConformance, ListsWorkersByQueueAndStatusNewestFirst) {
  WorkerRecord first = fullWorker("org-a", "emails");
  WorkerRecord second = fullWorker("org-a", "emails");
  second.registeredAt = first.registeredAt + std::chrono::seconds(1);
  second.status = "healthy";
  WorkerRecord other = fullWorker("org-a", "reports");
  other.registeredAt = first.registeredAt - std::chrono::seconds(1);
  store_->writeNow([&](StoreTx& tx) {
    for (const auto* w : {&first, &second, &other}) tx.insertWorker(*w);
    tx.insertWorker(fullWorker("org-b", "emails"));
  });
  auto workerIds = [&](WorkerQuery query) {
    std::vector<std::string> out;
    for (const auto& w : store_->readResult([&](StoreReader& r) { return r.listWorkers(query); })) out.push_back(w.id);
    return out;
  };
  EXPECT_EQ(workerIds({.orgId = "org-a"}), (std::vector<std::string>{second.id, first.id, other.id}));
  EXPECT_EQ(workerIds({.orgId = "org-a", .queueName = "emails"}), (std::vector<std::string>{second.id, first.id}));
  EXPECT_EQ(workerIds({.orgId = "org-a", .status = "healthy"}), (std::vector<std::string>{second.id}));
  EXPECT_EQ(workerIds({.orgId = "org-a", .limit = 1, .offset = 1}), (std::vector<std::string>{first.id}));
}

TEST_P(ListJobsTest, CountsJobsByStatusPerOrganizationAndQueue) {
  auto counts = [&](std::optional<std::string> queue) {
    return store_->readResult([&](StoreReader& r) { return r.countJobsByStatus("org-a", queue); });
  };
  using Counts = std::map<JobStatus, long long>;
  EXPECT_EQ(counts(std::nullopt), (Counts{{JobStatus::Pending, 3}, {JobStatus::Completed, 1}}));
  EXPECT_EQ(counts("emails"), (Counts{{JobStatus::Pending, 2}, {JobStatus::Completed, 1}}));
  EXPECT_EQ(counts("reports"), (Counts{{JobStatus::Pending, 1}}));
  EXPECT_TRUE(counts("nothing-here").empty());
}

// --- what an organization has, for its limits ---

TEST_P(StoreConformance, CountsQueuesLiveWorkersAndActiveKeysPerOrganization) {
  const OrganizationRecord org = fullOrganization("counted");
  const OrganizationRecord other = fullOrganization("other");
  store_->writeNow([&](StoreTx& tx) {
    tx.insertOrganization(org);
    tx.insertOrganization(other);
    // Queues: two with jobs (one of them also configured), one configured only; many jobs on one.
    for (int i = 0; i < 50; ++i) tx.insertJob(minimalJob(org.id, "busy", 0, i));
    tx.insertJob(minimalJob(org.id, "configured-too"));
    tx.upsertQueue(fullQueue(org.id, "configured-too"));
    tx.upsertQueue(fullQueue(org.id, "config-only"));
    tx.insertJob(minimalJob(other.id, "theirs"));
    // Workers: degraded and draining count, offline does not.
    WorkerRecord draining = fullWorker(org.id, "busy");
    draining.status = "draining";
    WorkerRecord offline = fullWorker(org.id, "busy");
    offline.status = "offline";
    tx.insertWorker(fullWorker(org.id, "busy"));
    tx.insertWorker(draining);
    tx.insertWorker(offline);
    tx.insertWorker(fullWorker(other.id, "theirs"));
    // Keys: active ones count, revoked ones do not.
    ApiKeyRecord revoked = fullApiKey(org.id);
    revoked.isActive = false;
    tx.insertApiKey(fullApiKey(org.id));
    tx.insertApiKey(revoked);
    tx.insertApiKey(fullApiKey(other.id));
  });
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(r.countQueues(org.id, 100), 3);
    EXPECT_EQ(r.countQueues(org.id, 2), 2);  // stops at upTo
    EXPECT_EQ(r.countQueues(other.id, 100), 1);
    EXPECT_EQ(r.countQueues("nobody", 100), 0);
    EXPECT_TRUE(r.queueExists(org.id, "busy"));
    EXPECT_TRUE(r.queueExists(org.id, "config-only"));
    EXPECT_FALSE(r.queueExists(org.id, "theirs"));
    EXPECT_FALSE(r.queueExists(org.id, "busy2"));
    EXPECT_EQ(r.countLiveWorkers(org.id), 2);
    EXPECT_EQ(r.countLiveWorkers(other.id), 1);
    EXPECT_EQ(r.countActiveApiKeys(org.id), 1);
    EXPECT_EQ(r.countActiveApiKeys(other.id), 1);
    EXPECT_EQ(r.countWorkersByStatus(),
              (std::map<std::string, long long>{{"degraded", 2}, {"draining", 1}, {"offline", 1}}));
  });
  // Inside a transaction the counts see its own writes, which is what makes the limit checks exact.
  store_->writeNow([&](StoreTx& tx) {
    tx.insertJob(minimalJob(org.id, "fourth"));
    EXPECT_EQ(tx.countQueues(org.id, 100), 4);
  });
}

// --- transactions ---

TEST_P(StoreConformance, TransactionSeesItsOwnWritesWhileOthersSeeOnlyCommittedData) {
  JobRecord job = minimalJob("org-a", "q");
  store_->writeNow([&](StoreTx& tx) {
    tx.insertJob(job);
    EXPECT_TRUE(tx.findJob("org-a", job.id));
    EXPECT_EQ(tx.listJobs(JobQuery{.orgId = "org-a"}).size(), 1u);
    EXPECT_FALSE(findJob("org-a", job.id)) << "a reader saw an uncommitted write";
  });
  EXPECT_TRUE(findJob("org-a", job.id));
}

struct DeliberateFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST_P(StoreConformance, AWriteThatThrowsIsRolledBackAndItsExceptionRethrown) {
  JobRecord job = minimalJob("org-a", "q");
  EXPECT_THROW(store_->writeNow([&](StoreTx& tx) {
    tx.insertJob(job);
    throw DeliberateFailure("no");
  }),
               DeliberateFailure);
  EXPECT_FALSE(findJob("org-a", job.id));
  // The exact exception object reaches the caller, so core's ApiError keeps its code.
  try {
    store_->writeNow([](StoreTx&) { throw ApiError(ErrorCode::Conflict, "taken"); });
    FAIL() << "write did not rethrow";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.code(), ErrorCode::Conflict);
  }
  put(job);  // the store is still usable
  EXPECT_TRUE(findJob("org-a", job.id));
}

TEST_P(StoreConformance, AReadThatThrowsIsRethrownAndReadersStayUsable) {
  EXPECT_THROW(store_->read([](StoreReader&) { throw DeliberateFailure("no"); }), DeliberateFailure);
  JobRecord job = minimalJob("org-a", "q");
  put(job);
  // More concurrent readers than a pool is likely to hold.
  std::atomic<int> found = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) threads.emplace_back([&] { found += findJob("org-a", job.id) ? 1 : 0; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(found, 20);
}

TEST_P(StoreConformance, ConcurrentWritersAllCommit) {
  constexpr int kThreads = 8;
  constexpr int kWritesEach = 200;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesEach; ++i) {
        JobRecord job = minimalJob("org-a", "q" + std::to_string(t), 0, i);
        store_->writeNow([&](StoreTx& tx) { tx.insertJob(job); });
        ids[t].push_back(job.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto counts = store_->readResult([](StoreReader& r) { return r.countJobsByStatus("org-a", std::nullopt); });
  EXPECT_EQ(counts[JobStatus::Pending], kThreads * kWritesEach);
  store_->read([&](StoreReader& r) {
    for (const auto& perThread : ids)
      for (const auto& id : perThread) ASSERT_TRUE(r.findJob("org-a", id)) << id;
  });
}

TEST_P(StoreConformance, ConcurrentFailuresUndoOnlyTheirOwnWrites) {
  constexpr int kThreads = 8;
  constexpr int kWritesEach = 60;
  std::atomic<int> rethrown = 0;
  std::vector<std::vector<std::string>> kept(kThreads), dropped(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesEach; ++i) {
        JobRecord job = minimalJob("org-a", "q", 0, i);
        bool fail = (t + i) % 3 == 0;
        try {
          store_->writeNow([&](StoreTx& tx) {
            tx.insertJob(job);
            if (fail) throw DeliberateFailure(job.id);
          });
          kept[t].push_back(job.id);
        } catch (const DeliberateFailure& error) {
          if (error.what() == job.id) ++rethrown;  // its own exception, not a neighbour's
          dropped[t].push_back(job.id);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  int expectedDropped = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kWritesEach; ++i) expectedDropped += (t + i) % 3 == 0 ? 1 : 0;
  EXPECT_EQ(rethrown, expectedDropped);
  store_->read([&](StoreReader& r) {
    for (int t = 0; t < kThreads; ++t) {
      for (const auto& id : kept[t]) ASSERT_TRUE(r.findJob("org-a", id));
      for (const auto& id : dropped[t]) ASSERT_FALSE(r.findJob("org-a", id));
    }
    EXPECT_EQ(r.countJobsByStatus("org-a", std::nullopt)[JobStatus::Pending], kThreads * kWritesEach - expectedDropped);
  });
}

// --- durability and health ---

TEST_P(StoreConformance, EverythingCommittedIsThereAfterReopening) {
  const auto [org, job, worker, key, queue] = putOneOfEach("acme");
  reopen();
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(view(r.findOrganization(org.id)), view(org));
    EXPECT_EQ(view(r.findJob(org.id, job.id)), view(job));
    EXPECT_EQ(view(r.findWorker(org.id, worker.id)), view(worker));
    EXPECT_EQ(view(r.findApiKeyByHash(key.keyHash)), view(key));
    EXPECT_EQ(view(r.findQueue(org.id, "q")), view(queue));
  });
  reopen();  // opening an up-to-date database a second time changes nothing
  EXPECT_EQ(view(findJob(org.id, job.id)), view(job));
}

TEST_P(StoreConformance, AnswersPingAndNamesItsBackend) {
  EXPECT_TRUE(store_->ping());
  EXPECT_EQ(store_->backendName(), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(storeBackends()), backendTestName);
INSTANTIATE_TEST_SUITE_P(Backends, ListJobsTest, ::testing::ValuesIn(storeBackends()), backendTestName);

}  // namespace
}  // namespace spooled::server
