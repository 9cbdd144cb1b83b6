"""What a unit needs to reach a target rank, how far ahead it is, and what-if re-scoring.

Semantics (CONTRACT §4): ranks compare the index rounded half up to 2 decimals, ties by
the criteria set's rule (``min`` 1,2,2,4 or ``dense`` 1,2,2,3), within the level.
The other units stay as they are. A unit reaches rank ``r`` when its rounded index
is at least the *threshold*: the r-th best rounded index among the others (the
r-th best distinct one under ``dense``); sharing that value shares the rank.

Points: index = scale × total / M with total = clamp(R + bonus − penalty, 0, M),
M the unit's applicable regular max and R its regular points. Gains go only to
regular applicable leaves, each at most its remaining max − points; a parent
node's cap is a no-op since its children's maxima add up to its own (CONTRACT §1),
so every point gained on any regular leaf raises R by exactly one point. The
fewest points needed are therefore ``M × index_needed / scale − (R + bonus −
penalty)`` whatever leaves carry them; the plan only decides *where*: most points
lost first, then the largest gap below the peer mean, then tree order, the last
leaf taking only the remainder.

``what_if`` / ``apply_gains`` re-score one unit from edited leaf points with the
engine's own roll-up and totals (par.engine.scoring) and re-rank with par.engine.ranking.
Edited leaves keep their missing/stage flags: a hypothetical score is not data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError
from par.engine.ranking import RANK_DECIMALS, index_key, rank_units
from par.engine.scoring import (
    POINT_DECIMALS,
    Scorecard,
    micro_points,
    roll_up,
    unit_totals,
)

GAIN_COLUMNS = ["code", "name", "current", "gain", "new_points", "max", "points_lost",
                "peer_mean"]
MARGIN_COLUMNS = ["rank", "of", "index", "next_unit", "next_rank", "next_index",
                  "index_margin", "points_margin"]
_STEP = 10 ** RANK_DECIMALS  # rounded indices compare as integers: hundredths, half up
_MICRO = 10 ** POINT_DECIMALS  # points are whole micro-points (par.engine.scoring)
_EPS = 1e-12


@dataclass
class TargetPlan:
    """The fewest points a unit must gain to reach ``target_rank``, and where to gain them.

    points_needed  total points to gain (= gains["gain"].sum() when reachable; when not,
                   what would be needed, more than ``points_available``)
    index_needed   the smallest index that reaches the target (before rounding)
    threshold      the rounded index to reach (NaN when any index will do)
    best_rank      the rank with every regular leaf at its max
    gains          code, name, current, gain, new_points, max, points_lost, peer_mean in
                   plan order; empty when already there; every leaf to max when unreachable
    ranking        the units frame after applying the gains (par.engine.ranking order)
    """

    unit: str
    current_rank: int
    target_rank: int
    of: int
    reachable: bool
    points_needed: float
    index_needed: float
    threshold: float
    points_available: float
    best_rank: int
    new_index: float
    new_rank: int
    gains: pd.DataFrame = field(repr=False)
    ranking: pd.DataFrame = field(repr=False)

    @property
    def already(self) -> bool:
        return self.current_rank <= self.target_rank


# -- what-if -------------------------------------------------------------------------------

def _check_unit(card: Scorecard, unit: str) -> None:
    if unit not in card.units.index:
        raise ParError([Issue("decide.unknown_unit", {"unit": unit, "id": card.criteria.id})])


def what_if(card: Scorecard, unit: str, new_points: dict[str, float]) -> Scorecard:
    """The scorecard with the unit's leaves set to ``new_points`` (code → points).

    Points are clipped to [0, max]; NaN keeps the current points; a leaf that does not
    apply to the unit stays out of its totals. Nothing is stored: a new Scorecard is
    returned and ``card`` is left as it was.
    """
    _check_unit(card, unit)
    criteria = card.criteria
    codes = [leaf.code for leaf in criteria.leaves]
    unknown = sorted(set(new_points) - set(codes))
    if unknown:
        raise ParError([Issue("decide.unknown_criterion", {"code": c, "id": criteria.id})
                        for c in unknown])
    leaves = card.leaves
    rows = np.flatnonzero((leaves["unit"] == unit).to_numpy())
    own = leaves.iloc[rows]
    pos = pd.Series(np.arange(len(own)), index=own["criterion"].to_numpy())
    points = own["points"].to_numpy(dtype=float).copy()
    amax = own["max"].to_numpy(dtype=float)
    applicable = own["applicable"].to_numpy(dtype=bool)
    if new_points:
        at = pos.loc[list(new_points)].to_numpy()
        wanted = np.array([float(v) for v in new_points.values()], dtype=float)
        keep = np.isnan(wanted) | ~applicable[at]
        points[at] = np.where(keep, points[at], np.clip(wanted, 0.0, amax[at]))
        points = micro_points(points) / _MICRO  # kept to 6 decimals, as the engine keeps them
    new_leaves = leaves.copy()
    new_leaves.iloc[rows, new_leaves.columns.get_loc("points")] = points
    one_score, _ = roll_up(criteria, points[None, :], (amax * applicable)[None, :],
                            np.array([unit], dtype=object))
    node_score = card.node_score.copy()
    node_score.loc[unit] = one_score.loc[unit, node_score.columns].to_numpy()
    sums = unit_totals(criteria, card.units, node_score, card.node_max)
    units = card.units.copy()
    for col in ("score", "max", "index", "regular", "bonus", "penalty"):
        units[col] = sums[col].to_numpy()
    units = rank_units(units, criteria)
    return Scorecard(criteria, card.as_of, units, node_score.loc[units.index],
                     card.node_max.loc[units.index], new_leaves)


def apply_gains(card: Scorecard, unit: str, gains: dict[str, float]) -> Scorecard:
    """The scorecard with ``gains`` (code → points to add) added to the unit's leaves."""
    _check_unit(card, unit)
    own = card.leaves[card.leaves["unit"] == unit].set_index("criterion")["points"]
    unknown = sorted(set(gains) - set(own.index))
    if unknown:
        raise ParError([Issue("decide.unknown_criterion", {"code": c, "id": card.criteria.id})
                        for c in unknown])
    return what_if(card, unit, {c: float(own[c]) + float(g) for c, g in gains.items()})


# -- thresholds ----------------------------------------------------------------------------

def _keys(index) -> np.ndarray:
    """The index rounded half up to 2 decimals, as exact integers (hundredths): the engine's
    ``index_key``."""
    return index_key(index).astype(np.int64)


def _micro_needed(key: int, amax: float, scale: float, raw: float) -> int:
    """The fewest whole micro-points to add to ``raw`` (regular + bonus − penalty) so that the
    index rounds half up to ``key`` hundredths: scale × total / M ≥ (key − ½) / 100, i.e.
    total ≥ M × (2 key − 1) / (200 × scale), solved exactly in whole micro-points."""
    m = int(micro_points(amax))
    total = -((-m * (2 * key - 1) * Fraction(1, 200)) // Fraction(scale))  # ceiling
    return max(0, int(total) - int(micro_points(raw)))


def _threshold_key(others: np.ndarray, rank: int, ties: str) -> int | None:
    """The rounded index (in hundredths) a unit needs for ``rank`` given the others' keys."""
    values = np.sort(others)[::-1] if ties == "min" else np.unique(others)[::-1]
    return int(values[rank - 1]) if rank <= len(values) else None


def _rank_with(others: np.ndarray, key: int, ties: str) -> int:
    above = others[others > key]
    return 1 + (len(above) if ties == "min" else len(np.unique(above)))


def _unit_position(card: Scorecard, unit: str) -> tuple[int, int]:
    _check_unit(card, unit)
    u = card.units.loc[unit]
    if pd.isna(u["index"]):
        raise ParError([Issue("decide.unranked_unit", {"unit": unit})])
    return int(u["rank"]), int(u["of"])


def _peer_means(card: Scorecard) -> pd.Series:
    leaves = card.leaves
    pool = leaves[leaves["unit"].isin(card.ranked.index) & leaves["applicable"]]
    return pool.groupby("criterion", sort=False)["points"].mean()


def _regular_leaves(card: Scorecard, unit: str, lang: str) -> pd.DataFrame:
    """The unit's applicable regular leaves with points lost and the peer mean, tree order."""
    criteria = card.criteria
    kind = {d.code: d.kind for d in criteria.domains}
    leaves = card.leaves
    own = leaves[(leaves["unit"] == unit) & leaves["applicable"]]
    own = own[[kind[criteria.domain_of[c]] == "regular" for c in own["criterion"]]]
    nodes = criteria.nodes
    out = pd.DataFrame({
        "code": own["criterion"].to_numpy(),
        "name": [nodes[c].display_name(lang) for c in own["criterion"]],
        "current": own["points"].to_numpy(dtype=float),
        "max": own["max"].to_numpy(dtype=float)})
    out["points_lost"] = out["max"] - out["current"]
    out["peer_mean"] = _peer_means(card).reindex(out["code"]).to_numpy(dtype=float)
    return out


def _plan(candidates: pd.DataFrame, needed: float) -> pd.DataFrame:
    """Greedy: most points lost, then largest gap to the peer mean, then tree order."""
    lost = candidates["points_lost"].to_numpy()
    gap = np.nan_to_num(candidates["peer_mean"].to_numpy() - candidates["current"].to_numpy(),
                        nan=-np.inf)
    order = np.lexsort((np.arange(len(candidates)), -gap, -lost))
    c = candidates.iloc[order].reset_index(drop=True)
    c = c[c["points_lost"] > _EPS].reset_index(drop=True)
    before = c["points_lost"].cumsum() - c["points_lost"]
    c["gain"] = np.clip(needed - before, 0.0, c["points_lost"])
    c = c[c["gain"] > _EPS].reset_index(drop=True)
    c["new_points"] = c["current"] + c["gain"]
    return c[GAIN_COLUMNS]


def get_target_plan(card: Scorecard, unit: str, target_rank: int, lang: str = "vi"
                    ) -> TargetPlan:
    """The fewest points ``unit`` must gain, and on which leaves, to rank ``target_rank``."""
    current, of = _unit_position(card, unit)
    if not 1 <= int(target_rank) <= of:
        raise ParError([Issue("decide.bad_rank", {"rank": target_rank, "of": of})])
    target_rank = int(target_rank)
    ties = card.criteria.ties
    ranked = card.ranked
    others = _keys(ranked.loc[ranked.index != unit, "index"])
    u = card.units.loc[unit]
    amax, scale = float(u["max"]), float(card.criteria.scale)
    raw = float(u["regular"] + u["bonus"] - u["penalty"])
    candidates = _regular_leaves(card, unit, lang)
    available = float(candidates["points_lost"].clip(lower=0).sum())

    best_card = apply_gains(card, unit, dict(zip(candidates["code"], candidates["points_lost"])))
    best_rank = int(best_card.units.at[unit, "rank"])
    key = _threshold_key(others, target_rank, ties)
    threshold = np.nan if key is None else key / _STEP

    if current <= target_rank:
        return TargetPlan(unit, current, target_rank, of, True, 0.0, float(u["index"]),
                          threshold, available, best_rank, float(u["index"]), current,
                          pd.DataFrame(columns=GAIN_COLUMNS), card.units)
    index_needed = (key - 0.5) / _STEP  # the smallest index that rounds up to the threshold
    needed = _micro_needed(key, amax, scale, raw) / _MICRO
    if micro_points(needed) > micro_points(available):
        gains = _plan(candidates, available)
        return TargetPlan(unit, current, target_rank, of, False, needed, index_needed, threshold,
                          available, best_rank, float(best_card.units.at[unit, "index"]),
                          best_rank, gains, best_card.units)
    for _ in range(8):  # the engine's own sums decide; one more micro-point if they disagree
        gains = _plan(candidates, min(needed, available))
        after = apply_gains(card, unit, dict(zip(gains["code"], gains["gain"])))
        if int(after.units.at[unit, "rank"]) <= target_rank or needed >= available:
            break
        needed += 1 / _MICRO
    new_rank = int(after.units.at[unit, "rank"])
    return TargetPlan(unit, current, target_rank, of, new_rank <= target_rank,
                      float(gains["gain"].sum()), index_needed, threshold, available,
                      best_rank, float(after.units.at[unit, "index"]), new_rank, gains,
                      after.units)


# -- safety margin -------------------------------------------------------------------------

def get_margins(card: Scorecard) -> pd.DataFrame:
    """Per ranked unit (rank order): the next unit below (the best with a lower rounded index),
    the lead over it in index points (rounded indices) and in the unit's own points
    (index lead × its applicable regular max / scale). NaN for the last.
    """
    ranked = card.ranked
    keys = _keys(ranked["index"])
    distinct = np.unique(keys)  # ascending
    pos = np.searchsorted(distinct, keys)
    below = np.where(pos > 0, distinct[np.maximum(pos - 1, 0)], -1)
    first_of_key = pd.Series(ranked.index.to_numpy(), index=keys)
    first_of_key = first_of_key[~first_of_key.index.duplicated()]
    has_next = pos > 0
    next_unit = np.where(has_next, first_of_key.reindex(below).to_numpy(), None)
    next_rank = pd.Series(ranked["rank"].to_numpy(), index=ranked.index)
    index_margin = np.where(has_next, (keys - below) / _STEP, np.nan)
    return pd.DataFrame({
        "rank": ranked["rank"].to_numpy(), "of": ranked["of"].to_numpy(),
        "index": ranked["index"].to_numpy(dtype=float),
        "next_unit": pd.Series(next_unit, index=ranked.index, dtype=object),
        "next_rank": pd.array([next_rank[n] if n is not None else pd.NA for n in next_unit],
                              dtype="Int64"),
        "next_index": np.where(has_next, below / _STEP, np.nan),
        "index_margin": index_margin,
        "points_margin": index_margin * ranked["max"].to_numpy(dtype=float)
        / float(card.criteria.scale),
    }, index=ranked.index)[MARGIN_COLUMNS]


def get_safety_margin(card: Scorecard, unit: str) -> float | None:
    """Points (of the unit's own total) it is ahead of the next unit below; None if it is last
    or unranked. ``get_margins`` gives the index lead and the unit below as well.
    """
    _check_unit(card, unit)
    if pd.isna(card.units.at[unit, "index"]):
        return None
    value = get_margins(card).at[unit, "points_margin"]
    return None if pd.isna(value) else float(value)
