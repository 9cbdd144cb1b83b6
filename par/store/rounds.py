"""Scoring rounds in the database: create, move on, reopen, and the gate every round write
passes (../shared/spec/WORKFLOW.md).

The rule book is par.domain.rounds.refusal; this module reads what it needs (the round, the
unit's submission lock, the leaf's flag) inside the writing transaction, after taking the
round's row lock (PostgreSQL ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` already serialises
writers), so a phase change and a write can never cross. A refusal leaves the store as it was
and is audited in its own transaction.

``clock`` is the one source of "now" for deadlines; tests freeze it.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from par.domain.auth import Actor
from par.domain.issues import Issue, ParError, term
from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.domain.rounds import PHASES, Round, aware, deadline, refusal
from par.store.schema import (
    audit_log,
    flags,
    publications,
    round_submits,
    rounds,
    submissions,
)
from par.store.schema import units as unit_table
from par.store.storage import Store, utc_now


def clock() -> dt.datetime:
    """Now, aware (UTC). Tests replace it to freeze time."""
    return utc_now()


def domain_of(criteria: CriteriaSet) -> dict[str, str]:
    """Every node code → the code of its top-level domain."""
    return criteria.domain_of


# -- reading -------------------------------------------------------------------------

def _round(row) -> Round:
    return Round(id=row.id, criteria_id=row.criteria_id, level=row.level, year=row.year,
                 period=row.period, phase=row.phase, self_until=aware(row.self_until),
                 explain_until=aware(row.explain_until), created_by=row.created_by,
                 created_at=aware(row.created_at))


def get_round(store: Store, round_id: int) -> Round:
    with store.engine.connect() as conn:
        return _load(conn, round_id)


def _load(conn: Connection, round_id, *, lock: bool = False) -> Round:
    query = select(rounds).where(rounds.c.id == _id(round_id))
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise ParError([Issue("round.unknown", {"round": round_id})])
    return _round(row)


def _id(round_id) -> int:
    try:
        return int(str(round_id).lstrip("#"))
    except ValueError:
        raise ParError([Issue("round.unknown", {"round": round_id})]) from None


def list_rounds(store: Store, criteria_id: str | None = None) -> list[Round]:
    query = select(rounds).order_by(rounds.c.year.desc(), rounds.c.id.desc())
    if criteria_id:
        query = query.where(rounds.c.criteria_id == criteria_id)
    with store.engine.connect() as conn:
        return [_round(r) for r in conn.execute(query)]


def round_for(store: Store, criteria_id: str, period: str) -> Round | None:
    with store.engine.connect() as conn:
        return _round_for(conn, criteria_id, period)


def _round_for(conn: Connection, criteria_id: str, period: str, lock: bool = False
               ) -> Round | None:
    query = select(rounds).where(rounds.c.criteria_id == criteria_id,
                                 rounds.c.period == str(period))
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _round(row) if row is not None else None


def submitted_units(store: Store, round_id: int) -> pd.DataFrame:
    """unit, submitted_by, submitted_at of the units that locked their self-assessment."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(round_submits.c.unit, round_submits.c.submitted_by,
                                   round_submits.c.submitted_at)
                            .where(round_submits.c.round_id == _id(round_id))).all()
    return pd.DataFrame([dict(r._mapping) for r in rows],
                        columns=["unit", "submitted_by", "submitted_at"])


def is_submitted(conn: Connection, round_id: int, unit: str) -> bool:
    return conn.execute(select(round_submits.c.unit).where(
        round_submits.c.round_id == round_id, round_submits.c.unit == unit)).first() is not None


def is_flagged(conn: Connection, round_id: int, unit: str, criterion: str) -> bool:
    return conn.execute(select(flags.c.id).where(
        flags.c.round_id == round_id, flags.c.unit == unit,
        flags.c.criterion == criterion)).first() is not None


def known_unit(conn: Connection, rnd: Round, unit: str) -> None:
    """Raise ParError unless ``unit`` is a unit of the round's level (a write for an unknown
    unit is a message, not a database error)."""
    level = conn.execute(select(unit_table.c.level).where(
        unit_table.c.id == str(unit))).scalar()
    if level is None:
        raise ParError([Issue("round.unknown_unit", {"unit": unit})])
    if level != rnd.level:  # a unit of another level is none of this round's
        raise ParError([Issue("round.unknown_unit", {"unit": f"{unit} ({rnd.level})"})])


# -- the gate ------------------------------------------------------------------------

def check(conn: Connection, actor: Actor | None, rnd: Round, action: str, *,
          unit: str | None = None, criteria: Iterable[str] = (), domains: dict | None = None,
          now: dt.datetime | None = None) -> None:
    """Raise ParError if ``actor`` may not do ``action`` in ``rnd`` (for each criterion)."""
    now = now or clock()
    submitted = bool(unit) and action in ("self", "submit") and is_submitted(conn, rnd.id, unit)
    codes = list(criteria) or [None]
    for code in codes:
        flagged = action == "explain" and code is not None and is_flagged(conn, rnd.id, unit, code)
        issue = refusal(actor, rnd, action, now=now, unit=unit, criterion=code,
                        domain=(domains or {}).get(code) if code else None,
                        submitted=submitted, flagged=flagged)
        if issue is not None:
            raise ParError([issue])


def refused(store: Store, actor: Actor | None, action: str, exc: ParError, *,
            rnd: Round | None = None, unit: str | None = None, criterion: str | None = None
            ) -> None:
    """Audit a refused round action (the refused work wrote nothing)."""
    store.record_refusal(actor, action, exc.issues, unit=unit,
                         period=rnd.period if rnd else None,
                         extra={"round": rnd.id if rnd else None, "criterion": criterion})


def gate_import(conn: Connection, actor: Actor, criteria: CriteriaSet, unit: str,
                period: str, stage: str, codes: Iterable[str]) -> Round | None:
    """An import's group inside a round obeys the round (WORKFLOW §4: appraisal spreadsheets
    follow the rules of ``appraise``, self spreadsheets those of self-scoring). Returns the
    round, or None when no round governs the group. Appraisers import in rounds only."""
    rnd = _round_for(conn, criteria.id, period, lock=True)
    if rnd is None:
        if actor.role == "appraiser":
            raise ParError([Issue("round.appraiser_outside", {
                "user": actor.name, "unit": unit, "period": period})])
        return None
    action = "self" if stage == "self" else "appraise"
    check(conn, actor, rnd, action, unit=unit, criteria=sorted(set(codes)),
          domains=domain_of(criteria))
    return rnd


def audit(conn: Connection, actor: Actor, action: str, rnd: Round, *, unit: str | None = None,
          **detail) -> None:
    conn.execute(insert(audit_log).values(
        at=utc_now(), user=actor.name, action=action, unit=unit, period=rnd.period,
        detail=json.dumps({"round": rnd.id, "criteria": rnd.criteria_id, **detail},
                          ensure_ascii=False, default=str)))


def attempt(store: Store, actor: Actor | None, action: str, round_id, work, *,
            unit: str | None = None, criterion: str | None = None):
    """Run ``work(conn, rnd)`` in one writing transaction with the round locked; a ParError
    (a refusal or bad input) rolls it back and is audited, then raised."""
    rnd = None
    try:
        with store.engine.begin() as conn:
            rnd = _load(conn, round_id, lock=True)
            return work(conn, rnd)
    except ParError as exc:
        refused(store, actor, action, exc, rnd=rnd, unit=unit, criterion=criterion)
        raise


# -- the admin's moves ----------------------------------------------------------------

def create_round(store: Store, criteria: CriteriaSet, period: str, *, self_until,
                 explain_until, actor: Actor, now: dt.datetime | None = None) -> Round:
    """A new round in phase ``self`` for ``criteria`` and ``period`` (one per set and period)."""
    issues = []
    found = parse_period(str(period))
    if found is None or found.year != criteria.year:
        issues.append(Issue("round.bad_period", {"period": period, "year": criteria.year}))
    try:
        self_at, explain_at = deadline(self_until), deadline(explain_until)
    except (ValueError, TypeError):
        issues.append(Issue("round.bad_deadline", {"self_until": self_until,
                                                   "explain_until": explain_until}))
    else:
        if explain_at <= self_at:
            issues.append(Issue("round.deadline_order", {"self_until": self_until,
                                                         "explain_until": explain_until}))
    if actor is None or actor.role != "admin":
        issues.insert(0, Issue("round.admin_only", {
            "round": f"{criteria.id} {period}", "unit": "–", "criterion": "–", "phase": "–",
            "action": term("round.action_create"), "user": getattr(actor, "name", "?")}))
    if issues:
        store.record_refusal(actor, "create", issues, period=str(period)[:10],
                             extra={"criteria": criteria.id})
        raise ParError(issues)
    period = str(found)
    try:
        with store.engine.begin() as conn:
            rid = conn.execute(insert(rounds).values(
                criteria_id=criteria.id, level=criteria.level, year=criteria.year,
                period=period, phase="self", self_until=self_at.astimezone(dt.timezone.utc),
                explain_until=explain_at.astimezone(dt.timezone.utc), created_by=actor.name,
                created_at=utc_now())).inserted_primary_key[0]
            rnd = _load(conn, rid)
            audit(conn, actor, "round_create", rnd, self_until=self_at.isoformat(),
                  explain_until=explain_at.isoformat())
            return rnd
    except IntegrityError:
        issue = Issue("round.exists", {"criteria": criteria.id, "period": period})
        store.record_refusal(actor, "create", [issue], period=period,
                             extra={"criteria": criteria.id})
        raise ParError([issue]) from None


def advance(store: Store, round_id, *, actor: Actor, now: dt.datetime | None = None,
            publish_with=None) -> Round:
    """Move the round one phase on. From ``final`` this publishes (``publish``, or
    ``publish_with`` when given)."""
    rnd = get_round(store, round_id)
    if rnd.phase == "final":
        (publish_with or publish)(store, rnd.id, actor=actor, now=now)
        return get_round(store, rnd.id)

    def work(conn, rnd):
        check(conn, actor, rnd, "advance", now=now)
        conn.execute(update(rounds).where(rounds.c.id == rnd.id).values(phase=rnd.next_phase))
        audit(conn, actor, "round_advance", rnd, **{"from": rnd.phase, "to": rnd.next_phase})
        return _load(conn, rnd.id)

    return attempt(store, actor, "advance", round_id, work)


def reopen(store: Store, round_id, *, reason: str, actor: Actor,
           now: dt.datetime | None = None) -> Round:
    """A published round back to ``final``; its publications are kept."""
    def work(conn, rnd):
        check(conn, actor, rnd, "reopen", now=now)
        if not (reason or "").strip():
            raise ParError([Issue("round.reason_needed", {"round": rnd.label})])
        conn.execute(update(rounds).where(rounds.c.id == rnd.id).values(phase="final"))
        audit(conn, actor, "round_reopen", rnd, reason=reason.strip()[:2000])
        return _load(conn, rnd.id)

    return attempt(store, actor, "reopen", round_id, work)


def round_criteria(store: Store, rnd: Round) -> CriteriaSet:
    """The criteria set a round scores with: the active version of its id, else its latest."""
    from par.store.library import get_set

    return get_set(store, rnd.criteria_id)


def publish(store: Store, round_id, *, actor: Actor, now: dt.datetime | None = None) -> int:
    """Freeze the round's result and move it to ``published``; returns the publication id.

    The score is computed from the rows as they are, then stored only if no submission
    arrived meanwhile (checked inside the writing transaction; else computed again). A unit
    without any row for the period is frozen unranked ("chưa nộp"), the others ranked among
    themselves, as the dashboard ranks a period (par.engine.standing)."""
    from par.engine.scoring import score
    from par.engine.standing import rank_submitted
    from par.store.frozen import freeze
    from par.store.rows import load_rows

    rnd = get_round(store, round_id)
    criteria = round_criteria(store, rnd)
    for _ in range(3):
        with store.engine.connect() as conn:
            seen = conn.execute(select(func.max(submissions.c.id))).scalar()
        units = store.units()
        rows, _issues = load_rows(store, criteria, units)
        card = rank_submitted(score(criteria, units, rows, parse_period(rnd.period)))
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


def set_deadlines(store: Store, round_id, *, actor: Actor, self_until=None, explain_until=None,
                  now: dt.datetime | None = None) -> Round:
    """Move a round's deadlines (admin only): how an office gives a unit more time."""
    def work(conn, rnd):
        if actor is None or actor.role != "admin":
            raise ParError([Issue("round.admin_only", {
                "round": rnd.label, "unit": "–", "criterion": "–", "phase": term(f"round.phase_{rnd.phase}"),
                "action": term("round.action_deadline"), "user": getattr(actor, "name", "?")})])
        values = {}
        try:
            if self_until:
                values["self_until"] = deadline(self_until).astimezone(dt.timezone.utc)
            if explain_until:
                values["explain_until"] = deadline(explain_until).astimezone(dt.timezone.utc)
        except (ValueError, TypeError):
            raise ParError([Issue("round.bad_deadline", {"self_until": self_until,
                                                         "explain_until": explain_until})]
                           ) from None
        new_self = values.get("self_until", rnd.self_until)
        if values.get("explain_until", rnd.explain_until) <= new_self:
            raise ParError([Issue("round.deadline_order", {
                "self_until": self_until or "", "explain_until": explain_until or ""})])
        conn.execute(update(rounds).where(rounds.c.id == rnd.id).values(**values))
        audit(conn, actor, "round_deadline", rnd, **{k: v.isoformat() for k, v in values.items()})
        return _load(conn, rnd.id)

    return attempt(store, actor, "deadline", round_id, work)


def submit_unit(store: Store, round_id, unit: str, *, actor: Actor,
                now: dt.datetime | None = None) -> None:
    """A unit locks its self-assessment (WORKFLOW §1)."""
    def work(conn, rnd):
        check(conn, actor, rnd, "submit", unit=unit, now=now)
        known_unit(conn, rnd, unit)
        if is_submitted(conn, rnd.id, unit):  # an admin submitting twice: nothing to do
            return
        conn.execute(insert(round_submits).values(round_id=rnd.id, unit=unit,
                                                  submitted_by=actor.name,
                                                  submitted_at=utc_now()))
        audit(conn, actor, "round_submit", rnd, unit=unit)

    attempt(store, actor, "submit", round_id, work, unit=unit)


def reopen_unit(store: Store, round_id, unit: str, *, actor: Actor, reason: str = "") -> None:
    """Undo a unit's submit (admin only, audited): the unit may write again before the
    deadline."""
    def work(conn, rnd):
        if actor is None or actor.role != "admin":
            raise ParError([Issue("round.admin_only", {
                "round": rnd.label, "unit": unit, "criterion": "–", "phase": term(f"round.phase_{rnd.phase}"),
                "action": term("round.action_unsubmit"), "user": getattr(actor, "name", "?")})])
        conn.execute(round_submits.delete().where(round_submits.c.round_id == rnd.id,
                                                  round_submits.c.unit == unit))
        audit(conn, actor, "round_unsubmit", rnd, unit=unit, reason=reason[:2000])

    attempt(store, actor, "unsubmit", round_id, work, unit=unit)


__all__ = ["PHASES", "Round", "advance", "attempt", "audit", "check", "clock", "create_round",
           "domain_of", "gate_import", "get_round", "list_rounds", "publish", "reopen",
           "reopen_unit", "round_criteria", "round_for", "set_deadlines", "submit_unit",
           "submitted_units"]
