"""check_inputs_table leaves its input alone; the CSV reader's fast path and its diagnoses."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from conftest import build_criteria, make_units, table

from par.domain.issues import ParError
from par.read.inputs import ROW_COLUMNS, check_inputs, check_inputs_table
from par.read.tabular import RawTable, read_csv, read_xlsx_first_sheet

CRIT = build_criteria("""
    domains:
      - code: "1"
        name: A
        max: 6
        children:
          - {code: "1.1", name: yes_no, max: 2, rule: {type: yes_no}}
          - {code: "1.2", name: points, max: 2, rule: {type: points}}
          - {code: "1.5", name: ratio, max: 2, rule: {type: ratio, linear: true}}
    """)
UNITS = make_units("a b")


def snapshot(raw: RawTable):
    return raw.frame.copy(deep=True), list(raw.frame.columns), dict(raw.letters), raw.sheet


def assert_unchanged(raw: RawTable, before) -> None:
    frame, columns, letters, sheet = before
    assert list(raw.frame.columns) == columns and raw.letters == letters and raw.sheet == sheet
    pd.testing.assert_frame_equal(raw.frame, frame)


@pytest.mark.parametrize("text", [
    # Vietnamese aliases (renamed by the check), blank lines and a blank row (dropped by it),
    # optional columns absent (added by it), errors and valid rows
    "Đơn vị,Kỳ,Tiêu chí,Giá trị\na,2025,1.1,có\n\n,,,\nzz,2025,1.2,9\nb,2025,1.2,1\n",
    "unit,period,criterion,value,numerator,denominator\na,2025,1.5,,3,4\n\nb,2025,1.5,,x,\n",
    "unit,period,criterion,value\n",
])
def test_the_callers_table_is_unchanged(text):
    raw = table(text)
    before = snapshot(raw)
    rows, _ = check_inputs_table(raw, CRIT, UNITS)
    assert_unchanged(raw, before)
    assert list(rows.columns) == ROW_COLUMNS
    # the rows share nothing writable with the table: writing to them leaves it alone
    if len(rows):
        rows.loc[0, "row"] = -1
        rows.loc[0, "value_text"] = rows.loc[0, "value_text"]
        assert_unchanged(raw, before)


def test_the_callers_workbook_table_is_unchanged(tmp_path):
    book = openpyxl.Workbook()
    for r in (["Đơn vị", "Kỳ", "Tiêu chí", "Giá trị"], ["a", 2025, "1.1", "có"],
              [None] * 4, ["a", 2025, "1.2", 5]):
        book.active.append(r)
    book.save(tmp_path / "in.xlsx")
    raw = read_xlsx_first_sheet(tmp_path / "in.xlsx")
    before = snapshot(raw)
    rows, issues = check_inputs([raw], CRIT, UNITS)
    assert_unchanged(raw, before)
    assert [(i.code, i.cell) for i in issues] == [("input.over_max", "D4")]
    assert rows["row"].tolist() == [2, 4]  # the blank sheet row 3 is no data


def test_checking_twice_gives_the_same_answer():
    raw = table("unit,period,criterion,value\na,2025,1.1,có\nzz,2025,1.2,1\n\na,2025,1.1,có\n")
    first = check_inputs_table(raw, CRIT, UNITS)
    second = check_inputs_table(raw, CRIT, UNITS)
    pd.testing.assert_frame_equal(first[0], second[0])
    assert [i.render("en") for i in first[1]] == [i.render("en") for i in second[1]]


# -- the CSV reader ------------------------------------------------------------------

CSV_CASES = {
    "not UTF-8 in a cell": (b"a,b\n1,\xff\n", [("file.not_utf8", None)]),
    "not UTF-8 in the header": (b"a,\xff\n1,2\n", [("file.not_utf8", None)]),
    "not UTF-8 after an empty header": (b"\n\xff\n", [("file.not_utf8", None)]),
    "empty": (b"", [("file.empty", None)]),
    "empty header line": (b"\n1,2\n", [("file.empty", None)]),
    "ragged": (b"a,b\n1,2\n\n3,4,5\n6\n", [("file.ragged_row", 4), ("file.ragged_row", 5)]),
    "not UTF-8 and ragged": (b"a,b\n1,2,3\n\xff,4\n", [("file.not_utf8", None)]),
}


@pytest.mark.parametrize("source", ["path", "stream"])
@pytest.mark.parametrize("case", list(CSV_CASES))
def test_csv_problems_from_a_path_or_a_stream(tmp_path, source, case):
    data, expected = CSV_CASES[case]
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.raises(ParError) as exc:
        read_csv(path, name="f.csv") if source == "path" else read_csv(io.BytesIO(data), "f.csv")
    assert [(i.code, i.row) for i in exc.value.issues] == expected
    assert all(i.file == "f.csv" for i in exc.value.issues)


@pytest.mark.parametrize("source", ["path", "stream"])
def test_csv_cells_rows_and_header(tmp_path, source):
    data = ("\ufeffUnit , Value,unit\n a ,\"x\ny\",1\n\nb,Xa\u0301,2\n").encode("utf-8")
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    raw = read_csv(path) if source == "path" else read_csv(io.BytesIO(data), "f.csv")
    assert list(raw.frame.columns) == ["unit", "value", "unit", "_row"]
    assert raw.frame.iloc[:, :3].astype(str).values.tolist() == [
        ["a", "x\ny", "1"], ["", "", ""], ["b", "Xá", "2"]]  # trimmed, NFC (á composed)
    assert raw.frame["_row"].tolist() == [2, 3, 4]  # rows as the reader counts them


def test_csv_missing_file(tmp_path):
    with pytest.raises(ParError) as exc:
        read_csv(tmp_path / "nope.csv", name="nope.csv")
    assert [i.code for i in exc.value.issues] == ["file.not_found"]
