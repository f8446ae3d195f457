// Benchmarks of the job engine on a real SQLite file (WAL, synchronous=FULL).
//
// Scenarios:
//   BM_CreateJob/threads:N       enqueue one job per call, N threads at once. With group commit the
//                                total rate grows with N, since concurrent creates share one fsync.
//   BM_CreateJob_Payload/BYTES   enqueue with a payload of BYTES bytes, one thread.
//   BM_ClaimComplete/threads:N   claim one job and complete it (two commits per job), N threads.
//
// Run: make bench   (or build/bin/spooled-engine-bench --benchmark_filter=...)
// Figures are items_per_second; compare rows of one run rather than runs on different machines.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <mutex>

#include "common/ids.hpp"
#include "server/core/job_engine.hpp"

using namespace spooled;
using namespace spooled::server;

namespace {

// One database per benchmark family, shared by its threads; removed when the process ends.
struct BenchDb {
  BenchDb() {
    dir = std::filesystem::temp_directory_path() / ("spooled-bench-" + randomHex(6));
    store = openStore("sqlite:" + (dir / "bench.db").string());
    engine = std::make_unique<JobEngine>(*store, notifier);
  }
  ~BenchDb() {
    engine.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  JobNotifier notifier;
  std::unique_ptr<JobEngine> engine;
};

BenchDb& db() {
  static BenchDb instance;
  return instance;
}

CreateJobInput jobOf(std::size_t payloadBytes) {
  CreateJobInput in;
  in.queueName = "bench";
  in.payload = json{{"data", std::string(payloadBytes, 'x')}};
  return in;
}

void BM_CreateJob(benchmark::State& state) {
  const CreateJobInput in = jobOf(64);
  for (auto _ : state) benchmark::DoNotOptimize(syncWait(db().engine->create("org-bench", in)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateJob)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

void BM_CreateJob_Payload(benchmark::State& state) {
  const CreateJobInput in = jobOf(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(syncWait(db().engine->create("org-bench", in)));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CreateJob_Payload)->Arg(100)->Arg(10 * 1024)->Arg(100 * 1024)->UseRealTime();

void BM_ClaimComplete(benchmark::State& state) {
  if (state.thread_index() == 0) {
    CreateJobInput in = jobOf(64);
    in.queueName = "bench-claim";
    for (int i = 0; i < 20000; ++i) syncWait(db().engine->create("org-bench", in));
  }
  const std::string worker = "bench-worker-" + std::to_string(state.thread_index());
  for (auto _ : state) {
    auto jobs = syncWait(db().engine->claim("org-bench", ClaimInput{"bench-claim", worker, 1, 30}));
    if (jobs.empty()) {
      state.SkipWithError("ran out of jobs");
      break;
    }
    syncWait(db().engine->complete("org-bench", jobs.front().id, LeaseRef{worker, jobs.front().leaseId}, json{{"ok", true}}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClaimComplete)->Threads(1)->Threads(8)->UseRealTime()->Iterations(1000);

}  // namespace

BENCHMARK_MAIN();
