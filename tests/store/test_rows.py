"""Typed rows back from the database: equal to parsing the file, re-read only what changed,
re-checked from text only when the criteria set's version differs."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from par import load_criteria, read_inputs, read_units, score
from par.domain.auth import Actor
from par.engine.criteria import check_criteria_text
from par.store.rows import RowCache, load_rows
from par.store.schema import input_rows, submissions
from par.store.storage import Store
from par.store.submit import import_files

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data" / "units.csv")
INPUTS = [ROOT / "data" / "inputs" / "huyen-2019-self.csv",
          ROOT / "data" / "inputs" / "huyen-2019-appraisal.csv"]
HEADER = "unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
ADMIN = Actor("office", "admin")


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'par.db'}")
    s.sync_units(UNITS)
    import_files(s, [(p.name, p.read_bytes()) for p in INPUTS], [CRITERIA], UNITS, actor=ADMIN)
    yield s
    s.dispose()


def _same_scores(a, b) -> None:
    cols = ["score", "max", "index", "rank", "of", "provisional"]
    pd.testing.assert_frame_equal(a.units[cols], b.units[cols])
    pd.testing.assert_frame_equal(a.node_score, b.node_score)


def test_typed_rows_score_exactly_like_the_files(store):
    from_db, issues = load_rows(store, CRITERIA, UNITS)
    from_files, _ = read_inputs(INPUTS, CRITERIA, UNITS)
    assert not issues and len(from_db) == len(from_files)
    assert list(from_db.columns) == list(from_files.columns)
    _same_scores(score(CRITERIA, UNITS, from_db), score(CRITERIA, UNITS, from_files))
    card = score(CRITERIA, UNITS, from_db)
    assert (card.units.loc["cua-lo", "rank"], card.units.loc["cua-lo", "of"]) == (14, 21)


def test_the_cache_reads_only_the_submissions_that_changed(store):
    cache = RowCache(CRITERIA)
    rows, _ = cache.refresh(store, UNITS)
    first = cache.reads
    assert first == len(store.current_submissions("huyen", 2019)) > 50
    again, _ = cache.refresh(store, UNITS)  # nothing changed: nothing read
    assert cache.reads == first and len(again) == len(rows)

    new = (HEADER + "cua-lo,2019-Q4,1.1.1,không,,,,,\n").encode()
    [(_, [sid])] = import_files(store, [("new.csv", new)], [CRITERIA], UNITS, actor=ADMIN)
    after, _ = cache.refresh(store, UNITS)
    assert cache.reads == first + 1  # the one new submission, not the level again
    fresh, _ = load_rows(store, CRITERIA, UNITS)
    _same_scores(score(CRITERIA, UNITS, after), score(CRITERIA, UNITS, fresh))
    # the replaced Q4 self-assessment of Cửa Lò is gone: one row left for it
    q4 = after[(after["unit"] == "cua-lo") & (after["period"] == "2019-Q4") &
               (after["stage"] == "self")]
    assert list(q4["criterion"].astype(str)) == ["1.1.1"] and q4["value"].iloc[0] == 0.0

    store.rollback(int(store.history("cua-lo", "2019-Q4").query("status == 'superseded' "
                                                                "and stage == 'self'")["id"]
                       .iloc[0]), actor=ADMIN)
    back, _ = cache.refresh(store, UNITS)
    assert cache.reads == first + 2  # the restored submission only
    original, _ = read_inputs(INPUTS, CRITERIA, UNITS)
    _same_scores(score(CRITERIA, UNITS, back), score(CRITERIA, UNITS, original))


def _changed_set(tmp_path, old: str, new: str):
    text = Path(CRITERIA.source).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "same-id.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    criteria, issues = check_criteria_text(path.read_text(encoding="utf-8"), str(path))
    assert criteria is not None, issues
    return criteria


def test_rows_stored_under_another_version_of_the_set_are_checked_again(store, tmp_path):
    # the same id with a changed title: another hash, so the rows go through the checks
    renamed = _changed_set(tmp_path, "title: ", "title: (v2) ")
    assert renamed.id == CRITERIA.id and renamed.sha256 != CRITERIA.sha256
    rows, issues = load_rows(store, renamed, UNITS)
    typed, _ = load_rows(store, CRITERIA, UNITS)
    assert not issues
    _same_scores(score(renamed, UNITS, rows), score(CRITERIA, UNITS, typed))


def test_an_old_database_gets_the_typed_columns_and_its_rows_are_rechecked(tmp_path):
    path = tmp_path / "old.db"
    store = Store(f"sqlite:///{path}")
    store.sync_units(UNITS)
    data = (HEADER + "cua-lo,2019-Q4,1.1.1,có,,,,,\ncua-lo,2019-Q4,3.3.1,,98,100,,,\n").encode()
    import_files(store, [("a.csv", data)], [CRITERIA], UNITS, actor=ADMIN)
    store.dispose()
    with sqlite3.connect(path) as conn:  # as an earlier par left it: no typed columns
        conn.execute("ALTER TABLE input_rows DROP COLUMN number")
        conn.execute("ALTER TABLE input_rows DROP COLUMN na")
        conn.execute("ALTER TABLE submissions DROP COLUMN packed")
    store = Store(f"sqlite:///{path}")  # opening it adds them back, NULL for old rows
    assert store.stored_rows([1])["na"].isna().all()  # read from the row table
    rows, issues = load_rows(store, CRITERIA, UNITS)
    assert not issues and len(rows) == 2
    by_code = rows.set_index(rows["criterion"].astype(str))
    assert by_code.loc["1.1.1", "value"] == 1.0
    assert by_code.loc["3.3.1", "numerator"] == 98 and np.isnan(by_code.loc["3.3.1", "value"])
    store.dispose()


def test_one_bad_stored_value_never_takes_the_level_down(store):
    """A numerator of 1e999 stored as inf (before the door refused it) once made every page
    of the set show only "'inf' is not a number": now that row counts as missing, with a
    warning naming its submission and row, and every other row is read."""
    sid = int(store.history("cua-lo", "2019").query("stage == 'appraisal'")["id"].iloc[0])
    with store.engine.begin() as conn:
        conn.execute(input_rows.update().where(
            (input_rows.c.submission_id == sid) & (input_rows.c.criterion == "3.3.1"))
            .values(numerator=float("inf")))
        conn.execute(submissions.update().where(submissions.c.id == sid).values(packed=None))
    rows, issues = load_rows(store, CRITERIA, UNITS)
    assert [i.code for i in issues] == ["storage.bad_stored_value"]
    assert issues[0].severity == "warning" and f"#{sid}" in issues[0].render("en")
    clean, _ = read_inputs(INPUTS, CRITERIA, UNITS)
    assert len(rows) == len(clean)
    bad = rows[(rows["submission_id"] == sid) if "submission_id" in rows else
               (rows["unit"] == "cua-lo") & (rows["stage"] == "appraisal") &
               (rows["criterion"] == "3.3.1")]
    assert bad["numerator"].isna().all()
    card = score(CRITERIA, UNITS, rows)
    assert card.units.loc["vinh", "index"] == score(CRITERIA, UNITS, clean).units.loc["vinh",
                                                                                       "index"]


def test_a_bad_row_stored_as_text_is_a_warning_too(store, tmp_path):
    renamed = _changed_set(tmp_path, "title: ", "title: (v2) ")  # forces the text re-check
    sid = int(store.history("vinh", "2019").query("stage == 'appraisal'")["id"].iloc[0])
    with store.engine.begin() as conn:
        conn.execute(input_rows.update().where(
            (input_rows.c.submission_id == sid) & (input_rows.c.criterion == "1.1.1"))
            .values(value="chắc chắn"))
        conn.execute(submissions.update().where(submissions.c.id == sid).values(packed=None))
    rows, issues = load_rows(store, renamed, UNITS)
    assert issues and all(i.severity == "warning" for i in issues)
    assert any("chắc chắn" in i.render("vi") for i in issues)
    assert score(renamed, UNITS, rows).units.loc["cua-lo", "rank"] == 14


def test_a_refusal_leaves_the_data_version_an_import_changes_it(store):
    """Cached results are keyed by the data version: a refused upload must not throw them
    all away, an import must."""
    version = store.data_version()
    staff = Actor("lan", "unit", frozenset({"cua-lo"}))
    data = (HEADER + "vinh,2019-Q4,1.1.1,có,,,,,\n").encode()
    try:
        import_files(store, [("vinh.csv", data)], [CRITERIA], UNITS, actor=staff)
    except Exception:
        pass
    assert "refused" in set(store.audit()["action"])
    assert store.data_version() == version
    import_files(store, [("vinh.csv", data)], [CRITERIA], UNITS, actor=ADMIN)
    assert store.data_version() != version


def test_row_frames_with_text_and_object_categories_concatenate():
    from par.store.rows import concat_rows
    # a save parsed in this process (str categories) joins rows read back (object ones)
    parsed = pd.DataFrame({"unit": pd.Categorical(pd.array(["xa-a", "xa-b"], dtype="str")),
                           "value": [1.0, 2.0]})
    stored = pd.DataFrame({"unit": pd.Categorical(pd.Index(["xa-c", "xa-a"], dtype=object)),
                           "value": [3.0, 4.0]})
    both = concat_rows([parsed, stored])
    assert list(both["unit"].astype(str)) == ["xa-a", "xa-b", "xa-c", "xa-a"]
    assert both["unit"].dtype == "category" and list(both["value"]) == [1.0, 2.0, 3.0, 4.0]
