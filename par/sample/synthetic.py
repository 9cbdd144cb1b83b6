"""Synthetic but plausible inputs for any criteria set: the sample data and the benchmarks.

Each unit has a latent quality q in (0, 1); every leaf's figure is drawn around
the part of its scale where its bands sit, better for higher q. Quarterly rows
are `self` scores; an optional annual `appraisal` row per leaf carries the
year's figure, slightly stricter than the self-score, as appraisal councils
tend to be. Everything is seeded and vectorised over units.
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

    @classmethod
    def of(cls, node: Node) -> "Leaf":
        bounds = [b.bound for b in (node.rule.bands or ())]
        if bounds:
            hi = max(bounds)
            lo = min(bounds) - 0.35 * max(hi - min(bounds), 0.5 * hi)
            return cls(node, max(lo, 0.0), hi)
        return cls(node, 0.0, 100.0)


def _attainment(rng: np.random.Generator, q: np.ndarray, spread: float = 0.15) -> np.ndarray:
    return np.clip(q + rng.normal(0.0, spread, size=q.shape), 0.0, 1.08)


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


def generate(criteria: CriteriaSet, quality: pd.Series, periods: list[Period],
             appraisal: bool = True, seed: int = 2019,
             overrides: dict[str, dict[str, dict]] | None = None) -> pd.DataFrame:
    """Tidy input rows for the units in ``quality`` (index = unit id).

    ``overrides[unit][criterion][(stage, field)]`` replaces a field of that unit's generated
    rows (e.g. {("appraisal", "numerator"): "1668"}), so a story such as "Cửa Lò's late
    dossiers" can be told.
    """
    rng = np.random.default_rng(seed)
    q = quality.to_numpy(dtype=float)
    ids = quality.index.to_numpy()
    quarters = [p for p in periods if not p.is_annual]
    parts = []
    # One generator, leaf after leaf: moving a draw changes every figure drawn after it, and
    # with them the shipped sample data whose story scripts/make_sample_data.py checks.
    for node in criteria.leaves:
        self_vals, appr_vals = _draw(rng, Leaf.of(node), q, len(quarters))
        survey = node.rule.type == "survey"
        if not survey:  # a survey is the appraisal council's: units do not score it
            parts.append(_rows(self_vals, node.code, "self", np.repeat(ids, len(quarters)),
                               np.tile([str(p) for p in quarters], len(q))))
        if appraisal or survey:
            period = str(Period(criteria.year, 5)) if appraisal else str(quarters[-1])
            parts.append(_rows(appr_vals, node.code, "appraisal", ids, period))
    return _override(_tidy(parts), overrides)


def _draw(rng, leaf: Leaf, q: np.ndarray, nq: int) -> tuple[dict, dict]:
    """(self-score fields per unit × quarter, appraisal fields per unit) for one leaf."""
    rule = leaf.node.rule
    per_q = rule.aggregate == "sum" and nq > 1  # each quarter its own figure, the year sums them
    if rule.type == "ratio":
        return _draw_ratio(rng, leaf, q, nq, per_q)
    if rule.type == "yes_no":
        return _draw_yes_no(rng, q, nq)
    if rule.type == "choice":
        return _draw_choice(rng, leaf, q, nq)
    if rule.type in ("count", "deduction"):
        return _draw_count(rng, leaf, q, nq, per_q)
    if rule.type == "survey":
        return _draw_survey(rng, leaf, q)
    return _draw_points(rng, leaf, q, nq)


def _draw_ratio(rng, leaf: Leaf, q, nq: int, per_q: bool) -> tuple[dict, dict]:
    num, den = _ratio(rng, leaf, q, nq, big="hồ sơ" in leaf.node.name.lower())
    year_num, year_den = (num.sum(1), den.sum(1)) if per_q else (num[:, -1], den[:, -1])
    # appraisal is a little stricter: up to 2 % fewer counted, less so in better units
    strict = np.minimum(year_num, np.round(year_den * (1 - rng.uniform(0, 0.02, len(q))
                                                         * (1 - q))))
    return ({"numerator": num, "denominator": den},
            {"numerator": strict.astype(int), "denominator": year_den})


def _draw_yes_no(rng, q, nq: int) -> tuple[dict, dict]:
    p_yes = 0.55 + 0.45 * q
    vals = (rng.random((len(q), nq)) < p_yes[:, None]).astype(float)
    vals = np.maximum.accumulate(vals, axis=1)  # once done, it stays done
    appr = np.where(rng.random(len(q)) < 0.08 * (1 - q), 0.0, vals[:, -1])
    words = np.array(["không", "có"])
    return {"value": words[vals.astype(int)]}, {"value": words[appr.astype(int)]}


def _draw_choice(rng, leaf: Leaf, q, nq: int) -> tuple[dict, dict]:
    options = leaf.node.rule.options
    labels = sorted(options, key=options.get, reverse=True)  # best option first
    pick = np.clip(np.round((1 - _attainment(rng, q[:, None] * np.ones((len(q), nq))))
                            * (len(labels) - 1)), 0, len(labels) - 1).astype(int)
    return ({"value": np.array(labels, dtype=object)[pick]},
            {"value": np.array(labels, dtype=object)[pick[:, -1]]})


def _draw_count(rng, leaf: Leaf, q, nq: int, per_q: bool) -> tuple[dict, dict]:
    node, rule = leaf.node, leaf.node.rule
    if rule.bands:
        mean = np.maximum(_figure(rng, leaf, q), 0)
    elif rule.type == "count":
        mean = _attainment(rng, q) * node.max / rule.per_item * 1.1
    else:  # deductions: fewer faults in better units
        mean = (1 - _attainment(rng, q)) * node.max / rule.per_item * 0.6
    share = mean / nq if per_q else mean
    vals = rng.poisson(np.repeat(np.maximum(share, 0)[:, None], nq, 1)).astype(float)
    year = vals.sum(1) if per_q else vals[:, -1]
    appr = np.round(year * (1 + (rule.type == "deduction") * 0.1))  # councils find more faults
    return {"value": _fmt(vals.ravel(), 0).reshape(vals.shape)}, {"value": _fmt(appr, 0)}


def _draw_survey(rng, leaf: Leaf, q) -> tuple[dict, dict]:
    rule = leaf.node.rule
    fig = 62 + 34 * _attainment(rng, q) if not rule.bands else _figure(rng, leaf, q)
    return {}, {"value": _fmt(np.clip(fig, 0, 100), 1)}


def _draw_points(rng, leaf: Leaf, q, nq: int) -> tuple[dict, dict]:
    top = leaf.node.max
    pts = np.clip(np.round(_attainment(rng, q[:, None] * np.ones((len(q), nq))) * top * 4) / 4,
                  0, top)  # in steps of 0.25 points
    appr = np.maximum(pts[:, -1] - 0.25 * (rng.random(len(q)) < 0.2), 0)
    return {"value": _fmt(pts.ravel()).reshape(pts.shape)}, {"value": _fmt(appr)}


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
