#pragma once
// Parsing JSON that comes from outside the process (request bodies, token payloads, values read back
// from the store) with explicit limits. nlohmann parses iteratively, but dump(), copies and
// comparisons recurse once per nesting level: a value 50,000 levels deep parses fine and then
// overflows the stack the first time it is serialised. So depth is bounded where values are built.
//
// Numbers: a literal beyond the range of a double (1e400) is refused rather than turned into an
// error later; an integer literal beyond the 64-bit range is kept (as a double) only when the double
// holds exactly the digits written (100000000000000000000, as JavaScript and Go print large doubles),
// and refused otherwise (99999999999999999999 would silently change).
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spooled/json.hpp"

namespace spooled {

// Arrays and objects may nest this many levels; the outermost value is level 1.
inline constexpr int kMaxJsonDepth = 64;

enum class JsonInputProblem {
  Malformed,       // not JSON: a syntax error (NaN, trailing commas, ...)
  TooDeep,         // arrays and objects nested beyond the limit
  NumberOverflow,  // a number beyond the range of a double
  InexactInteger,  // an integer beyond 64 bits that a double cannot hold as written
};

class JsonInputError : public std::runtime_error {
 public:
  JsonInputError(JsonInputProblem problem, const std::string& message, std::size_t position,
                 std::optional<std::string> field)
      : std::runtime_error(message), problem_(problem), position_(position), field_(std::move(field)) {}

  JsonInputProblem problem() const { return problem_; }
  // Bytes read when the problem was found (the parser's count), 0 when not known.
  std::size_t position() const { return position_; }
  // The member of the outermost object whose value holds the problem, when there is one (for a
  // syntax error, also the member whose value the bad token follows).
  const std::optional<std::string>& field() const { return field_; }

 private:
  JsonInputProblem problem_;
  std::size_t position_;
  std::optional<std::string> field_;
};

// Parses text into a value nested at most maxDepth levels; throws JsonInputError otherwise. The
// message says what is wrong without saying where; field() and position() say where.
json parseBoundedJson(std::string_view text, int maxDepth = kMaxJsonDepth);

// A value for an error message: serialised, and cut to about maxChars so a message never carries a
// whole payload back.
std::string quoteJsonForMessage(const json& value, std::size_t maxChars = 80);

}  // namespace spooled
