"""Cached access to the library for the pages.

The database is the state that matters (a browser refresh loses nothing): the
store is one resource per process, seeded with the sample on first start in sample
mode only, and every cached result is keyed by the store's data version, so an
import or a rollback is seen at the next rerun. The parsed rows of each criteria
set are kept per submission (par.store.rows.RowCache): a change re-reads only the
submissions that changed.
"""
from __future__ import annotations

import threading

import streamlit as st

from par.domain.issues import ParError, errors_only
from par.domain.periods import Period, parse_period
from par.engine.scoring import Scorecard, score
from par.i18n import DEFAULT_LANG, t
from par.present.safe import md_issues
from par.sample.seed import ensure_seeded
from par.store import library
from par.store.rows import RowCache
from par.store.storage import Store

_REFRESH = threading.Lock()  # sessions share a RowCache: one refresh at a time


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


@st.cache_resource(show_spinner=False)
def store() -> Store:
    s = Store()
    ensure_seeded(s)
    return s


@st.cache_resource(show_spinner=False, max_entries=8)
def _criteria_sets(version: tuple):
    return library.active_sets(store())


def criteria_sets():
    """The active criteria sets (par.store.library), newest year first."""
    return _criteria_sets(store().data_version())


@st.cache_data(show_spinner=False, max_entries=8)
def _stored_sets(version: tuple):
    return library.list_sets(store())


def stored_sets():
    """Every stored version of every criteria set (par.store.library.list_sets)."""
    return _stored_sets(store().data_version())


@st.cache_resource(show_spinner=False, max_entries=32)
def stored_set(set_id: str, sha256: str):
    """One stored version (a version never changes, so its hash is the whole key)."""
    return library.get_set(store(), set_id, sha256)


def criteria_by_id(criteria_id: str):
    return next(c for c in criteria_sets() if c.id == criteria_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _units(version: tuple):
    return store().units()


def units():
    return _units(store().data_version())


@st.cache_resource(show_spinner=False, max_entries=16)
def _row_cache(criteria_id: str, sha256: str) -> RowCache:
    return RowCache(criteria_by_id(criteria_id))


# Only the latest versions matter (older keys are never asked for again), and at national
# scale each entry is 1.4 million rows: keep few.
@st.cache_resource(show_spinner=False, max_entries=4)
def _rows(criteria_id: str, version: tuple):
    criteria = criteria_by_id(criteria_id)
    # one RowCache per set and process: a new data version re-reads only what changed
    row_cache = _row_cache(criteria.id, criteria.sha256)
    with _REFRESH:
        rows, issues = row_cache.refresh(store(), units())
    if errors_only(issues):
        raise ParError(issues)
    rows.attrs["issues"] = issues  # warnings about stored rows, shown beside the results
    return rows


@st.cache_data(show_spinner=False, max_entries=8)
def _empty(version: tuple) -> bool:
    return store().is_empty()


def database_empty() -> bool:
    return _empty(store().data_version())


def rows_for(criteria_id: str):
    """The current rows of a criteria set's level and year; raises ParError if invalid."""
    return _rows(criteria_id, store().data_version())


@st.cache_resource(show_spinner=False, max_entries=128)
def _scorecard(criteria_id: str, as_of: str, version: tuple) -> Scorecard:
    return score(criteria_by_id(criteria_id), units(), rows_for(criteria_id), parse_period(as_of))


def scorecard(criteria_id: str, as_of: Period) -> Scorecard:
    """The set's scorecard as of ``as_of``: the latest publication of that set and period
    when there is one (WORKFLOW §3: the official result, whatever rows changed since),
    else scored from the current rows."""
    version = store().data_version()
    found = _published(criteria_id, str(as_of), version)
    if found is not None:
        return found[0]
    return _scorecard(criteria_id, str(as_of), version)


# -- scoring rounds and their publications (par.store.rounds, par.store.publication) --------

@st.cache_resource(show_spinner=False, max_entries=128)
def _published(criteria_id: str, as_of: str, version: tuple):
    from par.store.publication import published

    return published(store(), criteria_by_id(criteria_id), as_of)


def publication(criteria_id: str, as_of) -> dict | None:
    """The latest publication of the set and period (id, round_id, published_by,
    published_at …), or None when the period was never published."""
    found = _published(criteria_id, str(as_of), store().data_version())
    return None if found is None else found[1]


@st.cache_data(show_spinner=False, max_entries=8)
def _rounds(version: tuple):
    from par.store.rounds import list_rounds

    return list_rounds(store())


def rounds() -> list:
    """Every scoring round (par.domain.rounds.Round), newest year first."""
    return _rounds(store().data_version())


def round_of(criteria_id: str, as_of) -> object | None:
    """The round of the set and period, or None."""
    return next((r for r in rounds() if r.criteria_id == criteria_id
                 and r.period == str(as_of)), None)


def standing(criteria_id: str, as_of) -> tuple[str, str] | None:
    """("published" | "provisional", the sentence that labels the period's result), or None
    when no round concerns it (par.present.published.standing_label)."""
    from par.present.published import standing_label

    return standing_label(publication(criteria_id, as_of), round_of(criteria_id, as_of), lang())


@st.cache_data(show_spinner=False, max_entries=16)
def _publications(version: tuple):
    from par.store.publication import list_publications

    return list_publications(store())


def publications(round_id: int | None = None):
    """Every publication (without its result), newest first; those of ``round_id``."""
    pubs = _publications(store().data_version())
    return pubs if round_id is None else pubs[pubs["round_id"] == int(round_id)]


@st.cache_resource(show_spinner=False, max_entries=8)
def _round_board(round_id: int, version: tuple):
    from par.store.round_work import round_state
    from par.store.rounds import get_round

    rnd = get_round(store(), round_id)
    active = any(c.id == rnd.criteria_id for c in criteria_sets())
    state = round_state(store(), round_id, rows=rows_for(rnd.criteria_id) if active else None,
                        units_frame=units())
    states = state.leaf_states()
    status = _status(state, states)  # what state.status() gives, from the states above
    return state, states, status


def _status(state, states):
    from par.analysis.round_status import unit_status

    return unit_status(state.criteria, state.units, states, state.submitted["unit"].tolist())


def round_board(round_id: int):
    """(RoundState, its leaf states, its per-unit status) of a round, kept per data version
    (the status board reads it on every rerun; every round action is audited, so the
    version moves)."""
    return _round_board(int(round_id), store().data_version())


def show_warnings(rows) -> None:
    """Stored rows that could not be used (each named by submission and row), at most 20."""
    issues = rows.attrs.get("issues") or []
    if issues:
        st.warning(t("app.stored_warnings", lang(), count=len(issues)) + "\n\n" +
                   md_issues(issues, lang(), limit=20))


def show_errors(exc: ParError) -> None:
    st.error(t("app.input_errors", lang()) + "\n\n" + md_issues(exc.issues, lang()))
