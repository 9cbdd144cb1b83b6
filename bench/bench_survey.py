"""Survey import + aggregation: 130 units × 77 respondents × 10 questions ≈ 100,000 answers
(SURVEY; issue 15 goal ≤ 3 s). Then the ranking page's rank intervals (1,000 runs) without and
with the survey's bootstrap (200 replicates). Prints the median of runs; asserts nothing.

    .venv/bin/python bench/bench_survey.py [--respondents 77] [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from par.domain.auth import Actor  # noqa: E402
from par.engine.criteria import check_criteria_text  # noqa: E402
from par.read import sandbox  # noqa: E402
from par.store.storage import Store  # noqa: E402
from par.store.surveys import import_answers, results  # noqa: E402

QUESTIONS = [f"Q{i}" for i in range(1, 11)]
YAML = """id: bench-survey
title: Bench
year: 2025
level: xa
surveys:
  - id: ld
    name: Lãnh đạo
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
""" + "".join(f"      - {{code: {q}, text: câu {q}}}\n" for q in QUESTIONS) + """domains:
  - code: "1"
    name: Khảo sát
    max: 10
    children:
""" + "".join(f"      - {{code: \"1.{k}\", name: Lá {k}, max: 2, rule: {{type: survey, source: "
              f"{{form: ld, questions: [{QUESTIONS[2 * k - 2]}, {QUESTIONS[2 * k - 1]}]}}}}}}\n"
              for k in range(1, 6))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=130)
    parser.add_argument("--respondents", type=int, default=77)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    criteria, issues = check_criteria_text(YAML, "bench.yaml")
    assert criteria is not None, [i.render("en") for i in issues]
    rng = np.random.default_rng(1)
    unit_ids = [f"x{i:03d}" for i in range(args.units)]
    n = args.units * args.respondents
    frame = pd.DataFrame({"đơn vị": np.repeat(unit_ids, args.respondents),
                          "người trả lời": np.tile(np.arange(args.respondents), args.units),
                          "giới tính": rng.choice(["nam", "nữ"], n)})
    for q in QUESTIONS:
        frame[q] = rng.choice(["A", "B", "C", "D", "E", ""], n)
    data = frame.to_csv(index=False).encode()
    answers = n * len(QUESTIONS)
    units = pd.DataFrame({"id": unit_ids, "name": [f"Xã {u}" for u in unit_ids],
                          "level": "xa", "group": ""})
    sandbox.warm()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        store.sync_units(units)
        actor = Actor.local_admin("bench")
        for _ in range(args.runs):
            start = time.perf_counter()
            done = import_answers(store, criteria, "ld", "2025", data, "answers.csv", actor=actor)
            questions, leaves = results(store, criteria, "ld", "2025")
            times.append(time.perf_counter() - start)
        intervals = _intervals(store, criteria, units, args.runs)
        store.dispose()
    print(f"survey import + aggregate: {args.units} units × {args.respondents} respondents × "
          f"{len(QUESTIONS)} questions = {answers:,} answers ({len(data) / 2**20:.1f} MB CSV); "
          f"{len(questions)} question rows, {len(leaves)} leaf values, "
          f"{len(done.submissions)} appraisal submissions")
    print(f"median of {args.runs} runs: {statistics.median(times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)}; goal ≤ 3 s)")
    for label, spent in intervals.items():
        print(f"{label}: median {statistics.median(spent):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in spent)})")


def _intervals(store, criteria, units, runs: int) -> dict[str, list[float]]:
    """The ranking page's 1,000-run rank intervals, alone and with the survey bootstrap."""
    from par.decide.survey_bootstrap import survey_replicates
    from par.decide.uncertainty import get_rank_intervals
    from par.domain.periods import parse_period
    from par.engine.scoring import score
    from par.store.rows import load_rows
    from par.store.surveys import answers_as_of

    as_of = parse_period("2025")
    rows, _ = load_rows(store, criteria, units)
    card = score(criteria, units, rows, as_of)
    out = {"rank intervals, 1,000 runs": [], "… with the survey bootstrap (B = 200)": []}
    for _ in range(runs):
        start = time.perf_counter()
        get_rank_intervals(card, runs=1000, rows=rows)
        out["rank intervals, 1,000 runs"].append(time.perf_counter() - start)
        start = time.perf_counter()
        period, answers = answers_as_of(store, criteria, as_of)
        rep = survey_replicates(criteria, units, rows, answers, period, as_of=as_of)
        get_rank_intervals(card, runs=1000, rows=rows, survey=rep)
        out["… with the survey bootstrap (B = 200)"].append(time.perf_counter() - start)
    return out


if __name__ == "__main__":
    main()
