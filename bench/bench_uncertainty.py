"""Benchmark: rank intervals, 1,000 runs for the 130 communes of the sample.

    .venv/bin/python bench/bench_uncertainty.py [--runs 1000] [--repeat 5]

Loads criteria/nghe-an-xa-2025.yaml with data/inputs/xa-2025-self.csv once, then times
``get_rank_intervals`` alone (median and min over ``--repeat`` calls) in three settings:
weights only; weights plus shrinking every self-scored leaf (the sample has no appraisal,
so an explicit adjustment of 0.9 ± 0.05 stands in for the estimated one); and the CLI
command end to end in a fresh process. Results go to docs/benchmarks.md by hand.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from par import load_criteria, read_inputs, read_units, score  # noqa: E402
from par.decide.uncertainty import AppraisalAdjustment, get_rank_intervals  # noqa: E402

CRITERIA = ROOT / "criteria" / "nghe-an-xa-2025.yaml"
INPUTS = ROOT / "data" / "inputs" / "xa-2025-self.csv"
UNITS = ROOT / "data" / "units.csv"


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    criteria = load_criteria(CRITERIA)
    units = read_units(UNITS)
    rows, _ = read_inputs([INPUTS], criteria, units)
    card = score(criteria, units, rows)
    n = int(card.units["rank"].notna().sum())
    leaves = len(criteria.leaves)
    print(f"{criteria.id}: {n} ranked units × {leaves} leaves, {args.runs} runs")
    adj = AppraisalAdjustment(0.9, 0.05, 0, 0)
    cases = {
        "weights ±20%": lambda: get_rank_intervals(card, args.runs, 0.2, shrink=False),
        "weights ±20% + shrink": lambda: get_rank_intervals(card, args.runs, 0.2, adjustment=adj),
    }
    for name, fn in cases.items():
        median, best = timed(fn, args.repeat)
        print(f"  {name:<24} median {median:.3f} s, min {best:.3f} s over {args.repeat} calls")
    cmd = [sys.executable, "-m", "par", "uncertainty", "--criteria", str(CRITERIA), "--units",
           str(UNITS), "--inputs", str(INPUTS), "--runs", str(args.runs), "--format", "json"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode())
    print(f"  CLI end to end (load, score, {args.runs} runs): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
