#include "server/api/api_services.hpp"

#include "common/error_code.hpp"
#include "common/ids.hpp"

namespace spooled::server {

std::string pathUuid(const HttpRequest& request, const std::string& what) {
  const std::string& id = request.pathParam("id");
  // Same message as for an unknown id, so nobody can tell the two apart.
  if (!isUuid(id)) throw ApiError(ErrorCode::NotFound, what + " not found");
  return id;
}

void requireQueueAccess(const AuthContext& auth, const std::string& queueName) {
  if (!auth.allowsQueue(queueName))
    throw ApiError(ErrorCode::Forbidden, "API key does not have permission for queue '" + queueName + "'");
}

HttpResponse successResponse() { return HttpResponse::json(200, json{{"success", true}}); }

Handler withServices(ApiServices& services, ServiceHandler fn) {
  return [&services, fn](const HttpRequest& request) -> Task<HttpResponse> { co_return fn(services, request); };
}

Handler withServices(ApiServices& services, ServiceCoroutine fn) {
  return [&services, fn](const HttpRequest& request) { return fn(services, request); };
}

}  // namespace spooled::server
