"""Tổng quan, the first screen: for the office chief, each level's story at its latest
period; for a unit's staff, their unit. The sentences come from par.present.overview, the
figures from par.analysis.overview; this page only picks what to show and links onward."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from par.analysis.overview import (
    latest_period,
    level_overview,
    previous_period,
    unit_overview,
)
from par.app import cache
from par.app.auth_ui import current_actor
from par.app.common import show_standing
from par.decide.target import get_target_plan
from par.domain.issues import ParError
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_time
from par.present.overview import due_text, headline, next_rank_text, unit_headline
from par.present.safe import md


def page_home() -> None:
    lang = cache.lang()
    st.title(t("home.title", lang))
    actor = current_actor()
    if actor is not None and actor.role == "unit":
        _for_unit_staff(actor, lang)
    else:
        _for_the_office(lang)


def _latest(criteria, earlier: bool = True):
    """(rows, scorecard at the latest period, the one to compare with) or None when no data.
    The appraised year compares with the level's year before, at its latest period."""
    try:
        rows = cache.rows_for(criteria.id)
    except ParError:
        return None
    period = latest_period(rows, criteria.year)
    if period is None:
        return None
    before = previous_period(period)
    previous = cache.scorecard(criteria.id, before) if before is not None else None
    if period.is_annual and earlier:
        last_year = next((c for c in cache.criteria_sets() if c.level == criteria.level
                          and c.year == criteria.year - 1), None)
        found = None if last_year is None else _latest(last_year, earlier=False)
        previous = None if found is None else found[1]
    return rows, cache.scorecard(criteria.id, period), previous


def _link(key: str, label: str) -> None:
    """A link to another page of the menu (dashboard.py keeps them in the session)."""
    page = st.session_state.get("nav_pages", {}).get(key)
    if page is not None:
        st.page_link(page, label=label, icon=":material/arrow_forward:")


def _for_the_office(lang: str) -> None:
    shown = 0
    for criteria in cache.criteria_sets():
        latest = _latest(criteria)
        if latest is None:
            continue
        rows, card, previous = latest
        ov = level_overview(card, previous, rows)
        if ov is None:
            continue
        shown += 1
        st.subheader(criteria.short_title(lang))
        show_standing(criteria.id, card.as_of)  # published on … / provisional while a round runs
        st.markdown(md(headline(ov, card, lang)))
        at = cache.store().last_update(criteria.level, criteria.year)
        if at is not None:
            st.caption(t("home.data_date", lang, at=fmt_time(at, lang)))
        cols = st.columns(4)
        cols[0].metric(t("home.units", lang), ov.units)
        cols[1].metric(t("home.received", lang), f"{ov.submitted}/{ov.units}")
        cols[2].metric(t("home.best", lang), fmt_number(ov.best["index"], lang),
                       help=ov.best["name"])
        cols[3].metric(t("home.worst", lang), fmt_number(ov.worst["index"], lang),
                       help=ov.worst["name"])
        _movers(ov, previous, lang, key=criteria.id)
        links = st.columns(3)
        with links[0]:
            _link("ranking", t("home.open_ranking", lang))
        with links[1]:
            _link("criteria", t("home.open_criteria", lang))
        with links[2]:
            _link("trends", t("home.open_trends", lang))
    if not shown:
        st.info(t("app.no_inputs", lang))


def _movers(ov, previous, lang: str, key: str) -> None:
    if previous is None or ov.movers.empty:
        st.caption(t("home.no_movers", lang))
        return
    st.markdown("**" + t("home.movers", lang, period=fmt_period(previous.as_of, lang)) + "**")
    m = ov.movers
    st.dataframe(pd.DataFrame({
        t("col.unit", lang): m["name"].to_numpy(),
        t("col.rank", lang): m["rank"].astype(int).to_numpy(),
        t("home.col.previous", lang): m["previous"].astype(int).to_numpy(),
        t("home.col.change", lang): [f"↑{c}" if c > 0 else f"↓{-c}" for c in m["change"]],
    }), hide_index=True, key=f"movers_{key}")


def _for_unit_staff(actor, lang: str) -> None:
    units = cache.units()
    mine = [u for u in sorted(actor.units) if u in units.index]
    if not mine:
        st.info(t("home.no_unit", lang))
        return
    for unit in mine:
        level = units.at[unit, "level"]
        criteria = next((c for c in cache.criteria_sets() if c.level == level), None)
        st.subheader(units.at[unit, "name"])
        latest = None if criteria is None else _latest(criteria)
        if latest is None or unit not in latest[1].units.index:
            st.info(t("app.no_inputs", lang))
            continue
        rows, card, previous = latest
        st.session_state.setdefault("unit", unit)  # the unit page opens on it
        uo = unit_overview(card, previous, unit, rows)
        st.markdown("**" + md(unit_headline(uo, lang)) + "** · "
                    + md(criteria.short_title(lang)) + " · " + fmt_period(card.as_of, lang))
        show_standing(criteria.id, card.as_of)
        st.markdown("**" + t("home.costly", lang) + "**")
        st.dataframe(pd.DataFrame({
            t("col.code", lang): uo.costly["code"], t("col.criterion", lang): uo.costly["name"],
            t("col.points_lost", lang): [fmt_number(v, lang) for v in uo.costly["points_lost"]],
            t("col.score", lang): [fmt_number(v, lang) for v in uo.costly["score"]],
            t("col.max", lang): [fmt_number(v, lang) for v in uo.costly["max"]],
        }), hide_index=True, key=f"costly_{unit}")
        plan = None
        if uo.rank is not None and uo.rank > 1:
            plan = get_target_plan(card, unit, uo.rank - 1, lang)
        st.markdown("**" + t("home.next_rank_title", lang) + "**: " + next_rank_text(plan, lang))
        st.markdown("**" + t("home.due_title", lang) + "**: " + due_text(uo, lang))
        cols = st.columns(2)
        with cols[0]:
            _link("unit", t("home.open_unit", lang))
        with cols[1]:
            _link("upload", t("home.open_upload", lang))
