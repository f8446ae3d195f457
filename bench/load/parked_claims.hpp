#pragma once
// Many long-poll claims (POST /api/v1/jobs/claim with wait_ms, our extension) on an empty queue,
// each on its own connection, driven by one Asio thread. A claim is "parked" while its request
// has been sent and no answer has come back; a server that refuses to park answers at once.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "raw_http.hpp"

namespace spooled::bench {

struct ParkedClaimsCounts {
  int requested = 0;
  int sent = 0;            // requests fully written
  int answered = 0;        // answers received (a parked claim's answer counts once its wait ends)
  int failed = 0;          // connect, write or read errors
  std::map<int, int> answersByStatus;
  int parked() const { return sent - answered - failed; }
};

class ParkedClaims {
 public:
  ParkedClaims(HttpEndpoint endpoint, std::string apiKey, std::string queueName, int waitMs);
  ~ParkedClaims();  // closes every connection
  ParkedClaims(const ParkedClaims&) = delete;
  ParkedClaims& operator=(const ParkedClaims&) = delete;

  // Opens `count` connections (at most 256 connecting at once) and sends one claim on each.
  // Returns once every claim was sent (or failed) and then no answer arrived for `quiet`, or at
  // `deadline`.
  void park(int count, std::chrono::milliseconds quiet, std::chrono::steady_clock::time_point deadline);
  ParkedClaimsCounts counts() const;
  // Closes every connection and stops the Asio thread. Idempotent.
  void close();

 private:
  struct Connection;
  void connectNext();
  void onAnswer(int status);
  void onFailure();

  HttpEndpoint endpoint_;
  std::string apiKey_;
  std::string body_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::endpoint address_;
  std::thread thread_;
  // Touched only on the Asio thread:
  std::map<int, std::shared_ptr<Connection>> connections_;
  int started_ = 0;
  int connecting_ = 0;
  // Read by the caller's thread:
  std::atomic<int> requested_{0};
  std::atomic<int> sent_{0};
  std::atomic<int> answered_{0};
  std::atomic<int> failed_{0};
  std::atomic<long long> lastAnswerMicros_{0};
  mutable std::mutex statusMutex_;
  std::map<int, int> answersByStatus_;
};

}  // namespace spooled::bench
