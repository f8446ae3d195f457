#include "cli/exit_codes.hpp"

#include <ostream>

#include "spooled/errors.hpp"

namespace spooled::cli {

namespace {

int codeFor(const SpooledError& e) {
  if (dynamic_cast<const NotFoundError*>(&e) != nullptr) return kExitNotFound;
  if (dynamic_cast<const AuthenticationError*>(&e) != nullptr) return kExitAuth;
  if (dynamic_cast<const AuthorizationError*>(&e) != nullptr) return kExitAuth;
  if (dynamic_cast<const ConflictError*>(&e) != nullptr) return kExitConflict;
  if (dynamic_cast<const ValidationError*>(&e) != nullptr) return kExitInvalid;
  if (dynamic_cast<const PayloadTooLargeError*>(&e) != nullptr) return kExitInvalid;
  if (dynamic_cast<const RateLimitError*>(&e) != nullptr) return kExitUnavailable;
  if (dynamic_cast<const NetworkError*>(&e) != nullptr) return kExitUnavailable;
  if (dynamic_cast<const TimeoutError*>(&e) != nullptr) return kExitUnavailable;
  return kExitError;
}

}  // namespace

int reportError(const std::exception& error, std::ostream& err) {
  if (const auto* e = dynamic_cast<const SpooledError*>(&error)) {
    err << "error: " << e->what();
    if (e->code() != "UNKNOWN_ERROR" && !e->code().empty()) err << " (" << e->code() << ")";
    if (!e->requestId().empty()) err << " [request " << e->requestId() << "]";
    err << "\n";
    return codeFor(*e);
  }
  err << "error: " << error.what() << "\n";
  return kExitError;
}

}  // namespace spooled::cli
