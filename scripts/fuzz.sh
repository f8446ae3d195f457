#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang and runs each for SECONDS (default 10).
#   scripts/fuzz.sh [SECONDS] [BUILD_DIR]      e.g. scripts/fuzz.sh 600 for the long run in docs/reliability.md
#   FUZZ_TARGETS="json_body" scripts/fuzz.sh 60   runs only the targets named
# Each target starts from its committed seed corpus (fuzz/corpus/<target>/) and keeps what it learns in
# BUILD_DIR/corpus/<target>/ (not committed). A crash leaves its input in BUILD_DIR/findings/ and fails
# the script; reproduce with: BUILD_DIR/fuzz_<target> BUILD_DIR/findings/<file>.
set -euo pipefail
seconds="${1:-10}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${2:-$root/build/fuzz}"
cxx="${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}"
if [ -z "$cxx" ]; then
  echo "fuzz: clang++ not found; run scripts/install-deps.sh" >&2
  exit 1
fi

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root/fuzz" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" >/dev/null
fi
cmake --build "$build_dir" -j "${FUZZ_JOBS:-2}" >/dev/null

mkdir -p "$build_dir/findings"
status=0
for target in ${FUZZ_TARGETS:-http_request json_body}; do
  corpus="$build_dir/corpus/$target"
  mkdir -p "$corpus"
  log="$build_dir/$target.log"
  # -max_len keeps inputs near real request sizes; -timeout flags any input that takes a second.
  if ! "$build_dir/fuzz_$target" "$corpus" "$root/fuzz/corpus/$target" \
      -dict="$root/fuzz/dict/$target.dict" -max_total_time="$seconds" -max_len=16384 -timeout=1 -rss_limit_mb=2048 \
      -artifact_prefix="$build_dir/findings/$target-" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz: $target FAILED; see $log and $build_dir/findings/" >&2
    tail -40 "$log" >&2
    status=1
    continue
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  per_second=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  files=$(find "$corpus" -type f | wc -l)
  echo "fuzz: $target ok: $runs runs in ${seconds} s ($per_second exec/s), corpus $files inputs"
done
exit $status
