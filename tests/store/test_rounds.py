"""The scoring round in the store against ../shared/spec/WORKFLOW.md §1: every cell of the
phase × role × action table, deadlines and the submit lock with a frozen clock, the admin's
moves, and one round on PostgreSQL.

The expected table below is written out from the spec, not derived from the rule book
(par.domain.rounds.refusal). Allowed → the change is stored (and audited when it writes);
refused → a ParError naming the round, the unit and the criterion, every table except the
audit log unchanged, and exactly one new audit row "refused" naming the round.

The helpers here (``build``, ``snapshot``, the actors) are shared by the other round tests.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from par.domain.auth import Actor
from par.domain.issues import ParError
from par.domain.rounds import VIETNAM
from par.engine.criteria import check_criteria_text
from par.store import library
from par.store import publication as P
from par.store import round_work as W
from par.store import rounds as R
from par.store.schema import metadata
from par.store.storage import Store

YAML = """id: vong-2025
title: Bộ thử đợt chấm điểm
year: 2025
level: xa
domains:
  - code: "1"
    name: Lĩnh vực 1
    max: 10
    children:
      - {code: "1.1", name: Lá một, max: 5, rule: {type: points}}
      - {code: "1.2", name: Lá hai, max: 5, rule: {type: yes_no}}
  - code: "2"
    name: Lĩnh vực 2
    max: 10
    children:
      - {code: "2.1", name: Lá ba, max: 10, rule: {type: points}}
"""
CRITERIA, _issues = check_criteria_text(YAML, "vong.yaml")
assert CRITERIA is not None, _issues
UNIT, OTHER_UNIT = "dv-an", "dv-binh"
UNITS = pd.DataFrame({"id": [UNIT, OTHER_UNIT], "name": ["Xã An", "Xã Bình"],
                      "level": ["xa", "xa"], "group": [None, None]})
LEAF = "1.1"  # domain 1
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ADMIN = Actor("office", "admin")
STAFF = Actor("staff-an", "unit", frozenset({UNIT}))
OTHER = Actor("staff-binh", "unit", frozenset({OTHER_UNIT}))
APPRAISER = Actor("tham-dinh-1", "appraiser", domains=frozenset({"1"}))
STRANGER = Actor("tham-dinh-2", "appraiser", domains=frozenset({"2"}))
REVIEWER = Actor("lanh-dao", "reviewer")
ACTORS = {"U": STAFF, "O": OTHER, "A": APPRAISER, "B": STRANGER, "R": REVIEWER, "D": ADMIN}

NOW = dt.datetime(2025, 12, 1, 9, 0, tzinfo=VIETNAM)
SELF_UNTIL, EXPLAIN_UNTIL = "2025-12-15", "2026-01-15"


def freeze_clock(monkeypatch, moment: dt.datetime = NOW) -> None:
    monkeypatch.setattr(R, "clock", lambda: moment)


def build(path: Path, phase: str = "self", yaml: str = YAML) -> tuple[Store, int]:
    """A round of ``yaml`` moved to ``phase``: the unit self-scored every leaf and attached a
    file to LEAF, the office flagged LEAF (an admin may, in any phase)."""
    criteria, issues = check_criteria_text(yaml, "vong.yaml")
    assert criteria is not None, issues
    store = Store(f"sqlite:///{path}")
    with pytest.MonkeyPatch.context() as mp:
        freeze_clock(mp)
        store.sync_units(UNITS)
        library.add_set(store, criteria, actor=ADMIN, activate=True)
        rnd = R.create_round(store, criteria, "2025", self_until=SELF_UNTIL,
                             explain_until=EXPLAIN_UNTIL, actor=ADMIN)
        W.save_rows(store, rnd.id, UNIT, "self", pd.DataFrame([
            {"criterion": c.code, "value": "có" if c.rule.type == "yes_no" else "4"}
            for c in criteria.leaves]), actor=STAFF)
        W.add_evidence(store, rnd.id, UNIT, LEAF, [("qd-12.pdf", PDF)], actor=STAFF)
        W.flag(store, rnd.id, UNIT, LEAF, "Bổ sung quyết định", actor=ADMIN)
        while R.get_round(store, rnd.id).phase != phase:
            R.advance(store, rnd.id, actor=ADMIN)
    return store, rnd.id


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every table but the audit log, row by row."""
    out = {}
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name != "audit_log":
                out[table.name] = [tuple(r) for r in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
    return out


def audit_since(store: Store, last: int) -> pd.DataFrame:
    frame = store.audit()
    return frame[frame["id"] > last]


def last_audit(store: Store) -> int:
    frame = store.audit()
    return int(frame["id"].max()) if len(frame) else 0


def current_rows(store: Store, unit: str, stage: str) -> dict[str, tuple]:
    """criterion → (value as typed, note) of the unit's current ``stage`` submission."""
    subs = store.current_submissions("xa", 2025)
    ids = subs.loc[(subs["unit"] == unit) & (subs["stage"] == stage), "id"].tolist()
    if not ids:
        return {}
    rows = store.stored_rows(ids)
    return {r.criterion: (r.value, r.note) for r in rows.itertuples()}


def assert_refused(store: Store, rid: int, call, *, unit: str | None, criterion: str | None,
                   rule: bool = True):
    """``call`` raises a ParError naming the round (and unit), changes no table, and adds
    exactly one audit row "refused" whose detail names the round. Returns the issue.
    ``rule`` False: refused for its input (a bad file or value), whose message names that
    input rather than the round."""
    before, last = snapshot(store), last_audit(store)
    with pytest.raises(ParError) as caught:
        call()
    issue = caught.value.issues[0]
    label = R.get_round(store, rid).label
    for lang in ("vi", "en"):
        text = issue.render(lang)
        assert label in text or not rule, text
        if unit:
            assert unit in text, text
    assert issue.code.startswith("round.") or not rule, issue
    if criterion:
        assert issue.params.get("criterion") == criterion, issue
    assert snapshot(store) == before
    new = audit_since(store, last)
    assert list(new["action"]) == ["refused"], new
    detail = json.loads(new["detail"].iloc[0])  # the round by id, or (an import) in its issue
    assert detail.get("round") == rid or detail["issue"]["params"]["round"] == label, detail
    return issue


# -- the table of WORKFLOW §1 ----------------------------------------------------------------
# U unit staff of the unit, O of another unit, A appraiser of the leaf's domain, B of another
# domain, R reviewer, D admin. A cell lists who may; "-" nobody.
TABLE = """
action        | self    | appraisal | explanation | final   | published
self_rows     | U D     | D         | D           | D       | D
evidence      | U D     | D         | D           | D       | D
submit       | U D     | D         | D           | D       | D
appraise_rows | D       | A D       | D           | A D     | D
appraise      | D       | A D       | D           | A D     | D
flag          | D       | A D       | D           | D       | D
explain       | D       | D         | U D         | D       | D
list_evidence | U A B D | U A B D   | U A B D     | U A B D | U A B D
evidence_file | U A B D | U A B D   | U A B D     | U A B D | U A B D
advance       | D       | D         | D           | D       | -
reopen        | -       | -         | -           | -       | D
publish       | -       | -         | -           | D       | -
"""


def _table() -> dict[tuple[str, str], set[str]]:
    lines = [[c.strip() for c in line.split("|")] for line in TABLE.strip().splitlines()]
    phases = lines[0][1:]
    return {(cells[0], phase): set(cell.split()) - {"-"}
            for cells in lines[1:] for phase, cell in zip(phases, cells[1:])}


EXPECTED = _table()
PHASES = ("self", "appraisal", "explanation", "final", "published")
ACTIONS = [line.split("|")[0].strip() for line in TABLE.strip().splitlines()[1:]]
LEVEL = {"submit": "unit", "list_evidence": "unit", "evidence_file": "unit",
         "advance": "round", "reopen": "round", "publish": "round"}  # else: a leaf


def _do(action: str, store: Store, rid: int, actor: Actor):
    """Run ``action`` as ``actor``; return a check that its effect is stored."""
    if action == "self_rows":
        W.save_rows(store, rid, UNIT, "self", pd.DataFrame(
            [{"criterion": LEAF, "value": "5", "evidence": "QĐ 7"}]), actor=actor)
        return lambda: current_rows(store, UNIT, "self")[LEAF][0] == "5"
    if action == "evidence":
        W.add_evidence(store, rid, UNIT, LEAF, [("moi.pdf", PDF)], actor=actor)
        return lambda: "moi.pdf" in set(W.list_evidence(store, rid, UNIT, actor=ADMIN)["name"])
    if action == "submit":
        R.submit_unit(store, rid, UNIT, actor=actor)
        return lambda: UNIT in set(R.submitted_units(store, rid)["unit"])
    if action == "appraise_rows":
        W.save_rows(store, rid, UNIT, "appraisal", pd.DataFrame(
            [{"criterion": LEAF, "value": "3", "note": "thiếu văn bản"}]), actor=actor)
        return lambda: current_rows(store, UNIT, "appraisal")[LEAF] == ("3", "thiếu văn bản")
    if action == "appraise":
        W.appraise(store, rid, UNIT, LEAF, value="2", comment="hạ điểm", actor=actor)
        return lambda: current_rows(store, UNIT, "appraisal")[LEAF] == ("2", "hạ điểm")
    if action == "flag":
        W.flag(store, rid, UNIT, "1.2", "giải trình giúp", actor=actor)
        return lambda: list(W.flags_of(store, rid, UNIT)["criterion"]) == [LEAF, "1.2"]
    if action == "explain":
        W.explain(store, rid, UNIT, LEAF, "Đã có quyết định số 7", actor=actor)
        return lambda: W.flags_of(store, rid, UNIT).set_index("criterion").loc[
            LEAF, "explanation"] == "Đã có quyết định số 7"
    if action == "list_evidence":
        found = W.list_evidence(store, rid, UNIT, actor=actor)
        return lambda: list(found["name"]) == ["qd-12.pdf"]
    if action == "evidence_file":
        [eid] = W.list_evidence(store, rid, UNIT, actor=ADMIN)["id"]
        found = W.evidence_file(store, int(eid), actor=actor)
        return lambda: found == ("qd-12.pdf", PDF)
    if action == "advance":
        before = R.get_round(store, rid)
        R.advance(store, rid, actor=actor)
        return lambda: R.get_round(store, rid).phase == before.next_phase and (
            before.phase != "final" or len(P.list_publications(store)) == 1)
    if action == "reopen":
        R.reopen(store, rid, reason="Sai số liệu xã An", actor=actor)
        return lambda: R.get_round(store, rid).phase == "final"
    if action == "publish":
        pid = P.publish(store, rid, actor=actor)
        return lambda: R.get_round(store, rid).phase == "published" and list(
            P.list_publications(store)["id"]) == [pid]
    raise AssertionError(action)


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """One database per phase, built once and copied for each cell."""
    base = tmp_path_factory.mktemp("round-phases")
    out = {}
    for phase in PHASES:
        path = base / f"{phase}.db"
        store, rid = build(path, phase)
        store.dispose()
        out[phase] = (path, rid)
    return out


def _copy(templates, phase: str, tmp_path: Path) -> tuple[Store, int]:
    source, rid = templates[phase]
    target = tmp_path / "par.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return Store(f"sqlite:///{target}"), rid


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("action", ACTIONS)
def test_the_phase_role_action_table(templates, tmp_path, monkeypatch, phase, who, action):
    freeze_clock(monkeypatch)
    store, rid = _copy(templates, phase, tmp_path)
    actor = ACTORS[who]
    try:
        if who in EXPECTED[(action, phase)]:
            last = last_audit(store)
            stored = _do(action, store, rid, actor)
            assert stored(), f"{action} by {who} in {phase}: not stored"
            new = audit_since(store, last)
            assert "refused" not in set(new["action"])
            if action not in ("list_evidence", "evidence_file"):  # a write is audited
                assert actor.name in set(new["user"]), new
        else:
            level = LEVEL.get(action, "leaf")
            criterion = (LEAF if action != "flag" else "1.2") if level == "leaf" else None
            assert_refused(store, rid, lambda: _do(action, store, rid, actor),
                           unit=UNIT if level != "round" else None, criterion=criterion)
    finally:
        store.dispose()


# -- deadlines, the submit lock, the admin's unlock ---------------------------------------------

@pytest.fixture
def round_self(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "self")
    yield store, rid
    store.dispose()


def _self_write(store, rid, actor, value="5"):
    return W.save_rows(store, rid, UNIT, "self", pd.DataFrame(
        [{"criterion": LEAF, "value": value}]), actor=actor)


def test_after_self_until_a_unit_may_not_write_attach_or_submit_but_the_admin_may(
        round_self, monkeypatch):
    store, rid = round_self
    rnd = R.get_round(store, rid)
    assert rnd.self_until == dt.datetime(2025, 12, 15, 23, 59, 59, 999999, tzinfo=VIETNAM)
    freeze_clock(monkeypatch, rnd.self_until)  # the very last moment still counts
    _self_write(store, rid, STAFF, "3")
    freeze_clock(monkeypatch, rnd.self_until + dt.timedelta(microseconds=1))
    for call, criterion in (
            (lambda: _self_write(store, rid, STAFF), LEAF),
            (lambda: W.add_evidence(store, rid, UNIT, LEAF, [("b.pdf", PDF)], actor=STAFF), LEAF),
            (lambda: R.submit_unit(store, rid, UNIT, actor=STAFF), None)):
        issue = assert_refused(store, rid, call, unit=UNIT, criterion=criterion)
        assert issue.code == "round.self_closed"
        assert "15/12/2025 23:59" in issue.render("vi")
    assert current_rows(store, UNIT, "self")[LEAF][0] == "3"
    _self_write(store, rid, ADMIN, "1")
    W.add_evidence(store, rid, UNIT, LEAF, [("b.pdf", PDF)], actor=ADMIN)
    R.submit_unit(store, rid, UNIT, actor=ADMIN)
    assert current_rows(store, UNIT, "self")[LEAF][0] == "1"


def test_a_moved_deadline_opens_self_scoring_again(round_self, monkeypatch):
    store, rid = round_self
    freeze_clock(monkeypatch, dt.datetime(2025, 12, 20, tzinfo=VIETNAM))
    assert_refused(store, rid, lambda: _self_write(store, rid, STAFF), unit=UNIT, criterion=LEAF)
    assert_refused(store, rid, lambda: R.set_deadlines(store, rid, actor=STAFF,
                                                       self_until="2025-12-31"),
                   unit=None, criterion=None)
    R.set_deadlines(store, rid, actor=ADMIN, self_until="2025-12-31")
    _self_write(store, rid, STAFF)
    with pytest.raises(ParError) as caught:  # explanations cannot end before self-scoring
        R.set_deadlines(store, rid, actor=ADMIN, self_until="2026-02-01")
    assert caught.value.issues[0].code == "round.deadline_order"


def test_submit_locks_self_rows_and_evidence_whatever_the_phase_until_the_admin_unlocks(
        round_self):
    store, rid = round_self
    R.submit_unit(store, rid, UNIT, actor=STAFF)
    assert list(R.submitted_units(store, rid)["unit"]) == [UNIT]
    [eid] = W.list_evidence(store, rid, UNIT, actor=STAFF)["id"]
    for call, criterion in (
            (lambda: _self_write(store, rid, STAFF), LEAF),
            (lambda: W.add_evidence(store, rid, UNIT, LEAF, [("b.pdf", PDF)], actor=STAFF), LEAF),
            (lambda: W.remove_evidence(store, rid, int(eid), actor=STAFF), LEAF),
            (lambda: R.submit_unit(store, rid, UNIT, actor=STAFF), None)):
        issue = assert_refused(store, rid, call, unit=UNIT, criterion=criterion)
        assert issue.code == "round.submitted"
    # the other unit is not locked by this unit's submit
    W.save_rows(store, rid, OTHER_UNIT, "self", pd.DataFrame([{"criterion": LEAF, "value": "1"}]),
                actor=OTHER)
    issue = assert_refused(store, rid, lambda: R.reopen_unit(store, rid, UNIT, actor=STAFF,
                                                             reason="x"),
                           unit=None, criterion=None)
    assert issue.code == "round.admin_only"
    R.reopen_unit(store, rid, UNIT, actor=ADMIN, reason="Xã xin sửa")
    assert R.submitted_units(store, rid).empty
    assert store.audit()["action"].iloc[-1] == "round_unsubmit"
    _self_write(store, rid, STAFF, "2")
    W.remove_evidence(store, rid, int(eid), actor=STAFF)
    assert W.list_evidence(store, rid, UNIT, actor=STAFF).empty
    assert current_rows(store, UNIT, "self")[LEAF][0] == "2"


def test_a_self_import_obeys_the_submit_lock_and_the_deadline(round_self, monkeypatch):
    from par.store.submit import import_files

    store, rid = round_self
    csv = ("unit,period,criterion,value,stage\n"
           f"{UNIT},2025,{LEAF},1,self\n").encode()
    criteria = W.round_criteria(store, R.get_round(store, rid))
    R.submit_unit(store, rid, UNIT, actor=STAFF)
    issue = assert_refused(store, rid, lambda: import_files(
        store, [("tu-cham.csv", csv)], [criteria], store.units(), actor=STAFF),
        unit=UNIT, criterion=None)
    assert issue.code == "round.submitted"
    R.reopen_unit(store, rid, UNIT, actor=ADMIN)
    freeze_clock(monkeypatch, dt.datetime(2025, 12, 16, tzinfo=VIETNAM))
    issue = assert_refused(store, rid, lambda: import_files(
        store, [("tu-cham.csv", csv)], [criteria], store.units(), actor=STAFF),
        unit=UNIT, criterion=None)
    assert issue.code == "round.self_closed"
    import_files(store, [("tu-cham.csv", csv)], [criteria], store.units(), actor=ADMIN)
    assert current_rows(store, UNIT, "self") == {LEAF: ("1", "")}


def test_explanations_lock_at_explain_until_and_answer_flagged_leaves_only(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "explanation")
    try:
        issue = assert_refused(store, rid, lambda: W.explain(
            store, rid, UNIT, "1.2", "không được hỏi", actor=STAFF), unit=UNIT, criterion="1.2")
        assert issue.code == "round.not_flagged"
        # an admin cannot answer a leaf nobody flagged either: there is nothing to answer
        issue = assert_refused(store, rid, lambda: W.explain(
            store, rid, UNIT, "1.2", "không được hỏi", actor=ADMIN), unit=UNIT, criterion="1.2")
        assert issue.code == "round.not_flagged"
        freeze_clock(monkeypatch, dt.datetime(2026, 1, 16, tzinfo=VIETNAM))
        issue = assert_refused(store, rid, lambda: W.explain(
            store, rid, UNIT, LEAF, "muộn", [("qd.pdf", PDF)], actor=STAFF), unit=UNIT,
            criterion=LEAF)
        assert issue.code == "round.explain_closed"
        W.explain(store, rid, UNIT, LEAF, "Sở cho phép nộp muộn", actor=ADMIN)
        flags = W.flags_of(store, rid, UNIT)
        assert flags.loc[0, "explanation"] == "Sở cho phép nộp muộn"
        assert flags.loc[0, "explained_by"] == ADMIN.name
    finally:
        store.dispose()


# -- the admin's moves ----------------------------------------------------------------------

def test_create_round_checks_period_deadlines_rights_and_one_round_per_set_and_period(
        tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store = Store(f"sqlite:///{tmp_path / 'par.db'}")
    try:
        library.add_set(store, CRITERIA, actor=ADMIN, activate=True)
        bad = [dict(period="2024", self_until="2025-12-01", explain_until="2025-12-31"),
               dict(period="2025", self_until="30/11/2025", explain_until="2025-12-31"),
               dict(period="2025", self_until=None, explain_until="2025-12-31"),
               dict(period="2025", self_until="2025-12-31", explain_until="2025-12-01")]
        codes = []
        for kw in bad:
            with pytest.raises(ParError) as caught:
                R.create_round(store, CRITERIA, actor=ADMIN, **kw)
            codes.append(caught.value.issues[0].code)
        assert codes == ["round.bad_period", "round.bad_deadline", "round.bad_deadline",
                         "round.deadline_order"]
        with pytest.raises(ParError) as caught:
            R.create_round(store, CRITERIA, "2025", self_until="2025-12-01",
                           explain_until="2025-12-31", actor=STAFF)
        assert caught.value.issues[0].code == "round.admin_only"
        assert R.list_rounds(store) == []
        rnd = R.create_round(store, CRITERIA, "2025-Q3", self_until="2025-10-10T17:00",
                             explain_until="2025-10-20", actor=ADMIN)
        assert (rnd.phase, rnd.period, rnd.label) == ("self", "2025-Q3", "#1 vong-2025 2025-Q3")
        assert rnd.self_until == dt.datetime(2025, 10, 10, 17, tzinfo=VIETNAM)
        assert R.round_for(store, "vong-2025", "2025-Q3") == rnd
        with pytest.raises(ParError) as caught:
            R.create_round(store, CRITERIA, "2025-Q3", self_until="2025-12-01",
                           explain_until="2025-12-31", actor=ADMIN)
        assert caught.value.issues[0].code == "round.exists"
        assert len(R.list_rounds(store)) == 1
        refused = store.audit().query("action == 'refused'")
        assert len(refused) == len(bad) + 2
    finally:
        store.dispose()


def test_reopen_needs_a_reason_and_a_published_round(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "published")
    try:
        for reason in ("", "   ", None):
            issue = assert_refused(store, rid, lambda: R.reopen(store, rid, reason=reason,
                                                                actor=ADMIN),
                                   unit=None, criterion=None)
            assert issue.code == "round.reason_needed"
        R.reopen(store, rid, reason="Xã An khiếu nại", actor=ADMIN)
        assert R.get_round(store, rid).phase == "final"
        detail = json.loads(store.audit()["detail"].iloc[-1])
        assert detail["reason"] == "Xã An khiếu nại"
        issue = assert_refused(store, rid, lambda: R.reopen(store, rid, reason="lần nữa",
                                                            actor=ADMIN),
                               unit=None, criterion=None)
        assert issue.code == "round.reopen_published"
    finally:
        store.dispose()


def test_moving_on_goes_one_step_and_from_final_publishes(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "self")
    try:
        seen = [R.get_round(store, rid).phase]
        issue = assert_refused(store, rid, lambda: P.publish(store, rid, actor=ADMIN),
                               unit=None, criterion=None)
        assert issue.code == "round.publish_from_final"
        for _ in range(4):
            seen.append(R.advance(store, rid, actor=ADMIN).phase)
        assert seen == list(PHASES)
        assert len(P.list_publications(store, "vong-2025", "2025")) == 1
        issue = assert_refused(store, rid, lambda: R.advance(store, rid, actor=ADMIN),
                               unit=None, criterion=None)
        assert issue.code == "round.no_next"
        moves = store.audit().query("action == 'round_advance'")
        assert [json.loads(d)["to"] for d in moves["detail"]] == list(PHASES[1:4])
    finally:
        store.dispose()


def test_an_unknown_round_is_a_message_not_a_crash(round_self):
    store, _ = round_self
    for call in (lambda: R.get_round(store, 99), lambda: R.advance(store, "#99", actor=ADMIN),
                 lambda: R.get_round(store, "abc")):
        with pytest.raises(ParError) as caught:
            call()
        assert caught.value.issues[0].code == "round.unknown"


# -- PostgreSQL: a phase change and a write cannot cross --------------------------------------

def test_on_postgresql_a_self_write_and_the_move_to_appraisal_cannot_both_pass(monkeypatch):
    from tests.pg import postgres_server

    freeze_clock(monkeypatch)
    with postgres_server() as url:
        store = Store(url)
        try:
            store.sync_units(UNITS)
            library.add_set(store, CRITERIA, actor=ADMIN, activate=True)
            winners = set()
            # the write checks its rows before it takes the round's lock: the move starts a
            # little later each time, so that each may come first
            for delay, period in zip((0, 0.01, 0.02, 0.04, 0.08),
                                     ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025")):
                rnd = R.create_round(store, CRITERIA, period, self_until=SELF_UNTIL,
                                     explain_until=EXPLAIN_UNTIL, actor=ADMIN)
                winners.add(_race(store, rnd.id, period, delay))
            print("first through the round's lock:", winners)
            # and then the whole round runs on PostgreSQL
            W.appraise(store, rnd.id, UNIT, LEAF, value="3", comment="ok", explain=True,
                       actor=APPRAISER)
            R.advance(store, rnd.id, actor=ADMIN)
            W.explain(store, rnd.id, UNIT, LEAF, "giải trình", [("qd.pdf", PDF)], actor=STAFF)
            R.advance(store, rnd.id, actor=ADMIN)
            R.advance(store, rnd.id, actor=ADMIN)
            card, meta = P.published(store, CRITERIA, "2025")
            assert meta["round_id"] == rnd.id and card.units.loc[UNIT, "score"] > 0
            status = W.round_state(store, rnd.id).status().set_index("unit")
            assert status.loc[UNIT, ["appraised", "flagged", "explained"]].tolist() == [1, 1, 1]
        finally:
            metadata.drop_all(store.engine)
            store.dispose()


def _race(store: Store, rid: int, period: str, delay: float) -> str:
    """A unit's self write and the admin's move to appraisal at the same moment: either the
    write is refused (phase) and nothing is stored, or it is stored before the move."""
    start, result = threading.Barrier(2), {}

    def write():
        start.wait()
        try:
            result["write"] = _self_write(store, rid, STAFF, "1")
        except ParError as exc:
            result["write"] = exc.issues[0].code

    def move():
        start.wait()
        time.sleep(delay)
        result["move"] = R.advance(store, rid, actor=ADMIN).phase

    threads = [threading.Thread(target=write), threading.Thread(target=move)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert result["move"] == "appraisal"
    history = store.history(UNIT, period)
    if result["write"] == "round.phase":  # the move won: nothing was stored
        assert history.empty
        return "move"
    assert isinstance(result["write"], int), result  # the write won: stored before the move
    [row] = history.itertuples()
    moves = store.audit().query("action == 'round_advance'")
    moved = [at for at, d in zip(moves["at"], moves["detail"]) if json.loads(d)["round"] == rid]
    assert row.created_at <= moved[0]
    return "write"
