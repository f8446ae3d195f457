#!/usr/bin/env bash
# Runs every test of a build directory through CTest and prints a closing summary.
set -euo pipefail
build_dir="${1:-build}"
cd "$build_dir"
ctest --output-on-failure --timeout 600 -j 2
