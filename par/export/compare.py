"""The compare page's files: its two tables as CSV or one Excel workbook, its chart as PNG.

Headers are in the reader's language (par.present.compare.compare_table); numbers stay
numbers (rounded half up to 4 decimals, shown with 2 in Excel); supplied text (unit and
criterion names) is written as text, never as a formula.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from par.analysis.compare import compare_criteria, compare_domains
from par.engine.scoring import Scorecard
from par.export.results import safe_text
from par.i18n import t
from par.i18n.formatting import round_half_up
from par.present.compare import compare_table, fig_compare, period_label

TABLES = ("domains", "criteria")


def compare_frames(card: Scorecard, units, lang: str = "vi", domain: str | None = None
                   ) -> dict[str, pd.DataFrame]:
    """{"domains": …, "criteria": …}: the tables as the files hold them (people's headers,
    numbers rounded half up to 4 decimals). ``domain`` limits the criteria table."""
    frames = {"domains": compare_domains(card, units, lang),
              "criteria": compare_criteria(card, units, lang, domain=domain)}
    out = {}
    for name, frame in frames.items():
        table = compare_table(frame, lang, formatted=False)
        numeric = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
        table[numeric] = round_half_up(table[numeric].to_numpy(dtype=float), 4)
        out[name] = table
    return out


def context_text(card: Scorecard, lang: str = "vi") -> str:
    """'So sánh đơn vị · Bộ chỉ số … · Cả năm 2019'."""
    return t("compare.context", lang, title=card.criteria.display_title(lang),
             period=period_label(card, lang))


def export_compare_csv(card: Scorecard, units, table: str = "domains", lang: str = "vi",
                       domain: str | None = None) -> bytes:
    """One of the two tables as UTF-8 CSV with a BOM (Excel reads it), names formula-safe."""
    if table not in TABLES:
        raise ValueError(f"table '{table}' is not one of {list(TABLES)}")
    frame = compare_frames(card, units, lang, domain)[table]
    frame = frame.map(safe_text)
    frame.columns = [safe_text(c) for c in frame.columns]  # unit names head columns
    return frame.to_csv(index=False).encode("utf-8-sig")


def export_compare_xlsx(card: Scorecard, units, lang: str = "vi", domain: str | None = None
                        ) -> bytes:
    """Both tables in one workbook, a sheet each: a context line (set, period), then the
    table (bold header, frozen below it, numbers with 2 decimals, text never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def clean(value):
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        return value.item() if hasattr(value, "item") else value

    frames = compare_frames(card, units, lang, domain)
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(t(f"compare.sheet_{name}", lang))
        ws.append([clean(context_text(card, lang))])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([clean(str(c)) for c in frame.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in frame.itertuples(index=False):
            ws.append([clean(v) for v in row])
        numeric = {i for i, c in enumerate(frame.columns, start=1)
                   if pd.api.types.is_float_dtype(frame[c])}
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif cell.column in numeric and cell.row > 2:
                    cell.number_format = "#,##0.00"
        for i, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(i)
            if i == len(frame.columns):  # the names
                ws.column_dimensions[letter].width = 70
            else:
                ws.column_dimensions[letter].width = min(24, max(9, len(str(column)) * 0.9))
        ws.freeze_panes = "B3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_compare_png(card: Scorecard, units, lang: str = "vi", measure: str = "points",
                       scale: float = 2) -> bytes:
    """The compare chart as PNG (par.export.images.export_figure, 1100 px wide)."""
    from par.export.images import export_figure

    fig = fig_compare(card, units, lang, measure)
    return export_figure(fig, "png", scale=scale, width=1100)
