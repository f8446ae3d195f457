#pragma once
// What a benchmark command returns: one JSON object whose keys keep the order they were written
// in, printed as is with --json or as a readable table.
#include <iosfwd>
#include <optional>

#include <nlohmann/json.hpp>

namespace spooled::bench {

using Report = nlohmann::ordered_json;

// Scalars one per line; a latency object ({p50, p95, p99, ...}) on one line; an array of objects
// as a sub-table with one row per element.
void printTable(const Report& report, std::ostream& out);

// A number, or null when it could not be measured.
inline Report optionalNumber(std::optional<double> value) { return value ? Report(*value) : Report(nullptr); }

}  // namespace spooled::bench
