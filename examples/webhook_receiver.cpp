// Outgoing webhooks: registers a webhook that POSTs job events to this program, then receives them,
// checks each X-Spooled-Signature and prints the event. On exit (SIGTERM/SIGINT) it deletes the webhook.
// Reads SPOOLED_API_URL and SPOOLED_API_KEY. A local receiver is a loopback address, which the server
// reaches only when started with --webhook-allow-private; in production give a public URL instead.
//
//   ./webhook_receiver            # listens on 127.0.0.1:8787
//   ./webhook_receiver 9000       # another port
//   ./webhook_receiver 9000 https://hooks.example.com/spooled   # the URL the server should call
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <map>
#include <string>

#include <spooled/spooled.hpp>

namespace {

struct Request {
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Reads one HTTP/1.1 request with a Content-Length body (all the server sends).
bool readRequest(int fd, Request& out) {
  std::string data;
  char buffer[4096];
  std::size_t headEnd;
  while ((headEnd = data.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0 || data.size() > 65536) return false;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  std::size_t pos = data.find("\r\n") + 2;
  while (pos < headEnd) {
    const std::size_t end = data.find("\r\n", pos);
    const std::string line = data.substr(pos, end - pos);
    if (const std::size_t colon = line.find(':'); colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    pos = end + 2;
  }
  const std::size_t length = out.headers.count("content-length") ? std::stoul(out.headers["content-length"]) : 0;
  out.body = data.substr(headEnd + 4);
  while (out.body.size() < length) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    out.body.append(buffer, static_cast<std::size_t>(n));
  }
  return true;
}

void answer(int fd, int status) {
  const std::string response = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Unauthorized") +
                               "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
}

}  // namespace

int main(int argc, char** argv) try {
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  const int port = argc > 1 ? std::stoi(argv[1]) : 8787;
  const std::string url = argc > 2 ? argv[2] : "http://127.0.0.1:" + std::to_string(port) + "/hook";
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 16) != 0) {
    std::cerr << "cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }

  spooled::SpooledClient client;
  const std::string secret = "whsec_example_" + std::to_string(::getpid());
  const auto webhook = client.webhooks().create(
      {.name = "webhook_receiver example", .url = url, .events = {"job.created", "job.completed", "job.failed"}, .secret = secret});
  std::cout << "webhook " << webhook.id << " -> " << url << std::endl;

  while (true) {
    // Wake every 200 ms to see whether a stop signal is pending.
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      const int fd = ::accept(listener, nullptr, nullptr);
      Request request;
      if (fd >= 0 && readRequest(fd, request)) {
        const bool valid = spooled::verifyWebhookSignature(secret, request.headers["x-spooled-timestamp"], request.body,
                                                           request.headers["x-spooled-signature"]);
        answer(fd, valid ? 200 : 401);  // a failure answer makes the server retry later
        const spooled::json event = spooled::json::parse(request.body, nullptr, false);
        std::cout << (valid ? "verified " : "REJECTED ") << request.headers["x-spooled-event"] << " attempt "
                  << request.headers["x-spooled-delivery-attempt"] << " "
                  << (event.is_object() ? event.value("data", spooled::json::object()).dump() : request.body) << std::endl;
      }
      if (fd >= 0) ::close(fd);
    }
    timespec immediately{0, 0};
    if (sigtimedwait(&stopSignals, nullptr, &immediately) > 0) break;
  }
  client.webhooks().remove(webhook.id);
  std::cout << "webhook deleted" << std::endl;
  ::close(listener);
  return 0;
} catch (const spooled::SpooledError& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
