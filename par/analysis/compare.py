"""Two to five units side by side: per domain and per criterion, the points each earns,
the spread between the best and the worst of them (in points) and the level's mean.

Pure pandas on the scorecard's units × nodes grids (``node_score``, ``node_max``): one
``.loc`` per table, no loop over units or criteria. The chosen units become columns named
by their ids, best ranked first (unranked last); ``attrs`` carries what the figure and
the tables for people need:

- ``units``: the chosen ids, in column order;
- ``columns``: id → its column (the id itself, or ``unit:<id>`` for an id that is also
  the name of a fixed column such as "max");
- ``unit_names``: id → name;
- ``measure``: "points" (points earned) or "percent" (100 × points / the unit's
  applicable max).

Means are over the ranked units of the level for whom the node applies (as the unit page's
"level mean"); a node that does not apply to a unit shows NaN for it. The spread is the
largest minus the smallest of the chosen units' figures (NaN unless at least two of them
have one): for a penalty, the difference between the smallest and the largest deduction.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError
from par.engine.scoring import Scorecard

MIN_UNITS, MAX_UNITS = 2, 5
MEASURES = ("points", "percent")
TOTAL = "total"  # the kind (and code) of the domain table's last row: the whole score
DOMAIN_COLUMNS = ["code", "name", "kind", "max"]  # then one column per unit, spread, mean
CRITERIA_COLUMNS = ["code", "name", "domain", "max"]
_RESERVED = set(DOMAIN_COLUMNS) | set(CRITERIA_COLUMNS) | {"spread", "mean"}


def unit_columns(ids: Iterable[str]) -> dict[str, str]:
    """Each chosen unit's column label: its id, unless a fixed column has that name."""
    return {u: f"unit:{u}" if u in _RESERVED else u for u in ids}


def check_units(card: Scorecard, units: Iterable[str] | None) -> list[str]:
    """The chosen unit ids, best ranked first; ParError unless they are two to five
    distinct units the card scores (every problem at once)."""
    chosen = [str(u) for u in (units or [])]
    issues = []
    known = card.units.index
    unknown = [u for u in dict.fromkeys(chosen) if u not in known]
    if unknown:
        issues.append(Issue("compare.unknown_units", {
            "units": ", ".join(unknown), "set": card.criteria.id}))
    repeated = [u for u, n in pd.Series(chosen, dtype=object).value_counts(sort=False).items()
                if n > 1]
    if repeated:
        issues.append(Issue("compare.repeated_units", {"units": ", ".join(repeated)}))
    distinct = len(set(chosen) - set(unknown))
    if not MIN_UNITS <= distinct <= MAX_UNITS:
        issues.append(Issue("compare.unit_count", {"count": distinct, "min": MIN_UNITS,
                                                   "max": MAX_UNITS}))
    if issues:
        raise ParError(issues)
    return known[known.isin(chosen)].tolist()


def default_units(card: Scorecard, unit: str | None = None) -> list[str]:
    """What the compare page starts with: ``unit`` and the unit ranked just above it (just
    below it for the first); without a scored ``unit``, the two best ranked units."""
    order = card.units.index
    if unit is None or unit not in order:
        return order[:MIN_UNITS].tolist()
    pos = order.get_loc(unit)
    other = pos - 1 if pos > 0 else pos + 1
    return [unit] + ([order[other]] if other < len(order) else [])


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"measure '{measure}' is not supported; expected one of {list(MEASURES)}")


def _grid(card: Scorecard, ids: list[str], codes: list[str], measure: str
          ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(codes × chosen units figures, spread, level mean) for some nodes."""
    scores, maxes = card.node_score[codes], card.node_max[codes]
    applicable = maxes > 0
    if measure == "percent":
        figures = 100.0 * scores / maxes.where(applicable)
    else:
        figures = scores.where(applicable)
    figures = figures.astype(float)
    chosen = figures.loc[ids].T.rename(columns=unit_columns(ids))
    values = chosen.to_numpy(dtype=float)
    present = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        high = np.where(present, values, -np.inf).max(axis=1, initial=-np.inf)
        low = np.where(present, values, np.inf).min(axis=1, initial=np.inf)
    spread = pd.Series(np.where(present.sum(axis=1) >= 2, high - low, np.nan), index=codes)
    mean = figures.loc[card.ranked.index].mean()
    return chosen.rename_axis(None, axis=1), spread, mean


def _total(card: Scorecard, ids: list[str], measure: str
           ) -> tuple[pd.Series, float, float, float]:
    """The whole score (points) or the index (percent): per chosen unit, spread, mean, max."""
    column = "index" if measure == "percent" else "score"
    figures = card.units[column].astype(float)
    chosen = figures.loc[ids]
    present = chosen.dropna()
    spread = float(present.max() - present.min()) if len(present) >= 2 else np.nan
    top = card.criteria.scale if measure == "percent" else card.criteria.regular_max
    return chosen, spread, float(figures.loc[card.ranked.index].mean()), float(top)


def _finish(frame: pd.DataFrame, card: Scorecard, ids: list[str], measure: str) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.attrs = {"units": list(ids), "columns": unit_columns(ids), "measure": measure,
                   "unit_names": card.units.loc[ids, "name"].to_dict()}
    return frame


def compare_domains(card: Scorecard, units: Iterable[str], lang: str = "vi",
                    measure: str = "points") -> pd.DataFrame:
    """One row per top-level domain (regular, bonus, penalty, in the set's order), then a
    ``total`` row (the score, or the index in percent): code, name, kind, max (the set's;
    100 in percent), one column per chosen unit, spread, mean."""
    from par.i18n import t

    _check_measure(measure)
    ids = check_units(card, units)
    domains = card.criteria.domains
    codes = [d.code for d in domains]
    chosen, spread, mean = _grid(card, ids, codes, measure)
    frame = pd.DataFrame({
        "code": codes,
        "name": [d.display_name(lang) for d in domains],
        "kind": [d.kind for d in domains],
        "max": [100.0 if measure == "percent" else float(d.max) for d in domains],
    })
    frame = pd.concat([frame, chosen.reset_index(drop=True)], axis=1)
    frame["spread"], frame["mean"] = spread.to_numpy(), mean.to_numpy(dtype=float)
    total, total_spread, total_mean, top = _total(card, ids, measure)
    label = t("compare.total_percent" if measure == "percent" else "compare.total", lang)
    row = pd.DataFrame({"code": [""], "name": [label], "kind": [TOTAL],
                        "max": [top]})
    row[list(unit_columns(ids).values())] = total.to_numpy(dtype=float)[None, :]
    row["spread"], row["mean"] = total_spread, total_mean
    frame = pd.concat([frame, row], ignore_index=True)
    return _finish(frame, card, ids, measure)


def compare_criteria(card: Scorecard, units: Iterable[str], lang: str = "vi",
                     domain: str | None = None, measure: str = "points") -> pd.DataFrame:
    """One row per leaf criterion (of one top-level ``domain``, or all), largest spread
    first (ties and criteria without a spread in the set's order, the latter last):
    code, name, domain, max, one column per chosen unit, spread, mean."""
    _check_measure(measure)
    ids = check_units(card, units)
    criteria = card.criteria
    if domain is not None and domain not in {d.code for d in criteria.domains}:
        raise ParError([Issue("compare.unknown_domain", {
            "domain": domain, "set": criteria.id,
            "domains": ", ".join(d.code for d in criteria.domains)})])
    domain_of = criteria.domain_of
    leaves = [n for n in criteria.leaves if domain is None or domain_of[n.code] == domain]
    codes = [n.code for n in leaves]
    chosen, spread, mean = _grid(card, ids, codes, measure)
    frame = pd.DataFrame({
        "code": codes,
        "name": [n.display_name(lang) for n in leaves],
        "domain": [domain_of[c] for c in codes],
        "max": [100.0 if measure == "percent" else float(n.max) for n in leaves],
    })
    frame = pd.concat([frame, chosen.reset_index(drop=True)], axis=1)
    frame["spread"], frame["mean"] = spread.to_numpy(), mean.to_numpy(dtype=float)
    frame = frame.sort_values("spread", ascending=False, kind="stable", na_position="last")
    return _finish(frame, card, ids, measure)
