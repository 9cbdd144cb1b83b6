"""Excel input templates: build one from a criteria set with openpyxl.

A template has an instructions sheet, a protected data sheet (one row per node, inputs only on
leaf rows) and a hidden ``_par`` sheet recording what it was made for. Reading a filled one
back is par.read.workbook's job; the layout constants here are shared with it.

Every cell is written through ``_set``: text is a string cell whatever it starts with (a unit
named '=HYPERLINK(…)' or a note '+84…' never becomes a formula), and characters a worksheet
cannot hold are replaced by U+FFFD instead of stopping the template.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet, Node
from par.domain.periods import Period
from par.i18n import LANGS, t
from par.read.tabular import column_letter

FORMAT, VERSION = "par-template", 1
RECORD_SHEET, LISTS_SHEET = "_par", "_lists"
HEADER_ROW = 8  # the table's header row; the header block sits above it
UNIT_CELL, PERIOD_CELL = "B3", "B5"
INPUTS = ["value", "numerator", "denominator", "stage", "evidence", "note"]
TIDY = ["unit", "period", "criterion"] + INPUTS
WIDTHS = {"unit": 16, "code": 14, "name": 55, "max": 8, "rule": 48, "value": 16, "numerator": 10,
          "denominator": 10, "stage": 12, "evidence": 30, "note": 24}
WRAPPED = {"name", "rule", "evidence", "note"}
HELP_KEYS = ["where", "yes_no", "choice", "numbers", "ratio", "na", "empty", "stage", "evidence",
             "structure", "save"]
REQUIRED_RECORD = ["format", "version", "criteria_id", "year", "level", "period", "units",
                    "lang"]  # criteria_sha256 is empty for a set built in memory


@dataclass(frozen=True)
class TemplateRecord:
    """What the hidden ``_par`` sheet says the template was made for."""

    criteria_id: str
    criteria_sha256: str
    year: int
    level: str
    period: str
    units: tuple[str, ...]
    version: int = VERSION
    lang: str = "vi"
    created_at: str | None = None
    file: str | None = field(default=None, compare=False)
    # field → (sheet, cell) where the workbook shows it, so mismatches point at what the user sees
    cells: dict = field(default_factory=dict, compare=False)


# -- building ------------------------------------------------------------------------------------

def _set(cell, value):
    """Write ``value`` into ``cell``; text stays text (data type 's', never a formula)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _put(ws, row: int, column: int, value):
    return _set(ws.cell(row, column), value)


def _num(x: float, lang: str) -> str:
    text = f"{x:.6g}"
    return text.replace(".", ",") if lang == "vi" else text


def _columns(consolidated: bool) -> list[str]:
    return (["unit"] if consolidated else []) + ["code", "name", "max", "rule"] + INPUTS


def describe_rule(leaf: Node, lang: str = "vi") -> str:
    """The leaf's rule in plain words: 'Tỷ lệ (%) = …; trên 90%: 2 điểm; từ 70%: 1 điểm; …'."""
    r, mx = leaf.rule, _num(leaf.max, lang)
    n = lambda x: _num(x, lang)
    parts: list[str] = []
    pct = "%" if r.type in ("ratio", "survey") else ""
    lower = r.type == "ratio" and r.direction == "lower_is_better"
    if r.type == "yes_no":
        parts.append(t("template.rule.yes_no", lang, max=mx))
    elif r.type == "points":
        parts.append(t("template.rule.points", lang, max=mx))
    elif r.type == "choice":
        parts.append(t("template.rule.choice", lang) + ": " + "; ".join(
            t("template.rule.option", lang, label=label, points=n(leaf.max * f))
            for label, f in r.options.items()))
    elif r.type == "deduction":
        parts.append(t("template.rule.deduction", lang, per_item=n(r.per_item), max=mx))
    else:
        key = {"ratio": "template.rule.ratio", "count": "template.rule.count",
               "survey": "template.rule.survey"}[r.type]
        parts.append(t(key, lang) + (" (" + t("template.rule.lower", lang) + ")" if lower else ""))
    if r.per_item is not None and r.type == "count":
        parts.append(t("template.rule.per_item", lang, per_item=n(r.per_item), max=mx))
    elif r.bands:
        for b in r.bands:
            if lower:  # scored on 100 − rate: "min b" is rate ≤ 100 − b, "above b" rate < 100 − b
                key = "template.rule.band_below" if b.strict else "template.rule.band_at_most"
                parts.append(t(key, lang, bound=n(100 - b.bound) + pct, points=n(b.points)))
            else:
                key = "template.rule.band_above" if b.strict else "template.rule.band_min"
                parts.append(t(key, lang, bound=n(b.bound) + pct, points=n(b.points)))
        last = r.bands[-1]
        if last.strict or last.bound > 0:
            parts.append(t("template.rule.band_else_lower" if lower else "template.rule.band_else",
                           lang))
    elif r.type in ("ratio", "survey"):
        parts.append(t("template.rule.linear_lower" if lower else "template.rule.linear", lang,
                       max=mx))
    if r.type == "ratio":
        parts.append(t(f"template.rule.empty_{r.when_empty}", lang, max=mx))
    if r.type not in ("yes_no", "choice"):
        parts.append(t(f"template.agg.{r.aggregate}", lang))
    return "; ".join(parts)


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="A6A6A6")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        **{name: PatternFill("solid", fgColor=rgb) for name, rgb in (
            ("input", "FFF2CC"), ("grey", "D9D9D9"), ("head", "BDD7EE"), ("branch", "EDEDED"),
            ("unit", "C6E0B4"))},
        "bold": Font(bold=True), "title": Font(bold=True, size=14), "italic": Font(italic=True),
        "wrap": Alignment(wrap_text=True, vertical="top"), "top": Alignment(vertical="top"),
        "unlocked": Protection(locked=False),
    }


def _height(texts: list[tuple[str, int]]) -> float:
    """Row height (points) fitting wrapped texts of the given column widths."""
    lines = max([1] + [sum(max(1, math.ceil(len(p) / (w * 1.1))) for p in s.split("\n"))
                       for s, w in texts if s])
    return 15.0 * lines + 2


def _validation(kind: str, lang: str, sqref: str, fields: dict | None = None, **kw):
    from openpyxl.worksheet.datavalidation import DataValidation

    cap = lambda s, n: s if len(s) <= n else s[: n - 1] + "…"  # Excel refuses longer texts
    error = "template.dv.list_error" if kw["type"] == "list" else "template.dv.number_error"
    return DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=True,
                          sqref=sqref, promptTitle=cap(t("template.dv.prompt_title", lang), 32),
                          prompt=cap(t(f"template.dv.{kind}", lang, **(fields or {})), 255),
                          errorTitle=cap(t("template.dv.error_title", lang), 32),
                          error=cap(t(error, lang), 225), **kw)


def _ranges(col: str, rows: list[int]) -> str:
    """'E9:E11 E14' from rows 9, 10, 11, 14: short sqrefs keep large sheets light."""
    out, rows = [], sorted(rows)
    start = prev = rows[0]
    for r in rows[1:] + [None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
        if r is not None:
            start = prev = r
    return " ".join(out)


@dataclass
class _Table:
    """The data sheet being written, and what its rows collect for the validations."""

    ws: Any
    letter: dict[str, str]  # column id → Excel letter
    st: dict
    lang: str
    cells_of: dict[tuple, list[int]] = field(default_factory=dict)  # (key, letter) → rows
    list_values: dict[str, list[str]] = field(default_factory=dict)  # list key → its options

    def at(self, column: str, row: int):
        return self.ws[f"{self.letter[column]}{row}"]


def build_template(criteria: CriteriaSet, units: pd.DataFrame, unit_ids: list[str],
                   period: Period, lang: str = "vi", prefill: pd.DataFrame | None = None) -> bytes:
    """An .xlsx template for one unit, or a consolidated one (a unit column) for several.

    ``prefill`` (tidy columns: unit, criterion, value, numerator, denominator, stage,
    evidence, note) fills input cells in advance, e.g. with what is already stored.
    """
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    lang = lang if lang in LANGS else "vi"
    known = _units_for(criteria, units, unit_ids, period)
    wb = Workbook()
    help_ws, ws = wb.active, wb.create_sheet(t("template.sheet_data", lang))
    help_ws.title = t("template.sheet_help", lang)
    lists = wb.create_sheet(LISTS_SHEET)
    rec_ws = wb.create_sheet(RECORD_SHEET)
    # The order of these steps is part of the file: openpyxl numbers styles as cells first
    # take them.
    cols = _columns(len(unit_ids) > 1)
    table = _Table(ws, {c: column_letter(i) for i, c in enumerate(cols)}, _styles(), lang,
                   list_values=_fixed_lists(lang))
    _write_header_block(table, criteria, known, unit_ids, period, help_ws.title)
    _write_headings(table, cols)
    last_row = _write_rows(table, criteria, known, unit_ids, _prefill(prefill, lang))
    _add_validations(table, lists, last_row)
    _set_up_sheets(table, last_row, help_ws, lists, rec_ws)
    _write_help(help_ws, criteria, ", ".join(f"{known.loc[u, 'name']} ({u})" for u in unit_ids),
                period, lang, ws.title, table.st)
    _write_record(rec_ws, criteria, unit_ids, period, lang, ws.title)
    lists.sheet_state = rec_ws.sheet_state = "hidden"
    wb.active = 1
    help_ws.sheet_view.tabSelected, ws.sheet_view.tabSelected = False, True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title, wb.properties.creator = criteria.display_title(lang), "par"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _units_for(criteria: CriteriaSet, units: pd.DataFrame, unit_ids: list[str],
               period: Period) -> pd.DataFrame:
    """The units table of the set's level; refuses a template nobody could submit."""
    if not unit_ids:
        raise ParError([Issue("template.no_units")])
    known = units[units["level"] == criteria.level]
    missing = [u for u in unit_ids if u not in known.index]
    if missing:
        raise ParError([Issue("template.unknown_unit", {"unit": u, "level": criteria.level})
                        for u in missing])
    if period.year != criteria.year:
        raise ParError([Issue("template.other_year",
                              {"period": str(period), "year": criteria.year})])
    return known


def _fixed_lists(lang: str) -> dict[str, list[str]]:
    """The drop-down lists every template has; a choice leaf adds its own options."""
    return {"yes_no": [t("template.word.yes", lang), t("template.word.no", lang), "N/A"],
            "ratio_na": ["N/A"],
            "stage": [t("template.stage.self", lang), t("template.stage.appraisal", lang)]}


def _write_header_block(table: _Table, criteria: CriteriaSet, known: pd.DataFrame,
                        unit_ids: list[str], period: Period, help_sheet: str) -> None:
    """Rows 1-6: what the template is for, as the reader compares it with the record."""
    ws, st, lang = table.ws, table.st, table.lang
    _set(ws["A1"], criteria.display_title(lang))
    ws["A1"].font = st["title"]
    names = ", ".join(known.loc[u, "name"] for u in unit_ids)
    block = [("label_criteria", criteria.id), ("label_unit", ", ".join(unit_ids)),
             ("label_unit_name", t("template.n_units", lang, count=len(unit_ids))
              if len(unit_ids) > 1 else names), ("label_period", str(period))]
    for row, (label, value) in enumerate(block, start=2):
        _put(ws, row, 1, t(f"template.{label}", lang)).font = st["bold"]
        _put(ws, row, 2, value).number_format = "@"  # "2019-Q2" and codes stay text in Excel
    _put(ws, 6, 1, t("template.fill_hint", lang, sheet=help_sheet)).font = st["italic"]


def _write_headings(table: _Table, cols: list[str]) -> None:
    for i, c in enumerate(cols, start=1):
        cell = _put(table.ws, HEADER_ROW, i, t(f"template.col.{c}", table.lang))
        cell.font, cell.fill, cell.border = table.st["bold"], table.st["head"], table.st["border"]
        cell.alignment = table.st["wrap"]
        table.ws.column_dimensions[table.letter[c]].width = WIDTHS[c]


def _write_rows(table: _Table, criteria: CriteriaSet, known: pd.DataFrame, unit_ids: list[str],
                pre: dict[tuple[str, str], dict]) -> int:
    """Every node of the set, once per unit (under a bold unit row when consolidated); the
    last row written."""
    st = table.st
    consolidated = "unit" in table.letter
    row = HEADER_ROW + 1
    for uid in unit_ids:
        if consolidated:
            _put(table.ws, row, 1, f"{known.loc[uid, 'name']} ({uid})")
            for c in table.letter:
                table.at(c, row).fill, table.at(c, row).font = st["unit"], st["bold"]
            row += 1
        for node in (n for d in criteria.domains for n in d.walk()):
            _write_node(table, node, uid, row, consolidated)
            if node.is_leaf:
                _leaf_inputs(table, node, row)
                for c, v in pre.get((uid, node.code), {}).items():
                    _set(table.at(c, row), v)
            row += 1
    return row - 1


def _write_node(table: _Table, node: Node, uid: str, row: int, consolidated: bool) -> None:
    """A node's descriptive cells; branches in bold grey, so only leaf rows look fillable."""
    values = {"unit": uid, "code": node.code, "name": node.display_name(table.lang),
              "max": node.max}
    if node.is_leaf:  # the author's description says what to count, the rule how it scores
        values["rule"] = "\n".join(filter(None, [node.description,
                                                 describe_rule(node, table.lang)]))
    for c, v in values.items():
        if c != "unit" or consolidated:
            _set(table.at(c, row), v)
    st = table.st
    for c in table.letter:
        cell = table.at(c, row)
        cell.border = st["border"]
        cell.alignment = st["wrap"] if c in WRAPPED else st["top"]
        if not node.is_leaf:
            cell.font, cell.fill = st["bold"], st["branch"]
    table.ws.row_dimensions[row].height = _height([(str(values.get(c) or ""), WIDTHS[c])
                                                   for c in ("name", "rule")])


def _add_validations(table: _Table, lists, last_row: int) -> None:
    """One data validation per kind of input, its cells gathered into one short sqref."""
    letter, cells_of = table.letter, table.cells_of
    body = list(range(HEADER_ROW + 1, last_row + 1))  # locked rows ignore their validation
    cells_of[("stage", letter["stage"])] = body
    cells_of[(("count", 0, None), letter["numerator"])] = body
    cells_of[(("count", 0, None), letter["denominator"])] = body
    # Validation lists live on a hidden sheet: labels may hold commas, inline lists may not.
    list_ref = {}
    for j, (key, vals) in enumerate(table.list_values.items()):
        col = column_letter(j)
        for i, v in enumerate(vals, start=1):
            _put(lists, i, j + 1, v)
        list_ref[key] = f"'{LISTS_SHEET}'!${col}$1:${col}${len(vals)}"
    sqrefs: dict = {}
    for (key, col), rows in cells_of.items():
        sqrefs.setdefault(key, []).append(_ranges(col, rows))
    for key, parts in sqrefs.items():
        table.ws.add_data_validation(_validation_for(key, " ".join(parts), list_ref, table.lang))


def _validation_for(key, sqref: str, list_ref: dict[str, str], lang: str):
    if key in list_ref:  # yes_no only warns: par also reads x, 1, 0, đạt …
        kind = "choice" if key.startswith("choice:") else key
        return _validation(kind, lang, sqref, type="list", formula1=list_ref[key],
                           errorStyle="warning" if key == "yes_no" else "stop")
    # numbers warn and never block, so N/A and "0,5" stay typeable
    kind, low, high = key
    bounds = dict(operator="between", formula1=f"{low:g}", formula2=f"{high:g}") \
        if high is not None else dict(operator="greaterThanOrEqual", formula1=f"{low:g}")
    fields = {"low": _num(low, lang), "high": _num(high or 0, lang)}
    return _validation(kind, lang, sqref, fields, type="decimal", errorStyle="warning", **bounds)


def _set_up_sheets(table: _Table, last_row: int, help_ws, lists, rec_ws) -> None:
    """Protection, panes and printing."""
    ws, letter = table.ws, table.letter
    ws.freeze_panes = f"{letter['max']}{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{letter['note']}{last_row}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    for sheet in (ws, help_ws):
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for sheet in (ws, help_ws, lists, rec_ws):
        sheet.protection.sheet = True  # no password: guards against slips, not against people
        sheet.protection.formatColumns = sheet.protection.formatRows = False
        sheet.protection.autoFilter = False


def _write_record(rec_ws, criteria: CriteriaSet, unit_ids: list[str], period: Period,
                  lang: str, data_sheet: str) -> None:
    """The hidden ``_par`` sheet: what par.read.workbook checks an upload against."""
    record = {"format": FORMAT, "version": str(VERSION), "criteria_id": criteria.id,
              "criteria_sha256": criteria.sha256 or "", "year": str(criteria.year),
              "level": criteria.level, "period": str(period), "units": ",".join(unit_ids),
              "lang": lang,
              "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "layout": "consolidated" if len(unit_ids) > 1 else "unit",
              "data_sheet": data_sheet, "header_row": str(HEADER_ROW)}
    for i, (k, v) in enumerate(record.items(), start=1):
        _put(rec_ws, i, 1, k)
        _put(rec_ws, i, 2, v).number_format = "@"


def _prefill(frame: pd.DataFrame | None, lang: str) -> dict[tuple[str, str], dict]:
    """(unit, code) → {input column: value}, stage words in the template's language."""
    if frame is None or frame.empty:
        return {}
    stage_word = {"self": t("template.stage.self", lang),
                  "appraisal": t("template.stage.appraisal", lang)}
    out = {}
    for rec in frame.to_dict("records"):
        cells = {c: rec[c] for c in INPUTS if c in rec and not pd.isna(rec[c]) and rec[c] != ""}
        if "stage" in cells:
            cells["stage"] = stage_word.get(cells["stage"], cells["stage"])
        for c in ("numerator", "denominator"):
            if c in cells:
                cells[c] = float(cells[c])
        out[(str(rec["unit"]), str(rec["criterion"]))] = cells
    return out


def _leaf_inputs(table: _Table, leaf: Node, row: int) -> None:
    """Style a leaf row's input cells and note which validation each one takes."""
    rule, st = leaf.rule, table.st
    ratio = rule.type == "ratio"
    greyed = {"value"} if ratio else {"numerator", "denominator"}
    for c in INPUTS:
        cell = table.at(c, row)
        cell.fill = st["grey"] if c in greyed else st["input"]
        if c not in greyed or ratio:  # a ratio's value cell still takes N/A
            cell.protection = st["unlocked"]
    add = lambda key, c: table.cells_of.setdefault((key, table.letter[c]), []).append(row)
    if ratio:
        add("ratio_na", "value")
    elif rule.type == "yes_no":
        add("yes_no", "value")
    elif rule.type == "choice":
        key = "choice:" + "\x1f".join(rule.options)
        table.list_values.setdefault(key, list(rule.options) + ["N/A"])
        add(key, "value")
    elif rule.type == "points":
        add(("range", 0, leaf.max), "value")
    elif rule.type == "survey":
        add(("range", 0, 100), "value")
    else:  # count, deduction
        add(("at_least", 0, None), "value")


def _write_help(ws, criteria: CriteriaSet, units: str, period: Period, lang: str,
                data_sheet: str, st: dict) -> None:
    ws.column_dimensions["A"].width = 110
    lines = [t("template.help.title", lang),
             t("template.help.about", lang, title=criteria.display_title(lang), id=criteria.id,
               units=units, period=str(period))]
    lines += [t(f"template.help.{k}", lang, sheet=data_sheet) for k in HELP_KEYS]
    for i, text in enumerate(lines, start=1):
        cell = _put(ws, i, 1, text)
        cell.alignment = st["wrap"]
        ws.row_dimensions[i].height = _height([(text, 110)])
    ws["A1"].font = st["title"]
