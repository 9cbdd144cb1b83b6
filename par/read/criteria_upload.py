"""A criteria set a person uploads (YAML or a criteria workbook), read where it cannot hurt.

The bytes go through the same bounded worker as every upload (par.read.sandbox): the size
cap first, then the workbook guard or the YAML loader's own alias and size limits, in a
child process with memory and time limits. What comes back is the checked YAML text; the
set is rebuilt from it here (plain Python on text already proved harmless).
"""
from __future__ import annotations

from pathlib import Path

from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.engine.criteria import check_criteria_text

YAML_SUFFIXES = (".yaml", ".yml")
SUFFIXES = YAML_SUFFIXES + (".xlsx",)


def criteria_text_here(data: bytes, name: str) -> tuple[str | None, list[Issue]]:
    """(the set's YAML text or None, every issue); what runs in the worker."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        from par.read.criteria_book import read_criteria_book

        criteria, text, issues = read_criteria_book(data, name)
        return (text if criteria is not None else None), issues
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [Issue("file.not_utf8", {}, file=name)]
    criteria, issues = check_criteria_text(text, name)
    return (text if criteria is not None else None), issues


def read_criteria_upload(data: bytes, name: str) -> tuple[CriteriaSet | None, list[Issue]]:
    """(the checked set or None, every issue) from an uploaded .yaml/.yml/.xlsx file."""
    from par.read import sandbox
    from par.read.guard import Limits

    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return None, [Issue("criteriabook.bad_type", {"suffix": suffix or "?"}, file=name)]
    try:
        sandbox.check_size(len(data), Limits.from_env().max_bytes, name)
        text, issues = sandbox.run(criteria_text_here, bytes(data), name, file=name)
    except ParError as exc:
        return None, exc.issues
    if text is None:
        return None, issues
    criteria, _ = check_criteria_text(text, name)
    return criteria, issues
