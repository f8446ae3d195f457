// Workflows: "A, then B and C in parallel, then D". Creates an image pipeline as one workflow (fetch,
// then resize and thumbnail side by side, then publish once both are done), runs SpooledWorkers on its
// queues until the workflow has finished, and prints each step as it runs.
// Reads SPOOLED_API_URL and SPOOLED_API_KEY. Exits 0 when the workflow completed, 1 otherwise.
#include <spooled/spooled.hpp>

#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

namespace {

std::mutex outputMutex;

void say(const std::string& line) {
  const std::lock_guard lock(outputMutex);
  std::cout << line << std::endl;
}

// Stand-in for real work: each step names itself in its result.
spooled::json runStep(spooled::JobContext& ctx) {
  const std::string step = ctx.payload.at("step").get<std::string>();
  say("start " + step);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  say("done " + step);
  return {{"step", step}};
}

}  // namespace

int main() try {
  using namespace std::chrono_literals;
  spooled::SpooledClient client;  // apiKey from $SPOOLED_API_KEY, baseUrl from $SPOOLED_API_URL

  // Keys name the jobs inside the workflow; depends_on refers to them.
  const spooled::CreateWorkflowResult created = client.workflows().create({
      .name = "image pipeline",
      .jobs = {{.key = "fetch", .queueName = "images", .payload = {{"step", "fetch"}}},
               {.key = "resize", .queueName = "images", .payload = {{"step", "resize"}}, .dependsOn = {"fetch"}},
               {.key = "thumbnail", .queueName = "thumbnails", .payload = {{"step", "thumbnail"}},
                .dependsOn = {"fetch"}},
               {.key = "publish", .queueName = "images", .payload = {{"step", "publish"}},
                .dependsOn = {"resize", "thumbnail"}}},
  });
  say("workflow " + created.workflowId);

  // One worker per queue; a job waiting for its parents is never handed to either.
  spooled::SpooledWorker images(client, {.queueName = "images", .concurrency = 2});
  spooled::SpooledWorker thumbnails(client, {.queueName = "thumbnails", .concurrency = 2});
  images.process(runStep);
  thumbnails.process(runStep);
  images.start();
  thumbnails.start();

  spooled::Workflow workflow = client.workflows().get(created.workflowId);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (workflow.status != "completed" && workflow.status != "failed" && workflow.status != "cancelled" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
    workflow = client.workflows().get(created.workflowId);
  }
  images.stop();
  thumbnails.stop();
  images.wait();
  thumbnails.wait();
  say("workflow " + workflow.status + ": " + std::to_string(workflow.completedJobs) + " of " +
      std::to_string(workflow.totalJobs) + " jobs completed");
  return workflow.status == "completed" ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "pipeline_workflow: " << e.what() << std::endl;
  return 1;
}
