"""What pulled a unit down and what lifts it: lagging criteria, strengths, weakest criteria.

Peers are the units a unit is ranked with (CONTRACT §4): the ranked units of
its level, or of its group when ``by_group``. Means and bests count only the
peers for whom the leaf applies.

A leaf of a penalty node counts the other way (CONTRACT §4, second revision): more
penalty points are worse, so its gap is (score − mean), its points lost are the penalty
itself and its best is the smallest penalty among the peers. It lags when its gap is
positive and is a strength when it is negative (a penalty below the peers' mean), and it
sorts among the other leaves by that gap. The weakest criteria (attainment = points
earned / max) leave penalty leaves out: a penalty earns nothing to attain.
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
    stats = pool.groupby(key, sort=False)["score"].agg(mean="mean", highest="max",
                                                        lowest="min")
    own = frame[(frame["unit"] == unit) & frame["applicable"]].set_index(key)
    out = own[["score", "max"]].join(stats)
    penalty = out.index.isin(_penalty_leaves(card))
    out["best"] = np.where(penalty, out["lowest"], out["highest"])
    out["points_lost"] = np.where(penalty, out["score"], out["max"] - out["score"])
    out["gap"] = np.where(penalty, out["score"] - out["mean"], out["mean"] - out["score"])
    names = {c: n.name for c, n in card.criteria.nodes.items()}
    out["name"] = [names[c] for c in out.index]
    out = out.rename_axis("criterion").reset_index()
    return out[LAGGING_COLUMNS]


def _penalty_leaves(card: Scorecard) -> list[str]:
    """Codes of the leaves under a penalty top-level node."""
    penalty = {d.code for d in card.criteria.domains if d.kind == "penalty"}
    domain_of = card.criteria.domain_of
    return [leaf.code for leaf in card.criteria.leaves if domain_of[leaf.code] in penalty]


def _attainable_leaves(card: Scorecard) -> pd.DataFrame:
    """The leaves whose points are earned (regular and bonus): penalty leaves left out."""
    penalty = _penalty_leaves(card)
    if not penalty:
        return card.leaves
    return card.leaves[~card.leaves["criterion"].isin(penalty)]


def _leaf_frame(card: Scorecard) -> pd.DataFrame:
    return card.leaves.rename(columns={"points": "score"})


def _domain_frame(card: Scorecard) -> pd.DataFrame:
    codes = card.domain_codes("regular")
    score = card.node_score[codes].stack().rename("score")
    amax = card.node_max[codes].stack().rename("max")
    frame = pd.concat([score, amax], axis=1).rename_axis(["unit", "criterion"]).reset_index()
    frame["applicable"] = frame["max"] > 0
    return frame


def get_lagging(card: Scorecard, unit: str, by_group: bool = False, domains: bool = False
                ) -> pd.DataFrame:
    """Leaves (or regular domains) where the unit scores below its peers' mean (a penalty
    leaf: pays more than their mean), worst gap first."""
    frame = _domain_frame(card) if domains else _leaf_frame(card)
    out = _compare(card, unit, frame, "criterion", by_group)
    out = out[out["gap"] > _EPS]
    return out.sort_values("gap", ascending=False, kind="stable").reset_index(drop=True)


def get_strengths(card: Scorecard, unit: str, by_group: bool = False, domains: bool = False
                  ) -> pd.DataFrame:
    """The mirror image: where the unit scores above its peers' mean (a penalty leaf: pays
    less than their mean), largest lead first."""
    frame = _domain_frame(card) if domains else _leaf_frame(card)
    out = _compare(card, unit, frame, "criterion", by_group)
    out = out[out["gap"] < -_EPS].assign(lead=lambda d: -d["gap"])
    return out.sort_values("lead", ascending=False, kind="stable").reset_index(drop=True)


def get_weakest(card: Scorecard, strongest: bool = False) -> pd.DataFrame:
    """Leaves by mean attainment (score/max, %) across ranked units, lowest first; penalty
    leaves are left out (nothing to attain)."""
    leaves = _attainable_leaves(card)
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
