"""Stored submissions back to the engine's rows, without parsing what was parsed at the door.

Rows are stored typed, so a submission checked against the criteria set that is
current (same id and YAML hash) comes back as it was validated. Only rows stored
under another version of the set, or before rows were typed, go through
``check_inputs`` again from their text.

``RowCache`` keeps the rows of one criteria set between reruns and, when the data
change, reads only the submissions that became current and drops those that
stopped being current: after one import at national scale it reads one unit's rows,
not 1.4 million.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from par.domain.issues import Issue
from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.read.inputs import ROW_COLUMNS, check_inputs
from par.read.tabular import RawTable, categorize
from par.store.storage import TIDY, Store

CATEGORICAL = ("unit", "period", "criterion", "stage", "value_text", "evidence", "note", "file")
SOURCE = "database"


def _categorical(values) -> pd.Categorical:
    """A categorical column; one that already is (from Arrow) is kept, not re-encoded."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        return pd.Categorical(values)
    return pd.Categorical(np.asarray(values, dtype=object))


def _per_row(column: pd.Series, pos: np.ndarray) -> pd.Categorical:
    """A submission-level column spread over its rows: encoded once per submission."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    return pd.Categorical.from_codes(codes[pos], pd.Index(uniques, dtype=object))


def typed_rows(stored: pd.DataFrame, subs: pd.DataFrame) -> pd.DataFrame:
    """``ROW_COLUMNS`` (plus ``submission_id``) from typed stored rows and their submissions."""
    by_id = subs.set_index("id")
    pos = by_id.index.get_indexer(stored["submission_id"].to_numpy())
    period = _per_row(by_id["period"], pos)
    parsed = [parse_period(p) for p in period.categories]
    years = np.array([p.year for p in parsed] + [0], dtype=int)
    orders = np.array([p.order for p in parsed] + [0], dtype=int)
    return pd.DataFrame({
        "unit": _per_row(by_id["unit"], pos),
        "period": period,
        "year": years[period.codes],
        "order": orders[period.codes],
        "criterion": _categorical(stored["criterion"]),
        "stage": _per_row(by_id["stage"], pos),
        "na": stored["na"].to_numpy(dtype=bool),
        "value": stored["number"].to_numpy(dtype=float),
        "numerator": stored["numerator"].to_numpy(dtype=float),
        "denominator": stored["denominator"].to_numpy(dtype=float),
        "value_text": _categorical(stored["value"]),
        "evidence": _categorical(stored["evidence"]),
        "note": _categorical(stored["note"]),
        "file": pd.Categorical.from_codes(np.zeros(len(stored), dtype=int), [SOURCE]),
        "row": stored["source_row"].to_numpy(dtype=int),
        "submission_id": stored["submission_id"].to_numpy(dtype=int),
    })


def _as_table(stored: pd.DataFrame, subs: pd.DataFrame) -> RawTable:
    """Stored rows as the tidy text table a file would give, for a full re-check."""
    by_id = subs.set_index("id")
    pos = by_id.index.get_indexer(stored["submission_id"].to_numpy())

    def number_text(col):
        return ["" if v is None or pd.isna(v) else repr(float(v)) for v in stored[col]]

    text = {"unit": by_id["unit"].to_numpy()[pos], "period": by_id["period"].to_numpy()[pos],
            "criterion": stored["criterion"].to_numpy(), "value": stored["value"].to_numpy(),
            "numerator": number_text("numerator"), "denominator": number_text("denominator"),
            "stage": by_id["stage"].to_numpy()[pos], "evidence": stored["evidence"].to_numpy(),
            "note": stored["note"].to_numpy()}
    table = pd.DataFrame({c: categorize(np.asarray(text[c], dtype=object)) for c in TIDY})
    table["_row"] = stored["source_row"].to_numpy(dtype=int)
    return RawTable(table, SOURCE)


def rechecked_rows(stored: pd.DataFrame, subs: pd.DataFrame, criteria: CriteriaSet,
                   units: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, list[Issue]]]:
    """Rows stored under another version of the set, parsed and checked again from text;
    the issues found, per submission."""
    parts, issues = [], {}
    for sid, part in stored.groupby("submission_id", sort=True):
        rows, found = check_inputs([_as_table(part, subs)], criteria, units)
        if found:
            issues[int(sid)] = found
        parts.append(rows.assign(submission_id=int(sid)))
    if not parts:
        return _empty(), issues
    return concat_rows(parts), issues


def _empty() -> pd.DataFrame:
    return typed_rows(pd.DataFrame({c: pd.Series(dtype=t) for c, t in {
        "submission_id": int, "criterion": object, "value": object, "number": float,
        "na": bool, "numerator": float, "denominator": float, "evidence": object,
        "note": object, "source_row": int}.items()}), pd.DataFrame(
        {"id": pd.Series(dtype=int), "unit": [], "period": [], "stage": []}))


def _object_categories(column: pd.Series) -> pd.Categorical:
    # pandas 3 gives freshly parsed text "str" categories and rows rebuilt from the
    # database "object" ones; union_categoricals refuses to mix the two.
    cat = pd.Categorical(column)
    return pd.Categorical.from_codes(cat.codes, pd.Index(cat.categories, dtype=object))


def concat_rows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate row frames, keeping categorical columns categorical (union of categories)."""
    parts = [p for p in parts if len(p)] or parts[:1]
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    out = {}
    for col in parts[0].columns:
        if col in CATEGORICAL:
            out[col] = union_categoricals([_object_categories(p[col]) for p in parts],
                                          ignore_order=True)
        else:
            out[col] = np.concatenate([p[col].to_numpy() for p in parts])
    return pd.DataFrame(out)


def split_trusted(stored: pd.DataFrame, subs: pd.DataFrame, criteria: CriteriaSet
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that can be used as stored, rows that must be checked again)."""
    trusted_ids = subs.loc[(subs["criteria_id"] == criteria.id) &
                           (subs["criteria_sha256"] == criteria.sha256), "id"]
    ok = stored["submission_id"].isin(trusted_ids).to_numpy() & stored["na"].notna().to_numpy()
    return stored[ok], stored[~ok]


def finite_only(stored: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, list[Issue]]]:
    """Stored numbers that are not finite (stored before the door refused them) count as
    missing, each with a warning: one bad row never blocks reading the rest."""
    numbers = stored[["number", "numerator", "denominator"]].to_numpy(dtype=float)
    bad = np.isinf(numbers).any(axis=1)
    if not bad.any():
        return stored, {}
    issues: dict[int, list[Issue]] = {}
    for r in stored[bad].itertuples(index=False):  # only the bad rows, never the level
        issues.setdefault(int(r.submission_id), []).append(Issue(
            "storage.bad_stored_value", {"id": int(r.submission_id), "criterion": r.criterion},
            file=SOURCE, row=int(r.source_row), severity="warning"))
    cleaned = stored.copy()
    for col in ("number", "numerator", "denominator"):
        values = cleaned[col].to_numpy(dtype=float)
        cleaned[col] = np.where(np.isinf(values), np.nan, values)
    return cleaned, issues


def _as_warnings(issues: dict[int, list[Issue]]) -> dict[int, list[Issue]]:
    """Problems found in stored data are the data's, not the reader's: warnings that name
    the submission and row, while every other row is still read."""
    return {sid: [replace(i, severity="warning") for i in found] for sid, found in issues.items()}


def read_rows(stored: pd.DataFrame, subs: pd.DataFrame, criteria: CriteriaSet,
              units: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, list[Issue]]]:
    trusted, other = split_trusted(stored, subs, criteria)
    trusted, issues = finite_only(trusted)
    parts = [typed_rows(trusted, subs)]
    if len(other):
        rows, found = rechecked_rows(other, subs, criteria, units)
        issues.update(_as_warnings(found))
        parts.append(rows)
    return concat_rows(parts), issues


def load_rows(store: Store, criteria: CriteriaSet, units: pd.DataFrame
              ) -> tuple[pd.DataFrame, list[Issue]]:
    """The current rows of a criteria set's level and year (``ROW_COLUMNS``) and any issues."""
    subs = store.current_submissions(criteria.level, criteria.year)
    stored = store.stored_rows(None, criteria.level, criteria.year)
    rows, issues = read_rows(stored, subs, criteria, units)
    return with_evidence_files(store, criteria, rows[ROW_COLUMNS]), \
        [i for found in issues.values() for i in found]


EVIDENCE_FILE = "[tệp đính kèm]"  # what a self row's empty evidence text reads once a file is attached


def with_evidence_files(store: Store, criteria: CriteriaSet, rows: pd.DataFrame) -> pd.DataFrame:
    """Self rows of a round's period whose evidence text is empty but which have evidence
    files attached read EVIDENCE_FILE as their evidence, so a set that requires evidence
    (WORKFLOW §2) scores them. Other sets' rows are returned as they are (the same frame).

    Runs on every read of the rows (the dashboard's cache too), so only the self rows with a
    blank evidence text are looked at; categorical columns are compared by their codes."""
    if not criteria.needs_evidence or rows.empty:
        return rows
    from sqlalchemy import select

    from par.store.schema import evidence, rounds

    with store.engine.connect() as conn:
        found = conn.execute(select(evidence.c.unit, rounds.c.period, evidence.c.criterion)
                             .join(rounds, rounds.c.id == evidence.c.round_id)
                             .where(rounds.c.criteria_id == criteria.id,
                                    evidence.c.purpose == "self",
                                    evidence.c.removed_at.is_(None)).distinct()).all()
    if not found:
        return rows
    candidate = np.flatnonzero(_is(rows["stage"], "self") & _blank(rows["evidence"]))
    if not len(candidate):
        return rows
    part = rows.iloc[candidate]
    here = pd.MultiIndex.from_arrays([part[c].astype(str) for c in ("unit", "period",
                                                                     "criterion")])
    keys = pd.MultiIndex.from_tuples([tuple(map(str, f)) for f in found])
    fill = candidate[here.isin(keys)]
    if not len(fill):
        return rows
    rows = rows.copy()
    column = rows["evidence"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        if EVIDENCE_FILE not in column.cat.categories:
            column = column.cat.add_categories([EVIDENCE_FILE])
    else:
        column = column.astype(object)
    mask = np.zeros(len(rows), dtype=bool)
    mask[fill] = True
    rows["evidence"] = column.where(~mask, EVIDENCE_FILE)
    return rows


def _is(column: pd.Series, value: str) -> np.ndarray:
    """column == value, by the categories' codes when the column is categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        at = column.cat.categories.get_indexer([value])[0]
        return column.cat.codes.to_numpy() == at if at >= 0 else np.zeros(len(column), bool)
    return column.to_numpy(dtype=object) == value


def _blank(column: pd.Series) -> np.ndarray:
    """Empty (or whitespace, or missing) texts."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        blank = pd.Series(column.cat.categories).astype(str).str.strip().eq("").to_numpy()
        codes = column.cat.codes.to_numpy()
        return np.where(codes < 0, True, blank[np.maximum(codes, 0)] if len(blank) else True)
    return column.isna().to_numpy() | column.astype(str).str.strip().eq("").to_numpy()


@dataclass
class RowCache:
    """The rows of one criteria set, kept up to date by reading only what changed."""

    criteria: CriteriaSet
    rows: pd.DataFrame | None = None
    issues: dict[int, list[Issue]] = field(default_factory=dict)  # by submission
    reads: int = 0  # submissions read from the database so far (for tests and benchmarks)

    def refresh(self, store: Store, units: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
        subs = store.current_submissions(self.criteria.level, self.criteria.year)
        current = set(subs["id"].tolist())
        if self.rows is None:
            stored = store.stored_rows(None, self.criteria.level, self.criteria.year)
            self.rows, self.issues = read_rows(stored, subs, self.criteria, units)
            self.reads += len(current)
        else:
            have = set(np.unique(self.rows["submission_id"]).tolist())
            kept = self.rows[self.rows["submission_id"].isin(current).to_numpy()]
            new = sorted(current - have)
            if new or len(kept) != len(self.rows):
                parts = [kept]
                if new:
                    rows, issues = read_rows(store.stored_rows(new), subs, self.criteria, units)
                    parts.append(rows)
                    self.issues.update(issues)
                    self.reads += len(new)
                self.rows = concat_rows(parts)
                self.issues = {k: v for k, v in self.issues.items() if k in current}
        return with_evidence_files(store, self.criteria, self.rows[ROW_COLUMNS]), \
            [i for found in self.issues.values() for i in found]
