"""Downloads built from a Scorecard: CSV and Excel of the results (bytes, no UI)."""
from __future__ import annotations

import io

import pandas as pd

from par.engine.scoring import Scorecard
from par.i18n.formatting import round_half_up

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def results_frame(card: Scorecard, lang: str = "vi") -> pd.DataFrame:
    """One row per unit: ids, names, rank/of, group rank, index, score, max, grade, domains.

    The index is the published figure (half up to 2 decimals, CONTRACT §4), the one that ranks;
    scores are rounded half up to 4 decimals."""
    u = card.units
    frame = pd.DataFrame({
        "unit": u.index, "name": u["name"].to_numpy(), "group": u["group"].to_numpy(),
        "rank": u["rank"].to_numpy(), "of": u["of"].to_numpy(),
        "group_rank": u["group_rank"].to_numpy(), "group_of": u["group_of"].to_numpy(),
        "index": round_half_up(u["index"].to_numpy(dtype=float), 2),
        "score": round_half_up(u["score"].to_numpy(dtype=float), 4),
        "max": u["max"].to_numpy(), "band": u["band"].to_numpy(),
        "provisional": u["provisional"].to_numpy(), "missing": u["missing"].to_numpy(),
    })
    codes = card.domain_codes()
    domains = pd.DataFrame(round_half_up(card.node_score[codes].to_numpy(dtype=float), 4),
                           index=card.node_score.index, columns=codes)
    domains.columns = [f"domain_{c}" for c in domains.columns]
    return pd.concat([frame.reset_index(drop=True), domains.reset_index(drop=True)], axis=1)


def safe_text(value):
    """Text a spreadsheet would run as a formula is written as text (formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def append_rows(ws, frame: pd.DataFrame) -> None:
    """The frame's rows under the sheet's header: NaN empty, numpy numbers plain, control
    characters U+FFFD (not an error), and every text cell a string, never a formula,
    whatever the text starts with."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    first = ws.max_row + 1
    for row in frame.itertuples(index=False):
        ws.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else
                   None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
                   for v in row])
    for row in ws.iter_rows(min_row=first):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def export_results_csv(card: Scorecard, lang: str = "vi") -> bytes:
    frame = results_frame(card, lang).map(safe_text)
    return frame.to_csv(index=False).encode("utf-8-sig")  # the BOM lets Excel read UTF-8


def export_results_xlsx(card: Scorecard, lang: str = "vi") -> bytes:
    from openpyxl import Workbook

    frame = results_frame(card, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = "ket-qua"
    ws.append(list(frame.columns))
    append_rows(ws, frame)
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
