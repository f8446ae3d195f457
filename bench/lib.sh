# bench/lib.sh: what the bench scripts (compare.sh, pg_scale.sh) share. Source it after parsing the
# arguments (it reads BUILD_DIR, and later WORK, RESULTS and RUN_TIMEOUT).

log() { echo "$(basename "$0"): $*" >&2; }

# Sets ROOT, BUILD, BENCH, PEERS_SRC, PEERS_DIR and PG_BIN; exits when the tree is not built or
# PostgreSQL is not installed.
bench_paths() {
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  BUILD="$(cd "$ROOT" && cd "$BUILD_DIR" 2>/dev/null && pwd || true)"
  BENCH="$BUILD/bin/spooled-bench"
  PEERS_SRC="$ROOT/bench/peers"
  PEERS_DIR="$BUILD/bench-peers"
  [[ -x "$BENCH" && -x "$BUILD/bin/spooled-server" ]] || { log "build first (make build): no $BENCH"; exit 1; }
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -x "$PG_BIN/initdb" ]] || { log "PostgreSQL is not installed (apt-get install postgresql)"; exit 1; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A throwaway cluster in $WORK/pg on a free loopback port: initdb as the postgres user, durable
# defaults (fsync and synchronous_commit on, as for our SQLite's synchronous=FULL). Extra server
# settings as arguments ("-c name=value"). Sets PG_DATA, PG_PORT and PG_PID (the postmaster).
# Not run in $(...): the data folder must reach stop_postgres.
start_postgres() {
  PG_PORT="$(free_port)"
  PG_DATA="$WORK/pg"
  mkdir -p "$PG_DATA" && chown postgres "$PG_DATA"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres >"$WORK/initdb.log" 2>&1
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -l "$PG_DATA/postgres.log" \
    -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 $*" start >/dev/null
  PG_PID="$(head -1 "$PG_DATA/postmaster.pid")"
}

stop_postgres() {
  if [[ -n "${PG_DATA:-}" && -f "$PG_DATA/postmaster.pid" ]]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

run() {  # run NAME COMMAND ARGS...: one benchmark run; its last output line goes to $RESULTS/NAME.json
  local name="$1"; shift
  log "run $name: $*"
  if timeout "$RUN_TIMEOUT" "$@" >"$RESULTS/$name.json" 2>"$RESULTS/$name.log"; then
    tail -1 "$RESULTS/$name.json" >&2
  else
    log "run $name FAILED (exit $?); its log:"
    tail -20 "$RESULTS/$name.log" >&2
  fi
}
