"""Cached access to the library for the pages, keyed by the files' modification times."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from par import catalog
from par.inputs import read_inputs
from par.issues import ParError
from par.messages import DEFAULT_LANG
from par.periods import Period
from par.scoring import Scorecard, score
from par.units import read_units

UNITS = catalog.ROOT / "data" / "units.csv"


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


def _version(paths: list[Path]) -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths if p.exists())


@st.cache_resource(show_spinner=False)
def _criteria_sets(version: tuple):
    return catalog.list_criteria()


def criteria_sets():
    return _criteria_sets(_version(sorted((catalog.ROOT / "criteria").glob("*.yaml"))))


@st.cache_resource(show_spinner=False)
def _rows(criteria_id: str, version: tuple):
    criteria = next(c for c in criteria_sets() if c.id == criteria_id)
    units = read_units(UNITS)
    rows, _ = read_inputs(catalog.inputs_for(criteria), criteria, units)
    return criteria, units, rows


def rows_for(criteria_id: str):
    """(criteria, units, rows); raises ParError when the inputs are invalid."""
    criteria = next(c for c in criteria_sets() if c.id == criteria_id)
    return _rows(criteria_id, _version([UNITS, *catalog.inputs_for(criteria)]))


@st.cache_resource(show_spinner=False)
def _scorecard(criteria_id: str, as_of: str, version: tuple) -> Scorecard:
    criteria, units, rows = rows_for(criteria_id)
    return score(criteria, units, rows, Period(int(as_of[:4]), 5 if len(as_of) == 4
                                               else int(as_of[-1])))


def scorecard(criteria_id: str, as_of: Period) -> Scorecard:
    criteria = next(c for c in criteria_sets() if c.id == criteria_id)
    return _scorecard(criteria_id, str(as_of), _version([UNITS, *catalog.inputs_for(criteria)]))


def show_errors(exc: ParError) -> None:
    from par.messages import t
    st.error(t("app.input_errors", lang()) + "\n\n" +
             "\n".join(f"- {i.render(lang())}" for i in exc.issues[:50]))
