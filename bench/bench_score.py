"""Benchmark: `python -m par score --format json` end to end on a national-scale case.

    make bench            (or: .venv/bin/python bench/bench_score.py [--units 3321] [--runs 5])

Generates 3,321 synthetic units × the district criteria set's 94 leaves
× 4 quarters of self-scores plus an annual appraisal into bench/out/ (once),
then times the CLI in a fresh process, as a user would run it, several times, and
prints the median (the machine is shared: single runs vary). Results go to
docs/benchmarks.md by hand.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from par import load_criteria  # noqa: E402
from par.domain.periods import Period  # noqa: E402
from par.sample.synthetic import generate  # noqa: E402

CRITERIA = ROOT / "criteria" / "nghe-an-huyen-2019.yaml"  # 94 leaves, every rule type
OUT = ROOT / "bench" / "out"


def build_case(n_units: int) -> tuple[Path, Path]:
    units_csv = OUT / f"units-{n_units}.csv"
    inputs_csv = OUT / f"inputs-{n_units}.csv"
    if units_csv.exists() and inputs_csv.exists():
        return units_csv, inputs_csv
    OUT.mkdir(parents=True, exist_ok=True)
    criteria = load_criteria(CRITERIA)
    ids = [f"x{i:05d}" for i in range(n_units)]
    units = pd.DataFrame({"id": ids, "name": [f"Xã mô phỏng {i:05d}" for i in range(n_units)],
                          "level": criteria.level,
                          "group": np.where(np.arange(n_units) % 8 == 0, "phuong", "xa")})
    units.to_csv(units_csv, index=False)
    quality = pd.Series(np.random.default_rng(1).beta(5, 2, n_units), index=ids)
    periods = [Period(criteria.year, q) for q in (1, 2, 3, 4)] + [Period(criteria.year, 5)]
    generate(criteria, quality, periods, appraisal=True, seed=7).to_csv(inputs_csv, index=False)
    return units_csv, inputs_csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    units_csv, inputs_csv = build_case(args.units)
    rows = sum(1 for _ in inputs_csv.open(encoding="utf-8")) - 1
    cmd = [sys.executable, "-m", "par", "score", "--criteria", str(CRITERIA), "--units",
           str(units_csv), "--inputs", str(inputs_csv), "--format", "json"]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode())
    print(f"score --format json: {args.units} units, {rows} input rows: "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
          f"max {max(times):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
