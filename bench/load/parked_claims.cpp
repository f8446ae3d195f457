#include "parked_claims.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "spooled/json.hpp"

namespace spooled::bench {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxConnecting = 256;

long long nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

}  // namespace

struct ParkedClaims::Connection {
  explicit Connection(boost::asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  http::request<http::string_body> request;
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
};

ParkedClaims::ParkedClaims(HttpEndpoint endpoint, std::string apiKey, std::string queueName, int waitMs)
    : endpoint_(std::move(endpoint)), apiKey_(std::move(apiKey)) {
  body_ = json{{"queue_name", queueName}, {"worker_id", "spooled-bench-longpoll"}, {"limit", 1}, {"wait_ms", waitMs}}
              .dump();
  tcp::resolver resolver(io_);
  address_ = *resolver.resolve(endpoint_.host, std::to_string(endpoint_.port)).begin();
}

ParkedClaims::~ParkedClaims() { close(); }

void ParkedClaims::park(int count, std::chrono::milliseconds quiet, Clock::time_point deadline) {
  requested_ = count;
  lastAnswerMicros_ = nowMicros();
  auto work = std::make_shared<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      io_.get_executor());
  thread_ = std::thread([this, work] { io_.run(); });
  boost::asio::post(io_, [this] {
    while (connecting_ < kMaxConnecting && started_ < requested_.load()) connectNext();
  });
  const auto quietMicros = std::chrono::duration_cast<std::chrono::microseconds>(quiet).count();
  while (Clock::now() < deadline) {
    const bool allSent = sent_.load() + failed_.load() >= count;
    if (allSent && nowMicros() - lastAnswerMicros_.load() >= quietMicros) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void ParkedClaims::connectNext() {
  const int id = started_++;
  ++connecting_;
  auto connection = std::make_shared<Connection>(io_);
  connection->request = makeRequest(http::verb::post, "/api/v1/jobs/claim", endpoint_, apiKey_, body_);
  connections_.emplace(id, connection);
  connection->socket.async_connect(address_, [this, connection](const boost::system::error_code& error) {
    --connecting_;
    if (started_ < requested_.load()) connectNext();
    if (error) return onFailure();
    http::async_write(connection->socket, connection->request,
                      [this, connection](const boost::system::error_code& writeError, std::size_t) {
                        if (writeError) return onFailure();
                        ++sent_;
                        http::async_read(connection->socket, connection->buffer, connection->response,
                                         [this, connection](const boost::system::error_code& readError, std::size_t) {
                                           if (readError) return onFailure();
                                           onAnswer(static_cast<int>(connection->response.result_int()));
                                         });
                      });
  });
}

void ParkedClaims::onAnswer(int status) {
  lastAnswerMicros_ = nowMicros();
  ++answered_;
  const std::lock_guard lock(statusMutex_);
  ++answersByStatus_[status];
}

void ParkedClaims::onFailure() {
  lastAnswerMicros_ = nowMicros();
  ++failed_;
}

ParkedClaimsCounts ParkedClaims::counts() const {
  ParkedClaimsCounts counts;
  counts.requested = requested_.load();
  counts.sent = sent_.load();
  counts.answered = answered_.load();
  counts.failed = failed_.load();
  const std::lock_guard lock(statusMutex_);
  counts.answersByStatus = answersByStatus_;
  return counts;
}

void ParkedClaims::close() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
  connections_.clear();  // the sockets close here, after the Asio thread is gone
}

}  // namespace spooled::bench
