"""A survey form's answers table (../shared/spec/SURVEY.md §2): read, check, every problem located.

One row per respondent, as survey tools export them: ``unit, respondent`` and a column per
question code of the form, plus any other columns (gender, age, channel …), kept as they are.
Headers may be Vietnamese (``đơn vị``, ``người trả lời``) and question columns match their
code ignoring case. An answer is an option label of its question (case and surrounding spaces
ignored, NFC) or empty (no answer). An empty respondent is identified by its row number.

Every problem (an unknown unit, an answer that is not an option, a second row for the same
unit and respondent, a missing question column) is reported at once with its file, row and
column; with any of them the table is refused (``ParError``) and nothing is stored.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError, errors_only
from par.domain.models import CriteriaSet, SurveyForm
from par.read import values as V
from par.read.tabular import RawTable
from par.read.units import name_key, unit_lookup

UNIT_ALIASES = ("unit", "đơn vị", "mã đơn vị", "tên đơn vị")
RESPONDENT_ALIASES = ("respondent", "người trả lời", "mã người trả lời", "mã phiếu", "phiếu số")
MAX_ISSUES = 500


@dataclass
class SurveyAnswers:
    """A checked answers table: ``wide`` has ``unit`` (the unit id), ``respondent``, ``row``
    (the source row), a column per question code (the option label as the form writes it,
    "" for no answer) and the file's other columns as text, in the file's order."""

    form: SurveyForm
    wide: pd.DataFrame
    file: str
    extra_columns: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def respondents(self) -> int:
        return len(self.wide)

    @property
    def answers(self) -> int:
        """Answered cells (any option, excluded ones included)."""
        codes = [q.code for q in self.form.questions]
        return int((self.wide[codes].to_numpy(dtype=object) != "").sum()) if codes else 0


def form_of(criteria: CriteriaSet, form_id: str) -> SurveyForm:
    form = criteria.survey(form_id)
    if form is None:
        raise ParError([Issue("survey.no_form", {
            "criteria": criteria.id, "form": form_id,
            "known": ", ".join(f.id for f in criteria.surveys) or "–"})])
    return form


def read_answers(data: bytes, name: str, criteria: CriteriaSet, form_id: str,
                 units: pd.DataFrame) -> SurveyAnswers:
    """Bytes of a CSV or .xlsx (first sheet) → checked answers; raises ``ParError`` with every
    problem. The file is parsed in a bounded worker, as uploads are (``par.read.sandbox``)."""
    from par.read.sandbox import parse_upload

    form = form_of(criteria, form_id)
    table, _record = parse_upload(data, name)
    answers, issues = check_answers_table(table, form, units, criteria.level)
    if answers is None or errors_only(issues):
        raise ParError(issues)
    return answers


class _Report:
    def __init__(self, table: RawTable):
        self.table = table
        self.records: list[tuple[int, int, Issue]] = []
        self.total = 0

    def header(self, code: str, column: str | None, order: int, **params) -> None:
        cell = (self.table.letters.get(column, "") + "1" if self.table.sheet and column
                and column in self.table.letters else None if self.table.sheet else column)
        self.total += 1
        self.records.append((1, order, Issue(code, params, file=self.table.file,
                                             sheet=self.table.sheet, row=1, cell=cell)))

    def rows(self, code: str, mask: np.ndarray, rows: np.ndarray, column: str, order: int,
             shown: str | None = None, **params) -> None:
        positions = np.flatnonzero(mask)
        self.total += len(positions)
        for pos in positions[:MAX_ISSUES]:
            row = int(rows[pos])
            fields = {k: (v[pos] if isinstance(v, np.ndarray) else v) for k, v in params.items()}
            fields = {k: (V.show(v) if isinstance(v, str) else v) for k, v in fields.items()}
            cell = self.table.cell(column, row) if self.table.sheet else (shown or column)
            self.records.append((row, order, Issue(code, fields, file=self.table.file,
                                                   sheet=self.table.sheet, row=row, cell=cell)))

    def issues(self) -> list[Issue]:
        self.records.sort(key=lambda r: (r[0], r[1]))
        out = [r[2] for r in self.records[:MAX_ISSUES]]
        if self.total > len(out):
            out.append(Issue("survey.too_many_issues", {"count": self.total - len(out)},
                             file=self.table.file, sheet=self.table.sheet))
        return out


def _fold(text: object) -> str:
    return unicodedata.normalize("NFC", str(text)).strip().casefold()


def check_answers_table(table: RawTable, form: SurveyForm, units: pd.DataFrame,
                        level: str | None = None) -> tuple[SurveyAnswers | None, list[Issue]]:
    """Check a read table against the form and the units (of ``level``, when given); return
    (answers or None, every issue). ``table`` is not changed."""
    report = _Report(table)
    frame = table.frame
    headers = [c for c in frame.columns if c != "_row"]
    positions = [i for i, c in enumerate(frame.columns) if c != "_row"]
    folded = [_fold(h) for h in headers]
    question_of = {q.code.casefold(): q.code for q in form.questions}
    role: dict[int, str] = {}  # position in frame → unit | respondent | question code
    seen: dict[str, int] = {}
    for pos, key in zip(positions, folded):
        what = ("unit" if key in UNIT_ALIASES else "respondent" if key in RESPONDENT_ALIASES
                else question_of.get(key))
        if what is None:
            continue
        if what in seen:
            report.header("survey.duplicate_column", frame.columns[pos], 0, column=what)
            continue
        seen[what] = pos
        role[pos] = what
    if "unit" not in seen:
        report.header("survey.missing_unit_column", None, 0)
    for q in form.questions:
        if q.code not in seen:
            report.header("survey.missing_question", None, 1, question=q.code, form=form.id)
    if report.records:
        return None, report.issues()

    def column(pos: int) -> pd.Series:
        return frame.iloc[:, pos]

    # blank rows (every cell empty) are no respondent
    blank = np.logical_and.reduce([V.equals(column(p), "") for p in positions])
    keep = ~blank
    rows = frame["_row"].to_numpy()[keep]
    shown = {pos: str(frame.columns[pos]) for pos in positions}

    # unit
    known = units if level is None else units[units["level"] == level]
    lookup = unit_lookup(known)
    unit_col = column(seen["unit"])[keep]
    unit = V.map_unique(unit_col, lambda u: lookup.get(unicodedata.normalize("NFC", u).strip())
                        or lookup.get(name_key(u)))
    empty_unit = V.equals(unit_col, "")
    report.rows("survey.empty_unit", empty_unit, rows, shown[seen["unit"]], 0)
    report.rows("survey.unknown_unit", ~empty_unit & (unit == None), rows,  # noqa: E711
                shown[seen["unit"]], 0, value=np.asarray(unit_col, dtype=object),
                level=level or "–")

    # respondent: its text, or the row number when empty
    if "respondent" in seen:
        resp_text = np.asarray(column(seen["respondent"])[keep], dtype=object).astype(str)
    else:
        resp_text = np.full(len(rows), "", dtype=object)
    respondent = np.where(resp_text == "", np.char.add("#", rows.astype(str)).astype(object),
                          resp_text)

    # answers
    labels = {}
    for order, q in enumerate(form.questions, start=2):
        pos = seen[q.code]
        options = form.options_of(q.code)
        canon = {_fold(label): label for label in options}
        cells = column(pos)[keep]
        mapped = V.map_unique(cells, lambda a, canon=canon: "" if a == "" else canon.get(_fold(a)))
        bad = mapped == None  # noqa: E711 - object array: None marks a label that is no option
        report.rows("survey.bad_answer", bad, rows, shown[pos], order, shown=q.code,
                    value=np.asarray(cells, dtype=object), question=q.code,
                    options=", ".join(options))
        labels[q.code] = mapped

    # a second row for the same unit and respondent (named respondents only)
    named = (resp_text != "") & (unit != None)  # noqa: E711
    if named.any():
        key = pd.DataFrame({"u": unit[named], "r": resp_text[named], "row": rows[named]})
        dup = key.duplicated(["u", "r"], keep="first").to_numpy()
        if dup.any():
            first = key.groupby(["u", "r"], sort=False)["row"].transform("first").to_numpy()
            mask = np.zeros(len(rows), dtype=bool)
            first_row = np.zeros(len(rows), dtype=np.int64)
            idx = np.flatnonzero(named)
            mask[idx[dup]] = True
            first_row[idx] = first
            report.rows("survey.duplicate_respondent", mask, rows,
                        shown.get(seen.get("respondent"), "respondent"), 1,
                        respondent=resp_text.astype(object), unit=unit.astype(object),
                        first_row=first_row)

    issues = report.issues()
    if errors_only(issues):
        return None, issues
    if not len(rows):
        return None, [Issue("survey.no_answers", {}, file=table.file, sheet=table.sheet)]
    extras = [p for p in positions if p not in role]
    extra_names, taken = [], {"unit", "respondent", "row", *labels}
    for p in extras:
        base = str(frame.columns[p]) or f"col{p + 1}"
        label = base
        k = 2
        while label in taken:
            label, k = f"{base} ({k})", k + 1
        taken.add(label)
        extra_names.append(label)
    data = {"unit": unit.astype(object), "respondent": respondent, "row": rows.astype(np.int64)}
    data.update({code: np.asarray(v, dtype=object) for code, v in labels.items()})
    data.update({name: np.asarray(column(p)[keep], dtype=object).astype(str)
                 for name, p in zip(extra_names, extras)})
    wide = pd.DataFrame(data)
    return SurveyAnswers(form, wide, table.file, extra_names,
                         [i for i in issues if i.severity != "error"]), issues
