"""Tables people sort: numbers stay numbers, read in Vietnamese (par.present.tables, frames)."""
from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import build_criteria, card_for, make_units, row

from par.domain.periods import Period
from par.engine.standing import rank_submitted
from par.export.shown import frame_csv, frame_xlsx
from par.present.frames import (
    kpis,
    lagging_table,
    ranking_download,
    ranking_table,
    strengths_table,
    weakest_table,
)
from par.present.tables import (
    Format,
    Shown,
    filter_units,
    group_label,
    matches,
    number,
    search_key,
)

SET = """
    domains:
      - code: "1"
        name: D1
        max: 10
        children:
          - {code: "1.1", name: L1, max: 4, rule: {type: points}}
          - {code: "1.2", name: L2, max: 6, rule: {type: points}}
    bands:
      - {min: 50, label: Tốt, label_en: Good}
      - {min: 0, label: Yếu, label_en: Weak}
    """
UNITS = [{"id": "x-a", "name": "Xã Nghi Lộc", "level": "xa", "group": "xa"},
         {"id": "p-b", "name": "Phường Cửa Lò", "level": "xa", "group": "phuong"},
         {"id": "x-c", "name": "Xã Thái Hoà", "level": "xa", "group": "xa"},
         {"id": "p-d", "name": "Phường Vinh Tân", "level": "xa", "group": "phuong"},
         {"id": "p-e", "name": "Phường Đông Vĩnh", "level": "xa", "group": "phuong"}]
# indexes: x-a 100, p-b 9.5 (as 0.95/10), x-c 87.77 …: chosen so text order ≠ number order
VALUES = {"x-a": ("4", "6"), "p-b": ("0,95", "0"), "x-c": ("4", "4,777"),
          "p-d": ("1", "0,025")}  # p-e sent nothing


@pytest.fixture(scope="module")
def card():
    rows = [row(u, c, v, "2025-Q3") for u, vals in VALUES.items()
            for c, v in zip(("1.1", "1.2"), vals)]
    raw = card_for(build_criteria(SET), make_units(UNITS), rows, Period(2025, 3))
    return rank_submitted(raw)


def test_search_ignores_diacritics_case_and_tone_placement():
    assert search_key("Phường Cửa Lò") == "phuong cua lo"
    assert search_key("  Xã  Thái Hoà ") == search_key("xa thai hòa") == "xa thai hoa"
    assert search_key("Đông Vĩnh") == "dong vinh"
    names = pd.Series(["Phường Cửa Lò", "Xã Nghi Lộc", "Phường Đông Vĩnh"])
    assert matches(names, "cua lo").tolist() == [True, False, False]
    assert matches(names, "CỬA LÒ").tolist() == [True, False, False]
    assert matches(names, "dong").tolist() == [False, False, True]
    assert matches(names, "  ").all()


def test_group_codes_read_as_words():
    assert group_label("phuong") == "Phường" and group_label("xa") == "Xã"
    assert group_label("phuong", "en") == "Ward"
    assert group_label("dac-khu") == "Đặc khu"
    assert group_label("other") == "other" and group_label(None) == "" == group_label(np.nan)


def test_a_formatted_numeric_column_sorts_as_numbers():
    shown = Shown(pd.DataFrame({"v": [9.5, 100.0, 87.77, 10.25]}, index=list("abcd")),
                  [Format("v", number("vi"))])
    assert shown.text()["v"].tolist() == ["9,50", "100,00", "87,77", "10,25"]
    by_number = shown.frame.sort_values("v").index.tolist()  # what the grid sorts on
    by_text = shown.text().sort_values("v").index.tolist()
    assert by_number == ["a", "d", "c", "b"] and by_text != by_number
    sty = shown.styler(highlight=["c"])
    html = sty.to_html()
    assert "87,77" in html and "87.77" not in html and "100,00" in html
    ctx = sty._compute().ctx  # the highlighted row's cell has a background
    assert ("background-color", "#fff1b8") in ctx[(2, 0)] and (0, 0) not in ctx


def test_a_format_can_hold_for_some_rows_only_and_rows_keep_it():
    frame = pd.DataFrame({"r": [1.0, np.nan, np.nan]}, index=["a", "b", "c"])
    shown = Shown(frame, [Format("r", lambda v: "–" if pd.isna(v) else f"{int(v)}/1"),
                          Format("r", lambda _: "chưa nộp", pd.Index(["c"]))])
    assert shown.text()["r"].tolist() == ["1/1", "–", "chưa nộp"]
    assert shown.rows(["c", "a"]).text()["r"].tolist() == ["1/1", "chưa nộp"]  # table order
    assert len(shown.rows([])) == 0


def test_the_ranking_keeps_numbers_and_reads_them_as_people_write_them(card):
    shown = ranking_table(card, "vi")
    frame, text = shown.frame, shown.text()
    assert list(frame.columns) == ["Hạng", "Đơn vị", "Nhóm", "Hạng trong nhóm", "Chỉ số (%)",
                                   "Điểm", "Tối đa", "Xếp loại", "Tạm tính"]
    assert frame["Chỉ số (%)"].dtype == float and frame["Hạng"].dtype == float
    assert list(frame.index) == ["x-a", "x-c", "p-d", "p-b", "p-e"]
    assert text["Hạng"].tolist() == ["1/4", "2/4", "3/4", "4/4", "chưa nộp"]
    assert text["Chỉ số (%)"].tolist() == ["100,00", "87,77", "10,25", "9,50", "–"]
    # as numbers, 9,50 < 10,25 < 87,77 < 100,00; as text "10,25" < "100,00" < "87,77" < "9,50"
    assert frame["Chỉ số (%)"].sort_values().index.tolist()[:4] == ["p-b", "p-d", "x-c", "x-a"]
    assert text["Nhóm"].tolist() == ["Xã", "Xã", "Phường", "Phường", "Phường"]
    assert text["Hạng trong nhóm"].tolist() == ["1/2", "2/2", "1/2", "2/2", "chưa nộp"]
    assert text.at["p-e", "Xếp loại"] == "" and text.at["x-a", "Xếp loại"] == "Tốt"
    en = ranking_table(card, "en").text()
    assert en.at["x-c", "Index (%)"] == "87.77" and en.at["p-e", "Rank"] == "not submitted"
    moved = ranking_table(card, "vi", pd.Series({"x-a": 2, "x-c": 0, "p-b": -1}))
    assert moved.text()["Thay đổi hạng"].tolist() == ["↑2", "=", "–", "↓1", "–"]
    # nothing to compare with (a level's first period): no column of empty cells
    nothing = ranking_table(card, "vi", pd.Series({u: None for u in card.units.index}))
    assert "Thay đổi hạng" not in nothing.frame.columns


def test_the_ranking_narrows_by_group_search_and_around_a_unit(card):
    u = card.units
    assert list(filter_units(u, "phuong")) == ["p-d", "p-b", "p-e"]
    assert list(filter_units(u, None, "cua lo")) == ["p-b"]
    assert list(filter_units(u, "xa", "cua lo")) == []
    assert list(filter_units(u, None, "", around="x-c", window=1)) == ["x-a", "x-c", "p-d"]
    assert list(filter_units(u, "phuong", "", around="p-b", window=1)) == ["p-d", "p-b"]
    assert list(filter_units(u, None, "", around="p-e")) == ["p-e"]  # unranked: itself


def test_the_download_is_the_table_shown_with_numbers_as_numbers(card):
    shown = ranking_table(card, "vi").rows(filter_units(card.units, "phuong"))
    table = ranking_download(card, shown, "vi")
    assert list(table.columns) == ["Hạng", "Số đơn vị xếp hạng", "Đơn vị", "Nhóm",
                                   "Hạng trong nhóm", "Số đơn vị xếp hạng trong nhóm",
                                   "Chỉ số (%)", "Điểm", "Tối đa", "Xếp loại", "Tạm tính",
                                   "Số liệu"]
    assert table["Đơn vị"].tolist() == ["Phường Vinh Tân", "Phường Cửa Lò", "Phường Đông Vĩnh"]
    assert table["Hạng"].tolist()[:2] == [3, 4] and pd.isna(table["Hạng"].iloc[2])
    assert table["Số liệu"].tolist() == ["", "", "chưa nộp"]
    book = openpyxl.load_workbook(io.BytesIO(frame_xlsx(table, "xep-hang")))
    sheet = book["xep-hang"]
    assert sheet["A2"].value == 3 and sheet["C2"].value == "Phường Vinh Tân"
    assert isinstance(sheet["G2"].value, float) and sheet["G2"].number_format == "0.00"
    text = frame_csv(table).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Hạng,Số đơn vị xếp hạng,Đơn vị")


def test_downloads_write_formula_like_text_as_text():
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "ok"], "v": [1.5, 2.0]})
    assert "'=HYPERLINK" in frame_csv(frame).decode("utf-8-sig")
    cell = openpyxl.load_workbook(io.BytesIO(frame_xlsx(frame))).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_lagging_and_strengths_put_numbers_first_sorted_by_points_lost(card):
    lag = lagging_table(card, "p-d", "vi")  # 1.1: 1/4 (mean 2.49), 1.2: 0.025/6 (mean 2.7)
    assert list(lag.columns) == ["Mã", "Điểm bị mất", "Điểm", "Tối đa", "Trung bình",
                                 "Tốt nhất", "Thấp hơn trung bình", "Tiêu chí"]
    assert lag["Điểm bị mất"].is_monotonic_decreasing and lag["Mã"].tolist() == ["1.2", "1.1"]
    assert lag.text().at["1.2", "Điểm bị mất"] == "5,98"  # 6 − 0.025, half up
    strong = strengths_table(card, "x-a", "vi")
    assert strong.columns[-2] == "Cao hơn trung bình" and strong["Điểm"].dtype == float
    assert strong["Cao hơn trung bình"].is_monotonic_decreasing


def test_weakest_table_and_kpis(card):
    from par.analysis.lagging import get_weakest

    weakest = weakest_table(card, get_weakest(card), "vi")
    assert list(weakest.columns) == ["Mã", "Mức đạt TB", "Trung bình", "Tối đa", "Tiêu chí"]
    assert weakest["Mức đạt TB"].dtype == float
    k = kpis(card)
    assert k["submitted"] == 4 and k["units"] == 5 and k["best"] == 100.0
