#!/usr/bin/env bash
# bench/pg_statements.sh: one burn-down on a throwaway PostgreSQL with pg_stat_statements loaded, then
# the statements PostgreSQL spent the most time on (calls, total ms, ms a call, rows). For finding
# what a job costs the database; bench/pg_scale.sh is the comparison with pg-boss.
#
# Usage: bench/pg_statements.sh [--jobs 20000] [--servers 1] [--top 15] [--build-dir build]
#                               [-- extra burndown flags, e.g. --concurrency 8 --official-api]
# Needs: a built tree (make build), PostgreSQL (Debian package), root (initdb runs as postgres).
set -euo pipefail

JOBS=20000
SERVERS=1
TOP=15
BUILD_DIR=build
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jobs) JOBS="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    --top) TOP="$2"; shift 2 ;;
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "pg_statements.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_paths

WORK="$(mktemp -d "${TMPDIR:-/tmp}/spooled-pgstat-XXXXXX")"
chmod 755 "$WORK"
PG_DATA=""
trap 'stop_postgres; rm -rf "$WORK"' EXIT
start_postgres -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all

psql_as_postgres() { runuser -u postgres -- "$PG_BIN/psql" -h "$PG_DATA" -p "$PG_PORT" "$@"; }
psql_as_postgres -d postgres -qc "CREATE DATABASE bench" >/dev/null
psql_as_postgres -d bench -qc "CREATE EXTENSION pg_stat_statements" >/dev/null

"$BENCH" --database-url "postgres://postgres@127.0.0.1:$PG_PORT/bench" --servers "$SERVERS" \
  --database-pid "$PG_PID" burndown --jobs "$JOBS" "$@"
echo
psql_as_postgres -d bench -c "SELECT calls, round(total_exec_time::numeric) AS ms,
    round((total_exec_time / calls)::numeric, 3) AS ms_a_call, rows,
    left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
  FROM pg_stat_statements WHERE query NOT LIKE 'CREATE%' ORDER BY total_exec_time DESC LIMIT $TOP"
