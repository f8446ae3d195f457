#!/usr/bin/env bash
# bench/compare.sh: spooled-server next to its peers on this machine, in one run, with the same
# workloads (see docs/performance.md):
#   burn-down: bulk enqueue N no-op jobs, then drain them;
#   steady:    enqueue single jobs at a fixed rate; latency from enqueue to handler start.
# Peers: BullMQ on Redis with AOF `appendfsync always`, BullMQ on Redis without persistence, and
# pg-boss on PostgreSQL. It installs what is missing (Debian redis-server; npm bullmq, ioredis and
# pg-boss into $BUILD_DIR/bench-peers, never committed), starts a throwaway Redis and PostgreSQL on
# free loopback ports in a temporary folder, and stops and removes everything it started at the end.
#
# Usage: bench/compare.sh [--jobs 20000] [--rate 1000] [--seconds 10] [--workers 4] [--concurrency 8]
#                         [--rounds 1] [--build-dir build] [--keep]
# With --rounds N every system runs N times, interleaved, and the table shows each figure's median
# (with the range when N > 1): on a shared machine, load that comes and goes then hits all alike.
# Needs: a built tree (make build), node and npm, root (apt-get, and initdb as the postgres user).
set -euo pipefail

JOBS=20000
RATE=1000
STEADY_SECONDS=10
WORKERS=4
CONCURRENCY=8
ROUNDS=1
BUILD_DIR=build
KEEP=0
BULLMQ_VERSION=6.7.0
IOREDIS_VERSION=5
PGBOSS_VERSION=10.4.2  # pg-boss 11+ needs Node.js 22
RUN_TIMEOUT=900        # seconds, per benchmark run

while [[ $# -gt 0 ]]; do
  case "$1" in
    --jobs) JOBS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --seconds) STEADY_SECONDS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_paths

# --- install the peers (only what is missing) ---
if ! command -v redis-server >/dev/null; then
  log "installing redis-server (apt)"
  # Never let the package start a system-wide Redis: this script starts its own.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
if [[ ! -d "$PEERS_DIR/node_modules/bullmq" || ! -d "$PEERS_DIR/node_modules/pg-boss" || ! -d "$PEERS_DIR/node_modules/ioredis" ]]; then
  log "installing bullmq@$BULLMQ_VERSION ioredis@$IOREDIS_VERSION pg-boss@$PGBOSS_VERSION (npm) into $PEERS_DIR"
  mkdir -p "$PEERS_DIR"
  [[ -f "$PEERS_DIR/package.json" ]] || echo '{"private": true}' > "$PEERS_DIR/package.json"
  (cd "$PEERS_DIR" && npm install --no-audit --no-fund --loglevel=error \
    "bullmq@$BULLMQ_VERSION" "ioredis@$IOREDIS_VERSION" "pg-boss@$PGBOSS_VERSION" >/dev/null)
fi
export NODE_PATH="$PEERS_DIR/node_modules"

# --- a temporary folder for everything this run starts; removed at exit ---
WORK="$(mktemp -d "${TMPDIR:-/tmp}/spooled-compare-XXXXXX")"
chmod 755 "$WORK"  # the postgres user must reach its data folder
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
REDIS_PIDFILES=()
PG_DATA=""

cleanup() {
  local pidfile
  for pidfile in "${REDIS_PIDFILES[@]}"; do
    [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  stop_postgres
  if [[ "$KEEP" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for SECONDS COMMAND...: until COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || return 1
    sleep 0.1
  done
}

# Not run in $(...): the pid files and data folders must reach cleanup(), so results go to globals.
start_redis() {  # start_redis NAME [redis-server options...]; sets REDIS_PORT
  local name="$1"; shift
  local port dir="$WORK/$name"
  port="$(free_port)"
  mkdir -p "$dir"
  REDIS_PIDFILES+=("$dir/redis.pid")
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save "" "$@" >/dev/null
  wait_for 10 redis-cli -p "$port" ping || { log "redis $name did not start"; cat "$dir/redis.log" >&2; exit 1; }
  REDIS_PORT="$port"
}

TOTAL_CONCURRENCY=$((WORKERS * CONCURRENCY))
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- the peers' servers, shared by every round ---
start_redis redis-aof --appendonly yes --appendfsync always
REDIS_AOF_PORT="$REDIS_PORT"
start_redis redis-nopersist --appendonly no
REDIS_MEM_PORT="$REDIS_PORT"
start_postgres
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"

FLEET=(--workers "$WORKERS" --concurrency "$CONCURRENCY")
for ((round = 1; round <= ROUNDS; round++)); do
  # Ours: each run starts its own spooled-server on a fresh SQLite file.
  run "spooled.burndown.r$round" "$BENCH" burndown --jobs "$JOBS" "${FLEET[@]}" --json
  run "spooled-official.burndown.r$round" "$BENCH" burndown --jobs "$JOBS" "${FLEET[@]}" --official-api --json
  run "spooled.steady.r$round" "$BENCH" steady --rate "$RATE" --seconds "$STEADY_SECONDS" "${FLEET[@]}" --json

  # BullMQ: one Worker with the same total concurrency; bulk adds of 1,000, 4 in flight.
  for variant in aof:"$REDIS_AOF_PORT" nopersist:"$REDIS_MEM_PORT"; do
    name="bullmq-${variant%%:*}"
    port="${variant##*:}"
    run "$name.burndown.r$round" node "$PEERS_SRC/bullmq.js" burndown --redis-port "$port" --jobs "$JOBS" --batch 1000 \
      --concurrency "$TOTAL_CONCURRENCY" --label "$name"
    run "$name.steady.r$round" node "$PEERS_SRC/bullmq.js" steady --redis-port "$port" --rate "$RATE" \
      --seconds "$STEADY_SECONDS" --concurrency "$TOTAL_CONCURRENCY" --label "$name"
  done

  # pg-boss: inserts of 1,000, 4 in flight; $WORKERS work() loops fetching up to 1,000 each (it
  # waits its minimum polling interval, 0.5 s, between fetches, so smaller batches cap the rate).
  run "pgboss.burndown.r$round" node "$PEERS_SRC/pgboss.js" burndown --pg-url "$PG_URL" --jobs "$JOBS" --batch 1000 \
    --workers "$WORKERS" --fetch-batch 1000
  run "pgboss.steady.r$round" node "$PEERS_SRC/pgboss.js" steady --pg-url "$PG_URL" --rate "$RATE" \
    --seconds "$STEADY_SECONDS" --workers "$WORKERS" --fetch-batch 1000
done

# --- the table ---
node_version() { node -p "require('$1/package.json').version" 2>/dev/null || echo "?"; }
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before ${LOAD_BEFORE}, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$ROUNDS round(s); burn-down: $JOBS no-op jobs (bulk enqueue, then drain; $WORKERS workers x $CONCURRENCY, or the same total concurrency);" \
  "steady: $RATE jobs/s for $STEADY_SECONDS s"
echo "versions: spooled $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "(this tree)"), $(redis-server --version | cut -d' ' -f1-3)," \
  "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), bullmq $(node_version bullmq), pg-boss $(node_version pg-boss), node $(node --version)"
echo
node "$PEERS_SRC/table.js" "$RESULTS"
