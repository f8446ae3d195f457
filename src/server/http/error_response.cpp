#include "server/http/error_response.hpp"

#include <spdlog/spdlog.h>

namespace spooled::server {

HttpResponse errorResponse(ErrorCode code, const std::string& message, const json& details) {
  json body = {{"code", wireCode(code)}, {"message", message}};
  if (!details.is_null()) body["details"] = details;
  return HttpResponse::json(httpStatus(code), body);
}

HttpResponse errorResponseFor(const std::exception_ptr& error, const HttpRequest& request) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    if (e.code() == ErrorCode::Internal || e.code() == ErrorCode::Unavailable)
      spdlog::error("{} {}: {}", request.method, request.path, e.what());
    return errorResponse(e.code(), e.what(), e.details());
  } catch (const json::parse_error& e) {
    // nlohmann's message already names line, column and what it expected; drop its internal prefix.
    std::string what = e.what();
    if (const auto end = what.find("] "); what.rfind("[json.exception", 0) == 0 && end != std::string::npos)
      what.erase(0, end + 2);
    return errorResponse(ErrorCode::BadRequest,
                         "Malformed JSON body at byte " + std::to_string(e.byte) + ": " + what,
                         json{{"position", e.byte}});
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", request.method, request.path, e.what());
  } catch (...) {
    spdlog::error("{} {} failed with a non-standard exception", request.method, request.path);
  }
  return errorResponse(ErrorCode::Internal, "An internal error occurred");
}

}  // namespace spooled::server
