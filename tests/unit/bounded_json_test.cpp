// The bounded parser every piece of outside JSON goes through: depth limit, numbers that fit, and
// errors that say which member of the outer object is at fault.
#include <gtest/gtest.h>

#include "common/bounded_json.hpp"

namespace spooled {
namespace {

// `depth` arrays nested inside each other: "[[...]]".
std::string nestedArrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

JsonInputError errorOf(const std::string& text, int maxDepth = kMaxJsonDepth) {
  try {
    parseBoundedJson(text, maxDepth);
  } catch (const JsonInputError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << text.substr(0, 80);
  return JsonInputError(JsonInputProblem::Malformed, "", 0, std::nullopt);
}

TEST(BoundedJson, ParsesWhatNlohmannParses) {
  const std::string text = R"({"a":[1,-2,3.5,"x",true,null,{"b":{}}],"c":18446744073709551615,"d":-9223372036854775808})";
  EXPECT_EQ(parseBoundedJson(text), json::parse(text));
  EXPECT_EQ(parseBoundedJson("7"), json(7));
  EXPECT_EQ(parseBoundedJson(R"({"k":1,"k":2})"), json::parse(R"({"k":1,"k":2})"));
}

TEST(BoundedJson, DepthUpToTheLimitParsesAndOneMoreIsRefused) {
  EXPECT_NO_THROW(parseBoundedJson(nestedArrays(kMaxJsonDepth)));
  EXPECT_EQ(errorOf(nestedArrays(kMaxJsonDepth + 1)).problem(), JsonInputProblem::TooDeep);
  EXPECT_EQ(errorOf(nestedArrays(200000)).problem(), JsonInputProblem::TooDeep);
  EXPECT_EQ(errorOf(nestedArrays(4), 3).problem(), JsonInputProblem::TooDeep);
  EXPECT_NO_THROW(parseBoundedJson(nestedArrays(3), 3));
}

TEST(BoundedJson, ErrorsNameTheOuterMemberTheyAreIn) {
  const std::string deep = R"({"ok":{"x":[1]},"payload":{"a":)" + nestedArrays(100) + "}}";
  const JsonInputError e = errorOf(deep);
  EXPECT_EQ(e.problem(), JsonInputProblem::TooDeep);
  EXPECT_EQ(e.field(), "payload");
  EXPECT_EQ(errorOf(R"({"priority":1e400})").field(), "priority");
  EXPECT_EQ(errorOf(R"({"a":1,"priority":NaN})").field(), "priority");
  // A bad token just after a member's value belongs to it: {"n":0x10} stops after the 0.
  EXPECT_EQ(errorOf(R"({"a":1,"n":0x10})").field(), "n");
  EXPECT_EQ(errorOf(R"({"n":01})").field(), "n");
  // Before any member, after the outermost value, and at the top level, no member is at fault.
  EXPECT_EQ(errorOf(R"({,"a":1})").field(), std::nullopt);
  EXPECT_EQ(errorOf(R"({"a":1} x)").field(), std::nullopt);
  EXPECT_EQ(errorOf(nestedArrays(100)).field(), std::nullopt);
  EXPECT_EQ(errorOf("1e400").field(), std::nullopt);
}

TEST(BoundedJson, NumbersBeyondADoubleAreRefused) {
  for (const char* text : {R"({"n":1e400})", R"({"n":-1e400})", R"({"n":[0,1E+999]})"}) {
    const JsonInputError e = errorOf(text);
    EXPECT_EQ(e.problem(), JsonInputProblem::NumberOverflow) << text;
    EXPECT_EQ(e.field(), "n") << text;
  }
  EXPECT_EQ(parseBoundedJson("1e-400"), json(0.0));  // underflow rounds to zero, as in every parser
}

TEST(BoundedJson, IntegersBeyond64BitsAreKeptOnlyWhenExact) {
  // Inside 64 bits: exact, as integers.
  EXPECT_EQ(parseBoundedJson("9223372036854775808").get<unsigned long long>(), 9223372036854775808ULL);
  EXPECT_EQ(parseBoundedJson("-9223372036854775808").get<long long>(), INT64_MIN);
  // Beyond, as JavaScript and Go print large doubles: the double holds exactly these digits.
  EXPECT_EQ(parseBoundedJson("100000000000000000000"), json(1e20));
  EXPECT_EQ(parseBoundedJson("36893488147419103000"), json(36893488147419103000.0));
  // Beyond, with digits a double cannot hold: refused, naming the member.
  for (const char* text : {R"({"n":99999999999999999999})", R"({"n":-9223372036854775809})",
                           R"({"n":18446744073709551616})", R"({"n":123456789012345678901234567890})"}) {
    const JsonInputError e = errorOf(text);
    EXPECT_EQ(e.problem(), JsonInputProblem::InexactInteger) << text;
    EXPECT_EQ(e.field(), "n") << text;
  }
  // Fractions and exponents are floating point by their nature and keep parsing as doubles.
  EXPECT_EQ(parseBoundedJson("3.14159265358979323846264"), json(3.14159265358979323846264));
}

TEST(BoundedJson, SyntaxErrorsAreMalformedWithAPosition) {
  for (const char* text : {R"({"n":NaN})", R"({"n":Infinity})", R"({"n":-Infinity})", R"({"n":01})", R"({"n":+1})",
                           R"({"n":.5})", R"({"n":0x1F})", "{", ""}) {
    const JsonInputError e = errorOf(text);
    EXPECT_EQ(e.problem(), JsonInputProblem::Malformed) << text;
    EXPECT_GT(e.position(), 0u) << text;
  }
}

TEST(BoundedJson, MessagesQuoteValuesShortly) {
  EXPECT_EQ(quoteJsonForMessage(json("abc")), "\"abc\"");
  const std::string quoted = quoteJsonForMessage(json(std::string(100000, 'x')));
  EXPECT_LT(quoted.size(), 100u);
  EXPECT_TRUE(quoted.ends_with("...")) << quoted;
}

}  // namespace
}  // namespace spooled
