"""Problems found in user input, carried as data with their location.

Checks collect ``Issue`` objects instead of raising at the first problem, so a
user sees every problem in one go; only ``ParError`` is raised, at API
boundaries, carrying the whole list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from par.i18n import t


@dataclass(frozen=True)
class Issue:
    """One problem: a message-catalogue ``code``, its fields, and where it is."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    cell: str | None = None  # "D7" for a workbook, the column name for CSV
    node: str | None = None  # criterion / node code in a criteria set
    line: int | None = None  # line in a YAML file
    severity: str = "error"  # error | warning

    def location(self, lang: str = "vi") -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.sheet:
            parts.append(t("loc.sheet", lang, sheet=self.sheet))
        if self.cell and self.sheet:
            parts.append(t("loc.cell", lang, cell=self.cell))
        elif self.row is not None:
            parts.append(t("loc.row", lang, row=self.row))
            if self.cell:
                parts.append(t("loc.column", lang, column=self.cell))
        if self.node:
            parts.append(t("loc.node", lang, node=self.node))
        return ", ".join(parts)

    def message(self, lang: str = "vi") -> str:
        return t(self.code, lang, **{k: _term(_quoted(v), lang) for k, v in self.params.items()})

    def render(self, lang: str = "vi") -> str:
        where = self.location(lang)
        prefix = t("severity.warning", lang) + " " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message(lang)}" if where else prefix + self.message(lang)


def term(key: str) -> str:
    """A field value that is itself a message (a phase, an action): worded in the reader's
    language when the issue is rendered, and still a plain string once stored as JSON."""
    return "@" + key


def _term(value: Any, lang: str) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        from par.i18n.catalog import MESSAGES

        if value[1:] in MESSAGES:
            return t(value[1:], lang)
    return value


MAX_QUOTED = 200  # characters of a supplied value a message repeats


def _quoted(value: Any) -> Any:
    """A value as a message quotes it: never more than MAX_QUOTED characters of it, so a
    megabyte cell or an expanded YAML value cannot become a megabyte message."""
    if isinstance(value, (str, list, tuple, dict)):
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_QUOTED:
            return text[:MAX_QUOTED] + f"… (+{len(text) - MAX_QUOTED})"
        return text if not isinstance(value, str) else value
    return value


class ParError(Exception):
    """Raised with every problem found, never with only the first one."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues = list(issues)
        super().__init__(len(self.issues))

    def __str__(self) -> str:  # rendered only when shown: a refused import may hold thousands
        return self.render("en")

    def render(self, lang: str = "vi") -> str:
        return "\n".join(i.render(lang) for i in self.issues)


def errors_only(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def raise_if_errors(issues: list[Issue]) -> None:
    if errors_only(issues):
        raise ParError(issues)
