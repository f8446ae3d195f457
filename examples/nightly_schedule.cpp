// Cron schedules: "build the report every night at 02:30 Berlin time". Creates the schedule once
// (or finds it by name), runs it once now so you see a report at start, and works the `reports` queue
// that the schedule feeds. Reads SPOOLED_API_URL and SPOOLED_API_KEY; SIGTERM or SIGINT stops it.
//
// Cron expressions have six fields, seconds first: "0 30 2 * * *" is 02:30:00 every day. The time
// zone makes daylight saving right: on the night the clock skips 02:00-03:00 the report runs at 03:00,
// and on the night 02:00-03:00 repeats it runs once (docs/api.md, "Cron schedules").
#include <spooled/spooled.hpp>

#include <iostream>

namespace {

constexpr const char* kScheduleName = "nightly-report";

// The schedule named kScheduleName, created when it does not exist yet.
spooled::Schedule nightlySchedule(spooled::SpooledClient& client) {
  for (const spooled::Schedule& s : client.schedules().list())
    if (s.name == kScheduleName) return s;
  spooled::CreateScheduleParams params;
  params.name = kScheduleName;
  params.description = "Yesterday's sales report";
  params.cronExpression = "0 30 2 * * *";
  params.timezone = "Europe/Berlin";
  params.queueName = "reports";
  params.payloadTemplate = {{"report", "daily-sales"}};
  params.maxRetries = 5;
  return client.schedules().create(params);
}

}  // namespace

int main() try {
  spooled::SpooledClient client;  // apiKey from $SPOOLED_API_KEY, baseUrl from $SPOOLED_API_URL
  const spooled::Schedule schedule = nightlySchedule(client);
  std::cout << "Schedule " << schedule.id << " (" << schedule.cronExpression << " " << schedule.timezone
            << "), next run at " << schedule.nextRunAt.value_or("never") << std::endl;

  const spooled::TriggerScheduleResult now = client.schedules().trigger(schedule.id);  // "run now"
  std::cout << "Triggered job " << now.jobId << std::endl;

  spooled::SpooledWorker worker(client, spooled::WorkerOptions{.queueName = "reports", .concurrency = 1});
  worker.process([](spooled::JobContext& ctx) -> spooled::json {
    // Jobs made by a schedule carry its id in their tags.
    std::cout << "Building report " << ctx.payload.value("report", "?") << " for job " << ctx.jobId << std::endl;
    return {{"rows", 42}};
  });
  auto signals = spooled::stopOnSignals({&worker});
  worker.run();

  for (const spooled::ScheduleRun& run : client.schedules().history(schedule.id, 5))
    std::cout << "run " << run.id << ": job " << run.jobId.value_or("-") << " " << run.jobStatus.value_or("?")
              << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "nightly_schedule: " << e.what() << std::endl;
  return 1;
}
