"""Publication (../shared/spec/WORKFLOW.md §3): a round's result frozen as it was published.

``publish`` scores the round's set as of the round's period from the rows current at that
moment and stores the whole scorecard (every unit's score, index, rank, band, domains and
leaves) with the set's hash, who and when; the round moves to ``published``. What the
dashboard and the exports show as the official ranking of that set and period is the latest
publication, read back by ``published``, whatever rows change afterwards. ``reopen`` keeps
every publication; publishing again adds a new one.
"""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pyarrow as pa
from sqlalchemy import func, insert, select, update

from par.domain.auth import Actor
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.store.rounds import attempt, audit, check, get_round
from par.store.schema import publications, rounds, submissions
from par.store.storage import Store, utc_now

FRAMES = ("units", "node_score", "node_max", "leaves")
COLUMNS = ["id", "round_id", "criteria_id", "criteria_sha256", "period", "published_by",
           "published_at"]


def freeze(card) -> bytes:
    """A scorecard's frames as one blob: a JSON header line, then an Arrow IPC stream per
    frame (index kept)."""
    parts, sizes = [], []
    for name in FRAMES:
        frame = getattr(card, name)
        sink = io.BytesIO()
        table = pa.Table.from_pandas(frame, preserve_index=True)
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        parts.append(sink.getvalue())
        sizes.append(len(parts[-1]))
    header = json.dumps({"as_of": str(card.as_of), "frames": dict(zip(FRAMES, sizes))}).encode()
    return header + b"\n" + b"".join(parts)


def thaw(blob: bytes, criteria: CriteriaSet):
    """The Scorecard ``freeze`` stored (``criteria``: the set it was scored with)."""
    from par.engine.scoring import Scorecard

    head, _, body = bytes(blob).partition(b"\n")
    header = json.loads(head)
    frames, at = {}, 0
    for name in FRAMES:
        size = header["frames"][name]
        with pa.ipc.open_stream(pa.py_buffer(body[at:at + size])) as reader:
            frames[name] = reader.read_all().to_pandas()
        at += size
    return Scorecard(criteria, parse_period(header["as_of"]), **frames)


def publish(store: Store, round_id, *, actor: Actor, now: dt.datetime | None = None) -> int:
    """Freeze the round's result and move it to ``published``; returns the publication id.

    The score is computed from the rows as they are, then stored only if no submission
    arrived meanwhile (checked inside the writing transaction; else computed again)."""
    from par.engine.scoring import score
    from par.store.round_work import round_criteria
    from par.store.rows import load_rows

    rnd = get_round(store, round_id)
    criteria = round_criteria(store, rnd)
    for _ in range(3):
        with store.engine.connect() as conn:
            seen = conn.execute(select(func.max(submissions.c.id))).scalar()
        units = store.units()
        rows, _issues = load_rows(store, criteria, units)
        card = score(criteria, units, rows, parse_period(rnd.period))
        blob = freeze(card)

        def work(conn, rnd, seen=seen, blob=blob):
            check(conn, actor, rnd, "publish", now=now)
            if conn.execute(select(func.max(submissions.c.id))).scalar() != seen:
                return None  # rows changed while scoring: score again
            pid = conn.execute(insert(publications).values(
                round_id=rnd.id, criteria_id=criteria.id,
                criteria_sha256=criteria.sha256 or "", period=rnd.period,
                published_by=actor.name, published_at=utc_now(), result=blob)
            ).inserted_primary_key[0]
            conn.execute(update(rounds).where(rounds.c.id == rnd.id).values(phase="published"))
            audit(conn, actor, "round_publish", rnd, publication=pid,
                  units=int(card.ranked.shape[0]), criteria_sha256=criteria.sha256)
            return pid

        pid = attempt(store, actor, "publish", round_id, work)
        if pid is not None:
            return pid
    raise ParError([Issue("round.rows_changing", {"round": rnd.label})])


def list_publications(store: Store, criteria_id: str | None = None,
                      period: str | None = None) -> pd.DataFrame:
    """Every publication (without its result), newest first."""
    query = select(*[publications.c[c] for c in COLUMNS]).order_by(publications.c.id.desc())
    if criteria_id:
        query = query.where(publications.c.criteria_id == criteria_id)
    if period:
        query = query.where(publications.c.period == str(period))
    with store.engine.connect() as conn:
        found = conn.execute(query).all()
    return pd.DataFrame([dict(r._mapping) for r in found], columns=COLUMNS)


def published(store: Store, criteria: CriteriaSet, period: str | None = None,
              publication_id: int | None = None):
    """(Scorecard, publication row) of the latest publication of ``criteria`` for ``period``
    (any period when None), or of ``publication_id``; None when there is none. The scorecard
    is scored with the set version it was published with when that version is stored."""
    query = select(publications).order_by(publications.c.id.desc()).limit(1)
    if publication_id is not None:
        query = query.where(publications.c.id == int(publication_id))
    else:
        query = query.where(publications.c.criteria_id == criteria.id)
        if period is not None:
            query = query.where(publications.c.period == str(period))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    used = criteria
    if criteria.sha256 and row.criteria_sha256 and row.criteria_sha256 != criteria.sha256:
        from par.store.library import get_set

        try:
            used = get_set(store, row.criteria_id, row.criteria_sha256)
        except ParError:
            used = criteria
    meta = {c: getattr(row, c) for c in COLUMNS}
    return thaw(row.result, used), meta


def require_published(store: Store, criteria: CriteriaSet, period: str | None = None):
    found = published(store, criteria, period)
    if found is None:
        raise ParError([Issue("round.no_publication", {"criteria": criteria.id,
                                                       "period": period or "–"})])
    return found
