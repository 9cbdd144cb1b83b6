"""The database tables (SQLAlchemy Core) and the small migrations that keep old files usable.

A database made by an earlier par lacks the typed row columns; ``migrate`` adds
them (NULL for old rows, which are then re-validated from their text when read).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Engine

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
    # draft | active | retired (par.store.library): one active set per level and year
    Column("status", String(10), nullable=False, default="draft"),
    Column("added_by", String(100)),
    Column("source_name", Text),  # the file it came from, as uploaded
    Column("activated_at", DateTime(timezone=True)),
    UniqueConstraint("id", "sha256"),
)
# The dashboard scores a level's year with its one active set, enforced by the database.
ONE_ACTIVE_SET = Index("one_active_set", criteria_sets.c.level, criteria_sets.c.year,
                       unique=True, sqlite_where=criteria_sets.c.status == "active",
                       postgresql_where=criteria_sets.c.status == "active")

units = Table(
    "units", metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", String(50), nullable=False),
    Column("group", String(50)),
    Column("official_code", String(20)),  # the registry's code (par.read.registry), if known
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
    Column("status", String(20), nullable=False),  # current | superseded | withdrawn
    Column("replaces", Integer, ForeignKey("submissions.id")),
    Column("packed", LargeBinary),  # a copy of its rows for fast reads (par.store.packed)
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
    Column("value", Text, nullable=False, default=""),  # as typed
    Column("number", Float),  # the parsed value: points, a yes/no or choice fraction …
    Column("na", Boolean),  # "not applicable"; NULL only in rows stored before typed rows
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
    Column("domains", Text),  # an appraiser's domain codes, comma-separated
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

# -- the scoring round (../shared/spec/WORKFLOW.md; par.store.rounds) ----------------------
rounds = Table(
    "rounds", metadata,
    Column("id", Integer, primary_key=True),
    Column("criteria_id", String(100), nullable=False),
    Column("level", String(50), nullable=False),
    Column("year", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("phase", String(20), nullable=False),  # self | appraisal | explanation | final | published
    Column("self_until", DateTime(timezone=True), nullable=False),
    Column("explain_until", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("criteria_id", "period"),
)

# a unit's self-assessment locked by "submit" (one row per round and unit that submitted)
round_submits = Table(
    "round_submits", metadata,
    Column("round_id", Integer, ForeignKey("rounds.id"), primary_key=True),
    Column("unit", String(100), ForeignKey("units.id"), primary_key=True),
    Column("submitted_by", String(100), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

evidence = Table(
    "evidence", metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("unit", String(100), ForeignKey("units.id"), nullable=False),
    Column("criterion", String(50), nullable=False),
    Column("purpose", String(20), nullable=False),  # self | explanation
    Column("name", Text, nullable=False),  # the file name as uploaded
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("removed_by", String(100)),  # removed files are kept (history), not shown
    Column("removed_at", DateTime(timezone=True)),
)
Index("evidence_of_unit", evidence.c.round_id, evidence.c.unit)

# an explanation request on a leaf (set by an appraiser) and the unit's answer
flags = Table(
    "flags", metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("unit", String(100), ForeignKey("units.id"), nullable=False),
    Column("criterion", String(50), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("requested_by", String(100), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("explanation", Text),
    Column("explained_by", String(100)),
    Column("explained_at", DateTime(timezone=True)),
    UniqueConstraint("round_id", "unit", "criterion"),
)

# a frozen result (WORKFLOW §3): every publication is kept, reopening adds none, republishing
# adds one
publications = Table(
    "publications", metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, ForeignKey("rounds.id"), nullable=False),
    Column("criteria_id", String(100), nullable=False),
    Column("criteria_sha256", String(64), nullable=False),
    Column("period", String(10), nullable=False),
    Column("published_by", String(100), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("result", LargeBinary, nullable=False),  # the scorecard's frames (par.store.frozen)
)

# survey answers (../shared/spec/SURVEY.md; par.store.surveys): one import per set, form and
# period is current, earlier ones are kept (superseded); the answers are one Arrow blob each
survey_imports = Table(
    "survey_imports", metadata,
    Column("id", Integer, primary_key=True),
    Column("criteria_id", String(100), nullable=False),
    Column("criteria_sha256", String(64)),
    Column("form", String(100), nullable=False),
    Column("period", String(10), nullable=False),
    Column("user", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("source_name", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),  # respondents
    Column("answers", Integer, nullable=False),  # answered cells
    Column("status", String(20), nullable=False),  # current | superseded
    Column("replaces", Integer, ForeignKey("survey_imports.id")),
    Column("packed", LargeBinary, nullable=False),  # the checked answers table (Arrow IPC)
)
Index("one_current_survey_import", survey_imports.c.criteria_id, survey_imports.c.form,
      survey_imports.c.period, unique=True, sqlite_where=survey_imports.c.status == "current",
      postgresql_where=survey_imports.c.status == "current")


meta = Table(
    "meta", metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)

# columns added after the first release, for databases created before they existed
ADDED_COLUMNS = {"input_rows": {"number": Float(), "na": Boolean()},
                 "users": {"domains": Text()},
                 "submissions": {"packed": LargeBinary()},
                 "units": {"official_code": String(20)},
                 "criteria_sets": {"status": String(10), "added_by": String(100),
                                   "source_name": Text(), "activated_at": DateTime(timezone=True)}}


def create(engine: Engine) -> None:
    """Create missing tables, then add columns that newer versions of par rely on."""
    metadata.create_all(engine)
    existing = inspect(engine)
    for table, columns in ADDED_COLUMNS.items():
        have = {c["name"] for c in existing.get_columns(table)}
        missing = {name: kind for name, kind in columns.items() if name not in have}
        if missing:
            with engine.begin() as conn:
                for name, kind in missing.items():
                    ddl = kind.compile(dialect=engine.dialect)
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))
                if table == "criteria_sets" and "status" in missing:
                    _statuses_for_old_sets(conn)
    ONE_ACTIVE_SET.create(engine, checkfirst=True)


def _statuses_for_old_sets(conn) -> None:
    """Sets registered before sets had a status: the latest of each level and year is the
    active one (what the dashboard showed), the others retired."""
    conn.execute(text("UPDATE criteria_sets SET status = 'retired'"))
    conn.execute(text(
        "UPDATE criteria_sets SET status = 'active', activated_at = registered_at WHERE pk IN "
        "(SELECT max(pk) FROM criteria_sets GROUP BY level, year)"))
