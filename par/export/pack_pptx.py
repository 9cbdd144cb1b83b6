"""Draw the pack's slide model (par.export.pack) with python-pptx."""
from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from par.export.pack_model import (
    ACCENT,
    BAND_FILL,
    DARK,
    FONT,
    GREY,
    HEADER_FILL,
    HIGHLIGHT_FILL,
    MARGIN,
    SLIDE_H,
    SLIDE_W,
    Picture,
    Slide,
    Table,
    Text,
)

TITLE_ONLY = 5  # layout of python-pptx's default template: a real title placeholder
ALIGN = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}


def _style(run, size: float, bold: bool, color: str, lang: str) -> None:
    f = run.font
    f.name, f.size, f.bold, f.color.rgb = FONT, Pt(size), bold, RGBColor.from_string(color)
    f.language_id = MSO_LANGUAGE_ID.VIETNAMESE if lang == "vi" else MSO_LANGUAGE_ID.ENGLISH_UK


def _fill_frame(frame, text: str, size: float, bold: bool, color: str, align: str, lang: str,
                anchor=MSO_ANCHOR.TOP, margin: float | None = 0.0) -> None:
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    if margin is not None:  # table cells keep their margins on the cell
        frame.margin_left = frame.margin_right = Inches(margin)
        frame.margin_top = frame.margin_bottom = Inches(margin / 2)
    frame.text = ""
    p = frame.paragraphs[0]
    p.alignment = ALIGN[align]
    run = p.add_run()
    run.text = text
    _style(run, size, bold, color, lang)


def _text(slide, item: Text, lang: str) -> None:
    x, y, w, h = item.box
    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    _fill_frame(box.text_frame, item.text, item.size, item.bold, item.color, item.align, lang)


def _rect(slide, box, color: str, behind: bool = False) -> None:
    x, y, w, h = box
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(w),
                                   Inches(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor.from_string(color)
    shape.line.fill.background()
    shape.shadow.inherit = False
    if behind:  # first in the shape tree = drawn first (after nvGrpSpPr and grpSpPr)
        tree = slide.shapes._spTree
        tree.remove(shape._element)
        tree.insert(2, shape._element)


def _cell(cell, text: str, size: float, bold: bool, color: str, fill: str | None, align: str,
          lang: str) -> None:
    _fill_frame(cell.text_frame, text, size, bold, color, align, lang, MSO_ANCHOR.MIDDLE, None)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.margin_left = cell.margin_right = Inches(0.08)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    if fill is None:
        cell.fill.background()
    else:
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(fill)


def _table(slide, item: Table, lang: str) -> None:
    x, y = item.box
    n_rows, n_cols = len(item.rows) + 1, len(item.columns)
    width = sum(w for _, w, _ in item.columns)
    shape = slide.shapes.add_table(n_rows, n_cols, Inches(x), Inches(y), Inches(width),
                                   Inches(item.row_height * n_rows))
    table = shape.table
    table.first_row, table.horz_banding = True, False
    for j, (header, w, align) in enumerate(item.columns):
        table.columns[j].width = Inches(w)
        _cell(table.cell(0, j), header, item.size, True, "FFFFFF", HEADER_FILL, align, lang)
    for i, row in enumerate(item.rows, start=1):
        table.rows[i].height = Inches(item.row_height)
        fill = HIGHLIGHT_FILL if (i - 1) in item.highlight else (BAND_FILL if i % 2 == 0 else None)
        for j, (value, (_, _, align)) in enumerate(zip(row, item.columns)):
            _cell(table.cell(i, j), value, item.size, (i - 1) in item.highlight, DARK, fill,
                  align, lang)
    table.rows[0].height = Inches(item.row_height + 0.1)


def _picture(slide, item: Picture) -> None:
    x, y, w, h = item.box
    slide.shapes.add_picture(io.BytesIO(item.export("png")), Inches(x), Inches(y), Inches(w),
                             Inches(h))


def _frame(slide, s: Slide, n: int, total: int, footer: str, lang: str) -> None:
    """Title, subtitle, accent rule and footer (title slide: a blue band)."""
    title = slide.shapes.title
    if s.cover:
        _rect(slide, (0, 2.0, SLIDE_W, 2.4), ACCENT, behind=True)
        title.left, title.top, title.width, title.height = (Inches(0.8), Inches(2.2),
                                                            Inches(11.7), Inches(1.3))
        _fill_frame(title.text_frame, s.title, 32, True, "FFFFFF", "left", lang,
                    MSO_ANCHOR.BOTTOM)
        return
    title.left, title.top, title.width, title.height = (Inches(MARGIN), Inches(0.3),
                                                        Inches(SLIDE_W - 2 * MARGIN), Inches(0.6))
    _fill_frame(title.text_frame, s.title, 26, True, DARK, "left", lang, MSO_ANCHOR.BOTTOM)
    if s.headline:  # on the title's line, right-aligned, sharing its baseline
        title.width = Inches(6.0)
        box = slide.shapes.add_textbox(Inches(6.5), Inches(0.3), Inches(SLIDE_W - MARGIN - 6.5),
                                       Inches(0.6))
        _fill_frame(box.text_frame, s.headline, 26, True, ACCENT, "right", lang,
                    MSO_ANCHOR.BOTTOM)
    if s.subtitle:
        _text(slide, Text(s.subtitle, (MARGIN, 0.92, SLIDE_W - 2 * MARGIN, 0.4), 13,
                          color=GREY), lang)
    _rect(slide, (MARGIN, 1.36, SLIDE_W - 2 * MARGIN, 0.03), ACCENT)
    _text(slide, Text(footer, (MARGIN, 7.02, 10.5, 0.3), 10, color=GREY), lang)
    _text(slide, Text(f"{n}/{total}", (SLIDE_W - MARGIN - 1.0, 7.02, 1.0, 0.3), 10, color=GREY,
                      align="right"), lang)


def render_pptx(slides: list[Slide], footer: str, lang: str, when: dt.date, title: str,
                subject: str) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    for n, s in enumerate(slides, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
        _frame(slide, s, n, len(slides), footer, lang)
        for item in s.items:
            if isinstance(item, Text):
                _text(slide, item, lang)
            elif isinstance(item, Table):
                _table(slide, item, lang)
            else:
                _picture(slide, item)
    props = prs.core_properties
    stamp = dt.datetime(when.year, when.month, when.day)
    props.title, props.subject = title, subject
    props.author = props.last_modified_by = "par"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.language = "vi-VN" if lang == "vi" else "en-GB"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
