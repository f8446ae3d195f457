#include "common/error_code.hpp"

namespace spooled {

int httpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::Validation:
    case ErrorCode::BadRequest: return 400;
    case ErrorCode::Unauthorized: return 401;
    case ErrorCode::Forbidden:
    case ErrorCode::LimitExceeded: return 403;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::MethodNotAllowed: return 405;
    case ErrorCode::Conflict:
    case ErrorCode::LeaseExpired:
    case ErrorCode::JobCancelled: return 409;
    case ErrorCode::PayloadTooLarge: return 413;
    case ErrorCode::RateLimited: return 429;
    case ErrorCode::Internal: return 500;
    case ErrorCode::Unavailable: return 503;
  }
  return 500;
}

std::string_view wireCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::Validation: return "VALIDATION_ERROR";
    case ErrorCode::BadRequest: return "BAD_REQUEST";
    case ErrorCode::Unauthorized: return "UNAUTHORIZED";
    case ErrorCode::Forbidden: return "ACCESS_DENIED";
    case ErrorCode::LimitExceeded: return "LIMIT_EXCEEDED";
    case ErrorCode::NotFound: return "NOT_FOUND";
    case ErrorCode::MethodNotAllowed: return "METHOD_NOT_ALLOWED";
    case ErrorCode::Conflict: return "CONFLICT";
    case ErrorCode::LeaseExpired: return "LEASE_EXPIRED";
    case ErrorCode::JobCancelled: return "JOB_CANCELLED";
    case ErrorCode::PayloadTooLarge: return "PAYLOAD_TOO_LARGE";
    case ErrorCode::RateLimited: return "RATE_LIMIT_EXCEEDED";
    case ErrorCode::Internal: return "INTERNAL_ERROR";
    case ErrorCode::Unavailable: return "SERVICE_UNAVAILABLE";
  }
  return "INTERNAL_ERROR";
}

}  // namespace spooled
