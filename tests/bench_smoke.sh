#!/usr/bin/env bash
# CTest label `bench`: every whole-stage benchmark once on tiny simulated data (the scaling script
# with two sizes, and `dnts bench data` with its reference reader). Checks the output's shape, never
# a timing.
set -euo pipefail
DNTS=$1
SRC=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash "$SRC/scripts/bench-scaling.sh" --dnts "$DNTS" --out "$tmp" --promoters "200 400" --days 15 --repeat 1 \
  > "$tmp/scaling.txt"
grep -q "fitted exponents: log-log" "$tmp/scaling.txt"
"$DNTS" bench data --data "$tmp/sim-p200" --repeat 2 --threads 2 --json "$tmp/data.json" > "$tmp/data.txt"
grep -q "ingest speed vs raw read" "$tmp/data.txt"
grep -q "parallel vs streaming reader" "$tmp/data.txt"
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
d = json.load(open(f"{tmp}/data.json"))
names = [s["stage"] for s in d["stages"]]
want = ["raw read (read into memory)", "newline count (mapped)", "ingest (parse+validate+resolve)",
        "ingest, streaming reader", "cache write", "cache reload", "network building", "propagation scale"]
assert names == want, names
assert all(len(s["seconds"]) == (1 if s["stage"] == "ingest, streaming reader" else 2) for s in d["stages"])
assert d["orders"] > 0 and d["rows"] >= d["orders"] and d["threads"] == 2
for k in ["ingest_vs_raw_read", "ingest_vs_newline_count", "cache_reload_speedup", "propagation_updates_per_s",
          "ingest_speedup_vs_streaming"]:
    assert d["ratios"][k] > 0, k
s = json.load(open(f"{tmp}/scaling.json"))
fits = s["stages"]["data"]["fits"]
assert set(fits) == set(want) - {"ingest, streaming reader"}, fits.keys()
assert all(f["time_exponent_vs_orders"] is not None for f in fits.values())
print("bench smoke: ok")
PY
