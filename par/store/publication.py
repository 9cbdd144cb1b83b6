"""Publication (../shared/spec/WORKFLOW.md §3): a round's result frozen as it was published.

``publish`` scores the round's set as of the round's period from the rows current at that
moment and stores the whole scorecard (every unit's score, index, rank, band, domains and
leaves) with the set's hash, who and when; the round moves to ``published``. What the
dashboard and the exports show as the official ranking of that set and period is the latest
publication, read back by ``published``, whatever rows change afterwards. ``reopen`` keeps
every publication; publishing again adds a new one.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.store.frozen import freeze, thaw
from par.store.rounds import publish
from par.store.schema import publications
from par.store.storage import Store

__all__ = ["COLUMNS", "freeze", "list_publications", "publish", "published",
           "require_published", "thaw"]

COLUMNS = ["id", "round_id", "criteria_id", "criteria_sha256", "period", "published_by",
           "published_at"]


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
