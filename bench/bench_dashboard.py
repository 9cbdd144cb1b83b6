"""Benchmark: how long a widget change takes to rerun the dashboard (AppTest, in-process).

    .venv/bin/python bench/bench_dashboard.py [--units 130|3321]

130: the bundled sample (130 communes, nghe-an-xa-2025) in a fresh SQLite database.
3321: bench/bench_score.py's national-scale case (3,321 units × 94 leaves × 5 periods)
imported once into bench/out/dashboard-3321.db (slow the first time).
Times, on the rankings page: switching the as-of period the first time (scoring, cache
miss) and switching back (cache hit); on the unit page: picking another unit.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def prepare(n_units: int) -> tuple[str, str]:
    """(database URL, criteria-set title fragment)."""
    if n_units == 130:
        return f"sqlite:///{tempfile.mkdtemp()}/par.db", "cấp xã"
    from bench_score import build_case

    from par import load_criteria, read_units
    from par.domain.auth import Actor
    from par.read.guard import Limits
    from par.store.storage import Store
    from par.store.submit import import_files

    db = OUT / f"dashboard-{n_units}.db"
    url = f"sqlite:///{db}"
    if not db.exists():
        units_csv, inputs_csv = build_case(n_units)
        store = Store(url)
        units = read_units(units_csv)
        store.sync_units(units)
        criteria = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
        import_files(store, [(inputs_csv.name, inputs_csv.read_bytes())], [criteria], units,
                     actor=Actor.system("bench"), limits=Limits(max_bytes=2**30))
        store.dispose()
    return url, "cấp huyện"


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=130)
    args = parser.parse_args()
    url, needle = prepare(args.units)
    os.environ["PAR_DATABASE_URL"] = url
    # the 130-unit case is the bundled sample (seeded on first start); the national case is
    # a database of its own, like a province's
    os.environ["PAR_SAMPLE_MODE"] = "1" if args.units == 130 else "0"
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    first, at = timed(at.run)
    box = at.selectbox(key="criteria_id")
    load, at = timed(lambda: box.select_index(
        next(i for i, o in enumerate(box.options) if needle in o)).run())
    key = next(s.key for s in at.selectbox if str(s.key).startswith("as_of_"))
    n = len(at.selectbox(key=key).options)
    cold, warm = [], []
    for i in range(n - 1):  # each quarter once (cold), then back to the year (warm)
        dt, at = timed(lambda: at.selectbox(key=key).select_index(i).run())
        cold.append(dt)
        dt, at = timed(lambda: at.selectbox(key=key).select_index(n - 1).run())
        warm.append(dt)
    assert not at.exception, at.exception
    lang = [timed(lambda: at.radio(key="lang").set_value(v).run())[0] for v in ("en", "vi")]
    print(f"{args.units} units: first page {first:.2f} s; load the set {load:.2f} s; "
          f"period change cold median {statistics.median(cold) * 1000:.0f} ms, "
          f"warm median {statistics.median(warm) * 1000:.0f} ms; "
          f"language switch median {statistics.median(lang) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
