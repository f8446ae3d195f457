#pragma once
// The one place that turns a failure into an HTTP status and a `{code, message, details}` body.
// Everything a handler throws ends up here: ApiError keeps its code; a JSON parse error is a
// 400 BAD_REQUEST naming the byte where parsing broke; anything else is a logged 500 whose body
// reveals nothing internal.
#include <exception>
#include <string>

#include "common/error_code.hpp"
#include "server/http/http_types.hpp"

namespace spooled::server {

// A response for one error code. details is left out of the body when null, as the official backend does.
HttpResponse errorResponse(ErrorCode code, const std::string& message, const json& details = nullptr);

// Maps an exception caught around a handler. Call only from inside a catch block's handling path.
HttpResponse errorResponseFor(const std::exception_ptr& error, const HttpRequest& request);

}  // namespace spooled::server
