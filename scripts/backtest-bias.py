#!/usr/bin/env python3
"""Forecast bias on the largest promoters of a backtest: for each model, Σ ŷ / Σ y over the first H
horizon buckets of the top promoters (those with the largest actual totals, as recorded in
backtest.json's "top_promoters"), summed over the promoters, mean ± std over seeds.

A ratio below 1 means the model under-predicts its biggest sellers; total WAPE (Σ|ŷ − y| / Σ y) is
dominated by them, while RMSLE (relative error) is not.

Usage: backtest-bias.py BACKTEST_DIR [--horizon H]   (default H: the backtest's shortest horizon)
Standard library only.
"""

import argparse
import json
import math
import os
import sys
from collections import defaultdict


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("backtest_dir")
    ap.add_argument("--horizon", type=int, default=None)
    args = ap.parse_args()
    with open(os.path.join(args.backtest_dir, "backtest.json"), encoding="utf-8") as f:
        j = json.load(f)
    h = args.horizon if args.horizon is not None else min(j["horizons"])
    if h <= 0:
        print(f"backtest-bias.py: --horizon must be positive, got {h}", file=sys.stderr)
        return 2
    ratios = defaultdict(list)  # model -> one ratio per seed
    sums = defaultdict(lambda: [0.0, 0.0])  # (model, seed) -> [Σ ŷ, Σ y]
    for s in j["top_promoters"]:
        acc = sums[(s["model"], s["seed"])]
        acc[0] += sum(s["y_hat"][:h])
        acc[1] += sum(s["y"][:h])
    for (model, _seed), (pred, actual) in sums.items():
        ratios[model].append(pred / actual if actual > 0 else math.nan)
    print(f"top promoters' Σŷ/Σy over the first {h} buckets ({args.backtest_dir})")
    print("| model | Σŷ/Σy | seeds |")
    print("|---|---|---|")
    for model in j["models"]:
        v = ratios.get(model, [])
        if not v:
            continue
        mean = sum(v) / len(v)
        std = math.sqrt(sum((x - mean) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
        cell = f"{mean:.3f} ± {std:.3f}" if len(v) > 1 else f"{mean:.3f}"
        print(f"| {model} | {cell} | {len(v)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
