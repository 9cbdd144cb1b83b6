"""The round pages' logic (par.present.round_self, par.present.round_appraise): deadlines and
time left, progress, the editor's table and its edits, the points each leaf gives live, the
appraisers' queue, filters and what a save sends."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import build_criteria, make_rows, make_units, row

from par.domain.auth import Actor
from par.domain.rounds import VIETNAM
from par.present import round_appraise as RA
from par.present import round_self as RS

SET = """
    domains:
      - code: "1"
        name: Chỉ đạo
        max: 10
        children:
          - {code: "1.1", name: Kế hoạch, max: 4, rule: {type: yes_no}}
          - {code: "1.2", name: Tỷ lệ, max: 6, rule: {type: ratio, bands: [{min: 100, points: 6}, {min: 80, points: 3}]}}
      - code: "2"
        name: Pháp chế
        max: 10
        evidence_required: true
        children:
          - {code: "2.1", name: Văn bản, max: 5, rule: {type: points}}
          - {code: "2.2", name: Kiểm tra, max: 5, rule: {type: choice, options: {"Tốt": 1, "Chậm": 0.5}}}
    """


@pytest.fixture(scope="module")
def world():
    criteria = build_criteria(SET)
    units = make_units("a b c")
    rows = make_rows(criteria, units, [
        row("a", "1.1", "có", stage="self"),
        row("a", "1.2", numerator="9", denominator="10", stage="self", note="ghi chú"),
        row("a", "2.1", "4", stage="self", evidence="QĐ 12"),
        row("a", "2.1", "3", stage="appraisal", note="Thiếu một văn bản"),
        row("a", "2.2", "Tốt", stage="self"),  # needs evidence, has none: 0 points
        row("b", "2.1", "5", stage="self", evidence="QĐ 1"),
    ])
    return criteria, units, rows


def _typed(criteria, units, entries: list[dict], stage: str = "self"):
    return make_rows(criteria, units, [row(e.pop("unit", "a"), stage=stage, **e) for e in entries])


# -- deadlines and progress ---------------------------------------------------------------

NOW = dt.datetime(2025, 11, 20, 10, 0, tzinfo=VIETNAM)


@pytest.mark.parametrize(("delta", "vi", "en"), [
    (dt.timedelta(days=3, hours=4, minutes=20), "còn 3 ngày 4 giờ", "3 days 4 hours left"),
    (dt.timedelta(hours=5, minutes=10), "còn 5 giờ 10 phút", "5 hours 10 minutes left"),
    (dt.timedelta(minutes=7, seconds=30), "còn 7 phút", "7 minutes left"),
    (dt.timedelta(seconds=20), "còn 1 phút", "1 minutes left"),
    (dt.timedelta(0), "đã hết hạn", "past the deadline"),
    (-dt.timedelta(days=2), "đã hết hạn", "past the deadline"),
])
def test_time_left_in_days_hours_minutes_or_expired(delta, vi, en):
    assert RS.time_left(NOW + delta, NOW, "vi") == vi
    assert RS.time_left(NOW + delta, NOW, "en") == en


def test_the_deadline_reads_in_vietnam_time_whatever_zone_it_comes_in():
    deadline = dt.datetime(2025, 11, 30, 10, 0, tzinfo=dt.timezone.utc)  # 17:00 in Vietnam
    assert RS.deadline_text(deadline, NOW, "vi") == "30/11/2025 17:00 (còn 10 ngày 7 giờ)"
    assert RS.deadline_text(deadline, NOW, "en") == "2025-11-30 17:00 (10 days 7 hours left)"


def test_progress_sentence():
    status = {"self": 42, "leaves": 70, "missing_evidence": 3}
    assert RS.progress_text(status, "vi") == "42/70 tiêu chí đã chấm, 3 thiếu tài liệu"
    assert RS.progress_text(status, "en") == "42/70 criteria scored, 3 without evidence"


def test_only_the_appraisal_phase_onward_shows_appraised_points():
    assert not RS.is_after_appraisal("self")
    assert all(RS.is_after_appraisal(p)
               for p in ("appraisal", "explanation", "final", "published"))


# -- the editor's table -------------------------------------------------------------------

def test_self_table_holds_the_units_own_rows_and_the_appraisal(world):
    criteria, units, rows = world
    codes = RS.domain_leaves(criteria, "2")
    assert codes == ["2.1", "2.2"]
    table = RS.self_table(criteria, RS.domain_leaves(criteria, "1") + codes, rows, "a", "2025",
                          {"1.1": "Có: 4 điểm"}, "vi")
    assert list(table.columns) == RS.TABLE_COLUMNS
    t = table.set_index("code")
    assert t.at["1.1", "value"] == "có" and t.at["1.1", "rule"] == "Có: 4 điểm"
    assert t.at["1.2", "numerator"] == 9 and t.at["1.2", "denominator"] == 10
    assert t.at["1.2", "note"] == "ghi chú" and t.at["1.2", "value"] == ""
    assert t.at["2.1", "evidence"] == "QĐ 12"
    assert t.at["2.1", "appraised"] == "3" and t.at["2.1", "comment"] == "Thiếu một văn bản"
    assert t.at["2.2", "appraised"] == "" and np.isnan(t.at["2.2", "points"])
    other = RS.self_table(criteria, codes, rows, "c", "2025", {}, "vi")  # nothing yet
    assert (other["value"] == "").all() and other["numerator"].isna().all()
    assert RS.self_table(criteria, codes, rows, "a", "2025-Q1", {}, "vi")["value"].eq("").all()


def test_the_stores_placeholder_for_attached_files_is_never_shown_as_typed(world):
    criteria, units, _ = world
    rows = make_rows(criteria, units, [row("a", "2.1", "4", stage="self",
                                           evidence="[tệp đính kèm]")])
    table = RS.self_table(criteria, ["2.1"], rows, "a", "2025", {}, hidden_evidence="[tệp đính kèm]")
    assert table.at[0, "evidence"] == ""


def test_edits_apply_to_the_input_columns_only(world):
    criteria, units, rows = world
    table = RS.self_table(criteria, ["1.1", "1.2"], rows, "a", "2025", {})
    state = {"edited_rows": {"0": {"value": "không", "points": 99, "code": "x"},
                             1: {"numerator": 10, "note": None}}}
    edited = RS.apply_edits(table, state)
    assert edited.at[0, "value"] == "không" and edited.at[0, "code"] == "1.1"
    assert np.isnan(edited.at[0, "points"])
    assert edited.at[1, "numerator"] == 10.0 and edited.at[1, "note"] == ""
    assert table.at[0, "value"] == "có"  # the table itself is left alone
    assert RS.apply_edits(table, None) is table


def test_changed_entries_are_the_rows_that_differ_as_text(world):
    criteria, units, rows = world
    base = RS.self_table(criteria, ["1.1", "1.2", "2.2"], rows, "a", "2025", {})
    edited = RS.apply_edits(base, {"edited_rows": {1: {"numerator": 10.0},
                                                   2: {"value": ""}}})
    changes = RS.changed_entries(base, edited)
    assert list(changes.columns) == RS.ENTRY_COLUMNS
    assert changes["criterion"].tolist() == ["1.2", "2.2"]
    first = changes.iloc[0]
    assert (first["numerator"], first["denominator"], first["note"]) == ("10", "10", "ghi chú")
    assert RS.filled(changes).tolist() == [True, False]  # 2.2 emptied: a save clears it
    assert RS.changed_entries(base, base).empty


# -- points -------------------------------------------------------------------------------

def test_live_points_score_the_typed_rows_in_place_of_the_stored_ones(world):
    criteria, units, rows = world
    stored = RS.live_points(criteria, units, rows, "a", "2025")
    assert stored.at["1.1", "self_points"] == 4 and stored.at["1.2", "self_points"] == 3
    assert stored.at["2.2", "self_points"] == 0 and stored.at["2.2", "missing_evidence"]
    assert stored.at["2.1", "self_points"] == 4 and stored.at["2.1", "points"] == 3
    assert stored.at["2.1", "stage"] == "appraisal" and stored.at["1.1", "stage"] == "self"
    typed = _typed(criteria, units, [dict(criterion="1.2", numerator="10", denominator="10")])
    live = RS.live_points(criteria, units, rows, "a", "2025", typed, replaced=["1.1", "1.2"])
    assert live.at["1.2", "self_points"] == 6
    assert np.isnan(live.at["1.1", "self_points"])  # replaced without a row: cleared
    assert live.at["2.1", "points"] == 3  # other leaves as stored
    # a file attached to a leaf that needs evidence: the store reads the filler text
    typed = _typed(criteria, units, [dict(criterion="2.2", value="Chậm")])
    assert RS.live_points(criteria, units, rows, "a", "2025", typed,
                          replaced=["2.2"]).at["2.2", "self_points"] == 0
    with_file = RS.live_points(criteria, units, rows, "a", "2025", typed, replaced=["2.2"],
                               with_files={"2.2"}, filler="[tệp đính kèm]")
    assert with_file.at["2.2", "self_points"] == 2.5
    assert RS.missing_evidence(stored, ["2.1", "2.2"]) == ["2.2"]
    assert RS.missing_evidence(with_file, ["2.1", "2.2"]) == []


def test_live_appraisal_points_and_the_table_with_points(world):
    criteria, units, rows = world
    typed = _typed(criteria, units, [dict(criterion="2.2", value="Chậm")], stage="appraisal")
    live = RS.live_points(criteria, units, rows, "a", "2025", typed, stage="appraisal",
                          replaced=["2.1", "2.2"])
    assert live.at["2.2", "points"] == 2.5 and live.at["2.2", "stage"] == "appraisal"
    assert live.at["2.1", "points"] == 4 and live.at["2.1", "stage"] == "self"  # cleared
    table = RS.with_points(RS.self_table(criteria, ["2.1", "2.2"], rows, "a", "2025", {}),
                           RS.live_points(criteria, units, rows, "a", "2025"))
    assert table["points"].tolist() == [4.0, 0.0]
    assert table.at[0, "appraised_points"] == 3 and np.isnan(table.at[1, "appraised_points"])
    assert RS.domain_total(table) == (4.0, 10.0)
    assert RS.points_text(7.5, "vi") == "7,5" and RS.points_text(10, "vi") == "10"
    assert RS.points_text(np.nan, "en") == "–" and RS.points_text(0.25, "en") == "0.25"


def test_a_unit_without_rows_scores_nothing(world):
    criteria, units, rows = world
    points = RS.live_points(criteria, units, rows, "c", "2025")
    assert points["self_points"].isna().all() and points["points"].isna().all()


# -- flags and files ----------------------------------------------------------------------

def _flags():
    return pd.DataFrame({
        "id": [1, 2, 3], "round_id": 1, "unit": ["a", "a", "b"],
        "criterion": ["2.2", "1.2", "2.1"], "comment": ["Bổ sung", None, "x"],
        "requested_by": "tp", "requested_at": pd.Timestamp("2025-12-01"),
        "explanation": [None, "Đã bổ sung", None], "explained_by": [None, "lan", None],
        "explained_at": [None, pd.Timestamp("2025-12-02"), None]})


def _files():
    return pd.DataFrame({"unit": ["a", "a", "a", "b"], "id": [4, 2, 3, 5],
                         "criterion": ["2.1", "2.1", "2.2", "2.1"],
                         "purpose": ["self", "self", "explanation", "self"],
                         "name": ["b.pdf", "a.pdf", "c.png", "d.pdf"], "size": [10, 2048, 5, 1],
                         "sha256": "x", "added_by": "lan",
                         "added_at": pd.Timestamp("2025-11-01")})


def test_flagged_leaves_in_tree_order_with_blanks_for_none(world):
    criteria = world[0]
    flags = RS.flagged_leaves(_flags(), "a", criteria, "vi")
    assert flags["code"].tolist() == ["1.2", "2.2"]
    assert flags["name"].tolist() == ["Tỷ lệ", "Kiểm tra"]
    assert flags.at[0, "comment"] == "" and flags.at[1, "explanation"] == ""
    assert RS.flagged_leaves(_flags().iloc[0:0], "a", criteria).empty


def test_files_of_a_unit_by_leaf_and_purpose_and_their_sizes():
    files = RS.files_of(_files(), "a", ["2.1"], "self")
    assert files["id"].tolist() == [2, 4]
    assert RS.files_of(_files(), "a", purpose="explanation")["name"].tolist() == ["c.png"]
    assert RS.file_counts(_files(), "a", ["2.1", "2.2", "1.1"]).tolist() == [2, 0, 0]
    assert RS.size_text(850) == "850 B" and RS.size_text(2048) == "2 KB"
    assert RS.size_text(1.5 * 1024 * 1024, "vi") == "1,5 MB"


# -- the appraisers' page -----------------------------------------------------------------

def _states(world, flags=None):
    from par.analysis.round_status import leaf_states

    criteria, units, rows = world
    return leaf_states(criteria, units, rows, "2025", _flags() if flags is None else flags,
                       _files())


def test_an_appraiser_has_its_domains_and_an_admin_all(world):
    criteria = world[0]
    assert RA.my_domains(Actor("tp", "appraiser", domains=frozenset({"2", "9"})), criteria) == ["2"]
    assert RA.my_domains(Actor("o", "admin"), criteria) == ["1", "2"]
    assert RA.my_domains(Actor("u", "unit", frozenset({"a"})), criteria) == []


def test_the_queue_counts_leaves_of_my_domains_and_filters(world):
    criteria, units, _ = world
    q = RA.queue(_states(world), units, criteria, ["2"], ["b"])
    assert list(q.columns) == RA.QUEUE_COLUMNS
    q = q.set_index("unit")
    assert q.loc["a", ["self", "appraised", "todo", "flagged", "explained"]].tolist() == [2, 1, 1, 1, 0]
    assert q.loc["b", ["self", "todo", "flagged"]].tolist() == [1, 1, 1]
    assert q.loc["c", ["self", "todo"]].tolist() == [0, 0]
    assert q["submitted"].tolist() == [False, True, False] and (q["leaves"] == 2).all()
    q = q.reset_index()
    assert RA.filter_queue(q, "todo")["unit"].tolist() == ["a", "b"]
    assert RA.filter_queue(q, "flagged")["unit"].tolist() == ["a", "b"]
    assert RA.filter_queue(q, "explained").empty
    assert RA.filter_queue(q, "all") is q
    mine1 = RA.queue(_states(world), units, criteria, ["1"], [])
    assert mine1.set_index("unit").loc["a", ["self", "flagged", "explained"]].tolist() == [2, 1, 1]
    assert RA.filter_queue(mine1, "explained")["unit"].tolist() == ["a"]
    assert RA.filter_label(q, "todo", "vi") == "Chưa thẩm định (2)"
    assert RA.filter_label(q, "explained", "en") == "Explained (0)"
    shown = RA.queue_table(q, "en")
    assert list(shown.columns)[:3] == ["Unit", "Submitted", "Self-scored"]
    assert shown["Not yet appraised"].dtype.kind == "i"


def _appraise_base(world):
    criteria, units, rows = world
    points = RS.live_points(criteria, units, rows, "a", "2025")
    return RA.appraise_table(criteria, ["2.1", "2.2"], rows, "a", "2025", _flags(), _files(),
                             points, "vi")


def test_the_appraisal_table_shows_the_units_figures_beside_the_appraisal(world):
    base = _appraise_base(world)
    assert list(base.columns) == RA.APPRAISE_COLUMNS
    t = base.set_index("code")
    assert t.at["2.1", "self_value"] == "4" and t.at["2.1", "self_points"] == 4
    assert t.at["2.1", "evidence"] == "QĐ 12" and t.at["2.1", "files"] == 2
    assert t.at["2.1", "value"] == "3" and t.at["2.1", "comment"] == "Thiếu một văn bản"
    assert t.at["2.1", "points"] == 3 and not t.at["2.1", "explain"]
    assert t.at["2.2", "explain"] and t.at["2.2", "value"] == "" and np.isnan(t.at["2.2", "points"])
    criteria, units, rows = world
    ratio = RA.appraise_table(criteria, ["1.2"], rows, "a", "2025", _flags(), _files(),
                              RS.live_points(criteria, units, rows, "a", "2025"), "vi")
    assert ratio.at[0, "self_value"] == "9/10" and ratio.at[0, "explanation"] == "Đã bổ sung"


def test_what_an_appraisal_save_sends(world):
    base = _appraise_base(world)
    edited = RS.apply_edits(base, {"edited_rows": {0: {"comment": "Đủ"}}}, RA.EDITABLE)
    entries, explain, problems = RA.appraisal_changes(base, edited)
    assert entries.to_dict("records") == [{"criterion": "2.1", "value": "3", "numerator": "",
                                           "denominator": "", "evidence": "", "note": "Đủ"}]
    assert explain == {} and problems == []
    # a comment on a leaf never appraised: only as an explanation request, else a problem
    edited = RS.apply_edits(base, {"edited_rows": {1: {"comment": "Vì sao?"}}}, RA.EDITABLE)
    entries, explain, problems = RA.appraisal_changes(base, edited)
    assert explain == {"2.2": "Vì sao?"} and entries.empty and problems == []
    no_flag = base.assign(explain=False)
    edited = RS.apply_edits(no_flag, {"edited_rows": {1: {"comment": "Vì sao?"}}}, RA.EDITABLE)
    entries, explain, problems = RA.appraisal_changes(no_flag, edited)
    assert entries.empty and explain == {}
    assert [p.code for p in problems] == ["rappr.comment_without_value"]
    assert "2.2" in problems[0].render("vi")
    # a new tick with a figure; an emptied figure clears; an old request cannot be taken back
    edited = RS.apply_edits(no_flag, {"edited_rows": {0: {"value": ""}, 1: {
        "value": "Chậm", "comment": "Giải trình biên bản", "explain": True}}}, RA.EDITABLE)
    entries, explain, problems = RA.appraisal_changes(no_flag, edited)
    assert entries["criterion"].tolist() == ["2.1", "2.2"] and entries.at[0, "value"] == ""
    assert explain == {"2.2": "Giải trình biên bản"} and problems == []
    edited = RS.apply_edits(base, {"edited_rows": {1: {"explain": False}}}, RA.EDITABLE)
    assert [p.code for p in RA.appraisal_changes(base, edited)[2]] == ["rappr.flag_kept"]
    # in the final phase the ticks are not asked for: nothing is flagged
    edited = RS.apply_edits(no_flag, {"edited_rows": {1: {"value": "Tốt", "explain": True}}},
                            RA.EDITABLE)
    entries, explain, problems = RA.appraisal_changes(no_flag, edited, may_flag=False)
    assert entries["criterion"].tolist() == ["2.2"] and explain == {} and problems == []
    edited = RS.apply_edits(base, {"edited_rows": {1: {"value": "Tốt", "comment": "Đồng ý"}}},
                            RA.EDITABLE)  # an earlier request, its comment now the decision's
    entries, explain, problems = RA.appraisal_changes(base, edited, may_flag=False)
    assert entries["criterion"].tolist() == ["2.2"] and explain == {} and problems == []
    assert RA.appraisal_changes(base, edited)[1] == {"2.2": "Đồng ý"}
