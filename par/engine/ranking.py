"""Ranks and grades (CONTRACT §4): descending index, ties on the index rounded to 2 decimals.

"Rounded to 2 decimals" is half up on the decimal value (second revision): 58.775 → 58,78,
89.995 → 90,00. Ranks compare ``index_key`` (whole hundredths from ``half_up_units``), the
grade reads the same rounded figure, and ``fmt_number`` shows it, so two units shown with the
same index always share a rank.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.domain.models import INDEX_DECIMALS, CriteriaSet, half_up_units, round_half_up

RANK_DECIMALS = INDEX_DECIMALS

__all__ = ["RANK_DECIMALS", "competition_rank", "half_up_units", "index_key", "rank_units",
           "round_half_up"]


def index_key(index) -> np.ndarray:
    """The index rounded half up to 2 decimals, in whole hundredths (float; NaN stays NaN):
    what ranks compare."""
    return half_up_units(np.asarray(index, dtype=float), RANK_DECIMALS)


def competition_rank(index: pd.Series, ties: str = "min") -> pd.Series:
    """1,2,2,4 (min) or 1,2,2,3 (dense) on the rounded index; NaN stays unranked."""
    keys = pd.Series(index_key(index.to_numpy(dtype=float)), index=index.index)
    return keys.rank(method=ties, ascending=False).astype("Int64")


def rank_units(units: pd.DataFrame, criteria: CriteriaSet) -> pd.DataFrame:
    """Add index_2dp, rank/of within the level and group_rank/group_of within groups, band.

    Returns the frame sorted best first (unranked last, then by unit id).
    """
    out = units.copy()
    out["index_2dp"] = round_half_up(out["index"].to_numpy(dtype=float), RANK_DECIMALS)
    out["rank"] = competition_rank(out["index"], criteria.ties)
    out["of"] = int(out["index"].notna().sum())
    grouped = out["group"].notna()
    out["group_rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["group_of"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    if grouped.any():
        g = out[grouped]
        out.loc[grouped, "group_rank"] = g.groupby("group")["index"].transform(
            lambda s: competition_rank(s, criteria.ties)).astype("Int64")
        out.loc[grouped, "group_of"] = g.groupby("group")["index"].transform("count").astype("Int64")
    out["band"] = criteria.grades(out["index_2dp"].to_numpy(dtype=float))
    order = np.lexsort((out.index.to_numpy().astype(str), out["rank"].fillna(10**9).to_numpy()))
    return out.iloc[order]
