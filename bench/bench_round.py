"""Benchmark: the scoring round at the size of the commune set (issue 14, Performance).

    .venv/bin/python bench/bench_round.py [--runs 7] [--no-seed]

Builds a province's database of its own in bench/out/round.db (not the sample: nothing is
seeded into it): the 130 communes of data/units.csv, criteria/nghe-an-xa-2025.yaml (70
leaves), a round for the year 2025 with every unit's self-assessment (data/inputs/
xa-2025-self.csv, imported by the office) and the council's appraisal of the other domains
(data/round/xa-2025-appraisal.csv), in phase ``appraisal``. Then times, median and min over
``--runs`` runs, printed next to the goals:

1. the status board, warm: ``round_state(store, id, rows=<cached rows>,
   units_frame=<cached units>)``, its leaf states, the per-unit status and the unit × domain
   grid, as the dashboard's board computes them on a rerun (goal ≤ 500 ms);
2. one appraiser's save: ``save_rows`` of one unit's domain 7 (9 leaves) with a comment on
   each and one leaf flagged "yêu cầu giải trình", a different unit each run (goal ≤ 300 ms);
3. publishing: ``publish`` (scoring the whole set as of the year and freezing it), after
   ``reopen`` between runs (goal ≤ 2 s).

And, unless ``--no-seed``, seeding the whole sample (what ``make run`` does on its first
start, the sample round included) into a fresh database, once. Timings are never asserted
in tests; results go to docs/benchmarks.md by hand.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from par import load_criteria, read_units  # noqa: E402
from par.analysis.round_status import domain_grid, unit_status  # noqa: E402
from par.domain.auth import Actor  # noqa: E402
from par.sample.round import APPRAISAL_FILE, SELF_FILE, appraiser  # noqa: E402
from par.store import publication, round_work, rounds  # noqa: E402
from par.store.library import add_set  # noqa: E402
from par.store.rows import load_rows  # noqa: E402
from par.store.storage import Store  # noqa: E402
from par.store.submit import import_files  # noqa: E402

OUT = ROOT / "bench" / "out"
CRITERIA = ROOT / "criteria" / "nghe-an-xa-2025.yaml"
UNITS = ROOT / "data" / "units.csv"
OFFICE = Actor("office", "admin")
SAVER = "thamdinh.vp-ubnd-tinh"  # appraises domains 3 and 7
DOMAIN = "7"
GOALS = {"status board (warm)": 0.5, "appraiser's save": 0.3, "publish": 2.0}


def build(path: Path):
    """The bench database: units, the set, the round with its self rows, the other domains'
    appraisal, in phase appraisal. Returns (store, round, criteria, units)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}")
    units = read_units(UNITS)
    store.sync_units(units)
    criteria = load_criteria(CRITERIA)
    add_set(store, criteria, actor=OFFICE, source_name=CRITERIA.name, activate=True)
    rnd = rounds.create_round(store, criteria, "2025", self_until="2099-12-30",
                              explain_until="2099-12-31", actor=OFFICE)
    import_files(store, [(SELF_FILE.name, SELF_FILE.read_bytes())], [criteria],
                 store.units(), actor=OFFICE)
    rounds.advance(store, rnd.id, actor=OFFICE)  # → appraisal
    others = pd.read_csv(APPRAISAL_FILE, dtype=str, keep_default_na=False)
    others = others[others["criterion"].map(criteria.domain_of) != DOMAIN]
    import_files(store, [("appraisal.csv", others.to_csv(index=False).encode())], [criteria],
                 store.units(), actor=OFFICE)
    return store, rounds.get_round(store, rnd.id), criteria, store.units()


def timed(fn, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - start)
    return out


def report(name: str, times: list[float]) -> None:
    median, best = statistics.median(times), min(times)
    goal = GOALS.get(name)
    verdict = "" if goal is None else (f"goal ≤ {goal * 1000:.0f} ms: "
                                      f"{'met' if median <= goal else 'MISSED'}")
    print(f"  {name:<22} median {median * 1000:7.1f} ms, min {best * 1000:7.1f} ms "
          f"over {len(times)} runs   {verdict}")


def seeding_time(folder: Path) -> float:
    """Seeding the whole sample into a fresh database, in a new process (as make run's
    first start): seconds, the interpreter and imports excluded."""
    db = folder / "seed.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    code = ("import time; from par.store.storage import Store; "
            "from par.sample.seed import ensure_seeded; s = Store(); t = time.perf_counter(); "
            "assert ensure_seeded(s); print(time.perf_counter() - t)")
    env = {**os.environ, "PAR_SAMPLE_MODE": "1", "PAR_DATABASE_URL": f"sqlite:///{db}",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    store, rnd, criteria, units = build(OUT / "round.db")
    rows, _ = load_rows(store, criteria, units)  # what the dashboard's cache holds
    xa = units.index[units["level"] == "xa"].tolist()
    print(f"{criteria.id}: {len(xa)} units × {len(criteria.leaves)} leaves, round "
          f"{rnd.label} in phase {rnd.phase}; {len(rows)} current rows "
          f"(built in {time.perf_counter() - start:.1f} s)")

    def board(_):
        state = round_work.round_state(store, rnd.id, rows=rows, units_frame=units)
        states = state.leaf_states()
        unit_status(state.criteria, state.units, states, state.submitted["unit"].tolist())
        domain_grid(state.criteria, states, "appraised")

    board(0)  # warm: imports, the first parse
    report("status board (warm)", timed(board, args.runs))

    leaves = [leaf for leaf in criteria.leaves if criteria.domain_of[leaf.code] == DOMAIN]
    figures = pd.read_csv(APPRAISAL_FILE, dtype=str, keep_default_na=False)
    figures = figures[figures["criterion"].isin({leaf.code for leaf in leaves})]
    actor = appraiser(SAVER)

    def save(i):
        unit = xa[(7 * i + 3) % len(xa)]
        mine = figures[figures["unit"] == unit]
        if mine.empty:  # a unit the council did not appraise in the sample: its self rows
            mine = pd.read_csv(SELF_FILE, dtype=str, keep_default_na=False)
            mine = mine[(mine["unit"] == unit) & mine["criterion"].isin(figures["criterion"])]
        entries = mine[["criterion", "value", "numerator", "denominator"]].assign(
            note="Tỷ lệ hồ sơ trễ hạn tính chưa đúng.")
        round_work.save_rows(store, rnd.id, unit, "appraisal", entries, actor=actor,
                             explain={entries["criterion"].iloc[0]: "Đề nghị giải trình."})

    print(f"  (an appraiser's save: {len(leaves)} leaves of domain {DOMAIN}, a comment each, "
          f"one flag)")
    report("appraiser's save", timed(save, args.runs))

    rounds.advance(store, rnd.id, actor=OFFICE)  # → explanation
    rounds.advance(store, rnd.id, actor=OFFICE)  # → final

    def publish(i):
        if i:
            rounds.reopen(store, rnd.id, reason="benchmark", actor=OFFICE)
        publication.publish(store, rnd.id, actor=OFFICE)

    times = timed(publish, args.runs)  # reopen is quick (one row), timed in too
    report("publish", times)
    store.dispose()
    if not args.no_seed:
        print(f"  seeding the sample (make run's first start, the round included): "
              f"{seeding_time(OUT):.2f} s")


if __name__ == "__main__":
    main()
