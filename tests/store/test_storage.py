"""Storage and import: history, supersede, rollback, audit, atomicity, concurrency, crash safety.

The same tests run against SQLite and against a real PostgreSQL server started for the session.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pg import postgres_server
from sqlalchemy import text

from par import load_criteria, read_units, score
from par.domain.auth import Actor
from par.domain.issues import ParError
from par.read.inputs import check_inputs
from par.store.storage import Store, metadata
from par.store.submit import import_files

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data" / "units.csv")
HEADER = "unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"


@pytest.fixture(scope="session")
def pg_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'par.db'}" if request.param == "sqlite" \
        else request.getfixturevalue("pg_url")
    s = Store(url)
    s.sync_units(UNITS)
    yield s
    if request.param == "postgresql":
        metadata.drop_all(s.engine)
    s.dispose()


def csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def admin(name: str) -> Actor:
    return Actor(name, "admin")


def do_import(store, name, data, user="tester"):
    return import_files(store, [(name, data)], [CRITERIA], UNITS, actor=admin(user))


def dump(store) -> list:
    """Every row of every table, in a stable order: 'byte for byte' at the data level."""
    with store.engine.connect() as conn:
        return [(t.name, conn.execute(text(f'SELECT * FROM "{t.name}" ORDER BY 1')).all())
                for t in metadata.sorted_tables]


def current_card(store):
    rows, issues = check_inputs([store.current_table("huyen", 2019)], CRITERIA, UNITS)
    assert not [i for i in issues if i.severity == "error"]
    return score(CRITERIA, UNITS, rows)


def test_import_then_score_from_the_database_equals_scoring_the_file(store, tmp_path):
    data = csv("vinh,2019-Q1,1.1.1,có,,,,QĐ 12/UBND,", "vinh,2019-Q1,1.1.2,,9,10,,,",
               "cua-lo,2019-Q1,1.1.1,không,,,,,", "cua-lo,2019-Q1,3.3.3,N/A,,,,,")
    [(prepared, ids)] = do_import(store, "q1.csv", data)
    assert len(ids) == 2 and prepared.row_count == 4
    history = store.history()
    assert list(history["status"]) == ["current", "current"]
    assert set(history["unit"]) == {"vinh", "cua-lo"}
    assert (history["source_sha256"].str.len() == 64).all()
    path = tmp_path / "q1.csv"
    path.write_bytes(data)
    from par import read_inputs
    rows, _ = read_inputs([path], CRITERIA, UNITS)
    pd.testing.assert_frame_equal(score(CRITERIA, UNITS, rows).units, current_card(store).units)


def test_new_submission_supersedes_and_rollback_restores(store):
    (_, [first]), = do_import(store, "a.csv", csv("vinh,2019-Q1,1.1.1,có,,,,,"))
    (_, [second]), = do_import(store, "b.csv", csv("vinh,2019-Q1,1.1.1,không,,,,,"), user="lan")
    history = store.history("vinh").set_index("id")
    assert history.at[first, "status"] == "superseded"
    assert history.at[second, "status"] == "current" and history.at[second, "replaces"] == first
    leaf = lambda: current_card(store).leaves.set_index(["unit", "criterion"]).at[
        ("vinh", "1.1.1"), "points"]
    assert leaf() == 0.0
    assert store.rollback(first, actor=admin("admin")) == second
    assert leaf() == 1.0
    audit = store.audit()
    # the first import brought the set and made it active (its level and year had none)
    assert list(audit["action"]) == ["criteria_activate", "import", "import", "rollback"]
    assert list(audit["user"]) == ["tester", "tester", "lan", "admin"]
    with pytest.raises(ParError) as exc:
        store.rollback(first, actor=admin("admin"))
    assert exc.value.issues[0].code == "storage.already_current"
    with pytest.raises(ParError) as exc:
        store.rollback(999, actor=admin("admin"))
    assert exc.value.issues[0].code == "storage.no_submission"


def test_a_bad_file_writes_nothing(store):
    do_import(store, "good.csv", csv("vinh,2019-Q1,1.1.1,có,,,,,"))
    before = dump(store)
    with pytest.raises(ParError) as exc:
        do_import(store, "bad.csv", csv("vinh,2019-Q2,1.1.1,có,,,,,", "zz,2019-Q2,1.1.1,có,,,,,"))
    assert [(i.code, i.row) for i in exc.value.issues] == [("input.unknown_unit", 3)]
    assert dump(store) == before


def test_a_batch_is_stored_whole_or_not_at_all(store):
    before = dump(store)
    files = [("ok.csv", csv("vinh,2019-Q1,1.1.1,có,,,,,")),
             ("bad.csv", csv("vinh,2019-Q1,1.1.2,,5,,,,"))]
    with pytest.raises(ParError) as exc:
        import_files(store, files, [CRITERIA], UNITS, actor=admin("x"))
    assert exc.value.issues[0].file == "bad.csv"
    assert dump(store) == before


def _unit_file(tmp_path: Path, unit: str, n: int = 30) -> Path:
    codes = [l.code for l in CRITERIA.leaves if l.rule.type == "yes_no"][:n]
    path = tmp_path / f"{unit}.csv"
    path.write_bytes(csv(*[f"{unit},2019-Q1,{c},có,,,,," for c in codes]))
    return path


def _cli(url: str, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PAR_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-m", "par", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_twenty_parallel_imports_all_land(store, tmp_path):
    ids = list(UNITS[UNITS["level"] == "huyen"]["id"])[:20]
    paths = [_unit_file(tmp_path, u) for u in ids]
    procs = [_cli(store.url, "import", str(p), "--user", f"u{i}") for i, p in enumerate(paths)]
    results = [(p.wait(timeout=180), p.stderr.read().decode()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    history = store.history()
    assert len(history) == 20 and set(history["unit"]) == set(ids)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM input_rows")).scalar() == 20 * 30


def test_sigkill_in_the_middle_of_a_large_import_leaves_all_or_nothing(tmp_path):
    db = tmp_path / "crash.db"
    url = f"sqlite:///{db}"
    store = Store(url)
    store.sync_units(UNITS)
    store.dispose()
    big = tmp_path / "big.csv"
    sample = pd.read_csv(ROOT / "data" / "inputs" / "huyen-2019-self.csv", dtype=str,
                         keep_default_na=False)
    years = [sample.assign(period=sample["period"].str.replace("2019", str(y)))
             for y in range(2000, 2020)]  # other years are accepted (with a warning)
    pd.concat(years).to_csv(big, index=False)
    lines = [None] * (len(sample) * len(years))
    outcomes = set()
    for delay in (1.0, 2.0, 3.0, 4.0, 6.0):
        proc = _cli(url, "import", str(big), "--user", "crash", "--units", "data/units.csv")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        per_submission = con.execute(
            "SELECT s.row_count, count(r.id) FROM submissions s LEFT JOIN input_rows r "
            "ON r.submission_id = s.id GROUP BY s.id").fetchall()
        assert all(expected == got for expected, got in per_submission)
        n = con.execute("SELECT count(*) FROM input_rows").fetchone()[0]
        assert n % len(lines) == 0  # every import is all of its rows or none of them
        outcomes.add(n > 0)
        con.close()
    assert outcomes  # the loop ran; which outcomes occur depends on timing
