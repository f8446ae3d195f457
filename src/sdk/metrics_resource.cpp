// MetricsResource (include/spooled/metrics.hpp).
#include "sdk/api_caller.hpp"
#include "spooled/metrics.hpp"

namespace spooled {

std::string MetricsResource::get() { return api_.callText(detail::ApiCall::get("/metrics")); }

}  // namespace spooled
