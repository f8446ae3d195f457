#include "server/store/records.hpp"

namespace spooled::server {

std::string_view toString(JobStatus status) {
  switch (status) {
    case JobStatus::Pending: return "pending";
    case JobStatus::Scheduled: return "scheduled";
    case JobStatus::Processing: return "processing";
    case JobStatus::Completed: return "completed";
    case JobStatus::Failed: return "failed";
    case JobStatus::Deadletter: return "deadletter";
    case JobStatus::Cancelled: return "cancelled";
  }
  return "pending";
}

std::optional<JobStatus> parseJobStatus(std::string_view text) {
  for (JobStatus s : kAllJobStatuses)
    if (toString(s) == text) return s;
  return std::nullopt;
}

}  // namespace spooled::server
