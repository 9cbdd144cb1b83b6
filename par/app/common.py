"""Widgets shared by pages: the criteria-set and as-of pickers, and what they start on."""
from __future__ import annotations

import streamlit as st

from par.app import cache
from par.domain.defaults import default_period, default_set, default_unit
from par.domain.issues import ParError
from par.engine import catalog
from par.engine.standing import has_data, periods_with_data, rank_submitted
from par.i18n import t
from par.i18n.formatting import fmt_period

DEFAULTS_FOR = "defaults_for"  # whose defaults the pickers were set to (an account name, None)
_NOBODY = object()


def apply_defaults() -> None:
    """Start the pickers on the signed-in user's defaults (par.domain.defaults) — a unit
    account on its level's latest set and its own unit, anyone else on the latest set —
    once per account and session, before any picker is drawn; after that, the user's
    choices stand. Each set's period is chosen when the set is first shown (pick_scorecard)."""
    from par.app.auth_ui import DATABASE_ERRORS, SESSION_KEY, current_actor

    if st.session_state.get(DEFAULTS_FOR, _NOBODY) == st.session_state.get(SESSION_KEY):
        return
    try:
        actor = current_actor() if st.session_state.get(SESSION_KEY) is not None else None
        sets, units = cache.criteria_sets(), cache.units()
    except DATABASE_ERRORS:
        return  # the page's own database guard says what happened
    st.session_state[DEFAULTS_FOR] = actor.name if actor is not None else None
    for key in [k for k in st.session_state if str(k).startswith("as_of_")]:
        del st.session_state[key]  # another person's periods: each set starts on its default
    criteria = default_set(actor, units, sets)
    if criteria is None:
        return
    st.session_state["criteria_id"] = criteria
    unit = default_unit(actor, units, criteria.level)
    if unit is not None:
        st.session_state["unit"] = unit


def pick_scorecard():
    """Sidebar pickers; returns the scorecard (units without data in the period unranked,
    par.engine.standing), or None after showing why there is none."""
    apply_defaults()
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
    with_data = periods_with_data(rows, chosen.year)
    key = f"as_of_{chosen.id}"
    if st.session_state.get(key) not in choices:  # not chosen yet: the latest with data
        st.session_state[key] = default_period(with_data, choices)
    as_of = st.sidebar.selectbox(t("app.as_of", lang), choices, key=key,
                                 format_func=lambda p: fmt_period(p, lang))
    if not any(p.order <= as_of.order for p in with_data):
        st.info(t("app.no_data_period", lang, period=fmt_period(as_of, lang)))
        return None
    card = cache.scorecard(chosen.id, as_of)
    if not has_data(card):  # rows of the year, none of this level's units in the window
        st.info(t("app.no_data_period", lang, period=fmt_period(as_of, lang)))
        return None
    if show_standing(chosen.id, as_of) == "published":
        return card  # the frozen result, ranked as it was published
    return rank_submitted(card)


def show_standing(criteria_id: str, as_of) -> str | None:
    """Say under the page's title whether the period's result is the published one ("Kết quả
    chính thức, công bố ngày …") or provisional while its round runs; returns which
    ("published", "provisional") or None when no round concerns the period."""
    found = cache.standing(criteria_id, as_of)
    if found is None:
        return None
    kind, sentence = found
    icon = ":material/verified:" if kind == "published" else ":material/pending:"
    st.caption(f"{icon} {sentence}")
    return kind


def keep_picker_state() -> None:
    """Keep the pickers' choices across page switches, and start them on the user's
    defaults (``apply_defaults``).

    Streamlit drops a widget's state on a run where the widget is not drawn, and
    each page draws its own pickers; re-assigning the keys makes them survive.
    """
    for key in list(st.session_state):
        if key in ("criteria_id", "unit") or str(key).startswith("as_of_"):
            st.session_state[key] = st.session_state[key]
    apply_defaults()


def rank_change(card):
    """Rank change against the previous period of the year (none for the first quarter);
    both periods rank only the units with data (par.engine.standing)."""
    from par.analysis.trends import get_rank_change

    previous = _previous(card.as_of)
    if previous is None:
        return None
    before = cache.scorecard(card.criteria.id, previous)
    return get_rank_change(card, rank_submitted(before) if has_data(before) else None)


def _previous(as_of):
    from par.domain.periods import Period

    if as_of.is_annual:
        return Period(as_of.year, 4)
    return Period(as_of.year, as_of.order - 1) if as_of.order > 1 else None
