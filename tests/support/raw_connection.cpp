#include "support/raw_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace spooled::test {

namespace {

std::string lowerCase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One response from the start of bytes; its length in `used`, or nullopt when incomplete.
std::optional<RawResponse> parseOne(std::string_view bytes, std::size_t& used) {
  const auto headEnd = bytes.find("\r\n\r\n");
  if (headEnd == std::string_view::npos) return std::nullopt;
  std::string_view head = bytes.substr(0, headEnd);
  RawResponse r;
  const auto lineEnd = std::min(head.find("\r\n"), head.size());
  const std::string_view statusLine = head.substr(0, lineEnd);
  if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/") return std::nullopt;
  r.status = std::stoi(std::string(statusLine.substr(9, 3)));
  head.remove_prefix(std::min(lineEnd + 2, head.size()));
  while (!head.empty()) {
    const auto end = std::min(head.find("\r\n"), head.size());
    const std::string_view line = head.substr(0, end);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos)
      r.headers[lowerCase(std::string(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
    head.remove_prefix(std::min(end + 2, head.size()));
  }
  std::size_t length = 0;
  if (const auto it = r.headers.find("content-length"); it != r.headers.end()) length = std::stoul(it->second);
  if (bytes.size() < headEnd + 4 + length) return std::nullopt;
  r.body = std::string(bytes.substr(headEnd + 4, length));
  used = headEnd + 4 + length;
  return r;
}

}  // namespace

json RawResponse::bodyJson() const {
  json parsed = json::parse(body, nullptr, false);
  return parsed.is_discarded() ? json() : parsed;
}

std::vector<RawResponse> parseResponses(std::string_view bytes) {
  std::vector<RawResponse> out;
  std::size_t used = 0;
  while (auto r = parseOne(bytes, used)) {
    out.push_back(std::move(*r));
    bytes.remove_prefix(used);
  }
  return out;
}

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string error = std::strerror(errno);
    close();
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + error);
  }
}

RawConnection::~RawConnection() { close(); }

void RawConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int RawConnection::readSome(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return -1;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;  // EOF, or reset by the peer: closed either way
    pending_.append(chunk, static_cast<std::size_t>(n));
    return static_cast<int>(n);
  }
}

RawConnection::Received RawConnection::readUntilClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Received out;
  while (true) {
    const int n = readSome(deadline);
    if (n == 0) out.closed = true;
    if (n <= 0) break;
  }
  out.bytes = std::move(pending_);
  pending_.clear();
  return out;
}

std::optional<RawResponse> RawConnection::readResponse(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t used = 0;
    if (auto r = parseOne(pending_, used)) {
      pending_.erase(0, used);
      return r;
    }
    if (readSome(deadline) <= 0) return std::nullopt;
  }
}

}  // namespace spooled::test
