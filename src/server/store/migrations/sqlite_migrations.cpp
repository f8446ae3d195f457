// The SQLite schema as an append-only list of migrations. Never edit a released step; add one.
// Conventions: times are INTEGER milliseconds since the epoch, JSON is TEXT, absent values are NULL,
// booleans are INTEGER 0/1. Tables are STRICT so a wrongly typed bind fails loudly.
// Only api_keys references organizations: a key must name a real organization, while jobs, workers
// and queues treat org_id as an opaque partition key (core code and its tests create them directly).
#include "server/store/migrations/migrations.hpp"

namespace spooled::server {
namespace {

constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  plan_tier TEXT NOT NULL,
  billing_email TEXT,
  settings TEXT NOT NULL,
  webhook_token TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  queues TEXT NOT NULL,
  rate_limit INTEGER,
  is_active INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_used INTEGER,
  expires_at INTEGER
) STRICT;
CREATE INDEX idx_api_keys_org ON api_keys (org_id, created_at);

CREATE TABLE queues (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  queue_name TEXT NOT NULL,
  max_retries INTEGER NOT NULL,
  default_timeout INTEGER NOT NULL,
  rate_limit INTEGER,
  enabled INTEGER NOT NULL,
  paused INTEGER NOT NULL,
  paused_at INTEGER,
  pause_reason TEXT,
  settings TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (org_id, queue_name)
) STRICT;

CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  queue_name TEXT NOT NULL,
  hostname TEXT NOT NULL,
  worker_type TEXT,
  max_concurrency INTEGER NOT NULL,
  current_jobs INTEGER NOT NULL,
  status TEXT NOT NULL,
  last_heartbeat INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  version TEXT,
  registered_at INTEGER NOT NULL
) STRICT;
CREATE INDEX idx_workers_org_queue ON workers (org_id, queue_name);
-- Partial: offline workers (the bulk, over time) stay out of the reaper's index.
CREATE INDEX idx_workers_silent ON workers (last_heartbeat, id) WHERE status <> 'offline';

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  queue_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('pending', 'scheduled', 'processing', 'completed', 'failed', 'deadletter', 'cancelled')),
  payload TEXT NOT NULL,
  result TEXT,
  retry_count INTEGER NOT NULL,
  max_retries INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  scheduled_at INTEGER,
  started_at INTEGER,
  completed_at INTEGER,
  expires_at INTEGER,
  priority INTEGER NOT NULL,
  tags TEXT,
  timeout_seconds INTEGER NOT NULL,
  parent_job_id TEXT,
  completion_webhook TEXT,
  assigned_worker_id TEXT,
  lease_id TEXT,
  lease_expires_at INTEGER,
  idempotency_key TEXT,
  progress INTEGER,
  progress_message TEXT
) STRICT;
-- Claim: equality on (org, queue), then already in claim order, so LIMIT n reads about n entries.
-- Partial, so finished jobs never slow it down; the claim query repeats this WHERE word for word.
CREATE INDEX idx_jobs_ready ON jobs (org_id, queue_name, priority DESC, created_at, id)
  WHERE status IN ('pending', 'scheduled');
-- Lease reaper: only processing jobs, in expiry order.
CREATE INDEX idx_jobs_leases ON jobs (lease_expires_at, id) WHERE status = 'processing';
-- NULL keys are many and not indexed; a key is unique within its organization only.
CREATE UNIQUE INDEX uq_jobs_idempotency ON jobs (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Job lists and counts by organization, queue and status.
CREATE INDEX idx_jobs_org_queue_status ON jobs (org_id, queue_name, status, created_at);
CREATE INDEX idx_jobs_org_status ON jobs (org_id, status, created_at);
CREATE INDEX idx_jobs_org_created ON jobs (org_id, created_at);
)sql";

// Logout: JWT ids refused until they would have expired anyway. Finished-job lookups for stats.
constexpr std::string_view kRevokedTokensAndActivity = R"sql(
CREATE TABLE revoked_tokens (
  token_id TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX idx_jobs_org_completed ON jobs (org_id, completed_at) WHERE completed_at IS NOT NULL;
)sql";

// Jobs created in the same millisecond share created_at; a random id made their claim order a coin
// toss. The rowid (insertion order) breaks such ties instead. It ends every index entry implicitly,
// so this index still hands out jobs in claim order without a sort step.
constexpr std::string_view kClaimOrderByInsertion = R"sql(
DROP INDEX idx_jobs_ready;
CREATE INDEX idx_jobs_ready ON jobs (org_id, queue_name, priority DESC, created_at)
  WHERE status IN ('pending', 'scheduled');
)sql";

// Organization limits count live workers and active keys at every registration and key creation;
// partial indexes keep those counts proportional to what is counted, not to the offline workers and
// revoked keys that pile up over time. The filtered column is in each index, so the counts never
// read the table.
constexpr std::string_view kLimitCounts = R"sql(
CREATE INDEX idx_workers_org_live ON workers (org_id, status) WHERE status <> 'offline';
CREATE INDEX idx_api_keys_org_active ON api_keys (org_id, is_active) WHERE is_active = 1;
)sql";

// Outgoing webhooks and their outbox: a delivery row is written in the transaction of the change
// that caused it, and senders take due rows by next_attempt_at.
constexpr std::string_view kOutgoingWebhooks = R"sql(
CREATE TABLE outgoing_webhooks (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT,
  events TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  failure_count INTEGER NOT NULL,
  last_triggered_at INTEGER,
  last_status TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX idx_outgoing_webhooks_org ON outgoing_webhooks (org_id, created_at);

CREATE TABLE outgoing_webhook_deliveries (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'success', 'failed')),
  status_code INTEGER,
  response_body TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempt_log TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
) STRICT;
CREATE INDEX idx_webhook_deliveries_webhook ON outgoing_webhook_deliveries (webhook_id, created_at);
-- The senders' queue: only pending rows, in due order.
CREATE INDEX idx_webhook_deliveries_due ON outgoing_webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
)sql";

// Workflows and job dependencies. A job waiting for its parents is pending with dependencies_met = 0
// and stays out of the claim index, so the claim remains a walk of ready jobs only; the count of
// unfinished parents makes a completion O(its dependents), whatever the size of the workflow.
constexpr std::string_view kWorkflows = R"sql(
ALTER TABLE jobs ADD COLUMN workflow_id TEXT;
ALTER TABLE jobs ADD COLUMN workflow_key TEXT;
ALTER TABLE jobs ADD COLUMN dependency_mode TEXT;
ALTER TABLE jobs ADD COLUMN dependencies_met INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN dependencies_pending INTEGER NOT NULL DEFAULT 0;
DROP INDEX idx_jobs_ready;
CREATE INDEX idx_jobs_ready ON jobs (org_id, queue_name, priority DESC, created_at)
  WHERE status IN ('pending', 'scheduled') AND dependencies_met = 1;
CREATE INDEX idx_jobs_workflow ON jobs (workflow_id, created_at) WHERE workflow_id IS NOT NULL;

CREATE TABLE workflows (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  total_jobs INTEGER NOT NULL,
  completed_jobs INTEGER NOT NULL,
  failed_jobs INTEGER NOT NULL,
  cancelled_jobs INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER,
  metadata TEXT,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX idx_workflows_org_created ON workflows (org_id, created_at);

-- Deleting a job (DLQ purge, organization deletion) takes its edges with it.
CREATE TABLE job_dependencies (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  org_id TEXT NOT NULL,
  depends_on_job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  dependency_type TEXT NOT NULL CHECK (dependency_type IN ('all', 'any')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, depends_on_job_id),
  CHECK (job_id <> depends_on_job_id)
) STRICT, WITHOUT ROWID;
-- A completion finds its dependents by parent.
CREATE INDEX idx_job_dependencies_parent ON job_dependencies (depends_on_job_id);
)sql";

// The claim-rate bucket table of the cluster limits (h-pgx). One SQLite process keeps its limits in
// memory; the table exists so both stores pass one conformance suite for the bucket methods.
constexpr std::string_view kClusterLimits = R"sql(
CREATE TABLE claim_rate_buckets (
  org_id TEXT NOT NULL,
  queue_name TEXT NOT NULL,
  micro_tokens INTEGER NOT NULL,
  refilled_at INTEGER NOT NULL,
  granted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, queue_name)
) WITHOUT ROWID;
)sql";

// Cron schedules and their runs (history). A run is recorded in the transaction that creates its
// job and advances the schedule's next_run_at, so a restart can neither lose nor repeat one. Runs
// keep the job id but no foreign key to jobs: jobs are deleted by retention and purges, and the
// history should outlive them.
constexpr std::string_view kSchedules = R"sql(
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  cron_expression TEXT NOT NULL,
  timezone TEXT NOT NULL,
  queue_name TEXT NOT NULL,
  payload_template TEXT NOT NULL,
  priority INTEGER NOT NULL,
  max_retries INTEGER NOT NULL,
  timeout_seconds INTEGER NOT NULL,
  is_active INTEGER NOT NULL,
  last_run_at INTEGER,
  next_run_at INTEGER,
  run_count INTEGER NOT NULL,
  tags TEXT,
  metadata TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX idx_schedules_org ON schedules (org_id, created_at);
CREATE INDEX idx_schedules_due ON schedules (next_run_at) WHERE is_active = 1 AND next_run_at IS NOT NULL;
CREATE TABLE schedule_runs (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  schedule_id TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  job_id TEXT,
  status TEXT NOT NULL,
  error_message TEXT,
  scheduled_for INTEGER,
  started_at INTEGER NOT NULL,
  completed_at INTEGER
) STRICT;
CREATE INDEX idx_schedule_runs_schedule ON schedule_runs (schedule_id, started_at);
)sql";

constexpr Migration kSqliteMigrations[] = {
    {1, "initial schema: organizations, api_keys, queues, workers, jobs", kInitialSchema},
    {2, "revoked JWT ids; index of finished jobs by time", kRevokedTokensAndActivity},
    {3, "claim ties broken by insertion order", kClaimOrderByInsertion},
    {4, "indexes for the per-organization limit counts", kLimitCounts},
    {5, "outgoing webhooks and their delivery outbox", kOutgoingWebhooks},
    {6, "cron schedules and their runs", kSchedules},
    {7, "workflows and job dependencies", kWorkflows},
    {8, "cluster limits: claim rate buckets", kClusterLimits},
};

}  // namespace

std::span<const Migration> sqliteMigrations() { return kSqliteMigrations; }

}  // namespace spooled::server
