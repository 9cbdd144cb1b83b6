"""The office's criteria sets, kept in the database: add, list, activate, copy, read back.

Every version of a set is stored with its YAML text and that text's SHA-256 (a set's id
names it across versions; the hash names one version). A version is

- ``draft``: stored, shown to the office, not used for scoring;
- ``active``: the one set a level's year is scored with (at most one per level and year,
  enforced by a partial unique index);
- ``retired``: was active, replaced by another version or set of the same level and year.

The dashboard and ``import`` score with the active sets; the files in criteria/ are the
sample (seeded active in sample mode) and a source to add from. A set that arrives with an
import (``--criteria FILE``) is stored too, active when its level and year have none yet.
Adding and activating are the office's (the ``criteria`` right), audited, and change the
data version so every session sees the change.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache

import pandas as pd
from sqlalchemy import insert, select, update

from par.domain.auth import Actor, authorize
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.engine.criteria import check_criteria_text
from par.store.schema import audit_log, criteria_sets
from par.store.storage import Store, insert_ignore, utc_now

STATUSES = ("draft", "active", "retired")
LISTED = ["id", "sha256", "title", "year", "level", "status", "registered_at", "added_by",
          "source_name", "activated_at"]


def add_set(store: Store, criteria: CriteriaSet, *, actor: Actor | None,
            source_name: str | None = None, activate: bool = False, by: str = "system") -> str:
    """Store a checked set (its ``yaml_text``) as a draft, or active with ``activate``.

    ``actor`` None is the implicit path (an import bringing its set, the seeder): no right
    is needed and the version becomes active only if its level and year have no active set
    (audited as done by ``by``, the importing user). Storing a version already stored
    changes nothing. Returns the version's status."""
    if criteria.yaml_text is None or criteria.sha256 is None:
        raise ValueError("a criteria set read from text (check_criteria_text) is needed")
    if actor is not None:
        authorize(actor, "criteria")
    with store.engine.begin() as conn:
        known = conn.execute(select(criteria_sets.c.status).where(
            criteria_sets.c.id == criteria.id,
            criteria_sets.c.sha256 == criteria.sha256)).scalar()
        if known is None:
            insert_ignore(conn, criteria_sets, ["id", "sha256"], dict(
                id=criteria.id, sha256=criteria.sha256, title=criteria.title,
                year=criteria.year, level=criteria.level, yaml=criteria.yaml_text,
                registered_at=utc_now(), status="draft",
                added_by=actor.name if actor is not None else by, source_name=source_name))
            if actor is not None:
                _audit(conn, actor.name, "criteria_add", criteria, source_name=source_name)
            known = "draft"
        wanted = activate or (actor is None and _active_pk(conn, criteria) is None)
        if wanted and known != "active":
            _activate(conn, criteria.id, criteria.sha256, actor.name if actor else by)
            known = "active"
    return known


def activate(store: Store, set_id: str, sha256: str | None = None, *, actor: Actor) -> CriteriaSet:
    """Make a stored version the active set of its level and year (the latest version of
    ``set_id`` when no hash is given); the one it replaces is retired. Audited."""
    authorize(actor, "criteria")
    with store.engine.begin() as conn:
        row = _version(conn, set_id, sha256)
        if row.status != "active":
            _activate(conn, row.id, row.sha256, actor.name)
    return _parse(row)


def list_sets(store: Store, status: str | None = None) -> pd.DataFrame:
    """Every stored version (LISTED columns), newest year first, then level, then newest."""
    query = select(*[criteria_sets.c[c] for c in LISTED])
    if status:
        query = query.where(criteria_sets.c.status == status)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(criteria_sets.c.year.desc(), criteria_sets.c.level,
                                           criteria_sets.c.registered_at.desc(),
                                           criteria_sets.c.pk.desc())).all()
    return pd.DataFrame.from_records(rows, columns=LISTED)


def active_sets(store: Store) -> list[CriteriaSet]:
    """The sets the dashboard scores with, newest year first (then level, id)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(criteria_sets).where(criteria_sets.c.status == "active")).all()
    sets = [_parse(r) for r in rows]
    return sorted(sets, key=lambda c: (-c.year, c.level, c.id))


def get_set(store: Store, set_id: str, sha256: str | None = None) -> CriteriaSet:
    """A stored version: by hash, else the active one of that id, else its latest."""
    with store.engine.connect() as conn:
        return _parse(_version(conn, set_id, sha256))


def id_for_year(criteria: CriteriaSet, year: int) -> str:
    """The id a copy for ``year`` gets by default: the year in the id moved, else appended."""
    old = str(criteria.year)
    return criteria.id.replace(old, str(year)) if old in criteria.id else f"{criteria.id}-{year}"


def copy_for_year(criteria: CriteriaSet, year: int, new_id: str | None = None) -> CriteriaSet:
    """Last year's set as the draft of ``year``: the same text (comments kept) with its id,
    year and titles moved to the new year. Nothing is stored (``add_set`` does that)."""
    old = str(criteria.year)
    new_id = new_id or id_for_year(criteria, year)
    text = criteria.yaml_text or ""
    for key, value in (("id", new_id), ("year", str(year)),
                       ("title", criteria.title.replace(old, str(year))),
                       ("title_en", (criteria.title_en or "").replace(old, str(year)))):
        pattern = re.compile(rf"^{key}:[^\n]*$", re.MULTILINE)
        if key == "title_en" and not criteria.title_en:
            continue
        text, found = pattern.subn(lambda _m, k=key, v=value: f"{k}: {_scalar(v, k)}", text,
                                   count=1)
        if not found:
            raise ParError([Issue("library.copy_unreadable", {"id": criteria.id, "key": key})])
    copied, issues = check_criteria_text(text, f"{new_id}.yaml")
    if copied is None:
        raise ParError(issues)
    return copied


def _scalar(value: str, key: str) -> str:
    """A YAML scalar for one top-level line: the year bare, text double-quoted."""
    return value if key == "year" else json.dumps(value, ensure_ascii=False)


def _version(conn, set_id: str, sha256: str | None):
    query = select(criteria_sets).where(criteria_sets.c.id == set_id)
    if sha256:
        query = query.where(criteria_sets.c.sha256.startswith(sha256))
    rows = conn.execute(query.order_by(criteria_sets.c.pk.desc())).all()
    if not rows:
        raise ParError([Issue("library.unknown_set", {"id": set_id,
                                                      "version": (sha256 or "")[:12] or "–"})])
    if sha256 and len({r.sha256 for r in rows}) > 1:
        raise ParError([Issue("library.ambiguous_version", {"id": set_id, "version": sha256})])
    return next((r for r in rows if r.status == "active"), rows[0])


def _active_pk(conn, criteria: CriteriaSet):
    return conn.execute(select(criteria_sets.c.pk).where(
        criteria_sets.c.level == criteria.level, criteria_sets.c.year == criteria.year,
        criteria_sets.c.status == "active")).scalar()


def _activate(conn, set_id: str, sha256: str, user: str) -> None:
    row = conn.execute(select(criteria_sets).where(criteria_sets.c.id == set_id,
                                                   criteria_sets.c.sha256 == sha256)).one()
    replaced = conn.execute(select(criteria_sets.c.id, criteria_sets.c.sha256).where(
        criteria_sets.c.level == row.level, criteria_sets.c.year == row.year,
        criteria_sets.c.status == "active")).first()
    # retire first: the unique index allows one active set per level and year at any moment
    conn.execute(update(criteria_sets).where(
        criteria_sets.c.level == row.level, criteria_sets.c.year == row.year,
        criteria_sets.c.status == "active").values(status="retired"))
    conn.execute(update(criteria_sets).where(criteria_sets.c.pk == row.pk).values(
        status="active", activated_at=utc_now()))
    _audit(conn, user, "criteria_activate", row,
           replaced=f"{replaced.id}@{replaced.sha256[:12]}" if replaced else None)


def _audit(conn, user: str, action: str, criteria, **detail) -> None:
    conn.execute(insert(audit_log).values(
        at=utc_now(), user=user, action=action,
        detail=json.dumps({"id": criteria.id, "sha256": criteria.sha256, "year": criteria.year,
                           "level": criteria.level, **{k: v for k, v in detail.items() if v}},
                          ensure_ascii=False)))


def _parse(row) -> CriteriaSet:
    """A stored version as the engine's set; stored text was checked when it was added."""
    return _parsed(row.id, row.sha256, row.yaml)


@lru_cache(maxsize=64)
def _parsed(set_id: str, sha256: str, text: str) -> CriteriaSet:
    """Parsed once per process: a stored version's text never changes and the set is frozen
    (every round write and board rerun reads its set; parsing a 70-leaf set costs ~35 ms)."""
    criteria, issues = check_criteria_text(text, f"{set_id}.yaml")
    if criteria is None:  # only if the checker grew stricter since: say which set, not crash
        raise ParError([Issue("library.stored_invalid", {"id": set_id})] + issues)
    return replace(criteria, source=f"{set_id}@{sha256[:12]}")


def baseline(criteria: CriteriaSet, active: list[CriteriaSet]) -> CriteriaSet | None:
    """What a version is best compared with: the set its level's year is scored with now
    (unless that is this very version), else the latest earlier year's active set of the
    level (last year's, when the office is preparing a new year)."""
    same = [c for c in active if c.level == criteria.level]
    now = next((c for c in same if c.year == criteria.year), None)
    if now is not None:
        return None if now.sha256 == criteria.sha256 else now
    earlier = [c for c in same if c.year < criteria.year]
    return max(earlier, key=lambda c: c.year) if earlier else None
