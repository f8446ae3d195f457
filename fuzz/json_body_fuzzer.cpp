// libFuzzer target: a request body -> parseJsonObjectBody -> the FieldReader reads of one route's
// body (its fields, types and ranges, as its handler reads them), then the error mapping a client
// would see.
//
// The first input byte picks the route shape, the rest is the body. What must hold for every input:
// - no crash, hang, leak or undefined behaviour (the sanitizers watch), including while rendering the
//   read values and the error message that quotes them;
// - whatever the client sends, the answer is a 4xx whose body is JSON {code, message}: a 500 means
//   client data reached a path without a bound or a check.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "common/error_code.hpp"
#include "common/time.hpp"
#include "server/api/validation.hpp"
#include "server/http/error_response.hpp"

namespace {

using spooled::json;
using namespace spooled::server;

// Only validation.hpp's public API is used, so the shapes survive changes to the readers' insides.
// Free-form fields (payload, result, tags, metadata, settings) are read as any value of bounded size,
// as every version of the handlers accepts at least that, and rendered as a handler would store or
// echo them: serialising is where deep values used to overflow.
constexpr std::size_t kMaxSettingsBytes = 64 * 1024;

void use(const std::optional<json>& value) {
  if (value) (void)value->dump();
}

std::optional<json> freeForm(const FieldReader& f, const std::string& field, std::size_t maxBytes) {
  auto value = f.optionalValue(field, maxBytes);
  use(value);
  return value;
}

void readCreateJob(const FieldReader& f) {
  readQueueName(f, "queue_name");
  if (!freeForm(f, "payload", kMaxPayloadBytes)) throwValidation("payload", "payload is required");
  f.intOr("priority", -100, 100, 0);
  f.intOr("max_retries", 0, 100, 3);
  f.intOr("timeout_seconds", 1, 86400, 300);
  f.optionalTime("scheduled_at");
  f.optionalTime("expires_at");
  f.optionalString("idempotency_key", 1, 255);
  freeForm(f, "tags", kMaxTagsBytes);
  f.optionalString("parent_job_id", 1, 255);
  f.optionalString("completion_webhook", 1, 2048);
}

void readBulkEnqueue(const json& body, const FieldReader& f) {
  readQueueName(f, "queue_name");
  f.intOr("default_priority", -100, 100, 0);
  f.intOr("default_max_retries", 0, 100, 3);
  f.intOr("default_timeout_seconds", 1, 86400, 300);
  const auto jobs = body.find("jobs");
  if (jobs == body.end() || !jobs->is_array() || jobs->empty() || jobs->size() > 100)
    throwValidation("jobs", "jobs must be an array of 1-100 jobs");
  for (const json& item : *jobs) {
    // An invalid item fails alone, with its message in the answer.
    try {
      if (!item.is_object()) throwValidation("jobs", "each job must be an object");
      const FieldReader itemFields(item);
      if (!freeForm(itemFields, "payload", kMaxPayloadBytes)) throwValidation("payload", "payload is required");
      itemFields.intOr("priority", -100, 100, 0);
      itemFields.optionalString("idempotency_key", 1, 255);
      itemFields.optionalTime("scheduled_at");
    } catch (const spooled::ApiError& e) {
      (void)json{{"error", e.what()}}.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
}

void readClaim(const FieldReader& f) {
  readQueueName(f, "queue_name");
  f.requiredString("worker_id", 1, 255);
  f.intOr("limit", 1, 100, 1);
  f.intOr("lease_duration_secs", 5, 3600, 30);
  f.intOr("wait_ms", 0, 30000, 0);
}

void readLease(const FieldReader& f) {
  f.requiredString("worker_id", 1, 255);
  f.optionalString("lease_id", 1, 255);
}

void readComplete(const FieldReader& f) {
  readLease(f);
  freeForm(f, "result", kMaxPayloadBytes);
}

void readFail(const FieldReader& f) {
  readLease(f);
  f.requiredString("error", 1, 2048);
  f.optionalBool("retryable");
}

void readJobHeartbeat(const FieldReader& f) {
  readLease(f);
  f.intOr("lease_duration_secs", 5, 3600, 30);
}

void readProgress(const FieldReader& f) {
  readLease(f);
  f.requiredInt("percent", 0, 100);
  f.optionalString("message", 0, 2048);
}

void readRegisterWorker(const FieldReader& f) {
  readQueueName(f, "queue_name");
  f.requiredString("hostname", 1, 255);
  f.optionalString("worker_type", 0, 50);
  f.intOr("max_concurrency", 1, 100, 5);
  freeForm(f, "metadata", kMaxMetadataBytes);
  f.optionalString("version", 0, 50);
}

void readWorkerHeartbeat(const FieldReader& f) {
  f.requiredInt("current_jobs", 0, 1000);
  f.optionalString("status", 1, 20);
  freeForm(f, "metadata", kMaxMetadataBytes);
}

void readQueueUpdate(const FieldReader& f) {
  if (f.has("queue_name")) readQueueName(f, "queue_name");
  f.optionalInt("max_retries", 0, 100);
  f.optionalInt("default_timeout", 1, 86400);
  f.optionalInt("rate_limit", 1, 1000000);
  f.optionalBool("enabled");
  freeForm(f, "settings", kMaxSettingsBytes);
}

void readDlqRetry(const json& body, const FieldReader& f) {
  const auto ids = body.find("job_ids");
  if (ids != body.end() && !ids->is_null()) {
    if (!ids->is_array()) throwValidation("job_ids", "job_ids must be an array of job ids");
    for (const json& id : *ids)
      if (!id.is_string()) throwValidation("job_ids", "job_ids must contain only strings");
  }
  if (f.has("queue_name")) readQueueName(f, "queue_name");
  f.intOr("limit", 1, 100, 100);
}

void readDlqPurge(const FieldReader& f) {
  f.optionalBool("confirm");
  if (f.has("queue_name")) readQueueName(f, "queue_name");
  f.optionalTime("older_than");
  f.optionalInt("limit", 1, 10000);
}

void readApiKey(const FieldReader& f) {
  f.optionalString("name", 1, 100);
  if (const auto queues = f.optionalValue("queues", kMaxSettingsBytes)) {
    if (!queues->is_array()) throwValidation("queues", "queues must be an array of queue names");
    for (const json& q : *queues)
      if (!q.is_string()) throwValidation("queues", "queues must be an array of strings");
  }
  f.optionalInt("rate_limit", 1, 10000);
  f.optionalBool("is_active");
  f.optionalTime("expires_at");
}

void readOrganization(const FieldReader& f) {
  f.optionalString("name", 3, 100);
  f.optionalString("slug", 3, 50);
  f.optionalString("billing_email", 3, 255);
  f.optionalString("plan_tier", 1, 20);
  freeForm(f, "settings", kMaxSettingsBytes);
}

void readAuth(const FieldReader& f) {
  f.optionalString("api_key", 10, 512);
  f.optionalString("refresh_token", 10, 8192);
  f.optionalString("token", 1, 8192);
  f.optionalString("reason", 0, 1000);
  if (f.has("priority")) f.requiredInt("priority", -100, 100);
}

const std::function<void(const json&, const FieldReader&)> kShapes[] = {
    [](const json&, const FieldReader& f) { readCreateJob(f); },
    [](const json& b, const FieldReader& f) { readBulkEnqueue(b, f); },
    [](const json&, const FieldReader& f) { readClaim(f); },
    [](const json&, const FieldReader& f) { readComplete(f); },
    [](const json&, const FieldReader& f) { readFail(f); },
    [](const json&, const FieldReader& f) { readJobHeartbeat(f); },
    [](const json&, const FieldReader& f) { readProgress(f); },
    [](const json&, const FieldReader& f) { readRegisterWorker(f); },
    [](const json&, const FieldReader& f) { readWorkerHeartbeat(f); },
    [](const json&, const FieldReader& f) { readQueueUpdate(f); },
    [](const json& b, const FieldReader& f) { readDlqRetry(b, f); },
    [](const json&, const FieldReader& f) { readDlqPurge(f); },
    [](const json&, const FieldReader& f) { readApiKey(f); },
    [](const json&, const FieldReader& f) { readOrganization(f); },
    [](const json&, const FieldReader& f) { readAuth(f); },
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // errorResponseFor logs every 500; the oracle below reads the status
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& shape = kShapes[data[0] % std::size(kShapes)];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const json object = parseJsonObjectBody(body);
    shape(object, FieldReader(object));
  } catch (...) {
    const auto error = std::current_exception();
    HttpRequest request;
    request.method = "POST";
    request.path = "/fuzz";
    const HttpResponse response = errorResponseFor(error, request);
    if (response.status < 400 || response.status >= 500) {
      std::fprintf(stderr, "client data answered %d: %s\n", response.status, response.body.c_str());
      std::abort();
    }
    const json answer = json::parse(response.body);
    if (!answer.contains("code") || !answer.contains("message")) std::abort();
  }
  return 0;
}
