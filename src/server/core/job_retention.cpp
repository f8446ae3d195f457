#include "server/core/job_retention.hpp"

#include <string>
#include <utility>
#include <vector>

namespace spooled::server {

namespace {

long long purgeOne(StoreTx& tx, const std::string& orgId, JobStatus status, TimePoint cutoff, int limit) {
  JobQuery query;
  query.orgId = orgId;
  query.status = status;
  query.limit = limit;
  query.orderBy = "created_at";  // on (org_id, status, created_at): the oldest come first
  query.descending = false;
  long long deleted = 0;
  for (const JobRecord& job : tx.listJobs(query)) {
    if (job.createdAt >= cutoff) break;  // created after the cutoff: finished after it too, as all later ones
    if (job.completedAt && *job.completedAt < cutoff && tx.deleteJob(orgId, job.id)) ++deleted;
  }
  return deleted;
}

}  // namespace

Task<long long> purgeExpiredJobs(Store& store, const RetentionPolicy& policy, TimePoint now, int limit) {
  std::vector<std::pair<JobStatus, TimePoint>> rules;
  if (policy.completed) {
    rules.emplace_back(JobStatus::Completed, now - *policy.completed);
    rules.emplace_back(JobStatus::Cancelled, now - *policy.completed);
  }
  if (policy.deadletter) rules.emplace_back(JobStatus::Deadletter, now - *policy.deadletter);
  std::vector<std::string> orgIds;
  store.read([&](StoreReader& r) {
    for (const auto& org : r.listOrganizations()) orgIds.push_back(org.id);
  });
  long long deleted = 0;
  for (const std::string& orgId : orgIds) {
    for (const auto& [status, cutoff] : rules) {
      const JobStatus s = status;
      const TimePoint c = cutoff;
      deleted += co_await store.write([&](StoreTx& tx) { return purgeOne(tx, orgId, s, c, limit); });
    }
  }
  co_return deleted;
}

Task<long long> purgeOldWebhookDeliveries(Store& store, const RetentionPolicy& policy, TimePoint now, int limit) {
  if (!policy.webhookDeliveries) co_return 0;
  const TimePoint cutoff = now - *policy.webhookDeliveries;
  std::vector<std::string> webhookIds;
  store.read([&](StoreReader& r) {
    for (const auto& org : r.listOrganizations())
      for (const auto& webhook : r.listOutgoingWebhooks(org.id)) webhookIds.push_back(webhook.id);
  });
  long long deleted = 0;
  for (const std::string& id : webhookIds)
    deleted += co_await store.write([&](StoreTx& tx) { return tx.deleteWebhookDeliveriesBefore(id, cutoff, limit); });
  co_return deleted;
}

}  // namespace spooled::server
