#pragma once
// Steps shared by the queue, DLQ and job-admin tests: dead-letter a job over HTTP, and give a running
// test server a second organization with its own key.
#include <stdexcept>
#include <string>

#include "server/auth/bootstrap.hpp"
#include "server/store/store.hpp"
#include "support/api_steps.hpp"
#include "support/server_process.hpp"

namespace spooled::test {

// A job of `queue` (max_retries 0) that a worker claimed and failed once: now in the dead-letter queue.
inline std::string deadLetterJob(ApiSteps& api, const std::string& queue) {
  const std::string id = api.createJob(queue, {{"max_retries", 0}});
  const std::string worker = api.registerWorker(queue);
  const json claimed = api.claim(queue, worker, {{"limit", 100}});
  for (const json& job : claimed) {
    if (job.at("id") != id) continue;
    expectStatus(api.settle("fail", job, worker, {{"error", "boom"}}), 200, "fail job");
    const json dead = api.getJob(id);
    if (dead.at("status") != "deadletter") throw std::runtime_error("job did not dead-letter: " + dead.dump());
    return id;
  }
  throw std::runtime_error("could not claim the job to dead-letter it");
}

// Adds an organization with its own API key, written to the store while the server is stopped, and
// restarts the server on the same database. Returns the new key.
inline std::string addSecondOrganization(ServerProcess& server, const std::string& slug = "other") {
  const std::string key = "sk_test_" + slug + "_org_key_0123456789";
  if (server.stop() != 0) throw std::runtime_error("server did not stop cleanly:\n" + server.logs());
  {
    auto store = spooled::server::openStore(server.databaseUrl());
    store->writeNow([&](spooled::server::StoreTx& tx) {
      const auto org = spooled::server::ensureOrganization(tx, slug, "Other");
      spooled::server::insertApiKey(tx, org.id, key, "test");
    });
  }
  server.restart();
  return key;
}

}  // namespace spooled::test
