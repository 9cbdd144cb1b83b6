"""The work inside a round: self rows and appraisal rows written online, explanation requests
and explanations, evidence files (../shared/spec/WORKFLOW.md §2).

Rows written online become submissions exactly as uploaded rows do (stage self or appraisal,
with history), so scoring is unchanged; a write of some criteria carries the unit's other
criteria over from its current submission. An appraiser's comment is the appraisal row's
``note``. Every function checks the round's rule book inside its writing transaction
(par.store.rounds.attempt) and audits refusals.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import insert, select, update

from par.domain.auth import Actor
from par.domain.issues import Issue, ParError, errors_only, term
from par.domain.models import CriteriaSet
from par.read.inputs import check_inputs_table
from par.read.tabular import RawTable
from par.store.rounds import (
    attempt,
    audit,
    check,
    domain_of,
    get_round,
    is_flagged,
    known_unit,
    round_criteria,
)
from par.store.schema import evidence, flags, submissions
from par.store.storage import Store, utc_now

ONLINE = "trực tuyến"  # the source name of rows written in the browser or by `appraise`
ROW_FIELDS = ("criterion", "value", "numerator", "denominator", "evidence", "note")
EVIDENCE_COLUMNS = ["id", "criterion", "purpose", "name", "size", "sha256", "added_by",
                    "added_at"]


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def _table(entries: pd.DataFrame, unit: str, period: str, stage: str) -> RawTable:
    frame = pd.DataFrame({c: entries[c].map(lambda v: "" if _blank(v) else str(v))
                          if c in entries else "" for c in ROW_FIELDS})
    frame.insert(0, "unit", unit)
    frame.insert(1, "period", period)
    frame["stage"] = stage
    frame["_row"] = range(1, len(frame) + 1)
    return RawTable(frame.reset_index(drop=True), ONLINE)


def prepare_rows(criteria: CriteriaSet, unit_frame: pd.DataFrame, unit: str, period: str,
                 stage: str, entries: pd.DataFrame):
    """Check rows typed online; return (group, cleared codes). ``entries`` has a row per
    criterion (ROW_FIELDS; missing columns are blank). A row with no value, numerator or
    denominator clears that criterion. Raises ParError naming each bad criterion."""
    from par.store.submit import groups_of

    entries = entries.reset_index(drop=True)
    filled = ~entries.reindex(columns=["value", "numerator", "denominator"]).map(_blank).all(axis=1)
    cleared = set(entries.loc[~filled, "criterion"].astype(str))
    unknown = [c for c in entries["criterion"].astype(str) if c not in
               {leaf.code for leaf in criteria.leaves}]
    if unknown:
        raise ParError([Issue("round.unknown_criterion", {"criterion": c}) for c in unknown])
    kept = entries[filled]
    if kept.empty:
        return None, cleared
    table = _table(kept, unit, period, stage)
    rows, issues = check_inputs_table(table, criteria, unit_frame)
    problems = errors_only(issues)
    if problems:  # name the criterion, not a row of a table the person never saw
        codes = table.frame["criterion"].tolist()
        raise ParError([Issue(i.code, i.params, node=codes[i.row - 1] if i.row else i.node)
                        for i in problems])
    return groups_of(rows)[0], cleared


def save_rows(store: Store, round_id, unit: str, stage: str, entries: pd.DataFrame, *,
              actor: Actor, now: dt.datetime | None = None, explain: dict | None = None
              ) -> int | None:
    """Write ``entries`` (ROW_FIELDS per criterion) as the unit's ``stage`` rows of the round's
    period; the unit's other criteria are kept. ``explain``: criterion → comment to flag in
    the same transaction (appraisal). Returns the new submission id (None: nothing to do)."""
    rnd = get_round(store, round_id)
    criteria = round_criteria(store, rnd)
    action = "self" if stage == "self" else "appraise"
    codes = sorted(set(entries["criterion"].astype(str)) | set(explain or {}))
    try:
        group, cleared = prepare_rows(criteria, store.units(), unit, rnd.period, stage, entries)
    except ParError as exc:
        from par.store.rounds import refused

        refused(store, actor, action, exc, rnd=rnd, unit=unit)
        raise
    domains = domain_of(criteria)

    def work(conn, rnd):
        for code in explain or {}:
            _leaf(criteria, code)
        check(conn, actor, rnd, action, unit=unit, criteria=codes, domains=domains, now=now)
        if explain:
            known_unit(conn, rnd, unit)
            check(conn, actor, rnd, "flag", unit=unit, criteria=sorted(explain), domains=domains,
                  now=now)
        sid = None
        if group is not None or cleared:
            digest = hashlib.sha256(json.dumps(
                entries.astype(str).to_dict("records"), ensure_ascii=False).encode()).hexdigest()
            sid = _save_online(store, conn, rnd, unit, stage, group, cleared, criteria, digest,
                               actor)
        for code, comment in (explain or {}).items():
            _flag(conn, rnd, unit, code, comment, actor)
        return sid

    return attempt(store, actor, action, round_id, work, unit=unit)


def _save_online(store: Store, conn, rnd, unit: str, stage: str, group, cleared: set[str],
                 criteria: CriteriaSet, digest: str, actor: Actor) -> int | None:
    """Store online rows as the unit's new current ``stage`` submission, merged with its
    other criteria. Clearing every criterion it had withdraws the current submission (a
    submission has rows); clearing what was never written does nothing."""
    from par.store.storage import ImportGroup, current_id, merged_rows

    action = "self_score" if stage == "self" else "appraise"
    if group is None:
        old = current_id(conn, unit, rnd.period, stage)
        if old is None:
            return None
        if merged_rows(conn, old, _empty_rows(), cleared).empty:
            conn.execute(update(submissions).where(submissions.c.id == old)
                         .values(status="withdrawn"))
            audit(conn, actor, action, rnd, unit=unit, stage=stage, cleared=sorted(cleared),
                  withdrawn=old)
            return None
        group = ImportGroup(unit, rnd.period, stage, _empty_rows())
    return store.save_group(conn, group, actor.name, criteria, ONLINE, digest, merge=True,
                            action=action, drop=cleared)


def _empty_rows() -> pd.DataFrame:
    from par.store.storage import GROUP_COLUMNS

    return pd.DataFrame({c: pd.Series(dtype=object) for c in GROUP_COLUMNS})


def appraise(store: Store, round_id, unit: str, criterion: str, *, value=None, numerator=None,
             denominator=None, comment: str = "", explain: bool = False, actor: Actor,
             now: dt.datetime | None = None) -> int | None:
    """One leaf's appraisal (WORKFLOW §4 ``appraise``), with a flag when ``explain``."""
    entry = pd.DataFrame([{"criterion": criterion, "value": value, "numerator": numerator,
                           "denominator": denominator, "note": comment or ""}])
    return save_rows(store, round_id, unit, "appraisal", entry, actor=actor, now=now,
                     explain={criterion: comment or ""} if explain else None)


def flag(store: Store, round_id, unit: str, criterion: str, comment: str = "", *,
         actor: Actor, now: dt.datetime | None = None) -> None:
    """Ask the unit to explain a leaf (an appraiser of its domain, in the appraisal phase)."""
    rnd = get_round(store, round_id)
    criteria = round_criteria(store, rnd)
    domains = domain_of(criteria)

    def work(conn, rnd):
        _leaf(criteria, criterion)
        check(conn, actor, rnd, "flag", unit=unit, criteria=[criterion], domains=domains,
              now=now)
        known_unit(conn, rnd, unit)
        _flag(conn, rnd, unit, criterion, comment, actor)

    attempt(store, actor, "flag", round_id, work, unit=unit, criterion=criterion)


def _leaf(criteria: CriteriaSet, criterion: str) -> None:
    """Raise unless ``criterion`` is a leaf of the round's set (flags, files and rows are
    on leaves, never on a domain or a group)."""
    if criterion not in {leaf.code for leaf in criteria.leaves}:
        raise ParError([Issue("round.unknown_criterion", {"criterion": criterion})])


def _flag(conn, rnd, unit: str, criterion: str, comment: str, actor: Actor) -> None:
    found = conn.execute(select(flags.c.id).where(
        flags.c.round_id == rnd.id, flags.c.unit == unit, flags.c.criterion == criterion)
    ).scalar()
    values = dict(comment=comment or "", requested_by=actor.name, requested_at=utc_now())
    if found is None:
        conn.execute(insert(flags).values(round_id=rnd.id, unit=unit, criterion=criterion,
                                          **values))
    else:
        conn.execute(update(flags).where(flags.c.id == found).values(**values))
    audit(conn, actor, "flag", rnd, unit=unit, criterion=criterion, comment=comment or "")


def explain(store: Store, round_id, unit: str, criterion: str, text: str,
            files: list[tuple[str, bytes]] = (), *, actor: Actor,
            now: dt.datetime | None = None) -> None:
    """The unit's answer to a flagged leaf: text and optional evidence files."""
    rnd = get_round(store, round_id)
    checked = _checked_files(store, actor, "explain", rnd, unit, criterion, files)

    def work(conn, rnd):
        check(conn, actor, rnd, "explain", unit=unit, criteria=[criterion], now=now)
        if not is_flagged(conn, rnd.id, unit, criterion):  # an admin too: no flag, no answer
            raise ParError([Issue("round.not_flagged", {
                "round": rnd.label, "unit": unit, "criterion": criterion})])
        if not (text or "").strip() and not checked:
            raise ParError([Issue("round.explanation_empty", {"criterion": criterion})])
        conn.execute(update(flags).where(
            flags.c.round_id == rnd.id, flags.c.unit == unit, flags.c.criterion == criterion
        ).values(explanation=(text or "").strip(), explained_by=actor.name,
                 explained_at=utc_now()))
        for name, data in checked:
            _store_file(conn, rnd, unit, criterion, "explanation", name, data, actor)
        audit(conn, actor, "explain", rnd, unit=unit, criterion=criterion,
              files=[n for n, _ in checked])

    attempt(store, actor, "explain", round_id, work, unit=unit, criterion=criterion)


def flags_of(store: Store, round_id, unit: str | None = None) -> pd.DataFrame:
    """The round's explanation requests and answers (one row per flagged leaf)."""
    query = select(flags).where(flags.c.round_id == int(round_id)).order_by(
        flags.c.unit, flags.c.criterion)
    if unit:
        query = query.where(flags.c.unit == unit)
    with store.engine.connect() as conn:
        found = conn.execute(query).all()
    columns = [c.name for c in flags.columns]
    return pd.DataFrame([dict(r._mapping) for r in found], columns=columns)


# -- evidence --------------------------------------------------------------------------

def _checked_files(store: Store, actor, action: str, rnd, unit: str, criterion: str,
                   files) -> list[tuple[str, bytes]]:
    """Every file through the hostile-file guard before any transaction; a refusal names
    each file and is audited."""
    from par.read.evidence import check_evidence

    issues = [i for name, data in files for i in check_evidence(data, name)]
    if issues:
        exc = ParError(issues)
        from par.store.rounds import refused

        refused(store, actor, action, exc, rnd=rnd, unit=unit, criterion=criterion)
        raise exc
    return [(name, data) for name, data in files]


def _store_file(conn, rnd, unit: str, criterion: str, purpose: str, name: str, data: bytes,
                actor: Actor) -> int:
    return conn.execute(insert(evidence).values(
        round_id=rnd.id, unit=unit, criterion=criterion, purpose=purpose, name=name[:255],
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), content=data,
        added_by=actor.name, added_at=utc_now())).inserted_primary_key[0]


def add_evidence(store: Store, round_id, unit: str, criterion: str,
                 files: list[tuple[str, bytes]], *, actor: Actor,
                 now: dt.datetime | None = None) -> list[int]:
    """Attach self-assessment evidence files to (round, unit, criterion)."""
    rnd = get_round(store, round_id)
    criteria = round_criteria(store, rnd)
    checked = _checked_files(store, actor, "self", rnd, unit, criterion, files)

    def work(conn, rnd):
        _leaf(criteria, criterion)
        check(conn, actor, rnd, "self", unit=unit, criteria=[criterion], now=now)
        known_unit(conn, rnd, unit)
        ids = [_store_file(conn, rnd, unit, criterion, "self", name, data, actor)
               for name, data in checked]
        audit(conn, actor, "evidence_add", rnd, unit=unit, criterion=criterion,
              files=[n for n, _ in checked])
        return ids

    return attempt(store, actor, "evidence", round_id, work, unit=unit, criterion=criterion)


def remove_evidence(store: Store, round_id, evidence_id: int, *, actor: Actor,
                    now: dt.datetime | None = None) -> None:
    """Take a file off (kept in the database, no longer counted or shown)."""
    def work(conn, rnd):
        row = conn.execute(select(evidence.c.unit, evidence.c.criterion, evidence.c.purpose,
                                  evidence.c.name).where(
            evidence.c.id == int(evidence_id), evidence.c.round_id == rnd.id,
            evidence.c.removed_at.is_(None))).first()
        if row is None:
            raise ParError([Issue("round.no_evidence", {"id": evidence_id})])
        check(conn, actor, rnd, "self" if row.purpose == "self" else "explain", unit=row.unit,
              criteria=[row.criterion], now=now)
        conn.execute(update(evidence).where(evidence.c.id == int(evidence_id)).values(
            removed_by=actor.name, removed_at=utc_now()))
        audit(conn, actor, "evidence_remove", rnd, unit=row.unit, criterion=row.criterion,
              files=[row.name])

    attempt(store, actor, "evidence", round_id, work)


def list_evidence(store: Store, round_id, unit: str | None = None, *, actor: Actor
                  ) -> pd.DataFrame:
    """The files (without their content) of a unit (or, for whoever may read every unit's,
    of all units): EVIDENCE_COLUMNS plus unit. Reading another unit's files is refused and
    audited."""
    rnd = get_round(store, round_id)
    query = select(evidence.c.unit, *[evidence.c[c] for c in EVIDENCE_COLUMNS]).where(
        evidence.c.round_id == rnd.id, evidence.c.removed_at.is_(None)).order_by(
        evidence.c.unit, evidence.c.criterion, evidence.c.id)
    if unit is not None:
        _require_read(store, actor, rnd, unit)
        query = query.where(evidence.c.unit == unit)
    elif actor is None or actor.role not in ("admin", "appraiser"):
        _require_read(store, actor, rnd, None)
    with store.engine.connect() as conn:
        found = conn.execute(query).all()
    return pd.DataFrame([dict(r._mapping) for r in found], columns=["unit"] + EVIDENCE_COLUMNS)


def _require_read(store: Store, actor, rnd, unit: str | None) -> None:
    """Raise (and audit) unless ``actor`` may read ``unit``'s evidence."""
    from par.domain.rounds import refusal
    from par.store.rounds import refused

    issue = refusal(actor, rnd, "read_evidence", now=utc_now(), unit=unit)
    if unit is None and issue is None:  # "every unit" is for admins and appraisers only
        issue = Issue("round.evidence_private", {
            "round": rnd.label, "unit": "–", "criterion": "–", "phase": term(f"round.phase_{rnd.phase}"),
            "action": term("round.action_read_evidence"), "user": getattr(actor, "name", "?")})
    if issue is not None:
        exc = ParError([issue])
        refused(store, actor, "read_evidence", exc, rnd=rnd, unit=unit)
        raise exc


def evidence_file(store: Store, evidence_id: int, *, actor: Actor) -> tuple[str, bytes]:
    """A file's name and content, for whoever may read that unit's evidence."""
    with store.engine.connect() as conn:
        row = conn.execute(select(evidence.c.round_id, evidence.c.unit, evidence.c.name,
                                  evidence.c.content).where(
            evidence.c.id == int(evidence_id))).first()
    if row is None:
        raise ParError([Issue("round.no_evidence", {"id": evidence_id})])
    _require_read(store, actor, get_round(store, row.round_id), row.unit)
    return row.name, bytes(row.content)


# -- the round as it stands --------------------------------------------------------------

@dataclass
class RoundState:
    """Everything a round's pages and ``round status`` read, in one go."""

    round: object  # par.domain.rounds.Round
    criteria: CriteriaSet
    units: pd.DataFrame  # every unit (the level's are those of criteria.level)
    rows: pd.DataFrame  # the level's current rows of the year (ROW_COLUMNS)
    flags: pd.DataFrame
    evidence: pd.DataFrame  # without content: unit + EVIDENCE_COLUMNS
    submitted: pd.DataFrame  # unit, submitted_by, submitted_at

    def leaf_states(self) -> pd.DataFrame:
        from par.engine.round_status import leaf_states

        return leaf_states(self.criteria, self.units, self.rows, self.round.period, self.flags,
                           self.evidence)

    def status(self) -> pd.DataFrame:
        from par.engine.round_status import unit_status

        return unit_status(self.criteria, self.units, self.leaf_states(),
                           self.submitted["unit"].tolist())


def round_state(store: Store, round_id, rows: pd.DataFrame | None = None,
                units_frame: pd.DataFrame | None = None) -> RoundState:
    """The round, its set, and its rows, flags, evidence list and submissions. ``rows`` and
    ``units_frame``: what the caller already holds (the dashboard's cache)."""
    from par.store.rounds import submitted_units
    from par.store.rows import load_rows

    rnd = get_round(store, round_id)
    criteria = round_criteria(store, rnd)
    units_frame = store.units() if units_frame is None else units_frame
    if rows is None:
        rows, _ = load_rows(store, criteria, units_frame)
    query = select(evidence.c.unit, *[evidence.c[c] for c in EVIDENCE_COLUMNS]).where(
        evidence.c.round_id == rnd.id, evidence.c.removed_at.is_(None))
    with store.engine.connect() as conn:
        files = pd.DataFrame([dict(r._mapping) for r in conn.execute(query)],
                             columns=["unit"] + EVIDENCE_COLUMNS)
    return RoundState(rnd, criteria, units_frame, rows, flags_of(store, rnd.id), files,
                      submitted_units(store, rnd.id))
