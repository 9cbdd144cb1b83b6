"""Frames for the unit dashboard: rank changes, domain comparisons, attainment grids,
missing data, one criterion across units, self-assessment against appraisal, trends.

Pure pandas, no streamlit. Scores always come from the engine (``par.engine.scoring.score``):
the functions that need another window or another stage call it again rather than
re-implementing a rule. Names come in the requested language (``lang``); codes, ids
and numbers stay as the engine gives them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet
from par.domain.periods import ANNUAL, Period, parse_period
from par.engine.diff import KINDS, SetDiff, diff_sets
from par.engine.scoring import Scorecard, score, window
from par.i18n import t
from par.i18n.formatting import fmt_number

DOMAIN_COLUMNS = ["code", "name", "score", "max", "mean", "best", "attainment"]
MISSING_COLUMNS = ["code", "name", "max", "domain"]
DISTRIBUTION_COLUMNS = ["unit", "name", "points", "max", "applicable"]
SELF_APPRAISAL_COLUMNS = ["code", "name", "domain", "max", "self_points", "appraisal_points",
                          "difference"]
TREND_COLUMNS = ["unit", "as_of", "index", "rank", "of", "provisional", "stage", "unscored",
                 "unscored_criteria"]


def _check_unit(card: Scorecard, unit: str) -> None:
    if unit not in card.units.index:
        raise KeyError(f"unit '{unit}' is not scored in {card.criteria.id}; "
                       f"expected one of {list(card.units.index)}")


def _names(criteria: CriteriaSet, codes: Iterable[str], lang: str) -> list[str]:
    nodes = criteria.nodes
    return [nodes[c].display_name(lang) for c in codes]


def _percent(points: pd.DataFrame | pd.Series, amax: pd.DataFrame | pd.Series):
    """100 × points / max; NaN where the max is 0 (not applicable)."""
    return 100.0 * points / amax.where(amax > 0)


# -- one scorecard -------------------------------------------------------------------

def get_rank_change(card: Scorecard, previous_card: Scorecard | None) -> pd.Series:
    """Previous rank − current rank per unit (positive = moved up), Int64.

    NA when the unit is unranked in either card, absent from the previous one, or
    when there is no previous card.
    """
    current = card.units["rank"].astype("Int64")
    if previous_card is None:
        out = pd.Series(pd.NA, index=card.units.index, dtype="Int64")
    else:
        previous = previous_card.units["rank"].astype("Int64").reindex(card.units.index)
        out = previous - current
    return out.rename("rank_change")


def get_domain_comparison(card: Scorecard, unit: str, lang: str = "vi") -> pd.DataFrame:
    """Per regular domain: the unit's score and applicable max, the level's mean and best.

    Mean and best are over the ranked units of the level for whom the domain applies
    (max > 0); attainment is 100 × score / max, NaN when the domain does not apply.
    """
    _check_unit(card, unit)
    codes = card.domain_codes("regular")
    scores, maxes = card.node_score[codes], card.node_max[codes]
    ranked = card.ranked.index
    pool = scores.loc[ranked].where(maxes.loc[ranked] > 0)
    own_score, own_max = scores.loc[unit], maxes.loc[unit]
    return pd.DataFrame({
        "code": codes,
        "name": _names(card.criteria, codes, lang),
        "score": own_score.where(own_max > 0).to_numpy(dtype=float),
        "max": own_max.to_numpy(dtype=float),
        "mean": pool.mean().to_numpy(dtype=float),
        "best": pool.max().to_numpy(dtype=float),
        "attainment": _percent(own_score, own_max).to_numpy(dtype=float),
    })[DOMAIN_COLUMNS]


def _attainment_frame(card: Scorecard, codes: list[str], lang: str) -> pd.DataFrame:
    out = _percent(card.node_score[codes], card.node_max[codes]).astype(float)
    out = out.loc[card.units.index].rename_axis("unit").rename_axis(None, axis=1)
    # labels for figures (kept with the frame; they survive .loc and pickling)
    out.attrs["unit_names"] = card.units["name"].to_dict()
    out.attrs["column_names"] = dict(zip(codes, _names(card.criteria, codes, lang)))
    return out


def get_domain_attainment(card: Scorecard, lang: str = "vi") -> pd.DataFrame:
    """Units (rank order, unranked last) × regular domains: attainment %, NaN when not applicable.

    ``attrs["unit_names"]`` maps unit id → name and ``attrs["column_names"]`` code → name.
    """
    return _attainment_frame(card, card.domain_codes("regular"), lang)


def get_leaf_attainment(card: Scorecard, domain_code: str, lang: str = "vi") -> pd.DataFrame:
    """Units × the leaves of one domain (tree order): attainment %, NaN when not applicable.

    A leaf with no data counts 0 %, as it counts 0 points in the score.
    """
    domains = {d.code: d for d in card.criteria.domains}
    if domain_code not in domains:
        raise KeyError(f"domain '{domain_code}' is not in {card.criteria.id}; "
                       f"expected one of {list(domains)}")
    codes = [n.code for n in domains[domain_code].walk() if n.is_leaf]
    return _attainment_frame(card, codes, lang)


def get_missing(card: Scorecard, unit: str, lang: str = "vi") -> pd.DataFrame:
    """The unit's leaves with no row in the window (they score 0), in tree order."""
    _check_unit(card, unit)
    leaves = card.leaves
    own = leaves[(leaves["unit"] == unit) & leaves["missing"]]
    codes = own["criterion"].tolist()
    domain_of = card.criteria.domain_of
    return pd.DataFrame({
        "code": codes,
        "name": _names(card.criteria, codes, lang),
        "max": own["max"].to_numpy(dtype=float),
        "domain": [domain_of[c] for c in codes],
    }, columns=MISSING_COLUMNS)


def get_criterion_distribution(card: Scorecard, code: str) -> pd.DataFrame:
    """One node (leaf or branch) across the ranked units, in rank order.

    points and max are the unit's score and applicable max for the node; both are NaN
    where the node does not apply to the unit (``applicable`` False).
    """
    if code not in card.criteria.nodes:
        raise KeyError(f"criterion '{code}' is not in {card.criteria.id}")
    ranked = card.ranked
    amax = card.node_max.loc[ranked.index, code].astype(float)
    applicable = amax > 0
    return pd.DataFrame({
        "unit": ranked.index.to_numpy(),
        "name": ranked["name"].to_numpy(),
        "points": card.node_score.loc[ranked.index, code].where(applicable).to_numpy(dtype=float),
        "max": amax.where(applicable).to_numpy(dtype=float),
        "applicable": applicable.to_numpy(dtype=bool),
    }, columns=DISTRIBUTION_COLUMNS)


# -- several scorings ----------------------------------------------------------------

def get_self_vs_appraisal(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
                          unit: str, as_of: Period | None = None, lang: str = "vi"
                          ) -> pd.DataFrame:
    """Per leaf with both self and appraisal rows for the unit in the as-of window:
    the points each stage alone earns and their difference (self − appraisal).

    Each stage is scored by the engine on its own rows; a stage that finds the leaf
    not applicable gives NaN points (and a NaN difference).
    """
    one = units[(units["id"] == unit) & (units["level"] == criteria.level)]
    if one.empty:
        raise KeyError(f"unit '{unit}' is not a '{criteria.level}' unit")
    own = rows[(rows["unit"] == unit).to_numpy()]
    stage = own["stage"].to_numpy()
    cards = {s: score(criteria, one, own[stage == s], as_of) for s in ("self", "appraisal")}
    leaves = {s: c.leaves.set_index("criterion") for s, c in cards.items()}
    both = ~leaves["self"]["missing"] & ~leaves["appraisal"]["missing"]
    codes = both.index[both.to_numpy()].tolist()

    def points(s: str) -> np.ndarray:
        lv = leaves[s].loc[codes]
        return lv["points"].where(lv["applicable"]).to_numpy(dtype=float)

    self_points, appraisal_points = points("self"), points("appraisal")
    domain_of = criteria.domain_of
    return pd.DataFrame({
        "code": codes,
        "name": _names(criteria, codes, lang),
        "domain": [domain_of[c] for c in codes],
        "max": leaves["self"].loc[codes, "max"].to_numpy(dtype=float),
        "self_points": self_points,
        "appraisal_points": appraisal_points,
        "difference": self_points - appraisal_points,
    }, columns=SELF_APPRAISAL_COLUMNS)


def trend_periods(criteria: CriteriaSet, rows: pd.DataFrame) -> list[Period]:
    """The periods of the criteria set's year that have rows: quarters in order, the year last."""
    year_rows = window(rows, Period(criteria.year, ANNUAL))
    return [Period(criteria.year, int(o)) for o in sorted(pd.unique(year_rows["order"]))]


def get_trend(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
              unit_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Long frame, one scoring as of each period that has rows (Q1 … Q4, then the whole
    year), units in the order given (default: the latest scoring's rank order), periods in
    time order. Columns:

    unit, as_of, index, rank, of, provisional — as the scorecard has them;
    stage — where the point's figures come from: ``self`` (a year-to-date self-score),
    ``appraisal``, ``mixed`` (some criteria appraised), missing (no data at all);
    unscored, unscored_criteria — the regular criteria with no row yet (surveys and other
    criteria only the appraisal brings, or not yet filled in): they count 0, which is how
    much of the index they hold back (in index points), and how many they are.
    """
    periods = trend_periods(criteria, rows)
    frames = []
    for period in periods:
        card = score(criteria, units, rows, period)
        u = card.units
        unscored, count = _unscored(card)
        frames.append(pd.DataFrame({
            "unit": u.index.to_numpy(), "as_of": str(period),
            "index": u["index"].to_numpy(dtype=float), "rank": u["rank"].astype("Int64").array,
            "of": u["of"].to_numpy(dtype=np.int64),
            "provisional": u["provisional"].to_numpy(dtype=bool),
            "stage": u["stage"].to_numpy(dtype=object),
            "unscored": unscored.to_numpy(dtype=float),
            "unscored_criteria": count.to_numpy(dtype=np.int64)}))
    if not frames:
        dtypes = dict(unit=str, as_of=str, index=float, rank="Int64", of=np.int64, provisional=bool,
                      stage=object, unscored=float, unscored_criteria=np.int64)
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    out = pd.concat(frames, ignore_index=True)
    if unit_ids is None:
        unit_order = frames[-1]["unit"].tolist()
    else:
        unit_order = list(unit_ids)
        unknown = sorted(set(unit_order) - set(out["unit"]))
        if unknown:
            raise KeyError(f"units {unknown} are not '{criteria.level}' units")
    out = out[out["unit"].isin(unit_order)]
    unit_key = out["unit"].map({u: i for i, u in enumerate(dict.fromkeys(unit_order))})
    period_key = out["as_of"].map({str(p): i for i, p in enumerate(periods)})
    order = np.lexsort((period_key.to_numpy(), unit_key.to_numpy()))
    return out.iloc[order].reset_index(drop=True)[TREND_COLUMNS]


def _unscored(card: Scorecard) -> tuple[pd.Series, pd.Series]:
    """Per unit (the card's order): the index points its regular leaves without any row
    hold back (they score 0 and stay in the max), and how many such leaves it has."""
    regular = [d for d in card.criteria.domains if d.kind == "regular"]
    codes = {n.code for d in regular for n in d.walk() if n.is_leaf}
    leaves = card.leaves
    held = (leaves["missing"].to_numpy(dtype=bool)
            & leaves["criterion"].isin(codes).to_numpy())
    by_unit = pd.DataFrame({"unit": leaves["unit"].to_numpy(), "held": held,
                            "max": np.where(held, leaves["max"].to_numpy(dtype=float), 0.0)}
                           ).groupby("unit", sort=False).sum()
    by_unit = by_unit.reindex(card.units.index, fill_value=0)
    amax = card.units["max"].astype(float)
    points = card.criteria.scale * by_unit["max"] / amax.where(amax > 0)
    return points.fillna(0.0), by_unit["held"].astype(np.int64)


def trend_kind(stage: str | None, as_of: str, lang: str = "vi") -> str:
    """What a trend point is, in words: the year-to-date self-score ("Tự chấm lũy kế"), the
    appraised year ("Thẩm định cả năm"), partly appraised, or no data."""
    if stage in ("self", "mixed"):
        key = stage
    elif stage == "appraisal":
        key = "appraisal_ytd" if "-" in str(as_of) else "appraisal_year"
    else:
        key = "none"
    return t(f"trends.kind.{key}", lang)


def get_trend_jump(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
                   trend: pd.DataFrame, unit: str) -> dict | None:
    """Why the unit's index jumps from its last year-to-date self-score to the first appraised
    point after it (usually 2019-Q4 → 2019), or None when its trend has no such step.

    The step splits exactly in two, each scored by the engine: ``newly_scored``, what the
    criteria without any row before (surveys, criteria only the appraisal brings) add now
    (before, they counted 0); and ``adjusted``, how the scoring of the criteria already
    scored moved (mostly the appraisal correcting the self-scores: usually down). Index
    points, newly_scored + adjusted = to_index − from_index.
    """
    own = trend[trend["unit"] == unit].reset_index(drop=True)
    final = own.index[(own["stage"] == "appraisal").to_numpy()
                      & own["provisional"].shift(1, fill_value=False).to_numpy(dtype=bool)]
    if final.empty:
        return None
    before, after = own.loc[final[0] - 1], own.loc[final[0]]
    if pd.isna(before["index"]) or pd.isna(after["index"]):
        return None
    from_period, to_period = parse_period(before["as_of"]), parse_period(after["as_of"])
    one = units[(units["id"] == unit) & (units["level"] == criteria.level)]
    mine = rows[(rows["unit"] == unit).to_numpy()]
    leaves = score(criteria, one, mine, from_period).leaves
    unscored = leaves.loc[leaves["missing"].to_numpy(dtype=bool), "criterion"]
    known = score(criteria, one, mine[~mine["criterion"].isin(unscored).to_numpy()], to_period)
    now = score(criteria, one, mine, to_period).leaves
    scored_now = now["criterion"].isin(unscored).to_numpy() & ~now["missing"].to_numpy(dtype=bool)
    same = float(known.units.at[unit, "index"])
    return {"from": str(from_period), "to": str(to_period),
            "from_index": float(before["index"]), "to_index": float(after["index"]),
            "newly_scored": float(after["index"]) - same, "criteria": int(scored_now.sum()),
            "adjusted": same - float(before["index"])}


def _signed(value: float, lang: str) -> str:
    return ("+" if round(value, 2) > 0 else "") + fmt_number(value, lang)


def describe_trend_jump(jump: dict, lang: str = "vi") -> str:
    """get_trend_jump in one sentence for the trends page: from where to where, what the
    criteria not scored before add, what the appraisal's corrections take away (signed)."""
    return t("trends.jump", lang, from_index=fmt_number(jump["from_index"], lang),
             from_period=jump["from"], to_index=fmt_number(jump["to_index"], lang),
             to_period=jump["to"], newly=_signed(jump["newly_scored"], lang),
             count=jump["criteria"], adjusted=_signed(jump["adjusted"], lang))


def describe_unscored(point: pd.Series, lang: str = "vi") -> str | None:
    """For a year-to-date self-score (a row of get_trend): how many criteria, worth how many
    index points, still count 0; None when it is appraised or nothing is left unscored."""
    if point["stage"] == "appraisal" or not point["unscored_criteria"]:
        return None
    return t("trends.unscored_now", lang, as_of=point["as_of"],
             count=int(point["unscored_criteria"]), points=fmt_number(point["unscored"], lang))


def compare_sets(sets: Sequence[CriteriaSet]) -> list[tuple[int, int, str, str]]:
    """Consecutive years (sorted by year) scored with criteria files of different sha256.

    Returns (previous year, year, previous set id, set id) per such pair; a set without
    a recorded sha256 counts as different, since it cannot be shown to be the same.
    NB: the sha256 is that of the whole YAML text, so files that differ only in their
    ``year:``/``id:`` lines also differ.
    """
    ordered = sorted(sets, key=lambda c: c.year)
    return [(a.year, b.year, a.id, b.id) for a, b in zip(ordered, ordered[1:])
            if a.sha256 is None or b.sha256 is None or a.sha256 != b.sha256]


def method_changes(sets: Sequence[CriteriaSet]) -> list[tuple[int, int, str, str, SetDiff]]:
    """``compare_sets`` with what changed: (previous year, year, previous id, id, the diff)."""
    by_year = {(c.year, c.id): c for c in sets}
    return [(a, b, id_a, id_b, diff_sets(by_year[(a, id_a)], by_year[(b, id_b)]))
            for a, b, id_a, id_b in compare_sets(sets)]


def describe_method_change(diff: SetDiff, lang: str = "vi", limit: int = 3) -> str:
    """One short sentence for the trends page: per kind of change, how many and which codes
    (the first ``limit``), e.g. "What changed in the criteria: 1 added (4.5); 1 max changed
    (2.1); 1 rules changed (1.1.2)." Titles, years and texts are left out."""
    changes = diff.method_changes
    if not changes:
        return t("criteriabook.summary.same_method", lang)
    parts = []
    for kind in KINDS:
        codes = list(dict.fromkeys(c.field if kind == "header" else c.code
                                   for c in changes if c.kind == kind))
        if not codes:
            continue
        shown = ", ".join(codes[:limit]) + (f" … (+{len(codes) - limit})"
                                            if len(codes) > limit else "")
        parts.append(t(f"criteriabook.summary.{kind}", lang, count=len(codes), codes=shown))
    return t("criteriabook.summary.lead", lang, changes="; ".join(parts))


def get_over_scoring(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
                     as_of: Period | None = None, lang: str = "vi") -> pd.DataFrame:
    """Units ranked by how much their self-scores exceed the appraisal, over the leaves
    that have both stages in the window (two scorings of the whole level, no loop on units).
    A penalty leaf counts the other way: declaring less penalty than the appraisal finds is
    over-scoring, as it raises the unit's total.
    """
    stage = rows["stage"].astype(str).to_numpy()
    cards = {s: score(criteria, units, rows[stage == s], as_of) for s in ("self", "appraisal")}
    a, b = (cards[s].leaves.set_index(["unit", "criterion"]) for s in ("self", "appraisal"))
    both = ~a["missing"] & ~b["missing"] & a["applicable"] & b["applicable"]
    penalty = {n.code for d in criteria.domains if d.kind == "penalty" for n in d.walk()}
    sign = np.where(a.index.get_level_values("criterion").isin(penalty), -1.0, 1.0)
    diff = ((a["points"] - b["points"]) * sign)[both]
    per_unit = diff.groupby(level="unit").agg(["sum", "size", lambda d: int((d > 0).sum())])
    per_unit.columns = ["difference", "criteria", "over"]
    names = units["name"].to_dict()
    per_unit.insert(0, "name", [names.get(u, u) for u in per_unit.index])
    return per_unit.sort_values("difference", ascending=False, kind="stable")
