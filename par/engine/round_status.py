"""Where a scoring round stands, per unit and per unit × domain (WORKFLOW §4 ``round status``).

Pure: works on the round's rows, flags, evidence list and submissions the caller read
(par.store.round_work.round_state). Counts are of leaves:
- ``self``: leaves with a self row in the round's period; ``appraised``: with an appraisal row;
- ``flagged``: leaves with an explanation request; ``explained``: those answered;
- ``missing_evidence``: self-scored leaves without an evidence text or file, among the leaves
  that need evidence (every leaf when the set requires none: then it only informs).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet

STATUS_COLUMNS = ["unit", "name", "group", "submitted", "self", "appraised", "flagged",
                  "explained", "missing_evidence", "leaves"]


def leaf_states(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame, period: str,
                flags: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """One row per (unit, leaf) of the level: self, appraised, flagged, explained,
    has_evidence, needs_evidence (booleans) and domain."""
    scored = units[units["level"] == criteria.level]
    leaves = [leaf.code for leaf in criteria.leaves]
    grid = pd.MultiIndex.from_product([scored["id"].astype(str), leaves],
                                      names=["unit", "criterion"])
    here = rows[rows["period"].astype(str) == str(period)]
    keys = pd.MultiIndex.from_arrays([here["unit"].astype(str), here["criterion"].astype(str)])
    stage = here["stage"].astype(str).to_numpy()
    text = here["evidence"].astype(str).str.strip().ne("").to_numpy()
    out = pd.DataFrame(index=grid)
    out["self"] = grid.isin(keys[stage == "self"])
    out["appraised"] = grid.isin(keys[stage == "appraisal"])
    out["flagged"] = grid.isin(_keys(flags))
    answered = flags[flags["explained_at"].notna()] if len(flags) else flags
    out["explained"] = grid.isin(_keys(answered))
    files = evidence[evidence["purpose"] == "self"] if len(evidence) else evidence
    out["has_evidence"] = grid.isin(keys[(stage == "self") & text]) | grid.isin(_keys(files))
    needs = criteria.needs_evidence or frozenset(leaves)
    out["needs_evidence"] = np.tile(np.isin(leaves, list(needs)), len(scored))
    out["domain"] = np.tile([criteria.domain_of[c] for c in leaves], len(scored))
    return out.reset_index()


def _keys(frame: pd.DataFrame) -> pd.MultiIndex:
    if frame is None or not len(frame):
        return pd.MultiIndex.from_arrays([[], []])
    return pd.MultiIndex.from_arrays([frame["unit"].astype(str), frame["criterion"].astype(str)])


def unit_status(criteria: CriteriaSet, units: pd.DataFrame, states: pd.DataFrame,
                submitted) -> pd.DataFrame:
    """STATUS_COLUMNS per unit of the level, in the units' order."""
    scored = units[units["level"] == criteria.level]
    states = states.assign(missing_evidence=states["self"] & states["needs_evidence"]
                           & ~states["has_evidence"])
    counts = states.groupby("unit", sort=False)[
        ["self", "appraised", "flagged", "explained", "missing_evidence"]].sum()
    counts = counts.reindex(scored["id"].astype(str), fill_value=0).astype(int)
    out = counts.reset_index().rename(columns={"index": "unit", "id": "unit"})
    out.insert(1, "name", scored["name"].to_numpy())
    out.insert(2, "group", scored["group"].to_numpy())
    out.insert(3, "submitted", out["unit"].isin(set(map(str, submitted))).to_numpy())
    out["leaves"] = len(criteria.leaves)
    return out[STATUS_COLUMNS]


def domain_grid(criteria: CriteriaSet, states: pd.DataFrame, what: str = "appraised"
                ) -> pd.DataFrame:
    """Units × domains: how many of the domain's leaves are ``what`` (self, appraised,
    flagged, explained) — the status board's grid."""
    grid = states.pivot_table(index="unit", columns="domain", values=what, aggfunc="sum",
                              sort=False)
    order = [d.code for d in criteria.domains if d.code in grid.columns]
    return grid[order].astype(int)


def domain_sizes(criteria: CriteriaSet) -> dict[str, int]:
    """Leaves per domain code."""
    out: dict[str, int] = {}
    for leaf in criteria.leaves:
        domain = criteria.domain_of[leaf.code]
        out[domain] = out.get(domain, 0) + 1
    return out
