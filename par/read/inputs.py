"""The tidy input table (CONTRACT §3): read, check and parse.

``check_inputs`` validates every row against the criteria set and the units
and returns the parsed rows plus every issue, each with its file, sheet, row
and cell. Checks are vectorised masks over the whole table; only the rows
that fail become ``Issue`` objects (at most ``MAX_ISSUES`` of them).
"""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError, errors_only
from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.read import values as V
from par.read.tabular import RawTable, check_header, read_table

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


def _leaf_frame(criteria: CriteriaSet) -> pd.DataFrame:
    return pd.DataFrame({
        "code": [leaf.code for leaf in criteria.leaves],
        "type": [leaf.rule.type for leaf in criteria.leaves],
        "max": [leaf.max for leaf in criteria.leaves],
    }).set_index("code")


def _unit_lookup(units: pd.DataFrame) -> dict[str, str]:
    """Unit id or name (NFC, trimmed) → unit id (CONTRACT §2)."""
    nfc = lambda s: unicodedata.normalize("NFC", str(s)).strip()
    lookup = {nfc(n): i for i, n in zip(units["id"], units["name"])}
    lookup.update({nfc(i): i for i in units["id"]})
    return lookup


def check_inputs_table(table: RawTable, criteria: CriteriaSet, units: pd.DataFrame
                       ) -> tuple[pd.DataFrame, list[Issue]]:
    """Parse one tidy table; return (rows, issues). Rows are valid only without errors."""
    header_issues = check_header(table, REQUIRED_COLUMNS, INPUT_COLUMNS, INPUT_ALIASES)
    if errors_only(header_issues):
        return pd.DataFrame(columns=ROW_COLUMNS), header_issues
    f = table.frame
    for col in INPUT_COLUMNS:
        if col not in f:
            f[col] = pd.Categorical([""] * len(f))
    empty = {col: (f[col] == "").to_numpy() for col in INPUT_COLUMNS}
    blank_row = np.logical_and.reduce([empty[c] for c in INPUT_COLUMNS])
    if blank_row.any():  # an empty line or sheet row is no data, not an error
        f = table.frame = f[~blank_row].reset_index(drop=True)
        empty = {col: arr[~blank_row] for col, arr in empty.items()}
    report = _Report(table)

    # Unit, criterion, period, stage ---------------------------------------------
    lookup = _unit_lookup(units)
    unit = V.recode(f["unit"], lookup.get)
    unit_known = unit.codes >= 0
    report.add("input.unknown_unit", ~unit_known & ~empty["unit"], "unit", value=f["unit"])
    report.add("input.empty_cell", empty["unit"], "unit", column="unit")
    level_of = units["level"].to_dict()
    unit_level = V.map_unique(pd.Series(unit), lambda u: level_of.get(u, criteria.level))
    report.add("input.unit_wrong_level", unit_known & (unit_level != criteria.level), "unit",
               value=f["unit"], level=unit_level, expected=criteria.level)

    leaves = {leaf.code: leaf for leaf in criteria.leaves}
    code = f["criterion"]
    criterion = V.recode(code, lambda c: c if c in leaves else None)
    known_leaf = criterion.codes >= 0
    rtype = V.map_unique(code, lambda c: leaves[c].rule.type if c in leaves else "")
    is_branch = V.map_unique(code, lambda c: c in criteria.nodes and c not in leaves, bool)
    report.add("input.not_a_leaf", is_branch, "criterion", value=code)
    report.add("input.unknown_criterion", ~known_leaf & ~is_branch & ~empty["criterion"],
               "criterion", value=code, set=criteria.id)
    report.add("input.empty_cell", empty["criterion"], "criterion", column="criterion")
    leaf_max = V.map_unique(code, lambda c: leaves[c].max if c in leaves else np.nan, float)

    period = V.recode(f["period"], lambda p: str(q) if (q := parse_period(p)) else None)
    bad_period = period.codes < 0
    report.add("input.bad_period", bad_period, "period", value=f["period"])
    stage = V.recode(f["stage"], V.stage)
    bad_stage = stage.codes < 0
    report.add("input.bad_stage", bad_stage, "stage", value=f["stage"])

    # Values by rule type -----------------------------------------------------------
    text = f["value"]
    na = V.is_na_word(text)
    value_blank = empty["value"]
    number = V.numbers(text)
    value = np.full(len(f), np.nan)
    numeric = np.isin(rtype, NUMERIC_TYPES) & ~na & ~value_blank
    is_date = V.is_date(text)
    report.add("input.date_not_number", numeric & is_date, "value", value=text)
    report.add("input.not_a_number", numeric & ~is_date & np.isnan(number), "value", value=text)
    value = np.where(numeric, number, value)
    with np.errstate(invalid="ignore"):
        report.add("input.negative", numeric & (number < 0), "value", value=text)
        report.add("input.over_max", (rtype == "points") & numeric & (number > leaf_max + 1e-9),
                   "value", value=text, max=leaf_max)
        report.add("input.survey_range", (rtype == "survey") & numeric & (number > 100),
                   "value", value=text)

    yn = (rtype == "yes_no") & ~na & ~value_blank
    if yn.any():
        yes = V.map_unique(text, lambda u: np.nan if (v := V.yes_no(u)) is None else v, float)
        report.add("input.bad_yes_no", yn & np.isnan(yes), "value", value=text)
        value = np.where(yn, yes, value)

    ch = (rtype == "choice") & ~na & ~value_blank
    if ch.any():
        fraction = _choice_fractions(criteria, code, text, ch)
        labels = {c: ", ".join(l.rule.options) for c, l in leaves.items() if l.rule.options}
        report.add("input.bad_choice", ch & np.isnan(fraction), "value", value=text,
                   options=V.map_unique(code, lambda c: labels.get(c, "")))
        value = np.where(ch, fraction, value)

    ratio = (rtype == "ratio") & ~na
    num, den = V.numbers(f["numerator"]), V.numbers(f["denominator"])
    ratio_blank = ratio & value_blank & empty["numerator"] & empty["denominator"]
    ratio_rows = ratio & ~ratio_blank
    for col, arr in (("numerator", num), ("denominator", den)):
        report.add("input.ratio_needs_both", ratio_rows & empty[col], col, column=col)
        report.add("input.not_a_number", ratio_rows & ~empty[col] & np.isnan(arr), col,
                   value=f[col])
        with np.errstate(invalid="ignore"):
            report.add("input.negative", ratio_rows & (arr < 0), col, value=f[col])

    # Duplicates: same unit, period, criterion and stage -----------------------------
    keyed = unit_known & known_leaf & ~bad_period & ~bad_stage
    key = _combine(unit.codes, period.codes, criterion.codes, stage.codes)[keyed]
    rows_no = f["_row"].to_numpy()
    dup = pd.Series(key).duplicated(keep="first").to_numpy()
    if dup.any():
        first = pd.Series(rows_no[keyed]).groupby(key).transform("min").to_numpy()
        mask = np.zeros(len(f), dtype=bool)
        first_row = np.zeros(len(f), dtype=int)
        mask[np.flatnonzero(keyed)[dup]] = True
        first_row[keyed] = first
        report.add("input.duplicate", mask, "criterion", first_row=first_row)

    issues = header_issues + report.issues()
    blank = np.where(rtype == "ratio", ratio_blank, value_blank & ~na)
    keep = ~blank & keyed
    years = V.map_unique(f["period"], lambda p: getattr(parse_period(p), "year", 0), int)
    orders = V.map_unique(f["period"], lambda p: getattr(parse_period(p), "order", 0), int)
    rows = pd.DataFrame({
        "unit": unit, "period": period, "year": years, "order": orders,
        "criterion": criterion, "stage": stage, "na": na, "value": value,
        "numerator": np.where(ratio, num, np.nan), "denominator": np.where(ratio, den, np.nan),
        "value_text": text.values, "evidence": f["evidence"].values, "note": f["note"].values,
        "file": pd.Categorical.from_codes(np.zeros(len(f), dtype=int), [table.file]),
        "row": rows_no,
    })[keep].reset_index(drop=True)
    other_years = int((rows["year"] != criteria.year).sum())
    if other_years:
        issues.append(Issue("input.other_year", {"count": other_years, "year": criteria.year},
                            file=table.file, sheet=table.sheet, severity="warning"))
    return rows, issues


def _combine(*codes: np.ndarray) -> np.ndarray:
    """One int64 key from several non-negative code arrays."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        c = np.asarray(c, dtype=np.int64)
        key = key * (int(c.max(initial=0)) + 2) + c + 1
    return key


def _choice_fractions(criteria: CriteriaSet, code: pd.Series, text: pd.Series,
                      rows: np.ndarray) -> np.ndarray:
    """The option fraction of each (criterion, label) pair, computed once per distinct pair."""
    options = {(leaf.code, V.fold(label)): fraction for leaf in criteria.leaves
               if leaf.rule.options for label, fraction in leaf.rule.options.items()}
    code_codes, code_uniques = V.codes_and_uniques(code)
    text_codes, text_uniques = V.codes_and_uniques(text)
    pair = _combine(code_codes, text_codes)
    out = np.full(len(code), np.nan)
    chosen = np.flatnonzero(rows)
    _, first, inverse = np.unique(pair[chosen], return_index=True, return_inverse=True)
    found = np.array([options.get((code_uniques[code_codes[chosen[i]]],
                                   V.fold(text_uniques[text_codes[chosen[i]]])), np.nan)
                      for i in first], dtype=float)
    out[chosen] = found[inverse]
    return out


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
    """Read and check input files; raise ``ParError`` with every error found."""
    tables, issues = [], []
    for path in paths:
        try:
            tables.append(read_table(path))
        except ParError as exc:
            issues.extend(exc.issues)
    rows, found = check_inputs(tables, criteria, units)
    issues.extend(found)
    if errors_only(issues):
        raise ParError(issues)
    return rows, issues
