// Request framing (RFC 9112) over a raw socket: every message whose length is ambiguous gets 400 and
// the connection closes, so its body is never run as a second request. Each smuggling case hides a
// complete "create a job" request where a lenient parser would look for the next request, and checks
// that no job appeared.
#include "support/raw_connection.hpp"
#include "support/server_test.hpp"

namespace spooled::test {
namespace {

using namespace std::chrono_literals;

class HttpFramingTest : public ServerTest {
 protected:
  // A complete request that creates a job in queue "smuggled".
  std::string smuggledCreate() const {
    const std::string body = R"({"queue_name":"smuggled","payload":{}})";
    return "POST /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + server_.apiKey() +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  // The head of an authenticated create, up to (not including) the blank line.
  std::string createHead(const std::string& version = "HTTP/1.1") const {
    return "POST /api/v1/jobs " + version + "\r\nHost: localhost\r\nAuthorization: Bearer " + server_.apiKey() +
           "\r\nContent-Type: application/json\r\n";
  }

  // Sends bytes on a fresh connection and expects exactly one 400 BAD_REQUEST with Connection: close,
  // then the connection closed, and nothing smuggled executed.
  void expectRefused(const std::string& bytes, const std::string& messagePart) {
    SCOPED_TRACE(testing::Message() << "request bytes: " << ::testing::PrintToString(bytes));
    RawConnection connection(server_.port());
    connection.send(bytes);
    const auto got = connection.readUntilClosed(3s);
    const auto responses = parseResponses(got.bytes);
    EXPECT_TRUE(got.closed) << "the server kept the connection open; it read:\n" << got.bytes;
    ASSERT_EQ(responses.size(), 1u) << got.bytes;
    EXPECT_EQ(responses[0].status, 400) << got.bytes;
    EXPECT_EQ(responses[0].headers.count("connection") ? responses[0].headers.at("connection") : "", "close");
    const json body = responses[0].bodyJson();
    EXPECT_EQ(body.value("code", ""), "BAD_REQUEST") << got.bytes;
    EXPECT_NE(body.value("message", "").find(messagePart), std::string::npos) << got.bytes;
    EXPECT_EQ(api_->countJobs(), 0u) << "a smuggled request was executed";
  }
};

TEST_F(HttpFramingTest, TransferEncodingThatDoesNotEndInChunkedIsRefused) {
  // RFC 9112 6.1: the body length cannot be determined, so 400 and close; a lenient parser reads "no
  // body" and runs the body as the next request.
  for (const std::string coding : {"identity", "xchunked", "chunked, identity", "chunked;q=1", "", "gzip"})
    expectRefused(createHead() + "Transfer-Encoding: " + coding + "\r\n\r\n" + smuggledCreate(), "Transfer-Encoding");
}

TEST_F(HttpFramingTest, TransferCodingsOtherThanChunkedAreRefused) {
  for (const std::string coding : {"gzip, chunked", "chunked, chunked"})
    expectRefused(createHead() + "Transfer-Encoding: " + coding + "\r\n\r\n0\r\n\r\n" + smuggledCreate(), "chunked");
  // Split over two field lines.
  expectRefused(createHead() + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n" +
                    smuggledCreate(),
                "Transfer-Encoding");
  // Found by the fuzzer: an empty line, then chunked. A proxy that reads only the first line sees no
  // coding at all.
  expectRefused(createHead() + "Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggledCreate(),
                "Transfer-Encoding");
}

TEST_F(HttpFramingTest, TransferEncodingWithContentLengthIsRefused) {
  const std::string smuggled = smuggledCreate();
  const std::string length = std::to_string(smuggled.size());
  expectRefused(createHead() + "Transfer-Encoding: identity\r\nContent-Length: " + length + "\r\n\r\n" + smuggled,
                "Transfer-Encoding");
  expectRefused(createHead() + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
                "Malformed");
  expectRefused(createHead() + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + smuggled,
                "Malformed");
}

TEST_F(HttpFramingTest, DuplicateOrListContentLengthIsRefused) {
  // Identical duplicates too: a proxy that takes the other one frames the message differently.
  expectRefused(createHead() + "Content-Length: 0\r\nContent-Length: 0\r\n\r\n" + smuggledCreate(), "Content-Length");
  expectRefused(createHead() + "Content-Length: 0, 0\r\n\r\n" + smuggledCreate(), "Content-Length");
  expectRefused(createHead() + "Content-Length: 0\r\nContent-Length: 3\r\n\r\n" + smuggledCreate(), "Malformed");
}

TEST_F(HttpFramingTest, ContentLengthMustBePlainDecimal) {
  for (const std::string value : {"+0", "-0", "0x0", "0 0", "", "1e1", "١"})
    expectRefused(createHead() + "Content-Length: " + value + "\r\n\r\n" + smuggledCreate(), "");
}

TEST_F(HttpFramingTest, TransferEncodingOnHttp10IsRefused) {
  // HTTP/1.0 has no chunked coding; a 1.0 proxy would read the body as ending at the close.
  const std::string body = R"({"queue_name":"smuggled","payload":{}})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  expectRefused(createHead("HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n" + body + "\r\n0\r\n\r\n",
                "HTTP/1.0");
}

TEST_F(HttpFramingTest, LineFoldingIsRefused) {
  expectRefused(createHead() + "X-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n" + smuggledCreate(), "obs-fold");
  expectRefused(createHead() + "Transfer-Encoding: identity\r\n\tchunked\r\n\r\n" + smuggledCreate(), "obs-fold");
}

TEST_F(HttpFramingTest, BareLineFeedIsRefusedAtOnce) {
  // Without a CRLF pair anywhere the head never ends for a strict parser; the client must not hang.
  expectRefused("GET /health HTTP/1.1\nHost: localhost\n\n", "Bare LF");
  expectRefused(createHead() + "Content-Length: 0\n\r\n" + smuggledCreate(), "Bare LF");
  expectRefused("GET /health HTTP/1.1\r\nHost: localhost\nX-A: b\r\n\r\n", "Bare LF");
}

TEST_F(HttpFramingTest, ControlCharactersInHeaderValuesAreRefused) {
  expectRefused(createHead() + "X-A: a" + std::string(1, '\0') + "b\r\nContent-Length: 0\r\n\r\n" + smuggledCreate(),
                "NUL");
  expectRefused(createHead() + "X-A: a\rb\r\nContent-Length: 0\r\n\r\n" + smuggledCreate(), "CR");
  expectRefused(createHead() + "X-A: a\x01" "b\r\nContent-Length: 0\r\n\r\n" + smuggledCreate(), "");
}

TEST_F(HttpFramingTest, Http11NeedsExactlyOneHost) {
  expectRefused("GET /health HTTP/1.1\r\n\r\n", "Host");
  expectRefused("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "Host");
  expectRefused("GET /health HTTP/1.1\r\nHost: a b\r\n\r\n", "Host");
  // HTTP/1.0 predates Host: still served.
  RawConnection connection(server_.port());
  connection.send("GET /health HTTP/1.0\r\n\r\n");
  const auto response = connection.readResponse(5s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpFramingTest, RequestTargetMustBeSane) {
  for (const std::string target : {"health", "/health#x", "/a%zz", "/a%0", "/jobs%00", "/\xc3\xa9", "/a\\b", "*"})
    expectRefused("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n", "request target");
  expectRefused("CONNECT localhost:80 HTTP/1.1\r\nHost: localhost\r\n\r\n", "request target");
  expectRefused("GET /health HTTP/1.2\r\nHost: localhost\r\n\r\n", "version");
  expectRefused("GET /health HTTP/2.0\r\nHost: localhost\r\n\r\n", "version");
}

TEST_F(HttpFramingTest, AbsoluteFormTargetIsServed) {
  // RFC 9112 3.2.2: a server must accept the absolute-form; it names the same resource.
  RawConnection connection(server_.port());
  connection.send("GET http://localhost/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto response = connection.readResponse(5s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->bodyJson().value("status", ""), "healthy");
}

TEST_F(HttpFramingTest, OversizedHeadIsRefused) {
  expectRefused("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n", "exceeds");
}

TEST_F(HttpFramingTest, ChunkedAndPipelinedRequestsStayInStep) {
  // The accepted framings, several requests in one write: each answered in order, none lost or merged.
  const std::string body = R"({"queue_name":"framed","payload":{"n":1}})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  const std::string chunked = createHead() + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n" + body + "\r\n0\r\n\r\n";
  const std::string sized = createHead() + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  RawConnection connection(server_.port());
  connection.send(chunked + sized + "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" + chunked);
  for (const int expected : {201, 201, 200, 201}) {
    const auto response = connection.readResponse(10s);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, expected) << response->body;
  }
  EXPECT_EQ(api_->countJobs(), 3u);
}

}  // namespace
}  // namespace spooled::test
