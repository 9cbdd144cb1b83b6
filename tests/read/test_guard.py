"""The hostile-file guard: each attack is refused with its own code, honest workbooks pass,
and no input whatsoever makes it raise."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import zipfile

import pytest
from fixtures import hostile as h
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from par.i18n import MESSAGES
from par.read import guard
from par.read.guard import Limits, check_xlsx, column_name

HOSTILE = [  # (builder, file name, the one expected code)
    (h.xxe, "xxe.xlsx", "guard.dtd"),
    (h.billion_laughs, "laughs.xlsx", "guard.dtd"),
    (h.utf16_xxe, "utf16.xlsx", "guard.dtd"),
    (h.zip_bomb, "bomb.xlsx", "guard.zip_bomb"),
    (h.ratio_bomb, "ratio.xlsx", "guard.zip_bomb"),
    (h.lying_size, "liar.xlsx", "guard.zip_bomb"),
    (h.many_entries, "entries.xlsx", "guard.too_many_entries"),
    (h.far_cell, "far.xlsx", "guard.cell_out_of_range"),
    (h.far_cell_no_dimension, "far-nodim.xlsx", "guard.cell_out_of_range"),
    (h.far_column_only, "far-col.xlsx", "guard.cell_out_of_range"),
    (h.far_row_without_cell_refs, "far-row.xlsx", "guard.cell_out_of_range"),
    (h.far_cell_disguised, "far-disguised.xlsx", "guard.cell_out_of_range"),
    (h.far_merge, "far-merge.xlsx", "guard.cell_out_of_range"),
    (h.encrypted, "locked.xlsx", "guard.encrypted"),
    (h.xlsm, "macro.xlsm", "guard.macro"),
    (h.valid_xlsx, "binary.xlsb", "guard.macro"),
    (h.encrypted, "legacy.xls", "guard.macro"),
    (h.vba_in_xlsx, "vba.xlsx", "guard.macro"),
    (h.macro_content_type, "ctype.xlsx", "guard.macro"),
    (h.pdf_renamed, "report.xlsx", "guard.not_xlsx"),
    (h.text_renamed, "table.xlsx", "guard.not_xlsx"),
    (h.empty_zip, "empty.xlsx", "guard.not_xlsx"),
    (h.truncated_zip, "cut.xlsx", "guard.not_xlsx"),
    (h.missing_workbook, "noworkbook.xlsx", "guard.not_xlsx"),
    (h.bad_crc, "crc.xlsx", "guard.not_xlsx"),
    (h.bzip2_entry, "bz2.xlsx", "guard.not_xlsx"),
    (h.utf7_sheet, "utf7.xlsx", "guard.not_xlsx"),
]


def codes(issues) -> list[str]:
    return [i.code for i in issues]


@pytest.mark.parametrize("build, name, code", HOSTILE, ids=[n for _, n, _ in HOSTILE])
def test_each_hostile_file_is_refused_with_its_code(build, name, code):
    issues = check_xlsx(build(), name, Limits())
    assert codes(issues) == [code]
    issue = issues[0]
    assert issue.file == name and issue.severity == "error"
    for lang in ("vi", "en"):
        text = issue.render(lang)
        assert text.startswith(name + ": ") and "{" not in text and "[guard." not in text


@pytest.mark.parametrize("build", [h.valid_xlsx, h.rich_xlsx])
def test_honest_workbooks_pass_and_still_read(build):
    data = build()
    assert check_xlsx(data, "ok.xlsx", Limits()) == []
    from python_calamine import CalamineWorkbook  # safe: the guard let it through

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] in ("unit", "Đơn vị")


def test_oversize_file_says_the_limit_in_mb():
    data = h.oversize(300_000)
    limits = Limits(max_bytes=200 * 1024)
    issues = check_xlsx(data, "big.xlsx", limits)
    assert codes(issues) == ["guard.too_big"]
    assert issues[0].params == {"size_mb": round(len(data) / 2**20, 1), "limit_mb": 0.2}
    assert "0.2 MB" in issues[0].message("en") and "0.2 MB" in issues[0].message("vi")
    assert check_xlsx(data, "big.xlsx", Limits(max_bytes=len(data))) == []  # the limit itself is fine


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.delenv("PAR_MAX_UPLOAD_MB", raising=False)
    assert Limits.from_env() == Limits() and Limits().max_bytes == 10 * 2**20
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "2.5")
    assert Limits.from_env().max_bytes == int(2.5 * 2**20)
    for bad in ("", "lots", "-1", "0", "nan", "inf"):
        monkeypatch.setenv("PAR_MAX_UPLOAD_MB", bad)
        assert Limits.from_env().max_bytes == 10 * 2**20, bad
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "0.001")
    assert codes(check_xlsx(h.valid_xlsx(), "a.xlsx")) == ["guard.too_big"]  # limits=None → env


def test_out_of_range_issue_names_the_part_and_the_reference():
    issue, = check_xlsx(h.far_cell_no_dimension(), "far.xlsx", Limits())
    assert issue.params["part"] == "xl/worksheets/sheet1.xml"
    assert issue.params["ref"] == "XFD1048576"
    assert "xl/worksheets/sheet1.xml" in issue.message("vi") and "IV" in issue.message("en")
    dimension_only = h.with_sheet(h.sheet_xml(h.NEAR_CELL, dimension="A1:XFD1048576"))
    issue, = check_xlsx(dimension_only, "far.xlsx", Limits())
    assert issue.params["ref"] == "A1:XFD1048576"  # <dimension> is read when present
    issue, = check_xlsx(h.far_column_only(), "far.xlsx", Limits())
    assert issue.params["ref"] == "IW1"
    issue, = check_xlsx(h.far_row_without_cell_refs(), "far.xlsx", Limits())
    assert issue.params["ref"] == "200000:200000"  # a whole row, as Excel writes it


# -- cell references in every spelling a parser accepts -----------------------------------

FAR_SNIPPETS = [
    '<row r="1"><c r="XFD1"/></row>',
    '<row r="1"><c t="n" r="XFD1"><v>1</v></c></row>',  # r not first
    "<row r='1'><c r='XFD1'/></row>",  # single quotes
    '<row r="1"><c r = "XFD1"/></row>',  # spaces around =
    '<row r="1"><c\nr="XFD1"/></row>',  # a newline before the attribute
    '<row r="1"><c r="xfd1"/></row>',  # lower case
    '<row r="1"><c r="$XFD$1"/></row>',  # absolute
    '<row r="1"><c r="&#88;FD1"/></row>',  # a character reference: expat decodes it
    '<row r="1"><c r="A1" r="XFD1"/></row>',  # the second of two r
    '<row r="1"><c foo=">" r="XFD1"/></row>',  # ">" inside an earlier value
    '<row r="1"><c r="A100001"/></row>',  # one row too far
    '<row r="1"><c r="A0"/></row>',
    '<row r="1"><c r="ZZZZ1"/></row>',
    '<row r="1"><c r="A99999999999"/></row>',
    '<row r="1"><c r=""/></row>',
    '<row r="0"><c/></row>',
    '<row r="1e6"><c/></row>',
    '<row r="1"/><hyperlink ref="A1:XFD1048576"/>',
    '<row r="1"/><comment ref="XFD1"/>',
]


@pytest.mark.parametrize("snippet", FAR_SNIPPETS)
def test_far_references_are_found_in_any_spelling(snippet):
    data = h.with_sheet(h.sheet_xml(snippet, dimension=None))
    assert codes(check_xlsx(data, "a.xlsx", Limits())) == ["guard.cell_out_of_range"]


NEAR_SNIPPETS = [
    '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c></row>',
    '<row r="100000"><c r="IV100000"/></row>',  # the last allowed cell
    "<row r='2'><c t='n' r='B2'><v>1</v></c></row>",  # odd but fine: the careful path
    '<row><c><v>1</v></c><c><v>2</v></c></row>',  # no references at all
    '<row r="3"><c r="C3" t="inlineStr"><is><t>r="XFD1" is only text here</t></is></c></row>',
]


@pytest.mark.parametrize("snippet", NEAR_SNIPPETS)
def test_references_within_the_limits_pass(snippet):
    data = h.with_sheet(h.sheet_xml(snippet, dimension="A1:IV100000"))
    assert check_xlsx(data, "a.xlsx", Limits()) == []


def test_prefixed_sheets_are_read_like_plain_ones():
    ns = f'xmlns:x="{h.MAIN_NS}"'
    near = f'<x:worksheet {ns}><x:sheetData><x:row r="2"><x:c r="B2"/></x:row></x:sheetData></x:worksheet>'
    assert check_xlsx(h.with_sheet(near.encode()), "a.xlsx", Limits()) == []
    far = near.replace('r="B2"', 'r="XFD2"')
    assert codes(check_xlsx(h.with_sheet(far.encode()), "a.xlsx", Limits())) == ["guard.cell_out_of_range"]


def test_a_sheet_in_utf16_is_read_too():
    text = h.sheet_xml('<row r="1"><c r="XFD1"/></row>', None).decode().replace("UTF-8", "UTF-16")
    for data in (b"\xff\xfe" + text.encode("utf-16-le"), text.encode("utf-16-be"),
                 ("\n" + text.split("?>", 1)[1]).encode("utf-16-le")):  # no BOM, no declaration
        assert codes(check_xlsx(h.with_sheet(data), "a.xlsx", Limits())) == ["guard.cell_out_of_range"]


def test_cell_and_row_counts_are_capped_when_references_are_missing():
    small = Limits(max_rows=10, max_cols=10)  # at most 10 cells a part, 10 rows
    cells = h.with_sheet(h.sheet_xml("<row>" + "<c><v>1</v></c>" * 11 + "</row>", None))
    assert codes(check_xlsx(cells, "a.xlsx", small)) == ["guard.too_many_cells"]
    rows = h.with_sheet(h.sheet_xml("<row/>" * 11, None))
    assert codes(check_xlsx(rows, "a.xlsx", small)) == ["guard.too_many_cells"]
    plain = h.with_sheet(h.sheet_xml("".join(f'<row r="{r}"><c r="A{r}"/></row>' for r in range(1, 11)), None))
    assert check_xlsx(plain, "a.xlsx", small) == []


def test_dtd_markers_are_found_in_any_part_and_case():
    core = h.parts(h.valid_xlsx())["docProps/core.xml"]
    for part, content in [
        ("docProps/core.xml", b"<!doctype x SYSTEM 'http://example.org/x'>" + core),
        ("_rels/.rels", b'<?xml version="1.0"?><!ENTITY a "b"><Relationships/>'),
    ]:
        data = h.rewrite(h.valid_xlsx(), {part: content})
        issues = check_xlsx(data, "a.xlsx", Limits())
        assert codes(issues) == ["guard.dtd"] and issues[0].params["part"] == part


# -- chunk edges ------------------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [7, 61, 1000])
def test_results_do_not_depend_on_where_chunks_end(monkeypatch, chunk):
    cases = [(b, n) for b, n, _ in HOSTILE if b is not h.zip_bomb] + [(h.rich_xlsx, "rich.xlsx")]
    expected = {n: codes(check_xlsx(b(), n, Limits())) for b, n in cases}
    monkeypatch.setattr(guard, "CHUNK", chunk)
    assert {n: codes(check_xlsx(b(), n, Limits())) for b, n in cases} == expected


@settings(max_examples=100, deadline=2000)
@given(st.binary(max_size=20_000) | st.builds(lambda n, b: b * n, st.integers(0, 5000), st.binary(max_size=8)),
       st.sampled_from([1, 5, 64, 4096]), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
       st.integers(0, 9))
def test_own_inflater_gives_what_zipfile_reads(content, chunk, method, level):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", method, compresslevel=level) as z:
        z.writestr("part.xml", content)
    info = zipfile.ZipFile(data).getinfo("part.xml")
    saved, guard.CHUNK = guard.CHUNK, chunk
    try:
        pieces = list(guard._inflate(data.getvalue(), info, len(content), "f", Limits()))
    finally:
        guard.CHUNK = saved
    assert b"".join(pieces) == content and all(len(p) <= max(chunk, 1) for p in pieces)


def test_a_start_tag_that_never_ends_is_refused():
    data = h.with_sheet(h.sheet_xml('<row r="1"><c r="A1" x="' + "y" * 70_000, None))
    assert codes(check_xlsx(data, "a.xlsx", Limits())) == ["guard.not_xlsx"]


# -- whatever the bytes ------------------------------------------------------------------------

def assert_refusal_or_pass(issues, name):
    assert isinstance(issues, list)
    for issue in issues:
        assert issue.code in MESSAGES and issue.code.startswith("guard.")
        assert issue.file == name and issue.severity == "error"


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096), st.sampled_from(["a.xlsx", "b.XLSM", "c", "", "d.xls.xlsx"]))
def test_random_bytes_never_raise(data, name):
    assert_refusal_or_pass(check_xlsx(data, name, Limits()), name)
    assert_refusal_or_pass(check_xlsx(b"PK\x03\x04" + data, name, Limits()), name)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_workbooks_never_raise(data):
    source = bytearray(data.draw(st.sampled_from([h.valid_xlsx, h.far_cell, h.xxe, h.bzip2_entry]))())
    for _ in range(data.draw(st.integers(0, 8))):
        pos = data.draw(st.integers(0, len(source) - 1))
        source[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(source)))
    mutated = bytes(source[:cut] if data.draw(st.booleans()) else source)
    assert_refusal_or_pass(check_xlsx(mutated, "m.xlsx", Limits()), "m.xlsx")


@settings(max_examples=150, deadline=2000)
@given(st.data())
def test_rewritten_sheets_never_raise(data):
    """Random XML-ish text as the sheet: the scanner sees odd tags, quotes and encodings."""
    alphabet = st.sampled_from(['<c ', '<row ', 'r="', "r='", '"', "'", ">", "/>", "<", "XFD",
                                "A1", "1048576", " ", "\n", "<x:c ", "<!--", "-->", "<!DOCTYPE",
                                "<?xml encoding='utf-16'?>", "\x00", "é", "<dimension ref=", ":"])
    text = "".join(data.draw(st.lists(alphabet, max_size=60)))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-16", "utf-16-be", "latin-1"]))
    body = text.encode(encoding, "replace")
    assert_refusal_or_pass(check_xlsx(h.with_sheet(body), "s.xlsx", Limits()), "s.xlsx")


def test_other_bytes_like_inputs_and_non_bytes():
    data = h.far_cell()
    for same in (bytearray(data), memoryview(data)):
        assert codes(check_xlsx(same, "a.xlsx", Limits())) == ["guard.cell_out_of_range"]
    for junk in (None, "PK\x03\x04 text", 12):
        assert codes(check_xlsx(junk, "a.xlsx", Limits())) == ["guard.not_xlsx"]


def test_column_names():
    assert [column_name(i) for i in (1, 26, 27, 256, 16384)] == ["A", "Z", "AA", "IV", "XFD"]


# -- the point of it all ------------------------------------------------------------------------

CALAMINE_READ = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a net, should it try instead
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # and no core file from the abort
    import pandas as pd
    pd.read_excel(sys.argv[1], engine="calamine", sheet_name=None, header=None)
    print("read")
""")


def test_the_guard_stops_the_file_that_kills_calamine(tmp_path):
    """A 2 KB workbook with cells A1 and XFD1048576 aborts the whole Python process inside
    calamine (SIGABRT: no exception to catch, the server dies). It is tried in a child
    process here; the guard refuses it before any parser sees it."""
    data = h.far_cell_no_dimension()
    assert len(data) < 5000
    assert codes(check_xlsx(data, "far.xlsx", Limits())) == ["guard.cell_out_of_range"]
    path = tmp_path / "far.xlsx"
    path.write_bytes(data)
    child = subprocess.run([sys.executable, "-c", CALAMINE_READ, str(path)],
                           capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert child.returncode == -signal.SIGABRT, (child.returncode, child.stdout, child.stderr[-500:])
    assert "read" not in child.stdout


# -- against a real XML parser -------------------------------------------------------------------

def parser_sees_far_reference(xml: bytes, limits: Limits) -> bool:
    """What ElementTree (openpyxl's parser) reads as cell positions, checked against the limits."""
    import xml.etree.ElementTree as ET

    def cell_ok(ref: str) -> bool:
        letters = ref.rstrip("0123456789")
        digits = ref[len(letters):]
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        return 1 <= column <= limits.max_cols and digits.isdigit() and 1 <= int(digits) <= limits.max_rows

    for element in ET.fromstring(xml).iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local == "c" and "r" in element.attrib and not cell_ok(element.attrib["r"]):
            return True
        if local == "row" and "r" in element.attrib and not 1 <= int(element.attrib["r"]) <= limits.max_rows:
            return True
        if local in ("dimension", "mergeCell") and not all(map(cell_ok, element.attrib["ref"].split(":"))):
            return True
    return False


def xml_cell(draw, prefix: str, row: int) -> str:
    column = draw(st.sampled_from([1, 2, 26, 27, 255, 256, 257, 16384]))
    ref = f"{column_name(column)}{row}"
    quote = draw(st.sampled_from(['"', "'"]))
    attrs = [f"r={quote}{ref}{quote}"] + draw(st.lists(st.sampled_from(
        ['s="1"', 't="n"', "t='s'", 'foo=">"', "bar='a\"b'", 'x:baz="q"', 'cm="1"']), max_size=3,
        unique_by=lambda attr: attr.split("=")[0]))
    attrs = draw(st.permutations(attrs))
    space = draw(st.sampled_from([" ", "  ", "\n", "\t"]))
    return f"<{prefix}c{space}{space.join(attrs)}><{prefix}v>1</{prefix}v></{prefix}c>"


@settings(max_examples=int(os.environ.get("GUARD_EXAMPLES", "150")), deadline=2000)
@given(st.data())
def test_the_guard_refuses_exactly_what_the_parser_would_place_too_far(data):
    limits = Limits(max_rows=100, max_cols=256)
    draw = data.draw
    prefix = draw(st.sampled_from(["", "x:"]))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.sampled_from([1, 2, 50, 99, 100, 101, 1048576]))
        cells = "".join(xml_cell(draw, prefix, row) for _ in range(draw(st.integers(0, 4))))
        padding = "<!-- " + "p" * draw(st.integers(0, 300)) + " -->"
        rows.append(f'{padding}<{prefix}row r="{row}">{cells}</{prefix}row>')
    dimension = draw(st.sampled_from(["", f'<{prefix}dimension ref="A1:IV100"/>',
                                      f'<{prefix}dimension ref="A1:IW100"/>']))
    merge = draw(st.sampled_from(["", f'<{prefix}mergeCells><{prefix}mergeCell ref="A1:B{draw(st.sampled_from([2, 101]))}"/></{prefix}mergeCells>']))
    ns = f'xmlns{":x" if prefix else ""}="{h.MAIN_NS}" xmlns:x2="urn:other"'
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><{prefix}worksheet {ns}>{dimension}'
           f'<{prefix}sheetData>{"".join(rows)}</{prefix}sheetData>{merge}</{prefix}worksheet>')
    xml = xml.replace("x:baz", "x2:baz").encode()
    expected = ["guard.cell_out_of_range"] if parser_sees_far_reference(xml, limits) else []
    chunk = draw(st.sampled_from([5, 64, 4096, guard.CHUNK]))
    saved, guard.CHUNK = guard.CHUNK, chunk
    try:
        assert codes(check_xlsx(h.with_sheet(xml), "p.xlsx", limits)) == expected
    finally:
        guard.CHUNK = saved
