"""unit_sheet / sheet_totals (par.analysis.round_sheet) on a hand-built round in a temp SQLite:
self points from self rows only (missing evidence scores 0 there), appraised points where an
appraisal row exists, nodes summed, the council's comment and the unit's explanation."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from par.analysis.round_sheet import SHEET_COLUMNS, sheet_totals, unit_sheet
from par.domain.auth import Actor
from par.domain.issues import ParError
from par.engine.criteria import check_criteria_text
from par.store import round_work as W
from par.store import rounds as R
from par.store.library import add_set
from par.store.storage import Store

SMALL = """id: sheet-2025
title: Bộ thử phiếu chấm
year: 2025
level: xa
evidence_required: true
domains:
  - code: "1"
    name: Chỉ đạo, điều hành
    max: 10
    children:
      - code: "1.1"
        name: Kế hoạch
        max: 6
        children:
          - {code: "1.1.1", name: Ban hành kế hoạch, max: 3, rule: {type: points}}
          - {code: "1.1.2", name: Thực hiện kế hoạch, max: 3, rule: {type: points}}
      - {code: "1.2", name: Báo cáo, max: 4, rule: {type: yes_no}}
  - code: "2"
    name: Thể chế
    max: 10
    children:
      - {code: "2.1", name: Văn bản QPPL, max: 10, rule: {type: points}}
"""
ADMIN = Actor("admin", "admin")


def small_round(path):
    """(store, round id): units a and b; a self-scores 1.1.1=3 (evidence), 1.1.2=2 (evidence),
    1.2=có (no evidence: 0), 2.1=9 (evidence); the council appraises 1.1.2 → 1 and 2.1 → 7
    with comments, asks a to explain 2.1 (answered) and 1.1.1 (not answered, no appraisal
    row); b sends nothing."""
    criteria, issues = check_criteria_text(SMALL, "sheet.yaml")
    assert criteria is not None, issues
    store = Store(f"sqlite:///{path / 'sheet.db'}")
    store.sync_units(pd.DataFrame({"id": ["a", "b"], "name": ["Xã A", "Xã B"],
                                   "level": ["xa", "xa"], "group": [None, None]}))
    add_set(store, criteria, actor=ADMIN)
    rnd = R.create_round(store, criteria, "2025", self_until="2099-01-01",
                         explain_until="2099-02-01", actor=ADMIN)
    W.save_rows(store, rnd.id, "a", "self", pd.DataFrame([
        {"criterion": "1.1.1", "value": "3", "evidence": "KH số 1"},
        {"criterion": "1.1.2", "value": "2", "evidence": "BC số 2"},
        {"criterion": "1.2", "value": "có"},
        {"criterion": "2.1", "value": "9", "evidence": "QĐ 12"}]), actor=ADMIN)
    R.advance(store, rnd.id, actor=ADMIN)
    W.appraise(store, rnd.id, "a", "1.1.2", value="1", comment="Mới đạt 1/3 chỉ tiêu",
               actor=ADMIN)
    W.appraise(store, rnd.id, "a", "2.1", value="7", comment="Thiếu QĐ ban hành",
               explain=True, actor=ADMIN)
    W.flag(store, rnd.id, "a", "1.1.1", "Đề nghị bổ sung kế hoạch", actor=ADMIN)
    R.advance(store, rnd.id, actor=ADMIN)
    W.explain(store, rnd.id, "a", "2.1", "Đã bổ sung QĐ 15/QĐ-UBND", actor=ADMIN)
    return store, rnd.id


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    store, rid = small_round(tmp_path_factory.mktemp("sheet"))
    return W.round_state(store, rid)


def test_columns_and_tree_order(state):
    sheet = unit_sheet(state, "a")
    assert list(sheet.columns) == SHEET_COLUMNS
    assert sheet["code"].tolist() == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "2.1"]
    assert sheet["depth"].tolist() == [0, 1, 2, 2, 1, 0, 1]
    assert sheet["kind"].tolist() == ["domain", "criterion", "leaf", "leaf", "leaf", "domain",
                                      "leaf"]
    assert sheet["max"].tolist() == [10, 6, 3, 3, 4, 10, 10]
    assert sheet["name"].iloc[2] == "Ban hành kế hoạch"


def test_self_and_appraised_points(state):
    s = unit_sheet(state, "a").set_index("code")
    # self: from self rows only; 1.2 has no evidence → 0 there; nodes summed
    assert s.loc[["1.1.1", "1.1.2", "1.2", "2.1"], "self_points"].tolist() == [3, 2, 0, 9]
    assert s.at["1.1", "self_points"] == 5 and s.at["1", "self_points"] == 5
    assert s.at["2", "self_points"] == 9
    # appraised: only where an appraisal row exists; a node sums its appraised leaves
    assert math.isnan(s.at["1.1.1", "appraised_points"])
    assert math.isnan(s.at["1.2", "appraised_points"])
    assert s.at["1.1.2", "appraised_points"] == 1 and s.at["2.1", "appraised_points"] == 7
    assert s.at["1.1", "appraised_points"] == 1 and s.at["1", "appraised_points"] == 1
    assert s.at["2", "appraised_points"] == 7


def test_comment_and_explanation(state):
    s = unit_sheet(state, "a").set_index("code")
    assert s.at["1.1.2", "comment"] == "Mới đạt 1/3 chỉ tiêu"
    assert s.at["2.1", "comment"] == "Thiếu QĐ ban hành"
    assert s.at["2.1", "explanation"] == "Đã bổ sung QĐ 15/QĐ-UBND"
    # flagged without an appraisal row: the request is the council's comment, no answer yet
    assert s.at["1.1.1", "comment"] == "Đề nghị bổ sung kế hoạch"
    assert s.at["1.1.1", "explanation"] == ""
    assert s.loc[["1", "1.1", "1.2", "2"], "comment"].tolist() == ["", "", "", ""]


def test_a_unit_without_rows(state):
    s = unit_sheet(state, "b")
    assert s["self_points"].isna().all() and s["appraised_points"].isna().all()
    assert (s["comment"] == "").all() and (s["explanation"] == "").all()
    totals = sheet_totals(state, "b")
    assert math.isnan(totals["self_score"]) and math.isnan(totals["appraised_score"])
    assert totals["appraised"] == 0 and totals["flagged"] == 0


def test_totals(state):
    totals = sheet_totals(state, "a")
    assert totals["max"] == 20
    assert totals["self_score"] == 14 and totals["self_index"] == 70
    assert totals["appraised_score"] == 8  # 1.1.2 (1) + 2.1 (7)
    # the contract's result: appraisal rows decide, self rows elsewhere (1.1.1 3, 1.2 0)
    assert totals["score"] == 11 and totals["index"] == 55
    assert (totals["appraised"], totals["flagged"], totals["explained"],
            totals["leaves"]) == (2, 2, 1, 4)


def test_english_names_and_unknown_unit(state):
    assert unit_sheet(state, "a", lang="en")["name"].iloc[0] == "Chỉ đạo, điều hành"  # no name_en
    with pytest.raises(ParError) as exc:
        unit_sheet(state, "nowhere")
    assert [i.code for i in exc.value.issues] == ["docs.unknown_unit"]
    assert "'nowhere'" in exc.value.issues[0].render("vi")
