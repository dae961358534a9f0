#!/usr/bin/env python3
"""Totals a Chrome trace written by DNTS_PROFILE=FILE (see src/train/trainer.cpp) by op name.

Self time = an op's duration minus the ops nested inside it (same thread), so the self column adds
up to the time spent in ops. Usage: python3 scripts/profile-summary.py TRACE.json [--top 30]
"""
import argparse
import collections
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace")
    ap.add_argument("--top", type=int, default=30)
    a = ap.parse_args()
    with open(a.trace) as f:
        events = [e for e in json.load(f) if e.get("ph") == "X"]
    if not events:
        sys.exit(f"{a.trace}: no complete events")
    by_tid = collections.defaultdict(list)
    for e in events:
        by_tid[e.get("tid")].append(e)
    self_us = collections.Counter()
    total_us = collections.Counter()
    calls = collections.Counter()
    span = 0.0
    for evs in by_tid.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        span = max(span, max(e["ts"] + e["dur"] for e in evs) - min(e["ts"] for e in evs))
        stack = []  # [end, name, child time]
        def pop():
            end, name, child, dur = stack.pop()
            self_us[name] += dur - child
            if stack:
                stack[-1][2] += dur
        for e in evs:
            while stack and stack[-1][0] <= e["ts"]:
                pop()
            stack.append([e["ts"] + e["dur"], e["name"], 0.0, e["dur"]])
            total_us[e["name"]] += e["dur"]
            calls[e["name"]] += 1
        while stack:
            pop()
    in_ops = sum(self_us.values())
    print(f"{a.trace}: {len(events)} op events, span {span / 1e3:.1f} ms, {in_ops / 1e3:.1f} ms in ops")
    print(f"{'op':48s} {'calls':>7s} {'self ms':>9s} {'self %':>7s} {'total ms':>9s}")
    for name, us in self_us.most_common(a.top):
        print(f"{name[:48]:48s} {calls[name]:7d} {us / 1e3:9.1f} {100 * us / span:6.1f}% {total_us[name] / 1e3:9.1f}")


if __name__ == "__main__":
    main()
