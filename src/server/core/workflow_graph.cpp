#include "server/core/workflow_graph.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "common/error_code.hpp"
#include "server/core/job_engine.hpp"

namespace spooled::server {
namespace {

// Some cycle among the jobs Kahn's algorithm could not order: every such job waits on another such
// job, so following those edges from any of them must come back to a job already on the path.
std::vector<std::string> findCycle(const std::vector<WorkflowJobInput>& jobs,
                                   const std::unordered_map<std::string, std::size_t>& index,
                                   const std::vector<int>& remaining) {
  std::size_t at = 0;
  while (remaining[at] == 0) ++at;
  std::vector<std::size_t> path;
  std::unordered_map<std::size_t, std::size_t> position;
  while (!position.contains(at)) {
    position[at] = path.size();
    path.push_back(at);
    for (const std::string& parent : jobs[at].dependsOn) {
      const std::size_t next = index.at(parent);
      if (remaining[next] != 0) {
        at = next;
        break;
      }
    }
  }
  // The path runs child -> parent; print the cycle in the order work would have to flow.
  std::vector<std::string> cycle;
  for (std::size_t i = position[at]; i < path.size(); ++i) cycle.push_back(jobs[path[i]].key);
  std::reverse(cycle.begin(), cycle.end());
  cycle.push_back(cycle.front());
  return cycle;
}

}  // namespace

void validateWorkflowGraph(const std::vector<WorkflowJobInput>& jobs) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (!index.emplace(jobs[i].key, i).second)
      throw ApiError(ErrorCode::Validation, "duplicate job key '" + jobs[i].key + "' in workflow",
                     json{{"field", "jobs"}, {"duplicate_key", jobs[i].key}});

  std::vector<std::string> unknown;
  json unknownDetails = json::array();
  for (const WorkflowJobInput& job : jobs)
    for (const std::string& parent : job.dependsOn)
      if (!index.contains(parent)) {
        unknown.push_back("job '" + job.key + "' depends on unknown job '" + parent + "'");
        unknownDetails.push_back({{"job", job.key}, {"depends_on", parent}});
      }
  if (!unknown.empty()) {
    std::string message;
    for (const auto& line : unknown) message += (message.empty() ? "" : "; ") + line;
    throw ApiError(ErrorCode::Validation, message, json{{"field", "jobs"}, {"unknown_dependencies", unknownDetails}});
  }

  // Kahn: remaining[i] counts the parents of job i not yet ordered (a repeated key counts once).
  std::vector<int> remaining(jobs.size(), 0);
  std::vector<std::vector<std::size_t>> children(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    std::vector<std::size_t> parents;
    for (const std::string& parent : jobs[i].dependsOn) parents.push_back(index.at(parent));
    std::sort(parents.begin(), parents.end());
    parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
    for (std::size_t p : parents) children[p].push_back(i);
    remaining[i] = static_cast<int>(parents.size());
  }
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (remaining[i] == 0) ready.push_back(i);
  std::size_t ordered = 0;
  while (!ready.empty()) {
    const std::size_t at = ready.front();
    ready.pop_front();
    ++ordered;
    for (std::size_t child : children[at])
      if (--remaining[child] == 0) ready.push_back(child);
  }
  if (ordered == jobs.size()) return;
  const auto cycle = findCycle(jobs, index, remaining);
  std::string text;
  for (const auto& key : cycle) text += (text.empty() ? "" : " -> ") + key;
  throw ApiError(ErrorCode::Validation, "circular dependency in workflow: " + text,
                 json{{"field", "jobs"}, {"cycle", cycle}});
}

}  // namespace spooled::server
