// The framing rules as pure functions: the raw-byte scan of a request head, the checks on a parsed
// head, and the Beast glue that runs both before a body byte is read.
#include "server/http/request_framing.hpp"

#include <gtest/gtest.h>

#include "server/http/request_head_reader.hpp"

namespace spooled::server {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

HeadScan scanAll(std::string_view bytes) {
  HeadScan scan;
  scanRequestHead(bytes, scan);
  return scan;
}

TEST(RequestHeadScan, FindsTheEndOfAWellFormedHead) {
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const auto scan = scanAll(head + "body bytes\n are not scanned\0"s);
  EXPECT_FALSE(scan.error);
  ASSERT_TRUE(scan.headEnd);
  EXPECT_EQ(*scan.headEnd, head.size());
}

TEST(RequestHeadScan, GivesTheSameAnswerByteByByte) {
  // The session scans a buffer that grows one read at a time; a split CRLF must not confuse it.
  const std::string head = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n";
  HeadScan scan;
  for (std::size_t n = 0; n <= head.size() && !scan.headEnd; ++n) {
    scanRequestHead(std::string_view(head).substr(0, n), scan);
    ASSERT_FALSE(scan.error) << "after " << n << " bytes: " << *scan.error;
  }
  ASSERT_TRUE(scan.headEnd);
  EXPECT_EQ(*scan.headEnd, head.size());
}

TEST(RequestHeadScan, WaitsWhenTheLastByteIsCrOrLf) {
  for (const std::string partial : {"GET / HTTP/1.1\r", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r"}) {
    const auto scan = scanAll(partial);
    EXPECT_FALSE(scan.error) << partial;
    EXPECT_FALSE(scan.headEnd) << partial;
  }
}

TEST(RequestHeadScan, RefusesBareLfBareCrNulAndFolding) {
  const std::pair<std::string, std::string> cases[] = {
      {"GET / HTTP/1.1\nHost: a\n\n", "Bare LF"},
      {"GET / HTTP/1.1\r\nHost: a\n\r\n", "Bare LF"},
      {"\nGET / HTTP/1.1\r\n\r\n", "Bare LF"},
      {"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "CR not followed by LF"},
      {"GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"s, "NUL"},
      {"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "obs-fold"},
      {"GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", "obs-fold"},
      {"GET / HTTP/1.1\r\n Host: a\r\n\r\n", "obs-fold"},
  };
  for (const auto& [bytes, reason] : cases) {
    const auto scan = scanAll(bytes);
    ASSERT_TRUE(scan.error) << ::testing::PrintToString(bytes);
    EXPECT_NE(scan.error->find(reason), std::string::npos) << *scan.error;
  }
}

RequestHead head(std::vector<std::pair<std::string_view, std::string_view>> fields, unsigned version = 11,
                 std::string_view target = "/api/v1/jobs", std::string_view method = "POST") {
  RequestHead h;
  h.version = version;
  h.method = method;
  h.target = target;
  h.fields = std::move(fields);
  return h;
}

TEST(RequestFraming, AcceptsTheUnambiguousFramings) {
  EXPECT_EQ(checkRequestFraming(head({{"Host", "a"}})), std::nullopt);
  EXPECT_EQ(checkRequestFraming(head({{"Host", "a:8080"}, {"Content-Length", "12"}})), std::nullopt);
  EXPECT_EQ(checkRequestFraming(head({{"host", "a"}, {"transfer-encoding", "Chunked"}})), std::nullopt);
  EXPECT_EQ(checkRequestFraming(head({{"Host", "a"}, {"Transfer-Encoding", " CHUNKED "}})), std::nullopt);
  EXPECT_EQ(checkRequestFraming(head({{"Host", ""}})), std::nullopt);  // empty Host is valid (RFC 9112 3.2)
  EXPECT_EQ(checkRequestFraming(head({{"Host", "[::1]:80"}})), std::nullopt);
  EXPECT_EQ(checkRequestFraming(head({}, 10)), std::nullopt);  // HTTP/1.0 needs no Host
  EXPECT_EQ(checkRequestFraming(head({{"Host", "a"}}, 11, "http://a/x?y=%20")), std::nullopt);
  EXPECT_EQ(checkRequestFraming(head({{"Host", "a"}}, 11, "*", "OPTIONS")), std::nullopt);
  EXPECT_EQ(checkRequestFraming(head({{"Host", "a"}, {"X", "tab\there, obs-text \xff"}})), std::nullopt);
}

TEST(RequestFraming, TransferEncodingMustBeExactlyChunked) {
  for (const std::string_view coding : {"identity", "xchunked", "chunked, identity", "chunked;q=1", "", " , ", "gzip",
                                        "gzip, chunked", "chunked, chunked", ", chunked", "chunked,"}) {
    const auto error = checkRequestFraming(head({{"Host", "a"}, {"Transfer-Encoding", coding}}));
    ASSERT_TRUE(error) << coding;
    EXPECT_NE(error->find("Transfer-Encoding"), std::string::npos) << *error;
  }
  // One line only: a proxy may read just the first of two, or join them differently.
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}})));
  EXPECT_TRUE(
      checkRequestFraming(head({{"Host", "a"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}})));
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Transfer-Encoding", ""}, {"Transfer-Encoding", "chunked"}})));
}

TEST(RequestFraming, TransferEncodingIsRefusedWithContentLengthOrOnHttp10) {
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})));
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Content-Length", "3"}, {"Transfer-Encoding", "identity"}})));
  const auto http10 = checkRequestFraming(head({{"Transfer-Encoding", "chunked"}}, 10));
  ASSERT_TRUE(http10);
  EXPECT_NE(http10->find("HTTP/1.0"), std::string::npos);
}

TEST(RequestFraming, ContentLengthIsOneDecimalNumber) {
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Content-Length", "3"}, {"Content-Length", "3"}})));
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Content-Length", "3"}, {"content-length", "4"}})));
  for (const std::string_view value : {"3, 3", "+3", "-3", "0x3", "3 3", "", "3.0", "1e3"})
    EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Content-Length", value}}))) << value;
  EXPECT_FALSE(checkRequestFraming(head({{"Host", "a"}, {"Content-Length", " 007 "}})));
}

TEST(RequestFraming, FieldValuesHoldNoControlCharacters) {
  for (const std::string_view value : {"a\0b"sv, "a\rb"sv, "a\nb"sv, "a\x01"sv, "\x7f"sv}) {
    const auto error = checkRequestFraming(head({{"Host", "a"}, {"X-Thing", value}}));
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("X-Thing"), std::string::npos) << *error;
  }
  // A name that is not printable is not echoed into the (JSON) message.
  const auto error = checkRequestFraming(head({{"Host", "a"}, {"\xff", "\x01"}}));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->find('\xff'), std::string::npos);
}

TEST(RequestFraming, Http11NeedsExactlyOneValidHost) {
  EXPECT_TRUE(checkRequestFraming(head({})));
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Host", "a"}})));
  EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}, {"Host", "b"}}, 10)));
  for (const std::string_view host : {"a b", "a/b", "user@a", "a\\b", "\"a\""})
    EXPECT_TRUE(checkRequestFraming(head({{"Host", host}}))) << host;
}

TEST(RequestFraming, VersionIsHttp10Or11) {
  for (const unsigned version : {9u, 12u, 20u, 0u}) EXPECT_TRUE(checkRequestFraming(head({{"Host", "a"}}, version)));
}

TEST(RequestFraming, TargetIsOriginAbsoluteOrAsteriskForm) {
  for (const std::string_view target : {"", "api", "localhost:80", "/a#b", "/a%zz", "/a%", "/a%0", "/a%00", "/\xc3\xa9",
                                        "/a b", "/a\\b", "http://", "http:///x", "ftp://a/b", "*"}) {
    const auto error = checkRequestFraming(head({{"Host", "a"}}, 11, target, "GET"));
    ASSERT_TRUE(error) << target;
    EXPECT_NE(error->find("request target"), std::string::npos) << *error;
  }
  EXPECT_FALSE(checkRequestFraming(head({{"Host", "a"}}, 11, "/a%2Fb?c=%41&d", "GET")));
  EXPECT_FALSE(checkRequestFraming(head({{"Host", "a"}}, 11, "HTTPS://a:1", "GET")));
}

TEST(RequestFraming, OriginFormOfAnAbsoluteTarget) {
  EXPECT_EQ(originFormOf("/a?b"), "/a?b");
  EXPECT_EQ(originFormOf("*"), "*");
  EXPECT_EQ(originFormOf("http://host:1/a/b?c"), "/a/b?c");
  EXPECT_EQ(originFormOf("https://host"), "/");
  EXPECT_EQ(originFormOf("http://host?x=1"), "/?x=1");
}

// ---- feedRequestHead: the scan, Beast's parse and the checks, in the order the session runs them ----

HeadStep feed(RequestParser& parser, std::string_view bytes) {
  HeadScan scan;
  parser.header_limit(static_cast<std::uint32_t>(kMaxRequestHeadBytes));
  return feedRequestHead(parser, bytes, scan);
}

TEST(RequestHeadReader, ReadyLeavesTheBodyAndTheNextRequestUnread) {
  const std::string head = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n";
  RequestParser parser;
  const auto step = feed(parser, head + "{}GET / HTTP/1.1\r\n\r\n");
  ASSERT_EQ(step.kind, HeadStep::Kind::Ready) << step.reason;
  EXPECT_EQ(step.used, head.size());
  EXPECT_TRUE(parser.is_header_done());
  EXPECT_FALSE(parser.is_done());
  ASSERT_TRUE(parser.content_length());
  EXPECT_EQ(*parser.content_length(), 2u);
}

TEST(RequestHeadReader, NeedsMoreUntilTheHeadEnds) {
  RequestParser parser;
  EXPECT_EQ(feed(parser, "GET / HTTP/1.1\r\nHost: a\r\n").kind, HeadStep::Kind::NeedMore);
  EXPECT_FALSE(parser.got_some()) << "Beast must see the head only once it is complete";
}

TEST(RequestHeadReader, RewritesAnAbsoluteTargetToOriginForm) {
  RequestParser parser;
  ASSERT_EQ(feed(parser, "GET http://a:9/health?x=1 HTTP/1.1\r\nHost: a\r\n\r\n").kind, HeadStep::Kind::Ready);
  EXPECT_EQ(parser.get().target(), "/health?x=1");
}

TEST(RequestHeadReader, RefusesWhatBeastWouldMisframe) {
  for (const std::string bytes : {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
                                  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
                                  "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nContent-Length: 1\r\n\r\n",
                                  "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                                  "GET /x HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
                                  "GET /x HTTP/1.1\r\n\r\n"}) {
    RequestParser parser;
    EXPECT_EQ(feed(parser, bytes).kind, HeadStep::Kind::Rejected) << bytes;
  }
}

TEST(RequestHeadReader, RefusesMalformedAndOversizedHeads) {
  RequestParser parser;
  const auto malformed = feed(parser, "GET /x HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n");
  EXPECT_EQ(malformed.kind, HeadStep::Kind::Rejected);
  EXPECT_NE(malformed.reason.find("Malformed"), std::string::npos);

  RequestParser unterminated;
  const auto tooLong = feed(unterminated, "GET /x HTTP/1.1\r\nX: " + std::string(kMaxRequestHeadBytes, 'a'));
  EXPECT_EQ(tooLong.kind, HeadStep::Kind::Rejected);
  EXPECT_NE(tooLong.reason.find("exceeds"), std::string::npos);

  RequestParser terminated;
  EXPECT_EQ(feed(terminated, "GET /x HTTP/1.1\r\nX: " + std::string(kMaxRequestHeadBytes, 'a') + "\r\n\r\n").kind,
            HeadStep::Kind::Rejected);
}

TEST(RequestHeadReader, ABodyBeyondTheLimitIsTooLarge) {
  RequestParser parser;
  parser.body_limit(100);
  EXPECT_EQ(feed(parser, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n").kind,
            HeadStep::Kind::BodyTooLarge);
}

}  // namespace
}  // namespace spooled::server
