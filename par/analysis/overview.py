"""The first screen's story: a level at a glance for the office chief, one unit for its staff.

``level_overview`` answers "how does the level stand now": how many units, how many have
sent figures for the period, the best and the worst, the biggest movers since the period
before. ``unit_overview`` answers a unit chief's questions: where do we stand, did we move,
which three criteria cost us the most points, what the next rank up needs, what is due
next. Both work on scorecards and rows the caller already has (no database).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from par.analysis.trends import get_rank_change
from par.domain.periods import Period
from par.engine.scoring import Scorecard

MOVERS = 3  # how many risers and fallers the first screen names


def latest_period(rows: pd.DataFrame, year: int) -> Period | None:
    """The period a first screen shows: the appraised year once appraisal rows exist, else
    the latest quarter with any rows; None when the year has no rows."""
    orders = rows.loc[rows["year"] == year, "order"]
    if orders.empty:
        return None
    return Period(year, 5) if (orders == 5).any() else Period(year, int(orders.max()))


def previous_period(period: Period) -> Period | None:
    """The period of the same year a change is measured from: the quarter before. None for
    Q1, and for the appraised year: set beside the Q4 self-scores it would show the
    appraisal's corrections as "movers"; the year before is the fair comparison."""
    if period.is_annual:
        return None
    return Period(period.year, period.order - 1) if period.order > 1 else None


def submitted_units(rows: pd.DataFrame, period: Period) -> pd.Index:
    """Units with rows for exactly this period (the year: its appraisal or annual rows)."""
    keep = (rows["year"] == period.year) & (rows["order"] == period.order)
    return pd.Index(rows.loc[keep, "unit"].unique())


@dataclass
class LevelOverview:
    period: Period
    units: int  # units of the level (the scorecard's)
    submitted: int  # of them, with rows for the period itself
    best: pd.Series  # a row of card.units (name, index, rank, …)
    worst: pd.Series
    movers: pd.DataFrame = field(repr=False)  # unit, name, rank, previous, change; risers first
    groups: dict[str, int] = field(default_factory=dict)  # group code → units

    @property
    def riser(self) -> pd.Series | None:
        up = self.movers[self.movers["change"] > 0]
        return None if up.empty else up.iloc[0]


def level_overview(card: Scorecard, previous: Scorecard | None, rows: pd.DataFrame
                   ) -> LevelOverview | None:
    """The level at ``card.as_of``; None when no unit is ranked (nothing to tell)."""
    ranked = card.ranked.sort_values(["rank", "name"], kind="stable")
    if ranked.empty:
        return None
    submitted = submitted_units(rows, card.as_of).intersection(card.units.index)
    change = get_rank_change(card, previous)
    movers = pd.DataFrame({"unit": card.units.index, "name": card.units["name"].to_numpy(),
                           "rank": card.units["rank"].astype("Int64").to_numpy(),
                           "change": change.to_numpy()})
    movers = movers.dropna(subset=["change"])
    movers = movers[movers["change"] != 0]
    movers["previous"] = movers["rank"] + movers["change"]
    risers = movers[movers["change"] > 0].sort_values(["change", "rank"],
                                                      ascending=[False, True]).head(MOVERS)
    fallers = movers[movers["change"] < 0].sort_values(["change", "rank"]).head(MOVERS)
    groups = card.units["group"].dropna().value_counts().to_dict()
    return LevelOverview(card.as_of, len(card.units), len(submitted), ranked.iloc[0],
                         ranked.iloc[-1], pd.concat([risers, fallers], ignore_index=True),
                         {str(k): int(v) for k, v in groups.items()})


@dataclass
class UnitOverview:
    unit: str
    name: str
    rank: int | None
    of: int | None
    index: float
    rank_change: int | None  # positive: moved up since the previous period
    index_change: float | None
    costly: pd.DataFrame = field(repr=False)  # code, name, points_lost, score, max (top 3)
    due: Period | None = None  # the next quarter this unit has not sent yet
    due_ends: dt.date | None = None  # the last day that quarter covers


def costliest(card: Scorecard, unit: str, count: int = 3) -> pd.DataFrame:
    """The criteria that cost ``unit`` the most points: a regular leaf loses max − points,
    a penalty leaf its deduction; most points first (tree order breaks ties). Criteria not
    scored yet (no row: a survey before the appraisal) are left out: nothing was lost there
    that the unit could have kept."""
    leaves = card.leaves[(card.leaves["unit"] == unit) & card.leaves["applicable"]
                         & ~card.leaves["missing"].astype(bool)]
    kind = {d.code: d.kind for d in card.criteria.domains}
    domain = card.criteria.domain_of
    kinds = leaves["criterion"].map(lambda c: kind[domain[c]])
    lost = np.where(kinds == "penalty", leaves["points"], leaves["max"] - leaves["points"])
    names = {c: n.name for c, n in card.criteria.nodes.items()}
    out = pd.DataFrame({"code": leaves["criterion"].to_numpy(),
                        "name": [names[c] for c in leaves["criterion"]],
                        "points_lost": lost, "score": leaves["points"].to_numpy(),
                        "max": leaves["max"].to_numpy()})
    out = out[(kinds != "bonus").to_numpy() & (out["points_lost"] > 1e-9)]
    return out.sort_values("points_lost", ascending=False, kind="stable").head(count) \
              .reset_index(drop=True)


def next_due(rows: pd.DataFrame, unit: str, year: int) -> Period | None:
    """The first quarter of ``year`` after the last one ``unit`` has sent (Q1 when none);
    None once Q4 is in."""
    sent = rows.loc[(rows["unit"] == unit) & (rows["year"] == year) & (rows["order"] < 5),
                    "order"]
    last = int(sent.max()) if len(sent) else 0
    return Period(year, last + 1) if last < 4 else None


def quarter_end(period: Period) -> dt.date:
    month = 3 * (4 if period.is_annual else period.order)
    return (dt.date(period.year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))


def unit_overview(card: Scorecard, previous: Scorecard | None, unit: str,
                  rows: pd.DataFrame) -> UnitOverview:
    u = card.units.loc[unit]
    rank = None if pd.isna(u["rank"]) else int(u["rank"])
    change = get_rank_change(card, previous).get(unit)
    index_change = None
    if previous is not None and unit in previous.units.index \
            and not pd.isna(previous.units.at[unit, "index"]):
        index_change = float(u["index"]) - float(previous.units.at[unit, "index"])
    due = next_due(rows, unit, card.criteria.year)
    return UnitOverview(unit, str(u["name"]), rank, None if rank is None else int(u["of"]),
                        float(u["index"]), None if change is None or pd.isna(change)
                        else int(change), index_change, costliest(card, unit), due,
                        None if due is None else quarter_end(due))
