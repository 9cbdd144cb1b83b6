"""evidence_required (WORKFLOW §2): on the set or on a node (overriding its parent, inherited
by its children), a self-scored leaf without evidence text or file scores 0 and is listed as
missing evidence; appraisal rows decide as usual; penalty leaves are never zeroed."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import HEADER, build_criteria, card_for, criteria_issues, make_units, row

TREE = """
    domains:
      - code: "1"
        name: Một
        max: 6
        {one}
        children:
          - code: "1.1"
            name: a
            max: 4
            evidence_required: false
            children:
              - {{code: "1.1.1", name: x, max: 2, rule: {{type: yes_no}}}}
              - {{code: "1.1.2", name: y, max: 2, rule: {{type: points}}, {leaf}}}
          - {{code: "1.2", name: b, max: 2, rule: {{type: points}}}}
      - {{code: "2", name: Hai, max: 4, rule: {{type: points}}}}
      - {{code: "T", name: Thưởng, max: 3, kind: bonus, rule: {{type: points}}}}
      - {{code: "P", name: Phạt, max: 5, kind: penalty, evidence_required: true,
          rule: {{type: count, per_item: 1}}}}
    """


def tree(set_flag: bool | None, one: str = "", leaf: str = "evidence_required: true"):
    header = HEADER + (f"evidence_required: {str(set_flag).lower()}\n"
                       if set_flag is not None else "")
    return build_criteria(TREE.format(one=one, leaf=leaf), header)


def test_no_flag_anywhere_needs_nothing():
    criteria = build_criteria("""
        domains:
          - {code: "1", name: Một, max: 10, rule: {type: points}}
        """)
    assert criteria.evidence_required is False and criteria.needs_evidence == frozenset()


def test_the_sets_flag_is_the_default_a_nodes_own_wins_and_children_inherit_it():
    # set true: 1.1 says false (so 1.1.1 inherits false) but its child 1.1.2 says true again
    assert tree(True).needs_evidence == {"1.1.2", "1.2", "2", "T"}
    # set false: domain 1 says true; 1.1 says false under it; 1.1.2 true under that
    assert tree(False, one="evidence_required: true").needs_evidence == {"1.1.2", "1.2"}
    # no set flag at all is false; a leaf's own true still counts
    assert tree(None).needs_evidence == {"1.1.2"}
    assert tree(None, leaf="evidence_required: false").needs_evidence == frozenset()
    # domain 1 false under a true set: every leaf of it is free, other domains are not
    assert tree(True, one="evidence_required: false",
                leaf="name_en: y").needs_evidence == {"2", "T"}


def test_penalty_leaves_never_need_evidence_even_when_they_say_so():
    assert "P" not in tree(True).needs_evidence


UNITS = make_units("a b")


def test_a_self_scored_leaf_without_evidence_scores_zero_and_is_listed_appraisal_decides():
    criteria = tree(True)
    rows = [
        row("a", "1.1.1", "có", stage="self"),                      # free: counts
        row("a", "1.1.2", "2", stage="self"),                       # needs, none: 0
        row("a", "1.2", "2", stage="self", evidence="QĐ 12/2025"),  # needs, has text: counts
        row("a", "2", "4", stage="self", evidence="   "),           # blank text is none
        row("a", "2", "3", stage="appraisal"),                      # ... but appraisal decides
        row("a", "T", "3", stage="self"),                           # a bonus needs it too
        row("a", "P", "2", stage="self"),                           # a penalty never zeroed
        row("b", "1.1.2", "2", stage="appraisal"),                  # appraisal rows decide
        row("b", "1.2", "1", stage="self", evidence="có"),
    ]
    card = card_for(criteria, UNITS, rows)
    leaves = card.leaves.set_index(["unit", "criterion"])
    a = leaves.loc["a"]
    assert a["points"].to_dict() == {"1.1.1": 2.0, "1.1.2": 0.0, "1.2": 2.0, "2": 3.0,
                                     "T": 0.0, "P": 2.0}
    assert a["missing_evidence"].to_dict() == {"1.1.1": False, "1.1.2": True, "1.2": False,
                                               "2": False, "T": True, "P": False}
    assert card.units.loc["a", "penalty"] == 2.0
    assert card.units.loc["a", "score"] == 2 + 0 + 2 + 3 + 0 - 2
    b = leaves.loc["b"]
    assert b.loc["1.1.2", "points"] == 2.0 and not b["missing_evidence"].any()
    # leaves without rows are missing, not missing evidence
    assert not b.loc["2", "missing_evidence"] and b.loc["2", "missing"]


def test_the_same_rows_score_in_full_when_the_set_needs_no_evidence():
    criteria = tree(None, leaf="evidence_required: false")
    card = card_for(criteria, UNITS, [row("a", "1.1.2", "2", stage="self"),
                                      row("a", "T", "3", stage="self")])
    leaves = card.leaves.set_index(["unit", "criterion"]).loc["a"]
    assert leaves.loc["1.1.2", "points"] == 2.0 and leaves.loc["T", "points"] == 3.0
    assert not leaves["missing_evidence"].any()


@pytest.mark.parametrize("where", ["set", "node"])
def test_a_flag_that_is_not_true_or_false_is_a_located_error(where):
    if where == "set":
        body, header = """
            domains:
              - {code: "1", name: Một, max: 10, rule: {type: points}}
            """, HEADER + 'evidence_required: "yes"\n'
    else:
        body, header = """
            domains:
              - code: "1"
                name: Một
                max: 10
                evidence_required: "yes"
                rule: {type: points}
            """, HEADER
    criteria, issues = criteria_issues(body, header)
    assert criteria is None
    [issue] = [i for i in issues if i.code == "criteria.not_bool"]
    assert issue.params["key"] == "evidence_required" and issue.params["value"] == "yes"
    assert issue.line is not None
    if where == "node":
        assert issue.node == "1"
    for lang in ("vi", "en"):
        assert "evidence_required" in issue.render(lang) and "yes" in issue.render(lang)


# -- files attached in a round count as evidence (par.store.rows.load_rows) --------------------

def test_a_file_attached_in_the_round_makes_the_leaf_count(tmp_path, monkeypatch):
    from par.engine.scoring import score
    from par.store import round_work as W
    from par.store import rounds as R
    from par.store.rows import EVIDENCE_FILE, load_rows
    from tests.store.test_rounds import (
        ADMIN,
        LEAF,
        OTHER_UNIT,
        PDF,
        STAFF,
        UNIT,
        YAML,
        build,
        freeze_clock,
    )

    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "self",
                       YAML.replace("level: xa\n", "level: xa\nevidence_required: true\n"))
    try:
        criteria = W.round_criteria(store, R.get_round(store, rid))
        units = store.units()

        def state():
            rows, _ = load_rows(store, criteria, units)
            card = score(criteria, units, rows)
            leaves = card.leaves[card.leaves["unit"] == UNIT].set_index("criterion")
            evidence = rows[rows["unit"] == UNIT].set_index("criterion")["evidence"]
            return leaves["points"].to_dict(), evidence.astype(str).to_dict()

        points, evidence = state()  # the file is on LEAF (1.1) only
        assert points == {LEAF: 4.0, "1.2": 0.0, "2.1": 0.0}
        assert evidence == {LEAF: EVIDENCE_FILE, "1.2": "", "2.1": ""}
        W.add_evidence(store, rid, UNIT, "2.1", [("bc.pdf", PDF)], actor=STAFF)
        # a file for a unit without a self row changes nothing
        W.add_evidence(store, rid, OTHER_UNIT, "1.2", [("x.pdf", PDF)], actor=ADMIN)
        assert state()[0] == {LEAF: 4.0, "1.2": 0.0, "2.1": 4.0}
        # a text typed with the row is kept as typed
        W.save_rows(store, rid, UNIT, "self", pd.DataFrame(
            [{"criterion": "2.1", "value": "5", "evidence": "QĐ 9"}]), actor=STAFF)
        assert state()[1]["2.1"] == "QĐ 9"
        # a removed file no longer counts
        files = W.list_evidence(store, rid, UNIT, actor=STAFF).set_index("criterion")
        W.remove_evidence(store, rid, int(files.loc[LEAF, "id"]), actor=STAFF)
        assert state()[0] == {LEAF: 0.0, "1.2": 0.0, "2.1": 5.0}
    finally:
        store.dispose()


def test_with_evidence_files_fills_only_blank_self_rows_keeping_the_columns_type(tmp_path,
                                                                                 monkeypatch):
    from par.store import round_work as W
    from par.store import rounds as R
    from par.store.rows import EVIDENCE_FILE, load_rows, with_evidence_files
    from tests.store.test_rounds import LEAF, UNIT, YAML, build, freeze_clock

    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "self",
                       YAML.replace("level: xa\n", "level: xa\nevidence_required: true\n"))
    try:
        criteria = W.round_criteria(store, R.get_round(store, rid))
        rows, _ = load_rows(store, criteria, store.units())
        assert isinstance(rows["evidence"].dtype, pd.CategoricalDtype)  # kept categorical
        filled = rows.set_index(["criterion", "stage"])["evidence"].astype(str).to_dict()
        assert filled == {(LEAF, "self"): EVIDENCE_FILE, ("1.2", "self"): "",
                          ("2.1", "self"): ""}
        # the same with object columns, a missing text, and an appraisal row of the leaf
        raw = rows.assign(evidence=rows["evidence"].astype(object).where(
            rows["criterion"].astype(str) != LEAF, None))
        extra = raw[raw["criterion"].astype(str) == LEAF].assign(stage="appraisal")
        raw = pd.concat([raw.assign(stage=raw["stage"].astype(object)), extra],
                        ignore_index=True)
        out = with_evidence_files(store, criteria, raw)
        got = out.set_index(["criterion", "stage"])["evidence"].to_dict()
        assert got[(LEAF, "self")] == EVIDENCE_FILE
        assert got[(LEAF, "appraisal")] is None  # appraisal rows are never filled
        before = raw.set_index(["criterion", "stage"])["evidence"].to_dict()
        assert before[(LEAF, "self")] is None  # the caller's frame is not changed
        assert list(out["unit"].astype(str).unique()) == [UNIT]
    finally:
        store.dispose()
