"""The sample's scoring round (par.sample.round): the 2025 commune set's round for the year,
in its explanation phase, seeded through the round's own functions in sample mode only."""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from sqlalchemy import func, select

from par.domain.auth import Actor
from par.engine.catalog import list_criteria
from par.read.evidence import check_evidence
from par.sample import round as sample_round
from par.sample.evidence_files import MARK
from par.sample.seed import ensure_seeded, reset_sample
from par.store import round_work, rounds
from par.store.schema import evidence, flags
from par.store.storage import Store

OFFICE = Actor("office", "admin")


@pytest.fixture
def store(sample_store):  # the sample seeded once for the session (tests/conftest.py)
    return sample_store


@pytest.fixture
def rnd(store):
    found = rounds.round_for(store, "nghe-an-xa-2025", "2025")
    assert found is not None
    return found


def test_the_commune_round_is_in_explanation_with_deadlines_around_now(store, rnd):
    now = rounds.clock()
    assert [r.id for r in rounds.list_rounds(store)] == [rnd.id]  # only the commune set's
    assert rnd.phase == "explanation" and rnd.created_by == "sample"
    assert rnd.self_until < now < rnd.explain_until  # self-assessment closed, explaining open
    assert dt.timedelta(days=3) < rnd.explain_until - now < dt.timedelta(days=7)
    assert now - rnd.self_until > dt.timedelta(days=8)


def test_every_commune_self_scored_the_year_most_submitted_and_were_appraised(store, rnd):
    status = round_work.round_state(store, rnd.id).status()
    assert len(status) == 130 and (status["self"] == 61).all()  # every leaf but the 9 surveys
    submitted = status[status["submitted"]]
    assert 120 <= len(submitted) < 130
    assert (status.loc[~status["submitted"], "appraised"] == 0).all()  # not submitted: waiting
    assert (submitted["appraised"] > 0).all()
    assert (submitted["appraised"] < 70).sum() >= 3  # a domain not appraised yet for a few
    assert 0 < (status["missing_evidence"] > 0).sum() <= 20  # a few cite no document
    flagged, explained = status["flagged"].sum(), status["explained"].sum()
    assert 20 <= flagged and 0 < explained < flagged  # about half explained


def test_the_commune_rows_are_the_rounds_annual_rows_and_the_departments_quarters(store):
    history = store.history()
    current = history[history["status"] == "current"]
    xa = current[current["criteria_id"] == "nghe-an-xa-2025"]
    so = current[current["criteria_id"] == "nghe-an-so-2025"]
    assert set(xa["period"]) == {"2025"}  # no quarterly commune rows beside the year's
    assert set(xa["stage"]) == {"self", "appraisal"}
    assert set(so["period"]) == {"2025-Q2", "2025-Q3"} and set(so["stage"]) == {"self"}
    appraisers = set(history.loc[history["stage"] == "appraisal", "user"]) - {"sample"}
    assert appraisers == set(sample_round.APPRAISERS)  # each domain by its department
    assert len(appraisers) >= 3


def test_appraisal_comments_and_cuts_look_like_a_round(store, rnd):
    from par.engine.scoring import score
    from par.store.rows import load_rows

    state = round_work.round_state(store, rnd.id)
    rows = state.rows
    appraisal = rows[rows["stage"] == "appraisal"]
    notes = appraisal["note"].value_counts()
    assert notes.get(sample_round.AGREE, 0) > len(appraisal) / 3
    assert notes.get(sample_round.NO_EVIDENCE, 0) > 0
    assert any(n.startswith("Tỷ lệ hồ sơ") and "tính chưa đúng" in n for n in notes.index)
    # mostly lower: the self-scores alone rank higher than with the council's rows deciding
    criteria = state.criteria
    units = store.units()
    all_rows, _ = load_rows(store, criteria, units)
    surveys = {leaf.code for leaf in criteria.leaves if leaf.rule.type == "survey"}
    own = all_rows[~all_rows["criterion"].isin(surveys)]
    claimed = score(criteria, units, own[own["stage"] == "self"]).units["index"]
    decided = score(criteria, units, own).units["index"]
    appraised = sorted(set(appraisal["unit"]))
    cut = (claimed - decided).reindex(appraised)
    assert (cut > 0).mean() > 0.9 and 3 <= cut.median() <= 19


def test_flags_explained_and_not_yet(store, rnd):
    found = round_work.flags_of(store, rnd.id)
    answered = found[found["explained_at"].notna()]
    waiting = found[found["explained_at"].isna()]
    assert len(answered) and len(waiting)
    assert answered["explanation"].str.startswith("Đơn vị đã bổ sung").all()
    assert found["comment"].str.contains("Đề nghị đơn vị giải trình").all()
    assert set(found["requested_by"]) <= set(sample_round.APPRAISERS)
    assert set(answered["explained_by"]) == {f"canbo.{u}" for u in answered["unit"]}
    story = found[found["unit"] == sample_round.STORY_UNIT]
    assert story["explained_at"].notna().any() and story["explained_at"].isna().any()


def test_evidence_files_pass_the_guard_and_say_they_are_synthetic(store, rnd):
    files = round_work.list_evidence(store, rnd.id, actor=OFFICE)
    assert set(files["purpose"]) == {"self", "explanation"}
    assert len(files[files["purpose"] == "self"]) >= 30
    assert files["name"].str.fullmatch(r"[A-Za-z_]+_\d+_[A-Z_]*2025\.(pdf|png)").all()
    assert {n.rsplit(".", 1)[1] for n in files["name"]} == {"pdf", "png"}
    for evidence_id in files["id"]:
        name, data = round_work.evidence_file(store, int(evidence_id), actor=OFFICE)
        assert check_evidence(data, name) == [], name
        assert MARK.encode() in data  # PDF text and PNG tEXt alike
    story = files[files["unit"] == sample_round.STORY_UNIT]
    assert len(story[story["purpose"] == "self"]) >= 5


def test_the_round_was_played_through_the_round_api_and_audited(store):
    audit = store.audit()
    actions = audit["action"].value_counts()
    for action in ("round_create", "round_submit", "evidence_add", "flag", "explain"):
        assert actions.get(action, 0) > 0, action
    assert actions.get("round_advance") == 2  # self → appraisal → explanation
    assert actions.get("refused", 0) == 0  # every step allowed by the rule book
    submits = audit[audit["action"] == "round_submit"]
    assert submits["user"].str.startswith("canbo.").all()


def test_the_plan_is_reproducible(store):
    units = store.units()
    criteria = next(c for c in list_criteria() if c.id == sample_round.ROUND_SET)
    self_rows, appraisal = sample_round.read_files()
    one = sample_round.plan(criteria, units, self_rows, appraisal)
    two = sample_round.plan(criteria, units, self_rows, appraisal)
    pd.testing.assert_frame_equal(one.files, two.files)
    pd.testing.assert_frame_equal(one.flags, two.flags)
    assert one.submitted == two.submitted


def test_a_configured_database_gets_no_round(tmp_path, monkeypatch):
    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'own.db'}")
    monkeypatch.delenv("PAR_SAMPLE_MODE", raising=False)
    store = Store()
    assert not ensure_seeded(store)
    assert rounds.list_rounds(store) == []
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(evidence)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(flags)).scalar() == 0
    store.dispose()


def test_a_reset_brings_the_rounds_rows_back(sample_db, tmp_path, monkeypatch):
    copy = tmp_path / "copy.db"
    shutil.copy(sample_db, copy)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "1")
    store = Store(f"sqlite:///{copy}")
    rnd = rounds.round_for(store, "nghe-an-xa-2025", "2025")
    before = round_work.round_state(store, rnd.id).status()
    reset_sample(store, OFFICE)
    after = round_work.round_state(store, rnd.id).status()
    pd.testing.assert_frame_equal(before, after)  # rows back; files, flags, submits kept
    assert [r.id for r in rounds.list_rounds(store)] == [rnd.id]
    store.dispose()
