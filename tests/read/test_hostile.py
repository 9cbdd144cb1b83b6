"""Issue "No upload can take the server down, no value can poison a level", file by file.

Every hostile file is built in code (tests/fixtures/hostile.py), in sizes and sparse
layouts. What a parser does with one is only ever tried in a child process: the file that
made calamine abort is run through it here in a subprocess, never in the test process.
"""
from __future__ import annotations

import io
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fixtures import hostile as h
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from par import load_criteria, read_units
from par.cli.main import main
from par.domain.issues import ParError
from par.read import sandbox
from par.read.guard import Limits, check_xlsx
from par.read.tabular import MAX_CELL, read_csv
from par.read.values import MAX_NUMBER, parse_number
from par.store.submit import prepare

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")


def codes(issues) -> list[str]:
    return [i.code for i in issues]


def refused(data: bytes, name: str = "f.xlsx", **expected) -> list:
    """prepare() as the upload page calls it: the ParError's issues (it must refuse)."""
    with pytest.raises(ParError) as info:
        prepare(data, name, [CRITERIA], UNITS, expected_unit="cua-lo")
    return info.value.issues


# -- finding 1: cells without a reference --------------------------------------------------------

CALAMINE_IN_A_CHILD = textwrap.dedent("""
    import io, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a net, should it try
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    from python_calamine import CalamineWorkbook
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(open(sys.argv[1], "rb").read())
                                           ).get_sheet_by_index(0)
    print("range", sheet.start, sheet.end)
""")


def calamine_in_a_child(tmp_path: Path, data: bytes) -> subprocess.CompletedProcess:
    path = tmp_path / "probe.xlsx"
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-c", CALAMINE_IN_A_CHILD, str(path)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_cells_without_references_abort_calamine_and_the_guard_now_sees_them(tmp_path):
    """What the issue reported, reproduced in a child: one row of cells without r, and
    calamine asks for 64 GB (Range::from_sparse) and aborts the whole process."""
    data = h.rless_row(cells=20_000, row=100_000)
    assert len(data) < 6000
    child = calamine_in_a_child(tmp_path, data)
    assert child.returncode == -signal.SIGABRT, (child.returncode, child.stdout)
    assert "memory allocation of 63999360000 bytes failed" in child.stderr
    issue, = check_xlsx(data, "rless.xlsx", Limits())
    assert issue.code == "guard.cell_out_of_range" and issue.params["ref"] == "IW100000"


def test_how_calamine_places_cells_without_references(tmp_path):
    """The rule the guard follows, as calamine shows it (small sheets, in a child)."""
    cases = {  # sheet data → (first, last) cell of the range calamine builds
        '<row r="5"><c><v>1</v></c></row><row><c><v>2</v></c></row>': ((4, 0), (5, 0)),
        '<row r="1"><c r="C1"><v>1</v></c><c><v>2</v></c></row>': ((0, 2), (0, 3)),
        '<row r="1"><c r="A5"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>':
            ((0, 0), (4, 1)),  # a written cell moves the column, not the row
        '<row r="1"><c><v>1</v></c></row><row/><row><c><v>2</v></c></row>': ((0, 0), (2, 0)),
        '<row r="1"><c/><c/><c><v>1</v></c></row>': ((0, 2), (0, 2)),  # <c/> takes a place
        '<row r="1"><c><v>1</v></c><!-- </row> --><c><v>2</v></c></row>': ((0, 0), (0, 1)),
    }
    for body, (start, end) in cases.items():
        child = calamine_in_a_child(tmp_path, h.with_sheet(h.sheet_xml(body, dimension=None)))
        assert child.stdout.strip() == f"range {start} {end}", (body, child.stdout, child.stderr)


RLESS = [  # (builder, the code, the reference it names)
    (lambda: h.rless_row(20_000), "guard.cell_out_of_range", "IW100000"),  # the 64 GB file
    (lambda: h.rless_row(257, row=1, first_row=1), "guard.cell_out_of_range", "IW1"),
    (lambda: h.rless_row(1000, row=5000), "guard.cell_out_of_range", "IW5000"),
    (lambda: h.rless_row(255, row=100_000), "guard.sheet_too_large", "IU100000"),  # 1.2 GB
    (lambda: h.rless_row(200, row=20_000), "guard.sheet_too_large", "GR20000"),
    (lambda: h.rless_rows(2, from_row=99_999), "guard.cell_out_of_range", "A100001"),
    (lambda: h.rless_rows(100_001), "guard.too_many_cells", None),
    (lambda: h.rless_after("IV1"), "guard.cell_out_of_range", "IW1"),
    (lambda: h.rless_after("IV7", cells=3), "guard.cell_out_of_range", "IW7"),
    (lambda: h.rless_hidden_row_end(), "guard.cell_out_of_range", "IW1"),
    (lambda: h.rless_hidden_row_end(hide="<![CDATA[</row>]]>"), "guard.cell_out_of_range", "IW1"),
    (lambda: h.rless_hidden_row_end(hide="<?pi </row> ?>"), "guard.cell_out_of_range", "IW1"),
    (lambda: h.rless_hidden_row_end(hide="<!--></row>-->"), "guard.cell_out_of_range", "IW1"),
    (h.prefixed_r, "guard.cell_out_of_range", "IW1"),
    (h.row_end_inside_cell, "guard.not_xlsx", None),
]


@pytest.mark.parametrize("build, code, ref", RLESS, ids=[f"{c}-{r}-{i}" for i, (_, c, r) in enumerate(RLESS)])
def test_implicit_places_are_checked_like_written_ones(build, code, ref):
    issue, = check_xlsx(build(), "rless.xlsx", Limits())
    assert issue.code == code
    if ref:
        assert issue.params["ref"] == ref and issue.params["part"] == "xl/worksheets/sheet1.xml"
    for lang in ("vi", "en"):
        assert "{" not in issue.render(lang) and issue.render(lang).startswith("rless.xlsx: ")


@pytest.mark.parametrize("chunk", [7, 64, 4096])
def test_implicit_places_do_not_depend_on_chunk_edges(monkeypatch, chunk):
    from par.read import guard

    expected = {i: codes(check_xlsx(b(), "a.xlsx", Limits())) for i, (b, _, _) in enumerate(RLESS)
                if i not in (0, 6)}  # (the big ones: slow at 7-byte chunks)
    monkeypatch.setattr(guard, "CHUNK", chunk)
    assert {i: codes(check_xlsx(RLESS[i][0](), "a.xlsx", Limits())) for i in expected} == expected


def test_honest_sheets_without_references_pass_and_read():
    body = ("<row>" + '<c t="inlineStr"><is><t>unit</t></is></c><c t="inlineStr"><is><t>period'
            "</t></is></c><c><v>3</v></c></row>" + "<row><c><v>1</v></c><c><v>2</v></c>"
            "<c><f>1+2</f><v>3</v></c><c/></row>" * 500)
    data = h.with_sheet(h.sheet_xml(body, dimension=None))
    assert check_xlsx(data, "ok.xlsx", Limits()) == []
    table, record = sandbox.parse_upload(data, "ok.xlsx")
    assert record is None and len(table.frame) == 500 and list(table.frame.columns[:2]) == ["unit", "period"]


def test_the_killer_file_is_refused_through_every_door(tmp_path, capsys):
    """The upload page and `import` (prepare), and `score --inputs`: a located refusal,
    never an abort (the CLI used to exit 134)."""
    data = h.rless_row()
    issue, = refused(data, "rless.xlsx")
    assert issue.code == "guard.cell_out_of_range" and issue.file == "rless.xlsx"
    path = tmp_path / "rless.xlsx"
    path.write_bytes(data)
    score = ["score", "--criteria", str(ROOT / "criteria/nghe-an-huyen-2019.yaml"),
             "--units", str(ROOT / "data/units.csv"), "--inputs", str(path)]
    assert main(score) == 2
    err = capsys.readouterr().err
    assert "rless.xlsx" in err and "IW100000" in err and "Traceback" not in err
    child = subprocess.run([sys.executable, "-m", "par", *score], cwd=ROOT, capture_output=True,
                           text=True, timeout=120, check=False)
    assert child.returncode == 2, child.stderr[-2000:]
    assert "IW100000" in child.stderr


# -- the guard against calamine itself: whatever passes, calamine places within the limits ------

@dataclass(frozen=True)
class ManyCells(Limits):
    """Small sheet limits with room for odd tags (Limits derives the cell counts from them)."""

    @property
    def max_cells(self) -> int:
        return 1_000_000


def calamine_range(data: bytes):
    """(height, width) of the first sheet as calamine reads it; run in a sandbox worker."""
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception:  # noqa: BLE001 - calamine refuses the sheet: nothing allocated
        return None
    return (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.height and sheet.width else (0, 0)


@st.composite
def sheets(draw) -> str:
    def cell() -> str:
        prefix = draw(st.sampled_from(["", "", "x:"]))
        ref = draw(st.sampled_from(["", "", "", ' r="B2"', ' r="E1"', " r='C3'", ' x:r="A1"',
                                    ' r="F9"']))
        extra = draw(st.sampled_from(["", ' s="1"', ' t="s"', ' foo=">"']))
        if draw(st.booleans()):
            return f"<{prefix}c{ref}{extra}/>"
        body = draw(st.sampled_from(["<v>1</v>", "", "<f>1</f><v>2</v>", "<is><t>a</t></is>",
                                     "<!--</row>--><v>1</v>", "<v>1</v><?pi </c>?>"]))
        return f"<{prefix}c{ref}{extra}>{body}</{prefix}c>"

    def row() -> str:
        prefix = draw(st.sampled_from(["", "", "x:"]))
        ref = draw(st.sampled_from(["", "", ' r="1"', ' r="4"', ' r="9"']))
        if draw(st.integers(0, 6)) == 0:
            return f"<{prefix}row{ref}/>"
        cells = "".join(cell() for _ in range(draw(st.integers(0, 9))))
        junk = draw(st.sampled_from(["", "", "<!-- </row><row r='1'> -->", "<![CDATA[</row>]]>",
                                     "<x:foo/>"]))
        return f"<{prefix}row{ref}>{cells}{junk}</{prefix}row>"

    return "".join(row() if draw(st.integers(0, 4)) else cell()
                   for _ in range(draw(st.integers(1, 6))))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_whatever_the_guard_lets_through_calamine_places_within_the_limits(body):
    limits = ManyCells(max_rows=8, max_cols=6, max_area=30)
    xml = h.sheet_xml(body, dimension=None).replace(b"<worksheet ", b'<worksheet xmlns:x="urn:x" ')
    data = h.with_sheet(xml)
    if check_xlsx(data, "p.xlsx", limits):
        return
    found = sandbox.run(calamine_range, data, file="p.xlsx")
    if found is not None:
        rows, cols = found
        assert rows <= limits.max_rows and cols <= limits.max_cols, (body, found)
        assert rows * cols <= limits.max_area, (body, found)


# -- finding 3: a far corner inside the limits ---------------------------------------------------

FAR_CORNERS = [
    (lambda: h.far_corner("IV100000"), "IV100000"),
    (h.wide_and_tall, "IV100000"),
    (lambda: h.far_corner("IV10001"), "IV10001"),  # one row past the budget at full width
    (lambda: h.far_corner("CV100000"), "CV100000"),  # 100 columns × 100,000 rows
]


@pytest.mark.parametrize("build, ref", FAR_CORNERS, ids=[r for _, r in FAR_CORNERS])
def test_a_far_corner_inside_the_limits_is_refused_in_under_two_seconds(build, ref):
    data = build()
    assert len(data) < 5000
    start = time.perf_counter()
    issue, = refused(data, "corner.xlsx")
    assert time.perf_counter() - start < 2.0
    assert issue.code == "guard.sheet_too_large" and issue.params["ref"] == ref
    assert issue.params["limit"] == Limits().max_area == 2_560_000
    assert ref in issue.render("vi") and "A1" in issue.render("en")


def test_the_rectangle_budget_counts_only_cells_that_can_hold_a_value():
    assert check_xlsx(h.far_corner("IV10000"), "a.xlsx", Limits()) == []  # exactly the budget
    assert check_xlsx(h.far_corner("IV100000", value=False), "a.xlsx", Limits()) == []
    dimension_only = h.with_sheet(h.sheet_xml(h.NEAR_CELL, dimension="A1:IV100000"))
    assert check_xlsx(dimension_only, "a.xlsx", Limits()) == []
    assert codes(check_xlsx(h.far_corner("B2"), "a.xlsx", Limits(max_area=3))) == \
        ["guard.sheet_too_large"]


# -- finding 2: numbers that are not values ------------------------------------------------------

@pytest.mark.parametrize("text", ["1e999", "-1e999", "9" * 400, "1e16", "1" + "0" * 16,
                                  "1e15,5", "inf", "nan", "1e308%"])
def test_non_finite_and_absurd_numbers_are_not_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text, value", [("1e15", 1e15), ("-1e15", -1e15), ("0,5", 0.5),
                                         ("98%", 98.0), ("1e-999", 0.0), ("123456789012345", 123456789012345.0)])
def test_ordinary_numbers_still_read(text, value):
    assert parse_number(text) == value and abs(value) <= MAX_NUMBER


@pytest.mark.parametrize("value, column, cell", [
    ("1e999", "numerator", "numerator"), ("9" * 400, "numerator", "numerator"),
    ("1e16", "value", "value"), ("-1e999", "value", "value")])
def test_an_absurd_number_is_refused_at_its_cell(value, column, cell):
    issues = refused(h.huge_number_csv(value, column), "so-lieu.csv")
    assert codes(issues) == ["input.number_too_large"]
    assert "1e+15" in issues[0].render("en")
    assert (issues[0].row, issues[0].cell) == (2, cell)
    assert issues[0].render("en").startswith("so-lieu.csv, row 2, column")


def test_an_absurd_number_in_a_template_cell_is_refused_there():
    from fixtures.workbooks import fill

    from par.domain.periods import Period
    from par.read.template import build_template

    template = build_template(CRITERIA, UNITS, ["cua-lo"], Period(2019, 2))
    data = fill(template, {"1.1.2": {"Tử số": "1e999", "Mẫu số": 5}, "1.5": {"Giá trị": 1e300}})
    issues = refused(data, "mau.xlsx")
    assert codes(issues) == ["input.number_too_large", "input.number_too_large"]
    assert all(i.sheet and i.cell and i.file == "mau.xlsx" for i in issues)


# -- finding 4: CSV cells too long for a block, semicolon CSVs -------------------------------------

LONG = [  # (size, ordinary rows before it, ragged: pyarrow refuses the file, expected row)
    (MAX_CELL + 1, 0, False, 2),
    (140_000, 3, False, 5),
    (140_000, 3, True, 6),  # was: "field larger than field limit (131072)", a traceback
    (2_100_000, 0, True, 3),
    (5_000_000, 200_000, False, 200_002),  # straddles pyarrow's 4 MB blocks
]


@pytest.mark.parametrize("size, before, ragged, row", LONG)
def test_a_cell_too_long_is_refused_with_its_row(size, before, ragged, row):
    data = h.long_cell_csv(size, before, ragged)
    with pytest.raises(ParError) as info:
        read_csv(io.BytesIO(data), "dai.csv")
    long = [i for i in info.value.issues if i.code == "file.cell_too_long"]
    assert [i.row for i in long] == [row]
    assert long[0].params == {"limit": MAX_CELL} and str(MAX_CELL) in long[0].render("vi")
    assert all(i.code in ("file.cell_too_long", "file.ragged_row") for i in info.value.issues)


def test_a_long_cell_is_refused_through_the_upload_path_too(tmp_path):
    issues = refused(h.long_cell_csv(140_000, 1, ragged=True), "dai.csv")
    assert "file.cell_too_long" in codes(issues)
    path = tmp_path / "dai.csv"
    path.write_bytes(h.long_cell_csv(40_000))
    with pytest.raises(ParError) as info:
        read_csv(path)
    assert codes(info.value.issues) == ["file.cell_too_long"]


def test_a_cell_of_excel_length_is_fine():
    table = read_csv(io.BytesIO(h.long_cell_csv(MAX_CELL)), "ok.csv")
    assert len(table.frame["note"].iloc[0]) == MAX_CELL


def test_a_semicolon_csv_says_so():
    issue, = refused(h.semicolon_csv(), "champhay.csv")
    assert (issue.code, issue.row) == ("file.semicolon", 1)
    assert "," in issue.render("vi") and "semicolons" in issue.render("en")
    # a header with a comma is a real header, even if a name holds a semicolon
    table = read_csv(io.BytesIO(b"unit,note;x\na,b\n"), "ok.csv")
    assert list(table.frame.columns) == ["unit", "note;x", "_row"]


def test_score_inputs_caps_a_csv_and_guards_a_workbook(tmp_path, capsys, monkeypatch):
    base = ["score", "--criteria", str(ROOT / "criteria/nghe-an-huyen-2019.yaml"),
            "--units", str(ROOT / "data/units.csv"), "--inputs"]
    big = tmp_path / "lon.csv"
    big.write_bytes(h.TIDY_HEADER.encode() + b"cua-lo,2019,1.5,1,,,,,\n" * 60_000)
    monkeypatch.setenv("PAR_MAX_INPUT_MB", "1")
    assert main(base + [str(big)]) == 2
    assert "lon.csv" in capsys.readouterr().err
    monkeypatch.delenv("PAR_MAX_INPUT_MB")
    corner = tmp_path / "goc.xlsx"
    corner.write_bytes(h.far_corner())
    assert main(base + [str(corner)]) == 2
    err = capsys.readouterr().err
    assert "goc.xlsx" in err and "IV100000" in err
    numbers = tmp_path / "so.csv"
    numbers.write_bytes(h.huge_number_csv())
    assert main(base + [str(numbers)]) == 2
    err = capsys.readouterr().err
    assert "so.csv" in err and "1e999" in err


def test_the_readers_return_what_they_returned_before(tmp_path):
    """score --inputs through the sandbox reads a workbook exactly as tabular did."""
    from openpyxl import Workbook

    from par.read.inputs import read_inputs
    from par.read.tabular import read_xlsx_first_sheet

    wb = Workbook()
    wb.active.append(["unit", "period", "criterion", "value"])
    wb.active.append(["cua-lo", "2019", "1.5", 2])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    via_sandbox = sandbox.read_input_file(path)
    direct = read_xlsx_first_sheet(path)
    pd.testing.assert_frame_equal(via_sandbox.frame, direct.frame)
    assert (via_sandbox.file, via_sandbox.sheet, via_sandbox.letters) == \
        (direct.file, direct.sheet, direct.letters)
    rows, issues = read_inputs([path], CRITERIA, UNITS)
    assert list(rows["value"]) == [2.0] and not issues
