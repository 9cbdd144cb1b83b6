"""par: score units against a PAR index criteria set, rank them, and explain the result.

    >>> from par import load_criteria, read_units, read_inputs, score
    >>> criteria = load_criteria("criteria/nghe-an-huyen-2019.yaml")
    >>> units = read_units("data/units.csv")
    >>> rows, _ = read_inputs(["data/inputs/huyen-2019.csv"], criteria, units)
    >>> card = score(criteria, units, rows)            # as of the whole year
    >>> card.units.loc["cua-lo", ["rank", "of"]]

The package never imports streamlit; the dashboard lives in par.app.
"""
from par.analysis.lagging import get_lagging, get_strengths, get_weakest
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet, Node, Rule, Unit
from par.domain.periods import Period, parse_period
from par.engine.criteria import check_criteria, load_criteria
from par.engine.scoring import Scorecard, score
from par.read.inputs import check_inputs, read_inputs
from par.read.units import read_units

__all__ = [
    "CriteriaSet", "Issue", "Node", "ParError", "Period", "Rule", "Scorecard", "Unit",
    "check_criteria", "check_inputs", "get_lagging", "get_strengths", "get_weakest",
    "load_criteria", "parse_period", "read_inputs", "read_units", "score",
]
