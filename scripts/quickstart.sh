#!/usr/bin/env bash
# Fresh machine -> dependencies, Release build, and the main job on the built-in simulated data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/dnts run --out runs/default "$@"
