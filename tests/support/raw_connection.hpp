#pragma once
// A plain TCP connection to 127.0.0.1 for tests that must send exact bytes (request framing,
// connection limits), and a reader that splits what comes back into HTTP responses.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"

namespace spooled::test {

struct RawResponse {
  int status = 0;
  Headers headers;  // names lower-cased
  std::string body;
  json bodyJson() const;  // null when the body is not JSON
};

// Splits a byte stream into responses (head plus Content-Length body); stops at the first incomplete one.
std::vector<RawResponse> parseResponses(std::string_view bytes);

class RawConnection {
 public:
  // Connects at once; throws std::runtime_error when the connection is refused.
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends every byte; false when the peer has already closed (EPIPE, reset).
  bool send(std::string_view bytes);

  struct Received {
    std::string bytes;
    bool closed = false;  // the peer closed (EOF or reset) before the deadline
  };
  // Reads until the peer closes the connection or timeout passes.
  Received readUntilClosed(std::chrono::milliseconds timeout);
  // Reads until one complete response has arrived (or the peer closed, or timeout passed).
  std::optional<RawResponse> readResponse(std::chrono::milliseconds timeout);

  void close();
  int fd() const { return fd_; }

 private:
  // One read with a deadline: >0 bytes appended, 0 on close, -1 on timeout.
  int readSome(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string pending_;  // bytes read past the last returned response
};

}  // namespace spooled::test
