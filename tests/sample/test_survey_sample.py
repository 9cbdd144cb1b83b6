"""The sample's survey forms (issue 15, item 4): the 2025 commune set's two forms, their
SYNTHETIC answers in data/surveys/, imported by the seeder as the office; the survey leaves'
values come only from those imports."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from par.domain.auth import Actor
from par.engine.catalog import list_criteria
from par.engine.scoring import score
from par.read.survey_answers import read_answers
from par.read.units import read_units
from par.sample import surveys as sample_surveys
from par.sample.seed import UNITS_FILE, reset_sample
from par.sample.synthetic import SYNTHETIC_NOTE
from par.store import rounds
from par.store.rows import load_rows
from par.store.schema import input_rows, submissions
from par.store.storage import Store
from par.store.surveys import SOURCE_PREFIX, imports, results

FORMS = ("sipas", "lanh-dao")
FED = {"sipas": ["8.1.1", "8.1.2", "8.1.3", "8.1.4", "8.1.5"],
       "lanh-dao": ["8.2.1", "8.2.2", "8.2.3"]}


@pytest.fixture(scope="module")
def criteria():
    return next(c for c in list_criteria() if c.id == "nghe-an-xa-2025")


@pytest.fixture
def store(sample_store):  # the sample seeded once for the session (tests/conftest.py)
    return sample_store


def _submitted(store) -> set[str]:
    rnd = rounds.round_for(store, "nghe-an-xa-2025", "2025")
    return set(rounds.submitted_units(store, rnd.id)["unit"])


def test_the_set_has_the_two_forms_feeding_the_survey_leaves(criteria):
    assert [f.id for f in criteria.surveys] == list(FORMS)
    assert all(f.min_responses == 30 for f in criteria.surveys)
    for form_id, codes in FED.items():
        fed = [leaf.code for leaf in criteria.leaves
               if leaf.rule.source is not None and leaf.rule.source.form == form_id]
        assert fed == codes
    portal = criteria.nodes["3.6"].rule  # the national portal's score: typed, as before
    assert portal.type == "survey" and portal.source is None
    assert "lãnh đạo" in criteria.nodes["8.2"].name and "leaders" in criteria.nodes["8.2"].name_en


@pytest.mark.parametrize("form_id", FORMS)
def test_the_answer_files_parse_and_say_they_are_synthetic(criteria, form_id):
    path = sample_surveys.file_of(form_id)
    assert path.name == f"xa-2025-{form_id}.csv"
    data = path.read_bytes()
    units = read_units(UNITS_FILE)
    checked = read_answers(data, path.name, criteria, form_id, units)  # raises on any error
    assert checked.warnings == []
    header = data.decode("utf-8").split("\n", 1)[0].split(",")
    assert header[:2] == ["đơn vị", "người trả lời"]
    wide = checked.wide
    assert (wide[sample_surveys.NOTE] == SYNTHETIC_NOTE).all()
    assert len(checked.extra_columns) >= 2  # free columns kept as they are
    form = criteria.survey(form_id)
    cells = wide[[q.code for q in form.questions]].to_numpy(dtype=object)
    unknown = [label for q in form.questions
               for label, pct in form.options_of(q.code).items() if pct is None]
    assert (cells == "").any() and np.isin(cells, unknown).any()  # empty and "không biết"


@pytest.mark.parametrize("form_id", FORMS)
def test_each_form_has_a_current_import_for_2025_named_as_synthetic(store, form_id):
    found = imports(store, "nghe-an-xa-2025", form_id, "2025")
    current = found[found["status"] == "current"]
    assert len(current) == 1
    assert current["user"].iloc[0] == "sample"  # the office: the seeder's system admin
    assert "mô phỏng" in current["source_name"].iloc[0]
    assert current["rows"].iloc[0] > 124 * 30


@pytest.mark.parametrize("form_id", FORMS)
def test_respondents_per_unit_and_the_low_sample_flag(store, criteria, form_id):
    questions, leaves = results(store, criteria, form_id, "2025")
    per_unit = questions.groupby("unit")["respondents"].first()
    flagged = set(questions.loc[questions["flag_low_n"], "unit"])
    assert set(per_unit.index) == _submitted(store)  # those that did not submit: none
    assert flagged == set(per_unit.index[per_unit < 30])
    assert 4 <= len(flagged) <= 6
    assert per_unit.drop(list(flagged)).between(30, 80).all()
    assert set(leaves.loc[leaves["flag_low_n"], "unit"]) == flagged
    # every unit surveyed has a value for each of the form's leaves, and they vary
    values = leaves.pivot(index="unit", columns="criterion", values="value")
    assert list(values.columns) == FED[form_id] and not values.isna().any().any()
    assert (values.std() > 2).all() and values.stack().between(50, 100).all()


def test_the_survey_leaves_come_only_from_the_survey_imports(store, criteria):
    fed = [c for codes in FED.values() for c in codes]
    with store.engine.connect() as conn:
        sources = pd.DataFrame(conn.execute(
            select(submissions.c.source_name, submissions.c.stage, input_rows.c.criterion)
            .join(input_rows, input_rows.c.submission_id == submissions.c.id)
            .where(input_rows.c.criterion.in_(fed),
                   submissions.c.criteria_id == criteria.id)).all(),
            columns=["source", "stage", "criterion"])
    assert len(sources) and (sources["stage"] == "appraisal").all()
    assert sources["source"].str.startswith(SOURCE_PREFIX).all()
    # and the current rows are the import's values
    rows, issues = load_rows(store, criteria, store.units())
    assert issues == []
    got = rows[rows["criterion"].isin(fed)]
    assert (got["stage"] == "appraisal").all()
    stored = {(str(u), str(c)): float(v)
              for u, c, v in zip(got["unit"], got["criterion"], got["value"])}
    expected = pd.concat([results(store, criteria, f, "2025")[1] for f in FORMS])
    assert stored == pytest.approx({(u, c): v for u, c, v in zip(
        expected["unit"], expected["criterion"], expected["value"])})
    # the national portal's score (3.6) is still the council's typed row
    portal = rows[rows["criterion"] == "3.6"]
    assert len(portal) == len(_submitted(store)) and (portal["stage"] == "appraisal").all()


def test_the_set_scores_and_ranks_every_commune(store, criteria):
    units = store.units()
    rows, _ = load_rows(store, criteria, units)
    card = score(criteria, units, rows)
    ranked = card.units
    xa = set(units.index[units["level"] == "xa"])
    assert set(ranked.index) == xa and ranked["rank"].notna().all()
    assert set(ranked["group_of"]) == {11, 119}
    fed = [c for codes in FED.values() for c in codes]
    leaves = card.leaves[card.leaves["criterion"].isin(fed)]
    points = leaves.pivot(index="unit", columns="criterion", values="points").reindex(
        sorted(xa)).fillna(0.0)
    submitted = _submitted(store)
    assert (points.loc[sorted(submitted)] > 0).all().all()
    assert (points.drop(sorted(submitted)) == 0).all().all()  # not submitted: no survey yet
    index = ranked.loc[sorted(submitted), "index"]
    assert 50 <= index.min() and index.max() <= 100
    # the survey's percentages go loosely with the unit's other figures
    own = rows[~rows["criterion"].isin(fed) & (rows["stage"] == "appraisal")]
    other = score(criteria, units, own).units["index"].reindex(sorted(submitted))
    survey = points.loc[sorted(submitted)].sum(axis=1)
    assert other.rank().corr(survey.rank()) > 0.4  # Spearman's


def test_a_reset_imports_the_answers_again(sample_db, criteria, tmp_path, monkeypatch):
    copy = tmp_path / "copy.db"
    shutil.copy(sample_db, copy)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "1")
    store = Store(f"sqlite:///{copy}")
    before = {f: results(store, criteria, f, "2025")[1] for f in FORMS}
    reset_sample(store, Actor("office", "admin"))
    for form_id in FORMS:
        history = imports(store, criteria.id, form_id, "2025")
        assert history["status"].tolist() == ["superseded", "current"]
        pd.testing.assert_frame_equal(results(store, criteria, form_id, "2025")[1],
                                      before[form_id])
    rows, _ = load_rows(store, criteria, store.units())
    assert rows["criterion"].isin(FED["lanh-dao"]).sum() == len(before["lanh-dao"])
    store.dispose()
