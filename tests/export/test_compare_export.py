"""The compare page's files (par/export/compare.py): CSV and Excel of the two tables, the
chart as PNG; Vietnamese headers, numbers as numbers, supplied names never formulas."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from conftest import build_criteria, card_for, make_units, row
from PIL import Image

from par import load_criteria, read_inputs, read_units, score
from par.domain.issues import ParError
from par.export.browser import find_browser
from par.export.compare import (
    compare_frames,
    export_compare_csv,
    export_compare_png,
    export_compare_xlsx,
)

ROOT = Path(__file__).resolve().parents[2]
CHOSEN = ["cua-lo", "vinh", "nghi-loc"]
SPREAD = "Chênh lệch (điểm)"


@pytest.fixture(scope="module")
def sample():
    criteria = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
    units = read_units(ROOT / "data" / "units.csv")
    rows, _ = read_inputs([ROOT / "data" / "inputs" / "huyen-2019-self.csv",
                           ROOT / "data" / "inputs" / "huyen-2019-appraisal.csv"], criteria, units)
    return score(criteria, units, rows)


HOSTILE = "=HYPERLINK(\"https://evil.example\",\"Xã\")"


@pytest.fixture(scope="module")
def hostile():
    units = make_units([{"id": "x", "name": HOSTILE, "level": "xa"},
                        {"id": "y", "name": "@Xã Y", "level": "xa"}])
    return card_for(build_criteria("""
        domains:
          - code: "1"
            name: Một
            max: 10
            children:
              - {code: "1.1", name: "-1+1", max: 10, rule: {type: points}}
        """), units, [row("x", "1.1", "4"), row("y", "1.1", "6")])


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_domain_csv(sample):
    rows = read_csv(export_compare_csv(sample, CHOSEN, "domains"))
    assert rows[0] == ["Mã", "Thành phố Vinh", "Huyện Nghi Lộc", "Thị xã Cửa Lò", SPREAD,
                       "TB toàn cấp", "Tối đa", "Lĩnh vực"]
    assert rows[1][:5] == ["1", "11.0", "9.75", "6.5", "4.5"]
    assert rows[-1][0] == "" and rows[-1][-1] == "Tổng điểm" and rows[-1][3] == "81.2217"
    assert len(rows) == 1 + len(sample.criteria.domains) + 1


def test_criteria_csv_of_one_domain_in_english(sample):
    rows = read_csv(export_compare_csv(sample, CHOSEN, "criteria", lang="en", domain="1"))
    assert rows[0][:2] == ["Code", "Domain"] and rows[0][-1] == "Criterion"
    assert {r[1] for r in rows[1:]} == {"1"}
    assert rows[1][0] == "1.1.2"  # the largest difference first


def test_files_refuse_what_the_page_refuses(sample):
    with pytest.raises(ParError):
        export_compare_csv(sample, ["cua-lo"], "domains")
    with pytest.raises(ValueError, match="table"):
        export_compare_csv(sample, CHOSEN, "units")


def test_xlsx_has_both_tables_with_numbers_and_context(sample):
    wb = openpyxl.load_workbook(io.BytesIO(export_compare_xlsx(sample, CHOSEN, domain="3")))
    assert wb.sheetnames == ["Lĩnh vực", "Tiêu chí"]
    ws = wb["Lĩnh vực"]
    assert ws["A1"].value.startswith("So sánh đơn vị · Bộ chỉ số CCHC cấp huyện")
    assert ws["A1"].value.endswith("· Cả năm 2019")
    header = [c.value for c in ws[2]]
    assert header[:4] == ["Mã", "Thành phố Vinh", "Huyện Nghi Lộc", "Thị xã Cửa Lò"]
    first = [c for c in ws[3]]
    assert first[0].value == "1" and first[3].value == 6.5 and first[4].value == 4.5
    assert first[3].number_format == "#,##0.00"
    assert ws.freeze_panes == "B3"
    total = [c.value for c in ws[ws.max_row]]
    assert total[-1] == "Tổng điểm" and total[3] == pytest.approx(81.2217)
    criteria = wb["Tiêu chí"]
    assert {criteria.cell(r, 2).value for r in range(3, criteria.max_row + 1)} == {"3"}


def test_supplied_text_is_never_a_formula(hostile):
    rows = read_csv(export_compare_csv(hostile, ["x", "y"], "criteria"))
    assert rows[0][2:4] == ["'@Xã Y", "'" + HOSTILE]  # y ranks first (6 points)
    assert rows[1][-1] == "'-1+1"
    ws = openpyxl.load_workbook(io.BytesIO(export_compare_xlsx(hostile, ["x", "y"])))["Tiêu chí"]
    cells = [ws.cell(2, 4), ws.cell(3, ws.max_column)]
    assert [c.value for c in cells] == [HOSTILE, "-1+1"]
    assert all(c.data_type == "s" for c in cells)  # text, not a formula


def test_frames_round_half_up_to_four_decimals(sample):
    frames = compare_frames(sample, CHOSEN)
    mean = frames["domains"]["TB toàn cấp"]
    assert mean.iloc[0] == pytest.approx(9.4762) and round(mean.iloc[0], 4) == mean.iloc[0]


@pytest.mark.skipif(find_browser() is None, reason="needs Chromium (scripts/setup-system.sh)")
def test_png_of_the_chart(sample):
    data = export_compare_png(sample, CHOSEN, scale=1)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width == 1100 and image.height > 700
