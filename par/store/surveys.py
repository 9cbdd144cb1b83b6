"""Survey answers in the database (../shared/spec/SURVEY.md §3, §4).

``import_answers`` checks a form's answers table (every problem at once, nothing stored on
error), stores it as the current import of (criteria set, form, period), superseding the
earlier one (kept: history), and writes the survey leaves' values as ``appraisal`` rows of
that period for every unit of the set's level, merged criterion by criterion into each
unit's current appraisal submission (``Store.save_group(merge=True)``): re-importing
replaces those leaves' rows, a unit left without a value for a leaf has that leaf cleared.
All in one transaction; admins only; refusals and imports audited.

``results`` recomputes (per unit × question, per unit × leaf) from the current import.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import insert, select, update

from par.domain.auth import Actor
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.engine.survey import aggregate, survey_leaves
from par.read.survey_answers import form_of, read_answers
from par.store.schema import audit_log, submissions, survey_imports
from par.store.storage import (
    GROUP_COLUMNS,
    ImportGroup,
    Store,
    current_id,
    merged_rows,
    utc_now,
)

SOURCE_PREFIX = "khảo sát: "  # the source name of the appraisal rows an import writes
STAGE = "appraisal"
ACTION = "survey_import"


@dataclass
class SurveyImport:
    """What an import stored: its id, the one it replaced, counts, and the results."""

    id: int
    replaces: int | None
    form: str
    period: str
    respondents: int
    answers: int
    questions: pd.DataFrame  # par.engine.survey.QUESTION_COLUMNS
    leaves: pd.DataFrame  # par.engine.survey.LEAF_COLUMNS
    submissions: list[int] = field(default_factory=list)  # appraisal submissions written
    warnings: list[Issue] = field(default_factory=list)


def source_name(form_id: str) -> str:
    return SOURCE_PREFIX + form_id


def _check_period(criteria: CriteriaSet, period: str) -> str:
    parsed = parse_period(str(period).strip())
    if parsed is None or parsed.year != criteria.year:
        raise ParError([Issue("survey.bad_period", {"period": period, "year": criteria.year})])
    return str(parsed)


def import_answers(store: Store, criteria: CriteriaSet, form_id: str, period: str,
                   data: bytes, name: str, *, actor: Actor | None) -> SurveyImport:
    """Check and store a form's answers for a period, and write the survey leaves' values as
    appraisal rows of that period; raises ``ParError`` (every problem) and stores nothing on
    any error. Admins only."""
    digest = hashlib.sha256(data).hexdigest()
    if actor is None or actor.role != "admin":
        issue = Issue("survey.admin_only", {"user": actor.name if actor else "–"})
        store.record_refusal(actor, ACTION, [issue], period=str(period)[:10], file=name,
                             sha256=digest, extra={"form": form_id, "criteria": criteria.id})
        raise ParError([issue])
    try:
        form_of(criteria, form_id)
        period = _check_period(criteria, period)
        units = store.units()
        answers = read_answers(data, name, criteria, form_id, units)
    except ParError as exc:
        store.record_refusal(actor, ACTION, exc.issues, period=str(period)[:10], file=name,
                             sha256=digest, extra={"form": form_id, "criteria": criteria.id})
        raise
    questions, leaves = aggregate(answers.wide, criteria, form_id)
    level_units = units.loc[units["level"] == criteria.level, "id"].tolist()
    codes = [leaf.code for leaf in survey_leaves(criteria, form_id)]
    by_unit = {u: part for u, part in leaves.groupby("unit", sort=False)}
    now = utc_now()
    with store.engine.begin() as conn:
        old = _current(conn, criteria.id, form_id, period)
        if old is not None:
            conn.execute(update(survey_imports).where(survey_imports.c.id == old)
                         .values(status="superseded"))
        new = conn.execute(insert(survey_imports).values(
            criteria_id=criteria.id, criteria_sha256=criteria.sha256, form=form_id,
            period=period, user=actor.name, created_at=now, source_name=name,
            source_sha256=digest, rows=answers.respondents, answers=answers.answers,
            status="current", replaces=old, packed=pack_answers(answers.wide)
        )).inserted_primary_key[0]
        written = []
        for unit in level_units:
            sid = _write_unit(store, conn, criteria, unit, period, by_unit.get(unit), codes,
                              actor.name, form_id, digest)
            if sid is not None:
                written.append(sid)
        conn.execute(insert(audit_log).values(
            at=now, user=actor.name, action=ACTION, period=period, source_sha256=digest,
            detail=json.dumps({"import": new, "replaces": old, "criteria": criteria.id,
                               "form": form_id, "file": name,
                               "respondents": answers.respondents, "answers": answers.answers,
                               "leaves": len(leaves), "submissions": len(written)},
                              ensure_ascii=False)))
    return SurveyImport(new, old, form_id, period, answers.respondents, answers.answers,
                        questions, leaves, written, answers.warnings)


def _write_unit(store: Store, conn, criteria: CriteriaSet, unit: str, period: str,
                values: pd.DataFrame | None, codes: list[str], user: str, form_id: str,
                digest: str) -> int | None:
    """The unit's survey leaves of this form as appraisal rows, merged into its current
    appraisal submission; leaves without a value are cleared. Returns the new submission
    (None when nothing changed, or when clearing withdrew the last rows)."""
    values = values if values is not None else pd.DataFrame(columns=["criterion", "value"])
    have = values["criterion"].astype(str).tolist()
    cleared = [c for c in codes if c not in have]
    old = current_id(conn, unit, period, STAGE)
    if not have:
        if old is None:
            return None
        remaining = merged_rows(conn, old, _rows([], []), cleared)
        count = conn.execute(select(submissions.c.row_count).where(
            submissions.c.id == old)).scalar()
        if len(remaining) == count:
            return None  # none of these leaves was there: nothing to clear
        if remaining.empty:
            conn.execute(update(submissions).where(submissions.c.id == old)
                         .values(status="withdrawn"))
            conn.execute(insert(audit_log).values(
                at=utc_now(), user=user, action=ACTION, submission_id=old, unit=unit,
                period=period, source_sha256=digest,
                detail=json.dumps({"form": form_id, "cleared": cleared, "withdrawn": old},
                                  ensure_ascii=False)))
            return None
    group = ImportGroup(unit, period, STAGE, _rows(have, values["value"].to_numpy(dtype=float)))
    return store.save_group(conn, group, user, criteria, source_name(form_id), digest,
                            merge=True, action=ACTION, drop=cleared)


def _rows(codes: list[str], values) -> pd.DataFrame:
    """Appraisal rows (``GROUP_COLUMNS``) giving each leaf its survey value."""
    values = np.asarray(values, dtype=float)
    n = len(codes)
    return pd.DataFrame({
        "criterion": np.asarray(codes, dtype=object), "value": [repr(float(v)) for v in values],
        "number": values, "na": np.zeros(n, dtype=bool), "numerator": np.full(n, np.nan),
        "denominator": np.full(n, np.nan), "evidence": [""] * n, "note": [""] * n,
        "source_row": np.zeros(n, dtype=np.int64)}, columns=GROUP_COLUMNS)


def _current(conn, criteria_id: str, form_id: str, period: str) -> int | None:
    query = select(survey_imports.c.id).where(
        survey_imports.c.criteria_id == criteria_id, survey_imports.c.form == form_id,
        survey_imports.c.period == period, survey_imports.c.status == "current")
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).scalar()


def pack_answers(wide: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(wide, preserve_index=False)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def unpack_answers(blob: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(pa.py_buffer(blob)).read_all().to_pandas()


def answers(store: Store, criteria_id: str, form_id: str, period: str,
            import_id: int | None = None) -> pd.DataFrame:
    """The answers table (unit, respondent, row, a column per question, other columns) of the
    current import of (set, form, period), or of ``import_id``."""
    query = select(survey_imports.c.packed)
    if import_id is not None:
        query = query.where(survey_imports.c.id == int(import_id))
    else:
        query = query.where(survey_imports.c.criteria_id == criteria_id,
                            survey_imports.c.form == form_id,
                            survey_imports.c.period == str(period),
                            survey_imports.c.status == "current")
    with store.engine.connect() as conn:
        blob = conn.execute(query).scalar()
    if blob is None:
        raise ParError([Issue("survey.no_import", {"form": form_id, "period": period,
                                                   "criteria": criteria_id})])
    return unpack_answers(blob)


def answers_as_of(store: Store, criteria: CriteriaSet, as_of) -> tuple[str, dict] | None:
    """(``survey_period_as_of``, form id → that period's answers), or None without one."""
    period = survey_period_as_of(store, criteria, as_of)
    return None if period is None else (period, period_answers(store, criteria, period))


def survey_period_as_of(store: Store, criteria: CriteriaSet, as_of) -> str | None:
    """The survey period a result as of ``as_of`` stands on: the latest period of the set's
    year within the window (its order ≤ ``as_of``'s) with a current import of one of the
    set's forms; None when there is none."""
    found = imports(store, criteria.id)
    if found.empty:
        return None
    known = {f.id for f in criteria.surveys}
    found = found[(found["status"] == "current") & found["form"].isin(known)]
    periods = {str(p): parse_period(str(p)) for p in found["period"].unique()}
    inside = [(q.order, p) for p, q in periods.items()
              if q is not None and q.year == criteria.year and q.order <= as_of.order]
    return max(inside)[1] if inside else None


def period_answers(store: Store, criteria: CriteriaSet, period: str) -> dict[str, pd.DataFrame]:
    """Form id → the answers of its current import for ``period``, for the set's forms that
    have one (one query)."""
    query = select(survey_imports.c.form, survey_imports.c.packed).where(
        survey_imports.c.criteria_id == criteria.id, survey_imports.c.period == str(period),
        survey_imports.c.status == "current")
    with store.engine.connect() as conn:
        found = dict(conn.execute(query).all())
    return {f.id: unpack_answers(found[f.id]) for f in criteria.surveys if f.id in found}


def results(store: Store, criteria: CriteriaSet, form_id: str, period: str
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per unit × question, per unit × survey leaf) from the current import."""
    form_of(criteria, form_id)
    period = _check_period(criteria, period)
    return aggregate(answers(store, criteria.id, form_id, period), criteria, form_id)


def imports(store: Store, criteria_id: str | None = None, form_id: str | None = None,
            period: str | None = None) -> pd.DataFrame:
    """Every import (history, newest last): id, criteria_id, form, period, user, created_at,
    source_name, source_sha256, rows, answers, status, replaces."""
    shown = [c for c in survey_imports.columns if c.name not in ("packed", "criteria_sha256")]
    query = select(*shown).order_by(survey_imports.c.id)
    for column, value in (("criteria_id", criteria_id), ("form", form_id), ("period", period)):
        if value is not None:
            query = query.where(survey_imports.c[column] == str(value))
    with store.engine.connect() as conn:
        return pd.DataFrame([dict(r._mapping) for r in conn.execute(query)],
                            columns=[c.name for c in shown])


__all__ = ["SurveyImport", "import_answers", "results", "answers", "answers_as_of",
           "survey_period_as_of", "period_answers", "imports", "source_name", "pack_answers",
           "unpack_answers"]
