"""The Excel report for meetings: ranking, domains, criteria scores, lagging criteria and the
criteria set, one formatted sheet each (openpyxl, bytes, no UI).

Every sheet has a title row, a context row (set, period, units ranked) and one header row,
then the data; numbers stay numbers (2-decimal formats), so the workbook can be sorted and
filtered. The index is written as published, rounded half up to 2 decimals (CONTRACT §4):
the figure that ranks and grades, so it sorts as it ranks. Text is always written as text, never as a formula, whatever it starts with
(formula injection), and never as a link; Excel reads no markup, so names need no other
escaping (tests/export/test_report.py). The same Scorecard gives the same bytes: the workbook's timestamps
and its zip entries' times are fixed.
"""
from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from par.analysis.lagging import get_lagging
from par.engine.scoring import Scorecard
from par.export.reproducible import FIXED_TIME, fixed_zip
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, round_half_up
from par.present.published import published_label
from par.read.template import describe_rule

NUMBER_FORMAT = "0.00"
INTEGER_FORMAT = "0"
HEADER_FILL = PatternFill("solid", fgColor="1F5FA8")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F3B5C")
CONTEXT_FONT = Font(italic=True, color="555555")
DOMAIN_FONT = Font(bold=True)
UNIT_FILL = PatternFill("solid", fgColor="FBE3D6")  # the unit a report was made for
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# grade colours, best band first (green → red), spread over however many bands a set has
BAND_COLORS = ["C6EFCE", "E2EFDA", "FFF2CC", "FCE4D6", "FFC7CE"]
LINE_HEIGHT = 15  # points per line of 11-pt text
HEADER_ROW = 3  # row 1 title, row 2 context, row 3 header, data from row 4


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | int | num
    width: float | None = None  # characters; None = fit the content (capped)
    wrap: bool = False


def _value(v):
    """numpy scalars → Python, NaN/NA → empty cell; characters a worksheet cannot hold
    (control characters) → U+FFFD."""
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
    if v is None or pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v


def put(ws: Worksheet, row: int, col: int, value):
    """Write one cell; text is text (data_type 's'), never a formula."""
    cell = ws.cell(row=row, column=col, value=_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def _text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max((len(line) for line in str(value).split("\n")), default=0)


def _lines(text, width: float, bold: bool = False) -> int:
    """Lines a wrapped cell needs in a column ``width`` characters wide (an estimate that
    errs on the generous side: an average letter is narrower than the '0' Excel counts)."""
    if text is None or not isinstance(text, str):
        return 1
    per_line = max((width - 1.5) * (0.95 if bold else 1.05), 1)
    return sum(max(math.ceil(len(part) / per_line), 1) for part in text.split("\n"))


def write_table(ws: Worksheet, title: str, context: str, columns: list[Column], rows: list[list],
                freeze: str, band_col: int | None = None, band_fills: dict | None = None,
                bold_rows: set[int] | None = None, indent: dict[int, int] | None = None) -> None:
    """Title, context, header and rows, styled; widths, freeze panes, filter and print setup."""
    put(ws, 1, 1, title).font = TITLE_FONT
    put(ws, 2, 1, context).font = CONTEXT_FONT
    for j, col in enumerate(columns, start=1):
        cell = put(ws, HEADER_ROW, j, col.header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    formats = {"int": INTEGER_FORMAT, "num": NUMBER_FORMAT}
    for i, values in enumerate(rows):
        r = HEADER_ROW + 1 + i
        for j, (col, v) in enumerate(zip(columns, values), start=1):
            cell = put(ws, r, j, v)
            cell.border = BORDER
            if col.kind in formats:
                cell.number_format = formats[col.kind]
            level = indent.get(i, 0) if indent and j == 2 else 0
            if col.wrap or level:
                cell.alignment = Alignment(horizontal="left", vertical="top",
                                           wrap_text=col.wrap, indent=level)
            if bold_rows and i in bold_rows:
                cell.font = DOMAIN_FONT
        if band_col is not None and band_fills:
            fill = band_fills.get(values[band_col - 1])
            if fill is not None:
                ws.cell(row=r, column=band_col).fill = fill
    widths = []
    for j, col in enumerate(columns, start=1):
        content = max([_text_width(r[j - 1]) for r in rows] + [4])
        width = col.width or min(max(content, 6) + 2, 50)
        width = max(width, min(_text_width(col.header), 14) + 2)
        ws.column_dimensions[get_column_letter(j)].width = width
        widths.append(width)
    # explicit heights: neither Excel nor LibreOffice reliably grows rows of wrapped text
    header = max(_lines(c.header, w, bold=True) for c, w in zip(columns, widths))
    ws.row_dimensions[HEADER_ROW].height = LINE_HEIGHT * header + 4
    wrapped = [(j, w) for j, (c, w) in enumerate(zip(columns, widths)) if c.wrap]
    for i, values in enumerate(rows):
        lines = max([_lines(values[j], w - (indent or {}).get(i, 0) * 3 * (j == 1))
                     for j, w in wrapped] + [1])
        if lines > 1:
            ws.row_dimensions[HEADER_ROW + 1 + i].height = LINE_HEIGHT * lines
    ws.freeze_panes = freeze
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def band_fills(card: Scorecard) -> dict[str, PatternFill]:
    """Grade label → fill, best band green, worst red."""
    labels = [b.label for b in card.criteria.bands if b.label]
    if not labels:
        return {}
    n = len(labels)
    pick = [BAND_COLORS[round(i * (len(BAND_COLORS) - 1) / max(n - 1, 1))] for i in range(n)]
    return {label: PatternFill("solid", fgColor=color) for label, color in zip(labels, pick)}


# -- the five sheets -------------------------------------------------------------------

def _unit_columns(lang: str) -> list[Column]:
    return [Column(t("col.rank", lang), "int", 7), Column(t("report.col.unit_id", lang)),
            Column(t("col.unit", lang))]


def _unit_cells(card: Scorecard, uid: str) -> list:
    u = card.units.loc[uid]
    return [u["rank"], uid, u["name"]]


def _ranking(ws, card: Scorecard, lang: str, context: str) -> None:
    u = card.units
    groups = u["group"].notna().any()
    cols = _unit_columns(lang)
    if groups:
        cols += [Column(t("col.group", lang)), Column(t("col.group_rank", lang), "int", 10)]
    cols += [Column(t("col.score", lang), "num"), Column(t("col.max", lang), "num"),
             Column(t("col.index", lang), "num"), Column(t("col.band", lang)),
             Column(t("col.provisional", lang)), Column(t("report.col.missing", lang), "int", 14)]
    rows = []
    for uid in u.index:
        r = u.loc[uid]
        row = _unit_cells(card, uid)
        if groups:
            row += [r["group"], r["group_rank"]]
        # the index as published (half up, 2 decimals): the figure that ranks and grades
        row += [r["score"], r["max"], round_half_up(r["index"], 2), r["band"],
                t("word.yes", lang) if r["provisional"] else None, r["missing"]]
        rows.append(row)
    band_col = [c.header for c in cols].index(t("col.band", lang)) + 1
    write_table(ws, t("report.title.ranking", lang), context, cols, rows, "D4",
                band_col=band_col, band_fills=band_fills(card))


def _domains(ws, card: Scorecard, lang: str, context: str) -> None:
    codes = card.domain_codes()
    nodes = card.criteria.nodes
    cols = _unit_columns(lang) + [
        Column(f"{c}. {nodes[c].display_name(lang)} "
               + t("report.max_suffix", lang, max=fmt_number(nodes[c].max, lang, 0)), "num", 18)
        for c in codes] + [Column(t("report.col.total", lang), "num", 12)]
    score, amax = card.node_score[codes], card.node_max[codes]
    rows = [_unit_cells(card, uid)
            + [s if m > 0 else None for s, m in zip(score.loc[uid], amax.loc[uid])]
            + [card.units.at[uid, "score"]] for uid in card.units.index]
    write_table(ws, t("report.title.domains", lang), context, cols, rows, "D4")


def _leaves(ws, card: Scorecard, lang: str, context: str) -> None:
    codes = [leaf.code for leaf in card.criteria.leaves]
    cols = _unit_columns(lang) + [Column(c, "num", 8) for c in codes]
    score, amax = card.node_score[codes], card.node_max[codes]
    rows = [_unit_cells(card, uid)
            + [s if m > 0 else None for s, m in zip(score.loc[uid], amax.loc[uid])]
            for uid in card.units.index]
    note = t("report.note.leaves", lang, sheet=t("report.sheet.criteria", lang))
    write_table(ws, t("report.title.leaves", lang), context + " · " + note, cols, rows, "D4")


def _lagging(ws, card: Scorecard, lang: str, context: str) -> None:
    nodes = card.criteria.nodes
    cols = _unit_columns(lang) + [
        Column(t("col.code", lang), width=9), Column(t("col.criterion", lang), width=60, wrap=True),
        Column(t("col.score", lang), "num", 9), Column(t("col.max", lang), "num", 9),
        Column(t("col.points_lost", lang), "num", 10), Column(t("col.mean", lang), "num", 11),
        Column(t("col.best", lang), "num", 10), Column(t("report.col.gap", lang), "num", 12)]
    rows = []
    for uid in card.ranked.index:
        for r in get_lagging(card, uid).itertuples():
            rows.append(_unit_cells(card, uid) + [
                r.criterion, nodes[r.criterion].display_name(lang), r.score, r.max,
                r.points_lost, r.mean, r.best, r.gap])
    write_table(ws, t("report.title.lagging", lang), context, cols, rows, "D4")


def _criteria(ws, card: Scorecard, lang: str, context: str) -> None:
    criteria = card.criteria
    cols = [Column(t("col.code", lang), width=10),
            Column(t("col.criterion", lang), width=60, wrap=True),
            Column(t("report.col.kind", lang), width=13), Column(t("col.max", lang), "num", 9),
            Column(t("report.col.rule", lang), width=70, wrap=True),
            Column(t("report.col.description", lang), width=50, wrap=True)]
    rows, bold, indent = [], set(), {}
    for domain in criteria.domains:
        depth = {domain.code: 0}
        for node in domain.walk():
            for child in node.children:
                depth[child.code] = depth[node.code] + 1
            i = len(rows)
            if node is domain:
                bold.add(i)
            indent[i] = depth[node.code]
            rows.append([node.code, node.display_name(lang), t(f"report.kind.{domain.kind}", lang),
                         node.max, describe_rule(node, lang) if node.is_leaf else None,
                         node.description])
    title = t("report.title.criteria", lang) + " — " + criteria.display_title(lang)
    write_table(ws, title, context, cols, rows, "C4", bold_rows=bold, indent=indent)


SHEETS = (("ranking", _ranking), ("domains", _domains), ("leaves", _leaves),
          ("lagging", _lagging), ("criteria", _criteria))


def sheet_names(lang: str = "vi") -> list[str]:
    return [t(f"report.sheet.{key}", lang)[:31] for key, _ in SHEETS]


def _highlight(wb: Workbook, card: Scorecard, unit: str) -> None:
    """Every row of ``unit`` (column B holds the unit id) filled and bold, in every sheet
    that lists units; the ranking sheet opens on its row."""
    for ws in wb.worksheets:
        if ws.cell(HEADER_ROW, 2).value != t("report.col.unit_id", "vi") and \
                ws.cell(HEADER_ROW, 2).value != t("report.col.unit_id", "en"):
            continue
        rows = [r for r in range(HEADER_ROW + 1, ws.max_row + 1)
                if ws.cell(r, 2).value == unit]
        for r in rows:
            for cell in ws[r]:
                cell.fill = UNIT_FILL
                cell.font = Font(bold=True, color=cell.font.color)
        if rows and ws is wb.worksheets[0]:
            ws.sheet_view.selection[0].activeCell = f"C{rows[0]}"
            ws.sheet_view.selection[0].sqref = f"C{rows[0]}"


def build_report(card: Scorecard, lang: str = "vi", unit: str | None = None,
                 published: dict | None = None) -> bytes:
    """The formatted .xlsx report of one scoring; identical bytes for identical inputs.
    With ``unit`` (a unit's page), that unit's rows stand out in every sheet; with
    ``published`` (the publication's meta, when ``card`` is a published result) every
    sheet's context line says "Kết quả chính thức, công bố ngày …"."""
    context = t("report.context", lang, title=card.criteria.display_title(lang),
                as_of=fmt_period(card.as_of, lang, year_to_date=True), count=len(card.ranked))
    if published is not None:
        context += " · " + published_label(published, lang)
    wb = Workbook()
    wb.remove(wb.active)
    for (key, write), name in zip(SHEETS, sheet_names(lang)):
        write(wb.create_sheet(name), card, lang, context)
    if unit is not None and unit in card.units.index:
        _highlight(wb, card, unit)
    props = wb.properties
    props.creator, props.lastModifiedBy = "par", "par"
    props.title = t("report.title.ranking", lang) + " — " + card.criteria.display_title(lang)
    props.subject = str(card.as_of)
    props.created = props.modified = FIXED_TIME
    out = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp "modified" with the clock
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    return fixed_zip(out.getvalue())
