"""Rules: turn each (unit, leaf) cell's aggregated figures into points (CONTRACT §1).

Every rule type is one vectorised function over arrays of cells; leaf parameters
arrive as arrays already aligned to the cells, so no Python loop touches a cell.
``RULES`` maps each type name to its function; tests check it covers RULE_TYPES.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from par.domain.models import CriteriaSet

FIGURE_DECIMALS = 9  # 100 × 49 / 50 must meet a band at 98 exactly, not miss it by 1e-14


@dataclass
class LeafParams:
    """Rule parameters of every leaf as arrays indexed by leaf position."""

    max: np.ndarray
    type: np.ndarray
    aggregate: np.ndarray
    per_item: np.ndarray
    linear: np.ndarray
    lower: np.ndarray
    when_empty: np.ndarray
    band_bound: np.ndarray  # (leaves, K), NaN-padded, in evaluation order
    band_strict: np.ndarray
    band_points: np.ndarray

    @classmethod
    def of(cls, criteria: CriteriaSet) -> "LeafParams":
        leaves = criteria.leaves
        k = max([len(l.rule.bands or ()) for l in leaves] + [1])
        bound = np.full((len(leaves), k), np.nan)
        strict = np.zeros((len(leaves), k), dtype=bool)
        points = np.zeros((len(leaves), k))
        for i, leaf in enumerate(leaves):
            for j, band in enumerate(leaf.rule.bands or ()):
                bound[i, j], strict[i, j], points[i, j] = band.bound, band.strict, band.points
        col = lambda f, dtype=object: np.array([f(l) for l in leaves], dtype=dtype)
        return cls(
            max=col(lambda l: l.max, float), type=col(lambda l: l.rule.type),
            aggregate=col(lambda l: l.rule.aggregate),
            per_item=col(lambda l: l.rule.per_item if l.rule.per_item else np.nan, float),
            linear=col(lambda l: l.rule.linear, bool),
            lower=col(lambda l: l.rule.direction == "lower_is_better", bool),
            when_empty=col(lambda l: l.rule.when_empty),
            band_bound=bound, band_strict=strict, band_points=points)


@dataclass
class Cells:
    """Aggregated figures of the cells to score, with their leaf's parameters."""

    leaf: np.ndarray  # leaf position per cell
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    params: LeafParams

    def p(self, name: str) -> np.ndarray:
        return getattr(self.params, name)[self.leaf]

    def where(self, name: str, value) -> np.ndarray:
        """Cells whose leaf parameter ``name`` equals ``value`` (compared once per leaf)."""
        return (getattr(self.params, name) == value)[self.leaf]


def band_points(cells: Cells, figure: np.ndarray) -> np.ndarray:
    """Points of the first band the figure satisfies; 0 when it satisfies none."""
    fig = np.round(figure, FIGURE_DECIMALS)[:, None]
    bound = cells.params.band_bound[cells.leaf]
    strict = cells.params.band_strict[cells.leaf]
    with np.errstate(invalid="ignore"):
        hit = np.where(strict, fig > bound, fig >= bound)  # NaN bounds never hit
    first = hit.argmax(axis=1)
    pts = cells.params.band_points[cells.leaf, first]
    return np.where(hit.any(axis=1), pts, 0.0)


def _linear(cells: Cells, pct: np.ndarray) -> np.ndarray:
    return np.clip(cells.p("max") * pct / 100.0, 0.0, cells.p("max"))


def rule_points(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    return cells.value, np.zeros(len(cells.leaf), bool)


def rule_yes_no(cells: Cells):
    return cells.p("max") * cells.value, np.zeros(len(cells.leaf), bool)


def rule_choice(cells: Cells):
    return cells.p("max") * cells.value, np.zeros(len(cells.leaf), bool)


def rule_ratio(cells: Cells):
    den, num = cells.denominator, cells.numerator
    empty = ~(den > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * num / den
    pct = np.where(cells.p("lower"), 100.0 - pct, pct)
    pts = np.where(cells.p("linear"), _linear(cells, pct), band_points(cells, pct))
    pts = np.where(empty, np.where(cells.where("when_empty", "full"), cells.p("max"), 0.0), pts)
    return pts, empty & cells.where("when_empty", "na")


def rule_count(cells: Cells):
    per_item = cells.p("per_item")
    pts = np.where(np.isnan(per_item), band_points(cells, cells.value),
                   np.minimum(cells.p("max"), per_item * cells.value))
    return pts, np.zeros(len(cells.leaf), bool)


def rule_survey(cells: Cells):
    pts = np.where(cells.p("linear"), _linear(cells, cells.value),
                   band_points(cells, cells.value))
    return pts, np.zeros(len(cells.leaf), bool)


def rule_deduction(cells: Cells):
    pts = np.maximum(0.0, cells.p("max") - cells.p("per_item") * cells.value)
    return pts, np.zeros(len(cells.leaf), bool)


RULES = {"points": rule_points, "yes_no": rule_yes_no, "ratio": rule_ratio,
         "count": rule_count, "survey": rule_survey, "deduction": rule_deduction,
         "choice": rule_choice}


def apply_rules(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Points in [0, max] and a not-applicable flag for every cell."""
    points = np.zeros(len(cells.leaf))
    not_applicable = np.zeros(len(cells.leaf), dtype=bool)
    for name, rule in RULES.items():
        mask = cells.where("type", name)
        if mask.any():
            sub = Cells(cells.leaf[mask], cells.value[mask], cells.numerator[mask],
                        cells.denominator[mask], cells.params)
            pts, na = rule(sub)
            points[mask], not_applicable[mask] = pts, na
    points = np.clip(np.nan_to_num(points, nan=0.0), 0.0, cells.p("max"))
    return points, not_applicable
