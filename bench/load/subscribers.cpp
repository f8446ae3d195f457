// spooled-bench subscribers: what live-event subscribers cost the server and how fast an event reaches
// all of them. Opens N SSE streams (GET /api/v1/events?events=JobCreated), each on its own connection,
// driven by one Asio thread; reads server RSS before and after; then creates one job at a time and times,
// for every subscriber, from sending the create to the JobCreated event arriving (so each sample includes
// the create's commit). p50 / p99 / max over all subscribers and rounds.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "bench_util.hpp"
#include "commands.hpp"
#include "latency_stats.hpp"
#include "raw_http.hpp"
#include "worker_fleet.hpp"

namespace spooled::bench {

namespace {

namespace asio = boost::asio;

const std::string kMarker = "\"JobCreated\"";

struct Subscriber {
  explicit Subscriber(asio::io_context& io) : socket(io) {}
  asio::ip::tcp::socket socket;
  std::array<char, 4096> buffer{};
  std::string tail;  // the end of the previous read, so a marker split across reads still counts
  int seen = 0;
  std::vector<Clock::time_point> arrivals;  // when each JobCreated arrived
  bool open = false;
};

class SubscriberPool {
 public:
  SubscriberPool(const HttpEndpoint& endpoint, std::string apiKey) : endpoint_(endpoint), apiKey_(std::move(apiKey)) {}
  ~SubscriberPool() { close(); }

  void open(int count) {
    subscribers_.reserve(static_cast<std::size_t>(count));
    const std::string request = "GET /api/v1/events?events=JobCreated HTTP/1.1\r\nHost: " + endpoint_.host +
                                "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + apiKey_ + "\r\n\r\n";
    const asio::ip::tcp::endpoint target(asio::ip::make_address(endpoint_.host == "localhost" ? "127.0.0.1" : endpoint_.host),
                                         endpoint_.port);
    for (int i = 0; i < count; ++i) {
      auto s = std::make_unique<Subscriber>(io_);
      boost::system::error_code ec;
      s->socket.connect(target, ec);
      if (!ec) asio::write(s->socket, asio::buffer(request), ec);
      if (ec) {
        ++failed_;
        continue;
      }
      s->open = true;
      read(*s);
      subscribers_.push_back(std::move(s));
    }
    // Two reader threads, so the client's own reading is less of the measured latency.
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  // Waits until every open subscriber has seen `count` events or the deadline passes; returns the
  // arrival time of the count-th event of each subscriber that got it.
  std::vector<Clock::time_point> waitForCount(int count, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return reached(count) + closed_ >= static_cast<int>(subscribers_.size()); });
    std::vector<Clock::time_point> out;
    for (const auto& s : subscribers_)
      if (s->seen >= count) out.push_back(s->arrivals[static_cast<std::size_t>(count - 1)]);
    return out;
  }

  int opened() const { return static_cast<int>(subscribers_.size()); }
  int failed() const { return failed_; }
  int closedEarly() {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  void close() {
    io_.stop();
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
    subscribers_.clear();
  }

 private:
  // Each subscriber has one read outstanding, so its own fields need no lock; the shared counts do.
  // The waiter is woken only when the last open subscriber reaches a count, never per read: with
  // thousands of subscribers a wake-up per read would make the client, not the server, the bottleneck.
  void read(Subscriber& s) {
    s.socket.async_read_some(asio::buffer(s.buffer), [this, &s](boost::system::error_code ec, std::size_t n) {
      const auto now = Clock::now();
      if (ec) {
        std::lock_guard lock(mutex_);
        s.open = false;
        ++closed_;
        changed_.notify_all();
        return;
      }
      std::string text = s.tail + std::string(s.buffer.data(), n);
      const int before = s.seen;
      for (std::size_t at = text.find(kMarker); at != std::string::npos; at = text.find(kMarker, at + 1)) {
        ++s.seen;
        s.arrivals.push_back(now);
      }
      s.tail = text.size() > kMarker.size() ? text.substr(text.size() - kMarker.size() + 1) : text;
      if (s.seen > before) {
        std::lock_guard lock(mutex_);
        bool complete = false;
        for (int count = before + 1; count <= s.seen; ++count)
          complete = ++reached_[count] + closed_ >= static_cast<int>(subscribers_.size()) || complete;
        if (complete) changed_.notify_all();
      }
      read(s);
    });
  }

  int reached(int count) const {
    const auto it = reached_.find(count);
    return it == reached_.end() ? 0 : it->second;
  }

  asio::io_context io_;
  HttpEndpoint endpoint_;
  std::string apiKey_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
  std::map<int, int> reached_;  // event count -> subscribers that have seen at least that many
  int closed_ = 0;              // subscribers whose stream ended
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> threads_;
  int failed_ = 0;
};


}  // namespace

Report runSubscribers(BenchServer& server, const SubscribersOptions& options) {
  const HttpEndpoint endpoint = HttpEndpoint::fromUrl(server.url());
  SpooledClient client(benchClientOptions(server.url(), server.apiKey()));
  const std::string queue = freshQueueName("subscribers");
  client.jobs().create({.queueName = queue + "-warmup"});
  const std::optional<double> rssBefore = server.rssMb();

  progress("opening " + std::to_string(options.subscribers) + " SSE subscribers");
  SubscriberPool pool(endpoint, server.apiKey());
  const auto openStarted = Clock::now();
  pool.open(options.subscribers);
  const double openSeconds = secondsSince(openStarted);
  std::this_thread::sleep_for(std::chrono::milliseconds(options.settleMs));  // let the server register them all
  const std::optional<double> rssOpen = server.rssMb();

  std::vector<double> latencies;
  int missing = 0;
  const auto serverCpuStart = server.cpuMicros();
  const auto ownCpuStart = processCpuMicros(0);
  for (int round = 1; round <= options.rounds; ++round) {
    const auto sent = Clock::now();
    client.jobs().create({.queueName = queue});
    const auto arrivals = pool.waitForCount(round, sent + std::chrono::seconds(30));
    missing += pool.opened() - static_cast<int>(arrivals.size());
    for (const auto& at : arrivals) latencies.push_back(millisBetween(sent, at));
  }
  const auto serverCpuEnd = server.cpuMicros();
  const auto ownCpuEnd = processCpuMicros(0);
  const double deliveries = static_cast<double>(latencies.size());
  const std::optional<double> rssAfter = server.rssMb();
  const int closedEarly = pool.closedEarly();
  const int opened = pool.opened();
  pool.close();

  const auto growth = [&](std::optional<double> later) {
    return rssBefore && later ? Report(std::round((*later - *rssBefore) * 1000.0) / 1000.0) : Report(nullptr);
  };
  Report report{{"command", "subscribers"},
                {"server", server.description()},
                {"subscribers", options.subscribers},
                {"opened", opened},
                {"connect_failures", pool.failed()},
                {"closed_by_server", closedEarly},
                {"open_seconds", std::round(openSeconds * 100.0) / 100.0},
                {"rounds", options.rounds},
                {"missing_deliveries", missing},
                {"server_rss_before_mb", optionalNumber(rssBefore)},
                {"server_rss_subscribed_mb", optionalNumber(rssOpen)},
                {"server_rss_after_events_mb", optionalNumber(rssAfter)},
                {"server_rss_growth_mb", growth(rssAfter)},
                {"delivery_latency_ms", summarize(latencies).toJson()},
                // CPU per event delivered to one subscriber: what the fan-out costs each side.
                {"server_cpu_us_per_delivery", optionalNumber(cpuMicrosPer(serverCpuStart, serverCpuEnd, deliveries))},
                {"client_cpu_us_per_delivery", optionalNumber(cpuMicrosPer(ownCpuStart, ownCpuEnd, deliveries))}};
  if (missing > 0 || pool.failed() > 0) report["incomplete"] = "some subscribers did not connect or get every event";
  return report;
}

}  // namespace spooled::bench
