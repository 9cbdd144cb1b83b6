"""Storage: criteria sets, units, submissions and their input rows, an audit log.

SQLAlchemy 2 Core over SQLite by default (``PAR_DATABASE_URL``, default
``sqlite:///data/par.db``) or PostgreSQL with the same URL setting. Every write
is one transaction: an import stores all its rows or none. A new submission for
the same unit, period and stage supersedes the current one without deleting
it; a rollback makes an earlier one current again. Scoring reads the current
rows back as a tidy table, exactly as it reads a file.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from par import settings
from par.domain.auth import Actor, authorize
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.read.tabular import RawTable, categorize

TIDY = ["unit", "period", "criterion", "value", "numerator", "denominator", "stage",
        "evidence", "note"]

metadata = MetaData()

criteria_sets = Table(
    "criteria_sets", metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("level", String(50), nullable=False),
    Column("yaml", Text, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("id", "sha256"),
)

units = Table(
    "units", metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", String(50), nullable=False),
    Column("group", String(50)),
)

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit", String(100), ForeignKey("units.id"), nullable=False),
    Column("period", String(10), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("criteria_id", String(100), nullable=False),
    Column("criteria_sha256", String(64)),
    Column("user", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("source_name", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # current | superseded
    Column("replaces", Integer, ForeignKey("submissions.id")),
)
# At most one current submission per unit, period and stage, enforced by the database itself.
Index("one_current_submission", submissions.c.unit, submissions.c.period, submissions.c.stage,
      unique=True, sqlite_where=submissions.c.status == "current",
      postgresql_where=submissions.c.status == "current")

input_rows = Table(
    "input_rows", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False, index=True),
    Column("criterion", String(50), nullable=False),
    Column("value", Text, nullable=False, default=""),
    Column("numerator", Float),
    Column("denominator", Float),
    Column("evidence", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("source_row", Integer),
)

users = Table(
    "users", metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("units", Text, nullable=False, default=""),  # comma-separated unit ids
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login", DateTime(timezone=True)),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(100), nullable=False),
    Column("action", String(30), nullable=False),  # import | rollback
    Column("submission_id", Integer, ForeignKey("submissions.id")),
    Column("unit", String(100)),
    Column("period", String(10)),
    Column("source_sha256", String(64)),
    Column("detail", Text),
)


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
    rows: pd.DataFrame  # criterion, value, numerator, denominator, evidence, note, source_row


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or settings.database_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(self.url, connect_args={"timeout": 60})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)
        metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- reference data ---------------------------------------------------------------
    def register_criteria(self, criteria: CriteriaSet, yaml_text: str) -> None:
        """Record the set and the hash of its YAML (once per version, even from racing imports)."""
        with self.engine.begin() as conn:
            _insert_ignore(conn, criteria_sets, ["id", "sha256"], dict(
                id=criteria.id, sha256=criteria.sha256, title=criteria.title,
                year=criteria.year, level=criteria.level, yaml=yaml_text, registered_at=_now()))

    def criteria_hashes(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(criteria_sets.c.id, criteria_sets.c.sha256,
                                      criteria_sets.c.year, criteria_sets.c.level,
                                      criteria_sets.c.registered_at), conn)

    def sync_units(self, frame: pd.DataFrame) -> None:
        """Insert new units and update names/levels/groups of known ones; never delete."""
        with self.engine.begin() as conn:
            known = {r.id: r for r in conn.execute(select(units))}
            for r in frame.itertuples(index=False):
                group = None if pd.isna(r.group) else r.group
                if r.id not in known:
                    _insert_ignore(conn, units, ["id"], dict(id=r.id, name=r.name, level=r.level,
                                                             group=group))
                elif (known[r.id].name, known[r.id].level, known[r.id].group) != \
                        (r.name, r.level, group):
                    conn.execute(update(units).where(units.c.id == r.id).values(
                        name=r.name, level=r.level, group=group))

    def units(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.DataFrame([dict(r._mapping) for r in conn.execute(
                select(units).order_by(units.c.level, units.c.id))],
                columns=["id", "name", "level", "group"], dtype=object)
        return frame.set_index("id", drop=False).rename_axis(None)

    # -- submissions ----------------------------------------------------------------
    def save_submissions(self, batch: list[tuple[list[ImportGroup], CriteriaSet, str, str]], *,
                         actor: Actor) -> list[list[int]]:
        """Store each file's groups as new current submissions, all in one transaction.

        The actor must be allowed to import every group's unit, or nothing is stored.

        ``batch`` holds (groups, criteria, source name, source sha256) per file; the
        result holds the new submission ids per file.
        """
        for groups, *_ in batch:
            for g in groups:
                authorize(actor, "import", g.unit)
        user = actor.name
        for attempt in range(3):
            try:
                out = []
                with self.engine.begin() as conn:
                    for groups, criteria, source_name, source_sha256 in batch:
                        out.append([self._save_group(conn, g, user, criteria, source_name,
                                                     source_sha256) for g in groups])
                return out
            except IntegrityError:
                # Two first submissions for the same unit/period/stage raced (PostgreSQL has
                # no row to lock yet); the one-current index refused one: try it again.
                if attempt == 2:
                    raise
        return []

    @staticmethod
    def _save_group(conn: Connection, g: ImportGroup, user: str, criteria: CriteriaSet,
                    source_name: str, source_sha256: str) -> int:
        old = _current(conn, g.unit, g.period, g.stage)
        if old is not None:
            conn.execute(update(submissions).where(submissions.c.id == old)
                         .values(status="superseded"))
        sid = conn.execute(insert(submissions).values(
            unit=g.unit, period=g.period, stage=g.stage, criteria_id=criteria.id,
            criteria_sha256=criteria.sha256, user=user, created_at=_now(),
            source_name=source_name, source_sha256=source_sha256,
            row_count=len(g.rows), status="current", replaces=old)).inserted_primary_key[0]
        records = g.rows.assign(submission_id=sid).astype(object).to_dict("records")
        for rec in records:
            for key in ("numerator", "denominator"):
                if rec[key] is None or pd.isna(rec[key]):
                    rec[key] = None
                else:
                    rec[key] = float(rec[key])
            rec["source_row"] = int(rec["source_row"])
        conn.execute(insert(input_rows), records)
        conn.execute(insert(audit_log).values(
            at=_now(), user=user, action="import", submission_id=sid, unit=g.unit,
            period=g.period, source_sha256=source_sha256,
            detail=json.dumps({"file": source_name, "rows": len(g.rows), "stage": g.stage,
                               "replaces": old, "criteria": criteria.id}, ensure_ascii=False)))
        return sid

    def history(self, unit: str | None = None, period: str | None = None) -> pd.DataFrame:
        query = select(submissions).order_by(submissions.c.unit, submissions.c.period,
                                             submissions.c.stage, submissions.c.id)
        if unit:
            query = query.where(submissions.c.unit == unit)
        if period:
            query = query.where(submissions.c.period == period)
        with self.engine.connect() as conn:
            return pd.DataFrame([dict(r._mapping) for r in conn.execute(query)],
                                columns=[c.name for c in submissions.columns])

    def rollback(self, submission_id: int, *, actor: Actor) -> int:
        """Make an earlier submission current again; return the one it replaces."""
        user = actor.name
        with self.engine.begin() as conn:
            target = conn.execute(select(submissions).where(
                submissions.c.id == submission_id)).first()
            if target is None:
                raise ParError([Issue("storage.no_submission", {"id": submission_id})])
            authorize(actor, "rollback", target.unit)
            if target.status == "current":
                raise ParError([Issue("storage.already_current", {"id": submission_id})])
            current = _current(conn, target.unit, target.period, target.stage)
            if current is not None:
                conn.execute(update(submissions).where(submissions.c.id == current)
                             .values(status="superseded"))
            conn.execute(update(submissions).where(submissions.c.id == submission_id)
                         .values(status="current"))
            conn.execute(insert(audit_log).values(
                at=_now(), user=user, action="rollback", submission_id=submission_id,
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

    def clear(self) -> None:
        """Delete every submission, row and audit entry (the sample reset; never for real data)."""
        with self.engine.begin() as conn:
            for table in (audit_log, input_rows, submissions):
                conn.execute(table.delete())

    def data_version(self) -> tuple:
        """Changes whenever a submission is added or a rollback happens (cache key)."""
        with self.engine.connect() as conn:
            count, last, at = conn.execute(select(func.count(audit_log.c.id), func.max(audit_log.c.id),
                                                  func.max(audit_log.c.at))).first()
        return count, last, str(at)  # the time tells a reset-and-reseed apart from the original


def _current(conn: Connection, unit: str, period: str, stage: str) -> int | None:
    query = select(submissions.c.id).where(
        submissions.c.unit == unit, submissions.c.period == period,
        submissions.c.stage == stage, submissions.c.status == "current")
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).scalar()


def _insert_ignore(conn: Connection, table: Table, keys: list[str], values: dict) -> None:
    """INSERT … ON CONFLICT DO NOTHING, so concurrent writers of the same row both succeed."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    conn.execute(dialect_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
