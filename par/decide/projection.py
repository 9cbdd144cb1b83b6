"""Year-end projection from the quarters filled so far.

Method (shown in the UI as message ``decide.projection_method``): the year-to-date
rows are turned into projected rows and scored by the engine (par.engine.scoring.score),
so every rule, aggregate, stage choice and clamp is the engine's own.

- ``ratio`` leaves (``sum`` or ``last``) continue at their year-to-date rate: scaling
  numerator and denominator alike to four quarters leaves the rate unchanged, so
  their rows are kept as they are;
- every other ``sum`` leaf (counts, deductions, and points or surveys summed over
  quarters) is a flow: its values are scaled by 4 / quarters elapsed (the as-of
  quarter's number; 1 at the whole year), so 2 violations by Q2 project to 4;
- ``last`` leaves (yes/no, choice, points, surveys by default) keep their latest
  value, and ``mean``/``max``/``min`` leaves keep their year-to-date figure;
- missing leaves stay missing and score 0: ``risk`` counts the regular ones (a missing
  bonus or penalty leaf is no risk to the index).

So on a case whose quarters are identical, rate, ``last`` and mean-type criteria
project to exactly the year-to-date result; summed counts do not (they are scaled).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet
from par.domain.periods import Period
from par.engine.scoring import score, window

QUARTERS = 4
PROJECTION_COLUMNS = ["name", "group", "index", "rank", "projected_index", "projected_rank",
                      "of", "projected_score", "max", "risk", "provisional"]


def quarters_elapsed(as_of: Period) -> int:
    """Quarters of the year covered as of ``as_of`` (the whole year counts four)."""
    return QUARTERS if as_of.is_annual else as_of.order


def scaled_leaves(criteria: CriteriaSet) -> list[str]:
    """Leaf codes whose year-to-date values are scaled to the year: non-ratio ``sum`` leaves."""
    return [l.code for l in criteria.leaves
            if l.rule.aggregate == "sum" and l.rule.type != "ratio"]


def project_rows(criteria: CriteriaSet, rows: pd.DataFrame, as_of: Period) -> pd.DataFrame:
    """The as-of window's rows with summed flows scaled to four quarters (a new frame)."""
    w = window(rows, as_of).copy()
    factor = QUARTERS / quarters_elapsed(as_of)
    if factor != 1.0:
        scaled = w["criterion"].isin(scaled_leaves(criteria)).to_numpy()
        w["value"] = np.where(scaled, w["value"].to_numpy(dtype=float) * factor,
                              w["value"].to_numpy(dtype=float))
    return w


def _regular_missing(card) -> pd.Series:
    regular = set(card.domain_codes("regular"))
    domain_of = card.criteria.domain_of
    leaves = card.leaves
    keep = leaves["criterion"].map(domain_of).isin(regular).to_numpy()
    return leaves[keep].groupby("unit", sort=False)["missing"].sum()


def get_projection(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
                   as_of: Period) -> pd.DataFrame:
    """Per unit (year-to-date rank order): the year-to-date index and rank, the projected
    year-end index, rank and score, and ``risk`` = regular leaves still missing
    (they score 0).
    """
    ytd = score(criteria, units, rows, as_of)
    projected = score(criteria, units, project_rows(criteria, rows, as_of), as_of).units
    projected = projected.reindex(ytd.units.index)
    u = ytd.units
    out = pd.DataFrame({
        "name": u["name"], "group": u["group"],
        "index": u["index"].astype(float), "rank": u["rank"].astype("Int64"),
        "projected_index": projected["index"].astype(float),
        "projected_rank": projected["rank"].astype("Int64"),
        "of": u["of"].astype("Int64"),
        "projected_score": projected["score"].astype(float), "max": u["max"].astype(float),
        "risk": _regular_missing(ytd).reindex(u.index, fill_value=0).astype(np.int64),
        "provisional": u["provisional"].astype(bool),
    }, index=u.index)
    out.attrs["as_of"] = str(as_of)
    out.attrs["quarters"] = quarters_elapsed(as_of)
    return out[PROJECTION_COLUMNS]
