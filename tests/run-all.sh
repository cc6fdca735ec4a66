#!/bin/sh
# Runs every skiff test on a fresh Debian 12 machine: installs the build dependencies (apt-get),
# configures, builds and runs ctest. Usage: sudo tests/run-all.sh [extra ctest args]
# BUILD_DIR (default: build) and JOBS (default: nproc) may be set in the environment.
set -eu

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

packaging/install-build-deps.sh

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" "$@"
