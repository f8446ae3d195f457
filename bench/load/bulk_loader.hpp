#pragma once
// Fills a queue through the bulk-create API (POST /api/v1/jobs/bulk, at most 100 jobs a request),
// from several threads at once so concurrent batches can share the server's commits.
#include <string>
#include <vector>

namespace spooled::bench {

struct BulkLoad {
  std::string queueName;
  long long jobs = 0;
  int batchSize = 100;  // 1..100, the API's limit
  int threads = 4;      // requests in flight at once
};

// Enqueues `load.jobs` jobs with an empty payload; returns the wall time in seconds. Throws
// std::runtime_error when the server refuses any job.
// Sender thread i talks to urls[i % urls.size()] (several servers on one database).
double bulkEnqueue(const std::vector<std::string>& urls, const std::string& apiKey, const BulkLoad& load);

}  // namespace spooled::bench
