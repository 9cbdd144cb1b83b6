"""What a change would do, computed before it is made: the upload preview and the rollback
confirmation (par.store.submit.preview_effects / rollback_effects) predict exactly what
storing the file, or rolling back, then shows; and computing them writes nothing."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from par import load_criteria, read_units
from par.domain.auth import Actor
from par.domain.issues import ParError
from par.domain.periods import Period
from par.engine.scoring import score
from par.store.rows import load_rows
from par.store.storage import Store
from par.store.submit import (
    effect_periods,
    prepare,
    preview_effects,
    rollback_effects,
    submit,
    with_rows,
)

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
ADMIN = Actor("office", "admin")
HEAD = "unit,period,criterion,value,numerator,denominator\n"
BASE = (HEAD + "cua-lo,2019-Q2,1.1.1,có,,\ncua-lo,2019-Q2,1.1.2,,21,21\n"
        "vinh,2019-Q2,1.1.1,có,,\nvinh,2019-Q2,1.1.2,,10,21\n"
        "do-luong,2019-Q2,1.1.1,không,,\n")
WORSE = HEAD + "cua-lo,2019-Q2,1.1.1,không,,\ncua-lo,2019-Q2,1.1.2,,2,21\n"


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'par.db'}")
    s.sync_units(read_units(ROOT / "data/units.csv"))
    yield s
    s.dispose()


def _store_file(store, name: str, text: str):
    prepared = prepare(text.encode(), name, [CRITERIA], store.units())
    return prepared, submit(store, [prepared], actor=ADMIN)[0][1]


def _scored_now(store, as_of):
    units = store.units()
    return score(CRITERIA, units, load_rows(store, CRITERIA, units)[0], as_of)


def _same(card, expected) -> None:
    a, b = card.units, expected.units
    assert np.allclose(a["index"].to_numpy(float), b.loc[a.index, "index"].to_numpy(float))
    assert (a["rank"].fillna(-1).to_numpy() == b.loc[a.index, "rank"].fillna(-1).to_numpy()).all()


def test_effect_periods_are_the_year_to_date_then_the_whole_year():
    assert effect_periods("2019-Q2", CRITERIA) == [Period(2019, 2), Period(2019, 5)]
    assert effect_periods(Period(2019, 4), CRITERIA) == [Period(2019, 4), Period(2019, 5)]
    assert effect_periods("2019", CRITERIA) == [Period(2019, 5)]
    assert effect_periods("2018-Q3", CRITERIA) == [Period(2019, 5)]  # not the set's year
    assert effect_periods("junk", CRITERIA) == [Period(2019, 5)]


def test_the_preview_predicts_what_storing_shows_for_the_quarter_and_the_year(store):
    _store_file(store, "base.csv", BASE)
    units = store.units()
    prepared = prepare(WORSE.encode(), "worse.csv", [CRITERIA], units)
    audit_before = len(store.audit())
    effects = preview_effects(store, prepared, units)
    assert [e.as_of for e in effects] == [Period(2019, 2), Period(2019, 5)]
    assert len(store.audit()) == audit_before  # nothing written
    for e in effects:
        _same(e.before, _scored_now(store, e.as_of))
    q2 = effects[0]
    assert q2.after.units.at["cua-lo", "index"] < q2.before.units.at["cua-lo", "index"]
    assert q2.after.units.at["cua-lo", "rank"] > q2.before.units.at["cua-lo", "rank"]
    submit(store, [prepared], actor=ADMIN)
    for e in effects:
        _same(e.after, _scored_now(store, e.as_of))


def test_the_preview_with_the_callers_rows_is_the_same(store):
    _store_file(store, "base.csv", BASE)
    units = store.units()
    prepared = prepare(WORSE.encode(), "worse.csv", [CRITERIA], units)
    current = load_rows(store, CRITERIA, units)[0]
    for mine, theirs in zip(preview_effects(store, prepared, units, current),
                            preview_effects(store, prepared, units)):
        _same(mine.after, theirs.after)


def test_the_rollback_effect_predicts_the_rollback_and_writes_nothing(store):
    _store_file(store, "base.csv", BASE)
    _store_file(store, "worse.csv", WORSE)
    units = store.units()
    history = store.history("cua-lo")
    [first] = list(history.loc[history["status"] == "superseded", "id"])
    audit_before, statuses = len(store.audit()), list(history["status"])
    effects = rollback_effects(store, first, CRITERIA, units)
    assert len(store.audit()) == audit_before
    assert list(store.history("cua-lo")["status"]) == statuses
    assert [e.as_of for e in effects] == [Period(2019, 2), Period(2019, 5)]
    q2 = effects[0]
    assert q2.after.units.at["cua-lo", "index"] > q2.before.units.at["cua-lo", "index"]
    # the caller's history and rows give the same answer
    again = rollback_effects(store, first, CRITERIA, units,
                             load_rows(store, CRITERIA, units)[0], history)
    _same(again[0].after, q2.after)
    store.rollback(first, actor=ADMIN)
    for e in effects:
        _same(e.after, _scored_now(store, e.as_of))


def test_a_rollback_effect_of_an_unknown_submission_is_refused(store):
    with pytest.raises(ParError) as err:
        rollback_effects(store, 999, CRITERIA, store.units())
    assert err.value.issues[0].code == "storage.no_submission"


def test_with_rows_replaces_the_whole_unit_period_and_stage(store):
    _store_file(store, "base.csv", BASE)
    units = store.units()
    current = load_rows(store, CRITERIA, units)[0]
    new = prepare((HEAD + "cua-lo,2019-Q2,1.1.1,không,,\n").encode(), "n.csv", [CRITERIA],
                  units).rows
    after = with_rows(current, new)
    mine = after[after["unit"].astype(str) == "cua-lo"]
    assert list(mine["criterion"].astype(str)) == ["1.1.1"]  # 1.1.2 went with the old one
    assert len(after[after["unit"].astype(str) == "vinh"]) == 2
    gone = with_rows(current, new.iloc[:0], {"unit": "vinh", "period": "2019-Q2",
                                             "stage": "self"})
    assert not (gone["unit"].astype(str) == "vinh").any()


def test_a_file_for_another_unit_or_period_says_what_it_holds(store):
    units = store.units()
    with pytest.raises(ParError) as err:
        prepare(BASE.encode(), "base.csv", [CRITERIA], units, expected_unit="cua-lo",
                expected_period="2019-Q3")
    found = {i.code: i.params for i in err.value.issues}
    assert found["import.other_unit"]["found"] == ["do-luong", "vinh"]
    assert found["import.other_period"]["found"] == ["2019-Q2"]
