// SpooledWorker: the public face of WorkerCore.
#include "spooled/worker.hpp"

#include <ostream>

#include "sdk/worker/worker_core.hpp"

namespace spooled {

std::string_view toString(WorkerState state) noexcept {
  switch (state) {
    case WorkerState::idle: return "idle";
    case WorkerState::starting: return "starting";
    case WorkerState::running: return "running";
    case WorkerState::stopping: return "stopping";
    case WorkerState::stopped: return "stopped";
    case WorkerState::error: return "error";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, WorkerState state) { return out << toString(state); }

SpooledWorker::SpooledWorker(SpooledClient& client, WorkerOptions options)
    : core_(std::make_unique<detail::WorkerCore>(client, std::move(options))) {}

SpooledWorker::~SpooledWorker() = default;

void SpooledWorker::setHandler(Handler handler) { core_->setHandler(std::move(handler)); }

SubscriptionId SpooledWorker::on(std::string_view event, WorkerEventCallback callback) {
  return core_->events().on(event, std::move(callback));
}

bool SpooledWorker::off(SubscriptionId id) { return core_->events().off(id); }

void SpooledWorker::start() { core_->start(); }

void SpooledWorker::run() {
  core_->start();
  core_->wait();
}

void SpooledWorker::stop(std::string reason) { core_->stop(std::move(reason)); }

void SpooledWorker::wait() { core_->wait(); }

bool SpooledWorker::waitFor(std::chrono::milliseconds timeout) { return core_->waitFor(timeout); }

WorkerState SpooledWorker::getState() const noexcept { return core_->state(); }

std::optional<std::string> SpooledWorker::getWorkerId() const { return core_->workerId(); }

int SpooledWorker::getActiveJobCount() const noexcept { return core_->activeJobCount(); }

bool SpooledWorker::isRunning() const noexcept { return core_->isRunning(); }

const WorkerOptions& SpooledWorker::options() const noexcept { return core_->options(); }

}  // namespace spooled
