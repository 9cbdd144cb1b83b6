"""The "Đợt chấm điểm" page's words and tables (par.present.round_board)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import build_criteria

from par.analysis.round_status import (
    domain_grid,
    domain_sizes,
    leaf_states,
    unit_status,
)
from par.domain.rounds import VIETNAM, Round
from par.present.round_board import (
    advance_text,
    board_counts,
    deadline_at,
    deadline_parts,
    default_deadlines,
    filter_status,
    grid_legend,
    grid_table,
    period_choices,
    progress,
    publications_table,
    round_title,
    rounds_table,
    status_table,
)

UTC = dt.timezone.utc


def _round(phase="self", rid=3) -> Round:
    return Round(rid, "t", "xa", 2025, "2025-Q2", phase,
                 dt.datetime(2025, 6, 30, 10, 0, tzinfo=UTC),
                 dt.datetime(2025, 7, 15, 10, 0, tzinfo=UTC), "office",
                 dt.datetime(2025, 6, 1, 1, 0, tzinfo=UTC))


def test_period_choices_are_the_year_then_its_quarters():
    criteria = build_criteria('domains:\n  - {code: "1", name: A, max: 10, rule: {type: points}}')
    assert period_choices(criteria) == ["2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def test_the_rounds_table_and_title_speak_words_in_vietnam_time():
    table = rounds_table([_round("explanation")], "vi", {"t": "Bộ xã 2025"})
    row = table.iloc[0].to_dict()
    assert row == {"Đợt": "#3", "Bộ chỉ số": "Bộ xã 2025", "Kỳ": "Quý II/2025",
                   "Giai đoạn": "Giải trình", "Hạn tự chấm": "30/06/2025 17:00",
                   "Hạn giải trình": "15/07/2025 17:00", "Người tạo": "office",
                   "Tạo lúc": "01/06/2025 08:00"}
    assert list(rounds_table([], "en").columns)[:4] == ["Round", "Criteria set", "Period", "Phase"]
    assert round_title(_round("final"), "vi", "Bộ xã") == "#3 · Bộ xã · Quý II/2025"
    assert round_title(_round("self"), "vi", "Bộ xã") == round_title(_round("final"), "vi",
                                                                     "Bộ xã")


def test_progress_marks_done_current_and_coming_phases():
    line = progress("explanation")
    assert line == (":green[✓ Tự chấm] → :green[✓ Thẩm định] → :blue-background[**▶ Giải trình**]"
                    " → :gray[Quyết định] → :gray[Đã công bố]")
    assert progress("published").count(":green[") == 5
    assert progress("self", "en").startswith(":blue-background[**▶ Self-assessment**]")


def test_the_advance_button_says_when_it_publishes():
    label, confirm = advance_text(_round("self"))
    assert label == "Chuyển sang giai đoạn Thẩm định"
    assert confirm == "Tôi xác nhận chuyển đợt #3 từ giai đoạn Tự chấm sang Thẩm định."
    label, confirm = advance_text(_round("final"))
    assert label == "Chuyển sang giai đoạn Đã công bố — công bố kết quả"
    assert "công bố kết quả đợt #3" in confirm
    assert advance_text(_round("final"), "en")[0] == "Move on to Published — publish the result"
    assert advance_text(_round("published")) is None


def test_deadlines_are_typed_and_shown_in_vietnam_time():
    at = deadline_at(dt.date(2025, 11, 30), dt.time(17, 0))
    assert at == dt.datetime(2025, 11, 30, 10, 0, tzinfo=UTC)
    assert deadline_at(dt.date(2025, 11, 30), None).astimezone(VIETNAM).time() == dt.time(
        23, 59, 59)
    assert deadline_parts(dt.datetime(2025, 11, 30, 10, 0)) == (dt.date(2025, 11, 30),
                                                               dt.time(17, 0))
    first, second = default_deadlines(dt.date(2025, 3, 1))
    assert first.astimezone(VIETNAM).replace(tzinfo=None) == dt.datetime(2025, 3, 15, 17, 0)
    assert second - first == dt.timedelta(days=14)


@pytest.fixture
def board():
    """A two-domain set (3 + 2 leaves), three units; a status as round_state gives it."""
    criteria = build_criteria("""
        domains:
          - code: "1"
            name: Chỉ đạo điều hành
            max: 30
            children:
              - {code: "1.1", name: a, max: 10, rule: {type: points}}
              - {code: "1.2", name: b, max: 10, rule: {type: points}}
              - {code: "1.3", name: c, max: 10, rule: {type: points}}
          - code: "2"
            name: Thủ tục hành chính
            max: 20
            children:
              - {code: "2.1", name: d, max: 10, rule: {type: points}}
              - {code: "2.2", name: e, max: 10, rule: {type: points}}
        """)
    units = pd.DataFrame({"id": ["u1", "u2", "u3"], "name": ["Xã Một", "Xã Hai", "Phường Ba"],
                          "level": "xa", "group": ["xa", "xa", "phuong"]})
    rows = pd.DataFrame({
        "unit": ["u1"] * 5 + ["u2", "u2", "u1", "u1"],
        "period": "2025-Q2", "criterion": ["1.1", "1.2", "1.3", "2.1", "2.2", "1.1", "2.1",
                                           "1.1", "2.1"],
        "stage": ["self"] * 7 + ["appraisal"] * 2,
        "evidence": ["QĐ 1", "", "", "", "", "", "", "", ""]})
    flags = pd.DataFrame({"unit": ["u1", "u2", "u2"], "criterion": ["1.2", "1.1", "2.1"],
                          "explained_at": [pd.Timestamp("2025-07-01"), None, None]})
    evidence = pd.DataFrame({"unit": ["u2"], "criterion": ["2.1"], "purpose": ["self"]})
    states = leaf_states(criteria, units, rows, "2025-Q2", flags, evidence)
    status = unit_status(criteria, units, states, ["u1"])
    return criteria, states, status


def test_the_status_table_keeps_counts_numeric_and_reads_them_x_of_n(board):
    criteria, states, status = board
    shown = status_table(status)
    frame = shown.frame
    assert list(frame.index) == ["u1", "u2", "u3"]
    assert frame["Đã tự chấm"].tolist() == [5, 2, 0]  # numbers: the grid sorts them as such
    assert frame["Đã tự chấm"].dtype == np.int64
    text = shown.text()
    assert text.loc["u1", "Đã tự chấm"] == "5/5" and text.loc["u1", "Đã thẩm định"] == "2/5"
    assert text.loc["u1", "Đã nộp"] == "đã nộp" and text.loc["u3", "Đã nộp"] == "chưa nộp"
    assert text.loc["u1", "Đã giải trình"] == "1/1" and text.loc["u2", "Đã giải trình"] == "0/2"
    assert text.loc["u3", "Đã giải trình"] == 0  # nothing asked: a plain 0
    assert text.loc["u3", "Nhóm"] == "Phường"
    # missing evidence: self-scored leaves without a text or a file (u1 has 1.1's text)
    assert frame["Thiếu tài liệu"].tolist() == [4, 1, 0]
    for column, key in (("Đã tự chấm", "self"), ("Đã thẩm định", "appraised"),
                        ("Yêu cầu giải trình", "flagged"), ("Đã giải trình", "explained"),
                        ("Thiếu tài liệu", "missing_evidence")):
        assert frame[column].tolist() == status[key].tolist()
    assert list(status_table(status, "en").columns)[:3] == ["Unit", "Group", "Submitted"]


def test_filters_and_counts(board):
    _, _, status = board
    assert filter_status(status, "all").all()
    assert status["unit"][filter_status(status, "not_submitted")].tolist() == ["u2", "u3"]
    assert status["unit"][filter_status(status, "flagged")].tolist() == ["u1", "u2"]
    assert status["unit"][filter_status(status, "missing_evidence")].tolist() == ["u1", "u2"]
    with pytest.raises(ValueError):
        filter_status(status, "nonsense")
    assert board_counts(status) == {"units": 3, "submitted": 1, "flagged": 2, "missing": 2,
                                    "appraised": 2, "leaves": 15}


def test_the_grid_reads_x_of_the_domains_leaves_coloured_by_share(board):
    criteria, states, status = board
    grid = domain_grid(criteria, states, "self")
    names = dict(zip(status["unit"], status["name"]))
    sty = grid_table(grid, domain_sizes(criteria), names, criteria, "vi")
    html = sty.to_html()
    assert list(sty.data.columns) == ["1. Chỉ đạo điều hành", "2. Thủ tục hành chính"]
    assert list(sty.data.index) == ["Xã Một", "Xã Hai", "Phường Ba"]
    assert sty.data.loc["Xã Hai"].tolist() == [1, 1]  # the values stay numbers
    assert ">3/3<" in html and ">2/2<" in html and ">0/3<" in html and ">1/2<" in html
    assert "rgba(31,95,168,0.85)" in html  # a whole domain: the full colour
    assert "rgba(31,95,168,0.0)" in html  # none: white
    assert "criteria appraised /" in grid_legend("appraised", "en")
    assert grid_legend("self").startswith("Mỗi ô: số tiêu chí đã tự chấm / số tiêu chí")


def test_two_units_of_the_same_name_get_two_grid_rows(board):
    criteria, states, status = board
    grid = domain_grid(criteria, states, "self")
    sty = grid_table(grid, domain_sizes(criteria), {"u1": "Xã A", "u2": "Xã A"}, criteria)
    assert list(sty.data.index) == ["Xã A", "Xã A (2)", "u3"]


def test_publications_table():
    pubs = pd.DataFrame({"id": [5, 2], "round_id": [3, 3], "criteria_id": "t",
                         "criteria_sha256": ["a" * 64, "b" * 64], "period": "2025",
                         "published_by": ["office", "chief"],
                         "published_at": [dt.datetime(2026, 3, 14, 17, 30),
                                          dt.datetime(2026, 3, 1, 1, 0)]})
    table = publications_table(pubs)
    assert table.iloc[0].tolist() == ["#5", "15/03/2026 00:30", "office", "a" * 12]
    assert list(publications_table(pubs, "en").columns) == [
        "Publication", "Published on", "Published by", "Criteria set hash"]
