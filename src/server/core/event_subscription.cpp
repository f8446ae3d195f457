#include "server/core/event_subscription.hpp"

#include <algorithm>
#include <cctype>

namespace spooled::server {

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool matches(const StreamFilter& filter, const LiveEvent& event) {
  if (filter.jobId && event.jobId != *filter.jobId) return false;
  if (filter.queueName && event.queueName != *filter.queueName) return false;
  return true;
}

}  // namespace

Subscription::Subscription(SubscriptionOptions options)
    : options_(std::move(options)), filtered_(!options_.filters.empty()) {
  std::set<std::string> types;
  for (const std::string& t : options_.types) types.insert(lower(t));
  if (types.contains("*")) types.clear();
  options_.types = std::move(types);
  if (std::find(options_.allowedQueues.begin(), options_.allowedQueues.end(), "*") != options_.allowedQueues.end())
    options_.allowedQueues.clear();
}

bool Subscription::wants(const LiveEvent& event) const {
  if (event.orgId != options_.orgId) return false;
  if (!options_.allowedQueues.empty() &&
      std::find(options_.allowedQueues.begin(), options_.allowedQueues.end(), event.queueName) ==
          options_.allowedQueues.end())
    return false;
  if (!options_.types.empty() && !options_.types.contains(lower(event.type)) &&
      !options_.types.contains(event.name))
    return false;
  if (!filtered_) return true;
  return std::any_of(options_.filters.begin(), options_.filters.end(),
                     [&](const StreamFilter& f) { return matches(f, event); });
}

bool Subscription::offer(const LiveEventPtr& event) {
  std::lock_guard lock(mutex_);
  if (closedReason_ || !wants(*event)) return false;
  if (buffer_.size() >= options_.maxBuffered) {
    buffer_.clear();  // the reason is what it gets now; the events it could not keep up with are gone
    closedReason_ = "subscriber too slow: more than " + std::to_string(options_.maxBuffered) +
                    " events waiting to be sent";
  } else {
    buffer_.push_back(event);
  }
  if (wakePending_) return false;
  wakePending_ = true;
  return true;
}

bool Subscription::close(const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (closedReason_) return false;
  closedReason_ = reason;
  wakePending_ = true;
  return true;
}

void Subscription::setWaker(std::function<void()> waker) {
  auto shared = waker ? std::make_shared<const std::function<void()>>(std::move(waker)) : nullptr;
  std::lock_guard lock(mutex_);
  waker_ = std::move(shared);
}

void Subscription::wake() const {
  std::shared_ptr<const std::function<void()>> waker;
  {
    std::lock_guard lock(mutex_);
    waker = waker_;
  }
  if (waker) (*waker)();
}

void Subscription::takeAll(std::vector<LiveEventPtr>& into) {
  into.clear();
  std::lock_guard lock(mutex_);
  wakePending_ = false;
  std::swap(into, buffer_);
}

std::optional<std::string> Subscription::closedReason() const {
  std::lock_guard lock(mutex_);
  return closedReason_;
}

void Subscription::addFilter(const StreamFilter& filter) {
  std::lock_guard lock(mutex_);
  filtered_ = true;
  if (std::find(options_.filters.begin(), options_.filters.end(), filter) == options_.filters.end())
    options_.filters.push_back(filter);
}

void Subscription::removeFilter(const StreamFilter& filter) {
  std::lock_guard lock(mutex_);
  std::erase(options_.filters, filter);
}

}  // namespace spooled::server
