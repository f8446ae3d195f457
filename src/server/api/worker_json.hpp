#pragma once
// Worker records as the wire shows them (Worker and WorkerSummary of the official contract).
#include "server/store/records.hpp"

namespace spooled::server {

// GET /api/v1/workers/{id}.
json workerToJson(const WorkerRecord& worker);
// One element of GET /api/v1/workers.
json workerSummaryToJson(const WorkerRecord& worker);

}  // namespace spooled::server
