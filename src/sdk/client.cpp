// SpooledClient (include/spooled/client.hpp): owns the ApiCaller that its resources share.
#include "spooled/client.hpp"

#include "sdk/api_caller.hpp"

namespace spooled {

SpooledClient::SpooledClient(ClientOptions options)
    : api_(std::make_unique<detail::ApiCaller>(options.resolved())), jobs_(*api_), workers_(*api_), queues_(*api_),
      apiKeys_(*api_), organizations_(*api_), auth_(*api_), admin_(*api_),
      health_(*api_), metrics_(*api_), dashboard_(*api_), realtime_(api_->options()),
      webhooks_(*api_), workflows_(*api_), schedules_(*api_) {}

SpooledClient::~SpooledClient() { api_->close(); }

void SpooledClient::close() { api_->close(); }

const ClientOptions& SpooledClient::options() const noexcept { return api_->options(); }

}  // namespace spooled
