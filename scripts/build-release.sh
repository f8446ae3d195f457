#!/usr/bin/env bash
# Builds release binaries the way CI does (scripts/install-deps.sh, the `default` CMake preset), without
# the tests: what the Docker images in deploy/ run. Usage: scripts/build-release.sh [TARGET...]
# (default: spooled-server spooled-cli). Binaries end up in build/bin/ (examples in build/bin/examples/).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(spooled-server spooled-cli); fi
bash scripts/install-deps.sh
# ccache keys on paths relative to the checkout (as the Makefile sets), so a clone reuses objects.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake --preset default -DSPOOLED_BUILD_TESTS=OFF >/dev/null
cmake --build --preset default -j "$(nproc)" --target "${targets[@]}"
