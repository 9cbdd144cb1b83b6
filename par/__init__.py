"""par: score units against a PAR index criteria set, rank them, and explain the result.

    >>> from par import load_criteria, read_units, read_inputs, score
    >>> criteria = load_criteria("criteria/nghe-an-huyen-2019.yaml")
    >>> units = read_units("data/units.csv")
    >>> rows, _ = read_inputs(["data/inputs/huyen-2019.csv"], criteria, units)
    >>> card = score(criteria, units, rows)            # as of the whole year
    >>> card.units.loc["cua-lo", ["rank", "of"]]

The facade is cheap to import: each name loads its module on first use. The
packages under it are layered (docs/architecture.md); only par.app imports streamlit.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "CriteriaSet": "par.domain.models", "Node": "par.domain.models", "Rule": "par.domain.models",
    "Unit": "par.domain.models",
    "Issue": "par.domain.issues", "ParError": "par.domain.issues",
    "Period": "par.domain.periods", "parse_period": "par.domain.periods",
    "check_criteria": "par.engine.criteria", "load_criteria": "par.engine.criteria",
    "Scorecard": "par.engine.scoring", "score": "par.engine.scoring",
    "check_inputs": "par.read.inputs", "read_inputs": "par.read.inputs",
    "read_units": "par.read.units",
    "get_lagging": "par.analysis.lagging", "get_strengths": "par.analysis.lagging",
    "get_weakest": "par.analysis.lagging",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'par' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_WHERE))


if TYPE_CHECKING:  # for editors and type checkers only
    from par.analysis.lagging import get_lagging, get_strengths, get_weakest
    from par.domain.issues import Issue, ParError
    from par.domain.models import CriteriaSet, Node, Rule, Unit
    from par.domain.periods import Period, parse_period
    from par.engine.criteria import check_criteria, load_criteria
    from par.engine.scoring import Scorecard, score
    from par.read.inputs import check_inputs, read_inputs
    from par.read.units import read_units
