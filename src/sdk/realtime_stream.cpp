// client.realtime(): a Server-Sent Events stream read with libcurl on a thread of its own. The body is
// parsed as it arrives (data / id lines, blank line ends an event); a connection that ends or goes quiet
// for idleTimeout is reopened after a backoff, with Last-Event-ID so the server can send what was missed.
// Refusals (400, 401, 403, 404) and a one-job stream whose job ended are final.
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "spooled/client.hpp"

namespace spooled {

namespace {

const std::map<std::string, std::string> kDottedNames = {
    {"JobStatusChange", "job.status_changed"}, {"JobCreated", "job.created"},     {"JobCompleted", "job.completed"},
    {"JobFailed", "job.failed"},               {"QueueStats", "queue.stats"},     {"WorkerHeartbeat", "worker.heartbeat"},
    {"WorkerRegistered", "worker.registered"}, {"WorkerDeregistered", "worker.deregistered"},
    {"SystemHealth", "system.health"},         {"Ping", "ping"},                  {"Error", "error"}};

std::string escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class SseConnection final : public RealtimeConnection {
 public:
  SseConnection(ClientOptions client, RealtimeOptions options, RealtimeHandlers handlers)
      : client_(std::move(client)), options_(std::move(options)), handlers_(std::move(handlers)) {
    thread_ = std::thread([this] { run(); });
  }
  ~SseConnection() override { close(); }

  void close() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

  RealtimeState state() const override {
    std::lock_guard lock(mutex_);
    return state_;
  }

  bool waitClosed(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return finished_; });
  }

 private:
  struct Attempt {
    long status = 0;
    bool delivered = false;  // at least one event arrived
    bool jobEnded = false;
    std::string body;        // of a refusal
    std::string reason;      // the last Error event's message
  };

  void setState(RealtimeState state, const std::string& reason) {
    {
      std::lock_guard lock(mutex_);
      if (state_ == state) return;
      state_ = state;
    }
    if (handlers_.onStateChange) handlers_.onStateChange(state, reason);
    {
      // Set after the callback, so whoever waitClosed() wakes sees the final state's reason delivered.
      std::lock_guard lock(mutex_);
      finished_ = state == RealtimeState::Closed;
    }
    changed_.notify_all();
  }

  bool stopping() const {
    std::lock_guard lock(mutex_);
    return stop_;
  }

  std::string url() const {
    std::string url = client_.baseUrl;
    if (options_.jobId) {
      url += "/api/v1/events/jobs/" + escape(*options_.jobId);
    } else if (options_.queue) {
      url += "/api/v1/events/queues/" + escape(*options_.queue);
    } else {
      url += "/api/v1/events";
    }
    if (!options_.events.empty()) {
      std::string list;
      for (const std::string& e : options_.events) list += (list.empty() ? "" : ",") + e;
      url += "?events=" + escape(list);
    }
    return url;
  }

  void run() {
    int failures = 0;
    std::string reason;
    std::mt19937 rng{std::random_device{}()};
    while (!stopping()) {
      setState(failures == 0 ? RealtimeState::Connecting : RealtimeState::Reconnecting, reason);
      Attempt attempt = once();
      if (stopping()) break;
      if (attempt.status == 400 || attempt.status == 401 || attempt.status == 403 || attempt.status == 404) {
        reason = "HTTP " + std::to_string(attempt.status) + ": " + attempt.body;
        break;
      }
      if (attempt.jobEnded) {
        reason = "job ended";
        break;
      }
      reason = !attempt.reason.empty() ? attempt.reason
               : attempt.status == 0    ? "connection failed"
                                        : "connection lost (HTTP " + std::to_string(attempt.status) + ")";
      failures = attempt.delivered ? 1 : failures + 1;
      if (!options_.autoReconnect || (options_.maxReconnectAttempts > 0 && failures > options_.maxReconnectAttempts)) break;
      auto delay = options_.reconnectDelay * (1LL << std::min(failures - 1, 16));
      delay = std::min<std::chrono::milliseconds>(delay, options_.maxReconnectDelay);
      delay += std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, delay.count() / 4)(rng));
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, delay, [&] { return stop_; });
    }
    setState(RealtimeState::Closed, stopping() ? "closed" : reason);
  }

  static size_t onBytes(char* data, size_t size, size_t count, void* self) {
    auto* me = static_cast<SseConnection*>(self);
    return me->feed(std::string_view(data, size * count)) ? size * count : 0;
  }

  // At the blank line that ends the head: a 200 means the stream is open, even before its first event.
  static size_t onHeader(char* data, size_t size, size_t count, void* self) {
    auto* me = static_cast<SseConnection*>(self);
    const std::string_view line(data, size * count);
    if (line == "\r\n" || line == "\n") {
      long status = 0;
      curl_easy_getinfo(me->curl_, CURLINFO_RESPONSE_CODE, &status);
      if (status == 200) me->setState(RealtimeState::Connected, "");
    }
    return size * count;
  }

  static int onProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<SseConnection*>(self)->stopping() ? 1 : 0;
  }

  // Returns false to abort the transfer.
  bool feed(std::string_view bytes) {
    if (current_->status == 0) {
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &current_->status);
      if (current_->status == 200) setState(RealtimeState::Connected, "");
    }
    if (current_->status != 200) {
      current_->body.append(bytes.substr(0, 512 - std::min<std::size_t>(512, current_->body.size())));
      return true;
    }
    pending_ += bytes;
    for (std::size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) {
        dispatch();
      } else if (line.rfind("data:", 0) == 0) {
        data_ += line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
      } else if (line.rfind("id:", 0) == 0) {
        eventId_ = line.substr(line.size() > 3 && line[3] == ' ' ? 4 : 3);
      }
    }
    return !stopping();
  }

  void dispatch() {
    if (data_.empty()) return;
    const json message = json::parse(data_, nullptr, false);
    data_.clear();
    if (!message.is_object()) return;
    RealtimeEvent event;
    event.type = message.value("type", "");
    event.name = realtimeEventName(event.type);
    event.data = message.value("data", json::object());
    event.timestamp = message.value("timestamp", event.data.value("timestamp", ""));
    event.id = std::exchange(eventId_, {});
    if (!event.id.empty()) lastEventId_ = event.id;
    current_->delivered = true;
    if (event.type == "Error") current_->reason = event.data.value("message", "");
    if (options_.jobId && event.type == "JobStatusChange") {
      const std::string status = event.data.value("new_status", "");
      if (status == "completed" || status == "failed" || status == "deadletter" || status == "cancelled")
        current_->jobEnded = true;
    }
    if (handlers_.onEvent) handlers_.onEvent(event);
  }

  Attempt once() {
    Attempt attempt;
    current_ = &attempt;
    pending_.clear();
    data_.clear();
    curl_ = curl_easy_init();
    if (curl_ == nullptr) return attempt;
    const std::string target = url();
    curl_slist* headers = nullptr;
    const std::string& credential = client_.accessToken.empty() ? client_.apiKey : client_.accessToken;
    headers = curl_slist_append(headers, ("Authorization: Bearer " + credential).c_str());
    headers = curl_slist_append(headers, "Accept: text/event-stream");
    if (!lastEventId_.empty()) headers = curl_slist_append(headers, ("Last-Event-ID: " + lastEventId_).c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, target.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &SseConnection::onBytes);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &SseConnection::onHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, &SseConnection::onProgress);
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(client_.connectTimeout.count()));
    // Quiet longer than idleTimeout (keep-alives included) means the connection is gone.
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(options_.idleTimeout.count() / 1000)));
    const std::string agent = client_.userAgent.empty() ? std::string("spooled-cpp/") + sdkVersion() : client_.userAgent;
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_perform(curl_);
    if (attempt.status == 0) curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &attempt.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl_);
    curl_ = nullptr;
    current_ = nullptr;
    return attempt;
  }

  const ClientOptions client_;
  const RealtimeOptions options_;
  const RealtimeHandlers handlers_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  bool finished_ = false;
  RealtimeState state_ = RealtimeState::Connecting;
  std::thread thread_;
  // Reader thread only:
  CURL* curl_ = nullptr;
  Attempt* current_ = nullptr;
  std::string pending_;
  std::string data_;
  std::string eventId_;
  std::string lastEventId_;
};

}  // namespace

std::string realtimeEventName(const std::string& type) {
  const auto found = kDottedNames.find(type);
  return found == kDottedNames.end() ? type : found->second;
}

std::unique_ptr<RealtimeConnection> RealtimeResource::connect(const RealtimeOptions& options, RealtimeHandlers handlers) {
  return std::make_unique<SseConnection>(options_, options, std::move(handlers));
}

}  // namespace spooled
