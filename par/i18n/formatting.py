"""Numbers and plain-text tables as people read them, in Vietnamese or English."""
from __future__ import annotations

import unicodedata

import pandas as pd


def fmt_number(x: float | None, lang: str = "vi", decimals: int = 2) -> str:
    """78.45 → '78,45' in Vietnamese; thousands use '.' there and ',' in English."""
    if x is None or pd.isna(x):
        return "–"
    text = f"{x:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_rank(rank, of) -> str:
    return "–" if rank is None or pd.isna(rank) else f"{int(rank)}/{int(of)}"


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def text_table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A fixed-width table; ``right`` holds the indexes of right-aligned (numeric) columns."""
    right = right or set()
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - _width(cell))
            out.append(pad + cell if i in right else cell + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(r) for r in rows])
