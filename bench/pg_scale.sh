#!/usr/bin/env bash
# bench/pg_scale.sh: spooled-server on PostgreSQL with 1, 2 and 4 server processes on one database,
# and pg-boss on the same PostgreSQL in the same run (see docs/performance.md, "PostgreSQL").
# Each run is a burn-down (bulk enqueue N no-op jobs, then drain them) on a fresh database of one
# throwaway cluster (initdb as the postgres user, durable defaults: fsync and synchronous_commit on).
# It reports jobs/s and the CPU per drained job of the servers, of the workers (for pg-boss: its
# Node.js process, which is both), and of PostgreSQL (the postmaster and its backends, from /proc).
#
# Usage: bench/pg_scale.sh [--jobs 20000] [--servers "1 2 4"] [--workers 4] [--concurrency 100]
#                          [--pgboss-fetch 1000] [--rounds 1] [--official-api] [--build-dir build]
#                          [--server-bin PATH] [--keep]
# How many jobs a worker takes at once: our workers' --concurrency (a claim asks for the free slots;
# 100 is the most spooled-bench allows) and pg-boss's fetch batch (it completes each fetch in one
# statement). Each side's default is its fastest: pg-boss waits its polling interval (0.5 s) between
# fetches, so with a fetch of 100 it drains at about 800 jobs/s, with 1,000 about 2,500.
# With --rounds N every configuration runs N times, interleaved, and the table shows medians.
# Needs: a built tree (make build), PostgreSQL (Debian package), node and npm (pg-boss is installed
# into $BUILD_DIR/bench-peers as for compare.sh), root (initdb runs as the postgres user).
set -euo pipefail

JOBS=20000
SERVER_COUNTS="1 2 4"
WORKERS=4
CONCURRENCY=100
PGBOSS_FETCH=1000
ROUNDS=1
OFFICIAL=()
SERVER_BIN=()
BUILD_DIR=build
KEEP=0
PGBOSS_VERSION=10.4.2  # pg-boss 11+ needs Node.js 22
RUN_TIMEOUT=900

while [[ $# -gt 0 ]]; do
  case "$1" in
    --jobs) JOBS="$2"; shift 2 ;;
    --servers) SERVER_COUNTS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --pgboss-fetch) PGBOSS_FETCH="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --official-api) OFFICIAL=(--official-api); shift ;;
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --server-bin) SERVER_BIN=(--server-bin "$2"); shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "pg_scale.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_paths

if [[ ! -d "$PEERS_DIR/node_modules/pg-boss" ]]; then
  log "installing pg-boss@$PGBOSS_VERSION (npm) into $PEERS_DIR"
  mkdir -p "$PEERS_DIR"
  [[ -f "$PEERS_DIR/package.json" ]] || echo '{"private": true}' > "$PEERS_DIR/package.json"
  (cd "$PEERS_DIR" && npm install --no-audit --no-fund --loglevel=error "pg-boss@$PGBOSS_VERSION" >/dev/null)
fi
export NODE_PATH="$PEERS_DIR/node_modules"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/spooled-pgscale-XXXXXX")"
chmod 755 "$WORK"  # the postgres user must reach its data folder
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
PG_DATA=""

cleanup() {
  stop_postgres
  if [[ "$KEEP" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Room for 4 servers x (pool 10 + 3) and pg-boss's 20.
start_postgres -c max_connections=200

fresh_database() {  # fresh_database NAME: prints the URL of a new empty database for run NAME
  local database="run_${1//[^a-z0-9]/_}"
  runuser -u postgres -- "$PG_BIN/psql" -h "$PG_DATA" -p "$PG_PORT" -d postgres -qc "CREATE DATABASE $database" >/dev/null
  echo "postgres://postgres@127.0.0.1:$PG_PORT/$database"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= ROUNDS; round++)); do
  for servers in $SERVER_COUNTS; do
    run "spooled-x$servers.r$round" "$BENCH" "${SERVER_BIN[@]}" --database-url "$(fresh_database "x$servers.r$round")" --servers "$servers" \
      --database-pid "$PG_PID" burndown --jobs "$JOBS" --workers "$WORKERS" --concurrency "$CONCURRENCY" \
      "${OFFICIAL[@]}" --json
  done
  # pg-boss as in compare.sh: inserts of 1,000, 4 in flight; $WORKERS work() loops fetching up to $PGBOSS_FETCH.
  run "pgboss.r$round" node "$PEERS_SRC/pgboss.js" burndown --pg-url "$(fresh_database "pgboss.r$round")" --jobs "$JOBS" \
    --batch 1000 --workers "$WORKERS" --fetch-batch "$PGBOSS_FETCH" --database-pid "$PG_PID"
done

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before ${LOAD_BEFORE}, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo "burn-down of $JOBS no-op jobs, $WORKERS workers (ours: concurrency $CONCURRENCY; pg-boss: fetch $PGBOSS_FETCH)${OFFICIAL:+ (official API only)};" \
  "$ROUNDS round(s), medians; PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (fsync, synchronous_commit on)," \
  "spooled $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "(this tree)"), node $(node --version)"
echo
python3 - "$RESULTS" <<'EOF'
import glob, json, os, statistics, sys
results = sys.argv[1]
runs = {}
for path in sorted(glob.glob(os.path.join(results, "*.json"))):
    name = os.path.basename(path).rsplit(".r", 1)[0]
    try:
        with open(path) as f:
            lines = [line for line in f if line.strip().startswith("{")]
        runs.setdefault(name, []).append(json.loads(lines[-1]))
    except (IndexError, ValueError):
        runs.setdefault(name, [])

def median(reports, key):
    values = [r[key] for r in reports if isinstance(r.get(key), (int, float))]
    return statistics.median(values) if values else None

def fmt(value, digits=0):
    return "-" if value is None else f"{value:,.{digits}f}"

order = sorted((n for n in runs if n.startswith("spooled-x")), key=lambda n: int(n[len("spooled-x"):])) + \
        [n for n in runs if n == "pgboss"]
pgboss_drain = median(runs.get("pgboss", []), "drain_jobs_per_sec")
print("| system | enqueue jobs/s | drain jobs/s | drain vs pg-boss | server CPU µs/job | worker CPU µs/job | PostgreSQL CPU µs/job | complete |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for name in order:
    reports = runs[name]
    label = f"spooled-server ×{name[len('spooled-x'):]}" if name != "pgboss" else "pg-boss (in its Node.js process)"
    drain = median(reports, "drain_jobs_per_sec")
    ratio = f"{drain / pgboss_drain:.2f}×" if drain and pgboss_drain else "-"
    complete = all(not r.get("incomplete") and r.get("completed") == r.get("jobs") for r in reports) and reports
    print(f"| {label} | {fmt(median(reports, 'enqueue_jobs_per_sec'))} | {fmt(drain)} | {ratio} | "
          f"{fmt(median(reports, 'server_cpu_us_per_job_drain'), 1)} | {fmt(median(reports, 'client_cpu_us_per_job_drain'), 1)} | "
          f"{fmt(median(reports, 'database_cpu_us_per_job_drain'), 1)} | {'yes' if complete else 'NO'} |")
EOF
