#!/usr/bin/env bash
# Growth series (docs/perf.md, "Growth"): simulates the platform at several sizes (items scale with
# promoters: 50 promoters per item; 120 days), runs each benchmark stage on each size, and fits how
# each stage's time and peak memory grow with orders and with promoters (log-log least squares:
# cost ~ orders^k). Prints one table per stage and writes OUT/scaling.json.
#
#   bash scripts/bench-scaling.sh                       # 10 k, 30 k, 100 k promoters into runs/scaling
#   bash scripts/bench-scaling.sh --promoters "300 600 1200" --days 20 --out /tmp/s --repeat 1   # smoke
#
# Adding a stage: write bench_<stage> below (it gets DATA and the JSON path to write: the JSON must
# hold "orders", "promoters" and "stages": [{"stage", "best_s", "peak_rss_mb"}], as `dnts bench data
# --json` writes) and add its name to STAGES (or pass --stages "data <stage>").
set -euo pipefail
cd "$(dirname "$0")/.."

DNTS=./build/dnts
OUT=runs/scaling
PROMOTERS="10000 30000 100000"
PER_ITEM=50
DAYS=120
SEED=1
REPEAT=3
STAGES="data"
while [ $# -gt 0 ]; do
  case "$1" in
    --dnts) DNTS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --promoters) PROMOTERS=$2; shift 2 ;;
    --per-item) PER_ITEM=$2; shift 2 ;;
    --days) DAYS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --stages) STAGES=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench-scaling: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$DNTS" ] || { echo "bench-scaling: $DNTS not built (bash scripts/build.sh)" >&2; exit 2; }
mkdir -p "$OUT"

# ---- stages: bench_<stage> DATA JSON
bench_data() { "$DNTS" bench data --data "$1" --repeat "$REPEAT" --no-reference --json "$2" > "${2%.json}.txt"; }

for p in $PROMOTERS; do
  items=$(( (p + PER_ITEM - 1) / PER_ITEM ))
  data="$OUT/sim-p$p"
  args="--promoters $p --items $items --days $DAYS --seed $SEED"
  if [ "$(cat "$data/.bench-args" 2>/dev/null)" != "$args" ]; then   # simulate once per size
    echo "bench-scaling: simulate $args -> $data" >&2
    # shellcheck disable=SC2086
    "$DNTS" simulate $args --force -q "$data"
    echo "$args" > "$data/.bench-args"
  fi
  for s in $STAGES; do
    echo "bench-scaling: $s on $data" >&2
    "bench_$s" "$data" "$OUT/bench-$s-p$p.json"
  done
done

python3 - "$OUT" "$PROMOTERS" "$STAGES" <<'PY'
import json, math, os, sys
out, scales, stage_names = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()

def slope(xs, ys):
    lx = [math.log(x) for x in xs]; ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sxx if sxx > 0 else float("nan")

result = {"promoters": [int(p) for p in scales], "stages": {}}
for name in stage_names:
    runs = [json.load(open(os.path.join(out, f"bench-{name}-p{p}.json"))) for p in scales]
    orders = [r["orders"] for r in runs]
    proms = [r["promoters"] for r in runs]
    fits = {}
    for k, s0 in enumerate(runs[0]["stages"]):
        times = [r["stages"][k]["best_s"] for r in runs]
        rss = [r["stages"][k]["peak_rss_mb"] for r in runs]
        ok = len(runs) >= 2 and all(t > 0 for t in times)
        fits[s0["stage"]] = {
            "best_s": times, "peak_rss_mb": rss,
            "time_exponent_vs_orders": slope(orders, times) if ok else None,
            "time_exponent_vs_promoters": slope(proms, times) if ok else None,
            "rss_exponent_vs_orders": slope(orders, rss) if ok and all(m > 0 for m in rss) else None,
        }
    fmt = lambda v: "n/a" if v is None else f"{v:.2f}"
    w = max(len(st) for st in fits) + 2
    print(f"\n== {name}: best time in s (peak RSS of the process in MB) per size; fitted exponent k of cost ~ size^k ==")
    print(" " * w + "".join(f"{'p=' + p:>20}" for p in scales) + f"{'k(orders)':>11}{'k(promoters)':>13}{'k(RSS)':>8}")
    print(f"{'active promoters':<{w}}" + "".join(f"{p:>20}" for p in proms))
    print(f"{'orders':<{w}}" + "".join(f"{o:>20}" for o in orders))
    for st, f in fits.items():
        cells = "".join(f"{t:>11.3f} ({m:>5.0f})" for t, m in zip(f["best_s"], f["peak_rss_mb"]))
        print(f"{st:<{w}}{cells}{fmt(f['time_exponent_vs_orders']):>11}{fmt(f['time_exponent_vs_promoters']):>13}"
              f"{fmt(f['rss_exponent_vs_orders']):>8}")
    print("fitted exponents: log-log least squares over the sizes (1.00 = linear)")
    result["stages"][name] = {"orders": orders, "promoters_active": proms, "fits": fits}
with open(os.path.join(out, "scaling.json"), "w") as f:
    json.dump(result, f, indent=2)
print(f"\nwritten: {os.path.join(out, 'scaling.json')}")
PY
