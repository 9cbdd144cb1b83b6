"""The sample's criteria sets (the files in criteria/, seeded in sample mode) and their input files.

Input files pair with a criteria set by name: data/inputs/<level>-<year>-*.csv
(e.g. huyen-2019-self.csv and huyen-2019-appraisal.csv for nghe-an-huyen-2019.yaml).
"""
from __future__ import annotations

from pathlib import Path

from par.domain.models import CriteriaSet
from par.domain.periods import Period
from par.engine.criteria import check_criteria

ROOT = Path(__file__).resolve().parents[2]


def list_criteria(folder: Path = ROOT / "criteria") -> list[CriteriaSet]:
    """Valid criteria sets, newest year first; invalid files are skipped (`par check` explains)."""
    sets = [c for c, _ in (check_criteria(p) for p in sorted(folder.glob("*.yaml"))) if c]
    return sorted(sets, key=lambda c: (-c.year, c.level, c.id))


def inputs_for(criteria: CriteriaSet, folder: Path = ROOT / "data" / "inputs") -> list[Path]:
    return sorted(folder.glob(f"{criteria.level}-{criteria.year}-*.csv"))


def as_of_choices(rows, year: int) -> list[Period]:
    """The periods worth asking about: each quarter present so far, then the whole year."""
    orders = sorted({int(o) for o in rows.loc[rows["year"] == year, "order"].unique() if o < 5})
    return [Period(year, q) for q in range(1, max(orders, default=0) + 1)] + [Period(year, 5)]
