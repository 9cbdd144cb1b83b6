"""Numbers and plain-text tables as people read them, in Vietnamese or English."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from par.i18n.messages import t

# A figure is read as the decimal it stands for: to 9 decimals and at most 12 significant
# digits. Anything finer is binary float noise (58.775 is stored as 58.77499999999999857…,
# 100 × 23.51 / 40 as 58.775000000000006), so it never decides a rounding.
SNAP_DECIMALS = 9
SNAP_DIGITS = 12
_POW10 = np.array([10.0 ** k for k in range(0, 31)])  # exact powers of ten up to 1e22


def half_up_units(values, decimals: int = 2):
    """The figures rounded half up on their decimal value (away from zero, as
    ``Decimal.quantize(..., ROUND_HALF_UP)`` does), as whole counts of ``10**-decimals``:
    58.775 → 5878, 89.995 → 9000, 12.345 → 1235 for ``decimals=2``.

    Each figure is first read as the decimal it stands for (``SNAP_DECIMALS`` decimals, at
    most ``SNAP_DIGITS`` significant digits), so float noise never decides. Vectorised:
    a float64 array of whole numbers (NaN stays NaN; exact below 2**53); a scalar gives a float.
    This is the one rounding every rank, grade, table, chart and export uses (CONTRACT §4).
    """
    if not 0 <= int(decimals) <= 15:
        raise ValueError(f"decimals must be 0 … 15, got {decimals}")
    decimals = int(decimals)
    x = np.asarray(values, dtype=float)
    scalar = x.ndim == 0
    x = np.atleast_1d(x)
    out = np.full(x.shape, np.nan)
    finite = np.isfinite(x)
    a = np.abs(x[finite])
    digits = np.zeros(a.shape)
    np.floor(np.log10(a, out=digits, where=a > 0), out=digits, where=a > 0)
    keep = np.minimum(SNAP_DECIMALS, SNAP_DIGITS - 1 - digits).astype(np.int64)  # may be < 0
    fine = keep >= decimals  # the snapped figure has digits below the rounding position
    units = np.empty(a.shape)
    if fine.any():
        k = keep[fine]
        snapped = np.rint(a[fine] * _POW10[k]).astype(np.int64)  # < 10**12: exact
        step = (_POW10[k - decimals]).astype(np.int64)
        units[fine] = (snapped + step // 2) // step
    if (~fine).any():  # huge figures: no digit at the rounding position to round
        k = keep[~fine]
        down, up = _POW10[np.clip(k, 0, 30)], _POW10[np.clip(-k, 0, 30)]
        snapped = np.rint(a[~fine] * down / up) * up / down
        units[~fine] = np.rint(snapped * _POW10[decimals])
    out[finite] = np.copysign(units, x[finite]) + 0.0  # + 0.0: no negative zero
    return float(out[0]) if scalar else out.reshape(np.shape(values))


def round_half_up(values, decimals: int = 2):
    """The figures rounded half up to ``decimals`` (see ``half_up_units``), as the floats
    nearest to the rounded decimals: 58.775 → 58.78. Arrays in, arrays out; a scalar gives
    a float."""
    units = half_up_units(values, decimals)
    return units / 10.0 ** int(decimals) if isinstance(units, float) else units / _POW10[int(decimals)]


def fmt_number(x: float | None, lang: str = "vi", decimals: int = 2) -> str:
    """78.45 → '78,45' in Vietnamese; thousands use '.' there and ',' in English.

    Rounded half up on the decimal value (``half_up_units``): 58.775 → '58,78'.
    """
    if x is None or pd.isna(x):
        return "–"
    if not np.isfinite(float(x)):
        return f"{float(x):,.{decimals}f}"  # inf, -inf: as before
    units = int(half_up_units(float(x), decimals))
    whole, part = divmod(abs(units), 10 ** decimals)
    text = ("-" if units < 0 else "") + f"{whole:,}" + (f".{part:0{decimals}d}" if decimals else "")
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")  # no daylight saving since 1975


def fmt_time(value, lang: str = "vi") -> str:
    """A stored moment (UTC; SQLite hands it back without a zone) in Vietnam time:
    '02/12/2026 14:05' in Vietnamese, '2026-12-02 14:05' in English; '–' for none."""
    if value is None or pd.isna(value):
        return "–"
    moment = pd.Timestamp(value).to_pydatetime()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    local = moment.astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def fmt_period(period, lang: str = "vi", year_to_date: bool = False) -> str:
    """A period as people write it: 'Quý III/2025' and 'Cả năm 2025' in Vietnamese,
    'Q3 2025' and 'Whole year 2025' in English. ``period`` is a Period or its text
    ('2025-Q3', '2025'); ``year_to_date`` says a quarter counts from January ('Lũy kế đến
    Quý III/2025'). Anything else is shown as given."""
    if period is None:
        return "–"
    found = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", str(period).strip())
    if not found:
        return str(period)
    year, quarter = found.group(1), found.group(2)
    if quarter is None:
        return t("period.year", lang, year=year)
    key = "period.year_to_date" if year_to_date else "period.quarter"
    # Vietnamese writes the quarter in Roman numerals (Quý III), English in digits (Q3)
    return t(key, lang, year=year, quarter=ROMAN[int(quarter)] if lang == "vi" else quarter)


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
