#pragma once
// A tiny HTTP/1.1 server on a loopback socket, for transport behaviour the real server cannot easily
// be made to show (429 with Retry-After, 5xx on demand, a hang). It answers requests on each
// connection in order, keeps connections alive, and records every request and connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace spooled::test {

struct StubRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct StubResponse {
  int status = 200;
  std::string body = "{}";
  std::map<std::string, std::string> headers;
  bool hang = false;  // never answer (until the stub stops)
};

class HttpStub {
 public:
  // `respond` gets each request and its 0-based index over the stub's lifetime.
  explicit HttpStub(std::function<StubResponse(const StubRequest&, int)> respond) : respond_(std::move(respond)) {
    listenFd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listenFd_, 16) != 0 ||
        ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error(std::string("stub listen failed: ") + std::strerror(errno));
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }

  ~HttpStub() {
    stopping_ = true;
    ::shutdown(listenFd_, SHUT_RDWR);
    ::close(listenFd_);
    acceptor_.join();
    {
      const std::lock_guard lock(mutex_);
      for (const int fd : connectionFds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& thread : connectionThreads_) thread.join();
    for (const int fd : connectionFds_) ::close(fd);  // closed only here, so no fd number is reused early
  }

  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  std::vector<StubRequest> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  int requestCount() const { return static_cast<int>(requests().size()); }

 private:
  void acceptLoop() {
    while (!stopping_) {
      const int fd = ::accept(listenFd_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      const std::lock_guard lock(mutex_);
      connectionFds_.push_back(fd);
      connectionThreads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buffer;
    while (!stopping_) {
      StubRequest request;
      if (!readRequest(fd, buffer, request)) break;
      int index = 0;
      {
        const std::lock_guard lock(mutex_);
        index = static_cast<int>(requests_.size());
        requests_.push_back(request);
      }
      const StubResponse response = respond_(request, index);
      if (response.hang) {
        while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        break;
      }
      std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Stub\r\nContent-Type: application/json\r\n" +
                        "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
      for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
      out += "\r\n" + response.body;
      if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) break;
    }
  }

  static bool readRequest(int fd, std::string& buffer, StubRequest& request) {
    std::size_t headerEnd;
    while ((headerEnd = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!readMore(fd, buffer)) return false;
    }
    const std::string head = buffer.substr(0, headerEnd);
    buffer.erase(0, headerEnd + 4);
    std::size_t lineEnd = head.find("\r\n");
    const std::string requestLine = head.substr(0, lineEnd);
    const auto firstSpace = requestLine.find(' ');
    const auto secondSpace = requestLine.find(' ', firstSpace + 1);
    request.method = requestLine.substr(0, firstSpace);
    request.target = requestLine.substr(firstSpace + 1, secondSpace - firstSpace - 1);
    while (lineEnd != std::string::npos) {
      const std::size_t start = lineEnd + 2;
      lineEnd = head.find("\r\n", start);
      const std::string line = head.substr(start, lineEnd == std::string::npos ? std::string::npos : lineEnd - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    const auto length = request.headers.find("content-length");
    const std::size_t bodySize = length == request.headers.end() ? 0 : std::stoul(length->second);
    while (buffer.size() < bodySize) {
      if (!readMore(fd, buffer)) return false;
    }
    request.body = buffer.substr(0, bodySize);
    buffer.erase(0, bodySize);
    return true;
  }

  static bool readMore(int fd, std::string& buffer) {
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  std::function<StubResponse(const StubRequest&, int)> respond_;
  int listenFd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<StubRequest> requests_;       // guarded by mutex_
  std::vector<int> connectionFds_;          // guarded by mutex_
  std::vector<std::thread> connectionThreads_;  // guarded by mutex_ (joined after acceptor_ stops)
};

}  // namespace spooled::test
