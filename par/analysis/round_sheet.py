"""A unit's scoring sheet of a round (phiếu chấm điểm): one row per node of the criteria
tree with its maximum, the unit's self points, the appraised points, the appraisal council's
comment and the unit's explanation (../shared/spec/WORKFLOW.md §2; the document the office
signs is drawn from it by par.export.round_docs).

- ``self_points``: the leaf scored from the unit's self rows only (par.engine.scoring.score on
  the rows with stage ``self``, as of the round's period), so a leaf that needs evidence and
  has none scores 0 (``missing_evidence``); NaN when the leaf has no self row.
- ``appraised_points``: the leaf's points where an appraisal row exists (the contract's score,
  in which appraisal rows decide), else NaN.
- A node's figures are the sums of its leaves' (NaN when none of its leaves has one), capped at
  the node's applicable maximum as the engine caps them.
- ``comment``: the appraisal row's note; when it is blank and the leaf was flagged, the
  flag's comment (the request to explain). ``explanation``: the unit's answer to a flag.
- ``kind``: ``domain`` (top-level node), ``criterion`` (a node with children) or ``leaf``.

Pure: reads a RoundState (par.store.round_work) the caller loaded; imports no store.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.engine.scoring import Scorecard, score

SHEET_COLUMNS = ["code", "name", "depth", "kind", "max", "self_points", "appraised_points",
                 "comment", "explanation"]


def _unit_frame(state, unit: str) -> pd.DataFrame:
    """The one unit, as score() wants it; ParError when it is not a unit of the set's level."""
    units = state.units
    one = units[(units["id"].astype(str) == str(unit))
                & (units["level"] == state.criteria.level)]
    if one.empty:
        raise ParError([Issue("docs.unknown_unit", {"unit": str(unit)})])
    return one


def _cards(state, unit: str) -> tuple[Scorecard, Scorecard]:
    """(self-only card, contract card) of the one unit, as of the round's period."""
    one = _unit_frame(state, unit)
    rows = state.rows[state.rows["unit"].astype(str) == str(unit)]
    as_of = parse_period(state.round.period)
    own = score(state.criteria, one, rows[rows["stage"].astype(str) == "self"], as_of)
    full = score(state.criteria, one, rows, as_of)
    return own, full


def _membership(criteria: CriteriaSet) -> tuple[list, np.ndarray]:
    """(nodes in tree order, nodes × leaves 0/1 matrix: the leaves under each node)."""
    nodes = list(criteria.nodes.values())
    leaf_at = {leaf.code: i for i, leaf in enumerate(criteria.leaves)}
    member = np.zeros((len(nodes), len(leaf_at)))
    for i, node in enumerate(nodes):
        for below in node.walk():
            if below.is_leaf:
                member[i, leaf_at[below.code]] = 1.0
    return nodes, member


def _roll(member: np.ndarray, leaf_values: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Each node's sum of its leaves' values (NaN leaves left out; NaN when all are), capped."""
    has = ~np.isnan(leaf_values)
    sums = member @ np.where(has, leaf_values, 0.0)
    counts = member @ has.astype(float)
    return np.where(counts > 0, np.minimum(sums, cap), np.nan)


def _texts(frame: pd.DataFrame, key: str, value: str) -> dict[str, str]:
    if frame is None or not len(frame):
        return {}
    texts = frame[value].fillna("").astype(str).str.strip()
    keep = texts.ne("")
    return dict(zip(frame.loc[keep, key].astype(str), texts[keep]))


def _comments(state, unit: str) -> dict[str, str]:
    """Leaf → the appraisal row's note (the latest period of the year up to the round's)."""
    rows = state.rows
    as_of = parse_period(state.round.period)
    mine = rows[(rows["unit"].astype(str) == str(unit))
                & (rows["stage"].astype(str) == "appraisal")
                & (rows["year"] == as_of.year) & (rows["order"] <= as_of.order)]
    mine = mine.sort_values("order", kind="stable")
    return _texts(mine, "criterion", "note")


def _flags(state, unit: str) -> pd.DataFrame:
    flags = state.flags
    if flags is None or not len(flags):
        return pd.DataFrame(columns=["criterion", "comment", "explanation"])
    return flags[flags["unit"].astype(str) == str(unit)]


def unit_sheet(state, unit: str, lang: str = "vi") -> pd.DataFrame:
    """SHEET_COLUMNS, one row per node of the round's criteria set in tree order (see the
    module's docstring). ``state``: a par.store.round_work.RoundState. Raises ParError
    (docs.unknown_unit) for a unit that is not one of the set's level."""
    criteria = state.criteria
    own, full = _cards(state, unit)
    nodes, member = _membership(criteria)
    leaves = [leaf.code for leaf in criteria.leaves]

    own_leaves = own.leaves.set_index("criterion").reindex(leaves)
    self_leaf = own_leaves["points"].to_numpy(dtype=float)
    self_leaf = np.where(own_leaves["stage"].notna().to_numpy(), self_leaf, np.nan)
    full_leaves = full.leaves.set_index("criterion").reindex(leaves)
    appraised = (full_leaves["stage"] == "appraisal").to_numpy(dtype=bool)
    appraised_leaf = np.where(appraised, full_leaves["points"].to_numpy(dtype=float), np.nan)

    codes = [n.code for n in nodes]
    cap = full.node_max.iloc[0].reindex(codes).to_numpy(dtype=float)
    # a leaf that is not applicable has no applicable max: keep the set's max as the cap then
    cap = np.where(cap > 0, cap, [n.max for n in nodes])

    comments = _comments(state, unit)
    flags = _flags(state, unit)
    asked = _texts(flags, "criterion", "comment")
    explained = _texts(flags, "criterion", "explanation")
    depth = _depths(criteria)
    return pd.DataFrame({
        "code": codes,
        "name": [n.display_name(lang) for n in nodes],
        "depth": [depth[c] for c in codes],
        "kind": ["domain" if depth[n.code] == 0 else "leaf" if n.is_leaf else "criterion"
                 for n in nodes],
        "max": [float(n.max) for n in nodes],
        "self_points": _roll(member, self_leaf, cap),
        "appraised_points": _roll(member, appraised_leaf, cap),
        "comment": [comments.get(c) or asked.get(c, "") if n.is_leaf else ""
                    for c, n in zip(codes, nodes)],
        "explanation": [explained.get(c, "") if n.is_leaf else "" for c, n in zip(codes, nodes)],
    }, columns=SHEET_COLUMNS)


def missing_evidence(state, unit: str) -> list[str]:
    """The leaves whose self points are 0 for want of evidence (WORKFLOW §2), in set order."""
    own, _ = _cards(state, unit)
    return own.leaves.loc[own.leaves["missing_evidence"].to_numpy(dtype=bool),
                          "criterion"].astype(str).tolist()


def _depths(criteria: CriteriaSet) -> dict[str, int]:
    out: dict[str, int] = {}

    def visit(node, level: int) -> None:
        out[node.code] = level
        for child in node.children:
            visit(child, level + 1)

    for domain in criteria.domains:
        visit(domain, 0)
    return out


def sheet_totals(state, unit: str, sheet: pd.DataFrame | None = None) -> dict:
    """The sheet's totals of one unit (``sheet``: its unit_sheet, when the caller has it).

    ``max``: the applicable regular maximum; ``self_score``/``self_index``: the totals scored
    from the self rows only; ``appraised_score``: the appraised column's total (regular
    domains + bonus − penalty, within 0 … max; NaN when nothing is appraised);
    ``score``/``index``/``band``: the contract's result of the round so far (appraisal rows
    where they exist, self rows elsewhere: what publication freezes; equal to
    ``appraised_score`` once every leaf is appraised); ``appraised``/``flagged``/``explained``/
    ``leaves``: counts of leaves."""
    own, full = _cards(state, unit)
    sheet = unit_sheet(state, unit) if sheet is None else sheet
    domains = sheet[sheet["kind"] == "domain"].set_index("code")["appraised_points"]
    kinds = pd.Series({d.code: d.kind for d in state.criteria.domains}).reindex(domains.index)
    sign = kinds.map({"regular": 1.0, "bonus": 1.0, "penalty": -1.0}).fillna(0.0)
    appraised_score = (float(np.clip((domains.fillna(0.0) * sign).sum(), 0.0,
                                     float(full.units.iloc[0]["max"])))
                       if domains.notna().any() else np.nan)
    mine, result = own.units.iloc[0], full.units.iloc[0]
    flags = _flags(state, unit)
    explained = (flags["explanation"].fillna("").astype(str).str.strip().ne("")
                 if len(flags) else pd.Series(dtype=bool))
    return {
        "max": float(result["max"]),
        "self_score": float(mine["score"]) if own.leaves["stage"].notna().any() else np.nan,
        "self_index": float(mine["index"]) if own.leaves["stage"].notna().any() else np.nan,
        "appraised_score": appraised_score,
        "score": float(result["score"]),
        "index": float(result["index"]),
        "band": result["band"],
        "appraised": int((full.leaves["stage"] == "appraisal").sum()),
        "flagged": int(len(flags)),
        "explained": int(explained.sum()),
        "leaves": len(state.criteria.leaves),
    }
