#pragma once
// Job records as the wire shows them. Field names and shapes follow the official backend's Job,
// JobSummary and ClaimedJob: absent optionals are null, times are ISO-8601 UTC with milliseconds.
#include "server/store/records.hpp"

namespace spooled::server {

// null, or the time as "2026-01-01T00:00:00.000Z".
json optionalTimeJson(const std::optional<TimePoint>& t);

// GET /api/v1/jobs/{id}. Adds our extensions `progress` and `progress_message`.
json jobToJson(const JobRecord& job);
// One element of GET /api/v1/jobs.
json jobSummaryToJson(const JobRecord& job);
// One element of `jobs` in the POST /api/v1/jobs/claim answer.
json claimedJobToJson(const JobRecord& job);

}  // namespace spooled::server
