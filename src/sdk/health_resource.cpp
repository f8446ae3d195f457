// HealthResource and HealthResponse::fromJson (include/spooled/health.hpp).
#include "sdk/api_caller.hpp"
#include "sdk/json_fields.hpp"
#include "spooled/health.hpp"

namespace spooled {
namespace {

// One attempt: an orchestrator asks again on its own schedule, and a probe that waited through
// retries would report a state that is already gone.
bool probe(detail::ApiCaller& api, const char* path) noexcept {
  try {
    detail::ApiCall call = detail::ApiCall::get(path);
    call.retry = false;
    call.textBody = true;  // the probes answer with an empty body, not JSON
    api.call(call);
    return true;
  } catch (...) {
    return false;  // unreachable, 503, closed client: all mean "no"
  }
}

}  // namespace

HealthResponse HealthResponse::fromJson(const json& body) {
  const json& o = detail::requireObject(body, "health");
  HealthResponse health;
  detail::requireField(o, "status", health.status);
  detail::readField(o, "version", health.version);
  detail::readField(o, "database", health.database);
  detail::readField(o, "cache", health.cache);
  return health;
}

HealthResponse HealthResource::get() { return HealthResponse::fromJson(api_.call(detail::ApiCall::get("/health"))); }

bool HealthResource::liveness() noexcept { return probe(api_, "/health/live"); }

bool HealthResource::readiness() noexcept { return probe(api_, "/health/ready"); }

}  // namespace spooled
