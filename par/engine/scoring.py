"""Score units against a criteria set as of a period (CONTRACT §1 and §4).

raw rows → window (the year up to the as-of period) → stage chosen per cell →
aggregated per (unit, leaf) → rules → node tree → totals → ranks. Everything
is vectorised over cells; the only Python loops run over leaves, nodes or rule
types, never over units × leaves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet
from par.domain.periods import Period
from par.engine.ranking import rank_units
from par.engine.rules import Cells, LeafParams, apply_rules

_AGG_COLUMNS = ("value", "numerator", "denominator")


@dataclass
class Scorecard:
    """The result the CLI, the dashboard and the exports read.

    units      one row per scored unit (index = unit id): name, group, score
               (the total), max (applicable regular max), index, index_2dp,
               rank, of, group_rank, group_of, band, provisional, regular,
               bonus, penalty, missing (count of missing leaves), stage.
    node_score units × every node code (tree order): the node's score.
    node_max   units × every node code: its applicable max (0 = not applicable).
    leaves     long: unit, criterion, points, max, applicable, missing, stage.
    """

    criteria: CriteriaSet
    as_of: Period
    units: pd.DataFrame
    node_score: pd.DataFrame
    node_max: pd.DataFrame
    leaves: pd.DataFrame

    @property
    def ranked(self) -> pd.DataFrame:
        return self.units[self.units["rank"].notna()]

    def domain_codes(self, kind: str | None = None) -> list[str]:
        return [d.code for d in self.criteria.domains if kind is None or d.kind == kind]

    def to_records(self) -> list[dict]:
        """CONTRACT §5 JSON objects, best first."""
        domains = self.domain_codes()
        scores = self.node_score[domains].round(6).to_numpy()
        applicable = self.node_max[domains].to_numpy() > 0
        u = self.units
        num = lambda col: [None if pd.isna(v) else round(float(v), 6) for v in u[col]]
        ints = lambda col: [None if pd.isna(v) else int(v) for v in u[col]]
        columns = zip(u.index, u["name"], u["group"], num("score"), num("max"), num("index"),
                      ints("rank"), ints("of"), u["band"], u["provisional"])
        return [{"unit": uid, "name": name, "group": None if pd.isna(group) else group,
                 "score": sc, "max": mx, "index": ix, "rank": rk, "of": of,
                 "band": None if pd.isna(band) else band,
                 "provisional": bool(prov),
                 "domains": {c: (float(scores[i, j]) if applicable[i, j] else None)
                             for j, c in enumerate(domains)}}
                for i, (uid, name, group, sc, mx, ix, rk, of, band, prov) in enumerate(columns)]


def window(rows: pd.DataFrame, as_of: Period) -> pd.DataFrame:
    """Rows of the as-of year up to and including the as-of period."""
    return rows[(rows["year"] == as_of.year) & (rows["order"] <= as_of.order)]


def _aggregate(cell: np.ndarray, w: pd.DataFrame, agg_of_cell: np.ndarray):
    """Combine each cell's rows by its leaf's aggregate; return (cells, na, figures)."""
    frame = pd.DataFrame({"cell": cell, "order": w["order"].to_numpy(), "na": w["na"].to_numpy()})
    for col in _AGG_COLUMNS:
        frame[col] = w[col].to_numpy(dtype=float)
    frame = frame.sort_values(["cell", "order"], kind="stable")
    last = frame.drop_duplicates("cell", keep="last").set_index("cell")
    cells = last.index.to_numpy()
    applicable = frame[~frame["na"]].groupby("cell")
    n_applicable = applicable.size().reindex(cells, fill_value=0).to_numpy()
    agg = agg_of_cell[cells]
    na = np.where(agg == "last", last["na"].to_numpy(), n_applicable == 0)
    figures = {}
    stats = {name: applicable[list(_AGG_COLUMNS)].agg(name).reindex(cells)
             for name in ("sum", "mean", "max", "min")}
    for col in _AGG_COLUMNS:
        choices = {"last": last[col].to_numpy()}
        choices.update({name: stats[name][col].to_numpy() for name in stats})
        figures[col] = np.select([agg == name for name in choices], list(choices.values()),
                                 default=np.nan)
    return cells, na.astype(bool), figures


def score(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
          as_of: Period | None = None) -> Scorecard:
    """Score every unit of the criteria set's level; ``as_of`` defaults to its whole year."""
    as_of = as_of or Period(criteria.year, 5)
    scored = units[units["level"] == criteria.level]
    unit_ids = scored["id"].to_numpy()
    leaves = criteria.leaves
    n_units, n_leaves = len(unit_ids), len(leaves)
    params = LeafParams.of(criteria)
    unit_pos = pd.Series(np.arange(n_units), index=unit_ids)
    leaf_pos = pd.Series(np.arange(n_leaves), index=[l.code for l in leaves])

    w = window(rows, as_of)
    u, l = _positions(w["unit"], unit_pos), _positions(w["criterion"], leaf_pos)
    w = w[(u >= 0) & (l >= 0)]
    cell = u[(u >= 0) & (l >= 0)] * n_leaves + l[(u >= 0) & (l >= 0)]
    appraisal = (w["stage"] == "appraisal").to_numpy()
    has_appraisal = np.zeros(n_units * n_leaves, dtype=bool)
    has_appraisal[cell[appraisal]] = True
    use = appraisal | ~has_appraisal[cell]
    agg_of_cell = np.tile(params.aggregate, n_units)
    cells, na, fig = _aggregate(cell[use], w[use], agg_of_cell)

    leaf_of_cell = cells % n_leaves
    points, rule_na = apply_rules(Cells(leaf_of_cell, fig["value"], fig["numerator"],
                                        fig["denominator"], params))
    na = na | rule_na
    points = np.where(na, 0.0, points)

    flat_points = np.zeros(n_units * n_leaves)
    flat_points[cells] = points
    flat_applicable = np.ones(n_units * n_leaves, dtype=bool)
    flat_applicable[cells] = ~na
    flat_missing = np.ones(n_units * n_leaves, dtype=bool)
    flat_missing[cells] = False
    flat_stage = np.full(n_units * n_leaves, None, dtype=object)
    flat_stage[cells] = np.where(has_appraisal[cells], "appraisal", "self")

    P = flat_points.reshape(n_units, n_leaves)
    M = (flat_applicable.reshape(n_units, n_leaves) * params.max)
    node_score, node_max = roll_up(criteria, P, M, unit_ids)

    stage = flat_stage.reshape(n_units, n_leaves)
    provisional = (stage == "self").any(axis=1)
    units_frame = unit_totals(criteria, scored, node_score, node_max)
    units_frame["provisional"] = provisional
    units_frame["missing"] = flat_missing.reshape(n_units, n_leaves).sum(axis=1)
    has_app = (stage == "appraisal").any(axis=1)
    units_frame["stage"] = np.select([provisional & has_app, provisional, has_app],
                                     ["mixed", "self", "appraisal"], default=None)
    units_frame = rank_units(units_frame, criteria)

    leaves_frame = pd.DataFrame({
        "unit": np.repeat(unit_ids, n_leaves),
        "criterion": np.tile(leaf_pos.index.to_numpy(), n_units),
        "points": flat_points, "max": np.tile(params.max, n_units),
        "applicable": flat_applicable, "missing": flat_missing, "stage": flat_stage,
    })
    order = units_frame.index
    return Scorecard(criteria, as_of, units_frame, node_score.loc[order], node_max.loc[order],
                     leaves_frame)


def _positions(column: pd.Series, positions: pd.Series) -> np.ndarray:
    """Position of each value in ``positions`` (-1 when absent), by category when it can."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        by_code = positions.reindex(column.cat.categories).fillna(-1).to_numpy(dtype=np.int64)
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, by_code[codes], -1)
    return positions.reindex(column).fillna(-1).to_numpy(dtype=np.int64)


def roll_up(criteria: CriteriaSet, P: np.ndarray, M: np.ndarray, unit_ids: np.ndarray):
    """Each node's score = its applicable children's sum, capped at its applicable max."""
    score: dict[str, np.ndarray] = {}
    amax: dict[str, np.ndarray] = {}
    leaf_index = {leaf.code: i for i, leaf in enumerate(criteria.leaves)}

    def visit(node):
        if node.is_leaf:
            i = leaf_index[node.code]
            score[node.code], amax[node.code] = P[:, i], M[:, i]
            return
        for child in node.children:
            visit(child)
        total_max = sum(amax[c.code] for c in node.children)
        amax[node.code] = total_max
        score[node.code] = np.minimum(sum(score[c.code] for c in node.children), total_max)

    for domain in criteria.domains:
        visit(domain)
    codes = list(criteria.nodes)
    frame = lambda d: pd.DataFrame({c: d[c] for c in codes}, index=unit_ids)
    return frame(score), frame(amax)


def unit_totals(criteria: CriteriaSet, units: pd.DataFrame, node_score: pd.DataFrame,
            node_max: pd.DataFrame) -> pd.DataFrame:
    kind = {d.code: d.kind for d in criteria.domains}
    of_kind = lambda k: [c for c, v in kind.items() if v == k]
    regular = node_score[of_kind("regular")].sum(axis=1)
    regular_max = node_max[of_kind("regular")].sum(axis=1)
    bonus = node_score[of_kind("bonus")].sum(axis=1)
    penalty = node_score[of_kind("penalty")].sum(axis=1)
    total = np.clip(regular + bonus - penalty, 0.0, regular_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(regular_max > 0, criteria.scale * total / regular_max, np.nan)
    return pd.DataFrame({
        "name": units["name"].to_numpy(), "group": units["group"].to_numpy(),
        "score": total.to_numpy(), "max": regular_max.to_numpy(), "index": index,
        "regular": regular.to_numpy(), "bonus": bonus.to_numpy(), "penalty": penalty.to_numpy(),
    }, index=node_score.index)
