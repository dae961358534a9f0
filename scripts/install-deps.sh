#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12 packages (needs root or sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
PACKAGES=(
  cmake ninja-build g++ pkg-config
  libtorch-dev libopenblas0-openmp libgloo-dev   # LibTorch 1.13 (CPU) on OpenBLAS, c10d Gloo
  nlohmann-json3-dev libcli11-dev libfmt-dev zlib1g-dev libarchive-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev                               # Google Benchmark: bench/ kernels (dnts_bench)
  xz-utils
  python3-torch gnuplot-nox                      # PyTorch parity oracle (tests), curve PNGs
  chromium                                       # headless browser: the report page test
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#PACKAGES[@]} packages present"
fi
