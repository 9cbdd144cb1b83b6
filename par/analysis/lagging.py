"""What pulled a unit down and what lifts it: lagging criteria, strengths, weakest criteria.

Peers are the units a unit is ranked with (CONTRACT §4): the ranked units of
its level, or of its group when ``by_group``. Means and bests count only the
peers for whom the leaf applies. Penalty leaves are left out: more penalty
points are worse, so "below the mean" would praise the penalised unit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.engine.scoring import Scorecard

LAGGING_COLUMNS = ["criterion", "name", "score", "max", "points_lost", "mean", "best", "gap"]
_EPS = 1e-9


def peers_of(card: Scorecard, unit: str, by_group: bool = False) -> pd.Index:
    ranked = card.ranked
    if by_group:
        group = card.units.at[unit, "group"]
        ranked = ranked[ranked["group"] == group]
    return ranked.index


def _compare(card: Scorecard, unit: str, frame: pd.DataFrame, key: str, by_group: bool
             ) -> pd.DataFrame:
    """frame: long (unit, key, score, max, applicable) → the unit's rows with peer mean/best."""
    if unit not in card.units.index:
        raise KeyError(unit)
    peers = peers_of(card, unit, by_group)
    if unit not in peers:
        return pd.DataFrame(columns=LAGGING_COLUMNS)
    pool = frame[frame["unit"].isin(peers) & frame["applicable"]]
    stats = pool.groupby(key, sort=False)["score"].agg(mean="mean", best="max")
    own = frame[(frame["unit"] == unit) & frame["applicable"]].set_index(key)
    out = own[["score", "max"]].join(stats)
    out["points_lost"] = out["max"] - out["score"]
    out["gap"] = out["mean"] - out["score"]
    names = {c: n.name for c, n in card.criteria.nodes.items()}
    out["name"] = [names[c] for c in out.index]
    out = out.rename_axis("criterion").reset_index()
    return out[LAGGING_COLUMNS]


def _scored_leaves(card: Scorecard) -> pd.DataFrame:
    penalty = {d.code for d in card.criteria.domains if d.kind == "penalty"}
    if not penalty:
        return card.leaves
    domain_of = card.criteria.domain_of
    keep = [c for c in card.leaves["criterion"].unique() if domain_of[c] not in penalty]
    return card.leaves[card.leaves["criterion"].isin(keep)]


def _leaf_frame(card: Scorecard) -> pd.DataFrame:
    return _scored_leaves(card).rename(columns={"points": "score"})


def _domain_frame(card: Scorecard) -> pd.DataFrame:
    codes = card.domain_codes("regular")
    score = card.node_score[codes].stack().rename("score")
    amax = card.node_max[codes].stack().rename("max")
    frame = pd.concat([score, amax], axis=1).rename_axis(["unit", "criterion"]).reset_index()
    frame["applicable"] = frame["max"] > 0
    return frame


def get_lagging(card: Scorecard, unit: str, by_group: bool = False, domains: bool = False
                ) -> pd.DataFrame:
    """Leaves (or regular domains) where the unit scores below its peers' mean, worst gap first."""
    frame = _domain_frame(card) if domains else _leaf_frame(card)
    out = _compare(card, unit, frame, "criterion", by_group)
    out = out[out["gap"] > _EPS]
    return out.sort_values("gap", ascending=False, kind="stable").reset_index(drop=True)


def get_strengths(card: Scorecard, unit: str, by_group: bool = False, domains: bool = False
                  ) -> pd.DataFrame:
    """The mirror image: where the unit scores above its peers' mean, largest lead first."""
    frame = _domain_frame(card) if domains else _leaf_frame(card)
    out = _compare(card, unit, frame, "criterion", by_group)
    out = out[out["gap"] < -_EPS].assign(lead=lambda d: -d["gap"])
    return out.sort_values("lead", ascending=False, kind="stable").reset_index(drop=True)


def get_weakest(card: Scorecard, strongest: bool = False) -> pd.DataFrame:
    """Leaves by mean attainment (score/max, %) across ranked units, lowest first."""
    leaves = _scored_leaves(card)
    leaves = leaves[leaves["unit"].isin(card.ranked.index) & leaves["applicable"]]
    leaves = leaves.assign(attainment=100.0 * leaves["points"] / leaves["max"],
                           full=np.isclose(leaves["points"], leaves["max"]),
                           zero=leaves["points"] <= _EPS)
    out = leaves.groupby("criterion", sort=False).agg(
        mean_attainment=("attainment", "mean"), mean=("points", "mean"), max=("max", "first"),
        units=("unit", "size"), full=("full", "sum"), zero=("zero", "sum"))
    nodes = card.criteria.nodes
    domain_of = card.criteria.domain_of
    out.insert(0, "name", [nodes[c].name for c in out.index])
    out.insert(1, "domain", [domain_of[c] for c in out.index])
    out = out.sort_values("mean_attainment", ascending=not strongest, kind="stable")
    return out.rename_axis("criterion").reset_index()
