#include "common/bounded_json.hpp"

#include <charconv>
#include <vector>

namespace spooled {

namespace {

// nlohmann's id for "number overflow parsing" (a literal beyond the range of a double).
constexpr int kNumberOverflowId = 406;

std::string shortened(std::string_view text, std::size_t maxChars) {
  if (text.size() <= maxChars) return std::string(text);
  return std::string(text.substr(0, maxChars)) + "...";
}

// The digits that carry a number's value: sign, point, exponent, leading and trailing zeros dropped.
std::string significantDigits(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c == 'e' || c == 'E') break;
    if (c >= '0' && c <= '9' && !(digits.empty() && c == '0')) digits += c;
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return digits;
}

bool isIntegerLiteral(std::string_view text) { return text.find_first_of(".eE") == std::string_view::npos; }

// True when the double nearest to the literal, printed as shortly as it round-trips, has the
// literal's digits: nothing the client wrote is lost by keeping the double. (Scientific notation,
// because fixed notation spells out every digit of a large double's exact value.)
bool keepsEveryDigit(double value, std::string_view literal) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  if (ec != std::errc()) return false;
  return significantDigits(std::string_view(buffer, static_cast<std::size_t>(end - buffer))) ==
         significantDigits(literal);
}

// Builds the value as nlohmann's own DOM parser does (a stack of the open arrays and objects), but
// refuses to open one more level than allowed and checks each number, remembering which member of
// the outermost object it is inside so errors can name the field.
class BoundedBuilder final : public json::json_sax_t {
 public:
  BoundedBuilder(json& root, int maxDepth) : root_(root), maxDepth_(maxDepth) {}

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool value) override { return put(json(value)); }
  bool number_integer(number_integer_t value) override { return put(json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return put(json(value)); }
  bool number_float(number_float_t value, const string_t& literal) override {
    if (isIntegerLiteral(literal) && !keepsEveryDigit(value, literal))
      return fail(JsonInputProblem::InexactInteger,
                  "the integer " + shortened(literal, 40) +
                      " is beyond the 64-bit range and would not be kept exactly; send it as a string",
                  0);
    return put(json(value));
  }
  bool string(string_t& value) override { return put(json(std::move(value))); }
  bool binary(binary_t& value) override { return put(json::binary(std::move(value))); }

  bool start_object(std::size_t) override { return open(json::value_t::object); }
  bool start_array(std::size_t) override { return open(json::value_t::array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& name) override {
    if (open_.size() == 1) {
      field_ = name;
      inField_ = true;
    }
    member_ = &(*open_.back())[name];
    return true;
  }

  bool parse_error(std::size_t position, const std::string& lastToken, const json::exception& ex) override {
    if (ex.id == kNumberOverflowId)
      return fail(JsonInputProblem::NumberOverflow,
                  "the number " + shortened(lastToken, 40) +
                      " is beyond the range of a 64-bit floating-point number (about 1.8e308)",
                  position);
    // nlohmann's message names what it expected; its "[json.exception.parse_error.101] " prefix is noise.
    std::string message = ex.what();
    if (const auto end = message.find("] "); message.rfind("[json.exception", 0) == 0 && end != std::string::npos)
      message.erase(0, end + 2);
    // A bad token right after a member's value ({"n":0x10} stops after the 0) is still that member's.
    const bool afterMember = !inField_ && open_.size() == 1 && !field_.empty();
    return fail(JsonInputProblem::Malformed, message, position, afterMember);
  }

  const std::optional<JsonInputError>& error() const { return error_; }

 private:
  // Places a finished value where the parse is: the root, the next array element or the pending member.
  json* place(json&& value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *member_ = std::move(value);
    return member_;
  }

  bool put(json&& value) {
    place(std::move(value));
    if (open_.size() == 1) inField_ = false;  // a member of the outermost object is complete
    return true;
  }

  bool open(json::value_t type) {
    if (static_cast<int>(open_.size()) >= maxDepth_)
      return fail(JsonInputProblem::TooDeep,
                  "arrays and objects nest deeper than " + std::to_string(maxDepth_) + " levels", 0);
    open_.push_back(place(json(type)));
    return true;
  }

  bool close() {
    open_.pop_back();
    if (open_.size() == 1) inField_ = false;
    return true;
  }

  bool fail(JsonInputProblem problem, const std::string& message, std::size_t position, bool afterMember = false) {
    const bool named = inField_ || afterMember;
    error_.emplace(problem, message, position, named ? std::optional<std::string>(field_) : std::nullopt);
    return false;  // stops the parse
  }

  json& root_;
  const int maxDepth_;
  std::vector<json*> open_;  // the arrays and objects being filled, outermost first
  json* member_ = nullptr;   // the member a key() just named
  std::string field_;        // the member of the outermost object read last (or being read)
  bool inField_ = false;     // whether the parse is inside that member's value
  std::optional<JsonInputError> error_;
};

}  // namespace

json parseBoundedJson(std::string_view text, int maxDepth) {
  json root;
  BoundedBuilder builder(root, maxDepth);
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder);
  if (builder.error()) throw *builder.error();
  if (!ok) throw JsonInputError(JsonInputProblem::Malformed, "the JSON text is incomplete", text.size(), std::nullopt);
  return root;
}

std::string quoteJsonForMessage(const json& value, std::size_t maxChars) {
  return shortened(value.dump(-1, ' ', false, json::error_handler_t::replace), maxChars);
}

}  // namespace spooled
