"""Turn the words and numbers people type into values (CONTRACT §3).

Each parser works on the *distinct* texts of a column and maps the result back,
so a million rows cost as much as the few thousand different values in them.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from par.domain.text import fold_tone

NA_WORDS = {"n/a", "na", "kad", "không áp dụng"}
YES_WORDS = {"có", "yes", "x", "1", "true", "đạt", "co"}
NO_WORDS = {"không", "no", "0", "false", "không đạt", "khong"}
STAGES = {"": "self", "self": "self", "tự chấm": "self", "tự đánh giá": "self",
          "appraisal": "appraisal", "thẩm định": "appraisal"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
DATE_MARK = "\x00date:"


def fold(text: str) -> str:
    """A word as compared: NFC, trimmed, lower case, tone marks placed one way (hoà = hòa)."""
    return fold_tone(text).strip().lower()


MAX_NUMBER = 1e15  # beyond this no PAR input is meant (and sums would lose their units)


def parse_number(text: str) -> float | None:
    """'0,5' → 0.5, '98%' → 98.0, '1.5' → 1.5; None when not a plain number.

    None too for what cannot be a value: '1e999' and 400-digit numbers (inf once read),
    and magnitudes above MAX_NUMBER, so no inf or absurd figure reaches a score.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if "," in s:
        if "." in s or s.count(",") > 1:
            return None  # "1.234,5" is ambiguous: ask for a plain number
        s = s.replace(",", ".")
    if not _NUMBER.match(s):
        return None
    number = float(s)
    return number if abs(number) <= MAX_NUMBER else None  # also refuses inf (nan never matches)


def is_absurd_number(text: str) -> bool:
    """Written like a number, but infinite or beyond MAX_NUMBER ('1e999', 400 digits)."""
    s = text.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%").replace(",", ".")
    if not _NUMBER.match(s):
        return False
    return not abs(float(s)) <= MAX_NUMBER


def codes_and_uniques(series: pd.Series) -> tuple[np.ndarray, list]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), list(series.cat.categories)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return np.asarray(codes), list(uniques)


_MISSING = {object: None, float: np.nan, bool: False, int: 0, np.int8: 0}


def map_unique(series: pd.Series, func, dtype=object, missing=None) -> np.ndarray:
    """Apply ``func`` to each distinct value once; return an array aligned to ``series``.

    A missing category (code -1) maps to ``missing`` (default: the dtype's empty value),
    kept in a last slot.
    """
    codes, uniques = codes_and_uniques(series)
    mapped = np.empty(len(uniques) + 1, dtype=dtype)
    for i, u in enumerate(uniques):
        mapped[i] = func(u)
    mapped[-1] = _MISSING[dtype] if missing is None else missing
    return mapped[codes]


def equals(series: pd.Series, text: str) -> np.ndarray:
    """``series == text`` as a boolean array, decided once per distinct value."""
    return map_unique(series, lambda u: u == text, bool)


def recode(series: pd.Series, func) -> pd.Categorical:
    """``func`` over the distinct values, as a Categorical (None → missing)."""
    codes, uniques = codes_and_uniques(series)
    mapped = [func(u) for u in uniques] + [None]  # code -1 (missing) stays missing
    codes2, uniques2 = pd.factorize(pd.Series(mapped, dtype=object), use_na_sentinel=True)
    return pd.Categorical.from_codes(np.asarray(codes2)[codes],
                                     categories=pd.Index(uniques2, dtype=object))


def number_or_nan(text: str) -> float:
    """``parse_number`` with NaN for blanks and for text that is not a number."""
    number = parse_number(text) if text else None
    return np.nan if number is None else number


def numbers(series: pd.Series) -> np.ndarray:
    """Floats, NaN for blanks and for text that is not a number."""
    return map_unique(series, number_or_nan, float)


def is_na_word(series: pd.Series) -> np.ndarray:
    return map_unique(series, lambda u: fold(u) in NA_WORDS, bool)


def is_date(series: pd.Series) -> np.ndarray:
    return map_unique(series, lambda u: u.startswith(DATE_MARK), bool)


def yes_no(text: str) -> float | None:
    word = fold(text)
    if word in YES_WORDS:
        return 1.0
    if word in NO_WORDS:
        return 0.0
    number = parse_number(word)
    return number if number in (0.0, 1.0) else None


def stage(text: str) -> str | None:
    return STAGES.get(fold(text))


def show(text: str) -> str:
    """A cell as it should appear in a message."""
    return text[len(DATE_MARK):] if text.startswith(DATE_MARK) else text
