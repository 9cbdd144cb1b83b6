"""The slide model of the meeting pack: sizes, colours and the items a slide holds.

pack.py fills it; pack_pptx.py and pack_pdf.py draw it. Both renderers import only
this module, so the pack has no import circle.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go

from par.export.images import export_figure

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.5
CONTENT_W = SLIDE_W - 2 * MARGIN
CONTENT_TOP = 1.55
# Charts are laid out at 80 CSS px per inch of slide (their 13-px text reads as about 12 pt,
# large enough across a meeting room) and rendered at 192 dpi (scale 2.4).
PX_PER_IN, DPI = 80, 192
FONT = "Arial"  # metric-compatible with Liberation Sans; PowerPoint has it everywhere
DARK, ACCENT, GREY = "1F3B5C", "1F5FA8", "595959"
HEADER_FILL, BAND_FILL, HIGHLIGHT_FILL = "1F5FA8", "EEF3FA", "FBE3D6"
TOP_N, TABLE_ROWS = 5, 10
MAX_LABELLED_BARS = 40  # a 5.3-inch chart has room for that many named bars


@dataclass
class Text:
    text: str
    box: tuple[float, float, float, float]  # x, y, w, h in inches
    size: float = 14
    bold: bool = False
    color: str = DARK
    align: str = "left"


@dataclass
class Table:
    columns: list[tuple[str, float, str]]  # header, width (in), align
    rows: list[list[str]]
    box: tuple[float, float]  # x, y
    highlight: set[int] = field(default_factory=set)
    size: float = 12
    row_height: float = 0.4


@dataclass
class Picture:
    figure: go.Figure
    box: tuple[float, float, float, float]

    def export(self, fmt: str) -> bytes:
        x, y, w, h = self.box
        return export_figure(self.figure, fmt, scale=DPI / PX_PER_IN, width=round(w * PX_PER_IN),
                             height=round(h * PX_PER_IN))


@dataclass
class Slide:
    title: str
    subtitle: str | None = None
    cover: bool = False
    headline: str | None = None  # large, right of the title (the unit's rank)
    items: list = field(default_factory=list)
