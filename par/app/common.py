"""Widgets shared by pages: the criteria-set and as-of pickers."""
from __future__ import annotations

import streamlit as st

from par.app import cache
from par.domain.issues import ParError
from par.engine import catalog
from par.i18n import t


def pick_scorecard():
    """Sidebar pickers; returns the scorecard, or None after showing why there is none."""
    lang = cache.lang()
    sets = cache.criteria_sets()
    chosen = st.sidebar.selectbox(t("app.criteria_set", lang), sets, key="criteria_id",
                                  format_func=lambda c: c.short_title(lang))
    if chosen is None:
        return None
    try:
        rows = cache.rows_for(chosen.id)
    except ParError as exc:
        cache.show_errors(exc)
        return None
    cache.show_warnings(rows)
    if rows.empty:
        st.info(t("app.no_inputs", lang))
        return None
    choices = catalog.as_of_choices(rows, chosen.year)
    key = f"as_of_{chosen.id}"
    if st.session_state.get(key) not in choices:  # default: the latest period, the whole year
        st.session_state[key] = choices[-1]
    as_of = st.sidebar.selectbox(
        t("app.as_of", lang), choices, key=key,
        format_func=lambda p: t("app.whole_year", lang, year=p.year) if p.is_annual else str(p))
    return cache.scorecard(chosen.id, as_of)


def keep_picker_state() -> None:
    """Keep the pickers' choices across page switches.

    Streamlit drops a widget's state on a run where the widget is not drawn, and
    each page draws its own pickers; re-assigning the keys makes them survive.
    """
    for key in list(st.session_state):
        if key in ("criteria_id", "unit") or str(key).startswith("as_of_"):
            st.session_state[key] = st.session_state[key]


def rank_change(card):
    """Rank change against the previous period of the year (none for the first quarter)."""
    from par.analysis.trends import get_rank_change

    previous = _previous(card.as_of)
    if previous is None:
        return None
    return get_rank_change(card, cache.scorecard(card.criteria.id, previous))


def _previous(as_of):
    from par.domain.periods import Period

    if as_of.is_annual:
        return Period(as_of.year, 4)
    return Period(as_of.year, as_of.order - 1) if as_of.order > 1 else None
