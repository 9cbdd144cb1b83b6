"""Periods: ``YYYY`` (the whole year) or ``YYYY-Q1`` … ``YYYY-Q4``.

A period orders within its year as Q1=1 … Q4=4 and the annual period last (5),
so an annual appraisal row counts after Q4 (CONTRACT §1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ANNUAL = 5
_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*-\s*[Qq]([1-4]))?\s*$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    order: int  # 1..4 for quarters, 5 for the whole year

    @property
    def is_annual(self) -> bool:
        return self.order == ANNUAL

    def __str__(self) -> str:
        return str(self.year) if self.is_annual else f"{self.year}-Q{self.order}"

    def quarters_to_date(self) -> list["Period"]:
        """Every period of the year up to this one, annual last."""
        last = 4 if self.is_annual else self.order
        out = [Period(self.year, q) for q in range(1, last + 1)]
        return out + ([self] if self.is_annual else [])


def parse_period(text: object) -> Period | None:
    """Parse a period; ``None`` when it is not one. Excel may hand a year as 2019.0."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    m = _PERIOD.match(str(text))
    if not m:
        return None
    year = int(m.group(1))
    return Period(year, int(m.group(2)) if m.group(2) else ANNUAL)
