"""The documents the office signs, as DOCX (python-docx) in the Vietnamese administrative
style of Nghị định 30/2020/NĐ-CP, and as PDF (the same DOCX printed by LibreOffice):

- ``sheet_docx``: a unit's scoring sheet of a round (phiếu chấm điểm): every node of the
  criteria set with its maximum, self points, appraised points, the council's comment and the
  unit's explanation; domain and total rows; the totals and the index (par.analysis.round_sheet);
- ``annex_docx``: the ranking annex of the decision (phụ lục kết quả xếp hạng) from a published
  Scorecard (par.store.publication.published → (card, meta)), dated with its publication.

The style: A4 (the sheet in landscape: seven columns), margins 2 cm top and bottom, 3 cm left,
1.5 cm right; Times New Roman 13 pt (titles 14, tables 12); the issuing-agency block on the left
and the national motto block on the right, place and date in italics; page numbers centred at
the top from page 2; a signature block with the names left blank (``signers``: other titles).
The agency lines and the place come from the caller (``agency``, ``office``, ``place``), else
the settings PAR_AGENCY, PAR_OFFICE and PAR_PLACE, else neutral placeholders from the catalogue
(docs.agency, docs.office, docs.place). On the sheet, self points that are 0 for want of evidence carry a
``*`` explained under the table; the total row adds up each column (the appraised column: the
appraised leaves only), and the line under it gives the round's result as the contract scores
it (appraisal rows where they exist, self rows elsewhere).

Text from people (unit names, comments, explanations) goes in as plain text runs: python-docx
writes it as XML text, never as markup; characters XML cannot hold become U+FFFD. The same
inputs (and ``date``) give the same DOCX bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from par import settings
from par.analysis.round_sheet import missing_evidence, sheet_totals, unit_sheet
from par.export.browser import ExportError
from par.export.reproducible import FIXED_TIME, fixed_pdf, fixed_zip
from par.i18n import t
from par.i18n.formatting import VIETNAM, fmt_number, fmt_period

FONT = "Times New Roman"
BODY_PT, TITLE_PT, TABLE_PT, AGENCY_PT, MOTTO_PT = 13, 14, 12, 12, 13
PAGE_W, PAGE_H = Cm(21.0), Cm(29.7)
MARGINS = {"top": Cm(2.0), "bottom": Cm(2.0), "left": Cm(3.0), "right": Cm(1.5)}
CONVERT_TIMEOUT = 120  # seconds LibreOffice may take to print one document
MARK = "*"  # after self points that are 0 for want of evidence
SIGN_LINES = 4  # blank lines under a signer's title, to sign in
CELL_PAD = 30  # twips of air above and below a table cell's text (1.5 pt)
INDENT_CM = 0.4  # the name column's indent per level of the criteria tree
# the sheet's columns (cm; landscape A4 leaves 25.2 cm) and the annex's (portrait: 16.5 cm)
SHEET_WIDTHS = (1.5, 9.2, 1.8, 1.8, 2.2, 4.35, 4.35)
ANNEX_WIDTHS = (1.3, 6.9, 2.0, 2.0, 2.1, 2.2)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text) -> str:
    """Text as a run can hold it: str, characters XML cannot carry → U+FFFD."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _ILLEGAL.sub("\ufffd", str(text))


def _plain(x, lang: str) -> str:
    """A bound or scale as written: 90, 100, 87,50."""
    return fmt_number(x, lang, 0 if float(x).is_integer() else 2)


def _num(x, lang: str) -> str:
    return "" if x is None or pd.isna(x) else fmt_number(x, lang)


# -- the page and its fonts -------------------------------------------------------------------

def _fonts(element) -> None:
    """Times New Roman for every script of a run or style (Vietnamese letters included)."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


# the schema's order of the children of w:tblPr and w:pPr (ECMA-376 §17.4.60, §17.3.1.26)
_ORDER = {
    "tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
              "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
              "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
              "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
    "pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
            "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
            "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
            "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
            "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
            "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
            "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
            "w:pPrChange"),
}


def _put(parent, child) -> None:
    """Insert ``child`` where the schema wants it among ``parent``'s children (Word refuses
    elements out of order)."""
    seq = _ORDER[parent.tag.split("}")[1]]
    tag = "w:" + child.tag.split("}")[1]
    parent.insert_element_before(child, *seq[seq.index(tag) + 1:])


def _document(landscape: bool, date: dt.date):
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    _fonts(normal.element)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.header_distance = section.footer_distance = Cm(1.0)
    section.different_first_page_header_footer = True  # NĐ 30: numbered from page 2
    _page_number(section.header.paragraphs[0])
    when = dt.datetime(date.year, date.month, date.day)
    props = doc.core_properties
    props.created = props.modified = when
    props.last_printed = when
    props.author = props.last_modified_by = "par"
    props.revision = 1
    return doc


def _page_number(paragraph) -> None:
    """A centred PAGE field (13 pt)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        run = paragraph.add_run()
        _style(run, BODY_PT)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


def _style(run, size: float, bold: bool = False, italic: bool = False,
           underline: bool = False):
    run.font.name, run.font.size = FONT, Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    _fonts(run._r)
    return run


def _para(container, text: str = "", size: float = BODY_PT, *, bold: bool = False,
          italic: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT, before: float = 0,
          after: float = 0, indent_cm: float = 0, keep: bool = False):
    """A paragraph of one run (more runs: ``_run``); ``container``: document or cell."""
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent_cm:
        fmt.left_indent = Cm(indent_cm)
    if keep:
        fmt.keep_with_next = True
    if text:
        _style(p.add_run(_clean(text)), size, bold, italic)
    return p


def _run(p, text: str, size: float = BODY_PT, **kw):
    return _style(p.add_run(_clean(text)), size, **kw)


# -- tables -----------------------------------------------------------------------------------

def _borders(table, show: bool) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if show else "nil")
        if show:
            edge.set(qn("w:sz"), "4")
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    _put(tbl_pr, borders)


def _table(container, widths_cm, borders: bool = True):
    """A fixed-layout table of ``len(widths_cm)`` columns, no rows yet."""
    table = container.add_table(rows=0, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the widths below hold
    _borders(table, borders)
    if borders:  # a little air above and below each cell's text
        margins = OxmlElement("w:tblCellMar")
        for side, twips in (("top", CELL_PAD), ("bottom", CELL_PAD), ("left", 85), ("right", 85)):
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:w"), str(twips))
            edge.set(qn("w:type"), "dxa")
            margins.append(edge)
        _put(table._tbl.tblPr, margins)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    return table


def _row(table, widths_cm, *, header: bool = False):
    """A row that never splits across pages; a header row repeats on every page."""
    row = table.add_row()
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))
    cells = row.cells
    for cell, width in zip(cells, widths_cm):
        cell.width = Cm(width)
    return cells


def _cell(cell, text: str, size: float = TABLE_PT, *, bold: bool = False,
          italic: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT, indent_cm: float = 0,
          middle: bool = True) -> None:
    cell.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.CENTER if middle
                               else WD_CELL_VERTICAL_ALIGNMENT.TOP)
    p = cell.paragraphs[0]
    p.alignment = align
    if indent_cm:
        p.paragraph_format.left_indent = Cm(indent_cm)
    if text:
        _style(p.add_run(_clean(text)), size, bold, italic)


# -- the blocks every document has ---------------------------------------------------------------

def _heading_block(doc, lang: str, date: dt.date | None, landscape: bool, agency: str | None,
                   office: str | None, place: str | None) -> None:
    """Issuing agency (left) and national motto (right), the place and date under the motto."""
    widths = (9.0, 16.2) if landscape else (6.3, 10.2)
    table = _table(doc, widths, borders=False)
    left, right = _row(table, widths)
    left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    center = WD_ALIGN_PARAGRAPH.CENTER
    agency = agency or settings.agency() or t("docs.agency", lang)
    office = office or settings.office() or t("docs.office", lang)
    place = place or settings.place()
    _cell(left, agency.upper(), AGENCY_PT, align=center, middle=False)
    _para(left, office.upper(), AGENCY_PT, bold=True, align=center)
    _rule(left, widths[0], 1.5)
    _cell(right, t("docs.motto_state", lang), AGENCY_PT, bold=True, align=center, middle=False)
    _para(right, t("docs.motto", lang), MOTTO_PT, bold=True, align=center)
    _rule(right, widths[1], 5.8 if lang == "vi" else 6.9)
    if date is not None:
        _para(right, t("docs.place_date", lang, place=place or t("docs.place", lang),
                       day=f"{date.day:02d}", month=_month(date.month), year=date.year),
              MOTTO_PT, italic=True, align=center, before=6)


def _month(month: int) -> str:
    """NĐ 30: a zero before the days below 10 and the months 1 and 2 (tháng 01, tháng 3)."""
    return f"{month:02d}" if month < 3 else str(month)


def _rule(cell, cell_cm: float, length_cm: float) -> None:
    """A short centred line (a paragraph's bottom border between equal indents)."""
    p = cell.add_paragraph()
    side = max((cell_cm - 0.38 - length_cm) / 2, 0)  # 0.38: the cell's own side margins
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = Pt(2)
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    _put(p_pr, borders)


def _signatures(doc, lang: str, landscape: bool, signers) -> None:
    widths = (12.6, 12.6) if landscape else (8.2, 8.3)
    _para(doc, "", after=6, keep=True)
    table = _table(doc, widths, borders=False)
    cells = _row(table, widths)
    for cell, (title, hint) in zip(cells, signers):
        _cell(cell, title, BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, middle=False)
        _para(cell, hint, BODY_PT, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for _ in range(SIGN_LINES):  # room to sign; the row never splits across pages
            _para(cell, "")


def _default_signers(lang: str):
    return ((t("docs.sign_maker", lang), t("docs.sign_maker_hint", lang)),
            (t("docs.sign_head", lang), t("docs.sign_head_hint", lang)))


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return fixed_zip(out.getvalue())


def _today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


# -- the scoring sheet --------------------------------------------------------------------------

def sheet_docx(state, unit: str, lang: str = "vi", *, date: dt.date | None = None,
               agency: str | None = None, office: str | None = None,
               place: str | None = None, signers=None) -> bytes:
    """The unit's scoring sheet of the round in ``state`` (a RoundState) as DOCX bytes.

    ``date``: the date line (default today, Vietnam time). Raises ParError
    (docs.unknown_unit) for a unit that is not of the set's level."""
    date = date or _today()
    criteria = state.criteria
    sheet = unit_sheet(state, unit, lang)
    totals = sheet_totals(state, unit, sheet)
    names = state.units.set_index(state.units["id"].astype(str))["name"]
    name = names.get(str(unit)) or str(unit)

    doc = _document(landscape=True, date=date)
    _heading_block(doc, lang, date, True, agency, office, place)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, t("docs.sheet_title", lang), TITLE_PT, bold=True, align=center, before=12)
    _para(doc, criteria.display_title(lang), BODY_PT, bold=True, align=center)
    _para(doc, t("docs.period_line", lang, period=fmt_period(state.round.period, lang)),
          BODY_PT, italic=True, align=center)
    p = _para(doc, "", BODY_PT, before=6, after=6)
    _run(p, t("docs.unit_label", lang) + " ")
    _run(p, name, bold=True)

    widths = SHEET_WIDTHS
    table = _table(doc, widths)
    heads = [t(f"docs.col_{c}", lang) for c in
             ("code", "criterion", "max", "self", "appraised", "comment", "explanation")]
    for cell, head in zip(_row(table, widths, header=True), heads):
        _cell(cell, head, bold=True, align=center)
    no_evidence = set(missing_evidence(state, unit))
    flagged = set()
    if state.flags is not None and len(state.flags):
        mine = state.flags[state.flags["unit"].astype(str) == str(unit)]
        flagged = set(mine["criterion"].astype(str))
    right = WD_ALIGN_PARAGRAPH.RIGHT
    for r in sheet.itertuples(index=False):
        domain = r.kind == "domain"
        strong = r.kind != "leaf"
        label = r.name.upper() if domain else r.name
        explanation = r.explanation
        if not explanation and r.kind == "leaf" and r.code in flagged:
            explanation = t("docs.not_explained", lang)
        cells = _row(table, widths)
        _cell(cells[0], r.code, bold=strong, align=center)
        _cell(cells[1], label, bold=strong, indent_cm=INDENT_CM * r.depth)
        _cell(cells[2], _num(r.max, lang), bold=strong, align=right)
        own = _num(r.self_points, lang) + (MARK if r.code in no_evidence else "")
        _cell(cells[3], own, bold=strong, align=right)
        _cell(cells[4], _num(r.appraised_points, lang), bold=strong, align=right)
        _cell(cells[5], r.comment)
        _cell(cells[6], explanation, italic=not r.explanation)
    cells = _row(table, widths)
    merged = cells[0].merge(cells[1])
    _cell(merged, t("docs.total", lang), bold=True, align=center)
    _cell(cells[2], _num(totals["max"], lang), bold=True, align=right)
    _cell(cells[3], _num(totals["self_score"], lang), bold=True, align=right)
    _cell(cells[4], _num(totals["appraised_score"], lang), bold=True, align=right)
    for row in table.rows[-3:]:  # the table's end stays with the totals under it
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True

    _para(doc, "", after=4, keep=True)
    if no_evidence:
        _para(doc, t("docs.no_evidence_note", lang, mark=MARK, count=len(no_evidence)),
              TABLE_PT, italic=True, keep=True)
    _summary(doc, lang, totals, criteria)
    _signatures(doc, lang, True, signers or _default_signers(lang))
    return _bytes(doc)


def _summary(doc, lang: str, totals: dict, criteria) -> None:
    top = _num(totals["max"], lang)
    if not pd.isna(totals["self_score"]):
        _para(doc, t("docs.self_total", lang, score=_num(totals["self_score"], lang), max=top,
                     index=_num(totals["self_index"], lang)), keep=True)
    band = criteria.grade_label(totals["band"], lang) or "–"
    _para(doc, t("docs.result_total", lang, score=_num(totals["score"], lang), max=top,
                 index=_num(totals["index"], lang), band=band), bold=True, keep=True)
    if totals["appraised"] < totals["leaves"]:
        _para(doc, t("docs.partly_appraised", lang, appraised=totals["appraised"],
                     leaves=totals["leaves"]), italic=True, keep=True)
    if totals["flagged"]:
        _para(doc, t("docs.flag_count", lang, flagged=totals["flagged"],
                     explained=totals["explained"]), keep=True)


# -- the ranking annex --------------------------------------------------------------------------

def _published_date(meta: dict) -> dt.date:
    at = pd.Timestamp(meta["published_at"])
    at = at.tz_localize("UTC") if at.tzinfo is None else at
    return at.tz_convert(VIETNAM).date()


def annex_docx(card, meta: dict, lang: str = "vi", *, group: str | None = None,
               agency: str | None = None, office: str | None = None,
               place: str | None = None, signers=None) -> bytes:
    """The ranking annex of a published result (``card``, ``meta`` from
    par.store.publication.published) as DOCX bytes: every unit of the set's level, best first
    (unranked ones last); ``group``: only that group's units, with their rank in the group."""
    criteria = card.criteria
    when = _published_date(meta)
    units = card.units
    rank_col, of_col = "rank", "of"
    if group is not None:
        units = units[units["group"].astype(str) == str(group)]
        rank_col, of_col = "group_rank", "group_of"

    doc = _document(landscape=False, date=when)
    _heading_block(doc, lang, when, False, agency, office, place)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, t("docs.annex", lang), TITLE_PT, bold=True, align=center, before=12)
    _para(doc, t("docs.annex_title", lang), TITLE_PT, bold=True, align=center)
    _para(doc, _period_title(meta.get("period") or str(card.as_of), lang), TITLE_PT, bold=True,
          align=center)
    _para(doc, criteria.display_title(lang), BODY_PT, bold=True, align=center)
    _para(doc, t("docs.annex_ref", lang, date=when.strftime("%d/%m/%Y")), BODY_PT,
          italic=True, align=center, after=10)

    widths = ANNEX_WIDTHS
    table = _table(doc, widths)
    heads = [t(f"docs.col_{c}", lang) for c in ("no", "unit", "score", "index", "rank", "band")]
    for cell, head in zip(_row(table, widths, header=True), heads):
        _cell(cell, head, bold=True, align=center)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    ranks = units[rank_col].astype("Float64")
    for n, (r, rank) in enumerate(zip(units.itertuples(index=False), ranks), start=1):
        cells = _row(table, widths)
        ranked = not pd.isna(rank)
        _cell(cells[0], str(n), align=center)
        _cell(cells[1], r.name)
        _cell(cells[2], _num(r.score, lang) if ranked else "–", align=right)
        _cell(cells[3], _num(r.index, lang) if ranked else "–", align=right)
        _cell(cells[4], str(int(rank)) if ranked else "–", align=center)
        _cell(cells[5], _clean(criteria.grade_label(r.band, lang) or "") if ranked else "",
              align=center)
    of = units[of_col].dropna()
    _para(doc, "", after=4)
    legend = _bands_legend(criteria, lang)
    _para(doc, t("docs.annex_note", lang, of=int(of.iloc[0]) if len(of) else 0,
                 max=_plain(criteria.scale, lang)), 12, italic=True, keep=True)
    if legend:
        _para(doc, t("docs.bands_note", lang, bands=legend), 12, italic=True, keep=True)
    _signatures(doc, lang, False, signers or _default_signers(lang))
    return _bytes(doc)


def _period_title(period: str, lang: str) -> str:
    """'NĂM 2025' for a year (as decisions write it), 'QUÝ III/2025' for a quarter."""
    if re.fullmatch(r"\d{4}", str(period).strip()):
        return t("docs.annex_year", lang, year=str(period).strip()).upper()
    return fmt_period(period, lang).upper()


def _bands_legend(criteria, lang: str) -> str:
    parts = []
    for band in criteria.bands:
        if band.label:
            key = "docs.band_above" if band.strict else "docs.band_from"
            parts.append(t(key, lang, band=criteria.grade_label(band.label, lang),
                           bound=_plain(band.bound, lang)))
    return "; ".join(parts)


# -- PDF ----------------------------------------------------------------------------------------

# a throwaway LibreOffice profile that never looks for updates (no network wanted)
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments"><prop oor:name="AutoCheckEnabled" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def find_office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """The DOCX printed to PDF by headless LibreOffice (its own throwaway profile, killed
    with everything it started when it overruns ``timeout``). Raises ExportError."""
    office = find_office()
    if office is None:
        raise ExportError("LibreOffice not found (apt-get install libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory(prefix="par-docx-") as tmp:
        root = Path(tmp)
        src, out = root / "document.docx", root / "out"
        src.write_bytes(docx)
        profile = root / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        cmd = [office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nolockcheck", "--nodefault",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), str(src)]
        no_proxy = {k: "" for k in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY",
                                    "HTTPS_PROXY", "ALL_PROXY")}  # nothing to fetch, ever
        env = {**os.environ, **no_proxy, "HOME": tmp, "TMPDIR": tmp, "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                cwd=tmp, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ExportError(f"LibreOffice did not convert within {timeout:.0f} s") from None
        pdf = out / "document.pdf"
        if not pdf.exists() or pdf.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise ExportError(f"LibreOffice made no PDF (exit {proc.returncode}) {detail}")
        return fixed_pdf(pdf.read_bytes(), FIXED_TIME)


# -- files ----------------------------------------------------------------------------------------

def _write(path, docx: bytes) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise ValueError(f"{path.name}: the document is written as .docx or .pdf")
    data = to_pdf(docx) if suffix == ".pdf" else docx
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)  # never half a file under the real name
    return path


def write_unit_sheet(state, unit: str, path, lang: str = "vi", **kw) -> Path:
    """The unit's scoring sheet as ``path`` (.docx or .pdf by its suffix)."""
    return _write(path, sheet_docx(state, unit, lang, **kw))


def write_ranking_annex(card, meta: dict, path, lang: str = "vi", **kw) -> Path:
    """The ranking annex as ``path`` (.docx or .pdf by its suffix)."""
    return _write(path, annex_docx(card, meta, lang, **kw))
