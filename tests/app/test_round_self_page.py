"""AppTest: Tự chấm, the unit's self-assessment page of a scoring round (issue 14, item 2):
the unit scores leaves in the editor (points shown live, rows stored on save), attaches an
evidence file, submits (then the page is locked); a write past the deadline is refused in
Vietnamese and stores nothing; after appraisal the unit sees the appraised points and
comments and, in the explanation phase, explains a flagged leaf; English labels."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from conftest import plain
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor
from par.domain.rounds import VIETNAM
from par.engine.criteria import check_criteria_text

TIMEOUT = 60
PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
NOW = dt.datetime(2025, 11, 20, 10, 0, tzinfo=VIETNAM)
SET_YAML = """id: thu-xa-2025
title: Bộ chỉ số thử cấp xã 2025
year: 2025
level: xa
max_total: 30
domains:
  - code: "1"
    name: Chỉ đạo điều hành
    name_en: Direction
    max: 10
    children:
      - {code: "1.1", name: Kế hoạch CCHC, name_en: PAR plan, max: 4, rule: {type: yes_no}}
      - code: "1.2"
        name: Tỷ lệ nhiệm vụ hoàn thành
        name_en: Tasks completed
        max: 6
        rule: {type: ratio, bands: [{min: 100, points: 6}, {min: 80, points: 3}]}
  - code: "2"
    name: Pháp chế
    name_en: Legal work
    max: 10
    evidence_required: true
    children:
      - {code: "2.1", name: Văn bản đúng hạn, name_en: Documents on time, max: 5, rule: {type: points}}
      - code: "2.2"
        name: Tự kiểm tra văn bản
        name_en: Self-inspection
        max: 5
        rule: {type: choice, options: {"Tốt": 1, "Chậm": 0.5, "Không": 0}}
  - code: "3"
    name: Thủ tục hành chính
    name_en: Procedures
    max: 10
    children:
      - {code: "3.1", name: Hồ sơ trực tuyến, name_en: Online dossiers, max: 10, rule: {type: count, per_item: 2}}
"""
UNITS = pd.DataFrame({"id": ["x-an", "x-binh", "p-cuong", "h-dong"],
                      "name": ["Xã An [thử](https://evil.example)", "Xã Bình", "Phường Cường",
                               "Huyện Đông"],
                      "level": ["xa", "xa", "xa", "huyen"],
                      "group": ["xa", "xa", "phuong", None]})
ADMIN = Actor("office", "admin")
UNIT = Actor("lan", "unit", frozenset({"x-an"}))
APPRAISER = Actor("tuphap", "appraiser", domains=frozenset({"2"}))
PDF = b"%PDF-1.4\n% bien ban\n"


def criteria_set():
    criteria, issues = check_criteria_text(SET_YAML, "thu.yaml")
    assert criteria is not None, issues
    return dataclasses.replace(criteria, yaml_text=SET_YAML,
                               sha256=hashlib.sha256(SET_YAML.encode()).hexdigest())


def build_round(url: str):
    """A province database with the set, three communes, an admin, a unit user of x-an and
    an appraiser of domain 2, and a round of 2025 in its self phase; returns (store, round)."""
    from par.store import rounds as R
    from par.store.accounts import Accounts
    from par.store.library import add_set
    from par.store.storage import Store

    store = Store(url)
    store.sync_units(UNITS)
    criteria = criteria_set()
    add_set(store, criteria, actor=ADMIN, activate=True)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", PASSWORD)
    accounts.add(ADMIN, "lan", "unit", PASSWORD, ["x-an"])
    accounts.add(ADMIN, "tuphap", "appraiser", PASSWORD, domains=["2"])
    accounts.add(ADMIN, "hoa", "unit", PASSWORD, ["h-dong"])  # a level without a round
    rnd = R.create_round(store, criteria, "2025", self_until="2025-11-30T17:00",
                         explain_until="2025-12-15", actor=ADMIN)
    return store, rnd


@pytest.fixture
def province(tmp_path, monkeypatch):
    from par.store import rounds as R

    url = f"sqlite:///{tmp_path / 'round.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    monkeypatch.setattr(R, "clock", lambda: NOW)
    st.cache_resource.clear()
    st.cache_data.clear()
    store, rnd = build_round(url)
    yield store, rnd
    st.cache_resource.clear()
    st.cache_data.clear()
    store.dispose()


def _page() -> None:
    from par.app.round_self import page_round_self

    page_round_self()


def open_page(page, user: str, lang: str = "vi", state: dict | None = None) -> AppTest:
    at = AppTest.from_function(page, default_timeout=TIMEOUT)
    at.session_state["account"] = user
    at.session_state["seen"] = time.time()
    at.session_state["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at = at.run()
    assert not at.exception, at.exception
    return at


def edit(at: AppTest, key: str, rows: dict) -> AppTest:
    """Type into a keyed data editor (AppTest seeds its edit state) and rerun."""
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at = at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    return "\n".join(plain(p).replace("**", "") for p in parts)


EDITOR_1 = "rself_editor_1_x-an_1"  # round 1, unit x-an, domain 1
EDITOR_2 = "rself_editor_1_x-an_2"


def stored(store, rnd, unit="x-an") -> pd.DataFrame:
    """The unit's current rows of the round, read back from the store."""
    from par.store.round_work import round_state

    rows = round_state(store, rnd.id).rows
    return rows[rows["unit"].astype(str) == unit].assign(
        criterion=lambda f: f["criterion"].astype(str), stage=lambda f: f["stage"].astype(str))


def test_the_unit_scores_two_leaves_live_and_saves_them(province):
    store, rnd = province
    at = open_page(_page, "lan")
    text = texts(at)
    assert "Giai đoạn: Tự chấm" in text
    assert "Hạn tự chấm: 30/11/2025 17:00 (còn 10 ngày 7 giờ)" in text
    assert "Tiến độ: 0/5 tiêu chí đã chấm, 0 thiếu tài liệu" in text
    # the unit's name is shown as typed, never as a link
    assert any("Xã An \\[thử\\]" in c.value for c in at.caption)
    editor = at.data_editor(key=EDITOR_1)
    assert editor.value["code"].tolist() == ["1.1", "1.2"]
    assert "Tỷ lệ (%) = Tử số / Mẫu số" in editor.value.at[1, "rule"]
    assert not editor.proto.disabled
    at = edit(at, EDITOR_1, {0: {"value": "có"}, 1: {"numerator": 9, "denominator": 10}})
    assert at.data_editor(key=EDITOR_1).value["points"].tolist() == [4.0, 3.0]  # live
    assert "Điểm tự chấm của lĩnh vực: 7/10." in texts(at)
    assert stored(store, rnd).empty  # nothing written before the button
    at = at.button(key="rself_save").click().run()
    assert not at.exception
    assert "Đã lưu 2 tiêu chí: 1.1, 1.2." in [plain(s.value) for s in at.success]
    rows = stored(store, rnd).set_index("criterion")
    assert rows.at["1.1", "value_text"] == "có" and rows.at["1.1", "stage"] == "self"
    assert (rows.at["1.2", "numerator"], rows.at["1.2", "denominator"]) == (9, 10)
    editor = at.data_editor(key=EDITOR_1).value  # the stored values, scored
    assert editor["value"].tolist() == ["có", ""] and editor["points"].tolist() == [4.0, 3.0]
    assert "Tiến độ: 2/5 tiêu chí đã chấm" in texts(at)
    # a value the rule cannot read: named, not scored, and refused by the store on save
    at = edit(at, EDITOR_1, {0: {"value": "hình như có"}})
    warning = "\n".join(plain(w.value) for w in at.warning)
    assert "chưa hợp lệ" in warning and "1.1" in warning
    assert np.isnan(at.data_editor(key=EDITOR_1).value.at[0, "points"])
    at = at.button(key="rself_save").click().run()
    assert "1.1" in plain(at.error[0].value)
    assert stored(store, rnd).set_index("criterion").at["1.1", "value_text"] == "có"


def test_evidence_files_per_leaf_and_a_bad_file_refused_in_vietnamese(province):
    store, rnd = province
    from par.store.round_work import list_evidence

    at = open_page(_page, "lan", state={"rself_domain": "2"})
    at = edit(at, EDITOR_2, {0: {"value": "4"}, 1: {"value": "Tốt"}})
    assert at.data_editor(key=EDITOR_2).value["points"].tolist() == [0.0, 0.0]
    assert "2.1, 2.2 cần tài liệu kiểm chứng" in "\n".join(plain(w.value) for w in at.warning)
    at = at.selectbox(key="rself_evidence_leaf").set_value("2.1").run()
    at = at.file_uploader(key="rself_files_0").set_value(
        [("biên bản [1].pdf", PDF, "application/pdf")]).run()
    at = at.button(key="rself_attach").click().run()
    assert not at.exception
    assert "Đã đính kèm 1 tệp cho tiêu chí 2.1." in [plain(s.value) for s in at.success]
    files = list_evidence(store, rnd.id, "x-an", actor=UNIT)
    assert files["name"].tolist() == ["biên bản [1].pdf"] and files["criterion"].tolist() == ["2.1"]
    fid = int(files["id"].iloc[0])
    assert at.get("download_button")[0].label == "Tải về"
    line = next(m.value for m in at.markdown if "biên bản" in m.value)
    assert "\\[1\\]" in line and plain(line).startswith("**biên bản [1].pdf** · 20 B · lan")
    assert at.button(key=f"rself_rm_{fid}")
    # the typed values, still unsaved, now score 2.1 (it has a file)
    assert at.data_editor(key=EDITOR_2).value["points"].tolist() == [4.0, 0.0]
    # a file that is not what its name says: refused in Vietnamese, nothing stored, audited
    at = at.file_uploader(key="rself_files_1").set_value(
        [("gia.pdf", b"MZ not a pdf", "application/pdf")]).run()
    at = at.button(key="rself_attach").click().run()
    assert "không phải PDF" in plain(at.error[0].value) and "gia.pdf" in plain(at.error[0].value)
    assert len(list_evidence(store, rnd.id, "x-an", actor=UNIT)) == 1
    audit = store.audit()
    assert (audit["action"] == "refused").sum() == 1
    at = at.button(key=f"rself_rm_{fid}").click().run()
    assert list_evidence(store, rnd.id, "x-an", actor=UNIT).empty


def test_submitting_locks_the_self_assessment(province):
    store, rnd = province
    from par.store.rounds import submitted_units

    at = open_page(_page, "lan")
    at = edit(at, EDITOR_1, {0: {"value": "có"}})
    at = at.button(key="rself_save").click().run()
    assert at.button(key="rself_submit").disabled  # a tick first
    at = at.checkbox(key="rself_submit_sure").check().run()
    at = at.button(key="rself_submit").click().run()
    assert not at.exception
    assert submitted_units(store, rnd.id)["unit"].tolist() == ["x-an"]
    text = texts(at)
    assert "Đã nộp bản tự chấm lúc" in text and "đã khóa" in text
    assert at.data_editor(key=EDITOR_1).proto.disabled
    keys = [b.key for b in at.button]
    assert not {"rself_save", "rself_submit", "rself_attach"} & set(keys)
    assert not at.file_uploader


def test_past_the_deadline_nothing_can_be_written(province, monkeypatch):
    store, rnd = province
    from par.store import rounds as R

    at = open_page(_page, "lan")
    at = edit(at, EDITOR_1, {0: {"value": "có"}})
    late = dt.datetime(2025, 11, 30, 17, 1, tzinfo=VIETNAM)
    monkeypatch.setattr(R, "clock", lambda: late)
    at = at.button(key="rself_save").click().run()  # clicked as the deadline passed
    assert not at.exception
    text = texts(at)
    assert "30/11/2025 17:00 (đã hết hạn)" in text
    assert "đã quá hạn tự chấm (30/11/2025 17:00)" in text
    assert "liên hệ Sở Nội vụ nếu cần gia hạn" in text
    assert stored(store, rnd).empty
    assert at.data_editor(key=EDITOR_1).proto.disabled
    assert not {"rself_save", "rself_submit", "rself_attach"} & {b.key for b in at.button}
    # the store is the guard: asked directly, it refuses and audits
    from par.domain.issues import ParError
    from par.store.round_work import save_rows

    with pytest.raises(ParError):
        save_rows(store, rnd.id, "x-an", "self", pd.DataFrame([{"criterion": "1.1",
                                                                 "value": "có"}]), actor=UNIT)
    assert stored(store, rnd).empty


def _to_explanation(store, rnd):
    """The unit scored and submitted; the appraiser appraised 2.1 and flagged 2.2; the round
    is in its explanation phase."""
    from par.store import round_work as W
    from par.store import rounds as R

    W.save_rows(store, rnd.id, "x-an", "self", pd.DataFrame([
        {"criterion": "2.1", "value": "4", "evidence": "QĐ 12/QĐ-UBND"},
        {"criterion": "2.2", "value": "Tốt", "evidence": "BB kiểm tra"}]), actor=UNIT)
    R.submit_unit(store, rnd.id, "x-an", actor=UNIT)
    R.advance(store, rnd.id, actor=ADMIN)
    W.appraise(store, rnd.id, "x-an", "2.1", value="3", comment="Thiếu 1 văn bản",
               actor=APPRAISER)
    W.flag(store, rnd.id, "x-an", "2.2", "Gửi biên bản **có chữ ký**", actor=APPRAISER)
    R.advance(store, rnd.id, actor=ADMIN)


def test_after_appraisal_the_unit_sees_the_points_and_explains_a_flagged_leaf(province):
    store, rnd = province
    from par.store import round_work as W

    _to_explanation(store, rnd)
    at = open_page(_page, "lan", state={"rself_domain": "2"})
    text = texts(at)
    assert "Giai đoạn: Giải trình" in text
    assert "Hạn giải trình: 15/12/2025 23:59 (còn 25 ngày 13 giờ)" in text
    assert "Tiêu chí được yêu cầu giải trình (1)" in [s.value for s in at.subheader]
    request = next(m.value for m in at.markdown if "Yêu cầu của tuphap" in m.value)
    assert "Gửi biên bản \\*\\*có chữ ký\\*\\*" in request  # shown as typed, not bold
    editor = at.data_editor(key=EDITOR_2)
    assert editor.proto.disabled  # the self-assessment is locked
    table = editor.value.set_index("code")
    assert table.at["2.1", "points"] == 4 and table.at["2.1", "appraised_points"] == 3
    assert table.at["2.1", "comment"] == "Thiếu 1 văn bản"
    at = at.text_area(key="rself_explain_text_2_2").input("Biên bản đã ký, gửi kèm").run()
    at = at.file_uploader(key="rself_explain_files_2_2_0").set_value(
        [("bb-ky.pdf", PDF, "application/pdf")]).run()
    at = at.button(key="rself_explain_2_2").click().run()
    assert not at.exception
    assert "Đã gửi giải trình cho tiêu chí 2.2." in [plain(s.value) for s in at.success]
    flags = W.flags_of(store, rnd.id, "x-an").set_index("criterion")
    assert flags.at["2.2", "explanation"] == "Biên bản đã ký, gửi kèm"
    files = W.list_evidence(store, rnd.id, "x-an", actor=UNIT)
    assert files[["criterion", "purpose", "name"]].values.tolist() == [
        ["2.2", "explanation", "bb-ky.pdf"]]
    assert "Đơn vị đã giải trình" in texts(at)


def test_english_labels(province):
    at = open_page(_page, "lan", lang="en")
    assert at.title[0].value == "Self-assessment"
    text = texts(at)
    assert "Phase: Self-assessment" in text and "Self-assessment deadline: 2025-11-30 17:00" in text
    assert "0/5 criteria scored, 0 without evidence" in text
    columns = at.data_editor(key=EDITOR_1).proto.columns
    assert "Self points" in columns and "Numerator" in columns and "Điểm" not in columns
    assert at.button(key="rself_save").label == "Save the self-assessment"
    assert at.button(key="rself_submit").label == "Submit the self-assessment"


def test_admin_picks_any_unit_and_round_and_a_unit_without_a_round_is_told(province):
    store, rnd = province
    from par.store import rounds as R

    R.create_round(store, criteria_set(), "2025-Q4", self_until="2025-12-20",
                   explain_until="2025-12-30", actor=ADMIN)
    at = open_page(_page, "office")
    assert sorted(at.selectbox(key="rself_unit").options) == [
        "Phường Cường (p-cuong)", "Xã An [thử](https://evil.example) (x-an)", "Xã Bình (x-binh)"]
    rounds = at.selectbox(key="rself_round")
    assert len(rounds.options) == 2 and "Quý IV/2025" in rounds.options[0]
    at = at.selectbox(key="rself_unit").set_value("x-binh").run()
    at = rounds.set_value(rnd.id).run()
    assert at.data_editor(key="rself_editor_1_x-binh_1")
    at = open_page(_page, "hoa")
    assert "Chưa có đợt chấm điểm nào cho Huyện Đông" in texts(at)
    assert not at.data_editor
    at = open_page(_page, "tuphap")
    assert "dành cho cán bộ đơn vị" in texts(at)
