#!/usr/bin/env bash
# Every figure of docs/perf-train.md, from the repository root after a Release build:
#   bash bench/train-figures.sh [OUT=runs/perf] [BEFORE=path/to/older/dnts] [SECTIONS="steps f64 epoch train"]
# Data: runs/ced-data (dnts convert ced-weibo ...) and runs/sim120 (dnts simulate --days 120 --seed 1).
# BEFORE (optional): a dnts built from an earlier commit, for the before/after epoch and profile lines.
# CED_EPOCH=1 adds a measured full CED epoch on both sides (826 batches: ~10 min on 2 idle cores).
set -euo pipefail
OUT=${1:-runs/perf}
BEFORE=${2:-}
SECTIONS=${3:-steps f64 epoch train}
DNTS=./build/dnts
mkdir -p "$OUT"
CED="--data runs/ced-data --config configs/ced-backtest.json"
SIM="--data runs/sim120 --config configs/sim-backtest.json"
run() {  # name, command...: prints and keeps the output
  local name=$1; shift
  echo "== $name: $*" | tee "$OUT/$name.log"
  nice "$@" 2>&1 | tr '\r' '\n' | grep -v '^epoch [0-9]*/' | tee -a "$OUT/$name.log"
}
has() { [[ " $SECTIONS " == *" $1 "* ]]; }
# 1. Step time and loss curves, C++ vs PyTorch Python, same weights and batches (float32, 1 thread).
if has steps; then
  run sim-steps $DNTS bench train $SIM --steps 40 --threads 1 --json "$OUT/sim-steps.json"
  run ced-steps $DNTS bench train $CED --steps 40 --threads 1 --json "$OUT/ced-steps.json"
fi
# 2. Loss curves in double precision.
if has f64; then
  run ced-f64 $DNTS bench train $CED --steps 10 --threads 1 --dtype float64 --modes exact --json "$OUT/ced-f64.json"
fi
# 3. One measured epoch of training steps (training mode) on both sides.
if has epoch; then
  run sim-epoch $DNTS bench train $SIM --steps 0 --threads 1 --modes train --json "$OUT/sim-epoch.json"
  if [ "${CED_EPOCH:-0}" = 1 ]; then
    run ced-epoch $DNTS bench train $CED --steps 0 --threads 1 --modes train --json "$OUT/ced-epoch.json"
  fi
fi
# 4. A whole dnts train epoch (batch building, steps, validation, checkpoints), and its profile
#    (DNTS_PROFILE: training batches 10-39).
if has train; then
  for data in sim ced; do
    args=$SIM; [ $data = ced ] && args=$CED
    run train-$data-after env DNTS_PROFILE="$OUT/prof-$data-after.json" $DNTS train $args --epochs 1 --out "$OUT/run-$data-after"
    python3 scripts/profile-summary.py "$OUT/prof-$data-after.json" --top 20 > "$OUT/prof-$data-after.txt"
    if [ -n "$BEFORE" ]; then
      run train-$data-before env DNTS_PROFILE="$OUT/prof-$data-before.json" "$BEFORE" train $args --epochs 1 --out "$OUT/run-$data-before"
      python3 scripts/profile-summary.py "$OUT/prof-$data-before.json" --top 20 > "$OUT/prof-$data-before.txt"
    fi
  done
fi
