"""SURVEY §3–§4 in the database: import, appraisal rows that score like typed ones, re-import
with history, admins only, nothing stored on error."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import criteria_issues, make_rows, make_units, row

from par.domain.auth import Actor
from par.domain.issues import ParError
from par.engine.scoring import score
from par.store.rows import load_rows
from par.store.storage import Store
from par.store.surveys import answers, import_answers, imports, results

SET = """
surveys:
  - id: ld
    name: Lãnh đạo
    min_responses: 2
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: một}
      - {code: Q2, text: hai, options: {Có: 100, Không: 0}}
domains:
  - code: "1"
    name: Khảo sát
    max: 20
    children:
      - {code: "1.1", name: Lá, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1, Q2]}}}
      - {code: "1.2", name: Lá 2, max: 10, rule: {type: survey, source: {form: ld, questions: [Q2]}, bands: [{min: 50, points: 10}, {min: 0, points: 2}]}}
  - {code: "2", name: Khác, max: 5, rule: {type: yes_no}}
"""
ADMIN = Actor.local_admin("chief")
FIRST = b"unit,respondent,Q1,Q2\na,1,A,Co\na,2,B,Kh\xc3\xb4ng\nb,1,C,\nb,2,E,\n"


def setup(tmp_path):
    criteria = criteria_issues(SET)[0]
    units = make_units("a b c")
    store = Store(f"sqlite:///{tmp_path}/s.db")
    store.sync_units(units)
    return store, criteria, units


def test_scores_like_the_same_values_typed_as_appraisal_rows(tmp_path):
    store, criteria, units = setup(tmp_path)
    data = FIRST.replace(b"Co\n", "Có\n".encode())
    done = import_answers(store, criteria, "ld", "2025", data, "ld.csv", actor=ADMIN)
    got = {(r.unit, r.criterion): r.value for r in done.leaves.itertuples()}
    # a: Q1 (100+60)/2 = 80, Q2 (100+0)/2 = 50 → 1.1 = 65, 1.2 = 50; b: Q1 = 20 (E excluded),
    # Q2 none → 1.1 = 20, no 1.2; c: no respondents → nothing
    assert got == {("a", "1.1"): 65.0, ("a", "1.2"): 50.0, ("b", "1.1"): 20.0}
    stored, issues = load_rows(store, criteria, units)
    assert issues == []
    typed = make_rows(criteria, units, [
        row("a", "1.1", "65", stage="appraisal"), row("a", "1.2", "50", stage="appraisal"),
        row("b", "1.1", "20", stage="appraisal")])
    a, b = score(criteria, units, stored), score(criteria, units, typed)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.node_score, b.node_score)
    pd.testing.assert_frame_equal(a.leaves[["unit", "criterion", "points"]],
                                  b.leaves[["unit", "criterion", "points"]])
    assert store.history()["source_name"].unique().tolist() == ["khảo sát: ld"]
    assert "survey_import" in set(store.audit()["action"])


def test_reimport_replaces_answers_and_leaves_and_keeps_history(tmp_path):
    store, criteria, units = setup(tmp_path)
    # an office-typed appraisal row of another leaf must survive the survey's writes
    store.save_submissions([([_group("a", "2", "có")], criteria, "typed.csv", "x" * 64)],
                           actor=ADMIN, gate=lambda *a: None)
    first = import_answers(store, criteria, "ld", "2025", FIRST.replace(b"Co\n", "Có\n".encode()),
                           "v1.csv", actor=ADMIN)
    second = import_answers(store, criteria, "ld", "2025",
                            b"unit,respondent,Q1,Q2\nb,1,A,C\xc3\xb3\nb,2,A,\n", "v2.csv",
                            actor=ADMIN)
    assert second.replaces == first.id
    history = imports(store, criteria.id, "ld", "2025")
    assert history["status"].tolist() == ["superseded", "current"]
    assert history["source_name"].tolist() == ["v1.csv", "v2.csv"]
    assert answers(store, criteria.id, "ld", "2025", first.id)["unit"].tolist() == ["a", "a", "b", "b"]
    q, leaves = results(store, criteria, "ld", "2025")
    assert set(q["unit"]) == {"b"}
    assert {(r.unit, r.criterion): r.value for r in leaves.itertuples()} == {
        ("b", "1.1"): 100.0, ("b", "1.2"): 100.0}
    stored, _ = load_rows(store, criteria, units)
    appraisal = stored[stored["stage"] == "appraisal"]
    got = sorted(zip(appraisal["unit"].astype(str), appraisal["criterion"].astype(str),
                     appraisal["value"]))
    # a's survey leaves are cleared, its typed leaf 2 stays; b's are the new values
    assert got == [("a", "2", 1.0), ("b", "1.1", 100.0), ("b", "1.2", 100.0)]


def _group(unit, criterion, value):
    from par.store.storage import ImportGroup

    rows = pd.DataFrame({"criterion": [criterion], "value": [value], "number": [1.0],
                         "na": [False], "numerator": [float("nan")],
                         "denominator": [float("nan")], "evidence": [""], "note": [""],
                         "source_row": [2]})
    return ImportGroup(unit, "2025", "appraisal", rows)


def test_errors_store_nothing_and_non_admins_are_refused(tmp_path):
    store, criteria, _ = setup(tmp_path)
    with pytest.raises(ParError) as exc:
        import_answers(store, criteria, "ld", "2025", b"unit,respondent,Q1,Q2\nzz,1,A,\na,2,Q,\n",
                       "bad.csv", actor=ADMIN)
    assert [(i.code, i.row) for i in exc.value.issues] == [("survey.unknown_unit", 2),
                                                           ("survey.bad_answer", 3)]
    with pytest.raises(ParError) as exc:
        import_answers(store, criteria, "ld", "2024", FIRST, "x.csv", actor=ADMIN)
    assert exc.value.issues[0].code == "survey.bad_period"
    unit_user = Actor("staff", "unit", units=("a",))
    with pytest.raises(ParError) as exc:
        import_answers(store, criteria, "ld", "2025", FIRST, "x.csv", actor=unit_user)
    assert exc.value.issues[0].code == "survey.admin_only"
    assert imports(store).empty and store.history().empty
    audit = store.audit()
    assert audit["action"].tolist() == ["refused"] * 3 and set(audit["user"]) == {"chief", "staff"}
    with pytest.raises(ParError) as exc:
        results(store, criteria, "ld", "2025")
    assert exc.value.issues[0].code == "survey.no_import"


def test_the_answers_a_result_stands_on_are_the_latest_period_in_its_window(tmp_path):
    from par.domain.periods import parse_period
    from par.store.surveys import answers_as_of

    store, criteria, units = setup(tmp_path)
    assert answers_as_of(store, criteria, parse_period("2025")) is None  # nothing imported
    q2 = FIRST.replace(b"Co\n", "Có\n".encode())
    q3 = b"unit,respondent,Q1,Q2\nc,1,A,\nc,2,A,\n"
    import_answers(store, criteria, "ld", "2025-Q2", q2, "q2.csv", actor=ADMIN)
    import_answers(store, criteria, "ld", "2025-Q3", q3, "q3.csv", actor=ADMIN)
    assert answers_as_of(store, criteria, parse_period("2025-Q1")) is None
    period, got = answers_as_of(store, criteria, parse_period("2025-Q2"))
    assert period == "2025-Q2" and set(got["ld"]["unit"]) == {"a", "b"}
    for as_of in ("2025-Q4", "2025"):  # the latest survey within the window
        period, got = answers_as_of(store, criteria, parse_period(as_of))
        assert period == "2025-Q3" and list(got["ld"]["unit"]) == ["c", "c"]
    # a re-import replaces the period's answers: the current one is read
    import_answers(store, criteria, "ld", "2025-Q3", q3.replace(b"c,2,A", b"a,2,A"), "q3b.csv",
                   actor=ADMIN)
    assert sorted(answers_as_of(store, criteria, parse_period("2025"))[1]["ld"]["unit"]) == [
        "a", "c"]
    store.dispose()
