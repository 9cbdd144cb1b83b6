"""The tidy input table (CONTRACT §3): read, check and parse.

``check_inputs`` validates every row against the criteria set and the units
and returns the parsed rows plus every issue, each with its file, sheet, row
and cell. Checks are vectorised masks over the whole table; only the rows
that fail become ``Issue`` objects (at most ``MAX_ISSUES`` of them).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError, errors_only
from par.domain.models import RULE_TYPES, CriteriaSet
from par.domain.periods import parse_period
from par.read import values as V
from par.read.tabular import RawTable, check_header
from par.read.units import name_key, unit_lookup

INPUT_COLUMNS = ["unit", "period", "criterion", "value", "numerator", "denominator", "stage",
                 "evidence", "note"]
REQUIRED_COLUMNS = ["unit", "period", "criterion", "value"]
INPUT_ALIASES = {"đơn vị": "unit", "mã đơn vị": "unit", "kỳ": "period", "kỳ báo cáo": "period",
                 "tiêu chí": "criterion", "mã tiêu chí": "criterion", "giá trị": "value",
                 "tử số": "numerator", "mẫu số": "denominator", "giai đoạn": "stage",
                 "tài liệu kiểm chứng": "evidence", "minh chứng": "evidence", "ghi chú": "note"}
ROW_COLUMNS = ["unit", "period", "year", "order", "criterion", "stage", "na", "value",
               "numerator", "denominator", "value_text", "evidence", "note", "file", "row"]
MAX_ISSUES = 500
NUMERIC_TYPES = ("points", "count", "survey", "deduction")


class _Report:
    """Collects row issues from boolean masks, rendering only the first few per check."""

    def __init__(self, table: RawTable):
        self.table = table
        self.records: list[tuple[int, int, Issue]] = []
        self.total = 0

    def add(self, code: str, mask: np.ndarray, where: str, **params: Any) -> None:
        """``params`` values may be arrays aligned to the table (taken per row) or scalars."""
        positions = np.flatnonzero(mask)
        self.total += len(positions)
        rows = self.table.frame["_row"].to_numpy()
        col_order = INPUT_COLUMNS.index(where) if where in INPUT_COLUMNS else 99
        for pos in positions[:MAX_ISSUES]:
            fields = {k: (v.iloc[pos] if isinstance(v, pd.Series) else
                          v[pos] if isinstance(v, np.ndarray) else v) for k, v in params.items()}
            fields = {k: _shown(v) for k, v in fields.items()}
            row = int(rows[pos])
            self.records.append((row, col_order, Issue(
                code, fields, file=self.table.file, sheet=self.table.sheet, row=row,
                cell=self.table.cell(where, row))))

    def issues(self) -> list[Issue]:
        self.records.sort(key=lambda r: (r[0], r[1]))
        out = [r[2] for r in self.records[:MAX_ISSUES]]
        if self.total > len(out):
            out.append(Issue("file.too_many_issues", {"count": self.total - len(out)},
                             file=self.table.file, sheet=self.table.sheet))
        return out


def _shown(value: Any) -> Any:
    """A field as a message shows it: dates unmarked, floats without a trailing .0."""
    if isinstance(value, str):
        return V.show(value)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return value


TYPES = RULE_TYPES + ("",)  # a row's rule type as a position here; "" = not a leaf
_TYPE = {name: np.int8(i) for i, name in enumerate(TYPES)}
# Problems of the value cell, one at most per row (a code per row, 0 = none).
VALUE_ISSUES = ("", "input.date_not_number", "input.number_too_large", "input.not_a_number",
                "input.negative", "input.survey_range", "input.bad_yes_no")
# Problems of a ratio's numerator or denominator cell, likewise.
PART_ISSUES = ("", "input.ratio_needs_both", "input.number_too_large", "input.not_a_number",
               "input.negative")


@dataclass
class _Keys:
    """What identifies each row, parsed: unit, criterion (with its leaf), period, stage."""

    unit: pd.Categorical
    criterion: pd.Categorical
    period: pd.Categorical
    stage: pd.Categorical
    rule_type: np.ndarray  # int8 per row: its leaf's rule type as a position in TYPES
    valid: np.ndarray  # rows whose four keys all parse (the rows that can be kept)


@dataclass
class _Values:
    """The parsed value columns: ``value`` for every type, numerator/denominator for ratios."""

    value: np.ndarray
    na: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    blank: np.ndarray  # rows with nothing to score (kept out of the result)


def check_inputs_table(table: RawTable, criteria: CriteriaSet, units: pd.DataFrame
                       ) -> tuple[pd.DataFrame, list[Issue]]:
    """Parse one tidy table; return (rows, issues). Rows are valid only without errors.

    ``table`` is left as it was: the checks work on a renamed, blank-free copy.
    """
    table, header_issues = _with_header(table)
    if errors_only(header_issues):
        return pd.DataFrame(columns=ROW_COLUMNS), header_issues
    table, empty = _without_blank_rows(table)
    report = _Report(table)
    keys = _check_keys(table.frame, empty, criteria, units, report)
    values = _check_values(table.frame, empty, keys, criteria, report)
    _check_duplicates(table.frame, keys, report)
    issues = header_issues + report.issues()
    rows = _parsed_rows(table, keys, values)
    other_years = int((rows["year"] != criteria.year).sum())
    if other_years:
        issues.append(Issue("input.other_year", {"count": other_years, "year": criteria.year},
                            file=table.file, sheet=table.sheet, severity="warning"))
    return rows, issues


def _with_header(table: RawTable) -> tuple[RawTable, list[Issue]]:
    """A copy of ``table`` with its header checked and aliases renamed, every column present."""
    # dataclasses.replace keeps the table's own class (a template's fixed header cells)
    copy = replace(table, frame=table.frame.copy(deep=False), letters=dict(table.letters))
    issues = check_header(copy, REQUIRED_COLUMNS, INPUT_COLUMNS, INPUT_ALIASES)
    if errors_only(issues):
        return copy, issues
    absent = {col: pd.Categorical.from_codes(np.zeros(len(copy.frame), dtype=np.int8), [""])
              for col in INPUT_COLUMNS if col not in copy.frame}
    if absent:
        copy.frame = copy.frame.assign(**absent)
    return copy, issues


def _without_blank_rows(table: RawTable) -> tuple[RawTable, dict[str, np.ndarray]]:
    """The table without its blank rows (no data, not an error) and each column's empty cells."""
    frame = table.frame
    empty = {col: V.equals(frame[col], "") for col in INPUT_COLUMNS}
    blank_row = np.logical_and.reduce([empty[c] for c in INPUT_COLUMNS])
    if not blank_row.any():
        return table, empty
    keep = ~blank_row
    table = replace(table, frame=frame[keep].reset_index(drop=True))
    return table, {col: arr[keep] for col, arr in empty.items()}


def _check_keys(f: pd.DataFrame, empty: dict[str, np.ndarray], criteria: CriteriaSet,
                units: pd.DataFrame, report: _Report) -> _Keys:
    """Unit, criterion, period and stage of every row, reporting those that do not parse."""
    lookup = unit_lookup(units)  # id, or the name in either tone placement (hoà / hòa)
    unit = V.recode(f["unit"], lambda u: lookup.get(unicodedata.normalize("NFC", u).strip())
                    or lookup.get(name_key(u)))
    unit_known = unit.codes >= 0
    report.add("input.unknown_unit", ~unit_known & ~empty["unit"], "unit", value=f["unit"])
    report.add("input.empty_cell", empty["unit"], "unit", column="unit")
    level_of = units["level"].to_dict()
    wrong_level = unit_known & V.map_unique(
        pd.Series(unit), lambda u: level_of.get(u, criteria.level) != criteria.level, bool)
    if wrong_level.any():
        unit_level = V.map_unique(pd.Series(unit), lambda u: level_of.get(u, criteria.level))
        report.add("input.unit_wrong_level", wrong_level, "unit", value=f["unit"],
                   level=unit_level, expected=criteria.level)

    leaves = {leaf.code: leaf for leaf in criteria.leaves}
    code = f["criterion"]
    criterion = V.recode(code, lambda c: c if c in leaves else None)
    is_branch = V.map_unique(code, lambda c: c in criteria.nodes and c not in leaves, bool)
    report.add("input.not_a_leaf", is_branch, "criterion", value=code)
    report.add("input.unknown_criterion", (criterion.codes < 0) & ~is_branch
               & ~empty["criterion"], "criterion", value=code, set=criteria.id)
    report.add("input.empty_cell", empty["criterion"], "criterion", column="criterion")
    rule_type = V.map_unique(code, lambda c: _TYPE[leaves[c].rule.type if c in leaves else ""],
                             np.int8, missing=_TYPE[""])

    period = V.recode(f["period"], lambda p: str(q) if (q := parse_period(p)) else None)
    report.add("input.bad_period", period.codes < 0, "period", value=f["period"])
    stage = V.recode(f["stage"], V.stage)
    report.add("input.bad_stage", stage.codes < 0, "stage", value=f["stage"])
    valid = unit_known & (criterion.codes >= 0) & (period.codes >= 0) & (stage.codes >= 0)
    return _Keys(unit, criterion, period, stage, rule_type, valid)


def _check_values(f: pd.DataFrame, empty: dict[str, np.ndarray], keys: _Keys,
                  criteria: CriteriaSet, report: _Report) -> _Values:
    """Parse the value columns by the leaf's rule type, reporting what does not fit it.

    Everything a value cell means depends on its leaf's rule type and its text, so it is
    worked out once per (type, distinct text) and looked up per row.
    """
    text = f["value"]
    codes, distinct = V.codes_and_uniques(text)
    present = np.flatnonzero(np.bincount(keys.rule_type, minlength=len(TYPES)))
    table = _ValueTable.of(distinct, present=set(present.tolist()))
    key = keys.rule_type.astype(np.int32)  # → the row's (type, text) cell of the table
    key *= table.width
    key += codes
    key += 1
    value = table.value.ravel()[key]
    issue = table.issue.ravel()[key]
    na = table.na[codes]
    counts = np.bincount(issue, minlength=len(VALUE_ISSUES))
    for k, code in enumerate(VALUE_ISSUES):
        if k and counts[k]:
            report.add(code, issue == k, "value", value=text, limit=f"{V.MAX_NUMBER:g}")
        if code == "input.negative":  # the report keeps this order within a row
            _check_over_max(f, codes, table, keys, criteria, report)
    if _TYPE["choice"] in table.types:
        _check_choices(f, codes, table, keys, criteria, report, value)
    ratio_type = keys.rule_type == _TYPE["ratio"]
    ratio = ratio_type & ~na
    ratio_blank = ratio & empty["value"] & empty["numerator"] & empty["denominator"]
    numerator, denominator = (_check_ratio_part(f, col, ratio, ratio & ~ratio_blank, report)
                              for col in ("numerator", "denominator"))
    return _Values(value, na, numerator, denominator,
                   blank=np.where(ratio_type, ratio_blank, empty["value"] & ~na))


@dataclass
class _ValueTable:
    """What each distinct value text means, per rule type (row) and text (column).

    Column 0 is a missing cell, column i + 1 the i-th distinct text; the 1-D arrays
    (``na``, ``number``, ``filled``) put the missing cell last instead, like ``map_unique``.
    """

    types: set[int]  # the rule types present in the table
    value: np.ndarray  # (types, texts): the parsed value, NaN where there is none
    issue: np.ndarray  # (types, texts): code in VALUE_ISSUES
    na: np.ndarray
    number: np.ndarray
    filled: np.ndarray  # neither blank nor N/A

    @property
    def width(self) -> int:
        return self.value.shape[1]

    @classmethod
    def of(cls, distinct: list, present: set[int]) -> "_ValueTable":
        per_text = lambda func, dtype, missing: _per_text(distinct, func, dtype, missing)
        na = per_text(lambda u: V.fold(u) in V.NA_WORDS, bool, False)
        blank = per_text(lambda u: u == "", bool, False)
        number = per_text(V.number_or_nan, float, np.nan)
        is_date = per_text(lambda u: u.startswith(V.DATE_MARK), bool, False)
        absurd = per_text(V.is_absurd_number, bool, False)
        filled = ~na & ~blank
        value = np.full((len(TYPES), len(distinct) + 1), np.nan)
        issue = np.zeros(value.shape, dtype=np.int8)
        first = lambda a: np.roll(a, 1)  # the missing cell from last to column 0
        with np.errstate(invalid="ignore"):
            numeric_issue = np.select(
                [filled & is_date, filled & absurd, filled & np.isnan(number),
                 filled & (number < 0)],
                [VALUE_ISSUES.index(c) for c in ("input.date_not_number", "input.number_too_large",
                                                  "input.not_a_number", "input.negative")],
                0).astype(np.int8)
            over_100 = (numeric_issue == 0) & filled & (number > 100)
        for name in NUMERIC_TYPES:
            value[_TYPE[name]] = first(np.where(filled, number, np.nan))
            issue[_TYPE[name]] = first(numeric_issue)
        issue[_TYPE["survey"]] = first(np.where(over_100, VALUE_ISSUES.index("input.survey_range"),
                                                numeric_issue))
        if _TYPE["yes_no"] in present:
            yes = per_text(lambda u: np.nan if (v := V.yes_no(u)) is None else v, float, np.nan)
            value[_TYPE["yes_no"]] = first(np.where(filled, yes, np.nan))
            issue[_TYPE["yes_no"]] = first(np.where(filled & np.isnan(yes),
                                                    VALUE_ISSUES.index("input.bad_yes_no"), 0))
        return cls(present, value, issue, na, number, filled)


def _per_text(distinct: list, func, dtype, missing) -> np.ndarray:
    """``func`` of each distinct text, then ``missing`` for a missing cell (code -1)."""
    out = np.empty(len(distinct) + 1, dtype=dtype)
    out[:-1] = [func(u) for u in distinct]
    out[-1] = missing
    return out


def _check_over_max(f: pd.DataFrame, codes: np.ndarray, table: _ValueTable, keys: _Keys,
                    criteria: CriteriaSet, report: _Report) -> None:
    """A `points` value above its leaf's max."""
    if _TYPE["points"] not in table.types:
        return
    rows = np.flatnonzero(keys.rule_type == _TYPE["points"])
    leaf_max = np.append([criteria.nodes[c].max for c in keys.criterion.categories], np.nan)
    row_max = leaf_max[keys.criterion.codes[rows]]
    with np.errstate(invalid="ignore"):
        over = table.filled[codes[rows]] & (table.number[codes[rows]] > row_max + 1e-9)
    if over.any():
        mask = np.zeros(len(f), dtype=bool)
        mask[rows[over]] = True
        maxima = np.full(len(f), np.nan)
        maxima[rows] = row_max
        report.add("input.over_max", mask, "value", value=f["value"], max=maxima)


def _check_choices(f: pd.DataFrame, codes: np.ndarray, table: _ValueTable, keys: _Keys,
                   criteria: CriteriaSet, report: _Report, value: np.ndarray) -> None:
    """Set the option fraction of each filled `choice` row in ``value``; report unknown labels."""
    rows = np.flatnonzero(keys.rule_type == _TYPE["choice"])
    rows = rows[table.filled[codes[rows]]]
    fraction = _choice_fractions(criteria, f["criterion"], f["value"], rows)
    value[rows] = fraction
    bad = np.isnan(fraction)
    if bad.any():
        mask = np.zeros(len(f), dtype=bool)
        mask[rows[bad]] = True
        labels = {leaf.code: ", ".join(leaf.rule.options) for leaf in criteria.leaves
                  if leaf.rule.options}
        report.add("input.bad_choice", mask, "value", value=f["value"],
                   options=V.map_unique(f["criterion"], lambda c: labels.get(c, "")))


def _check_ratio_part(f: pd.DataFrame, col: str, ratio: np.ndarray, ratio_rows: np.ndarray,
                      report: _Report) -> np.ndarray:
    """A ratio's numerator or denominator (NaN off ratio rows); it needs both, neither < 0."""
    codes, distinct = V.codes_and_uniques(f[col])
    number = _per_text(distinct, V.number_or_nan, float, np.nan)
    blank = _per_text(distinct, lambda u: u == "", bool, False)
    absurd = _per_text(distinct, V.is_absurd_number, bool, False)
    with np.errstate(invalid="ignore"):
        issue = np.select([blank, absurd, np.isnan(number), number < 0], [1, 2, 3, 4], 0)
    rows = np.flatnonzero(ratio_rows)
    row_issue = issue[codes[rows]]
    for k in np.unique(row_issue[row_issue > 0]):
        mask = np.zeros(len(f), dtype=bool)
        mask[rows[row_issue == k]] = True
        if PART_ISSUES[k] == "input.ratio_needs_both":
            report.add(PART_ISSUES[k], mask, col, column=col)
        else:
            report.add(PART_ISSUES[k], mask, col, value=f[col], limit=f"{V.MAX_NUMBER:g}")
    out = np.full(len(f), np.nan)
    rows = np.flatnonzero(ratio)
    out[rows] = number[codes[rows]]
    return out


def _check_duplicates(f: pd.DataFrame, keys: _Keys, report: _Report) -> None:
    """Report each repeat of a (unit, period, criterion, stage), naming the first row."""
    keyed = np.flatnonzero(keys.valid)
    codes = (keys.unit.codes, keys.period.codes, keys.criterion.codes, keys.stage.codes)
    key = _combine(*(c if len(keyed) == len(c) else c[keyed] for c in codes))
    if not _has_repeats(key):
        return
    dup = pd.Series(key).duplicated(keep="first").to_numpy()
    rows_no = f["_row"].to_numpy()
    mask = np.zeros(len(f), dtype=bool)
    mask[keyed[dup]] = True
    first_row = np.zeros(len(f), dtype=int)
    first_row[keyed] = pd.Series(rows_no[keyed]).groupby(key).transform("min").to_numpy()
    report.add("input.duplicate", mask, "criterion", first_row=first_row)


def _has_repeats(key: np.ndarray) -> bool:
    """Whether a key occurs twice; by a bitmap over the keys when they are few enough."""
    if len(key) < 2:
        return False
    top = int(key.max())
    if top > 64 * len(key):  # a sparse key space: hash instead
        return bool(pd.Series(key).duplicated().any())
    seen = np.zeros(top + 1, dtype=bool)
    seen[key] = True
    return int(np.count_nonzero(seen)) < len(key)


def _parsed_rows(table: RawTable, keys: _Keys, values: _Values) -> pd.DataFrame:
    """The ROW_COLUMNS frame of the rows kept: every key valid and something to score."""
    f = table.frame
    keep = keys.valid & ~values.blank
    every = keep.all()
    take = lambda a: a if every else a[keep]
    period = f["period"]
    columns = {
        "unit": keys.unit, "period": keys.period,
        "year": V.map_unique(period, lambda p: getattr(parse_period(p), "year", 0), int),
        "order": V.map_unique(period, lambda p: getattr(parse_period(p), "order", 0), int),
        "criterion": keys.criterion, "stage": keys.stage, "na": values.na, "value": values.value,
        "numerator": values.numerator, "denominator": values.denominator,
        "file": pd.Categorical.from_codes(np.zeros(len(f), dtype=np.int8), [table.file]),
    }
    columns = {col: take(arr) for col, arr in columns.items()}
    for col, source in (("value_text", "value"), ("evidence", "evidence"), ("note", "note"),
                        ("row", "_row")):
        columns[col] = _shared_column(f[source], None if every else keep)
    return pd.DataFrame({col: columns[col] for col in ROW_COLUMNS}, copy=False)


def _shared_column(column: pd.Series, keep: np.ndarray | None):
    """A column of the checked table for the rows frame, never a view the frame could write."""
    if keep is not None:
        return column.values[keep]
    if column.dtype == object:
        return column.values.copy()
    return column.reset_index(drop=True)  # copy-on-write: shared until either side writes


def _combine(*codes: np.ndarray) -> np.ndarray:
    """One integer key from several code arrays (each ≥ -1): int32 when it fits, else int64."""
    spans = [int(np.max(c, initial=0)) + 2 for c in codes]
    key = np.zeros(len(codes[0]), dtype=np.int32 if np.prod(spans, dtype=float) < 2**31
                   else np.int64)
    for c, span in zip(codes, spans):
        key *= span
        key += c
        key += 1
    return key


def _choice_fractions(criteria: CriteriaSet, code: pd.Series, text: pd.Series,
                      rows: np.ndarray) -> np.ndarray:
    """The option fraction of each given row, computed once per distinct (criterion, label)."""
    options = {(leaf.code, V.fold(label)): fraction for leaf in criteria.leaves
               if leaf.rule.options for label, fraction in leaf.rule.options.items()}
    code_codes, code_uniques = V.codes_and_uniques(code)
    text_codes, text_uniques = V.codes_and_uniques(text)
    _, first, inverse = np.unique(_combine(code_codes[rows], text_codes[rows]),
                                  return_index=True, return_inverse=True)
    pair = lambda i: (code_uniques[code_codes[i]], V.fold(text_uniques[text_codes[i]]))
    found = np.array([options.get(pair(i), np.nan) for i in rows[first]], dtype=float)
    return found[inverse]


def check_inputs(tables: Iterable[RawTable], criteria: CriteriaSet, units: pd.DataFrame
                 ) -> tuple[pd.DataFrame, list[Issue]]:
    """Parse several tables; a duplicate across files is reported too."""
    parts, issues = [], []
    for table in tables:
        rows, found = check_inputs_table(table, criteria, units)
        parts.append(rows)
        issues.extend(found)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ROW_COLUMNS)
    if len(parts) > 1:
        key = ["unit", "period", "criterion", "stage"]
        dup = rows.duplicated(key, keep="first")
        if dup.any():
            first = rows.drop_duplicates(key).set_index(key)[["file", "row"]]
            for r in rows[dup].itertuples():
                f0 = first.loc[(r.unit, r.period, r.criterion, r.stage)]
                issues.append(Issue("input.duplicate_across", {"first": f"{f0.file}:{f0.row}"},
                                    file=r.file, row=int(r.row)))
    return rows, issues


def read_inputs(paths: Iterable[str | Path], criteria: CriteriaSet, units: pd.DataFrame
                ) -> tuple[pd.DataFrame, list[Issue]]:
    """Read and check input files; raise ``ParError`` with every error found.

    A CSV is read here up to PAR_MAX_INPUT_MB; a workbook passes the guard and is read in
    a bounded child process (``par.read.sandbox``), like an upload.
    """
    from par.read.sandbox import read_input_file

    tables, issues = [], []
    for path in paths:
        try:
            tables.append(read_input_file(path))
        except ParError as exc:
            issues.extend(exc.issues)
    rows, found = check_inputs(tables, criteria, units)
    issues.extend(found)
    if errors_only(issues):
        raise ParError(issues)
    return rows, issues
