// WorkerOptions: the guide's option set, its JSON form and its validation.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <string>

#include "spooled/client.hpp"
#include "spooled/worker_options.hpp"

namespace spooled {

namespace {

// Limits the server enforces at registration and claim; checking them here turns a confusing
// 400 at start() into an exception naming the option at construction.
constexpr int kMaxConcurrency = 100;
constexpr std::size_t kMaxQueueNameLength = 100;
constexpr std::chrono::seconds kMinLease{5};
constexpr std::chrono::seconds kMaxLease{3600};
constexpr std::chrono::milliseconds kMinPollInterval{10};
constexpr std::chrono::milliseconds kMaxAckBatchWindow{1000};

[[noreturn]] void invalid(const std::string& option, const std::string& problem) {
  throw std::invalid_argument("WorkerOptions." + option + " " + problem);
}

bool validQueueChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

// "queue_name" and "queueName" name the same option; the guide uses camelCase.
std::string camelCase(const std::string& key) {
  std::string out;
  bool upper = false;
  for (const char c : key) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

const json& requireType(const std::string& key, const json& value, bool ok, const char* expected) {
  if (!ok) invalid(key, std::string("must be ") + expected + ", got " + value.dump());
  return value;
}

std::string stringValue(const std::string& key, const json& value) {
  return requireType(key, value, value.is_string(), "a string").get<std::string>();
}

double numberValue(const std::string& key, const json& value) {
  return requireType(key, value, value.is_number(), "a number").get<double>();
}

long long integerValue(const std::string& key, const json& value) {
  const double number = numberValue(key, value);
  if (std::trunc(number) != number || std::abs(number) > 1e15) invalid(key, "must be a whole number, got " + value.dump());
  return static_cast<long long>(number);
}

std::string machineHostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "cpp-worker";
  return name;
}

}  // namespace

WorkerOptions WorkerOptions::fromJson(const json& config) {
  if (!config.is_object()) throw std::invalid_argument("WorkerOptions must be a JSON object, got " + config.dump());
  WorkerOptions options;
  for (const auto& [rawKey, value] : config.items()) {
    const std::string key = camelCase(rawKey);
    if (key == "queueName") {
      options.queueName = stringValue(rawKey, value);
    } else if (key == "concurrency") {
      const long long n = integerValue(rawKey, value);
      options.concurrency = static_cast<int>(std::clamp<long long>(n, INT_MIN, INT_MAX));
    } else if (key == "pollInterval") {
      options.pollInterval = std::chrono::milliseconds(integerValue(rawKey, value));
    } else if (key == "longPoll") {
      options.longPoll = requireType(rawKey, value, value.is_boolean(), "true or false").get<bool>();
    } else if (key == "leaseDuration") {
      options.leaseDuration = std::chrono::seconds(integerValue(rawKey, value));
    } else if (key == "heartbeatInterval") {
      options.heartbeatInterval = std::chrono::milliseconds(std::llround(numberValue(rawKey, value) * 1000.0));
    } else if (key == "shutdownTimeout") {
      options.shutdownTimeout = std::chrono::milliseconds(integerValue(rawKey, value));
    } else if (key == "batchAcks") {
      options.batchAcks = requireType(rawKey, value, value.is_boolean(), "true or false").get<bool>();
    } else if (key == "ackBatchWindow") {
      options.ackBatchWindow = std::chrono::milliseconds(integerValue(rawKey, value));
    } else if (key == "hostname") {
      options.hostname = stringValue(rawKey, value);
    } else if (key == "workerType") {
      options.workerType = stringValue(rawKey, value);
    } else if (key == "version") {
      options.version = stringValue(rawKey, value);
    } else if (key == "metadata") {
      options.metadata = requireType(rawKey, value, value.is_object(), "a JSON object");
    } else {
      throw std::invalid_argument("WorkerOptions: unknown option \"" + rawKey + "\"");
    }
  }
  return options;
}

void WorkerOptions::validate() const {
  if (queueName.empty()) invalid("queueName", "is required");
  if (queueName.size() > kMaxQueueNameLength) invalid("queueName", "must be at most 100 characters");
  for (const char c : queueName) {
    if (!validQueueChar(c)) invalid("queueName", "may only contain letters, digits, '.', '_' and '-', got \"" + queueName + "\"");
  }
  if (concurrency < 1 || concurrency > kMaxConcurrency) {
    invalid("concurrency", "must be between 1 and 100, got " + std::to_string(concurrency));
  }
  if (pollInterval < kMinPollInterval) {
    invalid("pollInterval", "must be at least 10 ms, got " + std::to_string(pollInterval.count()) + " ms");
  }
  if (leaseDuration < kMinLease || leaseDuration > kMaxLease) {
    invalid("leaseDuration", "must be between 5 and 3600 seconds, got " + std::to_string(leaseDuration.count()));
  }
  if (heartbeatInterval <= std::chrono::milliseconds::zero()) {
    invalid("heartbeatInterval", "must be positive, got " + std::to_string(heartbeatInterval.count()) + " ms");
  }
  if (heartbeatInterval >= leaseDuration) {
    invalid("heartbeatInterval", "must be shorter than leaseDuration (" + std::to_string(leaseDuration.count()) +
                                     " s), got " + std::to_string(heartbeatInterval.count()) + " ms");
  }
  if (shutdownTimeout < std::chrono::milliseconds::zero()) {
    invalid("shutdownTimeout", "must not be negative, got " + std::to_string(shutdownTimeout.count()) + " ms");
  }
  if (ackBatchWindow < std::chrono::milliseconds::zero() || ackBatchWindow > kMaxAckBatchWindow) {
    invalid("ackBatchWindow", "must be between 0 and 1000 ms, got " + std::to_string(ackBatchWindow.count()) + " ms");
  }
  if (!metadata.is_object()) invalid("metadata", "must be a JSON object, got " + metadata.dump());
}

WorkerOptions WorkerOptions::resolved() const {
  WorkerOptions copy = *this;
  if (copy.hostname.empty()) copy.hostname = machineHostname();
  if (copy.version.empty()) copy.version = sdkVersion();
  if (copy.workerType.empty()) copy.workerType = "cpp";
  return copy;
}

}  // namespace spooled
