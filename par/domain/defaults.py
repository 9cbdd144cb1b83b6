"""What the dashboard shows before its user picks anything (issue 13).

A unit's staff member opens the dashboard on their own level's latest criteria set, the
latest period with data and their own unit; anyone else on the latest set and the latest
period with data. Pure functions of the signed-in actor, the units table, the active sets
and the periods that hold data: ``par.app.common`` applies them only while the user has
not chosen.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from par.domain.auth import Actor
from par.domain.models import CriteriaSet
from par.domain.periods import Period


@dataclass(frozen=True)
class Defaults:
    criteria: CriteriaSet | None  # the set the pages open on
    as_of: Period | None  # the period (None when the set has no choices)
    unit: str | None  # the unit selected on the pages (None: leave it to the page)


def home_units(actor: Actor | None, units: pd.DataFrame) -> list[str]:
    """The units of a ``unit`` account that exist in the units table, in the table's order;
    nobody else has home units."""
    if actor is None or actor.role != "unit" or not actor.units:
        return []
    ids = units["id"] if "id" in units.columns else pd.Series(units.index, index=units.index)
    return [u for u in ids.tolist() if u in actor.units]


def _level_of(units: pd.DataFrame) -> dict[str, str]:
    ids = units["id"] if "id" in units.columns else pd.Series(units.index, index=units.index)
    return dict(zip(ids.tolist(), units["level"].tolist()))


def default_set(actor: Actor | None, units: pd.DataFrame, sets: Sequence[CriteriaSet]
                ) -> CriteriaSet | None:
    """A unit account: the newest active set of its (first) unit's level; else, or when that
    level has no set, the latest set (``sets`` come newest year first)."""
    if not sets:
        return None
    levels = _level_of(units)
    for unit in home_units(actor, units):
        mine = [c for c in sets if c.level == levels.get(unit)]
        if mine:
            return max(mine, key=lambda c: c.year)  # max keeps the first of equal years
    return sets[0]


def default_unit(actor: Actor | None, units: pd.DataFrame, level: str | None) -> str | None:
    """A unit account's own unit at ``level`` (the first of several), else None."""
    levels = _level_of(units)
    return next((u for u in home_units(actor, units) if levels.get(u) == level), None)


def default_period(with_data: Iterable[Period], choices: Sequence[Period]) -> Period | None:
    """The latest of the ``choices`` that holds data (a quarter with rows, or the year once it
    has annual rows); the last choice (the whole year) when none does."""
    offered = set(choices)
    latest = max((p for p in with_data if p in offered), default=None)
    return latest if latest is not None else (choices[-1] if choices else None)


def page_defaults(actor: Actor | None, units: pd.DataFrame, sets: Sequence[CriteriaSet],
                  periods: Callable[[CriteriaSet], tuple[Sequence[Period], Sequence[Period]]]
                  ) -> Defaults:
    """All three at once. ``periods(criteria)`` gives the set's (periods with data, choices)."""
    criteria = default_set(actor, units, sets)
    if criteria is None:
        return Defaults(None, None, None)
    with_data, choices = periods(criteria)
    return Defaults(criteria, default_period(with_data, choices),
                    default_unit(actor, units, criteria.level))
