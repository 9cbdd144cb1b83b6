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

from par.domain.models import AGGREGATES, CriteriaSet, half_up_units
from par.domain.periods import Period
from par.engine.ranking import rank_units
from par.engine.rules import Cells, LeafParams, apply_rules

_AGG_COLUMNS = ("value", "numerator", "denominator")

# Points are kept to 6 decimals (what the JSON publishes) and added as whole micro-points,
# so totals are exact: 0.1 + 0.2 is 0.3, and the index is one division of two exact sums.
POINT_DECIMALS = 6
_MICRO = 10 ** POINT_DECIMALS


def micro_points(points) -> np.ndarray:
    """Points as whole micro-points (int64), rounded half up on the decimal value."""
    return np.asarray(half_up_units(np.asarray(points, dtype=float), POINT_DECIMALS)
                      ).astype(np.int64)


@dataclass
class Scorecard:
    """The result the CLI, the dashboard and the exports read.

    units      one row per scored unit (index = unit id): name, group, score
               (the total), max (applicable regular max), index, index_2dp,
               rank, of, group_rank, group_of, band, provisional, regular,
               bonus, penalty, missing (count of missing leaves), stage.
    node_score units × every node code (tree order): the node's score.
    node_max   units × every node code: its applicable max (0 = not applicable).
    leaves     long: unit, criterion, points, max, applicable, missing, missing_evidence
               (a self-scored leaf that needs evidence and has none: 0 points), stage.
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
        fields, per_domain = self._record_columns()
        domain_rows = zip(*per_domain.values()) if per_domain else [()] * len(self.units)
        return [{**dict(zip(fields, values)), "domains": dict(zip(per_domain, domain_values))}
                for values, domain_values in zip(zip(*fields.values()), domain_rows)]

    def to_json(self) -> str:
        """The records as JSON text: ``json.dumps(to_records(), ensure_ascii=False, indent=2)``,
        written field by field (see ``indented_json``) without building the records."""
        fields, per_domain = self._record_columns()
        encoded = [(key, _json_scalars(values)) for key, values in fields.items()]
        inner = [(code, _json_scalars(values)) for code, values in per_domain.items()]
        if not len(self.units) or not inner or any(v is None for _, v in encoded + inner):
            return indented_json(self.to_records())
        domains = ["{\n" + body + "\n    }" for body in _json_bodies(inner, 6)]
        return _json_document(encoded + [("domains", domains)])

    def _record_columns(self) -> tuple[dict[str, list], dict[str, list]]:
        """The records' fields column by column, and each domain's scores (None where the
        domain is not applicable), as Python values in records order."""
        domains = self.domain_codes()
        scores = self.node_score[domains].round(6).to_numpy()
        applicable = self.node_max[domains].to_numpy() > 0
        u = self.units
        num = lambda col: _values(u[col], lambda v: round(float(v), 6))
        ints = lambda col: _values(u[col], int)
        text = lambda col: _values(u[col], lambda v: v)
        fields = {"unit": u.index.tolist(), "name": u["name"].tolist(), "group": text("group"),
                  "score": num("score"), "max": num("max"), "index": num("index"),
                  "rank": ints("rank"), "of": ints("of"), "band": text("band"),
                  "provisional": [bool(p) for p in u["provisional"].tolist()]}
        per_domain = {code: np.where(applicable[:, j], scores[:, j], None).tolist()
                      for j, code in enumerate(domains)}
        return fields, per_domain


def _values(column: pd.Series, convert) -> list:
    """A column as Python values, None where missing."""
    missing = column.isna().to_numpy()
    return [None if m else convert(v) for v, m in zip(column.tolist(), missing)]


def indented_json(records: list[dict]) -> str:
    """``json.dumps(records, ensure_ascii=False, indent=2)``, field by field.

    json's indented output is written by its pure-Python encoder, value by value. When the
    records are alike (the same keys in the same order; a dict field alike in every record)
    each field is encoded for all records at once by the C encoder and only joined here.
    Anything else goes to json.dumps itself.
    """
    import json

    fields = _json_fields(records, 4) if records else None
    if fields is None:
        return json.dumps(records, ensure_ascii=False, indent=2)
    return _json_document(fields)


def _json_document(fields: list[tuple[str, list[str]]]) -> str:
    """The indented JSON array of the records whose fields are encoded in ``fields``."""
    return "[\n  {\n" + "\n  },\n  {\n".join(_json_bodies(fields, 4)) + "\n  }\n]"


def _json_bodies(fields: list[tuple[str, list[str]]], indent: int):
    """Per record, its lines ``"key": value`` (indented, joined), from encoded fields."""
    from json.encoder import encode_basestring

    pad = " " * indent
    lines = [map((pad + encode_basestring(key) + ": ").__add__, values) for key, values in fields]
    return map(",\n".join, zip(*lines))


def _json_fields(records: list, indent: int) -> list[tuple[str, list[str]]] | None:
    """Per key, each record's value as JSON text; None unless the records are alike."""
    if not all(type(r) is dict for r in records):
        return None
    keys = list(records[0])
    if not keys or not all(isinstance(k, str) for k in keys) or any(
            len(r) != len(keys) or list(r) != keys for r in records):
        return None
    fields = []
    for key in keys:
        column = [r[key] for r in records]
        if all(type(v) is dict for v in column):
            inner = _json_fields(column, indent + 2)
            if inner is None:
                return None
            close = "\n" + " " * indent + "}"
            values = ["{\n" + body + close for body in _json_bodies(inner, indent + 2)]
        else:
            values = _json_scalars(column)
            if values is None:
                return None
        fields.append((key, values))
    return fields


_JSON_NUMBERS = {int, float, bool, type(None)}


def _json_scalars(column: list) -> list[str] | None:
    """Each value's JSON text; None when a value is not a plain str, number, bool or None."""
    import json
    from json.encoder import encode_basestring

    types = set(map(type, column))
    if types == {str}:
        return list(map(encode_basestring, column))
    if types <= _JSON_NUMBERS:  # no string: ", " only ever separates the values
        return json.dumps(column)[1:-1].split(", ") if column else []
    if types <= _JSON_NUMBERS | {str}:
        return ["null" if v is None else encode_basestring(v) if type(v) is str
                else json.dumps(v) for v in column]
    return None


def window(rows: pd.DataFrame, as_of: Period) -> pd.DataFrame:
    """Rows of the as-of year up to and including the as-of period."""
    return rows[_in_window(rows, as_of)]


def _in_window(rows: pd.DataFrame, as_of: Period) -> np.ndarray:
    return (rows["year"].to_numpy() == as_of.year) & (rows["order"].to_numpy() <= as_of.order)


# A cell's stage: no row, scored from self rows, scored from appraisal rows.
NO_STAGE, SELF, APPRAISAL = 0, 1, 2
_STAGE_NAMES = np.array([None, "self", "appraisal"], dtype=object)
_LAST = AGGREGATES.index("last")


@dataclass
class _Grid:
    """Every (unit, leaf) cell of a score, numbered unit-major: cell = unit × leaves + leaf."""

    unit_ids: np.ndarray
    leaf_codes: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.unit_ids), len(self.leaf_codes)

    @property
    def size(self) -> int:
        return len(self.unit_ids) * len(self.leaf_codes)

    def cells_of(self, rows: pd.DataFrame) -> np.ndarray:
        """Each row's cell, negative when its unit is not scored or its criterion not a leaf."""
        n_units, n_leaves = self.shape
        dtype = np.int32 if self.size < 2**30 else np.int64
        off = -(2**30) if dtype == np.int32 else -(2**62)  # two offs still fit the dtype
        unit_start = _lookup(rows["unit"], self.unit_ids, np.arange(n_units) * n_leaves, off, dtype)
        leaf_at = _lookup(rows["criterion"], self.leaf_codes, np.arange(n_leaves), off, dtype)
        unit_start += leaf_at
        return unit_start


@dataclass
class _ChosenRows:
    """The rows a score reads: in the window, on the grid, of the stage that counts per cell."""

    position: np.ndarray  # row positions in the rows frame
    cell: np.ndarray
    has_appraisal: np.ndarray  # per grid cell: appraisal rows exist in the window

    @classmethod
    def of(cls, rows: pd.DataFrame, as_of: Period, grid: _Grid) -> "_ChosenRows":
        """An appraisal row of a cell, when there is one, sets aside all its self rows."""
        cell = grid.cells_of(rows)
        appraisal = _equals(rows["stage"], "appraisal")
        kept = _in_window(rows, as_of) & (cell >= 0)
        position = None if kept.all() else np.flatnonzero(kept)  # None: every row
        if position is not None:
            cell, appraisal = cell[position], appraisal[position]
        has_appraisal = np.zeros(grid.size, dtype=bool)
        has_appraisal[cell[appraisal]] = True
        use = appraisal | ~has_appraisal[cell]
        position = np.flatnonzero(use) if position is None else position[use]
        return cls(position, cell[use], has_appraisal)

    def column(self, rows: pd.DataFrame, name: str, dtype=None) -> np.ndarray:
        return rows[name].to_numpy(dtype=dtype)[self.position]


@dataclass
class _CellFigures:
    """Each cell with rows: its aggregated figures and whether it is not applicable."""

    cell: np.ndarray  # ascending
    na: np.ndarray
    figures: dict[str, np.ndarray]  # value, numerator, denominator


def score(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
          as_of: Period | None = None) -> Scorecard:
    """Score every unit of the criteria set's level; ``as_of`` defaults to its whole year."""
    as_of = as_of or Period(criteria.year, 5)
    scored = units[units["level"] == criteria.level]
    leaf_codes = np.array([leaf.code for leaf in criteria.leaves], dtype=object)
    grid = _Grid(scored["id"].to_numpy(), leaf_codes)
    params = LeafParams.of(criteria)
    chosen = _ChosenRows.of(rows, as_of, grid)
    aggregated = _aggregate(rows, chosen, params, grid)
    points, na = _cell_points(aggregated, params, grid)

    leaf_points = np.zeros(grid.size)
    leaf_points[aggregated.cell] = micro_points(points) / _MICRO
    stage = np.full(grid.size, NO_STAGE, dtype=np.int8)
    stage[aggregated.cell] = np.where(chosen.has_appraisal[aggregated.cell], APPRAISAL, SELF)
    no_evidence = _missing_evidence(criteria, rows, chosen, grid, stage)
    leaf_points[no_evidence] = 0.0
    applicable = np.ones(grid.size, dtype=bool)
    applicable[aggregated.cell] = ~na
    missing = np.ones(grid.size, dtype=bool)
    missing[aggregated.cell] = False

    leaf_max = applicable.reshape(grid.shape) * params.max
    unit_index = pd.Index(grid.unit_ids)
    node_score, node_max = roll_up(criteria, leaf_points.reshape(grid.shape), leaf_max,
                                   unit_index)
    units_frame = _units_frame(criteria, scored, node_score, node_max,
                               stage.reshape(grid.shape), missing.reshape(grid.shape))
    n_units, n_leaves = grid.shape
    leaves_frame = pd.DataFrame({
        "unit": _text_column(grid.unit_ids, np.repeat(np.arange(n_units), n_leaves)),
        "criterion": _text_column(grid.leaf_codes, np.tile(np.arange(n_leaves), n_units)),
        "points": leaf_points, "max": np.tile(params.max, n_units),
        "applicable": applicable, "missing": missing, "missing_evidence": no_evidence,
        "stage": _STAGE_NAMES[stage] if (stage == NO_STAGE).all()  # all None: stays object
        else _text_column(_STAGE_NAMES, stage),
    }, copy=False)
    order = units_frame.index
    return Scorecard(criteria, as_of, units_frame, node_score.loc[order], node_max.loc[order],
                     leaves_frame)


def _missing_evidence(criteria: CriteriaSet, rows: pd.DataFrame, chosen: _ChosenRows,
                      grid: _Grid, stage: np.ndarray) -> np.ndarray:
    """Cells scored from self rows of a leaf that needs evidence (WORKFLOW §2) where no
    chosen row has any: they score 0 until evidence or an appraisal row comes."""
    out = np.zeros(grid.size, dtype=bool)
    needs = criteria.needs_evidence
    if not needs or not len(chosen.cell):
        return out
    leaf_needs = np.isin(grid.leaf_codes, list(needs))
    evidence = chosen.column(rows, "evidence", object)
    has = np.zeros(grid.size, dtype=bool)
    has[chosen.cell[pd.Series(evidence).fillna("").astype(str).str.strip().ne("").to_numpy()]] = True
    n_leaves = len(grid.leaf_codes)
    out = (stage == SELF) & np.tile(leaf_needs, len(grid.unit_ids)) & ~has
    return out if n_leaves else np.zeros(grid.size, dtype=bool)


def _text_column(distinct: np.ndarray, codes: np.ndarray):
    """``distinct[codes]`` for a frame, typed by pandas from the few distinct values (str
    when they are strings) instead of from every row; ``codes`` use every distinct value."""
    if not len(codes):
        return distinct[codes]
    return pd.Series(distinct, copy=False).array.take(codes)


def _units_frame(criteria: CriteriaSet, scored: pd.DataFrame, node_score: pd.DataFrame,
                 node_max: pd.DataFrame, stage: np.ndarray, missing: np.ndarray) -> pd.DataFrame:
    """Totals, stage and missing count per unit, ranked (best first)."""
    units_frame = unit_totals(criteria, scored, node_score, node_max)
    provisional = (stage == SELF).any(axis=1)
    has_appraisal = (stage == APPRAISAL).any(axis=1)
    units_frame["provisional"] = provisional
    units_frame["missing"] = missing.sum(axis=1)
    units_frame["stage"] = np.select([provisional & has_appraisal, provisional, has_appraisal],
                                     ["mixed", "self", "appraisal"], default=None)
    return rank_units(units_frame, criteria)


def _cell_points(aggregated: _CellFigures, params: LeafParams, grid: _Grid
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Points of each cell with rows (0 when not applicable) and its not-applicable flag."""
    figures = aggregated.figures
    points, rule_na = apply_rules(Cells(aggregated.cell % grid.shape[1], figures["value"],
                                        figures["numerator"], figures["denominator"], params))
    na = aggregated.na | rule_na
    return np.where(na, 0.0, points), na


def _aggregate(rows: pd.DataFrame, chosen: _ChosenRows, params: LeafParams, grid: _Grid
               ) -> _CellFigures:
    """Combine each cell's rows by its leaf's aggregate (CONTRACT §1 "How quarters combine").

    ``last`` takes the latest row (N/A included); the others combine the applicable rows
    and leave the cell not applicable when it has none.
    """
    figures = {col: chosen.column(rows, col, float) for col in _AGG_COLUMNS}
    if not len(chosen.cell):
        return _CellFigures(chosen.cell, np.zeros(0, dtype=bool), figures)
    na = chosen.column(rows, "na", bool)
    by_cell = _sorted_by(chosen.cell, chosen.column(rows, "order", np.int64))
    cell = chosen.cell[by_cell]
    first = np.r_[True, cell[1:] != cell[:-1]]  # the first row of each cell
    starts = np.flatnonzero(first)
    latest = by_cell[np.r_[starts[1:], len(cell)] - 1]
    cells = cell[starts]
    aggregate_of_leaf = np.array([AGGREGATES.index(a) for a in params.aggregate], dtype=np.int8)
    aggregate = aggregate_of_leaf[cells % grid.shape[1]]
    out = {col: values[latest] for col, values in figures.items()}
    cell_na = na[latest]
    if (aggregate != _LAST).any():
        group = np.cumsum(first) - 1  # each sorted row's cell, as a position in ``cells``
        row_na = na[by_cell]
        has_applicable = np.bincount(group[~row_na], minlength=len(cells)) > 0
        cell_na = np.where(aggregate == _LAST, cell_na, ~has_applicable)
        _combine_applicable(out, figures, by_cell, group, aggregate, row_na)
    return _CellFigures(cells, cell_na.astype(bool), out)


def _combine_applicable(out: dict[str, np.ndarray], figures: dict[str, np.ndarray],
                        by_cell: np.ndarray, group: np.ndarray, aggregate: np.ndarray,
                        row_na: np.ndarray) -> None:
    """Set ``out`` of every cell whose aggregate is not ``last``: sum, mean, max or min of its
    applicable rows in period order (NaN when it has none), as pandas' groupby computes it."""
    row_aggregate = aggregate[group]
    for code in np.unique(aggregate[aggregate != _LAST]):
        of_rows = (row_aggregate == code) & ~row_na
        stats = pd.DataFrame({col: values[by_cell[of_rows]] for col, values in figures.items()}
                             ).groupby(group[of_rows]).agg(AGGREGATES[code])
        for col in _AGG_COLUMNS:
            out[col][aggregate == code] = np.nan
            out[col][stats.index.to_numpy()] = stats[col].to_numpy()


def _sorted_by(cell: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions ordering rows by cell then period order, ties kept in row order."""
    key = cell.astype(np.int64) * (int(order.max()) + 1) + order
    if (key[1:] >= key[:-1]).all():  # often already so: files list each unit's rows together
        return np.arange(len(key))
    return np.argsort(key, kind="stable")


def _lookup(column: pd.Series, keys: np.ndarray, values: np.ndarray, absent: int, dtype
            ) -> np.ndarray:
    """``values`` of each row's key in ``keys`` (``absent`` when not there), as a new array.

    A categorical column is looked up once per category, then taken by code.
    """
    def at(items) -> np.ndarray:
        position = pd.Index(keys).get_indexer(items)
        found = position >= 0
        out = np.full(len(position) + 1, absent, dtype=dtype)  # + a last slot for code -1
        out[:-1][found] = values[position[found]]
        return out

    if isinstance(column.dtype, pd.CategoricalDtype):
        return at(column.cat.categories)[column.cat.codes.to_numpy()]
    return at(column)[:-1]


def _equals(column: pd.Series, value: str) -> np.ndarray:
    """``column == value`` as booleans; by category code when the column is categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        code = column.cat.categories.get_indexer([value])[0]
        return column.cat.codes.to_numpy() == code if code >= 0 else np.zeros(len(column), bool)
    return (column == value).to_numpy(dtype=bool)


def roll_up(criteria: CriteriaSet, leaf_points: np.ndarray, leaf_max: np.ndarray,
            unit_ids: np.ndarray):
    """Each node's score = its applicable children's sum, capped at its applicable max.

    ``leaf_points`` and ``leaf_max`` are units × leaves (leaf order); returns two
    units × nodes frames (tree order): node scores and applicable maxima. The sums are
    exact: they are made in whole micro-points (``POINT_DECIMALS``).
    """
    points, maxima = micro_points(leaf_points), micro_points(leaf_max)
    score: dict[str, np.ndarray] = {}
    amax: dict[str, np.ndarray] = {}
    leaf_index = {leaf.code: i for i, leaf in enumerate(criteria.leaves)}

    def visit(node):
        if node.is_leaf:
            i = leaf_index[node.code]
            score[node.code], amax[node.code] = points[:, i], maxima[:, i]
            return
        for child in node.children:
            visit(child)
        total_max = sum(amax[c.code] for c in node.children)
        amax[node.code] = total_max
        score[node.code] = np.minimum(sum(score[c.code] for c in node.children), total_max)

    for domain in criteria.domains:
        visit(domain)
    codes = list(criteria.nodes)
    frame = lambda d: pd.DataFrame({c: d[c] / _MICRO for c in codes}, index=unit_ids)
    return frame(score), frame(amax)


def unit_totals(criteria: CriteriaSet, units: pd.DataFrame, node_score: pd.DataFrame,
            node_max: pd.DataFrame) -> pd.DataFrame:
    """Regular, bonus, penalty, total (clamped) and index per unit (CONTRACT §4), added in
    whole micro-points; the index is ``scale × total / max`` of the two exact sums."""
    kind = {d.code: d.kind for d in criteria.domains}
    of_kind = lambda k: [c for c, v in kind.items() if v == k]
    micro = lambda frame, k: micro_points(frame[of_kind(k)].to_numpy(dtype=float)).sum(axis=1)
    regular = micro(node_score, "regular")
    regular_max = micro(node_max, "regular")
    bonus = micro(node_score, "bonus")
    penalty = micro(node_score, "penalty")
    total = np.clip(regular + bonus - penalty, 0, regular_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(regular_max > 0, criteria.scale * total.astype(float) / regular_max,
                         np.nan)
    return pd.DataFrame({
        "name": units["name"].to_numpy(), "group": units["group"].to_numpy(),
        "score": total / _MICRO, "max": regular_max / _MICRO, "index": index,
        "regular": regular / _MICRO, "bonus": bonus / _MICRO, "penalty": penalty / _MICRO,
    }, index=node_score.index)
