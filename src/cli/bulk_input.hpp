#pragma once
// Reading jobs for `spooled jobs enqueue --file F`: a JSON array, or NDJSON (one JSON value per
// line). An item that is an object with a "payload" key is a job spec (payload, priority,
// idempotency_key, scheduled_at); any other value is the payload itself.
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "spooled/jobs.hpp"

namespace spooled::cli {

struct BulkInputItem {
  std::string where;                // "line 7" or "item 7": how a person finds it in the file
  std::optional<BulkJobItem> job;   // empty when the item could not be read
  std::string error;                // why, when job is empty
};

// Reads the whole input. Throws std::runtime_error when a JSON array does not parse at all.
std::vector<BulkInputItem> readBulkInput(std::istream& in);

}  // namespace spooled::cli
