"""Ranks and grades (CONTRACT §4): descending index, ties on the index rounded to 2 decimals."""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet

RANK_DECIMALS = 2


def competition_rank(index: pd.Series, ties: str = "min") -> pd.Series:
    """1,2,2,4 (min) or 1,2,2,3 (dense) on the rounded index; NaN stays unranked."""
    return index.round(RANK_DECIMALS).rank(method=ties, ascending=False).astype("Int64")


def rank_units(units: pd.DataFrame, criteria: CriteriaSet) -> pd.DataFrame:
    """Add index_2dp, rank/of within the level and group_rank/group_of within groups, band.

    Returns the frame sorted best first (unranked last, then by unit id).
    """
    out = units.copy()
    out["index_2dp"] = out["index"].round(RANK_DECIMALS)
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
    out["band"] = [criteria.grade(None if pd.isna(v) else float(v)) for v in out["index_2dp"]]
    order = np.lexsort((out.index.to_numpy().astype(str), out["rank"].fillna(10**9).to_numpy()))
    return out.iloc[order]
