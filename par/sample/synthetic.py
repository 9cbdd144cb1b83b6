"""Synthetic but plausible inputs for any criteria set: the sample data and the benchmarks.

Each unit has a latent quality q in (0, 1); every leaf's figure is drawn around the part of its
scale where its bands sit, better for higher q. That figure is what the evidence shows and what
the appraisal council confirms: the optional annual `appraisal` row of the leaf. The unit's own
quarterly `self` rows claim more, as units do in real rounds: on a share of its leaves (its
optimism, drawn per unit) a unit claims the next band up, "có" for a plan that was late, a
better option, an item more, a fault less; now and then it claims less than the evidence shows,
and the appraisal raises that leaf. Survey results come only with the appraisal. Everything is
seeded and vectorised over units. Every draw takes as many random numbers whatever the units'
qualities, so a unit's figures depend on its own quality only, and never get worse as it rises:
scripts/make_sample_data.py calibrates each district's quality on that.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet, Node
from par.domain.periods import Period

COLUMNS = ["unit", "period", "criterion", "value", "numerator", "denominator", "stage",
           "evidence", "note"]
SYNTHETIC_NOTE = "Dữ liệu mô phỏng"  # every generated row says it is synthetic


@dataclass
class Leaf:
    node: Node
    lo: float  # the figure scale the bands live on
    hi: float
    penalty: bool = False  # a leaf of a penalty domain: more is worse

    @classmethod
    def of(cls, node: Node, penalty: bool = False) -> "Leaf":
        bounds = [b.bound for b in (node.rule.bands or ())]
        if bounds:
            hi = max(bounds)
            lo = min(bounds) - 0.35 * max(hi - min(bounds), 0.5 * hi)
            return cls(node, max(lo, 0.0), hi, penalty)
        return cls(node, 0.0, 100.0, penalty)


class _Rng:
    """The seeded generator, and how far a leaf's attainment strays from the unit's quality."""

    def __init__(self, seed: int, spread: float):
        self.gen, self.spread = np.random.default_rng(seed), spread

    def __getattr__(self, name: str):  # random, uniform, integers, poisson, normal …
        return getattr(self.gen, name)


def _poisson(rng: _Rng, lam: np.ndarray) -> np.ndarray:
    """Poisson counts by inverse transform: one uniform per count whatever the mean, so a unit's
    figures depend on its own quality only (numpy's sampler draws more for larger means, which
    would shift every later draw of every unit), and a higher mean never gives fewer."""
    lam = np.maximum(np.asarray(lam, dtype=float), 0.0)
    u = rng.random(lam.shape)
    top = int(np.ceil(lam.max(initial=0.0) + 10 * np.sqrt(lam.max(initial=0.0)) + 10))
    k = np.arange(top + 1)
    log_pmf = k * np.log(np.maximum(lam[..., None], 1e-300)) - lam[..., None] - np.cumsum(
        np.log(np.maximum(k, 1)))
    cdf = np.cumsum(np.exp(log_pmf), axis=-1)
    return (cdf < u[..., None]).sum(-1).astype(float)


def _attainment(rng: _Rng, q: np.ndarray) -> np.ndarray:
    return np.clip(q + rng.normal(0.0, rng.spread, size=q.shape), 0.0, 1.08)


def _figure(rng, leaf: Leaf, q: np.ndarray) -> np.ndarray:
    """A figure on the leaf's scale; reaching the top band needs a high attainment."""
    a = _attainment(rng, q)
    return np.minimum(leaf.lo + (leaf.hi - leaf.lo) * a, max(leaf.hi, 100.0 if leaf.hi >= 90 else leaf.hi * 1.2))


def _fmt(x: np.ndarray, decimals: int = 2) -> np.ndarray:
    """Numbers as a Vietnamese user types them: decimal comma, no trailing zeros."""
    def text(v: float) -> str:
        s = f"{v:.{decimals}f}"
        return s.rstrip("0").rstrip(".") if "." in s else s  # "10" stays "10"

    out = pd.Series(np.round(x, decimals)).map(text)
    return out.str.replace(".", ",", regex=False).to_numpy()


def _ratio(rng, leaf: Leaf, q, n_periods: int, big: bool):
    """(numerators, denominators) per unit and period."""
    lower = leaf.node.rule.direction == "lower_is_better"
    size = (len(q), n_periods)
    scale = rng.integers(150, 900, size=(len(q), 1)) if big else rng.integers(3, 12, size=(len(q), 1))
    den = np.maximum(0, np.round(scale * rng.uniform(0.7, 1.3, size=size))).astype(int)
    if leaf.node.rule.when_empty != "na":
        den = np.where(rng.random(size) < 0.25, 0, den)
    if leaf.node.rule.linear:
        pct = 100 * np.clip(0.25 + 0.75 * _attainment(rng, q[:, None] * np.ones(size)), 0, 1)
    else:
        pct = np.clip(_figure(rng, leaf, q[:, None] * np.ones(size)), 0, 100)
    pct = 100 - pct if lower else pct
    num = np.minimum(np.round(den * pct / 100.0), den).astype(int)
    return num, den


# The share of its leaves on which a unit claims more than its evidence shows (where the
# evidence leaves room: a leaf at its top band cannot be over-claimed), drawn per unit from this
# range; and the chance that it claims less on a leaf (the appraisal raises it).
OPTIMISM = (0.3, 0.8)
MODESTY = 0.01


def generate(criteria: CriteriaSet, quality: pd.Series, periods: list[Period],
             appraisal: bool = True, seed: int = 2019,
             overrides: dict[str, dict[str, dict]] | None = None,
             optimism: tuple[float, float] = OPTIMISM, spread: float = 0.15) -> pd.DataFrame:
    """Tidy input rows for the units in ``quality`` (index = unit id).

    The quarters of ``periods`` get the units' ``self`` rows (every leaf but the surveys).
    With ``appraisal``, one ``appraisal`` row per leaf follows for the whole year, the
    surveys' included: the figure the evidence shows, below most of the units' claims.
    Without it there are self rows only: a year still in progress. ``optimism`` is the range
    of the per-unit share of leaves claimed above the evidence; ``spread`` the standard
    deviation of a leaf's attainment around the unit's quality.

    ``overrides[unit][criterion][(stage, field)]`` replaces a field of that unit's generated
    rows (e.g. {("appraisal", "numerator"): "1668"}), so a story such as "Cửa Lò's late
    dossiers" can be told.
    """
    rng = _Rng(seed, spread)
    q = quality.to_numpy(dtype=float)
    ids = quality.index.to_numpy()
    quarters = [p for p in periods if not p.is_annual]
    claims = _Claims(rng, rng.uniform(*optimism, len(q)))
    parts = []
    # One generator, leaf after leaf: moving a draw changes every figure drawn after it, and
    # with them the shipped sample data whose story scripts/make_sample_data.py checks.
    for node in criteria.leaves:
        penalty = criteria.nodes[criteria.domain_of[node.code]].kind == "penalty"
        self_vals, appr_vals = _draw(rng, Leaf.of(node, penalty), q, len(quarters), claims)
        if node.rule.type != "survey":  # a survey is the appraisal council's: units do not score it
            parts.append(_rows(self_vals, node.code, "self", np.repeat(ids, len(quarters)),
                               np.tile([str(p) for p in quarters], len(q))))
        if appraisal:
            parts.append(_rows(appr_vals, node.code, "appraisal", ids,
                               str(Period(criteria.year, 5))))
    return _override(_tidy(parts), overrides)


@dataclass
class _Claims:
    rng: _Rng
    over_rate: np.ndarray  # per unit: the share of its leaves it claims more on

    def draw(self) -> tuple[np.ndarray, np.ndarray]:
        """(claims more, claims less) per unit for one leaf, never both."""
        u = self.rng.random(len(self.over_rate))
        return u < self.over_rate, u > 1 - MODESTY


def _draw(rng, leaf: Leaf, q: np.ndarray, nq: int, claims: _Claims) -> tuple[dict, dict]:
    """(self-score fields per unit × quarter, appraisal fields per unit) for one leaf."""
    rule = leaf.node.rule
    per_q = rule.aggregate == "sum" and nq > 1  # each quarter its own figure, the year sums them
    if rule.type == "survey":
        return _draw_survey(rng, leaf, q)
    more, less = claims.draw()
    if rule.type == "ratio":
        return _draw_ratio(rng, leaf, q, nq, per_q, more, less)
    if rule.type == "yes_no":
        return _draw_yes_no(rng, leaf, q, nq, more, less)
    if rule.type == "choice":
        return _draw_choice(rng, leaf, q, nq, more, less)
    if rule.type in ("count", "deduction"):
        return _draw_count(rng, leaf, q, nq, per_q, more, less)
    return _draw_points(rng, leaf, q, nq, more, less)


def _draw_ratio(rng, leaf: Leaf, q, nq: int, per_q: bool, more, less) -> tuple[dict, dict]:
    num, den = _ratio(rng, leaf, q, nq, big="hồ sơ" in leaf.node.name.lower())
    lower = leaf.node.rule.direction == "lower_is_better"
    good = den - num if lower else num  # the cases the bands reward, per quarter
    if per_q:  # the year's count one band off, the difference spread over the quarters
        year = good.sum(1)
        claimed = _spread(good, den, _shift_band(rng, leaf, year, den.sum(1), more, less) - year)
    else:  # each quarter's figure stands for the year so far
        claimed = _shift_band(rng, leaf, good, den, more[:, None] & np.ones_like(good, bool),
                              less[:, None] & np.ones_like(good, bool))
    year_num, year_den = (num.sum(1), den.sum(1)) if per_q else (num[:, -1], den[:, -1])
    return ({"numerator": (den - claimed if lower else claimed).astype(int), "denominator": den},
            {"numerator": year_num, "denominator": year_den})


def _shift_band(rng, leaf: Leaf, good: np.ndarray, den: np.ndarray, up, down) -> np.ndarray:
    """Good cases one band up where ``up`` (just over the next bound), somewhere in the band
    below where ``down`` (under the lowest band from the bottom one); 5–20 % more or 5–15 %
    fewer on a linear ratio. The same count elsewhere and where there is no case at all."""
    shape = good.shape
    bands = leaf.node.rule.bands
    if not bands:  # linear
        factor = np.where(up, 1 + rng.uniform(0.05, 0.20, shape),
                          np.where(down, 1 - rng.uniform(0.05, 0.15, shape), 1.0))
        return np.clip(np.round(good * factor), 0, den)
    bounds = np.array(sorted({b.bound for b in bands}, reverse=True) + [leaf.lo])
    pct = 100.0 * good / np.where(den > 0, den, 1)
    meets = pct[..., None] >= bounds[:-1] - 1e-9
    reached = np.where(meets.any(-1), meets.argmax(-1), len(bounds) - 1)  # index of the band met
    upper = np.floor(den * bounds[np.maximum(reached - 1, 0)] / 100) + 1
    higher = np.where(reached > 0, np.minimum(upper, den), good)
    bound, floor = bounds[reached], bounds[np.minimum(reached + 1, len(bounds) - 1)]
    target = floor + rng.random(shape) * (bound - floor)
    lower = np.where(reached < len(bounds) - 1,
                     np.maximum(np.minimum(np.floor(den * target / 100),
                                           np.ceil(den * bound / 100) - 1), 0), good)
    out = np.where(up, np.maximum(higher, good), np.where(down, np.minimum(lower, good), good))
    return np.where(den > 0, out, good)


def _spread(good: np.ndarray, den: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Per-quarter counts changed by ``extra`` a year (units × quarters), in proportion to
    each quarter's room (more) or count (fewer), never below 0 or above the quarter's cases."""
    room = np.where(extra[:, None] >= 0, den - good, good)
    share = room / np.maximum(room.sum(1, keepdims=True), 1)
    step = np.minimum(np.ceil(np.abs(extra)[:, None] * share), room)
    return good + np.sign(extra)[:, None] * step


def _draw_yes_no(rng, leaf: Leaf, q, nq: int, more, less) -> tuple[dict, dict]:
    # done by the year's end (a penalty, "criticised for late reports": rare, rarer in better
    # units), from a quarter on: once done, it stays done
    p_yes = 0.12 * (1 - q) + 0.02 if leaf.penalty else 0.35 + 0.6 * q
    done = np.where(rng.random(len(q)) < p_yes, rng.integers(0, nq, len(q)), nq)
    vals = (np.arange(nq) >= done[:, None]).astype(float)
    if leaf.penalty:  # a criticism the unit keeps quiet about
        claimed = np.where(more[:, None], 0.0, vals)
    else:  # "done" from some quarter on, without the evidence; or done and not claimed
        start = rng.integers(0, nq, len(q))
        claimed = np.where(more[:, None] & (np.arange(nq) >= start[:, None]), 1.0, vals)
        claimed = np.where(less[:, None], 0.0, claimed)
    words = np.array(["không", "có"])
    return {"value": words[claimed.astype(int)]}, {"value": words[vals[:, -1].astype(int)]}


def _draw_choice(rng, leaf: Leaf, q, nq: int, more, less) -> tuple[dict, dict]:
    options = leaf.node.rule.options
    labels = np.array(sorted(options, key=options.get, reverse=True), dtype=object)  # best first
    worst = len(labels) - 1
    pick = np.clip(np.round((1 - _attainment(rng, q[:, None] * np.ones((len(q), nq))))
                            * worst), 0, worst).astype(int)
    claimed = np.clip(pick - more[:, None] + less[:, None], 0, worst)  # one option off
    return {"value": labels[claimed]}, {"value": labels[pick[:, -1]]}


def _draw_count(rng, leaf: Leaf, q, nq: int, per_q: bool, more, less) -> tuple[dict, dict]:
    node, rule = leaf.node, leaf.node.rule
    faults = rule.type == "deduction" or leaf.penalty  # fewer in better units
    if rule.bands:
        mean = np.maximum(_figure(rng, leaf, q), 0)
    elif not faults:
        mean = _attainment(rng, q) * node.max / rule.per_item * 1.1
    else:
        mean = (1 - _attainment(rng, q)) * node.max / rule.per_item * 0.6
    share = mean / nq if per_q else mean
    vals = _poisson(rng, np.repeat(np.maximum(share, 0)[:, None], nq, 1))
    year = _year(vals, rule.aggregate)
    if faults:  # up to half the faults declared, or one too many
        claimed = np.where(more[:, None], np.floor(vals * rng.uniform(0, 0.5, (len(q), 1))), vals)
        claimed[:, -1] += less
    else:  # an item or two more in the last quarter (a tenth to 40 % more on banded counts),
        # or one fewer
        extra = np.where(rule.bands is not None, np.ceil(year * rng.uniform(0.1, 0.4, len(q))),
                         1 + (rng.random(len(q)) < 0.4))
        claimed = vals.copy()
        claimed[:, -1] = np.maximum(vals[:, -1] + more * extra - less, 0)
    return {"value": _fmt(claimed.ravel(), 0).reshape(vals.shape)}, {"value": _fmt(year, 0)}


def _draw_survey(rng, leaf: Leaf, q) -> tuple[dict, dict]:
    rule = leaf.node.rule
    fig = 70 + 24 * _attainment(rng, q) if not rule.bands else _figure(rng, leaf, q)
    return {}, {"value": _fmt(np.clip(fig, 0, 100), 1)}


def _draw_points(rng, leaf: Leaf, q, nq: int, more, less) -> tuple[dict, dict]:
    top = leaf.node.max
    pts = np.clip(np.round(_attainment(rng, q[:, None] * np.ones((len(q), nq))) * top * 4) / 4,
                  0, top)  # in steps of 0.25 points
    step = np.maximum(np.round(rng.uniform(0.2, 0.5, len(q)) * top * 4) / 4, 0.25)
    claimed = np.clip(pts + (more * step - less * 0.25)[:, None], 0, top)
    return ({"value": _fmt(claimed.ravel()).reshape(pts.shape)},
            {"value": _fmt(_year(pts, leaf.node.rule.aggregate))})


def _year(vals: np.ndarray, aggregate: str) -> np.ndarray:
    """The quarters' figures (units × quarters) combined as the rule combines them."""
    return {"sum": vals.sum, "mean": vals.mean, "max": vals.max, "min": vals.min}.get(
        aggregate, lambda axis: vals[:, -1])(axis=1)


def _rows(fields: dict, code: str, stage: str, units, periods) -> pd.DataFrame:
    frame = pd.DataFrame({"unit": units, "period": periods, "criterion": code, "stage": stage})
    for key, arr in fields.items():
        frame[key] = np.asarray(arr).ravel()
    return frame


def _tidy(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Every column as text, empty where a rule takes no such field."""
    rows = pd.concat(parts, ignore_index=True)
    for col in COLUMNS:
        if col not in rows:
            rows[col] = ""
        # as objects first: pandas will refuse "" in a float column; 6.0 still prints as "6.0",
        # as in the shipped sample data
        cells = rows[col].astype(object)
        rows[col] = cells.where(cells.notna(), "").astype(str)
    rows["note"] = SYNTHETIC_NOTE
    return rows


def _override(rows: pd.DataFrame, overrides: dict[str, dict[str, dict]] | None) -> pd.DataFrame:
    for unit, by_code in (overrides or {}).items():
        of_unit = rows["unit"] == unit
        for code, fields in by_code.items():
            for (stage, key), value in fields.items():
                mask = of_unit & (rows["criterion"] == code) & (rows["stage"] == stage)
                rows.loc[mask, key] = value
    return rows[COLUMNS]


def annual(criteria: CriteriaSet, quality: pd.Series, seed: int, **options) -> pd.DataFrame:
    """A year scored in one round: each unit's ``self`` rows and the council's ``appraisal``
    rows, both of the year's period (``YYYY``): one figure for the whole year, claimed
    above the evidence as in ``generate`` (its ``options``: optimism, spread, overrides)."""
    year = Period(criteria.year, 5)
    rows = generate(criteria, quality, [Period(criteria.year, 4)], appraisal=True, seed=seed,
                    **options)
    rows.loc[rows["stage"] == "self", "period"] = str(year)
    return rows
