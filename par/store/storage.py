"""Storage: criteria sets, units, submissions and their typed rows, an audit log.

SQLAlchemy 2 Core over SQLite by default (``PAR_DATABASE_URL``, else the sample's
``data/par.db``) or PostgreSQL with the same URL setting. Every write is one
transaction: an import stores all its rows or none. A new submission for the same
unit, period and stage supersedes the current one without deleting it; a rollback
makes an earlier one current again. Rows are stored typed (the parsed number and
"not applicable" beside the text as typed), so reading them back needs no parsing;
par.store.rows turns them into the engine's rows.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Table, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from par import settings
from par.domain.auth import Actor, authorize
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.read.tabular import RawTable, categorize
from par.store import schema
from par.store.packed import pack_rows, unpack_one, unpack_rows
from par.store.schema import (
    audit_log,
    criteria_sets,
    input_rows,
    meta,
    metadata,
    submissions,
    units,
    users,
)

TIDY = ["unit", "period", "criterion", "value", "numerator", "denominator", "stage",
        "evidence", "note"]
# what one submission's rows hold, as par.store.submit prepares them
GROUP_COLUMNS = ["criterion", "value", "number", "na", "numerator", "denominator", "evidence",
                 "note", "source_row"]
__all__ = ["Store", "ImportGroup", "metadata", "users", "audit_log", "TIDY", "GROUP_COLUMNS"]


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL so readers never block the writer; BEGIN IMMEDIATE so concurrent writers queue
    instead of failing on a lock upgrade (SQLAlchemy's documented pysqlite recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass
class ImportGroup:
    """The rows of one submission: one unit, period and stage."""

    unit: str
    period: str
    stage: str
    rows: pd.DataFrame  # GROUP_COLUMNS


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or settings.database_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(self.url, connect_args={"timeout": 60})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)
        schema.create(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- reference data ---------------------------------------------------------------
    def criteria_hashes(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(criteria_sets.c.id, criteria_sets.c.sha256,
                                      criteria_sets.c.year, criteria_sets.c.level,
                                      criteria_sets.c.registered_at), conn)

    def sync_units(self, frame: pd.DataFrame, *, actor: Actor | None = None) -> None:
        """Insert new units and update names/levels/groups of known ones; never delete.

        With ``actor`` (a person loading a units table) the change is authorised and audited;
        without, it is the seeder or a test setting up reference data."""
        if actor is not None:
            authorize(actor, "units")
        with self.engine.begin() as conn:
            if actor is not None:
                conn.execute(insert(audit_log).values(
                    at=utc_now(), user=actor.name, action="units",
                    detail=json.dumps({"units": len(frame)}, ensure_ascii=False)))
            known = {r.id: r for r in conn.execute(select(units))}
            coded = "official_code" in frame.columns  # a registry table: its codes are kept too
            for r in frame.itertuples(index=False):
                group = None if pd.isna(r.group) else r.group
                values = dict(name=r.name, level=r.level, group=group)
                if coded:
                    values["official_code"] = r.official_code
                if r.id not in known:
                    insert_ignore(conn, units, ["id"], dict(id=r.id, **values))
                elif tuple(getattr(known[r.id], k) for k in values) != tuple(values.values()):
                    conn.execute(update(units).where(units.c.id == r.id).values(**values))

    def units(self, *, official_code: bool = False) -> pd.DataFrame:
        """id, name, level, group (and the registry's official_code when asked)."""
        columns = ["id", "name", "level", "group"] + (["official_code"] if official_code else [])
        with self.engine.connect() as conn:
            frame = pd.DataFrame([{c: r._mapping[c] for c in columns} for r in conn.execute(
                select(units).order_by(units.c.level, units.c.id))],
                columns=columns, dtype=object)
        return frame.set_index("id", drop=False).rename_axis(None)

    # -- submissions ----------------------------------------------------------------
    def save_submissions(self, batch: list[tuple[list[ImportGroup], CriteriaSet, str, str]], *,
                         actor: Actor, gate) -> list[list[int]]:
        """Store each file's groups as new current submissions, all in one transaction.

        The actor must be allowed to import every group's unit, or nothing is stored.

        ``batch`` holds (groups, criteria, source name, source sha256) per file; the
        result holds the new submission ids per file.
        """
        for groups, _, source_name, source_sha256 in batch:
            for g in groups:
                if actor is not None and actor.role == "appraiser":
                    continue  # appraisers import in a round only: gate_import decides below
                try:
                    authorize(actor, "import", g.unit)
                except ParError as exc:
                    self.record_refusal(actor, "import", exc.issues, unit=g.unit,
                                        period=g.period, file=source_name, sha256=source_sha256)
                    raise
        user = actor.name
        for attempt in range(3):
            group = None
            try:
                out = []
                with self.engine.begin() as conn:
                    for groups, criteria, source_name, source_sha256 in batch:
                        ids = []
                        for group in groups:
                            # a group in a scoring round obeys its phase, deadlines and domains
                            rnd = gate(conn, actor, criteria, group.unit, group.period,
                                       group.stage, group.rows["criterion"])
                            # in a round, appraisal rows land criterion by criterion
                            merge = rnd is not None and group.stage == "appraisal"
                            ids.append(self.save_group(conn, group, user, criteria,
                                                        source_name, source_sha256,
                                                        merge=merge))
                        out.append(ids)
                return out
            except ParError as exc:
                self.record_refusal(actor, "import", exc.issues,
                                    unit=group.unit if group else None,
                                    period=group.period if group else None,
                                    file=source_name, sha256=source_sha256)
                raise
            except IntegrityError:
                # Two first submissions for the same unit/period/stage raced (PostgreSQL has
                # no row to lock yet); the one-current index refused one: try it again.
                if attempt == 2:
                    raise
        return []

    @staticmethod
    def save_group(conn: Connection, g: ImportGroup, user: str, criteria: CriteriaSet,
                    source_name: str, source_sha256: str, *, merge: bool = False,
                    action: str = "import", drop=()) -> int:
        """Store one group as the current submission of its unit, period and stage. With
        ``merge`` the current submission's rows for criteria the group does not hold (nor
        ``drop``: criteria cleared) are carried over (a round's per-criterion writes), else
        the group replaces them all."""
        old = current_id(conn, g.unit, g.period, g.stage)
        if old is not None:
            conn.execute(update(submissions).where(submissions.c.id == old)
                         .values(status="superseded"))
            if merge:
                g = ImportGroup(g.unit, g.period, g.stage, merged_rows(conn, old, g.rows, drop))
        sid = conn.execute(insert(submissions).values(
            unit=g.unit, period=g.period, stage=g.stage, criteria_id=criteria.id,
            criteria_sha256=criteria.sha256, user=user, created_at=utc_now(),
            source_name=source_name, source_sha256=source_sha256,
            row_count=len(g.rows), status="current", replaces=old,
            packed=pack_rows(g.rows))).inserted_primary_key[0]
        conn.execute(insert(input_rows), _row_records(g.rows, sid))
        conn.execute(insert(audit_log).values(
            at=utc_now(), user=user, action=action, submission_id=sid, unit=g.unit,
            period=g.period, source_sha256=source_sha256,
            detail=json.dumps({"file": source_name, "rows": len(g.rows), "stage": g.stage,
                               "replaces": old, "criteria": criteria.id}, ensure_ascii=False)))
        return sid

    def record_refusal(self, actor: Actor | str | None, action: str, issues, *,
                       unit: str | None = None, period: str | None = None,
                       file: str | None = None, sha256: str | None = None,
                       extra: dict | None = None) -> None:
        """Audit a refused attempt: who, what, which unit and period, and why (issue codes and
        the first message). Its own transaction: the refused work itself wrote nothing."""
        issues = list(issues)
        who = actor.name if isinstance(actor, Actor) else (actor or "?")
        detail = {"action": action, "file": file, "reasons": sorted({i.code for i in issues}),
                  "count": len(issues), "first": issues[0].render("en")[:500] if issues else "",
                  **{k: v for k, v in (extra or {}).items() if v is not None}}
        if issues:  # the first problem as data too, so the log can word it in either language
            first = issues[0]
            detail["issue"] = {"code": first.code,
                               "params": {k: str(v)[:200] for k, v in first.params.items()},
                               **{k: getattr(first, k) for k in ("file", "sheet", "row", "cell",
                                                                 "node", "line")
                                  if getattr(first, k) is not None}}
        with self.engine.begin() as conn:
            conn.execute(insert(audit_log).values(
                at=utc_now(), user=str(who)[:100], action="refused", unit=unit,
                period=(period or None) and str(period)[:10], source_sha256=sha256,
                detail=json.dumps(detail, ensure_ascii=False)))

    def history(self, unit: str | None = None, period: str | None = None) -> pd.DataFrame:
        shown = [c for c in submissions.columns if c.name != "packed"]  # rows are not history
        query = select(*shown).order_by(submissions.c.unit, submissions.c.period,
                                        submissions.c.stage, submissions.c.id)
        if unit:
            query = query.where(submissions.c.unit == unit)
        if period:
            query = query.where(submissions.c.period == period)
        with self.engine.connect() as conn:
            return pd.DataFrame([dict(r._mapping) for r in conn.execute(query)],
                                columns=[c.name for c in shown])

    def rollback(self, submission_id: int, *, actor: Actor) -> int:
        """Make an earlier submission current again; return the one it replaces."""
        user = actor.name
        with self.engine.connect() as conn:  # who may, before any write lock is taken
            target = conn.execute(select(submissions.c.unit, submissions.c.period,
                                         submissions.c.source_sha256).where(
                submissions.c.id == submission_id)).first()
        if target is None:
            raise ParError([Issue("storage.no_submission", {"id": submission_id})])
        try:
            authorize(actor, "rollback", target.unit)
        except ParError as exc:
            self.record_refusal(actor, "rollback", exc.issues, unit=target.unit,
                                period=target.period, sha256=target.source_sha256)
            raise
        with self.engine.begin() as conn:
            target = conn.execute(select(submissions).where(
                submissions.c.id == submission_id)).first()
            if target.status == "current":
                raise ParError([Issue("storage.already_current", {"id": submission_id})])
            if target.packed is None and target.row_count and conn.execute(
                    select(input_rows.c.id).where(input_rows.c.submission_id == submission_id)
                    .limit(1)).first() is None:
                raise ParError([Issue("storage.pruned", {"id": submission_id})])
            current = current_id(conn, target.unit, target.period, target.stage)
            if current is not None:
                conn.execute(update(submissions).where(submissions.c.id == current)
                             .values(status="superseded"))
            conn.execute(update(submissions).where(submissions.c.id == submission_id)
                         .values(status="current"))
            conn.execute(insert(audit_log).values(
                at=utc_now(), user=user, action="rollback", submission_id=submission_id,
                unit=target.unit, period=target.period, source_sha256=target.source_sha256,
                detail=json.dumps({"replaced": current}, ensure_ascii=False)))
        return current

    def audit(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.DataFrame([dict(r._mapping) for r in conn.execute(
                select(audit_log).order_by(audit_log.c.id))],
                columns=[c.name for c in audit_log.columns])

    def current_table(self, level: str | None = None, year: int | None = None) -> RawTable:
        """The current rows as a tidy table, for ``check_inputs`` like any file."""
        s, r = submissions, input_rows
        query = (select(s.c.unit, s.c.period, r.c.criterion, r.c.value, r.c.numerator,
                        r.c.denominator, s.c.stage, r.c.evidence, r.c.note)
                 .join(r, r.c.submission_id == s.c.id).where(s.c.status == "current")
                 .order_by(s.c.id, r.c.id))
        if level:
            query = query.join(units, units.c.id == s.c.unit).where(units.c.level == level)
        if year:
            query = query.where(func.substr(s.c.period, 1, 4) == str(year))
        with self.engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(query).all(), columns=TIDY, dtype=object)
        for col in ("numerator", "denominator"):
            frame[col] = [("" if v is None or pd.isna(v) else repr(float(v))) for v in frame[col]]
        table = pd.DataFrame({c: categorize(frame[c].to_numpy()) for c in TIDY})
        table["_row"] = range(1, len(table) + 1)
        return RawTable(table, "database")

    def last_update(self, level: str | None = None, year: int | None = None):
        """When the newest current submission (of a level and year) was stored; None if none."""
        query = _level_year(select(func.max(submissions.c.created_at)).where(
            submissions.c.status == "current"), level, year)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def is_empty(self) -> bool:
        """No submission at all: a new database (what the dashboard explains how to fill)."""
        with self.engine.connect() as conn:
            return conn.execute(select(submissions.c.id).limit(1)).first() is None

    def current_submissions(self, level: str | None = None, year: int | None = None
                            ) -> pd.DataFrame:
        """The current submission of every unit, period and stage (of a level and year)."""
        s = submissions
        query = (select(s.c.id, s.c.unit, s.c.period, s.c.stage, s.c.criteria_id,
                        s.c.criteria_sha256).where(s.c.status == "current").order_by(s.c.id))
        query = _level_year(query, level, year)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(query).all(),
                                columns=["id", "unit", "period", "stage", "criteria_id",
                                         "criteria_sha256"])

    def stored_rows(self, submission_ids=None, level: str | None = None,
                    year: int | None = None) -> pd.DataFrame:
        """Typed rows (``STORED_COLUMNS``) of the given submissions, or of every current one.

        Read from each submission's packed copy; submissions stored before there were
        packed copies are read from the row table.
        """
        s = submissions
        query = select(s.c.id, s.c.packed)
        if submission_ids is None:
            queries = [_level_year(query.where(s.c.status == "current"), level, year)]
        else:
            ids = sorted(int(i) for i in submission_ids)
            queries = [query.where(s.c.id.in_(ids[k:k + 900])) for k in range(0, len(ids), 900)]
        with self.engine.connect() as conn:
            found = [row for q in queries for row in conn.execute(q.order_by(s.c.id))]
        packed = [(sid, blob) for sid, blob in found if blob is not None]
        unpacked = [sid for sid, blob in found if blob is None]
        parts = [unpack_rows(packed)] if packed else []
        for k in range(0, len(unpacked), 900):
            parts.append(self._fetch(select(*(input_rows.c[c] for c in STORED_COLUMNS)).where(
                input_rows.c.submission_id.in_(unpacked[k:k + 900])).order_by(input_rows.c.id)))
        parts = [p for p in parts if len(p)]
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in STORED_DTYPES.items()})
        if len(parts) == 1:
            return parts[0][STORED_COLUMNS]
        return pd.concat([p[STORED_COLUMNS].astype({c: object for c in TEXT_COLUMNS})
                          for p in parts], ignore_index=True)

    def _fetch(self, query) -> pd.DataFrame:
        with self.engine.connect() as conn:
            data = conn.execute(query).all()
        frame = pd.DataFrame.from_records(data, columns=STORED_COLUMNS, coerce_float=True)
        return frame.astype({"numerator": float, "denominator": float, "number": float})

    def prune(self, older_than_days: float, *, actor: Actor) -> int:
        """Retention: drop the rows of submissions that stopped being current (superseded or
        withdrawn) and were stored more than ``older_than_days`` ago. The submission record
        (who, when, file name and SHA-256) and the audit log stay; such a submission can no
        longer be rolled back to. Admins only, audited; returns how many were pruned."""
        authorize(actor, "reset")
        cutoff = utc_now() - dt.timedelta(days=float(older_than_days))
        s = submissions
        old = (s.c.status != "current") & (s.c.created_at < cutoff) & s.c.packed.is_not(None)
        with self.engine.begin() as conn:
            ids = [r.id for r in conn.execute(select(s.c.id).where(old))]
            for k in range(0, len(ids), 900):
                chunk = ids[k:k + 900]
                conn.execute(input_rows.delete().where(input_rows.c.submission_id.in_(chunk)))
                conn.execute(update(s).where(s.c.id.in_(chunk)).values(packed=None))
            conn.execute(insert(audit_log).values(
                at=utc_now(), user=actor.name, action="prune",
                detail=json.dumps({"pruned": len(ids), "older_than_days": older_than_days},
                                  ensure_ascii=False)))
        return len(ids)

    def mark_sample(self) -> None:
        """Record that this database holds the bundled sample (only the seeder calls this)."""
        with self.engine.begin() as conn:
            insert_ignore(conn, meta, ["key"], dict(key="sample", value="1"))

    def is_sample(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == "sample")).scalar() == "1"

    def withdraw_all(self, *, actor: Actor) -> int:
        """The sample reset: every current submission stops being current (nothing is
        deleted, the audit log least of all); returns how many were withdrawn."""
        authorize(actor, "reset")
        if not self.is_sample():
            raise ParError([Issue("data.not_sample", {})])
        with self.engine.begin() as conn:
            count = conn.execute(update(submissions).where(submissions.c.status == "current")
                                 .values(status="withdrawn")).rowcount
            conn.execute(insert(audit_log).values(
                at=utc_now(), user=actor.name, action="reset",
                detail=json.dumps({"withdrawn": count}, ensure_ascii=False)))
        return count

    def has_current(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(submissions.c.id).where(
                submissions.c.status == "current").limit(1)).first() is not None

    def data_version(self) -> tuple:
        """Changes whenever what can be shown changes: an import, a rollback, a reset, units
        loaded (cache key). A refused attempt is audited but changes nothing, so it leaves
        the version (and every cached result) alone."""
        with self.engine.connect() as conn:
            last = conn.execute(select(func.max(audit_log.c.id)).where(
                audit_log.c.action != "refused")).scalar()
        return (last,)


STORED_COLUMNS = ["submission_id", "criterion", "value", "number", "na", "numerator",
                  "denominator", "evidence", "note", "source_row"]
TEXT_COLUMNS = ["criterion", "value", "evidence", "note"]
STORED_DTYPES = {"submission_id": int, "criterion": object, "value": object, "number": float,
                 "na": object, "numerator": float, "denominator": float, "evidence": object,
                 "note": object, "source_row": int}


def _level_year(query, level: str | None, year: int | None):
    s = submissions
    if level:
        query = query.join(units, units.c.id == s.c.unit).where(units.c.level == level)
    if year:
        query = query.where(func.substr(s.c.period, 1, 4) == str(year))
    return query


def _row_records(rows: pd.DataFrame, submission_id: int) -> list[dict]:
    """One dict per row for an executemany; NaN becomes NULL, numpy scalars plain Python."""
    def floats(col):
        arr = rows[col].to_numpy(dtype=float)
        return np.where(np.isnan(arr), None, arr).tolist()

    columns = {
        "criterion": rows["criterion"].astype(str).tolist(),
        "value": rows["value"].astype(str).tolist(),
        "number": floats("number"), "na": rows["na"].astype(bool).tolist(),
        "numerator": floats("numerator"), "denominator": floats("denominator"),
        "evidence": rows["evidence"].astype(str).tolist(),
        "note": rows["note"].astype(str).tolist(),
        "source_row": rows["source_row"].astype(int).tolist(),
    }
    names = list(columns)
    return [dict(zip(names, values), submission_id=submission_id)
            for values in zip(*columns.values())]


def current_id(conn: Connection, unit: str, period: str, stage: str) -> int | None:
    query = select(submissions.c.id).where(
        submissions.c.unit == unit, submissions.c.period == period,
        submissions.c.stage == stage, submissions.c.status == "current")
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).scalar()


def merged_rows(conn: Connection, old: int, new: pd.DataFrame, drop=()) -> pd.DataFrame:
    """The rows of submission ``old`` whose criteria neither ``new`` holds nor ``drop``
    names, then ``new``."""
    replaced = set(new["criterion"].astype(str)) | set(drop)
    blob = conn.execute(select(submissions.c.packed).where(submissions.c.id == old)).scalar()
    if blob is None:  # stored before rows were packed
        kept = pd.read_sql(select(*[input_rows.c[c] for c in GROUP_COLUMNS])
                           .where(input_rows.c.submission_id == old), conn)
        kept = kept[~kept["criterion"].astype(str).isin(replaced)]
    else:
        kept = unpack_one(blob, replaced)
    if kept.empty:
        return new
    return pd.concat([kept[GROUP_COLUMNS], new[GROUP_COLUMNS]], ignore_index=True)


def insert_ignore(conn: Connection, table: Table, keys: list[str], values: dict) -> None:
    """INSERT … ON CONFLICT DO NOTHING, so concurrent writers of the same row both succeed."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    conn.execute(dialect_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
