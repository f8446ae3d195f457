// The PostgreSQL schema as an append-only list of migrations, step for step the SQLite list's
// versions. Never edit a released step; add one. Conventions as SQLite's: times are BIGINT
// milliseconds since the epoch, JSON is TEXT (kept byte for byte as the API received it), absent
// values are NULL. Booleans are BOOLEAN. Names and ids compare byte-wise (COLLATE "C"), whatever the
// database's locale, so lists sort as they do on SQLite. `seq` (an identity column) is the insertion
// order that SQLite's rowid gives: it breaks ties of one millisecond.
#include "server/store/migrations/migrations.hpp"

namespace spooled::server {
namespace {

constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE organizations (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT COLLATE "C" NOT NULL UNIQUE,
  plan_tier TEXT NOT NULL,
  billing_email TEXT,
  settings TEXT NOT NULL,
  webhook_token TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE api_keys (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  queues TEXT NOT NULL,
  rate_limit INTEGER,
  is_active BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  last_used BIGINT,
  expires_at BIGINT,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_api_keys_org ON api_keys (org_id, created_at);

CREATE TABLE queues (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL,
  queue_name TEXT COLLATE "C" NOT NULL,
  max_retries INTEGER NOT NULL,
  default_timeout INTEGER NOT NULL,
  rate_limit INTEGER,
  enabled BOOLEAN NOT NULL,
  paused BOOLEAN NOT NULL,
  paused_at BIGINT,
  pause_reason TEXT,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (org_id, queue_name)
);

CREATE TABLE workers (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL,
  queue_name TEXT COLLATE "C" NOT NULL,
  hostname TEXT NOT NULL,
  worker_type TEXT,
  max_concurrency INTEGER NOT NULL,
  current_jobs INTEGER NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  last_heartbeat BIGINT NOT NULL,
  metadata TEXT NOT NULL,
  version TEXT,
  registered_at BIGINT NOT NULL,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_workers_org_queue ON workers (org_id, queue_name);
CREATE INDEX idx_workers_silent ON workers (last_heartbeat, id) WHERE status <> 'offline';

CREATE TABLE jobs (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL,
  queue_name TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN
    ('pending', 'scheduled', 'processing', 'completed', 'failed', 'deadletter', 'cancelled')),
  payload TEXT NOT NULL,
  result TEXT,
  retry_count INTEGER NOT NULL,
  max_retries INTEGER NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  scheduled_at BIGINT,
  started_at BIGINT,
  completed_at BIGINT,
  expires_at BIGINT,
  priority INTEGER NOT NULL,
  tags TEXT,
  timeout_seconds INTEGER NOT NULL,
  parent_job_id TEXT,
  completion_webhook TEXT,
  assigned_worker_id TEXT,
  lease_id TEXT,
  lease_expires_at BIGINT,
  idempotency_key TEXT COLLATE "C",
  progress INTEGER,
  progress_message TEXT,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_jobs_ready ON jobs (org_id, queue_name, priority DESC, created_at, seq)
  WHERE status IN ('pending', 'scheduled');
CREATE INDEX idx_jobs_leases ON jobs (lease_expires_at, id) WHERE status = 'processing';
-- The one guard against two servers creating a job for one key at once: core maps the violation to
-- the existing job (StoreDuplicateKey).
CREATE UNIQUE INDEX uq_jobs_idempotency ON jobs (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX idx_jobs_org_queue_status ON jobs (org_id, queue_name, status, created_at);
CREATE INDEX idx_jobs_org_status ON jobs (org_id, status, created_at);
CREATE INDEX idx_jobs_org_created ON jobs (org_id, created_at);
)sql";

constexpr std::string_view kRevokedTokensAndActivity = R"sql(
CREATE TABLE revoked_tokens (
  token_id TEXT COLLATE "C" PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX idx_jobs_org_completed ON jobs (org_id, completed_at) WHERE completed_at IS NOT NULL;
)sql";

// SQLite's step 3 reorders its claim index to end in insertion order; this schema had `seq` in it
// from the start, so the step only keeps the version numbers of both stores in line.
constexpr std::string_view kClaimOrderByInsertion = R"sql(
SELECT 1;
)sql";

constexpr std::string_view kLimitCounts = R"sql(
CREATE INDEX idx_workers_org_live ON workers (org_id, status) WHERE status <> 'offline';
CREATE INDEX idx_api_keys_org_active ON api_keys (org_id, is_active) WHERE is_active;
)sql";

// Outgoing webhooks and their outbox (as SQLite's step 5).
constexpr std::string_view kOutgoingWebhooks = R"sql(
CREATE TABLE outgoing_webhooks (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT,
  events TEXT NOT NULL,
  enabled BOOLEAN NOT NULL,
  failure_count INTEGER NOT NULL,
  last_triggered_at BIGINT,
  last_status TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_outgoing_webhooks_org ON outgoing_webhooks (org_id, created_at);

CREATE TABLE outgoing_webhook_deliveries (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL,
  webhook_id TEXT COLLATE "C" NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'success', 'failed')),
  status_code INTEGER,
  response_body TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  attempt_log TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_webhook_deliveries_webhook ON outgoing_webhook_deliveries (webhook_id, created_at);
CREATE INDEX idx_webhook_deliveries_due ON outgoing_webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
)sql";

// Workflows and job dependencies: see the SQLite step 7.
constexpr std::string_view kWorkflows = R"sql(
ALTER TABLE jobs ADD COLUMN workflow_id TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN workflow_key TEXT;
ALTER TABLE jobs ADD COLUMN dependency_mode TEXT;
ALTER TABLE jobs ADD COLUMN dependencies_met BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE jobs ADD COLUMN dependencies_pending INTEGER NOT NULL DEFAULT 0;
DROP INDEX idx_jobs_ready;
CREATE INDEX idx_jobs_ready ON jobs (org_id, queue_name, priority DESC, created_at, seq)
  WHERE status IN ('pending', 'scheduled') AND dependencies_met;
CREATE INDEX idx_jobs_workflow ON jobs (workflow_id, created_at, seq) WHERE workflow_id IS NOT NULL;

CREATE TABLE workflows (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  total_jobs INTEGER NOT NULL,
  completed_jobs INTEGER NOT NULL,
  failed_jobs INTEGER NOT NULL,
  cancelled_jobs INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  completed_at BIGINT,
  metadata TEXT,
  updated_at BIGINT NOT NULL,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_workflows_org_created ON workflows (org_id, created_at, seq);

CREATE TABLE job_dependencies (
  job_id TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  org_id TEXT COLLATE "C" NOT NULL,
  depends_on_job_id TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  dependency_type TEXT NOT NULL CHECK (dependency_type IN ('all', 'any')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (job_id, depends_on_job_id),
  CHECK (job_id <> depends_on_job_id)
);
CREATE INDEX idx_job_dependencies_parent ON job_dependencies (depends_on_job_id);
)sql";

// Limits and events that hold for every server on the database (h-pgx). Tokens are stored in
// millionths, so both stores do the bucket arithmetic in integers alike. `granted` is what the last
// take handed out, so one upsert both refills and takes and can return the grant. Request buckets
// are refilled by the database's clock; the spill holds live events too big for a NOTIFY payload.
constexpr std::string_view kClusterLimits = R"sql(
CREATE TABLE claim_rate_buckets (
  org_id TEXT COLLATE "C" NOT NULL,
  queue_name TEXT COLLATE "C" NOT NULL,
  micro_tokens BIGINT NOT NULL,
  refilled_at BIGINT NOT NULL,
  granted BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, queue_name)
);
CREATE TABLE request_rate_buckets (
  bucket_key TEXT COLLATE "C" PRIMARY KEY,
  tokens DOUBLE PRECISION NOT NULL,
  refilled_at TIMESTAMPTZ NOT NULL,
  per_second DOUBLE PRECISION NOT NULL,
  burst DOUBLE PRECISION NOT NULL,
  last_used DOUBLE PRECISION NOT NULL
);
CREATE TABLE cluster_event_spill (
  id BIGSERIAL PRIMARY KEY,
  body TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
)sql";

// Cron schedules and their runs, as SQLite's step 6.
constexpr std::string_view kSchedules = R"sql(
CREATE TABLE schedules (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  cron_expression TEXT NOT NULL,
  timezone TEXT NOT NULL,
  queue_name TEXT COLLATE "C" NOT NULL,
  payload_template TEXT NOT NULL,
  priority INTEGER NOT NULL,
  max_retries INTEGER NOT NULL,
  timeout_seconds INTEGER NOT NULL,
  is_active BOOLEAN NOT NULL,
  last_run_at BIGINT,
  next_run_at BIGINT,
  run_count INTEGER NOT NULL,
  tags TEXT,
  metadata TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_schedules_org ON schedules (org_id, created_at);
CREATE INDEX idx_schedules_due ON schedules (next_run_at) WHERE is_active AND next_run_at IS NOT NULL;
CREATE TABLE schedule_runs (
  id TEXT COLLATE "C" PRIMARY KEY,
  org_id TEXT COLLATE "C" NOT NULL,
  schedule_id TEXT COLLATE "C" NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  job_id TEXT COLLATE "C",
  status TEXT NOT NULL,
  error_message TEXT,
  scheduled_for BIGINT,
  started_at BIGINT NOT NULL,
  completed_at BIGINT,
  seq BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX idx_schedule_runs_schedule ON schedule_runs (schedule_id, started_at);
)sql";

constexpr Migration kPgMigrations[] = {
    {1, "initial schema: organizations, api_keys, queues, workers, jobs", kInitialSchema},
    {2, "revoked JWT ids; index of finished jobs by time", kRevokedTokensAndActivity},
    {3, "claim ties broken by insertion order", kClaimOrderByInsertion},
    {4, "indexes for the per-organization limit counts", kLimitCounts},
    {5, "outgoing webhooks and their delivery outbox", kOutgoingWebhooks},
    {6, "cron schedules and their runs", kSchedules},
    {7, "workflows and job dependencies", kWorkflows},
    {8, "cluster limits: shared claim and request rate buckets; spill of large live events", kClusterLimits},
};

}  // namespace

std::span<const Migration> pgMigrations() { return kPgMigrations; }

}  // namespace spooled::server
