"""The scoring round's rule book (../shared/spec/WORKFLOW.md §1): who may do what, in which
phase, before which deadline. Pure: the store reads the round and the unit's state inside its
writing transaction and asks ``refusal``; the dashboard asks the same function to hide what a
user cannot do.

Actions a round knows:
- ``self``      write self rows (upload or in the browser) and attach self-assessment evidence;
- ``submit``    a unit locks its self-assessment;
- ``appraise``  write appraisal rows (with a comment);
- ``flag``      ask a unit to explain a leaf ("yêu cầu giải trình");
- ``explain``   answer a flagged leaf: text and extra evidence;
- ``read_evidence``  open a unit's evidence files;
- ``create``, ``advance``, ``reopen``, ``publish``  the admin's moves of the round.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from par.domain.auth import Actor
from par.domain.issues import Issue, term

PHASES = ("self", "appraisal", "explanation", "final", "published")
ACTIONS = ("self", "submit", "appraise", "flag", "explain", "read_evidence",
           "create", "advance", "reopen", "publish")
ADMIN_ONLY = ("create", "advance", "reopen", "publish")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = dt.time.max  # a deadline given as a date runs to the end of that day


@dataclass(frozen=True)
class Round:
    id: int
    criteria_id: str
    level: str
    year: int
    period: str
    phase: str
    self_until: dt.datetime  # aware
    explain_until: dt.datetime  # aware
    created_by: str = ""
    created_at: dt.datetime | None = None
    title: str = ""  # the criteria set's title, for messages

    @property
    def label(self) -> str:
        """How messages name the round: its number, set and period."""
        return f"#{self.id} {self.criteria_id} {self.period}"

    @property
    def next_phase(self) -> str | None:
        at = PHASES.index(self.phase)
        return PHASES[at + 1] if at + 1 < len(PHASES) else None


def deadline(value: str | dt.datetime | dt.date) -> dt.datetime:
    """A deadline as an aware moment: a date means its end (the last microsecond of the
    day), a moment without a zone is Vietnam time (WORKFLOW §1), a zone given is kept.
    Raises ValueError for text that is neither."""
    if isinstance(value, str):
        text = value.strip()
        try:  # a day alone (2025-11-30), else a moment; anything else is a ValueError
            value = dt.date.fromisoformat(text)
        except ValueError:
            value = dt.datetime.fromisoformat(text)
    if not isinstance(value, dt.date):
        raise TypeError(f"a deadline is a date or a moment, not {value!r}")
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, END_OF_DAY)
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    return value


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored moment (UTC; SQLite returns it without a zone) made aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def refusal(actor: Actor | None, rnd: Round, action: str, *, now: dt.datetime,
            unit: str | None = None, criterion: str | None = None, domain: str | None = None,
            submitted: bool = False, flagged: bool = False) -> Issue | None:
    """Why ``actor`` may not do ``action`` in ``rnd`` now (an Issue), or None if they may.

    ``domain`` is the top-level code of ``criterion``; ``submitted`` whether the unit has
    locked its self-assessment; ``flagged`` whether the leaf has an explanation request.
    """
    params = {"round": rnd.label, "unit": unit or "–", "criterion": criterion or "–",
              "phase": term(f"round.phase_{rnd.phase}"), "action": term(f"round.action_{action}")}
    if action not in ACTIONS:
        raise ValueError(f"unknown round action {action!r}")
    if actor is None:
        return Issue("auth.no_actor", {})
    if action in ADMIN_ONLY and actor.role != "admin":  # the role is the reason, whatever the phase
        return Issue("round.admin_only", {**params, "user": actor.name})
    if action in ("advance", "publish") and rnd.next_phase is None:
        return Issue("round.no_next", params)
    if action == "publish" and rnd.phase != "final":
        return Issue("round.publish_from_final", params)
    if action == "reopen" and rnd.phase != "published":
        return Issue("round.reopen_published", params)
    if actor.role == "admin":
        return None  # admins write in every phase (audited by the store)
    if action == "read_evidence":
        if actor.role == "appraiser" or (actor.role == "unit" and unit in actor.units):
            return None
        return Issue("round.evidence_private", {**params, "user": actor.name})
    if actor.role == "unit":
        return _unit_refusal(actor, rnd, action, params, now, submitted, flagged, unit)
    if actor.role == "appraiser":
        return _appraiser_refusal(actor, rnd, action, params, domain)
    return Issue("round.role", {**params, "user": actor.name, "role": actor.role})


def _unit_refusal(actor: Actor, rnd: Round, action: str, params: dict, now: dt.datetime,
                  submitted: bool, flagged: bool, unit: str | None) -> Issue | None:
    if unit not in actor.units:
        return Issue("round.other_unit", {**params, "user": actor.name})
    if action in ("self", "submit"):
        if rnd.phase != "self":
            return Issue("round.phase", params)
        if now > rnd.self_until:
            return Issue("round.self_closed", {**params, "deadline": _shown(rnd.self_until)})
        if submitted:
            return Issue("round.submitted", params)
        return None
    if action == "explain":
        if rnd.phase != "explanation":
            return Issue("round.phase", params)
        if now > rnd.explain_until:
            return Issue("round.explain_closed",
                         {**params, "deadline": _shown(rnd.explain_until)})
        if not flagged:
            return Issue("round.not_flagged", params)
        return None
    return Issue("round.role", {**params, "user": actor.name, "role": actor.role})


def _appraiser_refusal(actor: Actor, rnd: Round, action: str, params: dict,
                       domain: str | None) -> Issue | None:
    if action not in ("appraise", "flag"):
        return Issue("round.role", {**params, "user": actor.name, "role": actor.role})
    allowed = ("appraisal", "final") if action == "appraise" else ("appraisal",)
    if rnd.phase not in allowed:
        return Issue("round.phase", params)
    if domain not in actor.domains:
        return Issue("round.domain", {**params, "user": actor.name,
                                      "domains": ", ".join(sorted(actor.domains)) or "–"})
    return None


def _shown(moment: dt.datetime) -> str:
    return aware(moment).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
