"""Excel templates: built with openpyxl, filled as a user would, read back with calamine."""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures.workbooks import fill, header, open_book, rows_by_key, save  # noqa: F401

from par import load_criteria, read_units, score
from par.domain.issues import errors_only
from par.domain.periods import Period
from par.read.inputs import check_inputs
from par.read.template import HEADER_ROW, TemplateRecord, build_template, describe_rule
from par.read.workbook import check_record, read_template

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")
DISTRICTS = list(UNITS[UNITS["level"] == "huyen"].index)
Q2 = Period(2019, 2)


@pytest.fixture(scope="module")
def one_unit() -> bytes:
    return build_template(CRITERIA, UNITS, ["vinh"], Q2)


@pytest.fixture(scope="module")
def all_units() -> bytes:
    return build_template(CRITERIA, UNITS, DISTRICTS, Q2)


# One value of every rule type, with the points each should give (computed by hand).
FILLED = {
    "1.1.1": ({"Giá trị": "có", "Tài liệu kiểm chứng": "KH 12/KH-UBND"}, 1.0),   # yes_no
    "1.1.2": ({"Tử số": 19, "Mẫu số": 20}, 1.5),          # 95% is over 90%
    "1.2.1": ({"Giá trị": "không"}, 0.0),
    "1.2.2": ({"Giá trị": "N/A"}, None),                  # not applicable
    "1.3.3": ({"Giá trị": "N/A"}, None),                  # a ratio marked not applicable
    "1.4.2": ({"Giá trị": 13}, 0.25),                     # count, bands: from 12
    "1.5": ({"Giá trị": 2}, 1.0),                         # count, 0.5 per item
    "2.1.3": ({"Giá trị": 1, "Ghi chú": "1 văn bản"}, 0.25),  # deduction 0.5 − 0.25
    "2.3.2": ({"Tử số": 0, "Mẫu số": 0}, 1.0),            # when_empty: full
    "3.3.3": ({"Tử số": 1, "Mẫu số": 100}, 0.75),         # lower is better: 1% late
    "4.1.3": ({"Giá trị": "Hoàn thành chậm"}, 0.375),     # choice 0.5 × 0.75
    "7.2.2": ({"Giá trị": "0,5"}, 0.5),                   # points, decimal comma
    "8.1.1": ({"Giá trị": 80, "Giai đoạn": "thẩm định"}, 2.0),   # survey linear 2.5 × 80%
    "8.1.3": ({"Giá trị": "85,5", "Giai đoạn": "thẩm định"}, 2.0),  # survey bands: from 80
    "B.1": ({"Giá trị": 1}, 0.5),
    "P.2": ({"Giá trị": "có", "Giai đoạn": "tự chấm"}, 1.0),
}


def read_and_check(data: bytes, name="t.xlsx"):
    table, record, issues = read_template(data, name)
    assert table is not None, [i.render("en") for i in issues]
    rows, found = check_inputs([table], CRITERIA, UNITS)
    return table, record, issues + found, rows


def cells_of(issues, code):
    return [i.cell for i in issues if i.code == code]


# -- the built workbook -----------------------------------------------------------------------

def test_sheets_and_hidden_record(one_unit):
    wb = open_book(one_unit)
    assert wb.sheetnames[:2] == ["Hướng dẫn", "Số liệu"]
    assert wb.active.title == "Số liệu"
    par = wb["_par"]
    assert par.sheet_state == "hidden" and wb["_lists"].sheet_state == "hidden"
    record = {r[0]: r[1] for r in par.iter_rows(values_only=True)}
    assert record["format"] == "par-template" and record["version"] == "1"
    assert record["criteria_id"] == CRITERIA.id and record["criteria_sha256"] == CRITERIA.sha256
    assert (record["year"], record["level"], record["period"]) == ("2019", "huyen", "2019-Q2")
    assert record["units"] == "vinh" and record["lang"] == "vi"
    assert dt.datetime.fromisoformat(record["created_at"]).tzinfo is not None
    ws = wb["Số liệu"]
    assert (ws["B2"].value, ws["B3"].value, ws["B4"].value, ws["B5"].value) == (
        CRITERIA.id, "vinh", "Thành phố Vinh", "2019-Q2")
    assert list(header(ws)) == ["Mã", "Tiêu chí", "Điểm tối đa", "Cách chấm điểm", "Giá trị",
                                "Tử số", "Mẫu số", "Giai đoạn", "Tài liệu kiểm chứng", "Ghi chú"]
    help_text = "\n".join(c.value for c in wb["Hướng dẫn"]["A"] if c.value)
    for words in ("N/A", "0,5", "tự chấm", "thẩm định", "Không sửa mã"):
        assert words in help_text


def test_one_row_per_node_and_leaf_rows_carry_the_rule(one_unit):
    ws = open_book(one_unit)["Số liệu"]
    rows = rows_by_key(ws)
    assert list(rows) == list(CRITERIA.nodes)  # tree order, bonus and penalty included
    leaves = [c for c in rows if ws[f"D{rows[c]}"].value]
    assert leaves == [leaf.code for leaf in CRITERIA.leaves] and len(leaves) == 94
    assert ws[f"B{rows['1']}"].font.b and not ws[f"B{rows['1.1.1']}"].font.b
    assert ws[f"C{rows['1.1.2']}"].value == 2
    # the author's description first, then the rule in words
    assert ws[f"D{rows['1.1.2']}"].value.startswith("Số nhiệm vụ đã hoàn thành")
    assert describe_rule(CRITERIA.nodes["2.4.1"]) == (
        "Tỷ lệ (%) = Tử số / Mẫu số × 100; trên 90%: 1 điểm; từ 70%: 0,5 điểm; thấp hơn: 0 điểm; "
        "mẫu số bằng 0: không áp dụng; nhập số liệu riêng của kỳ, các kỳ được cộng dồn")
    assert describe_rule(CRITERIA.nodes["1.1.1"]) == "Có: 1 điểm; Không: 0 điểm"
    assert "Hoàn thành chậm: 0,375 điểm" in describe_rule(CRITERIA.nodes["4.1.3"])
    assert "0,25 điểm, tối đa 1 điểm" in describe_rule(CRITERIA.nodes["3.5.2"])
    assert "trừ 0,25 điểm" in describe_rule(CRITERIA.nodes["2.1.3"])
    lower = describe_rule(CRITERIA.nodes["3.3.3"])
    assert "càng thấp càng tốt" in lower and "đến 1%: 0,75 điểm" in lower
    assert "cao hơn: 0 điểm" in lower
    assert "mẫu số bằng 0: đạt tối đa 1 điểm" in describe_rule(CRITERIA.nodes["2.3.2"])
    assert "lấy trung bình các kỳ" in describe_rule(CRITERIA.nodes["7.2.2"])
    assert describe_rule(CRITERIA.nodes["1.1.1"], "en") == "Yes: 1 points; no: 0"


def test_protection_and_locked_cells(one_unit):
    wb = open_book(one_unit)
    ws = wb["Số liệu"]
    assert ws.protection.sheet and wb["Hướng dẫn"].protection.sheet
    assert wb.security.lockStructure
    rows = rows_by_key(ws)
    locked = lambda ref: ws[ref].protection.locked
    yes_no, ratio, branch = rows["1.1.1"], rows["1.1.2"], rows["1.1"]
    for col in "ABCD":  # code, name, max, rule: descriptive
        assert locked(f"{col}{yes_no}") and locked(f"{col}{branch}")
    for col in "EHIJ":
        assert not locked(f"{col}{yes_no}") and locked(f"{col}{branch}")
    assert locked(f"F{yes_no}") and locked(f"G{yes_no}")  # greyed: not a ratio
    assert not locked(f"F{ratio}") and not locked(f"G{ratio}")
    assert ws[f"E{ratio}"].fill.fgColor.rgb.endswith("D9D9D9")  # greyed, takes only N/A
    assert ws[f"F{yes_no}"].fill.fgColor.rgb.endswith("D9D9D9")
    assert ws[f"E{yes_no}"].fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 55 and ws[f"B{yes_no}"].alignment.wrap_text


def test_data_validations(one_unit):
    wb = open_book(one_unit)
    ws, lists = wb["Số liệu"], wb["_lists"]
    rows = rows_by_key(ws)

    def dv_of(ref):
        found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
        assert len(found) == 1, ref
        return found[0]

    def options(dv):
        col = dv.formula1.split("!")[1].split(":")[0].strip("$")[0]
        return [c.value for c in lists[col] if c.value is not None]

    yes_no = dv_of(f"E{rows['1.1.1']}")
    assert yes_no.type == "list" and options(yes_no) == ["có", "không", "N/A"]
    choice = dv_of(f"E{rows['4.1.3']}")
    assert options(choice) == ["Hoàn thành đúng hạn", "Hoàn thành chậm", "Chưa thực hiện", "N/A"]
    assert choice.errorStyle == "stop"
    assert options(dv_of(f"H{rows['1.1.1']}")) == ["tự chấm", "thẩm định"]
    assert options(dv_of(f"E{rows['1.1.2']}")) == ["N/A"]
    points = dv_of(f"E{rows['7.2.2']}")
    assert (points.type, points.operator, points.formula1, points.formula2) == (
        "decimal", "between", "0", "1")
    assert points.errorStyle == "warning"  # N/A and "0,5" must stay typeable
    survey = dv_of(f"E{rows['8.1.1']}")
    assert (survey.formula1, survey.formula2) == ("0", "100")
    for ref in (f"E{rows['1.5']}", f"E{rows['2.1.3']}", f"F{rows['1.1.2']}", f"G{rows['1.1.2']}"):
        dv = dv_of(ref)
        assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    for dv in ws.data_validations.dataValidation:
        assert len(dv.prompt) <= 255 and len(dv.error) <= 225 and dv.allow_blank


# -- filled and read back ------------------------------------------------------------------------

def test_filled_template_reads_checks_and_scores(one_unit):
    data = fill(one_unit, {code: cells for code, (cells, _) in FILLED.items()})
    table, record, issues, rows = read_and_check(data)
    assert errors_only(issues) == []
    assert isinstance(record, TemplateRecord) and record.units == ("vinh",)
    assert record.period == "2019-Q2" and table.sheet == "Số liệu"
    assert len(table.frame) == len(FILLED)
    assert set(table.frame["unit"]) == {"vinh"} and set(table.frame["period"]) == {"2019-Q2"}
    assert table.letters["value"] == "E" and table.letters["numerator"] == "F"
    card = score(CRITERIA, UNITS, rows, Q2)
    leaves = card.leaves.set_index(["unit", "criterion"])
    for code, (_, expected) in FILLED.items():
        leaf = leaves.loc[("vinh", code)]
        if expected is None:
            assert not leaf["applicable"], code
        else:
            assert leaf["points"] == pytest.approx(expected), code
    assert leaves.loc[("vinh", "8.1.1"), "stage"] == "appraisal"
    assert leaves.loc[("vinh", "1.1.1"), "stage"] == "self"
    assert leaves.loc[("vinh", "1.1.1"), "missing"] == False  # noqa: E712
    assert leaves.loc[("vinh", "1.6"), "missing"] == True  # noqa: E712 - left empty
    assert card.units.loc["vinh", "penalty"] == pytest.approx(1.0)
    assert check_record(record, CRITERIA, "vinh", "2019-Q2") == []


def test_row_errors_point_at_the_real_cells(one_unit):
    def edit(wb, ws, rows, h):
        ws[f"F{rows['1.1.2']}"] = "mười"
        ws[f"E{rows['1.5']}"] = dt.date(2019, 3, 1)
    data = fill(one_unit, {"1.4.2": {"Giá trị": "nhiều"}, "7.2.2": {"Giá trị": "1,5"},
                           "1.1.2": {"Mẫu số": 20}, "1.1.1": {"Giá trị": "chưa"}}, edit=edit)
    table, _, issues, _ = read_and_check(data)
    ws = open_book(data)["Số liệu"]
    rows = rows_by_key(ws)
    found = {(i.code, i.cell) for i in errors_only(issues)}
    assert found == {("input.not_a_number", f"E{rows['1.4.2']}"),
                     ("input.over_max", f"E{rows['7.2.2']}"),
                     ("input.not_a_number", f"F{rows['1.1.2']}"),
                     ("input.date_not_number", f"E{rows['1.5']}"),
                     ("input.bad_yes_no", f"E{rows['1.1.1']}")}
    assert all(i.sheet == "Số liệu" and i.file == "t.xlsx" for i in issues)
    over = next(i for i in issues if i.code == "input.over_max")
    where = f"t.xlsx, trang tính 'Số liệu', ô E{rows['7.2.2']}"
    assert over.render("vi").startswith(where + ": điểm 1,5")


def test_unit_and_period_issues_point_at_the_header_cells(one_unit):
    def edit(wb, ws, rows, h):  # both the record and the visible cell, so only the unit is wrong
        ws["B3"] = "zz"
        par = wb["_par"]
        for row in par.iter_rows():
            if row[0].value == "units":
                row[1].value = "zz"
    data = fill(one_unit, {"1.1.1": {"Giá trị": "có"}}, edit=edit)
    table, _, issues, _ = read_and_check(data)
    assert [(i.code, i.cell) for i in errors_only(issues)] == [("input.unknown_unit", "B3")]
    assert table.cell("period", 40) == "B5"


def test_formula_error_cell(one_unit):
    def edit(wb, ws, rows, h):
        ws[f"E{rows['1.4.2']}"] = "#DIV/0!"  # what Excel stores for a cell showing #DIV/0!
        ws[f"F{rows['1.1.2']}"] = "#REF!"
    table, _, issues = read_template(fill(one_unit, {}, edit=edit), "t.xlsx")
    rows = rows_by_key(open_book(one_unit)["Số liệu"])
    assert {(i.code, i.cell, i.params["value"]) for i in issues} == {
        ("workbook.formula_error", f"E{rows['1.4.2']}", "#DIV/0!"),
        ("workbook.formula_error", f"F{rows['1.1.2']}", "#REF!")}


def test_merged_input_cells(one_unit):
    rows = rows_by_key(open_book(one_unit)["Số liệu"])
    r = rows["1.2.1"]

    def edit(wb, ws, rows, h):
        ws.merge_cells(f"E{r}:E{r + 1}")
        ws.merge_cells("A6:D6")  # in the header block: harmless
    _, _, issues = read_template(fill(one_unit, {"1.2.1": {"Giá trị": "có"}}, edit=edit), "t.xlsx")
    assert [(i.code, i.cell) for i in issues] == [("workbook.merged_input", f"E{r}:E{r + 1}")]


def test_changed_header_row(one_unit):
    data = fill(one_unit, {}, edit=lambda wb, ws, rows, h: ws.__setitem__(f"E{HEADER_ROW}", "Số"))
    table, record, issues = read_template(data, "t.xlsx")
    assert table is None and record is not None
    assert [(i.code, i.cell, i.params["columns"]) for i in issues] == [
        ("workbook.bad_header", f"A{HEADER_ROW}", "Giá trị")]
    data = fill(one_unit, {}, edit=lambda wb, ws, rows, h: ws.delete_rows(HEADER_ROW))
    table, _, issues = read_template(data, "t.xlsx")
    assert table is None and [i.code for i in issues] == ["workbook.bad_header"]


def test_visible_header_differs_from_the_record(one_unit):
    data = fill(one_unit, {}, edit=lambda wb, ws, rows, h: (ws.__setitem__("B3", "cua-lo"),
                                                             ws.__setitem__("B5", "2019-Q3")))
    _, _, issues = read_template(data, "t.xlsx")
    assert [(i.code, i.cell, i.params["found"], i.params["expected"]) for i in issues] == [
        ("workbook.record_mismatch", "B3", "cua-lo", "vinh"),
        ("workbook.record_mismatch", "B5", "2019-Q3", "2019-Q2")]
    assert "Mã đơn vị không khớp" in issues[0].message("vi")


def test_check_record(one_unit):
    _, record, _ = read_template(one_unit, "t.xlsx")
    other = load_criteria(ROOT / "criteria/nghe-an-so-2025.yaml")
    [issue] = check_record(record, other)
    assert (issue.code, issue.cell, issue.severity) == ("workbook.record_mismatch", "B2", "error")
    assert issue.params["expected"] == other.id
    edited = dataclasses.replace(CRITERIA, sha256="0" * 64)
    [issue] = check_record(record, edited)
    assert issue.severity == "warning" and issue.params["expected"] == "0" * 12
    issues = check_record(record, CRITERIA, expected_unit="cua-lo", expected_period="2019-Q3")
    assert [(i.cell, i.params["found"], i.params["expected"]) for i in issues] == [
        ("B3", "vinh", "cua-lo"), ("B5", "2019-Q2", "2019-Q3")]
    assert check_record(record, CRITERIA, "vinh", Q2) == []


@pytest.mark.parametrize("key, value, code", [
    ("period", None, "workbook.record_missing"),
    ("version", "2", "workbook.record_version"),
    ("format", "other", "workbook.record_invalid"),
    ("criteria_sha256", "abc", "workbook.record_invalid"),
])
def test_broken_record(one_unit, key, value, code):
    def edit(wb, ws, rows, h):
        for row in wb["_par"].iter_rows():
            if row[0].value == key:
                row[1].value = value
    table, _, issues = read_template(fill(one_unit, {}, edit=edit), "t.xlsx")
    assert table is None and [i.code for i in issues] == [code]
    assert issues[0].sheet == "_par"


def test_renamed_data_sheet_and_plain_workbooks(one_unit):
    def edit(wb, ws, rows, h):
        ws.title = "Trang 1"
    table, _, issues = read_template(fill(one_unit, {}, edit=edit), "t.xlsx")
    assert table is None and [i.code for i in issues] == ["workbook.data_sheet_missing"]
    plain = openpyxl.Workbook()
    plain.active.append(["unit", "period", "criterion", "value"])
    assert read_template(save(plain), "p.xlsx") == (None, None, [])


def test_english_template_round_trip():
    data = build_template(CRITERIA, UNITS, ["cua-lo"], Q2, lang="en")
    wb = open_book(data)
    assert wb.sheetnames[:2] == ["Instructions", "Data"]
    ws = wb["Data"]
    assert header(ws)["Value"] == "E"
    rows = {ws[f"A{r}"].value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    ws[f"E{rows['1.1.1']}"] = "yes"
    ws[f"H{rows['1.1.1']}"] = "appraisal"
    table, record, issues = read_template(save(wb), "en.xlsx")
    rows_, found = check_inputs([table], CRITERIA, UNITS)
    assert issues == [] and errors_only(found) == [] and record.lang == "en"
    assert list(rows_["stage"]) == ["appraisal"]


# -- the consolidated template ---------------------------------------------------------------

def test_consolidated_layout(all_units):
    wb = open_book(all_units)
    ws = wb["Số liệu"]
    record = {r[0]: r[1] for r in wb["_par"].iter_rows(values_only=True)}
    assert record["units"].split(",") == DISTRICTS and record["layout"] == "consolidated"
    assert list(header(ws))[:3] == ["Mã đơn vị", "Mã", "Tiêu chí"]
    rows = rows_by_key(ws, consolidated=True)
    assert len(rows) == len(DISTRICTS) * len(CRITERIA.nodes)
    units_in_order = list(dict.fromkeys(u for u, _ in rows))
    assert units_in_order == DISTRICTS  # grouped by unit, one block each
    first = rows[("vinh", "1")] - 1
    assert ws[f"A{first}"].value == "Thành phố Vinh (vinh)" and ws[f"A{first}"].font.b
    leaf_row = rows[("ky-son", "1.1.2")]
    assert not ws[f"G{leaf_row}"].protection.locked and ws[f"A{leaf_row}"].protection.locked
    yes_no = f"F{rows[('ky-son', '1.1.1')]}"
    assert any(yes_no in dv.sqref for dv in ws.data_validations.dataValidation)


def test_consolidated_fill_read_and_score(all_units):
    entries = {("vinh", "1.1.1"): {"Giá trị": "có"}, ("cua-lo", "1.1.1"): {"Giá trị": "không"},
               ("ky-son", "1.1.2"): {"Tử số": 7, "Mẫu số": 10},
               ("cua-lo", "7.2.2"): {"Giá trị": "0,5"}}
    data = fill(all_units, entries, consolidated=True)
    table, record, issues, rows = read_and_check(data)
    assert errors_only(issues) == [] and len(record.units) == 21
    assert table.letters["unit"] == "A" and table.letters["value"] == "F"
    card = score(CRITERIA, UNITS, rows, Q2)
    leaves = card.leaves.set_index(["unit", "criterion"])["points"]
    assert leaves[("vinh", "1.1.1")] == 1.0 and leaves[("cua-lo", "1.1.1")] == 0.0
    assert leaves[("ky-son", "1.1.2")] == 1.0 and leaves[("cua-lo", "7.2.2")] == 0.5
    assert check_record(record, CRITERIA, expected_unit="ky-son") == []

    bad = fill(all_units, {("nghi-loc", "1.4.2"): {"Giá trị": "abc"}}, consolidated=True)
    _, _, issues, _ = read_and_check(bad)
    r = rows_by_key(open_book(all_units)["Số liệu"], consolidated=True)[("nghi-loc", "1.4.2")]
    assert [(i.code, i.cell) for i in errors_only(issues)] == [("input.not_a_number", f"F{r}")]


def test_unknown_unit_and_wrong_year_are_refused():
    from par.domain.issues import ParError
    with pytest.raises(ParError) as exc:
        build_template(CRITERIA, UNITS, ["vinh", "p-cua-lo"], Q2)
    assert [i.code for i in exc.value.issues] == ["template.unknown_unit"]
    with pytest.raises(ParError) as exc:
        build_template(CRITERIA, UNITS, ["vinh"], Period(2020, 1))
    assert [i.code for i in exc.value.issues] == ["template.other_year"]


def test_libreoffice_opens_the_template(one_unit, tmp_path):
    path = tmp_path / "vinh.xlsx"
    path.write_bytes(one_unit)
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is missing: scripts/setup-system.sh installs it (make test)"
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], check=True, timeout=120, capture_output=True)
    assert (tmp_path / "vinh.pdf").stat().st_size > 1000


def test_prefilled_template_reads_back_the_same_values():
    prefill = pd.DataFrame([
        {"unit": "vinh", "criterion": "1.1.1", "value": "có", "stage": "self"},
        {"unit": "vinh", "criterion": "1.1.2", "numerator": "19", "denominator": "20"},
        {"unit": "vinh", "criterion": "8.1.1", "value": "80", "stage": "appraisal",
         "evidence": "Phiếu khảo sát"},
    ])
    data = build_template(CRITERIA, UNITS, ["vinh"], Q2, prefill=prefill)
    table, _, issues = read_template(data, "pre.xlsx")
    assert not issues
    rows, issues = check_inputs([table], CRITERIA, UNITS)
    assert not [i for i in issues if i.severity == "error"]
    got = rows.set_index("criterion")
    assert list(got.index) == ["1.1.1", "1.1.2", "8.1.1"]
    assert got.at["1.1.1", "value"] == 1.0
    assert (got.at["1.1.2", "numerator"], got.at["1.1.2", "denominator"]) == (19.0, 20.0)
    assert got.at["8.1.1", "stage"] == "appraisal" and got.at["8.1.1", "evidence"] == "Phiếu khảo sát"


# -- text is text: a name or a note never becomes a formula -----------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


def _formula_cells(data: bytes) -> dict[str, list[bytes]]:
    """Sheet part → its <f> elements (every formula the workbook holds)."""
    import io
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: re.findall(rb"<f[ >].*?</f>", z.read(n)) for n in z.namelist()
                if n.startswith("xl/worksheets/")}


def test_names_and_notes_starting_like_formulas_are_written_as_text():
    units = UNITS.copy()
    units.loc["vinh", "name"] = FORMULA
    units.loc["cua-lo", "name"] = "@SUM(A1)"
    prefill = pd.DataFrame([
        {"unit": "vinh", "criterion": "1.1.1", "value": "=1+1", "evidence": "+84 cmd",
         "note": "-2+3"},
        {"unit": "vinh", "criterion": "1.2.1", "value": "có", "note": "\tTab\r"},
    ])
    one = build_template(CRITERIA, units, ["vinh"], Q2, prefill=prefill)
    assert _formula_cells(one) and not any(_formula_cells(one).values())
    wb = open_book(one)
    ws = wb["Số liệu"]
    assert ws["B4"].value == FORMULA and ws["B4"].data_type == "s"
    rows = rows_by_key(ws)
    h = header(ws)
    for column, value in (("Giá trị", "=1+1"), ("Tài liệu kiểm chứng", "+84 cmd"),
                          ("Ghi chú", "-2+3")):
        cell = ws[f"{h[column]}{rows['1.1.1']}"]
        assert cell.value == value and cell.data_type == "s"
    help_text = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert FORMULA in help_text
    both = build_template(CRITERIA, units, ["vinh", "cua-lo"], Q2)
    assert not any(_formula_cells(both).values())
    consolidated = open_book(both)["Số liệu"]
    assert f"{FORMULA} (vinh)" in [c.value for c in consolidated["A"]]


def test_control_characters_in_a_name_do_not_stop_the_template():
    units = UNITS.copy()
    units.loc["vinh", "name"] = "Thành phố\x01 Vinh\x1b"
    ws = open_book(build_template(CRITERIA, units, ["vinh"], Q2))["Số liệu"]
    assert ws["B4"].value == "Thành phố\ufffd Vinh\ufffd"
