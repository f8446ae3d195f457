#include "server/api/validation.hpp"

#include <charconv>

#include "common/bounded_json.hpp"
#include "common/error_code.hpp"

namespace spooled::server {

namespace {

const char* typeName(const json& value) {
  return value.type_name();
}

void checkSize(const std::string& field, const json& value, std::size_t maxBytes) {
  // Serialized size is what the official backend limits and what the store keeps.
  const std::size_t size = value.dump(-1, ' ', false, json::error_handler_t::replace).size();
  if (size > maxBytes)
    throw ApiError(ErrorCode::PayloadTooLarge,
                   field + " is " + std::to_string(size) + " bytes serialized; the limit is " +
                       std::to_string(maxBytes),
                   json{{"field", field}, {"size", size}, {"max_size", maxBytes}});
}

// The ApiError for a body the bounded parser refused: where it is (a member, or the body) and why.
ApiError bodyError(const JsonInputError& e) {
  json details = json::object();
  if (e.field()) details["field"] = *e.field();
  if (e.position() > 0) details["position"] = e.position();
  if (e.problem() == JsonInputProblem::Malformed) {
    const std::string where = e.field() ? " (near field " + *e.field() + ")" : "";
    return ApiError(ErrorCode::BadRequest,
                    "Malformed JSON body at byte " + std::to_string(e.position()) + where + ": " + e.what(), details);
  }
  if (e.problem() == JsonInputProblem::TooDeep) details["max_depth"] = kMaxJsonDepth;
  // A limit broken inside a member is that field's fault; outside any member, the body's.
  return ApiError(e.field() ? ErrorCode::Validation : ErrorCode::BadRequest,
                  (e.field() ? *e.field() : std::string("Request body")) + ": " + e.what(), details);
}

}  // namespace

void throwValidation(const std::string& field, const std::string& message) {
  throw ApiError(ErrorCode::Validation, message, json{{"field", field}});
}

json parseJsonObjectBody(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw ApiError(ErrorCode::BadRequest, "Request body is empty; expected a JSON object");
  json parsed;
  try {
    parsed = parseBoundedJson(body);
  } catch (const JsonInputError& e) {
    throw bodyError(e);
  }
  if (!parsed.is_object())
    throw ApiError(ErrorCode::BadRequest, std::string("Request body must be a JSON object, got ") + typeName(parsed));
  return parsed;
}

const json* FieldReader::find(const std::string& field) const {
  const auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool FieldReader::has(const std::string& field) const { return find(field) != nullptr; }

std::optional<std::string> FieldReader::optionalString(const std::string& field, std::size_t minLen,
                                                       std::size_t maxLen) const {
  const json* v = find(field);
  if (!v) return std::nullopt;
  if (!v->is_string()) throwValidation(field, field + " must be a string, got " + typeName(*v));
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() < minLen || s.size() > maxLen) {
    if (minLen > 0 && s.empty()) throwValidation(field, field + " must not be empty");
    throwValidation(field, field + " must be " + std::to_string(minLen) + "-" + std::to_string(maxLen) +
                               " characters, got " + std::to_string(s.size()));
  }
  return s;
}

std::string FieldReader::requiredString(const std::string& field, std::size_t minLen, std::size_t maxLen) const {
  auto s = optionalString(field, minLen, maxLen);
  if (!s) throwValidation(field, field + " is required");
  return std::move(*s);
}

std::optional<int> FieldReader::optionalInt(const std::string& field, int min, int max) const {
  const json* v = find(field);
  if (!v) return std::nullopt;
  const std::string range = std::to_string(min) + " and " + std::to_string(max);
  if (!v->is_number_integer())
    throwValidation(field, field + " must be an integer between " + range + ", got " + quoteJsonForMessage(*v));
  // Compare as 64-bit so a huge number is reported as out of range, not wrapped.
  const long long n = v->is_number_unsigned() && v->get<unsigned long long>() > 0x7fffffffffffffffULL
                          ? 0x7fffffffffffffffLL
                          : v->get<long long>();
  if (n < min || n > max) throwValidation(field, field + " must be between " + range + ", got " + quoteJsonForMessage(*v));
  return static_cast<int>(n);
}

int FieldReader::requiredInt(const std::string& field, int min, int max) const {
  auto n = optionalInt(field, min, max);
  if (!n) throwValidation(field, field + " is required");
  return *n;
}

std::optional<bool> FieldReader::optionalBool(const std::string& field) const {
  const json* v = find(field);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throwValidation(field, field + " must be true or false, got " + typeName(*v));
  return v->get<bool>();
}

std::optional<TimePoint> FieldReader::optionalTime(const std::string& field) const {
  const json* v = find(field);
  if (!v) return std::nullopt;
  if (v->is_string()) {
    if (auto t = parseIso8601(v->get_ref<const std::string&>())) return t;
  }
  throwValidation(field, field + " must be an ISO-8601 time such as \"2030-01-01T00:00:00Z\", got " +
                             quoteJsonForMessage(*v));
}

std::optional<json> FieldReader::optionalFreeForm(const std::string& field, std::size_t maxBytes) const {
  auto v = optionalValue(field, maxBytes);
  if (v && v->is_array() && v->empty()) *v = json::object();
  return v;
}

json FieldReader::requiredFreeForm(const std::string& field, std::size_t maxBytes) const {
  auto v = optionalFreeForm(field, maxBytes);
  if (!v) throwValidation(field, field + " is required");
  return std::move(*v);
}

std::optional<json> FieldReader::optionalValue(const std::string& field, std::size_t maxBytes) const {
  const json* v = find(field);
  if (!v) return std::nullopt;
  checkSize(field, *v, maxBytes);
  return *v;
}

void requireQueueName(const std::string& field, const std::string& name) {
  if (name.empty() || name.size() > 100)
    throwValidation(field, field + " must be 1-100 characters, got " + std::to_string(name.size()));
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) throwValidation(field, field + " may contain only letters, digits, '.', '_' and '-'");
  }
  if (name.front() == '.' || name.front() == '-') throwValidation(field, field + " must not start with '.' or '-'");
}

std::string readQueueName(const FieldReader& reader, const std::string& field) {
  // Length is checked by requireQueueName so every queue-name error reads the same.
  std::string name = reader.requiredString(field, 0, std::string::npos);
  requireQueueName(field, name);
  return name;
}

int queryInt(const std::optional<std::string>& value, const std::string& name, int min, int max, int fallback) {
  if (!value) return fallback;
  long long n = 0;
  const char* begin = value->data();
  const char* end = begin + value->size();
  const auto [ptr, ec] = std::from_chars(begin, end, n);
  if (value->empty() || ec != std::errc() || ptr != end || n < min || n > max)
    throwValidation(name, name + " must be an integer between " + std::to_string(min) + " and " +
                              std::to_string(max) + ", got \"" + *value + "\"");
  return static_cast<int>(n);
}

}  // namespace spooled::server
