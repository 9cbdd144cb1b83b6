"""The bounded reader: a file that kills, exhausts or hangs its parser costs one worker.

Every failure is caused on purpose in a worker (an abort, Python and native allocation
failures, a CPU spin, a sleep); the test process only ever sees a ParError naming the
file, and the next file is read by a fresh worker. Good files come back exactly as the
readers return them in the process.
"""
from __future__ import annotations

import io
import os
import statistics
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from fixtures import hostile as h
from fixtures.workbooks import fill

from par import load_criteria, read_units
from par.domain.issues import ParError
from par.domain.periods import Period
from par.read import sandbox
from par.read.guard import Limits
from par.read.tabular import read_csv, read_xlsx_first_sheet
from par.read.template import build_template
from par.read.workbook import read_template

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")
SAMPLE_CSV = (ROOT / "data/inputs/huyen-2019-appraisal.csv").read_bytes()


# -- what the workers are made to do (module level: a worker imports them by name) -------------

def spin() -> None:
    while True:
        pass


def allocate(size: int) -> int:
    return len(bytearray(size))


def calamine_without_guard(data: bytes):
    """What the server did before: calamine straight on the upload."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).end


def fail() -> None:
    raise ValueError("a reader's bug")


def pid() -> int:
    return os.getpid()


# -- good files: the same result as in the process ------------------------------------------

def assert_same_table(a, b) -> None:
    assert type(a) is type(b)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.frame.dtypes.equals(b.frame.dtypes)
    assert (a.file, a.sheet, a.letters) == (b.file, b.sheet, b.letters)
    assert getattr(a, "fixed", None) == getattr(b, "fixed", None)


def test_a_csv_comes_back_as_read_csv_reads_it():
    table, record = sandbox.parse_upload(SAMPLE_CSV, "huyen.csv")
    assert record is None
    assert_same_table(table, read_csv(io.BytesIO(SAMPLE_CSV), "huyen.csv"))


def test_a_template_comes_back_with_its_record():
    data = fill(build_template(CRITERIA, UNITS, ["cua-lo"], Period(2019, 2)),
                {"1.1.1": {"Giá trị": "có"}, "1.1.2": {"Tử số": 19, "Mẫu số": 20}})
    table, record = sandbox.parse_upload(data, "mau.xlsx")
    direct_table, direct_record, issues = read_template(data, "mau.xlsx")
    assert not issues
    assert_same_table(table, direct_table)
    assert record == direct_record and record.cells == direct_record.cells


def test_a_tidy_workbook_comes_back_as_its_first_sheet():
    table, record = sandbox.parse_upload(h.valid_xlsx(), "tidy.xlsx")
    assert record is None
    assert_same_table(table, read_xlsx_first_sheet(io.BytesIO(h.valid_xlsx()), "tidy.xlsx"))


def test_a_readers_own_refusal_comes_back_as_it_is():
    with pytest.raises(ParError) as info:
        sandbox.parse_upload(b"\xff\xfe not utf-8", "x.csv")
    assert [i.code for i in info.value.issues] == ["file.not_utf8"]
    with pytest.raises(ParError) as info:
        sandbox.parse_upload(h.xxe(), "xxe.xlsx")
    assert [i.code for i in info.value.issues] == ["guard.dtd"]


def test_the_size_cap_is_checked_before_anything_is_sent(monkeypatch):
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "0.01")
    for name in ("big.csv", "big.xlsx"):
        with pytest.raises(ParError) as info:
            sandbox.parse_upload(b"x" * 20_000, name)
        assert [i.code for i in info.value.issues] == ["guard.too_big"]


# -- failures end a worker, never the caller -------------------------------------------------

FAILURES = [  # (what the worker runs, the code the caller gets)
    (os.abort, (), "guard.parser_crashed"),
    (allocate, (8 << 30,), "guard.parser_crashed"),  # MemoryError under RLIMIT_AS
    (calamine_without_guard, (h.rless_row(),), "guard.parser_crashed"),  # 64 GB: native abort
    (calamine_without_guard, (h.far_cell_no_dimension(),), "guard.parser_crashed"),
    (spin, (), "guard.parser_timeout"),  # RLIMIT_CPU
    (time.sleep, (600,), "guard.parser_timeout"),  # the caller's clock
]


@pytest.mark.parametrize("func, args, code", FAILURES,
                         ids=["abort", "memory", "calamine-64GB", "calamine-512GB", "spin", "hang"])
def test_a_dying_worker_gives_a_located_error_and_is_replaced(func, args, code, monkeypatch):
    monkeypatch.setenv("PAR_PARSE_SECONDS", "1")
    before = sandbox.run(pid)
    replaced = sandbox._pool().replaced
    start = time.perf_counter()
    with pytest.raises(ParError) as info:
        sandbox.run(func, *args, file="hostile.xlsx")
    took = time.perf_counter() - start
    issue, = info.value.issues
    assert issue.code == code and issue.file == "hostile.xlsx" and issue.severity == "error"
    for lang in ("vi", "en"):
        assert issue.render(lang).startswith("hostile.xlsx: ") and "{" not in issue.render(lang)
    assert took < 1 + sandbox.GRACE_SECONDS + 2
    pool = sandbox._pool()
    assert pool.replaced == replaced + 1 and 1 <= len(pool.pids()) <= sandbox.WORKERS
    assert os.getpid() not in pool.pids()
    # the next file is read as if nothing had happened
    table, _ = sandbox.parse_upload(SAMPLE_CSV, "next.csv")
    assert len(table.frame) > 100
    assert sandbox.run(pid) in pool.pids() and before is not None


def test_a_readers_bug_is_a_par_error_and_the_worker_stays():
    pids = sandbox._pool().pids()
    with pytest.raises(ParError) as info:
        sandbox.run(fail, file="bug.csv")
    issue, = info.value.issues
    assert issue.code == "file.unreadable" and "a reader's bug" in issue.params["detail"]
    assert sandbox._pool().pids() == pids


def test_the_limits_follow_the_settings(monkeypatch):
    monkeypatch.setenv("PAR_PARSE_MEMORY_MB", "64")
    with pytest.raises(ParError) as info:
        sandbox.run(allocate, 200 << 20, file="m.csv")
    assert info.value.issues[0].params == {"limit_mb": 64}
    monkeypatch.setenv("PAR_PARSE_MEMORY_MB", "1024")
    assert sandbox.run(allocate, 200 << 20) == 200 << 20


def test_two_callers_at_once_each_get_their_own_answer():
    results: dict[int, object] = {}

    def read(i: int) -> None:
        try:
            data = SAMPLE_CSV if i % 3 else h.rless_row()
            results[i] = sandbox.parse_upload(data, f"f{i}.{'csv' if i % 3 else 'xlsx'}")[0]
        except ParError as exc:
            results[i] = exc.issues[0].code

    threads = [threading.Thread(target=read, args=(i,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 9
    for i, result in results.items():
        if i % 3:
            assert len(result.frame) > 100 and result.file == f"f{i}.csv"
        else:
            assert result == "guard.cell_out_of_range"


# -- the cost ------------------------------------------------------------------------------

def test_the_overhead_per_small_file_is_a_few_milliseconds(capsys):
    """Warm: pickling the bytes, the pipe both ways, unpickling the table."""
    sandbox.shutdown()
    start = time.perf_counter()
    sandbox.parse_upload(b"unit,value\na,1\n", "cold.csv")
    cold = time.perf_counter() - start
    overheads = {}
    for name, data in (("small.csv", b"unit,period,criterion,value\ncua-lo,2019,1.5,1\n"),
                       ("sample.csv", SAMPLE_CSV), ("tidy.xlsx", h.valid_xlsx())):
        limits = Limits.from_env()
        inside, outside = [], []
        for _ in range(15):
            t = time.perf_counter()
            sandbox.parse_upload_here(data, name, limits)
            inside.append(time.perf_counter() - t)
            t = time.perf_counter()
            sandbox.parse_upload(data, name)
            outside.append(time.perf_counter() - t)
        overheads[name] = statistics.median(outside) - statistics.median(inside)
    with capsys.disabled():
        print(f"\nsandbox: cold start {cold * 1000:.0f} ms; warm overhead "
              + ", ".join(f"{n} {o * 1000:.1f} ms" for n, o in overheads.items()))
    assert cold < 10
    assert max(overheads.values()) < 0.025  # measured ~1 ms; generous for a loaded machine


def test_a_worker_killed_while_idle_does_not_fail_the_next_file():
    import signal

    for worker_pid in sandbox._pool().pids():
        os.kill(worker_pid, signal.SIGKILL)
    time.sleep(0.2)
    table, _ = sandbox.parse_upload(SAMPLE_CSV, "after.csv")
    assert len(table.frame) > 100
