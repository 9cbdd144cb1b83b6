"""The tidy input table (CONTRACT §3): every error with its code, row and column/cell."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from conftest import build_criteria, input_issues, make_units

from par import ParError, read_inputs
from par.domain.issues import errors_only
from par.read.units import read_units

CRIT = build_criteria("""
    domains:
      - code: "1"
        name: A
        max: 12
        children:
          - {code: "1.1", name: yes_no, max: 2, rule: {type: yes_no}}
          - {code: "1.2", name: points, max: 2, rule: {type: points}}
          - {code: "1.3", name: count, max: 2, rule: {type: count, per_item: 1}}
          - {code: "1.4", name: survey, max: 2, rule: {type: survey}}
          - {code: "1.5", name: ratio, max: 2, rule: {type: ratio, linear: true}}
          - {code: "1.6", name: choice, max: 2, rule: {type: choice, options: {Tốt: 1, Kém: 0}}}
    """)
UNITS = make_units([dict(id="a", name="Xã A", level="xa"), dict(id="b", name="Xã B", level="xa"),
                    dict(id="h", name="Huyện H", level="huyen")])
HEAD = "unit,period,criterion,value,numerator,denominator,stage\n"


def errors(*texts, names=None):
    rows, issues = input_issues(CRIT, UNITS, *[HEAD + t for t in texts], names=names)
    return [(i.code, i.row, i.cell) for i in errors_only(issues)]


@pytest.mark.parametrize("line, code, column", [
    ("zz,2025,1.1,có,,,", "input.unknown_unit", "unit"),
    ("h,2025,1.1,có,,,", "input.unit_wrong_level", "unit"),
    ("Huyện H,2025,1.1,có,,,", "input.unit_wrong_level", "unit"),
    ("a,2025,9.9,có,,,", "input.unknown_criterion", "criterion"),
    ("a,2025,1,có,,,", "input.not_a_leaf", "criterion"),
    ("a,2025-Q5,1.1,có,,,", "input.bad_period", "period"),
    ("a,Q1/2025,1.1,có,,,", "input.bad_period", "period"),
    ("a,2025,1.1,có,,,final", "input.bad_stage", "stage"),
    ("a,2025,1.2,abc,,,", "input.not_a_number", "value"),
    ("a,2025,1.2,\"1.234,5\",,,", "input.not_a_number", "value"),
    ("a,2025,1.3,-1,,,", "input.negative", "value"),
    ("a,2025,1.2,2.5,,,", "input.over_max", "value"),
    ("a,2025,1.4,100.5,,,appraisal", "input.survey_range", "value"),
    ("a,2025,1.1,maybe,,,", "input.bad_yes_no", "value"),
    ("a,2025,1.1,2,,,", "input.bad_yes_no", "value"),
    ("a,2025,1.6,Trung bình,,,", "input.bad_choice", "value"),
    ("a,2025,1.5,,5,,", "input.ratio_needs_both", "denominator"),
    ("a,2025,1.5,,,5,", "input.ratio_needs_both", "numerator"),
    ("a,2025,1.5,,x,5,", "input.not_a_number", "numerator"),
    ("a,2025,1.5,,1,-5,", "input.negative", "denominator"),
    (",2025,1.1,có,,,", "input.empty_cell", "unit"),
])
def test_each_row_error_names_code_row_and_column(line, code, column):
    # the bad line is the second data row, i.e. row 3 (the header is row 1)
    assert errors("b,2025,1.1,có,,,\n" + line + "\n") == [(code, 3, column)]


def test_a_file_where_every_unit_is_unknown():
    assert errors("zz,2025,1.1,có,,,\nyy,2025,1.2,1,,,\n") == [
        ("input.unknown_unit", 2, "unit"), ("input.unknown_unit", 3, "unit")]


def test_error_message_names_file_row_column_and_value():
    _, issues = input_issues(CRIT, UNITS, HEAD + "a,2025,1.2,7,,,\n")
    assert [(i.code, i.file, i.row, i.cell) for i in issues] == [("input.over_max", "in.csv", 2, "value")]
    en, vi = issues[0].render("en"), issues[0].render("vi")
    assert en.startswith("in.csv, row 2, column 'value':") and "7" in en and "2" in en
    assert vi.startswith("in.csv, dòng 2, cột 'value':")


def test_valid_rows_give_no_issue_and_parsed_values():
    rows, issues = input_issues(CRIT, UNITS, HEAD + "\n".join([
        "a,2025,1.1,Có,,,", "a,2025-q1,1.2,\"1,5\",,,tự chấm", "Xã A,2025,1.4,98%,,,thẩm định",
        "a,2025,1.5,,3,4,", "a,2025,1.6,tốt,,,", "b,2025,1.5,N/A,,,", "b,2025,1.1,,,,"]) + "\n")
    assert issues == []
    got = rows[["unit", "period", "criterion", "stage", "na", "value"]].values.tolist()
    assert [g[:5] for g in got] == [
        ["a", "2025", "1.1", "self", False], ["a", "2025-Q1", "1.2", "self", False],
        ["a", "2025", "1.4", "appraisal", False], ["a", "2025", "1.5", "self", False],
        ["a", "2025", "1.6", "self", False], ["b", "2025", "1.5", "self", True]]
    assert [g[5] for g in got[:3]] + [got[4][5]] == [1, 1.5, 98, 1]
    assert rows.loc[3, ["numerator", "denominator"]].tolist() == [3, 4]
    # the empty yes_no value (b, 1.1) is "no data": no row, not an error


def test_duplicate_row_names_the_first_row():
    # "" and "self" are the same stage; 2025-q1 and 2025-Q1 the same period
    assert errors("a,2025,1.1,có,,,\nb,2025,1.1,có,,,\na,2025,1.1,không,,,self\n"
                  "a,2025-q1,1.2,1,,,\na,2025-Q1,1.2,1,,,\n") == [
        ("input.duplicate", 4, "criterion"), ("input.duplicate", 6, "criterion")]
    _, issues = input_issues(CRIT, UNITS, HEAD + "a,2025,1.1,có,,,\nb,2025,1.1,có,,,\na,2025,1.1,không,,,\n")
    assert issues[0].params["first_row"] == 2


def test_self_and_appraisal_rows_are_not_duplicates():
    assert errors("a,2025,1.1,có,,,\na,2025,1.1,có,,,appraisal\na,2025-Q1,1.1,có,,,\n") == []


def test_duplicate_across_two_files():
    found = errors("a,2025,1.1,có,,,\n", "a,2025,1.2,1,,,\na,2025,1.1,có,,,\n",
                   names=["q1.csv", "q2.csv"])
    assert found == [("input.duplicate_across", 3, None)]
    _, issues = input_issues(CRIT, UNITS, HEAD + "a,2025,1.1,có,,,\n",
                             HEAD + "a,2025,1.2,1,,,\na,2025,1.1,có,,,\n", names=["q1.csv", "q2.csv"])
    assert issues[0].file == "q2.csv" and issues[0].params["first"] == "q1.csv:2"


def test_multiple_errors_are_all_reported_in_row_order():
    assert errors("zz,2025,1.1,có,,,\na,2025,1.2,9,,,\na,2025,1.1,có,,,\n"
                  "a,20255,1.3,1,,,\nb,2025,7,có,,,\nb,2025,1.3,-2,,,x\n") == [
        ("input.unknown_unit", 2, "unit"),
        ("input.over_max", 3, "value"),
        ("input.bad_period", 5, "period"),
        ("input.unknown_criterion", 6, "criterion"),
        ("input.negative", 7, "value"),  # same row: in column order
        ("input.bad_stage", 7, "stage"),
    ]


def test_read_inputs_raises_with_every_error(write):
    units = write("units.csv", "id,name,level\na,Xã A,xa\n")
    path = write("q.csv", HEAD + "zz,2025,1.1,có,,,\na,2025,1.2,x,,,\n")
    with pytest.raises(ParError) as exc:
        read_inputs([path], CRIT, read_units(units))
    assert [(i.code, i.file, i.row) for i in exc.value.issues] == [
        ("input.unknown_unit", str(path), 2), ("input.not_a_number", str(path), 3)]


def test_missing_required_column(write):
    _, issues = input_issues(CRIT, UNITS, "unit,period,value\na,2025,có\n")
    assert [(i.code, i.row) for i in issues] == [("file.missing_columns", 1)]
    assert "criterion" in issues[0].params["columns"]


def test_vietnamese_header_aliases():
    rows, issues = input_issues(CRIT, UNITS, "Đơn vị,Kỳ,Tiêu chí,Giá trị\na,2025,1.1,có\n")
    assert issues == [] and rows.loc[0, ["unit", "criterion", "value"]].tolist() == ["a", "1.1", 1]


def test_other_year_rows_are_a_warning_only():
    rows, issues = input_issues(CRIT, UNITS, HEAD + "a,2024,1.1,có,,,\na,2025,1.1,có,,,\n")
    assert [(i.code, i.severity, i.params["count"]) for i in issues] == [("input.other_year", "warning", 1)]
    assert len(rows) == 2


def test_blank_rows_are_skipped():
    assert errors("a,2025,1.1,có,,,\n\n,,,,,,\nb,2025,1.1,có,,,\n") == []


def test_row_numbers_count_blank_lines():
    # header = line 1, a = line 2, blank = line 3, zz = line 4
    assert errors("a,2025,1.1,có,,,\n\nzz,2025,1.1,có,,,\n") == [("input.unknown_unit", 4, "unit")]


def test_ragged_csv_row_names_its_row():
    with pytest.raises(ParError) as exc:
        input_issues(CRIT, UNITS, "unit,period,criterion,value\na,2025,1.1,có\nb,2025,1.1,có,thừa\n")
    assert [i.row for i in exc.value.issues] == [3]
    with pytest.raises(ParError) as exc:  # after a blank line the row number still matches
        input_issues(CRIT, UNITS, "unit,period,criterion,value\n\nb,2025,1.1,có,thừa\n")
    assert [i.row for i in exc.value.issues] == [3]


# -- xlsx ----------------------------------------------------------------------------


def write_xlsx(path, rows, sheet="Nhập liệu", second_sheet=True):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if second_sheet:
        book.create_sheet("Khác").append(["unit", "period", "criterion", "value"])
    book.save(path)
    return path


def xlsx_errors(tmp_path, rows):
    path = write_xlsx(tmp_path / "in.xlsx", rows)
    with pytest.raises(ParError) as exc:
        read_inputs([path], CRIT, UNITS)
    return [(i.code, i.sheet, i.row, i.cell) for i in exc.value.issues]


def test_xlsx_date_cell_is_reported_with_its_cell(tmp_path):
    found = xlsx_errors(tmp_path, [
        ["unit", "period", "criterion", "value"],
        ["a", 2025, "1.2", 1],
        ["a", "2025", "1.3", dt.date(2025, 3, 1)],  # Excel turned "3/1" into a date
    ])
    assert found == [("input.date_not_number", "Nhập liệu", 3, "D3")]


def test_xlsx_first_sheet_cell_references(tmp_path):
    rows = [["unit", "period", "criterion", "value", "numerator", "denominator"]]
    rows += [["a", 2025, "1.1", "có", None, None], ["b", 2025, "1.2", 0.5, None, None],
             ["a", "2025-Q1", "1.4", 50, None, None], ["b", 2025, "1.5", None, 3, 4],
             ["a", 2025, "1.3", 1, None, None]]
    rows += [["a", 2025, "1.2", "hai", None, None], [None] * 6, ["a", 2025, "1.5", None, 3, None]]
    found = xlsx_errors(tmp_path, rows)
    # row 8 is empty: skipped, and the rows after it keep their sheet row numbers
    assert found == [("input.not_a_number", "Nhập liệu", 7, "D7"),
                     ("input.ratio_needs_both", "Nhập liệu", 9, "F9")]


def test_xlsx_valid_sheet_parses_numbers_as_typed(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", [["unit", "period", "criterion", "value"],
                                              ["a", 2025, "1.2", 1.5], ["a", 2025, "1.4", 98]])
    rows, issues = read_inputs([path], CRIT, UNITS)
    assert issues == [] and rows["value"].tolist() == [1.5, 98] and rows["period"].tolist() == ["2025"] * 2


def test_unreadable_inputs_are_reported_per_file(tmp_path):
    bad = tmp_path / "in.txt"
    bad.write_text("x")
    with pytest.raises(ParError) as exc:
        read_inputs([bad, tmp_path / "none.csv"], CRIT, UNITS)
    assert [(i.code, i.file) for i in exc.value.issues] == [
        ("file.bad_type", str(bad)), ("file.not_found", str(tmp_path / "none.csv"))]


def test_duplicate_across_files_is_reported_next_to_other_errors():
    assert errors("a,2025,1.1,có,,,\nzz,2025,1.1,có,,,\n", "a,2025,1.1,có,,,\n",
                  names=["q1.csv", "q2.csv"]) == [
        ("input.unknown_unit", 3, "unit"), ("input.duplicate_across", 2, None)]


# -- units ---------------------------------------------------------------------------


def test_units_file(write):
    units = read_units(write("u.csv", "id,name,level,group\n a ,Xã A,xa,xa\nb,\"Phường B, C\",xa,\n"))
    assert list(units.index) == ["a", "b"]
    assert units.loc["b", "name"] == "Phường B, C" and units.loc["a", "group"] == "xa"
    assert units["group"].isna().tolist() == [False, True]


def test_units_errors_are_all_reported(write):
    path = write("u.csv", "id,name,level\na,Xã A,xa\nb,,xa\na,Xã C,xa\n")
    with pytest.raises(ParError) as exc:
        read_units(path)
    assert [(i.code, i.row, i.cell) for i in exc.value.issues] == [
        ("units.empty_cell", 3, "name"), ("units.duplicate", 4, "id")]
    assert exc.value.issues[1].params["first_row"] == 2
