#pragma once
// Checks that the jobs of a new workflow form a DAG before anything is stored: keys are unique, every
// depends_on names a key of the workflow, and no chain of dependencies returns to where it began.
// Linear in jobs + edges (Kahn's algorithm), so a 1,000-job workflow costs no more than its size.
#include <string>
#include <vector>

namespace spooled::server {

struct WorkflowJobInput;

// Throws ApiError(Validation) naming the duplicate key, the unknown references ("job 'b' depends on
// unknown job 'x'") or one cycle ("a -> b -> a"), with the same facts in details.
void validateWorkflowGraph(const std::vector<WorkflowJobInput>& jobs);

}  // namespace spooled::server
