#include "cli/bulk_input.hpp"

#include <cctype>
#include <iterator>
#include <stdexcept>

namespace spooled::cli {

namespace {

BulkInputItem toItem(std::string where, const json& value) {
  BulkInputItem item{std::move(where), std::nullopt, {}};
  BulkJobItem job;
  if (value.is_object() && value.contains("payload")) {
    job.payload = value.at("payload");
    try {
      if (value.contains("priority")) job.priority = value.at("priority").get<int>();
      if (value.contains("idempotency_key")) job.idempotencyKey = value.at("idempotency_key").get<std::string>();
      if (value.contains("scheduled_at")) job.scheduledAt = value.at("scheduled_at").get<std::string>();
    } catch (const json::exception&) {
      item.error = "priority must be a number, idempotency_key and scheduled_at strings";
      return item;
    }
  } else {
    job.payload = value;
  }
  item.job = std::move(job);
  return item;
}

}  // namespace

std::vector<BulkInputItem> readBulkInput(std::istream& in) {
  const std::string text(std::istreambuf_iterator<char>(in), {});
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  std::vector<BulkInputItem> items;
  if (first < text.size() && text[first] == '[') {
    const json all = json::parse(text, nullptr, false);
    if (all.is_discarded() || !all.is_array()) throw std::runtime_error("the input starts with '[' but is not a JSON array");
    for (std::size_t i = 0; i < all.size(); ++i) items.push_back(toItem("item " + std::to_string(i + 1), all[i]));
    return items;
  }
  std::size_t start = 0;
  for (int line = 1; start < text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string row = text.substr(start, end - start);
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string::npos) continue;
    const json value = json::parse(row, nullptr, false);
    if (value.is_discarded()) {
      items.push_back({"line " + std::to_string(line), std::nullopt, "not valid JSON"});
      continue;
    }
    items.push_back(toItem("line " + std::to_string(line), value));
  }
  return items;
}

}  // namespace spooled::cli
