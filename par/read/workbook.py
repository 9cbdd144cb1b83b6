"""Read a filled template back (python-calamine) into the tidy input table.

The data sheet becomes a RawTable whose cell references are the real cells of the
sheet, so ``par.read.inputs.check_inputs`` reports problems where the user typed them;
``check_record`` compares the hidden ``_par`` record with what the upload is for.
Callers pass the bytes through ``par.read.guard.check_xlsx`` first.

Headings are recognised by stable aliases, never through the message catalogue: a
template carries the labels of the day it was built, and units fill it in for months.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from par.domain.issues import Issue
from par.domain.models import CriteriaSet
from par.domain.periods import Period, parse_period
from par.i18n import LANGS, t
from par.read.tabular import RawTable, categorize, cell_text, column_letter
from par.read.template import (
    FORMAT,
    HEADER_ROW,
    INPUTS,
    PERIOD_CELL,
    RECORD_SHEET,
    REQUIRED_RECORD,
    TIDY,
    UNIT_CELL,
    VERSION,
    TemplateRecord,
)

# Every heading a template has ever been built with, frozen here as data (Vietnamese,
# English; the column id is accepted too). Rewording a label in par/i18n/catalog/template.py
# must not make the templates already out there unreadable: add the new wording here,
# never remove an old one (tests/read/test_workbook.py fails until the new one is added).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "unit": ("Mã đơn vị", "Unit ID"),
    "code": ("Mã", "Code"),
    "value": ("Giá trị", "Value"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "stage": ("Giai đoạn", "Stage"),
    "evidence": ("Tài liệu kiểm chứng", "Evidence"),
    "note": ("Ghi chú", "Note"),
}
# The header block's labels in column A (key → aliases; its message is template.label_<key>).
BLOCK_ALIASES: dict[str, tuple[str, ...]] = {
    "criteria": ("Bộ chỉ số", "Criteria set"),
    "unit": ("Mã đơn vị", "Unit ID"),
    "period": ("Kỳ báo cáo", "Period"),
}
# Where the record names no data sheet (older templates), the names it has been built with.
DATA_SHEET_NAMES = ("Số liệu", "Data")
HEADER_SCAN = 60  # rows searched for the heading row (a row may have been inserted above it)


def fold(text: str) -> str:
    """A heading as compared: NFC, trimmed, case-folded ('  GIÁ TRỊ ' matches 'Giá trị')."""
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff").strip()
    return unicodedata.normalize("NFC", text.casefold())


def _alias_index(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(a): key for key, names in aliases.items() for a in (key, *names)}


_COLUMN_OF = _alias_index(COLUMN_ALIASES)


@dataclass
class TemplateTable(RawTable):
    """A RawTable whose unit/period come from one header cell for every row (per-unit template)."""

    fixed: dict[str, str] = field(default_factory=dict)  # column → cell, e.g. period → "B5"

    def cell(self, column: str, row: int) -> str:
        return self.fixed.get(column) or super().cell(column, row)


def _canonical(key: str, text: str) -> str:
    """A header-block cell as the record writes it: '2019-Q2', 'vinh, cua-lo'."""
    if key == "unit":
        return ", ".join(u.strip() for u in text.split(",") if u.strip())
    return str(parse_period(text) or text) if key == "period" else text


def _parse_record(rows: list[list], name: str) -> tuple[TemplateRecord | None, dict, list[Issue]]:
    raw, cells = {}, {}
    for i, r in enumerate(rows, start=1):
        if r and (key := cell_text(r[0]).strip()):
            raw[key], cells[key] = (cell_text(r[1]).strip() if len(r) > 1 else ""), f"B{i}"
    issues = [Issue("workbook.record_missing", {"field": k}, file=name, sheet=RECORD_SHEET)
              for k in REQUIRED_RECORD if not raw.get(k)]
    if issues:
        return None, raw, issues
    where = lambda k: dict(file=name, sheet=RECORD_SHEET, cell=cells.get(k))
    bad = lambda k: issues.append(Issue("workbook.record_invalid", {"field": k, "value": raw[k]},
                                        **where(k)))
    if raw["format"] != FORMAT:
        bad("format")
    version = int(raw["version"]) if raw["version"].isdigit() else None
    if version is None:
        bad("version")
    elif version > VERSION:
        issues.append(Issue("workbook.record_version", {"version": version, "supported": VERSION},
                            **where("version")))
    if not raw["year"].isdigit():
        bad("year")
    if parse_period(raw["period"]) is None:
        bad("period")
    units = tuple(u.strip() for u in raw["units"].split(",") if u.strip())
    if not units:
        bad("units")
    if raw["lang"] not in LANGS:
        bad("lang")
    if not re.fullmatch(r"([0-9a-f]{64})?", raw.get("criteria_sha256", "")):
        bad("criteria_sha256")
    if issues:
        return None, raw, issues
    return TemplateRecord(raw["criteria_id"], raw.get("criteria_sha256", ""), int(raw["year"]),
                          raw["level"], str(parse_period(raw["period"])), units, version,
                          raw["lang"], raw.get("created_at"), file=name), raw, []


def _sheet_xml_path(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``: xl/workbook.xml names it, its rels give the file."""
    rid = None
    for el in ET.fromstring(zf.read("xl/workbook.xml")).iter():
        if el.tag.endswith("}sheet") and el.get("name") == sheet:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((el.get("Target") for el in rels.iter() if el.get("Id") == rid), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


_ERROR_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s([^>]*\bt="e"[^>]*)>')
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_ERR_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)<")
_REF = re.compile(rb'\br="([A-Z]+\d+)"')


def _error_cells(data: bytes, sheet: str) -> dict[str, str]:
    """Cell ref → error text (#DIV/0!, #REF! …): calamine reads error cells as empty."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            path = _sheet_xml_path(zf, sheet)
            xml = zf.read(path) if path else b""
    except (KeyError, zipfile.BadZipFile, ET.ParseError):
        return {}
    if b't="e"' not in xml:  # the usual upload, without any: skip the scan cell by cell
        return {}
    out = {}
    for m in _ERROR_CELL.finditer(xml):
        attrs = m.group(1)
        ref = _REF.search(attrs)
        if not ref:
            continue
        value = None
        if not attrs.endswith(b"/"):
            close = _CELL_END.search(xml, m.end())
            value = _ERR_VALUE.search(xml, m.end(), close.start() if close else len(xml))
        out[ref.group(1).decode()] = value.group(1).decode("utf-8", "replace") if value else "#?"
    return out


def _text(rows: list[list], r: int, c: int) -> str:
    """The cell as a person reads it: text, NFC, trimmed; empty outside the sheet."""
    if r < len(rows) and c < len(rows[r]):
        return unicodedata.normalize("NFC", cell_text(rows[r][c])).strip()
    return ""


def _column_text(rows: list[list], c: int) -> list[str]:
    """Column ``c`` through cell_text; str cells, nearly all of them, pass as they are."""
    out = []
    for r in rows:
        v = r[c] if c < len(r) else ""
        out.append(v if v.__class__ is str else cell_text(v))
    return out


def _data_sheet(book, raw: dict) -> str | None:
    """The record's data sheet, or one of the names templates have been built with."""
    candidates = [raw.get("data_sheet"), *DATA_SHEET_NAMES]
    return next((s for s in candidates if s and s in book.sheet_names), None)


def _find_header(rows: list[list], wanted: list[str]) -> tuple[int | None, dict[str, int]]:
    """(row index, column id → column index) of the row with most headings, at least 3."""
    header, found = None, {}
    for r, row in enumerate(rows[:HEADER_SCAN]):
        cols = {}
        for c, v in enumerate(row):
            if v.__class__ is str and v and (key := _COLUMN_OF.get(fold(v))) in wanted:
                cols[key] = c
        if len(cols) >= 3 and len(cols) > len(found):
            header, found = r, cols
            if len(found) == len(wanted):
                break  # a later row would need more headings than there are
    return header, found


def _check_block(rows: list[list], header: int, record: TemplateRecord, loc: dict
                 ) -> list[Issue]:
    """What the user sees above the table must still be what the record says."""
    lang, issues = record.lang, []
    block = {fold(_text(rows, r, 0)): r for r in range(header)}
    expected = {"criteria": record.criteria_id, "unit": ", ".join(record.units),
                "period": record.period}
    for key, aliases in BLOCK_ALIASES.items():
        label = t(f"template.label_{key}", lang)
        r = next((block[a] for a in map(fold, (*aliases, key)) if a in block), None)
        if r is None:
            issues.append(Issue("workbook.bad_header", {"columns": label}, **loc,
                                row=header + 1, cell=f"A{header + 1}"))
            continue
        text, record.cells[key] = _text(rows, r, 1), (loc["sheet"], f"B{r + 1}")
        if _canonical(key, text) != expected[key]:
            issues.append(Issue("workbook.record_mismatch", {
                "field": label, "found": text, "expected": expected[key]}, **loc,
                cell=f"B{r + 1}"))
    return issues


def _hidden_problems(data: bytes, sheet, header: int, found: dict[str, int], loc: dict
                     ) -> list[Issue]:
    """Cells the values cannot show: formula errors and merged ranges over the table."""
    issues = []
    input_letters = {column_letter(found[c]) for c in INPUTS}
    for ref, err in _error_cells(data, loc["sheet"]).items():
        m = re.match(r"([A-Z]+)(\d+)", ref)
        if m.group(1) in input_letters and int(m.group(2)) > header + 1:
            issues.append(Issue("workbook.formula_error", {"value": err}, **loc,
                                row=int(m.group(2)), cell=ref))
    guarded = set(found.values())
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r1 > header and any(c0 <= c <= c1 for c in guarded):
            ref = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            issues.append(Issue("workbook.merged_input", {"range": ref}, **loc, row=r0 + 1,
                                cell=ref))
    return issues


def _tidy_table(rows: list[list], header: int, found: dict[str, int], record: TemplateRecord,
                loc: dict) -> TemplateTable:
    """Only rows with something typed in them: an empty row is a leaf left missing."""
    body = rows[header + 1:]
    text = {c: _column_text(body, i) for c, i in found.items()}
    kept = [i for i, cells in enumerate(zip(*(text[c] for c in INPUTS)))
            if any(map(str.strip, cells))]
    columns = {c: [text[c][i] for i in kept] for c in found}
    columns["criterion"] = columns.pop("code")
    if "unit" not in columns:  # a per-unit template names its unit once, above the table
        columns["unit"] = [record.units[0]] * len(kept)
    columns["period"] = [record.period] * len(kept)
    frame = pd.DataFrame({**{c: categorize(columns[c]) for c in TIDY},
                          "_row": np.array(kept, dtype=np.int64) + header + 2})
    letters = {c: column_letter(i) for c, i in found.items()}
    letters = {"criterion": letters.pop("code"), **letters}
    fixed = {"period": record.cells.get("period", ("", PERIOD_CELL))[1]}
    if "unit" not in found:
        fixed["unit"] = record.cells.get("unit", ("", UNIT_CELL))[1]
    for c, cell in fixed.items():
        letters[c] = re.match(r"[A-Z]+", cell).group(0)
    return TemplateTable(frame, loc["file"], sheet=loc["sheet"], letters=letters, fixed=fixed)


def read_template(data: bytes, name: str) -> tuple[RawTable | None, TemplateRecord | None,
                                                     list[Issue]]:
    """The tidy table of a filled template, its record and the problems found.

    ``(None, None, [])`` when the workbook is not a template (no ``_par`` sheet). The bytes
    must already have passed the hostile-file guard: calamine and the zip scan trust them.
    The table comes back even with issues, so one upload reports every problem at once.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        return None, None, [Issue("file.bad_xlsx", {"detail": str(exc).strip()[:200]}, file=name)]
    if RECORD_SHEET not in book.sheet_names:
        return None, None, []
    record, raw, issues = _parse_record(
        book.get_sheet_by_name(RECORD_SHEET).to_python(skip_empty_area=False), name)
    if record is None:
        return None, None, issues
    sheet_name = _data_sheet(book, raw)
    if sheet_name is None:
        expected = raw.get("data_sheet") or t("template.sheet_data", record.lang)
        return None, record, [Issue("workbook.data_sheet_missing", {"sheet": expected}, file=name)]
    sheet = book.get_sheet_by_name(sheet_name)
    rows = sheet.to_python(skip_empty_area=False)
    loc = dict(file=name, sheet=sheet_name)
    wanted = (["unit"] if len(record.units) > 1 else []) + ["code"] + INPUTS
    header, found = _find_header(rows, wanted)
    lost = [c for c in wanted if c not in found]
    if lost:
        at_row = header + 1 if header is not None else HEADER_ROW
        columns = ", ".join(t(f"template.col.{c}", record.lang) for c in lost)
        return None, record, issues + [Issue("workbook.bad_header", {"columns": columns}, **loc,
                                             row=at_row, cell=f"A{at_row}")]
    issues += _check_block(rows, header, record, loc)
    issues += _hidden_problems(data, sheet, header, found, loc)
    return _tidy_table(rows, header, found, record, loc), record, issues


def check_record(record: TemplateRecord, criteria: CriteriaSet, expected_unit: str | None = None,
                 expected_period: str | Period | None = None) -> list[Issue]:
    """Does the template belong to this criteria set (and unit, period)? Mismatches as issues."""
    lang, issues = record.lang, []

    def mismatch(key: str, label: str, found, expected, severity="error"):
        sheet, cell = record.cells.get(key, (RECORD_SHEET, None))  # cells: set by read_template
        issues.append(Issue("workbook.record_mismatch", {
            "field": t(f"template.{label}", lang), "found": found, "expected": expected},
            file=record.file, sheet=sheet, cell=cell, severity=severity))

    if record.criteria_id != criteria.id:
        mismatch("criteria", "label_criteria", record.criteria_id, criteria.id)
    elif criteria.sha256 and record.criteria_sha256 and record.criteria_sha256 != criteria.sha256:
        # Same set, edited since the template was made: codes and values are still checked
        # one by one against the current set, so this warns instead of refusing the file.
        mismatch("criteria", "label_version", record.criteria_sha256[:12], criteria.sha256[:12],
                 "warning")
    if expected_unit is not None and expected_unit not in record.units:
        mismatch("unit", "label_unit", ", ".join(record.units), expected_unit)
    if expected_period is not None:
        period = parse_period(str(expected_period))
        if str(period or expected_period) != record.period:
            mismatch("period", "label_period", record.period, str(period or expected_period))
    return issues
