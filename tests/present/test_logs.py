"""par.present.logs: the preview, the history and the audit log as people read them."""
from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pandas as pd

from par.domain.issues import Issue
from par.domain.periods import Period
from par.i18n.formatting import fmt_time
from par.present.logs import (
    audit_export,
    audit_view,
    detail_text,
    effect_tables,
    filter_log,
    groups_text,
    history_frame,
    log_choices,
    named_issues,
    rollback_choices,
    sha12,
    standing_md,
    submission_label,
    unit_label,
)

UNITS = pd.DataFrame({"id": ["cua-lo", "vinh"], "name": ["Thị xã Cửa Lò", "Thành phố Vinh"],
                      "level": ["huyen", "huyen"], "group": [None, None]},
                     index=["cua-lo", "vinh"])
SHA = "ab" * 32
UTC = dt.timezone.utc


def test_units_are_named_with_their_id_and_unknown_ids_stay_as_they_are():
    assert unit_label("cua-lo", UNITS) == "Thị xã Cửa Lò (cua-lo)"
    assert unit_label("nowhere", UNITS) == "nowhere"
    assert unit_label(None, UNITS) == "" and unit_label(float("nan"), UNITS) == ""
    assert sha12(SHA) == SHA[:12] and sha12(None) == ""


def test_refusals_name_units_and_periods_and_no_command_line_option():
    issues = [Issue("import.other_unit", {"unit": "cua-lo", "found": ["vinh"]}, file="v.csv"),
              Issue("import.other_period", {"period": "2019-Q4", "found": ["2019-Q3"]},
                    file="v.csv"),
              Issue("auth.forbidden", {"user": "lan", "role": "unit", "action": "import",
                                       "unit": "vinh"}, file="v.csv"),
              Issue("input.empty_cell", {"column": "unit"}, file="v.csv", row=2)]
    named = named_issues(issues, UNITS)
    assert [i.code for i in named] == ["upload.other_unit", "upload.other_period",
                                       "upload.forbidden_unit", "input.empty_cell"]
    text = [i.render("vi") for i in named]
    assert "Thành phố Vinh (vinh)" in text[0] and "Thị xã Cửa Lò (cua-lo)" in text[0]
    assert "đơn vị khác" in text[0]
    assert "Quý III/2019 (2019-Q3)" in text[1] and "Quý IV/2019 (2019-Q4)" in text[1]
    assert "Thành phố Vinh (vinh)" in text[2] and "'lan'" in text[2]
    assert all("--" not in t for t in text) and all(i.file == "v.csv" for i in named)
    staff = named_issues(issues[:1], UNITS, may_import=lambda u: u == "cua-lo")
    assert staff[0].code == "upload.other_unit_forbidden"
    assert "không được nộp" in staff[0].render("vi")
    assert "Thành phố Vinh (vinh)" in named_issues(issues[:1], UNITS)[0].render("en")


def test_what_a_file_holds_in_words():
    groups = [SimpleNamespace(unit="cua-lo", period="2019-Q4", stage="self")]
    assert groups_text(groups, UNITS) == "Thị xã Cửa Lò (cua-lo), Quý IV/2019, tự chấm"


def _card(index: dict, rank: dict, of: int = 21):
    units = pd.DataFrame({"name": [UNITS.at[u, "name"] for u in index],
                          "index": list(index.values()), "rank": list(rank.values()),
                          "of": of}, index=list(index))
    return SimpleNamespace(units=units)


def test_effect_tables_name_the_period_and_say_the_change_in_words():
    effects = [SimpleNamespace(as_of=Period(2019, 2), before=_card({"cua-lo": 70.0}, {"cua-lo": 5}),
                               after=_card({"cua-lo": 71.5}, {"cua-lo": 3})),
               SimpleNamespace(as_of=Period(2019, 5), before=_card({"cua-lo": 80.0}, {"cua-lo": 4}),
                               after=_card({"cua-lo": 79.0}, {"cua-lo": 6}))]
    (c1, t1), (c2, t2) = effect_tables(effects, "cua-lo")
    assert c1 == "**Lũy kế đến Quý II/2019**: chỉ số tăng 1,50 điểm; lên 2 bậc."
    assert c2 == "**Cả năm 2019**: chỉ số giảm 1,00 điểm; xuống 2 bậc."
    assert list(t1.columns) == ["Đơn vị", "Chỉ số trước", "Chỉ số sau", "Hạng trước", "Hạng sau"]
    assert t1.iloc[0].tolist() == ["Thị xã Cửa Lò", "70,00", "71,50", "5/21", "3/21"]
    same = [SimpleNamespace(as_of=Period(2019, 5), before=_card({"cua-lo": 80.0}, {"cua-lo": 4}),
                            after=_card({"cua-lo": 80.001}, {"cua-lo": 4}))]
    assert effect_tables(same, "cua-lo", "en")[0][0] == \
        "**Whole year 2019**: index unchanged; same rank."


def test_the_standing_after_saving_names_rank_index_and_period():
    cards = [(Period(2019, 4), _card({"cua-lo": 73.75}, {"cua-lo": 12})),
             (Period(2019, 5), _card({"cua-lo": 81.22}, {"cua-lo": 14}))]
    text = standing_md(cards, "cua-lo")
    assert text == ("Thị xã Cửa Lò nay xếp thứ **12/21** (chỉ số 73,75) lũy kế đến Quý IV/2019; "
                    "**14/21** (chỉ số 81,22) cả năm 2019.")
    hostile = _card({"cua-lo": 1.0}, {"cua-lo": 1})
    hostile.units.loc["cua-lo", "name"] = "[x](https://evil.example)"
    assert "\\[x\\]" in standing_md([(Period(2019, 5), hostile)], "cua-lo")  # escaped
    assert standing_md(cards, "nowhere") == ""


def _history():
    at = dt.datetime(2026, 12, 2, 7, 5, tzinfo=UTC)
    return pd.DataFrame({
        "id": [3, 7, 9, 12], "unit": "cua-lo", "period": ["2018", "2019-Q4", "2019-Q4", "2019-Q4"],
        "stage": ["self", "self", "self", "appraisal"],
        "status": ["superseded", "superseded", "current", "withdrawn"],
        "row_count": [5, 85, 85, 90], "user": ["sample", "lan", "office", "office"],
        "created_at": [at - dt.timedelta(days=d) for d in (30, 3, 2, 0)],
        "source_name": ["a.csv", "b.xlsx", "c.csv", "d.csv"], "source_sha256": SHA,
        "criteria_id": "nghe-an-huyen-2019", "criteria_sha256": "x"})


def test_history_newest_first_in_words_vietnam_time_and_a_short_sha():
    frame = history_frame(_history())
    assert list(frame.columns) == ["Số", "Kỳ", "Giai đoạn", "Trạng thái", "Số dòng",
                                   "Người nộp", "Thời điểm (giờ Việt Nam)", "Tệp nguồn",
                                   "SHA-256 (rút gọn)"]
    assert list(frame["Số"]) == ["#12", "#9", "#7", "#3"]
    first = frame.iloc[0]
    assert first["Kỳ"] == "Quý IV/2019" and first["Giai đoạn"] == "thẩm định"
    assert first["Trạng thái"] == "đã rút (đặt lại dữ liệu mẫu)"
    assert first["Thời điểm (giờ Việt Nam)"] == "02/12/2026 14:05"
    assert first["SHA-256 (rút gọn)"] == SHA[:12]
    assert history_frame(_history(), "en").iloc[0]["Status"] == "withdrawn (sample reset)"


def test_rollback_choices_are_earlier_submissions_of_the_year_newest_first():
    h = _history()
    assert rollback_choices(h, 2019) == [12, 7]
    assert submission_label(h, 7) == "#7 · Quý IV/2019 · tự chấm · b.xlsx · 29/11/2026 14:05"


def _log():
    at = dt.datetime(2026, 12, 2, 18, 30, tzinfo=UTC)  # 01:30 the next day in Vietnam
    return pd.DataFrame({
        "id": [1, 2, 3, 4], "at": [at - dt.timedelta(hours=h) for h in (3, 2, 1, 0)],
        "user": ["office", "lan", "lan", "office"],
        "action": ["import", "refused", "refused", "rollback"],
        "submission_id": [5, None, None, 5], "unit": ["cua-lo", "vinh", "cua-lo", "cua-lo"],
        "period": ["2019-Q4", "2019-Q3", "2019-Q4", "2019-Q4"],
        "source_sha256": [SHA, SHA, None, SHA],
        "detail": [json.dumps({"file": "a.csv", "rows": 85, "stage": "self", "replaces": None,
                               "criteria": "nghe-an-huyen-2019"}),
                   json.dumps({"action": "import", "file": "=cmd.csv",
                               "reasons": ["import.other_unit"], "count": 1,
                               "first": "v.csv: other unit"}),
                   "not json", None]})


def test_the_log_filters_by_action_user_unit_and_period_newest_first():
    log = _log()
    assert list(filter_log(log)["id"]) == [4, 3, 2, 1]
    assert list(filter_log(log, ["refused"])["id"]) == [3, 2]
    assert list(filter_log(log, None, user="lan")["id"]) == [3, 2]
    assert list(filter_log(log, [], unit="cua-lo")["id"]) == [4, 3, 1]
    assert list(filter_log(log, ["refused"], "lan", "cua-lo", "2019-Q4")["id"]) == [3]
    assert filter_log(log, None, period="2018").empty
    choices = log_choices(log, UNITS)
    assert choices["unit"] == ["vinh", "cua-lo"]  # by name: Thành phố Vinh, Thị xã Cửa Lò
    assert choices["period"] == ["2019-Q4", "2019-Q3"]
    assert choices["user"] == ["lan", "office"] and "refused" in choices["action"]


def test_details_read_as_words():
    log = _log()
    assert detail_text(log["detail"][0]) == \
        "tệp: a.csv · 85 dòng · giai đoạn: tự chấm · bộ chỉ số: nghe-an-huyen-2019"
    refused = detail_text(log["detail"][1])
    assert refused.startswith("khi nhập số liệu · tệp: =cmd.csv · mã lỗi: import.other_unit")
    assert detail_text("not json") == "not json" and detail_text(None) == ""


def test_the_audit_view_shows_names_vietnam_time_and_short_sha():
    log = _log()
    view = audit_view(log, UNITS)
    assert list(view["Số"]) == [4, 3, 2, 1]
    assert list(view["Tên đơn vị"]) == ["Thị xã Cửa Lò", "Thị xã Cửa Lò", "Thành phố Vinh",
                                        "Thị xã Cửa Lò"]
    assert list(view["Thời điểm (giờ Việt Nam)"]) == [fmt_time(v) for v in log["at"][::-1]]
    assert view.iloc[0]["Thời điểm (giờ Việt Nam)"] == "03/12/2026 01:30"
    assert view.iloc[0]["SHA-256 (rút gọn)"] == SHA[:12]
    assert view.iloc[1]["SHA-256 (rút gọn)"] == ""
    assert list(view["Thao tác"])[:2] == ["khôi phục lần nộp", "bị từ chối"]
    assert list(view["Lần nộp"]) == ["#5", "", "", "#5"]
    naive = log.assign(at=[v.replace(tzinfo=None) for v in log["at"]])  # SQLite's form: UTC
    assert list(audit_view(naive, UNITS)["Thời điểm (giờ Việt Nam)"]) == \
        list(view["Thời điểm (giờ Việt Nam)"])


def test_the_audit_export_keeps_the_full_values():
    export = audit_export(_log(), UNITS)
    first = export.iloc[-1]  # id 1
    assert first["SHA-256 tệp nguồn"] == SHA
    assert first["Thời điểm (UTC)"] == "2026-12-02T15:30:00+00:00"
    assert json.loads(first["Chi tiết"])["rows"] == 85
    assert first["Mã thao tác"] == "import" and first["Tên đơn vị"] == "Thị xã Cửa Lò"


def test_a_stored_refusal_is_worded_in_the_reader_s_language(tmp_path):
    from par.domain.issues import Issue
    from par.present.logs import detail_text
    from par.store.storage import Store

    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    store.record_refusal("lan", "import", [Issue("file.not_utf8", {}, file="a.csv")],
                         unit="cua-lo", period="2019-Q4", file="a.csv")
    detail = store.audit()["detail"].iloc[-1]
    store.dispose()
    vi, en = detail_text(detail, "vi"), detail_text(detail, "en")
    assert "lỗi đầu tiên: a.csv" in vi and "UTF-8" in vi
    assert "first problem: a.csv" in en
    assert vi != en
