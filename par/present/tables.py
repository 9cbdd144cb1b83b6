"""Tables people sort: numbers stay numbers, shown in Vietnamese (87,77).

A ``Shown`` table keeps each numeric column numeric in its frame and carries, per column, how
a value is written (``fmt_number``, "14/21" …). ``styler()`` hands both to the dashboard as a
pandas Styler, so a click on a column header sorts by the number (9,50 before 10,25 before
100,00) while every cell reads as people write it; ``text()`` is the same table as strings
(what is shown), for tests and plain outputs. The selected unit's row is highlighted by
``styler(highlight=...)``. Finding a unit: ``search_key`` compares names without diacritics
("cua lo" finds "Phường Cửa Lò") and in either tone placement (par.domain.text.fold_tone).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from par.domain.text import fold_tone
from par.i18n import MESSAGES, t
from par.i18n.formatting import fmt_number

HIGHLIGHT = "background-color: #fff1b8; font-weight: 600"  # the selected unit's row


@dataclass(frozen=True)
class Format:
    column: str
    write: Callable[[object], str]  # value → text
    rows: pd.Index | None = None  # only these rows (None: every row)


@dataclass
class Shown:
    """A table for people: ``frame`` with numeric columns numeric, ``formats`` saying how
    each is written (a later format of a column wins for its rows)."""

    frame: pd.DataFrame
    formats: list[Format] = field(default_factory=list)

    def __getitem__(self, column):
        return self.frame[column]

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> pd.Index:
        return self.frame.columns

    def rows(self, keep) -> "Shown":
        """The table narrowed to the rows labelled ``keep`` (in the table's order)."""
        keep = self.frame.index.intersection(pd.Index(keep), sort=False)
        order = self.frame.index[self.frame.index.isin(keep)]
        return Shown(self.frame.loc[order], [
            Format(f.column, f.write, None if f.rows is None else f.rows.intersection(order))
            for f in self.formats])

    def _applied(self):
        """(column, write, row mask) per format, rows that exist only."""
        for f in self.formats:
            mask = (np.ones(len(self.frame), dtype=bool) if f.rows is None
                    else self.frame.index.isin(f.rows))
            if mask.any():
                yield f.column, f.write, mask

    def text(self) -> pd.DataFrame:
        """Every cell as it is shown (formatted numbers, "14/21", "chưa nộp")."""
        out = self.frame.astype(object).copy()
        for column, write, mask in self._applied():
            j = out.columns.get_loc(column)
            values = self.frame[column].to_numpy(dtype=object)[mask]
            out.iloc[np.flatnonzero(mask), j] = [write(v) for v in values]
        return out.where(out.notna(), "")

    def styler(self, highlight: Iterable = ()):
        """A pandas Styler for st.dataframe: the values stay numbers (the grid sorts by them),
        the cells read as ``text()``; the rows labelled ``highlight`` are marked."""
        sty = self.frame.style.format(na_rep="–")  # an empty cell reads "–", never "None"
        for column, write, mask in self._applied():
            rows = self.frame.index[mask]
            sty = sty.format(write, subset=pd.IndexSlice[rows, [column]])
        marked = self.frame.index.isin(list(highlight))
        if marked.any():
            css = np.where(marked[:, None], HIGHLIGHT, "")
            styles = pd.DataFrame(np.broadcast_to(css, self.frame.shape),
                                  index=self.frame.index, columns=self.frame.columns)
            sty = sty.apply(lambda _: styles, axis=None)
        return sty


def number(lang: str = "vi", decimals: int = 2) -> Callable[[object], str]:
    """value → '87,77' (Vietnamese) or '87.77' (English); '–' for none."""
    return lambda v: fmt_number(v, lang, decimals)


def numeric(values) -> np.ndarray:
    """A column as float64 (None and pd.NA become NaN), so the grid sorts it as numbers."""
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)


def group_label(code, lang: str = "vi") -> str:
    """A unit group code as people read it: 'phuong' → 'Phường', 'xa' → 'Xã'; an unknown
    code as it is, none as ''."""
    if code is None or (isinstance(code, float) and np.isnan(code)) or code is pd.NA:
        return ""
    key = f"word.group_{code}"
    return t(key, lang) if key in MESSAGES else str(code)


def search_key(text) -> str:
    """A name as a search compares it: one tone placement, no diacritics, đ as d, lower case,
    single spaces: 'Phường Cửa Lò' → 'phuong cua lo', 'Thái Hoà' → 'thai hoa'."""
    folded = unicodedata.normalize("NFD", fold_tone(str(text)))
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(bare.replace("đ", "d").replace("Đ", "D").lower().split())


def matches(names: pd.Series, query: str) -> np.ndarray:
    """Which ``names`` contain ``query``, with or without diacritics (an empty query: all)."""
    needle = search_key(query or "")
    if not needle:
        return np.ones(len(names), dtype=bool)
    keys = pd.Series([search_key(n) for n in names.tolist()], index=names.index, dtype=object)
    return keys.str.contains(needle, regex=False).to_numpy()


def filter_units(units: pd.DataFrame, group=None, query: str = "", around: str | None = None,
                 window: int = 5) -> pd.Index:
    """The unit ids a ranking shows: those of ``group`` (a group code; None: every group)
    whose name matches ``query``; with ``around`` (a unit id), only the ranks within
    ``window`` places of that unit (its own group's ranking when a group is chosen)."""
    keep = np.ones(len(units), dtype=bool)
    if group is not None:
        keep &= (units["group"] == group).fillna(False).to_numpy(dtype=bool)
    keep &= matches(units["name"], query)
    if around is not None and around in units.index:
        column = "group_rank" if group is not None else "rank"
        rank = pd.to_numeric(units[column], errors="coerce")
        own = rank.get(around)
        if own is not None and not pd.isna(own):
            keep &= ((rank - own).abs() <= window).fillna(False).to_numpy(dtype=bool)
        else:
            keep &= (units.index == around)
    return units.index[keep]
