"""Who is ranked when a period's data is partial (issue 13; docs/decisions.md, "Units without data").

``score`` scores every unit of the level: a unit with no row at all in the window scores 0
on every leaf and would be ranked last at 0,00 — and in a quarter nobody has submitted yet,
every unit would be "1/130 at 0,00". A unit without any row in the window has not
submitted: ``rank_submitted`` leaves it unranked (index null, no rank, no grade) and ranks
the others among themselves, so ``of`` counts the units with data. Its points stay 0 and its
missing leaves stay counted. Vectorised: one ranking of the level.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from par.domain.periods import Period
from par.engine.ranking import rank_units
from par.engine.scoring import Scorecard

_RANK_COLUMNS = ["index_2dp", "rank", "of", "group_rank", "group_of", "band"]


def submitted(card: Scorecard) -> pd.Series:
    """True for the units with at least one row in the card's window (their ``stage`` is
    self, appraisal or mixed), by unit id."""
    return card.units["stage"].notna().rename("submitted")


def has_data(card: Scorecard) -> bool:
    """Whether any unit has a row in the card's window."""
    return bool(submitted(card).any())


def rank_submitted(card: Scorecard) -> Scorecard:
    """The card with the units that have no row in its window unranked (index, rank, group
    rank and grade empty) and the others ranked among themselves, best first, the unranked
    last. The same card when every unit has data."""
    has = submitted(card)
    if has.all():
        return card
    columns = list(card.units.columns)
    base = card.units.drop(columns=[c for c in _RANK_COLUMNS if c in columns])
    base["index"] = base["index"].where(has, np.nan)
    units = rank_units(base, card.criteria)[columns]
    return dataclasses.replace(card, units=units, node_score=card.node_score.loc[units.index],
                               node_max=card.node_max.loc[units.index])


def periods_with_data(rows: pd.DataFrame, year: int) -> list[Period]:
    """The periods of ``year`` that hold at least one row (quarters, and the year itself for
    annual rows), in order."""
    if rows.empty:
        return []
    orders = rows.loc[rows["year"] == year, "order"].dropna().unique()
    return [Period(year, int(o)) for o in sorted(int(o) for o in orders)]
