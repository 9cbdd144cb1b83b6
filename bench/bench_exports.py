"""Benchmark: meeting exports on the bundled district sample (21 units, 94 leaves).

    .venv/bin/python bench/bench_exports.py [--runs 10]

1. one chart PNG, warm (the kaleido server already running, as in the dashboard after the
   first click): the unit's domain chart and the 21-bar ranking, 2× scale, one click every
   half second and back to back (kaleido reloads its page between images, after answering,
   so back-to-back images wait for that reload);                              target ≤ 0.3 s
2. the full pack for Cửa Lò (.pptx), in-process warm and as the CLI in a fresh process
   (Python start, scoring, Chromium start, two charts, pptx), plus the PDF;   target ≤ 10 s
3. the Excel report, for reference.

Results go to docs/benchmarks.md by hand. Numbers depend on the machine's load: Chromium
renders on the CPU, so note `uptime` next to them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from par import load_criteria, read_inputs, read_units, score  # noqa: E402
from par.export.images import chart_figure, export_figure  # noqa: E402
from par.export.pack import build_pack, build_pack_pdf  # noqa: E402
from par.export.report import build_report  # noqa: E402

CRITERIA = ROOT / "criteria" / "nghe-an-huyen-2019.yaml"
INPUTS = [ROOT / "data/inputs/huyen-2019-self.csv", ROOT / "data/inputs/huyen-2019-appraisal.csv"]
DAY = dt.date(2026, 11, 25)


def timed(fn, runs: int, pause: float = 0.0) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        time.sleep(pause)
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    criteria, units = load_criteria(CRITERIA), read_units(ROOT / "data/units.csv")
    rows, _ = read_inputs(INPUTS, criteria, units)
    card = score(criteria, units, rows)
    domains, ranking = chart_figure(card, "domains", "cua-lo"), chart_figure(card, "ranking")

    t0 = time.perf_counter()
    export_figure(domains, "png")
    print(f"first PNG (starts Chromium): {time.perf_counter() - t0:.2f} s")
    for name, fig in (("domains", domains), ("ranking", ranking)):
        # a click every half second, as in the dashboard; then back to back, as in a pack
        for label, pause in (("clicks", 0.5), ("burst", 0.0)):
            med, best = timed(lambda: export_figure(fig, "png"), args.runs, pause)
            print(f"warm PNG {name:8s} {int(fig.layout.height):4d} px high, {label}: "
                  f"median {med:.3f} s, min {best:.3f} s  (target ≤ 0.3 s)")
    med, best = timed(lambda: build_pack(card, "cua-lo", date=DAY), 3)
    print(f"pack .pptx in-process, warm: median {med:.2f} s, min {best:.2f} s")
    med, best = timed(lambda: build_pack_pdf(card, "cua-lo", date=DAY), 3)
    print(f"pack .pdf in-process, warm:  median {med:.2f} s, min {best:.2f} s")
    med, best = timed(lambda: build_report(card), 3)
    print(f"report .xlsx:                median {med:.2f} s, min {best:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        base = [sys.executable, "-m", "par", "pack", "--criteria", str(CRITERIA), "--inputs",
                *map(str, INPUTS), "--unit", "cua-lo", "--date", str(DAY),
                "-o", os.path.join(tmp, "pack.pptx")]
        for label, extra in (("pptx", []), ("pptx + pdf", ["--pdf", os.path.join(tmp, "p.pdf")])):
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                subprocess.run(base + extra, cwd=ROOT, check=True, capture_output=True)
                times.append(time.perf_counter() - t0)
            print(f"CLI pack ({label}), fresh process: median {statistics.median(times):.2f} s, "
                  f"min {min(times):.2f} s  (target ≤ 10 s)")
    print("load average:", " ".join(f"{x:.1f}" for x in os.getloadavg()),
          f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
