"""The one ingest path: guard, read, validate (``prepare``), then store (``submit``).

``prepare`` does everything that can fail and writes nothing; the file is hashed
once, there. ``submit`` stores the prepared submissions of every file in one
transaction, so a batch is stored whole or not at all. The CLI import, the upload
page and the sample seeder all go through ``submit``, so the same file gives the
same stored rows whichever door it came in by.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from par.domain.auth import Actor
from par.domain.issues import Issue, ParError, errors_only, term
from par.domain.models import CriteriaSet
from par.domain.periods import ANNUAL, Period, parse_period
from par.read.inputs import INPUT_ALIASES, check_inputs
from par.read.tabular import RawTable
from par.store.library import add_set
from par.store.rounds import gate_import
from par.store.storage import ImportGroup, Store

if TYPE_CHECKING:
    from par.engine.scoring import Scorecard


@dataclass
class Prepared:
    name: str
    sha256: str
    criteria: CriteriaSet
    groups: list[ImportGroup]
    warnings: list[Issue] = field(default_factory=list)
    rows: pd.DataFrame | None = None  # the parsed rows (par.read.inputs.ROW_COLUMNS)

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def _read(data: bytes, name: str, limits) -> tuple[RawTable, object | None]:
    """The file's table and template record, read in a bounded child process.

    The guard, calamine and pyarrow run in a worker of ``par.read.sandbox``: a file that
    crashes, exhausts or hangs a parser costs that worker, never the server or the command
    (a located ParError says so). CSV and .xlsx over ``limits.max_bytes`` are refused here.
    """
    from par.read.sandbox import parse_upload

    return parse_upload(data, name, limits)


def _criteria_for(table: RawTable, record, sets: list[CriteriaSet], units: pd.DataFrame,
                  criteria_id: str | None, name: str) -> CriteriaSet:
    wanted = criteria_id or getattr(record, "criteria_id", None)
    if not wanted and len(sets) == 1:  # the caller already knows (the upload page's set)
        return sets[0]
    if wanted:
        found = [c for c in sets if c.id == wanted]
        if not found:
            raise ParError([Issue("import.unknown_criteria", {"id": wanted}, file=name)])
        return found[0]
    # A tidy sheet does not name its set: the units' level and the periods' year do (its
    # header may be in Vietnamese: "đơn vị", "kỳ", as the input checks accept it later).
    frame = table.frame
    named = {INPUT_ALIASES.get(str(c).strip().lower(), str(c).strip().lower()): c
             for c in frame.columns}
    lookup = {**dict(zip(units["name"], units["level"])), **dict(zip(units["id"], units["level"]))}
    levels = {lookup[u] for u in frame[named["unit"]].unique() if u in lookup} \
        if "unit" in named else set()
    years = {p.year for p in map(parse_period, frame[named["period"]].unique()) if p} \
        if "period" in named else set()
    found = [c for c in sets if c.level in levels and c.year in years]
    if not found:  # unknown units or a broken header: the year alone may still tell
        found = [c for c in sets if c.year in years]
    if len(found) != 1:
        raise ParError([Issue("import.which_criteria", {
            "levels": ", ".join(sorted(levels)) or "?", "years": ", ".join(map(str, sorted(years)))
            or "?"}, file=name)])
    return found[0]


def prepare(data: bytes, name: str, sets: list[CriteriaSet], units: pd.DataFrame, *,
            criteria_id: str | None = None, expected_unit: str | None = None,
            expected_period: str | None = None, limits=None, sha256: str | None = None,
            actor: Actor | None = None) -> Prepared:
    """Validate one file completely; raise ParError with every problem, store nothing.

    ``expected_unit``/``expected_period`` are what the person said they upload (the
    dashboard passes the unit and period it shows); rows for anything else are refused.
    ``limits`` is a ``par.read.guard.Limits`` (default: from the settings). With ``actor``,
    a file touching a unit the actor may not import is refused here, before anything of
    it is scored or shown.
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
    if actor is not None and not errors_only(issues):
        issues += _forbidden(actor, rows, name)
    if errors_only(issues):
        raise ParError(issues)
    if rows.empty:
        raise ParError([Issue("import.no_rows", {}, file=name)])
    return Prepared(name, sha256 or hashlib.sha256(data).hexdigest(), criteria, groups_of(rows),
                    [i for i in issues if i.severity != "error"], rows)


prepare_import = prepare  # the name the first version of the upload page used


def groups_of(rows: pd.DataFrame) -> list[ImportGroup]:
    """One group per unit, period and stage, in the typed form the store keeps."""
    stored = pd.DataFrame({
        "criterion": np.asarray(rows["criterion"], dtype=object).astype(str),
        "value": np.asarray(rows["value_text"], dtype=object).astype(str),
        "number": rows["value"].to_numpy(dtype=float), "na": rows["na"].to_numpy(dtype=bool),
        "numerator": rows["numerator"].to_numpy(dtype=float),
        "denominator": rows["denominator"].to_numpy(dtype=float),
        "evidence": np.asarray(rows["evidence"], dtype=object).astype(str),
        "note": np.asarray(rows["note"], dtype=object).astype(str),
        "source_row": rows["row"].to_numpy(dtype=int)})
    codes, labels = zip(*(pd.factorize(np.asarray(rows[c], dtype=object))
                          for c in ("unit", "period", "stage")))
    combined = (codes[0].astype(np.int64) * (len(labels[1]) + 1) + codes[1]) * \
        (len(labels[2]) + 1) + codes[2]
    uniques, inverse = np.unique(combined, return_inverse=True)
    groups = []
    for i, key in enumerate(uniques):  # a file is usually one unit, period and stage
        first = int(np.flatnonzero(inverse == i)[0])
        unit, period, stage = (str(labels[k][codes[k][first]]) for k in range(3))
        part = stored if len(uniques) == 1 else stored[inverse == i].reset_index(drop=True)
        groups.append(ImportGroup(unit, period, stage, part))
    groups.sort(key=lambda g: (g.unit, g.period, g.stage))
    return groups


def _forbidden(actor: Actor, rows: pd.DataFrame, name: str) -> list[Issue]:
    if actor.role == "appraiser":
        return []  # an appraiser's rows are the round's to judge (rounds.gate_import)
    out = []
    for unit in sorted(set(np.asarray(rows["unit"], dtype=object).astype(str))):
        if not actor.may("import", unit):
            out.append(Issue("auth.forbidden", {"user": actor.name,
                                                "role": term(f"auth.role_{actor.role}"),
                                                "action": term("auth.action_import"),
                                                "unit": unit}, file=name))
    return out


def _unexpected(rows: pd.DataFrame, unit: str | None, period: str | None, name: str
                ) -> list[Issue]:
    out = []  # "found": what the file holds instead, so a page can name it (par.present.logs)
    if unit and (others := set(rows["unit"].astype(str)) - {unit}):
        out.append(Issue("import.other_unit", {"unit": unit, "found": sorted(others)},
                         file=name))
    if period and (others := set(rows["period"].astype(str)) - {period}):
        out.append(Issue("import.other_period", {"period": period, "found": sorted(others)},
                         file=name))
    return out


def prepare_all(files: list[tuple[str, bytes]], sets: list[CriteriaSet], units: pd.DataFrame,
                **options) -> list[Prepared]:
    """Validate every file; raise ParError with all problems of all files at once.

    Two files are in hand at a time: while one is parsed in a sandbox worker, the other is
    checked here (the parse runs in another process, so the wait holds no lock)."""
    def one(item):
        name, data = item
        try:
            return prepare(data, name, sets, units, **options)
        except ParError as exc:
            return exc

    if len(files) > 1:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="par-prepare") as pool:
            results = list(pool.map(one, files))
    else:
        results = [one(f) for f in files]
    issues = [i for r in results if isinstance(r, ParError) for i in r.issues]
    if issues:
        raise ParError(issues)
    return results


def submit(store: Store, prepared: list[Prepared], *, actor: Actor
           ) -> list[tuple[Prepared, list[int]]]:
    """Store validated files as new current submissions, all in one transaction.

    The one way data enters the database: the CLI import, the upload page and the
    sample seeder all end here. The store checks the actor's rights on every unit.
    """
    for criteria in {p.criteria.sha256: p.criteria for p in prepared}.values():
        # stored with its text; active if its level and year have no active set yet
        add_set(store, criteria, actor=None, source_name=Path(criteria.source or '').name,
                by=actor.name)
    ids = store.save_submissions([(p.groups, p.criteria, p.name, p.sha256) for p in prepared],
                                 actor=actor, gate=gate_import)
    return list(zip(prepared, ids))


def import_files(store: Store, files: list[tuple[str, bytes]], sets: list[CriteriaSet],
                 units: pd.DataFrame, *, actor: Actor, **options
                 ) -> list[tuple[Prepared, list[int]]]:
    """Validate every file first (all problems of all files at once), then submit them all."""
    return submit(store, prepare_all(files, sets, units, **options), actor=actor)


def preview(store: Store, prepared: Prepared, units: pd.DataFrame,
            current: pd.DataFrame | None = None):
    """Score the unit's level as it stands and as it would stand with ``prepared`` stored.

    ``current`` are the level's current rows if the caller has them (the dashboard's
    cache); otherwise they are read from the store. Returns (before, after) scorecards as
    of the latest period in the file; nothing is written.
    """
    from par.engine.scoring import score

    criteria = prepared.criteria
    current = _current_rows(store, criteria, units, current)
    after = with_rows(current, prepared.rows)
    as_of = max(parse_period(g.period) for g in prepared.groups)
    if as_of.year != criteria.year:
        as_of = parse_period(str(criteria.year))
    return score(criteria, units, current, as_of), score(criteria, units, after, as_of)


# -- what a change would do: the upload preview and the rollback confirmation ---------------

@dataclass(frozen=True)
class Effect:
    """The level scored as of one period before and after a change (nothing written)."""

    as_of: Period
    before: Scorecard
    after: Scorecard


def effect_periods(period: str | Period, criteria: CriteriaSet) -> list[Period]:
    """The periods a change to ``period`` is shown for: a quarter as the year to date up to
    it, then the whole year; a whole-year period (or one outside the set's year) once."""
    found = parse_period(str(period))
    year = Period(criteria.year, ANNUAL)
    if found is None or found.year != criteria.year or found.is_annual:
        return [year]
    return [found, year]


def with_rows(current: pd.DataFrame, new: pd.DataFrame, submission=None) -> pd.DataFrame:
    """``current`` rows with every (unit, period, stage) that ``new`` holds replaced by
    ``new``'s rows: what the level reads once a submission becomes current. ``submission``
    (its unit, period and stage) names the key when ``new`` may hold no row at all."""
    from par.read.inputs import ROW_COLUMNS

    key = ["unit", "period", "stage"]
    replaced = pd.MultiIndex.from_frame(new[key].astype(str)).unique()
    if submission is not None:
        replaced = replaced.append(pd.MultiIndex.from_tuples(
            [tuple(str(submission[k]) for k in key)], names=key)).unique()
    keep = ~pd.MultiIndex.from_frame(current[key].astype(str)).isin(replaced)
    as_text = {c: object for c in key}
    return pd.concat([current.loc[keep, ROW_COLUMNS].astype(as_text),
                      new[ROW_COLUMNS].astype(as_text)], ignore_index=True)


def _current_rows(store: Store, criteria: CriteriaSet, units: pd.DataFrame,
                  current: pd.DataFrame | None) -> pd.DataFrame:
    if current is not None:
        return current
    from par.store.rows import load_rows

    return load_rows(store, criteria, units)[0]


def _effects(criteria: CriteriaSet, units: pd.DataFrame, current: pd.DataFrame,
             after: pd.DataFrame, period: str) -> list[Effect]:
    from par.engine.scoring import score

    return [Effect(p, score(criteria, units, current, p), score(criteria, units, after, p))
            for p in effect_periods(period, criteria)]


def preview_effects(store: Store, prepared: Prepared, units: pd.DataFrame,
                    current: pd.DataFrame | None = None) -> list[Effect]:
    """What storing ``prepared`` would do, as of the file's (latest) period year to date and
    as of the whole year. ``current``: the level's current rows if the caller has them."""
    criteria = prepared.criteria
    current = _current_rows(store, criteria, units, current)
    latest = max(parse_period(g.period) for g in prepared.groups)
    return _effects(criteria, units, current, with_rows(current, prepared.rows), str(latest))


def rollback_effects(store: Store, submission_id: int, criteria: CriteriaSet,
                     units: pd.DataFrame, current: pd.DataFrame | None = None,
                     history: pd.DataFrame | None = None) -> list[Effect]:
    """What ``Store.rollback(submission_id)`` would do to the level of ``criteria``: the
    current rows against the same rows with that submission current again for its unit,
    period and stage, as of its period (year to date) and the whole year. Nothing is
    written; ``store.rollback`` stays the one writer. ``history``: the store's history of
    the submission's unit if the caller has it. Raises ParError for an unknown id."""
    from par.read.inputs import ROW_COLUMNS
    from par.store.rows import read_rows

    history = store.history() if history is None else history
    found = history[history["id"] == int(submission_id)]
    if found.empty:
        raise ParError([Issue("storage.no_submission", {"id": submission_id})])
    subs = found[["id", "unit", "period", "stage", "criteria_id", "criteria_sha256"]]
    current = _current_rows(store, criteria, units, current)
    stored = store.stored_rows([int(submission_id)])
    target, _ = read_rows(stored, subs.reset_index(drop=True), criteria, units)
    after = with_rows(current, target[ROW_COLUMNS], subs.iloc[0])
    return _effects(criteria, units, current, after, str(subs.iloc[0]["period"]))
