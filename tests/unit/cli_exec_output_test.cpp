// How `spooled worker` reads a program's output: progress lines, the result from stdout, UTF-8
// repair, duration flags, and bulk input files.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/bulk_input.hpp"
#include "cli/duration_flag.hpp"
#include "cli/worker/exec_handler.hpp"
#include "cli/worker/utf8_text.hpp"

namespace spooled::cli {
namespace {

TEST(CliExecOutput, ProgressLines) {
  double percent = 0;
  std::string message;
  ASSERT_TRUE(parseProgressLine("progress: 40 resizing", percent, message));
  EXPECT_EQ(percent, 40);
  EXPECT_EQ(message, "resizing");
  ASSERT_TRUE(parseProgressLine("  progress:12.5%   two words ", percent, message));
  EXPECT_EQ(percent, 12.5);
  EXPECT_EQ(message, "two words");
  ASSERT_TRUE(parseProgressLine("progress: 100", percent, message));
  EXPECT_EQ(message, "");
  EXPECT_FALSE(parseProgressLine("progress: soon", percent, message));
  EXPECT_FALSE(parseProgressLine("Progress: 10", percent, message));
  EXPECT_FALSE(parseProgressLine("error: progress: 10", percent, message));
}

TEST(CliExecOutput, ResultFromStdout) {
  EXPECT_EQ(resultFromStdout("{\"a\": 1}\n"), (json{{"a", 1}}));
  EXPECT_EQ(resultFromStdout("  42 \n"), json(42));
  EXPECT_EQ(resultFromStdout("\n \n"), json(nullptr));
  EXPECT_EQ(resultFromStdout("hello\n"), json("hello\n"));
  EXPECT_EQ(resultFromStdout("{\"a\": 1}\n{\"b\": 2}\n"), json("{\"a\": 1}\n{\"b\": 2}\n")) << "two documents are text";
  // Bytes that are not UTF-8 (binary output, a character cut by --max-output) still make a JSON string.
  const json binary = resultFromStdout("ok \xff\xfe and caf\xc3");
  EXPECT_NO_THROW((void)binary.dump());
  EXPECT_EQ(binary.get<std::string>(), "ok \xEF\xBF\xBD\xEF\xBF\xBD and caf\xEF\xBF\xBD");
}

TEST(CliExecOutput, Utf8Repair) {
  EXPECT_EQ(toValidUtf8("plain"), "plain");
  EXPECT_EQ(toValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(toValidUtf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong";
  EXPECT_EQ(toValidUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "surrogate";
  EXPECT_EQ(toValidUtf8("\xa9x"), "\xEF\xBF\xBDx") << "a tail cut mid-character";
}

TEST(CliFlags, Durations) {
  using std::chrono::milliseconds;
  EXPECT_EQ(parseDuration("--x", "500ms", DurationUnit::seconds), milliseconds(500));
  EXPECT_EQ(parseDuration("--x", "30s", DurationUnit::milliseconds), milliseconds(30000));
  EXPECT_EQ(parseDuration("--x", "2m", DurationUnit::milliseconds), milliseconds(120000));
  EXPECT_EQ(parseDuration("--x", "0.5", DurationUnit::seconds), milliseconds(500));
  EXPECT_EQ(parseDuration("--x", "250", DurationUnit::milliseconds), milliseconds(250));
  EXPECT_THROW(parseDuration("--x", "-1s", DurationUnit::seconds), std::invalid_argument);
  EXPECT_THROW(parseDuration("--x", "5h", DurationUnit::seconds), std::invalid_argument);
  EXPECT_THROW(parseDuration("--x", "soon", DurationUnit::seconds), std::invalid_argument);
}

TEST(CliBulkInput, NdjsonAndArrays) {
  std::istringstream ndjson("{\"a\":1}\n\n{\"payload\":{\"b\":2},\"priority\":3,\"idempotency_key\":\"k\"}\nnope\n");
  const auto items = readBulkInput(ndjson);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].job->payload, (json{{"a", 1}}));
  EXPECT_EQ(items[1].where, "line 3");
  EXPECT_EQ(items[1].job->payload, (json{{"b", 2}}));
  EXPECT_EQ(items[1].job->priority, 3);
  EXPECT_EQ(items[1].job->idempotencyKey, "k");
  EXPECT_FALSE(items[2].job.has_value());
  EXPECT_EQ(items[2].where, "line 4");

  std::istringstream array(" [1, {\"payload\": null, \"priority\": \"high\"}]");
  const auto fromArray = readBulkInput(array);
  ASSERT_EQ(fromArray.size(), 2u);
  EXPECT_EQ(fromArray[0].job->payload, json(1));
  EXPECT_EQ(fromArray[1].where, "item 2");
  EXPECT_FALSE(fromArray[1].job.has_value()) << "a priority that is not a number";

  std::istringstream broken("[1, 2");
  EXPECT_THROW(readBulkInput(broken), std::runtime_error);
}

}  // namespace
}  // namespace spooled::cli
