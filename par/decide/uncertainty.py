"""How robust is "14/21"? Rank intervals under perturbed weights, shrunk self-scores and
resampled survey respondents.

Each of ``runs`` runs (seeded, reproducible) re-computes every ranked unit's index
from the scorecard's domain scores, vectorised over runs × units:

(a) *weights*: each regular domain's weight is multiplied by U(1 − spread, 1 + spread),
    then all are re-normalised so the criteria set's weighted regular max stays the
    same; a unit's index = scale × clamp(Σ w·domain score + bonus − penalty, 0,
    Σ w·domain applicable max) / Σ w·domain applicable max (CONTRACT §4 with weights).
(b) *shrink*: the regular leaves a provisional unit scored from ``self`` rows are
    multiplied by a factor F (capped at each leaf's max), drawn per run and per unit
    from Normal(mean, sd) of the level's appraisal adjustment, truncated at 0. The
    adjustment is estimated by ``get_appraisal_adjustment``: for every unit with leaves
    that have both self and appraisal rows in the criteria set's year (the whole year by
    default, whatever the card's as-of: the adjustment is a trait of the level's
    appraisal, and mid-year there is none yet for the current window), the ratio Σ appraisal points /
    Σ self points over those regular leaves (each stage scored alone by the engine); mean
    and sd are taken across those units. With no such unit there is nothing to learn
    from and nothing is shrunk. Bonus and penalty points are kept as scored.

(c) *surveys* (when given the survey answers' bootstrap, par.decide.survey_bootstrap):
    each run adds one replicate's change of the index, so the survey leaves' sampling
    error (resampled respondents) widens the interval where it matters.

Ranks per run follow CONTRACT §4 (index rounded to 2 decimals, the set's ties rule).
The run's index is ``nominal + (perturbed − unperturbed)``, both computed by the same
code, so with no perturbation every run reproduces the scorecard's ranks exactly.
Percentiles use the inverted CDF, so p05 ≤ median ≤ p95 are ranks that occurred.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError
from par.domain.periods import ANNUAL, Period
from par.engine.ranking import index_key
from par.engine.scoring import Scorecard, score
from par.i18n import t

INTERVAL_COLUMNS = ["name", "rank", "of", "median_rank", "p05", "p95", "label"]
_CHUNK_CELLS = 2_000_000  # runs × units × leaves per block in the shrink step


@dataclass(frozen=True)
class AppraisalAdjustment:
    """The level's typical appraisal/self ratio: mean and sd across ``units`` units,
    from ``cells`` (unit, leaf) pairs with both stages."""

    mean: float
    sd: float
    units: int
    cells: int


def _units_frame(card: Scorecard) -> pd.DataFrame:
    u = card.units
    return pd.DataFrame({"id": u.index.to_numpy(), "name": u["name"].to_numpy(),
                         "level": card.criteria.level, "group": u["group"].to_numpy()},
                        index=u.index)


def _regular_codes(card: Scorecard) -> list[str]:
    regular = set(card.domain_codes("regular"))
    return [l.code for l in card.criteria.leaves if card.criteria.domain_of[l.code] in regular]


def get_appraisal_adjustment(card: Scorecard, rows: pd.DataFrame, as_of: Period | None = None
                             ) -> AppraisalAdjustment | None:
    """Appraisal ÷ self points per unit over the regular leaves with both stages as of
    ``as_of`` (default: the card's whole year), each stage scored alone by the engine;
    mean and sd across units. None when no unit has such leaves."""
    units = _units_frame(card)
    as_of = as_of or Period(card.criteria.year, ANNUAL)
    stage = rows["stage"].to_numpy()
    frames = {}
    for s in ("self", "appraisal"):
        lv = score(card.criteria, units, rows[stage == s], as_of).leaves
        frames[s] = lv.set_index(["unit", "criterion"])
    a, b = frames["self"], frames["appraisal"].reindex(frames["self"].index)
    both = (~a["missing"] & ~b["missing"] & a["applicable"] & b["applicable"]).to_numpy()
    both = both & a.index.get_level_values("criterion").isin(_regular_codes(card))
    pairs = pd.DataFrame({"unit": a.index.get_level_values("unit")[both],
                          "self": a["points"].to_numpy()[both],
                          "appraisal": b["points"].to_numpy()[both]})
    per_unit = pairs.groupby("unit", sort=False)[["self", "appraisal"]].sum()
    per_unit = per_unit[per_unit["self"] > 0]
    if per_unit.empty:
        return None
    ratio = (per_unit["appraisal"] / per_unit["self"]).to_numpy()
    sd = float(ratio.std(ddof=1)) if len(ratio) > 1 else 0.0
    return AppraisalAdjustment(float(ratio.mean()), sd, len(ratio),
                               int(pairs["unit"].isin(per_unit.index).sum()))


def competition_ranks(keys: np.ndarray, ties: str = "min") -> np.ndarray:
    """Row-wise competition ranks (descending) of an integer runs × units matrix."""
    runs, n = keys.shape
    lo = keys.min()
    span = int(keys.max() - lo) + 1
    offset = (np.arange(runs, dtype=np.int64) * span)[:, None]
    s = np.sort(keys, axis=1)
    flat_s = (s - lo + offset).ravel()
    flat_k = (keys - lo + offset).ravel()
    start = np.repeat(np.arange(runs, dtype=np.int64) * n, n)
    if ties == "min":
        right = np.searchsorted(flat_s, flat_k, side="right") - start
        return (n - right + 1).reshape(runs, n)
    new = np.ones_like(s, dtype=bool)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    cum = np.cumsum(new, axis=1)
    left = (np.searchsorted(flat_s, flat_k, side="left") - start).reshape(runs, n)
    return cum[:, -1:] - np.take_along_axis(cum, left, axis=1) + 1


class _Model:
    """The ranked units' figures the perturbed index is computed from."""

    def __init__(self, card: Scorecard):
        ranked = card.ranked
        self.ids = ranked.index
        self.domains = card.domain_codes("regular")
        self.dmax = np.array([card.criteria.nodes[c].max for c in self.domains], dtype=float)
        self.score = card.node_score.loc[self.ids, self.domains].to_numpy(dtype=float)
        self.amax = card.node_max.loc[self.ids, self.domains].to_numpy(dtype=float)
        self.extra = (ranked["bonus"] - ranked["penalty"]).to_numpy(dtype=float)
        self.scale = float(card.criteria.scale)
        # self-scored regular leaves of provisional units, per domain
        leaves = card.leaves
        codes = _regular_codes(card)
        prov = ranked.index[ranked["provisional"].to_numpy(dtype=bool)]
        sel = leaves[leaves["unit"].isin(prov) & leaves["criterion"].isin(codes)]
        wide = lambda col: sel.pivot(index="unit", columns="criterion", values=col).reindex(
            index=prov, columns=codes)
        is_self = (wide("stage") == "self").to_numpy() & wide("applicable").to_numpy(dtype=bool)
        self.prov_pos = self.ids.get_indexer(prov)
        domain_of = card.criteria.domain_of
        pts, mx = wide("points").to_numpy(dtype=float), wide("max").to_numpy(dtype=float)
        self.self_parts = []  # per domain: (self points, leaf max) of the self leaves
        for j, d in enumerate(self.domains):
            cols = [i for i, c in enumerate(codes) if domain_of[c] == d]
            p, m, s = pts[:, cols], mx[:, cols], is_self[:, cols]
            self.self_parts.append((np.where(s, p, 0.0), np.where(s, m, 0.0)))
        self.has_self = bool(is_self.any())

    def index(self, weights: np.ndarray, factor: np.ndarray | None) -> np.ndarray:
        """runs × units index for runs × domains ``weights`` and runs × provisional ``factor``."""
        runs = weights.shape[0]
        regular = np.zeros((runs, len(self.ids)))
        regmax = np.zeros((runs, len(self.ids)))
        for j in range(len(self.domains)):  # fixed order: identical sums whatever ``runs``
            dscore = np.broadcast_to(self.score[:, j], (runs, len(self.ids)))
            if factor is not None and self.has_self:
                p, m = self.self_parts[j]
                shrunk = np.minimum(factor[:, :, None] * p[None], m[None]).sum(axis=2)
                dscore = dscore.copy()
                dscore[:, self.prov_pos] += shrunk - p.sum(axis=1)[None]
                dscore = np.minimum(dscore, self.amax[:, j][None])
            regular += weights[:, j:j + 1] * dscore
            regmax += weights[:, j:j + 1] * self.amax[:, j][None]
        total = np.clip(regular + self.extra[None], 0.0, regmax)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(regmax > 0, self.scale * total / regmax, np.nan)


MAX_RUNS = 100_000
MAX_RANK_CELLS = 20_000_000  # runs × units: the rank matrices stay under about 0.5 GB


def max_runs(units: int) -> int:
    """The most runs allowed for a level of ``units`` units (memory grows with runs × units)."""
    return max(1, min(MAX_RUNS, MAX_RANK_CELLS // max(1, units)))


def _check(runs: int, spread: float, units: int = 1) -> None:
    issues = []
    if int(runs) < 1:
        issues.append(Issue("decide.bad_runs", {"runs": runs}))
    elif int(runs) > max_runs(units):
        issues.append(Issue("decide.too_many_runs", {"runs": runs, "max": max_runs(units),
                                                     "units": units}))
    if not 0.0 <= float(spread) < 1.0:
        issues.append(Issue("decide.bad_spread", {"spread": spread}))
    if issues:
        raise ParError(issues)


def get_rank_intervals(card: Scorecard, runs: int = 1000, weight_spread: float = 0.2,
                       shrink: bool = True, seed: int = 0, *, rows: pd.DataFrame | None = None,
                       adjustment: AppraisalAdjustment | None = None,
                       survey=None) -> pd.DataFrame:
    """Per unit (card order): nominal rank/of, median_rank, p05, p95 and a label
    "14/21 (12–16)". Unranked units get NA. Shrinking needs ``adjustment``, or ``rows``
    to estimate it from (``get_appraisal_adjustment``); without either nothing is shrunk.
    The adjustment used is in ``result.attrs["adjustment"]``.

    ``survey``: the survey answers' bootstrap replicates
    (``par.decide.survey_bootstrap.survey_replicates``, as of the card's period). Each run
    then also takes one replicate (drawn with the run's generator, after the draws above, so
    without ``survey`` the runs are unchanged) and adds its index change to the run's: the
    interval carries the survey's sampling error with the weights' and the self-scores'
    (the three taken as independent). Its forms, replicates and seed are in
    ``result.attrs["survey"]``.
    """
    _check(runs, weight_spread, len(card.units))
    runs = int(runs)
    model = _Model(card)
    rng = np.random.default_rng(seed)
    n_dom = len(model.domains)
    weights = rng.uniform(1.0 - weight_spread, 1.0 + weight_spread, size=(runs, n_dom))
    weights *= (model.dmax.sum() / (weights @ model.dmax))[:, None]
    if shrink and adjustment is None and rows is not None:
        adjustment = get_appraisal_adjustment(card, rows)
    use_shrink = shrink and adjustment is not None and model.has_self
    factor = None
    if use_shrink:
        factor = np.clip(rng.normal(adjustment.mean, adjustment.sd,
                                    size=(runs, len(model.prov_pos))), 0.0, None)
    base = model.index(np.ones((1, n_dom)), np.ones((1, len(model.prov_pos)))
                       if use_shrink else None)
    cells = max(1, len(model.prov_pos) * sum(p.shape[1] for p, _ in model.self_parts))
    block = max(1, _CHUNK_CELLS // cells) if use_shrink else runs
    nominal = card.ranked["index"].to_numpy(dtype=float)[None]
    parts = [nominal + (model.index(weights[i:i + block],
                                    None if factor is None else factor[i:i + block]) - base)
             for i in range(0, runs, block)]
    index = np.concatenate(parts) if parts else np.empty((0, len(model.ids)))
    survey_used = None
    if survey is not None and survey.replicates and len(model.ids):
        if survey.card.as_of != card.as_of:
            raise ValueError(f"survey replicates as of {survey.card.as_of}, card {card.as_of}")
        delta = survey.deltas(model.ids)[rng.integers(0, survey.replicates, size=runs)]
        index = np.where(np.isnan(delta), -1.0, index + delta)  # a lost index ranks last
        survey_used = {"forms": list(survey.forms), "replicates": survey.replicates,
                       "seed": survey.seed}
    keys = index_key(index).astype(np.int64)  # the engine's rounded index, half up
    ranks = competition_ranks(keys, card.criteria.ties) if len(model.ids) else keys
    q = lambda p: np.percentile(ranks, p, axis=0, method="inverted_cdf").astype(np.int64)
    out = pd.DataFrame(index=card.units.index)
    out["name"] = card.units["name"]
    out["rank"] = card.units["rank"].astype("Int64")
    out["of"] = card.units["of"].astype("Int64")
    for col, p in (("median_rank", 50), ("p05", 5), ("p95", 95)):
        values = q(p) if len(model.ids) else np.empty(0, dtype=np.int64)
        out[col] = pd.Series(values, index=model.ids, dtype="Int64").reindex(out.index)
    out["label"] = [t("decide.rank_interval", rank=r, of=o, low=lo, high=hi)
                    if not pd.isna(r) else "–"
                    for r, o, lo, hi in zip(out["rank"], out["of"], out["p05"], out["p95"])]
    out.attrs["adjustment"] = adjustment if use_shrink else None
    out.attrs["runs"] = runs
    out.attrs["survey"] = survey_used
    return out[INTERVAL_COLUMNS]
