"""A table as the dashboard shows it (its rows, its columns, its order) as CSV or Excel bytes.

Numbers stay numbers; text a spreadsheet would run as a formula is written as text
(``results.safe_text`` in the CSV, string cells in the workbook)."""
from __future__ import annotations

import io

import pandas as pd

from par.export.results import append_rows, safe_text


def frame_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM (Excel reads it as UTF-8), a header row, no index."""
    return frame.map(safe_text).to_csv(index=False).encode("utf-8-sig")


def frame_xlsx(frame: pd.DataFrame, sheet: str = "bang") -> bytes:
    """One sheet: the header in bold and frozen, numbers with 2 decimals where they have
    decimals, every text cell a string (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    decimals = {i for i, c in enumerate(frame.columns, start=1)
                if pd.api.types.is_float_dtype(frame[c])}
    append_rows(ws, frame)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column in decimals and isinstance(cell.value, float):
                cell.number_format = "0.00"
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
