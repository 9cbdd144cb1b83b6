"""Benchmark: import 130 filled unit templates (one quarter) into a fresh SQLite database.

    .venv/bin/python bench/bench_import.py

Builds one template per commune-level unit of data/units.csv for 2025-Q3, pre-filled with
the synthetic quarter (as if each commune had typed it), writes them to bench/out/templates/,
then times `python -m par import <130 files>` end to end in a fresh process: guard, read,
validate, and one transaction for all 130 submissions.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from par import load_criteria, read_units  # noqa: E402
from par.domain.periods import Period  # noqa: E402
from par.read.template import build_template  # noqa: E402
from par.sample.synthetic import generate  # noqa: E402

CRITERIA = ROOT / "criteria" / "nghe-an-xa-2025.yaml"
OUT = ROOT / "bench" / "out" / "templates"
PERIOD = Period(2025, 3)


def build_files() -> list[Path]:
    criteria = load_criteria(CRITERIA)
    units = read_units(ROOT / "data" / "units.csv")
    ids = list(units.index[units["level"] == criteria.level])
    paths = [OUT / f"{u}.xlsx" for u in ids]
    if all(p.exists() for p in paths):
        return paths
    OUT.mkdir(parents=True, exist_ok=True)
    quality = pd.Series(np.random.default_rng(3).beta(5, 2, len(ids)), index=ids)
    rows = generate(criteria, quality, [PERIOD], appraisal=False, seed=3)
    for uid, path in zip(ids, paths):
        path.write_bytes(build_template(criteria, units, [uid], PERIOD,
                                        prefill=rows[rows["unit"] == uid]))
    return paths


def main() -> None:
    paths = build_files()
    times = []
    for run in range(3):
        db = ROOT / "bench" / "out" / f"import-{run}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env = {**os.environ, "PAR_DATABASE_URL": f"sqlite:///{db}"}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "par", "import", *map(str, paths),
                               "--user", "bench",
                               "--units", str(ROOT / "data" / "units.csv")], cwd=ROOT, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode()[-2000:])
    print(f"import {len(paths)} filled templates into SQLite: median "
          f"{statistics.median(times):.2f} s, min {min(times):.2f} s over {len(times)} runs")


if __name__ == "__main__":
    main()
