"""The Excel report (par/report.py): sheets, the engine's numbers, formats, text that never runs
as a formula, and identical bytes from the library and the CLI."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from par import get_lagging, load_criteria, parse_period, read_inputs, read_units, score
from par.export.report import NUMBER_FORMAT, band_fills, build_report, sheet_names
from par.read.template import describe_rule

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = ROOT / "criteria/nghe-an-huyen-2019.yaml"
INPUTS = [ROOT / "data/inputs/huyen-2019-self.csv", ROOT / "data/inputs/huyen-2019-appraisal.csv"]
INJECTED = {"cua-lo": '=HYPERLINK("http://x","y")', "vinh": "+84 cmd", "nam-dan": "-1+2",
            "tan-ky": "@SUM(A1)"}


def _card(names: dict[str, str] | None = None, as_of: str | None = None):
    criteria, units = load_criteria(CRITERIA), read_units(ROOT / "data/units.csv")
    for uid, name in (names or {}).items():
        units.loc[uid, "name"] = name
    rows, _ = read_inputs(INPUTS, criteria, units)
    return score(criteria, units, rows, parse_period(as_of) if as_of else None)


@pytest.fixture(scope="module")
def card():
    return _card()


@pytest.fixture(scope="module")
def book(card):
    return openpyxl.load_workbook(io.BytesIO(build_report(card)))


def _rows(ws, header_row: int = 3):
    header = [c.value for c in ws[header_row]]
    return header, [list(r) for r in ws.iter_rows(min_row=header_row + 1)]


def test_sheet_names(book, card):
    assert book.sheetnames == ["Xếp hạng", "Lĩnh vực", "Tiêu chí", "Tiêu chí kéo điểm",
                               "Bộ chỉ số"]
    en = openpyxl.load_workbook(io.BytesIO(build_report(card, "en")))
    assert en.sheetnames == sheet_names("en") == ["Ranking", "Domains", "Criteria scores",
                                                  "Lagging criteria", "Criteria set"]


def test_ranking_matches_the_engine(book, card):
    ws = book["Xếp hạng"]
    assert ws["A1"].value == "Xếp hạng Chỉ số cải cách hành chính"
    assert "Cả năm 2019" in ws["A2"].value and "21 đơn vị" in ws["A2"].value
    header, rows = _rows(ws)
    assert header[:3] == ["Hạng", "Mã đơn vị", "Đơn vị"]
    i_index, i_band = header.index("Chỉ số (%)"), header.index("Xếp loại")
    got = [(r[1].value, r[0].value, r[2].value, r[i_index].value, r[i_band].value) for r in rows]
    u = card.units
    # the index as published (rounded half up to 2 decimals): the figure that ranks and grades
    assert got == [(uid, int(u.at[uid, "rank"]), u.at[uid, "name"],
                    float(u.at[uid, "index_2dp"]), u.at[uid, "band"]) for uid in u.index]
    cua_lo = next(r for r in rows if r[1].value == "cua-lo")
    assert cua_lo[0].value == 14 and round(cua_lo[i_index].value, 2) == 81.22


def test_formats_panes_widths_and_band_colours(book):
    ws = book["Xếp hạng"]
    header, rows = _rows(ws)
    first = rows[0]
    assert first[header.index("Chỉ số (%)")].number_format == NUMBER_FORMAT == "0.00"
    assert first[header.index("Điểm")].number_format == "0.00"
    assert first[0].number_format == "0"
    assert ws.freeze_panes == "D4"
    assert ws["A3"].font.bold and ws["A3"].fill.fgColor.rgb.endswith("1F5FA8")
    assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDEFG")
    colours = {label: fill.fgColor.rgb for label, fill in band_fills(_card()).items()}
    assert set(colours) == {"Tốt", "Khá", "Trung bình", "Yếu"}
    assert len(set(colours.values())) == 4 and colours["Tốt"].endswith("C6EFCE")
    # the appraised year grades Khá and Trung bình, as published results do; the year-to-date
    # self-scores of Q4 (surveys not in yet) reach down to Yếu: each cell in its grade's colour
    fills = {}
    for sheet in (ws, openpyxl.load_workbook(io.BytesIO(build_report(_card(as_of="2019-Q4"))))[
            "Xếp hạng"]):
        head, body = _rows(sheet)
        fills.update({r[head.index("Xếp loại")].value: r[head.index("Xếp loại")].fill.fgColor.rgb
                      for r in body})
    assert set(fills) == {"Khá", "Trung bình", "Yếu"}
    assert all(fills[label] == colours[label] for label in fills)
    for name in book.sheetnames:
        assert book[name].freeze_panes in ("D4", "C4") and book[name].auto_filter.ref


def test_domain_and_leaf_scores(book, card):
    header, rows = _rows(book["Lĩnh vực"])
    assert header[3].startswith("1. Công tác chỉ đạo") and header[3].endswith("(tối đa 12)")
    row = next(r for r in rows if r[1].value == "cua-lo")
    codes = card.domain_codes()
    assert [c.value for c in row[3:3 + len(codes)]] == pytest.approx(
        [float(card.node_score.at["cua-lo", c]) for c in codes], abs=1e-12)
    assert row[3].number_format == "0.00"
    header, rows = _rows(book["Tiêu chí"])
    leaves = [leaf.code for leaf in card.criteria.leaves]
    assert header[3:] == leaves
    row = next(r for r in rows if r[1].value == "cua-lo")
    amax = card.node_max.loc["cua-lo", leaves]
    expected = [float(card.node_score.at["cua-lo", c]) if amax[c] > 0 else None for c in leaves]
    assert [c.value for c in row[3:]] == pytest.approx(expected, abs=1e-12)  # Excel keeps 15 digits


def test_lagging_sheet_is_each_units_lagging_criteria(book, card):
    header, rows = _rows(book["Tiêu chí kéo điểm"])
    assert header[3:5] == ["Mã", "Tiêu chí"]
    mine = [r[3].value for r in rows if r[1].value == "cua-lo"]
    assert mine == list(get_lagging(card, "cua-lo")["criterion"])
    assert len(rows) == sum(len(get_lagging(card, u)) for u in card.ranked.index)
    assert {r[0].value for r in rows} <= set(range(1, 22))


def test_criteria_sheet_describes_every_rule(book, card):
    header, rows = _rows(book["Bộ chỉ số"])
    nodes = card.criteria.nodes
    assert [r[0].value for r in rows] == list(nodes)
    leaf = card.criteria.leaves[1]
    row = next(r for r in rows if r[0].value == leaf.code)
    assert row[4].value == describe_rule(leaf, "vi") and row[3].value == leaf.max
    domain = next(r for r in rows if r[0].value == "1")
    assert domain[1].font.bold and domain[4].value is None


def test_text_starting_like_a_formula_stays_text():
    data = build_report(_card(INJECTED))
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in ("Xếp hạng", "Lĩnh vực", "Tiêu chí"):
        cells = {r[1].value: r[2] for r in book[sheet].iter_rows(min_row=4)}
        for uid, name in INJECTED.items():
            assert cells[uid].value == name and cells[uid].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets)


def test_same_inputs_same_bytes(card):
    data = build_report(card)
    assert data == build_report(card)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = openpyxl.load_workbook(io.BytesIO(data)).properties
    assert props.created == props.modified == dt.datetime(2000, 1, 1)


def test_cli_report_is_the_library_report(card, tmp_path):
    out = tmp_path / "results.xlsx"
    cmd = [sys.executable, "-m", "par", "report", "--criteria", str(CRITERIA),
           "--units", str(ROOT / "data/units.csv"), "--inputs", *map(str, INPUTS),
           "--as-of", "2019", "-o", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "results.xlsx" in done.stdout
    assert out.read_bytes() == build_report(card)


def test_hostile_names_are_plain_text_cells():
    """Markup means nothing to Excel, but a name must not become a link, a formula or a
    broken file: every cell holds the characters as typed (control characters, which a
    worksheet cannot hold, become U+FFFD)."""
    hostile = {"cua-lo": '[click](https://evil.example) <a href="https://evil.example">a</a>',
               "vinh": "Thành phố\x01 Vinh\x1b"}
    data = build_report(_card(hostile))
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = {r[1].value: r[2] for r in book["Xếp hạng"].iter_rows(min_row=4)}
    assert cells["cua-lo"].value == hostile["cua-lo"] and cells["cua-lo"].hyperlink is None
    assert cells["vinh"].value == "Thành phố\ufffd Vinh\ufffd"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    assert not any(b"<hyperlink" in v or b'TargetMode="External"' in v for v in parts.values())
    # the results download of the data page likewise
    from par.export.results import export_results_xlsx

    results = openpyxl.load_workbook(io.BytesIO(export_results_xlsx(_card(hostile))))
    names = {r[0].value: r[1].value for r in results.active.iter_rows(min_row=2)}
    assert names["vinh"] == "Thành phố\ufffd Vinh\ufffd" and names["cua-lo"] == hostile["cua-lo"]


# -- the index as published: rounded half up (CONTRACT §4, second revision) ----------------

def _boundary_card():
    from conftest import card_for, leaf_set, make_units, row

    criteria = leaf_set("{type: points}", 100, "bands: [{min: 90, label: A}, {min: 0, label: B}]\n")
    values = {"a": "89.995", "b": "90", "c": "12.345", "d": "12.35", "e": "12.34"}
    return card_for(criteria, make_units("a b c d e"),
                    [row(u, value=v) for u, v in values.items()])


def test_report_index_is_the_figure_that_ranks_and_grades():
    card = _boundary_card()
    book = openpyxl.load_workbook(io.BytesIO(build_report(card)))
    header, rows = _rows(book["Xếp hạng"])
    i_index, i_band = header.index("Chỉ số (%)"), header.index("Xếp loại")
    got = {r[1].value: (r[0].value, r[i_index].value, r[i_band].value) for r in rows}
    assert got == {"a": (1, 90.0, "A"), "b": (1, 90.0, "A"), "c": (3, 12.35, "B"),
                   "d": (3, 12.35, "B"), "e": (5, 12.34, "B")}


def test_results_exports_show_the_figure_that_ranks():
    # par.export.results: the CSV and the XLSX carry the same rounded index as the report
    from par.export.results import (
        export_results_csv,
        export_results_xlsx,
        results_frame,
    )

    card = _boundary_card()
    frame = results_frame(card).set_index("unit")
    assert frame.loc[list("abcde"), "index"].tolist() == [90.0, 90.0, 12.35, 12.35, 12.34]
    assert frame.loc[list("abcde"), "rank"].tolist() == [1, 1, 3, 3, 5]
    csv = export_results_csv(card).decode("utf-8-sig")
    assert "c,Unit c,,3,5,,,12.35," in csv and "e,Unit e,,5,5,,,12.34," in csv
    ws = openpyxl.load_workbook(io.BytesIO(export_results_xlsx(card))).active
    header = [c.value for c in ws[1]]
    values = {r[0]: r[header.index("index")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert values == {"a": 90.0, "b": 90.0, "c": 12.35, "d": 12.35, "e": 12.34}
