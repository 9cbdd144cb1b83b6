"""AppTest: Thẩm định, the appraisers' page of a scoring round (issue 14, item 2): the queue
of units with counts and filters; an appraiser sees only its domains' leaves, appraises one
with a comment and asks for an explanation of another; only what the phase allows is
editable; the unit's explanation and files are shown; English labels."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import test_round_self_page as self_page_test
from conftest import plain
from test_round_self_page import (  # the round database and helpers of the Tự chấm test
    ADMIN,
    APPRAISER,
    PDF,
    UNIT,
    VIETNAM,
    edit,
    open_page,
    texts,
)

province = self_page_test.province  # the fixture: a round database of its own per test
EDITOR = "rappr_editor_1_x-an"


def _page() -> None:
    from par.app.round_appraise import page_round_appraise

    page_round_appraise()


def _self_scored(store, rnd, advance: bool = True):
    """x-an scored four leaves (with a file on 2.1) and submitted; x-binh scored 2.1."""
    from par.store import round_work as W
    from par.store import rounds as R

    W.save_rows(store, rnd.id, "x-an", "self", pd.DataFrame([
        {"criterion": "1.1", "value": "có"},
        {"criterion": "2.1", "value": "4", "note": "Đủ <b>4</b> văn bản"},
        {"criterion": "2.2", "value": "Tốt", "evidence": "BB 03"}]), actor=UNIT)
    W.add_evidence(store, rnd.id, "x-an", "2.1", [("qd [12].pdf", PDF)], actor=UNIT)
    R.submit_unit(store, rnd.id, "x-an", actor=UNIT)
    W.save_rows(store, rnd.id, "x-binh", "self", pd.DataFrame([
        {"criterion": "2.1", "value": "5", "evidence": "QĐ 1"}]), actor=ADMIN)
    if advance:
        R.advance(store, rnd.id, actor=ADMIN)


def _open(user="tuphap", lang="vi", unit="x-an", **state) -> object:
    at = open_page(_page, user, lang, state={"rappr_unit": unit, **state})
    return at


def _appraisal(store, rnd, unit="x-an") -> pd.DataFrame:
    from par.store.round_work import round_state

    rows = round_state(store, rnd.id).rows
    rows = rows[(rows["unit"].astype(str) == unit) & (rows["stage"].astype(str) == "appraisal")]
    return rows.assign(criterion=rows["criterion"].astype(str)).set_index("criterion")


def test_the_appraiser_sees_its_domain_appraises_one_leaf_and_flags_another(province):
    store, rnd = province
    from par.store import round_work as W

    _self_scored(store, rnd)
    at = _open()
    text = texts(at)
    assert "Giai đoạn: Thẩm định" in text and "Lĩnh vực thẩm định: 2. Pháp chế" in text
    queue = at.dataframe[0].value
    assert queue["Đơn vị"].tolist() == ["Phường Cường", "Xã An [thử](https://evil.example)",
                                        "Xã Bình"]  # the level's units, not Huyện Đông
    row = queue.set_index("Đơn vị").loc["Xã An [thử](https://evil.example)"]
    assert (bool(row["Đã nộp"]), row["Đã tự chấm"], row["Chưa thẩm định"]) == (True, 2, 2)
    assert at.radio(key="rappr_filter").options == [
        "Tất cả (3)", "Chưa thẩm định (2)", "Yêu cầu giải trình (0)", "Đã giải trình (0)"]
    editor = at.data_editor(key=EDITOR)
    table = editor.value.set_index("code")
    assert list(table.index) == ["2.1", "2.2"]  # domain 2 only
    assert table.at["2.1", "self_value"] == "4" and table.at["2.1", "self_points"] == 4
    assert table.at["2.1", "note"] == "Đủ <b>4</b> văn bản" and table.at["2.1", "files"] == 1
    assert table.at["2.2", "evidence"] == "BB 03" and not editor.proto.disabled
    assert "Đơn vị đã nộp bản tự chấm lúc" in text
    files = W.list_evidence(store, rnd.id, "x-an", actor=APPRAISER)
    assert at.get("download_button")[0].key == f"rappr_dl_{int(files['id'].iloc[0])}"
    assert any("qd \\[12\\]" in m.value for m in at.markdown)  # the file name escaped
    at = edit(at, EDITOR, {0: {"value": "3", "comment": "Thiếu 1 văn bản"},
                           1: {"explain": True, "comment": "Gửi biên bản có chữ ký"}})
    assert at.data_editor(key=EDITOR).value["points"].tolist()[0] == 3.0  # live
    assert _appraisal(store, rnd).empty
    at = at.button(key="rappr_save").click().run()
    assert not at.exception
    assert "1 tiêu chí, 1 yêu cầu giải trình" in plain(at.success[0].value)
    stored = _appraisal(store, rnd)
    assert list(stored.index) == ["2.1"]
    assert stored.at["2.1", "value"] == 3 and stored.at["2.1", "note"] == "Thiếu 1 văn bản"
    flags = W.flags_of(store, rnd.id, "x-an")
    assert flags[["criterion", "comment", "requested_by"]].values.tolist() == [
        ["2.2", "Gửi biên bản có chữ ký", "tuphap"]]
    table = at.data_editor(key=EDITOR).value.set_index("code")
    assert table.at["2.1", "points"] == 3 and table.at["2.2", "explain"]
    assert at.radio(key="rappr_filter").options[1:3] == ["Chưa thẩm định (2)",
                                                          "Yêu cầu giải trình (1)"]
    at = at.radio(key="rappr_filter").set_value("flagged").run()
    assert at.dataframe[0].value["Đơn vị"].tolist() == [
        "Xã An [thử](https://evil.example)"]


def test_a_comment_without_a_value_is_not_saved(province):
    store, rnd = province
    _self_scored(store, rnd)
    at = edit(_open(), EDITOR, {1: {"comment": "Chưa rõ"}})
    at = at.button(key="rappr_save").click().run()
    assert "2.2" in plain(at.error[0].value) and "chưa có giá trị thẩm định" in plain(at.error[0].value)
    assert _appraisal(store, rnd).empty


def test_in_the_self_phase_the_appraiser_only_reads(province):
    store, rnd = province
    _self_scored(store, rnd, advance=False)
    at = _open()
    assert "Giai đoạn Tự chấm: bạn chỉ xem" in texts(at)
    assert at.data_editor(key=EDITOR).proto.disabled
    assert "rappr_save" not in [b.key for b in at.button]


def test_in_the_final_phase_the_decision_is_written_without_new_requests(province):
    store, rnd = province
    from par.store import round_work as W
    from par.store import rounds as R

    _self_scored(store, rnd)
    W.flag(store, rnd.id, "x-an", "2.2", "Giải trình", actor=APPRAISER)
    R.advance(store, rnd.id, actor=ADMIN)
    W.explain(store, rnd.id, "x-an", "2.2", "Đã có biên bản", [("bb.pdf", PDF)], actor=UNIT)
    # the explanation phase: read only, the answer and its file shown
    at = _open(rappr_filter="explained")
    assert at.data_editor(key=EDITOR).proto.disabled
    table = at.data_editor(key=EDITOR).value.set_index("code")
    assert table.at["2.2", "explanation"] == "Đã có biên bản"
    assert any("giải trình" in m.value and "bb.pdf" in plain(m.value) for m in at.markdown)
    R.advance(store, rnd.id, actor=ADMIN)  # final
    at = _open()
    assert not at.data_editor(key=EDITOR).proto.disabled
    assert '"explain"' in at.data_editor(key=EDITOR).proto.columns  # configured…
    at = edit(at, EDITOR, {0: {"explain": True, "value": "5", "comment": "Đủ"},
                           1: {"value": "Chậm", "comment": "Đồng ý một phần"}})
    at = at.button(key="rappr_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    stored = _appraisal(store, rnd)
    assert stored.loc[["2.1", "2.2"], "value_text"].tolist() == ["5", "Chậm"]
    assert W.flags_of(store, rnd.id, "x-an")["criterion"].tolist() == ["2.2"]  # no new request


def test_admin_sees_every_domain_and_others_are_sent_away(province):
    store, rnd = province
    _self_scored(store, rnd)
    at = _open("office")
    assert at.data_editor(key=EDITOR).value["code"].tolist() == ["1.1", "1.2", "2.1", "2.2", "3.1"]
    assert "Numerator" not in at.data_editor(key=EDITOR).proto.columns
    at = _open("lan")
    assert "dành cho thành viên hội đồng thẩm định" in texts(at)
    assert not at.data_editor


def test_english_labels(province):
    store, rnd = province
    _self_scored(store, rnd)
    at = _open(lang="en")
    assert at.title[0].value == "Appraisal"
    assert "Phase: Appraisal" in texts(at)
    assert at.radio(key="rappr_filter").options[1] == "Not yet appraised (2)"
    assert "Appraised value" in at.data_editor(key=EDITOR).proto.columns
    assert at.button(key="rappr_save").label == "Save the appraisal"
    assert list(at.dataframe[0].value.columns)[:2] == ["Unit", "Submitted"]


@pytest.mark.parametrize("late", [False, True])
def test_the_explanation_deadline_closes_the_units_answers(province, monkeypatch, late):
    """The unit's side of a flag, from the appraiser's request to the deadline."""
    store, rnd = province
    from par.store import round_work as W
    from par.store import rounds as R

    _self_scored(store, rnd)
    W.flag(store, rnd.id, "x-an", "2.2", "Giải trình", actor=APPRAISER)
    R.advance(store, rnd.id, actor=ADMIN)
    if late:
        monkeypatch.setattr(R, "clock", lambda: dt.datetime(2025, 12, 16, tzinfo=VIETNAM))
    from test_round_self_page import _page as self_page

    at = open_page(self_page, "lan")
    assert bool(at.text_area) is not late
    if late:
        assert "đã quá hạn giải trình (15/12/2025 23:59)" in texts(at)
