"""Draw the pack's slide model (par.export.pack) as HTML, one 16:9 page per slide, and print it to
PDF with headless Chromium (the /usr/bin/chromium kaleido uses too).

Positions and sizes are the pptx's inches; charts are SVG (vector on paper) from the same
figures; fonts are Liberation Sans (fonts-liberation2 covers Vietnamese). Every text of the
slide model goes into the page through par.present.safe.html_text: names are text, never
markup (a unit named "<img src=…>" must not make Chromium fetch anything).
"""
from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path

from par.export.images import ExportError, find_browser
from par.export.pack_model import (
    ACCENT,
    BAND_FILL,
    DARK,
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
from par.export.reproducible import fixed_pdf
from par.present.safe import html_text

PRINT_TIMEOUT = 120  # seconds
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-extensions",
                  "--no-pdf-header-footer", "--hide-scrollbars"]

CSS = f"""
@page {{ size: {SLIDE_W}in {SLIDE_H}in; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "Liberation Sans", Arial, sans-serif; color: #{DARK};
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
section {{ position: relative; width: {SLIDE_W}in; height: {SLIDE_H}in; overflow: hidden;
          break-after: page; page-break-after: always; }}
section:last-child {{ break-after: auto; page-break-after: auto; }}
.box {{ position: absolute; margin: 0; line-height: 1.2; overflow-wrap: break-word; }}
.bottom {{ display: flex; align-items: flex-end; }}
.right {{ justify-content: flex-end; }}
.rect {{ position: absolute; }}
table {{ position: absolute; border-collapse: collapse; table-layout: fixed; }}
th, td {{ padding: 0.03in 0.08in; vertical-align: middle; line-height: 1.15; }}
th {{ background: #{HEADER_FILL}; color: #fff; font-weight: bold; }}
tr.band td {{ background: #{BAND_FILL}; }}
tr.hl td {{ background: #{HIGHLIGHT_FILL}; font-weight: bold; }}
img {{ position: absolute; }}
"""


def _box(x, y, w, h) -> str:
    return f"left:{x}in;top:{y}in;width:{w}in;height:{h}in"


def _text(item: Text, extra: str = "") -> str:
    style = (f"{_box(*item.box)};font-size:{item.size}pt;color:#{item.color};"
             f"font-weight:{'bold' if item.bold else 'normal'};text-align:{item.align}")
    return f'<p class="box{extra}" style="{style}">{html_text(item.text)}</p>'


def _table(item: Table) -> str:
    x, y = item.box
    cols = "".join(f'<col style="width:{w}in">' for _, w, _ in item.columns)
    head = "".join(f'<th style="text-align:{a}">{html_text(h)}</th>'
                   for h, _, a in item.columns)
    body = []
    for i, row in enumerate(item.rows):
        cls = "hl" if i in item.highlight else ("band" if i % 2 == 1 else "")
        cells = "".join(f'<td style="text-align:{a}">{html_text(v)}</td>'
                        for v, (_, _, a) in zip(row, item.columns))
        body.append(f'<tr class="{cls}" style="height:{item.row_height}in">{cells}</tr>')
    width = sum(w for _, w, _ in item.columns)
    return (f'<table style="left:{x}in;top:{y}in;width:{width}in;font-size:{item.size}pt">'
            f'<colgroup>{cols}</colgroup><tr style="height:{item.row_height + 0.1}in">{head}'
            f"</tr>{''.join(body)}</table>")


def _picture(item: Picture) -> str:
    svg = base64.b64encode(item.export("svg")).decode("ascii")
    return f'<img style="{_box(*item.box)}" src="data:image/svg+xml;base64,{svg}" alt="">'


def _rect(box, color: str) -> str:
    return f'<div class="rect" style="{_box(*box)};background:#{color}"></div>'


def _slide(s: Slide, n: int, total: int, footer: str) -> str:
    parts = []
    if s.cover:
        parts.append(_rect((0, 2.0, SLIDE_W, 2.4), ACCENT))
        parts.append(_text(Text(s.title, (0.8, 2.2, 11.7, 1.3), 32, True, "FFFFFF"), " bottom"))
    else:
        width = SLIDE_W - 2 * MARGIN
        parts.append(_text(Text(s.title, (MARGIN, 0.3, 6.0 if s.headline else width, 0.6), 26,
                                True), " bottom"))
        if s.headline:
            parts.append(_text(Text(s.headline, (6.5, 0.3, SLIDE_W - MARGIN - 6.5, 0.6), 26, True,
                                    ACCENT, "right"), " bottom right"))
        if s.subtitle:
            parts.append(_text(Text(s.subtitle, (MARGIN, 0.92, width, 0.4), 13, color=GREY)))
        parts.append(_rect((MARGIN, 1.36, width, 0.03), ACCENT))
        parts.append(_text(Text(footer, (MARGIN, 7.02, 10.5, 0.3), 10, color=GREY)))
        parts.append(_text(Text(f"{n}/{total}", (SLIDE_W - MARGIN - 1.0, 7.02, 1.0, 0.3), 10,
                                color=GREY, align="right")))
    for item in s.items:
        if isinstance(item, Text):
            parts.append(_text(item))
        elif isinstance(item, Table):
            parts.append(_table(item))
        else:
            parts.append(_picture(item))
    return "<section>" + "".join(parts) + "</section>"


def render_html(slides: list[Slide], footer: str, lang: str) -> str:
    body = "".join(_slide(s, n, len(slides), footer) for n, s in enumerate(slides, start=1))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html_text(slides[0].title)}</title><style>{CSS}</style></head>"
            f"<body>{body}</body></html>")


def print_pdf(page: str, when: dt.date | None = None) -> bytes:
    """Print an HTML page to PDF with headless Chromium; its dates set to ``when``."""
    browser = find_browser()
    if browser is None:
        raise ExportError("Chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="par-pdf-") as tmp:
        src, out = Path(tmp) / "pack.html", Path(tmp) / "pack.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
               f"--print-to-pdf={out}", src.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=PRINT_TIMEOUT,
                                  env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise ExportError(f"Chromium did not print within {PRINT_TIMEOUT} s") from None
        if not out.exists() or out.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise ExportError(f"Chromium printed no PDF (exit {done.returncode}) {detail}")
        return fixed_pdf(out.read_bytes(), when)


def render_pdf(slides: list[Slide], footer: str, lang: str, when: dt.date) -> bytes:
    return print_pdf(render_html(slides, footer, lang), when)
