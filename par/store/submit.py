"""Import a filled template or a tidy table: guard, read, validate, then store in one go.

``prepare_import`` does everything that can fail and writes nothing;
``import_files`` stores the prepared submissions of every file in one
transaction, so a batch is stored whole or not at all.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from par.domain.auth import Actor
from par.domain.issues import Issue, ParError, errors_only
from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.read.inputs import check_inputs
from par.read.tabular import RawTable, read_csv, read_xlsx_first_sheet
from par.store.storage import ImportGroup, Store


@dataclass
class Prepared:
    name: str
    sha256: str
    criteria: CriteriaSet
    groups: list[ImportGroup]
    warnings: list[Issue] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def _read(data: bytes, name: str, limits) -> tuple[RawTable, object | None]:
    from par.read.guard import (
        check_xlsx,  # the guard reads zip internals: loaded only for workbooks
    )

    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        if len(data) > limits.max_bytes:
            raise ParError([Issue("guard.too_big", {"size_mb": round(len(data) / 2**20, 1),
                                                    "limit_mb": round(limits.max_bytes / 2**20, 1)},
                                  file=name)])
        return read_csv(io.BytesIO(data), name), None
    problems = check_xlsx(data, name, limits)
    if problems:
        raise ParError(problems)
    from par.read.workbook import read_template

    table, record, issues = read_template(data, name)
    if errors_only(issues):
        raise ParError(issues)
    if table is None:
        table = read_xlsx_first_sheet(io.BytesIO(data), name)
    return table, record


def _criteria_for(table: RawTable, record, sets: list[CriteriaSet], units: pd.DataFrame,
                  criteria_id: str | None, name: str) -> CriteriaSet:
    wanted = criteria_id or getattr(record, "criteria_id", None)
    if wanted:
        found = [c for c in sets if c.id == wanted]
        if not found:
            raise ParError([Issue("import.unknown_criteria", {"id": wanted}, file=name)])
        return found[0]
    # A tidy sheet does not name its set: the units' level and the periods' year do.
    frame = table.frame
    lookup = {**dict(zip(units["name"], units["level"])), **dict(zip(units["id"], units["level"]))}
    levels = {lookup[u] for u in frame["unit"].unique() if u in lookup} if "unit" in frame else set()
    years = {p.year for p in map(parse_period, frame["period"].unique()) if p} \
        if "period" in frame else set()
    found = [c for c in sets if c.level in levels and c.year in years]
    if not found:  # unknown units or a broken header: the year alone may still tell
        found = [c for c in sets if c.year in years]
    if len(found) != 1:
        raise ParError([Issue("import.which_criteria", {
            "levels": ", ".join(sorted(levels)) or "?", "years": ", ".join(map(str, sorted(years)))
            or "?"}, file=name)])
    return found[0]


def prepare_import(data: bytes, name: str, sets: list[CriteriaSet], units: pd.DataFrame, *,
                   criteria_id: str | None = None, expected_unit: str | None = None,
                   expected_period: str | None = None, limits=None) -> Prepared:
    """Validate one file completely; raise ParError with every problem, store nothing.

    ``limits`` is a ``par.read.guard.Limits`` (default: from the environment).
    """
    if limits is None:
        from par.read.guard import Limits

        limits = Limits.from_env()
    table, record = _read(data, name, limits)
    criteria = _criteria_for(table, record, sets, units, criteria_id, name)
    issues: list[Issue] = []
    if record is not None:
        from par.read.workbook import check_record

        issues += check_record(record, criteria, expected_unit, expected_period)
    rows, found = check_inputs([table], criteria, units)
    issues += found
    if expected_unit or expected_period:
        issues += _unexpected(rows, expected_unit, expected_period, name)
    if errors_only(issues):
        raise ParError(issues)
    if rows.empty:
        raise ParError([Issue("import.no_rows", {}, file=name)])
    groups = []
    stored = rows.assign(value=rows["value_text"].astype(str),
                         evidence=rows["evidence"].astype(str), note=rows["note"].astype(str),
                         source_row=rows["row"])
    for (unit, period, stage), part in stored.groupby(["unit", "period", "stage"], sort=True,
                                                      observed=True):
        groups.append(ImportGroup(str(unit), str(period), str(stage), part[
            ["criterion", "value", "numerator", "denominator", "evidence", "note", "source_row"]
        ].astype({"criterion": str}).reset_index(drop=True)))
    return Prepared(name, hashlib.sha256(data).hexdigest(), criteria, groups,
                    [i for i in issues if i.severity != "error"])


def _unexpected(rows: pd.DataFrame, unit: str | None, period: str | None, name: str
                ) -> list[Issue]:
    out = []
    if unit and set(rows["unit"].astype(str)) - {unit}:
        out.append(Issue("import.other_unit", {"unit": unit}, file=name))
    if period and set(rows["period"].astype(str)) - {period}:
        out.append(Issue("import.other_period", {"period": period}, file=name))
    return out


def import_files(store: Store, files: list[tuple[str, bytes]], sets: list[CriteriaSet],
                 units: pd.DataFrame, *, actor: Actor, **options
                 ) -> list[tuple[Prepared, list[int]]]:
    """Validate every file first (all problems of all files at once), then store them all."""
    prepared, issues = [], []
    for name, data in files:
        try:
            prepared.append(prepare_import(data, name, sets, units, **options))
        except ParError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ParError(issues)
    ids = store.save_submissions([(p.groups, p.criteria, p.name, p.sha256) for p in prepared],
                                 actor=actor)
    return list(zip(prepared, ids))


def preview(store: Store, prepared: Prepared, units: pd.DataFrame):
    """Score the unit's level as it stands and as it would stand with ``prepared`` stored.

    Returns (before, after) scorecards as of the latest period in the file; nothing is written.
    """
    from par.engine.scoring import score

    criteria = prepared.criteria
    current = store.current_table(criteria.level, criteria.year)
    now, _ = check_inputs([current], criteria, units)
    replaced = {(g.unit, g.period, g.stage) for g in prepared.groups}
    keep = [(u, p, s) not in replaced for u, p, s in
            zip(now["unit"].astype(str), now["period"].astype(str), now["stage"].astype(str))]
    added = [g.rows.assign(unit=g.unit, period=g.period, stage=g.stage) for g in prepared.groups]
    table = _tidy_table(pd.concat([_as_tidy(now[keep]), *added], ignore_index=True))
    after_rows, _ = check_inputs([table], criteria, units)
    as_of = max(parse_period(g.period) for g in prepared.groups)
    if as_of.year != criteria.year:
        as_of = parse_period(str(criteria.year))
    return score(criteria, units, now, as_of), score(criteria, units, after_rows, as_of)


def _as_tidy(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"unit": rows["unit"].astype(str), "period": rows["period"].astype(str),
                         "criterion": rows["criterion"].astype(str),
                         "value": rows["value_text"].astype(str),
                         "numerator": rows["numerator"], "denominator": rows["denominator"],
                         "stage": rows["stage"].astype(str), "evidence": rows["evidence"].astype(str),
                         "note": rows["note"].astype(str)})


def _tidy_table(frame: pd.DataFrame) -> RawTable:
    from par.read.tabular import categorize

    cols = ["unit", "period", "criterion", "value", "numerator", "denominator", "stage",
            "evidence", "note"]
    text = {c: categorize(["" if pd.isna(v) else (repr(float(v)) if c in ("numerator",
            "denominator") else str(v)) for v in frame[c]]) for c in cols}
    table = pd.DataFrame(text)
    table["_row"] = range(1, len(table) + 1)
    return RawTable(table, "preview")
