"""Cached access to the library for the pages.

The database is the state that matters (a browser refresh loses nothing): the
store is one resource per process, seeded with the sample on first start, and
every cached result is keyed by the store's data version, so an import or a
rollback is seen at the next rerun.
"""
from __future__ import annotations

import streamlit as st

from par.domain.issues import ParError, errors_only
from par.domain.periods import Period, parse_period
from par.engine import catalog
from par.engine.scoring import Scorecard, score
from par.i18n import DEFAULT_LANG, t
from par.read.inputs import check_inputs
from par.sample.seed import ensure_seeded
from par.store.storage import Store


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


@st.cache_resource(show_spinner=False)
def store() -> Store:
    s = Store()
    ensure_seeded(s)
    return s


@st.cache_resource(show_spinner=False)
def criteria_sets():
    return catalog.list_criteria()


def criteria_by_id(criteria_id: str):
    return next(c for c in criteria_sets() if c.id == criteria_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _units(version: tuple):
    return store().units()


def units():
    return _units(store().data_version())


@st.cache_resource(show_spinner=False, max_entries=32)
def _rows(criteria_id: str, version: tuple):
    criteria = criteria_by_id(criteria_id)
    table = store().current_table(criteria.level, criteria.year)
    rows, issues = check_inputs([table], criteria, units())
    if errors_only(issues):
        raise ParError(issues)
    return rows


def rows_for(criteria_id: str):
    """The current rows of a criteria set's level and year; raises ParError if invalid."""
    return _rows(criteria_id, store().data_version())


@st.cache_resource(show_spinner=False, max_entries=128)
def _scorecard(criteria_id: str, as_of: str, version: tuple) -> Scorecard:
    return score(criteria_by_id(criteria_id), units(), rows_for(criteria_id), parse_period(as_of))


def scorecard(criteria_id: str, as_of: Period) -> Scorecard:
    return _scorecard(criteria_id, str(as_of), store().data_version())


def show_errors(exc: ParError) -> None:
    st.error(t("app.input_errors", lang()) + "\n\n" +
             "\n".join(f"- {i.render(lang())}" for i in exc.issues[:50]))
