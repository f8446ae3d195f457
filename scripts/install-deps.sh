#!/usr/bin/env bash
# Installs the Debian packages that building and testing Spooled for C++ need.
# Skips what is already installed, so it is cheap to call before every build.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
  libcurl4-openssl-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhowardhinnant-date-dev tzdata
  postgresql curl
  supervisor
  clang libclang-rt-dev
)
# clang and its runtime libraries (libFuzzer, sanitizers) build the fuzz targets of fuzz/ (scripts/fuzz.sh).
# Node.js and npm run the official SDK compatibility check when present; optional.

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
