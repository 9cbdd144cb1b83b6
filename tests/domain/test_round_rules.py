"""The round's rule book (par.domain.rounds.refusal) as a pure table, written out from
../shared/spec/WORKFLOW.md §1, and deadlines (a date is the end of that day in Vietnam).

(Named test_round_rules.py: tests/store/test_rounds.py holds the store's side, and test
modules need distinct names here, there being no __init__.py in tests/.)
"""
from __future__ import annotations

import datetime as dt

import pytest

from par.domain.auth import Actor
from par.domain.rounds import ACTIONS, PHASES, VIETNAM, Round, deadline, refusal

UNIT, OTHER = "dv-an", "dv-binh"
ACTORS = {
    "U": Actor("staff-an", "unit", frozenset({UNIT})),
    "O": Actor("staff-binh", "unit", frozenset({OTHER})),
    "A": Actor("tham-dinh-1", "appraiser", domains=frozenset({"1", "3"})),
    "B": Actor("tham-dinh-2", "appraiser", domains=frozenset({"2"})),
    "R": Actor("lanh-dao", "reviewer"),
    "D": Actor("office", "admin"),
}
SELF_UNTIL = dt.datetime(2025, 12, 15, 17, 0, tzinfo=VIETNAM)
EXPLAIN_UNTIL = dt.datetime(2026, 1, 15, 17, 0, tzinfo=VIETNAM)
BEFORE = dt.datetime(2025, 12, 1, 9, 0, tzinfo=VIETNAM)

# who may (before both deadlines, the unit not submitted, the leaf flagged); "-" nobody
TABLE = """
action        | self    | appraisal | explanation | final   | published
self          | U D     | D         | D           | D       | D
submit        | U D     | D         | D           | D       | D
appraise      | D       | A D       | D           | A D     | D
flag          | D       | A D       | D           | D       | D
explain       | D       | D         | U D         | D       | D
read_evidence | U A B D | U A B D   | U A B D     | U A B D | U A B D
create        | D       | D         | D           | D       | D
advance       | D       | D         | D           | D       | -
reopen        | -       | -         | -           | -       | D
publish       | -       | -         | -           | D       | -
"""


def _table():
    lines = [[c.strip() for c in line.split("|")] for line in TABLE.strip().splitlines()]
    return {(cells[0], phase): set(cell.split()) - {"-"}
            for cells in lines[1:] for phase, cell in zip(lines[0][1:], cells[1:])}


EXPECTED = _table()


def rnd(phase: str) -> Round:
    return Round(id=7, criteria_id="xa-2025", level="xa", year=2025, period="2025",
                 phase=phase, self_until=SELF_UNTIL, explain_until=EXPLAIN_UNTIL)


def ask(who: str, phase: str, action: str, *, now=BEFORE, submitted=False, flagged=True,
        unit=UNIT, criterion="1.2"):
    domain = criterion.split(".")[0] if criterion else None
    return refusal(ACTORS[who], rnd(phase), action, now=now, unit=unit, criterion=criterion,
                   domain=domain, submitted=submitted, flagged=flagged)


def test_the_table_covers_every_action_of_the_rule_book():
    assert {a for a, _ in EXPECTED} == set(ACTIONS)
    assert {p for _, p in EXPECTED} == set(PHASES)


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_phase_role_action_table(phase, action):
    allowed = {who for who in ACTORS if ask(who, phase, action) is None}
    assert allowed == EXPECTED[(action, phase)]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_refusal_names_the_round_the_unit_and_the_criterion(phase, action):
    for who in set(ACTORS) - EXPECTED[(action, phase)]:
        issue = ask(who, phase, action)
        assert issue.code.startswith("round."), issue
        assert issue.params["round"] == "#7 xa-2025 2025"
        assert issue.params["unit"] == UNIT and issue.params["criterion"] == "1.2"
        for lang in ("vi", "en"):
            assert "#7 xa-2025 2025" in issue.render(lang)


def test_a_refused_leaf_write_names_the_leaf_in_both_languages():
    for issue in (ask("O", "self", "self"), ask("U", "self", "self", submitted=True)):
        for lang in ("vi", "en"):
            assert "1.2" in issue.render(lang), issue.render(lang)


def test_the_reason_is_the_one_that_applies():
    reasons = {
        ("O", "self", "self"): "round.other_unit",
        ("U", "appraisal", "self"): "round.phase",
        ("U", "self", "appraise"): "round.role",
        ("R", "self", "self"): "round.role",
        ("B", "appraisal", "appraise"): "round.domain",
        ("A", "explanation", "appraise"): "round.phase",
        ("A", "final", "flag"): "round.phase",
        ("A", "self", "self"): "round.role",
        ("R", "final", "read_evidence"): "round.evidence_private",
        ("O", "final", "read_evidence"): "round.evidence_private",
        ("U", "final", "publish"): "round.admin_only",  # the role, even in the right phase
        ("U", "self", "reopen"): "round.admin_only",
        ("D", "self", "reopen"): "round.reopen_published",
        ("D", "self", "publish"): "round.publish_from_final",
        ("D", "published", "advance"): "round.no_next",
        ("D", "published", "publish"): "round.no_next",
    }
    assert {k: ask(*k).code for k in reasons} == reasons
    domains = ask("B", "appraisal", "appraise").params["domains"]
    assert domains == "2"


def test_a_unit_is_locked_after_self_until_or_once_submitted_an_admin_is_not():
    after = SELF_UNTIL + dt.timedelta(seconds=1)
    for action in ("self", "submit"):
        assert ask("U", "self", action, now=SELF_UNTIL) is None  # the deadline itself counts
        issue = ask("U", "self", action, now=after)
        assert issue.code == "round.self_closed"
        assert "15/12/2025 17:00" in issue.render("vi")
        assert ask("U", "self", action, submitted=True).code == "round.submitted"
        assert ask("D", "self", action, now=after, submitted=True) is None
        assert ask("D", "published", action, now=after, submitted=True) is None


def test_explanations_lock_after_explain_until_and_answer_flagged_leaves_only():
    after = EXPLAIN_UNTIL + dt.timedelta(seconds=1)
    assert ask("U", "explanation", "explain", now=EXPLAIN_UNTIL) is None
    assert ask("U", "explanation", "explain", now=after).code == "round.explain_closed"
    assert ask("U", "explanation", "explain", flagged=False).code == "round.not_flagged"
    assert ask("O", "explanation", "explain").code == "round.other_unit"
    assert ask("D", "explanation", "explain", now=after) is None


def test_an_appraiser_without_domains_appraises_nothing_and_nobody_is_nobody():
    none = Actor("tham-dinh-0", "appraiser")
    issue = refusal(none, rnd("appraisal"), "appraise", now=BEFORE, unit=UNIT, criterion="1.2",
                    domain="1")
    assert issue.code == "round.domain" and issue.params["domains"] == "–"
    assert refusal(None, rnd("self"), "self", now=BEFORE, unit=UNIT).code == "auth.no_actor"
    with pytest.raises(ValueError):
        refusal(ACTORS["D"], rnd("self"), "delete", now=BEFORE)


def test_round_label_and_next_phase():
    assert rnd("self").label == "#7 xa-2025 2025"
    assert [rnd(p).next_phase for p in PHASES] == list(PHASES[1:]) + [None]


# -- deadline ----------------------------------------------------------------------------

END = dt.time(23, 59, 59, 999999)


@pytest.mark.parametrize("given, expected", [
    ("2025-11-30", dt.datetime.combine(dt.date(2025, 11, 30), END, VIETNAM)),
    (" 2025-11-30 ", dt.datetime.combine(dt.date(2025, 11, 30), END, VIETNAM)),
    (dt.date(2025, 11, 30), dt.datetime.combine(dt.date(2025, 11, 30), END, VIETNAM)),
    ("2025-11-30T17:00", dt.datetime(2025, 11, 30, 17, tzinfo=VIETNAM)),
    ("2025-11-30 17:00:30", dt.datetime(2025, 11, 30, 17, 0, 30, tzinfo=VIETNAM)),
    ("2025-11-30T00:00", dt.datetime(2025, 11, 30, 0, 0, tzinfo=VIETNAM)),
    (dt.datetime(2025, 11, 30, 17), dt.datetime(2025, 11, 30, 17, tzinfo=VIETNAM)),
    ("2025-11-30T10:00+00:00", dt.datetime(2025, 11, 30, 10, tzinfo=dt.timezone.utc)),
    ("2025-11-30T10:00Z", dt.datetime(2025, 11, 30, 10, tzinfo=dt.timezone.utc)),
    (dt.datetime(2025, 11, 30, 10, tzinfo=dt.timezone.utc),
     dt.datetime(2025, 11, 30, 10, tzinfo=dt.timezone.utc)),
])
def test_a_deadline_is_an_aware_moment(given, expected):
    found = deadline(given)
    assert found == expected and found.utcoffset() == expected.utcoffset()


def test_a_date_ends_at_midnight_in_vietnam_not_in_utc():
    end = deadline("2025-11-30")
    assert end.astimezone(dt.timezone.utc) == dt.datetime(2025, 11, 30, 16, 59, 59, 999999,
                                                          tzinfo=dt.timezone.utc)
    assert dt.datetime(2025, 11, 30, 23, 59, 59, 500000, tzinfo=VIETNAM) < end
    assert dt.datetime(2025, 12, 1, 0, 0, tzinfo=VIETNAM) > end


@pytest.mark.parametrize("given", ["30/11/2025", "2025-11-30 17h", "2025-13-01", "", "mai"])
def test_a_deadline_that_is_no_date_is_a_value_error(given):
    with pytest.raises(ValueError):
        deadline(given)


@pytest.mark.parametrize("given", [None, 20251130, 1.5])
def test_a_deadline_of_another_type_is_a_type_error(given):
    with pytest.raises(TypeError):
        deadline(given)
