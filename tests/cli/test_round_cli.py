"""The scoring round from the command line (WORKFLOW §4), and its rule book (§1) cell by cell.

Every cell of the phase × role × action table is one test: the round is brought to the
phase once per module (a template database), each cell runs on a fresh copy of it, in
process (par.cli.main.main), and checks either the change in the store or the refusal: exit
2, the reason in Vietnamese on stderr, every table but the audit log unchanged, and one
new audit row "refused" by that account. The expected outcomes are the spec's table written
out below, not the library's rule book (par.domain.rounds.refusal), which is what is tested.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import sqlite3
import sys
from pathlib import Path

import pandas as pd
import pytest

from par.cli.main import main
from par.domain.auth import Actor
from par.store import schema

PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
SET_ID = "vong-2025"
ROUND = "1"
A, B = "x-an", "x-binh"  # the unit acted on, and another unit of the level
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
VN = dt.timezone(dt.timedelta(hours=7))

CRITERIA = """\
id: vong-2025
title: Bộ chỉ số thử của đợt chấm
year: 2025
level: xa
evidence_required: true
domains:
  - code: "1"
    name: Chỉ đạo, điều hành
    max: 10
    children:
      - {code: "1.1", name: Kế hoạch CCHC, max: 5, rule: {type: points}}
      - {code: "1.2", name: Ban hành đúng hạn, max: 5, rule: {type: yes_no}}
  - code: "2"
    name: Thủ tục hành chính
    max: 10
    children:
      - {code: "2.1", name: Công khai thủ tục, max: 6, rule: {type: points}}
      - {code: "2.2", name: Hồ sơ đúng hạn, max: 4, rule: {type: ratio, linear: true}}
"""
UNITS = pd.DataFrame({"id": [A, B, "p-cau"], "name": ["Xã An", "Xã Bình", "Phường Cầu"],
                      "level": ["xa"] * 3, "group": ["xa", "xa", "phuong"]})
HEAD = "unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
SELF_A = HEAD + ("x-an,2025,1.1,4,,,self,,\n"  # its evidence is a file (minh-chung.pdf)
                 "x-an,2025,1.2,có,,,self,QĐ 12/2025,\n"
                 "x-an,2025,2.1,5,,,self,Báo cáo số 3,\n"
                 "x-an,2025,2.2,,8,10,self,Sổ theo dõi,\n")
SELF_B = HEAD + ("x-binh,2025,1.1,3,,,self,,\n"
                 "x-binh,2025,1.2,không,,,self,,\n"
                 "x-binh,2025,2.1,6,,,self,Báo cáo số 9,\n")
SELF_A_AGAIN = HEAD + ("x-an,2025,1.1,2,,,self,QĐ 15/2025,\n"
                       "x-an,2025,1.2,có,,,self,QĐ 12/2025,\n")

# the accounts: who acts in each column of the table
ACTORS = {
    "own": "lan",          # unit staff of x-an
    "other": "binh",       # unit staff of another unit (x-binh)
    "appraiser": "tham2",  # appraiser of domain 2 (the criteria acted on are 2.1 and 2.2)
    "appraiser_x": "tham1",  # appraiser of domain 1 only
    "reviewer": "chief",
    "admin": "office",
}

# -- the spec's table (WORKFLOW §1), written out ------------------------------------------
# ok: allowed. Otherwise the reason the refusal must name:
#   P phase (for the admin's moves: no next phase, only a published round reopens)
#   R role  D domain  U not the account's unit  E evidence not theirs to read
#   A admins only (a move of the round by anyone else: the role is the reason in every phase)
# "self" is a self-row import, "read" is `evidence list`, "explain" answers the flag on 2.1.
ACTIONS = ("self", "evidence", "submit", "appraise", "appraise_explain", "explain", "read",
           "advance", "reopen")
TABLE = {
    #                self evid submit appr appr+x expl read adv reopen
    "self": """
        own          ok   ok   ok     R    R      P    ok   A   A
        other        U    U    U      U    U      U    E    A   A
        appraiser    R    R    R      P    P      R    ok   A   A
        appraiser_x  R    R    R      P    P      R    ok   A   A
        reviewer     R    R    R      R    R      R    E    A   A
        admin        ok   ok   ok     ok   ok     ok   ok   ok  P
    """,
    "appraisal": """
        own          P    P    P      R    R      P    ok   A   A
        other        U    U    U      U    U      U    E    A   A
        appraiser    R    R    R      ok   ok     R    ok   A   A
        appraiser_x  R    R    R      D    D      R    ok   A   A
        reviewer     R    R    R      R    R      R    E    A   A
        admin        ok   ok   ok     ok   ok     ok   ok   ok  P
    """,
    "explanation": """
        own          P    P    P      R    R      ok   ok   A   A
        other        U    U    U      U    U      U    E    A   A
        appraiser    R    R    R      P    P      R    ok   A   A
        appraiser_x  R    R    R      P    P      R    ok   A   A
        reviewer     R    R    R      R    R      R    E    A   A
        admin        ok   ok   ok     ok   ok     ok   ok   ok  P
    """,
    "final": """
        own          P    P    P      R    R      P    ok   A   A
        other        U    U    U      U    U      U    E    A   A
        appraiser    R    R    R      ok   P      R    ok   A   A
        appraiser_x  R    R    R      D    D      R    ok   A   A
        reviewer     R    R    R      R    R      R    E    A   A
        admin        ok   ok   ok     ok   ok     ok   ok   ok  P
    """,
    "published": """
        own          P    P    P      R    R      P    ok   A   A
        other        U    U    U      U    U      U    E    A   A
        appraiser    R    R    R      P    P      R    ok   A   A
        appraiser_x  R    R    R      P    P      R    ok   A   A
        reviewer     R    R    R      R    R      R    E    A   A
        admin        ok   ok   ok     ok   ok     ok   ok   P   ok
    """,
}
REASONS = {  # what the Vietnamese message says for each reason
    "P": r"giai đoạn",
    "R": r"vai trò",
    "D": r"chỉ thẩm định lĩnh vực 1",  # names the domains the account has (tham1: 1)
    "U": r"không thuộc đơn vị x-an|không được phép .* cho đơn vị x-an",
    "A": r"chỉ quản trị viên",
    "E": r"không được xem tài liệu kiểm chứng của đơn vị x-an",
}
NEXT = {"self": "appraisal", "appraisal": "explanation", "explanation": "final",
        "final": "published"}


def _cells():
    for phase, text in TABLE.items():
        lines = [line.split() for line in text.strip().splitlines()]
        assert [line[0] for line in lines] == list(ACTORS), phase
        for actor, *outcomes in lines:
            assert len(outcomes) == len(ACTIONS), (phase, actor)
            for action, outcome in zip(ACTIONS, outcomes):
                yield pytest.param(phase, actor, action, outcome,
                                   id=f"{phase}-{actor}-{action}-{outcome}")


# -- set-up: one template database per phase ------------------------------------------------

def run(*argv, stdin: str | None = None) -> tuple[int, str, str]:
    """main(argv) in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in argv])
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def ok(*argv, **kw) -> str:
    code, out, err = run(*argv, **kw)
    assert code == 0, err
    return out


def copy_db(source: Path, target: Path) -> str:
    """A consistent copy of a SQLite database in WAL mode; its URL."""
    target.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The files, and a template database per phase (round 1 of vong-2025, period 2025):
    accounts of every role, x-an and x-binh self-scored, a file on x-an 1.1, and an
    explanation request on x-an 2.1."""
    from par.store import round_work
    from par.store.storage import Store

    root = tmp_path_factory.mktemp("round-cli")
    files = {
        "criteria": root / "vong-2025.yaml", "self_a": root / "tu-cham-an.csv",
        "self_b": root / "tu-cham-binh.csv", "self_a_again": root / "tu-cham-an-2.csv",
        "proof": root / "minh-chung.pdf", "more": root / "bo-sung.pdf",
        "answer": root / "giai-trinh.pdf",
    }
    files["criteria"].write_text(CRITERIA, encoding="utf-8")
    for key, text in (("self_a", SELF_A), ("self_b", SELF_B), ("self_a_again", SELF_A_AGAIN)):
        files[key].write_text(text, encoding="utf-8")
    for key in ("proof", "more", "answer"):
        files[key].write_bytes(PDF)
    base = root / "self.db"
    url = f"sqlite:///{base}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.setenv("PAR_SAMPLE_MODE", "0")
        mp.delenv("PAR_USER", raising=False)
        mp.delenv("PAR_LANG", raising=False)
        ok("users", "add", "office", "--role", "admin", "--password-stdin", stdin=PASSWORD)
        store = Store(url)
        store.sync_units(UNITS, actor=Actor("office", "admin"))
        ok("criteria", "add", files["criteria"], "--activate", "--user", "office")
        for argv in (("lan", "--role", "unit", "--units", A),
                     ("binh", "--role", "unit", "--units", B),
                     ("tham2", "--role", "appraiser", "--domains", "2"),
                     ("tham1", "--role", "appraiser", "--domains", "1"),
                     ("chief", "--role", "reviewer")):
            ok("users", "add", *argv, "--password-stdin", "--user", "office", stdin=PASSWORD)
        created = ok("round", "create", "--criteria", SET_ID, "--period", "2025",
                     "--self-until", "2099-06-30", "--explain-until", "2099-12-31",
                     "--user", "office")
        assert created.strip() == ROUND
        ok("import", files["self_a"], "--user", "lan")
        ok("import", files["self_b"], "--user", "binh")
        ok("evidence", "add", ROUND, "--unit", A, "--criterion", "1.1", files["proof"],
           "--user", "lan")
        round_work.flag(store, int(ROUND), A, "2.1", "Cần quyết định công khai",
                        actor=Actor("office", "admin"))
        store.dispose()
        templates = {"self": base}
        for phase, following in NEXT.items():
            templates[following] = root / f"{following}.db"
            copy_db(templates[phase], templates[following])
            mp.setenv("PAR_DATABASE_URL", f"sqlite:///{templates[following]}")
            ok("round", "advance", ROUND, "--user", "office")
    return {"files": files, "templates": templates, "root": root}


@pytest.fixture
def at(world, tmp_path, monkeypatch):
    """at(phase) → a fresh copy of that phase's template as the configured database."""
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    monkeypatch.delenv("PAR_USER", raising=False)
    monkeypatch.delenv("PAR_LANG", raising=False)

    def make(phase: str) -> Path:
        path = tmp_path / f"{phase}.db"
        monkeypatch.setenv("PAR_DATABASE_URL", copy_db(world["templates"][phase], path))
        return path

    return make


def snapshot(path: Path) -> dict[str, list[dict]]:
    """Every table's rows but the audit log's."""
    out = {}
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        for table in schema.metadata.sorted_tables:
            if table.name == "audit_log":
                continue
            rows = [dict(r) for r in conn.execute(f'SELECT * FROM "{table.name}"')]
            out[table.name] = sorted(rows, key=repr)
    return out


def audit_rows(path: Path) -> list[dict]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM audit_log ORDER BY id")]


def added(before: dict, after: dict, table: str) -> list[dict]:
    """The rows ``table`` gained (new rows, not changed ones)."""
    key = "id" if "id" in schema.metadata.tables[table].c else None
    if key is None:
        return [r for r in after[table] if r not in before[table]]
    known = {r[key] for r in before[table]}
    return [r for r in after[table] if r[key] not in known]


def phase_of(state: dict) -> str:
    return state["rounds"][0]["phase"]


# -- the commands of each action, and what an allowed one changes ---------------------------

def command(action: str, files: dict) -> list:
    return {
        "self": ["import", files["self_a_again"]],
        "evidence": ["evidence", "add", ROUND, "--unit", A, "--criterion", "1.2", files["more"]],
        "submit": ["round", "submit", ROUND, "--unit", A],
        "appraise": ["appraise", ROUND, "--unit", A, "--criterion", "2.2", "--numerator", "9",
                     "--denominator", "10", "--comment", "Đối chiếu sổ theo dõi"],
        "appraise_explain": ["appraise", ROUND, "--unit", A, "--criterion", "2.1", "--value",
                             "4", "--comment", "Thiếu quyết định công khai", "--explain"],
        "explain": ["explain", ROUND, "--unit", A, "--criterion", "2.1", "--text",
                    "Đã bổ sung quyết định", files["answer"]],
        "read": ["evidence", "list", ROUND, "--unit", A, "--format", "json"],
        "advance": ["round", "advance", ROUND],
        "reopen": ["round", "reopen", ROUND, "--reason", "Sai sót khi tổng hợp"],
    }[action]


def assert_effect(action: str, who: str, phase: str, before: dict, after: dict, out: str):
    if action == "read":
        assert after == before
        assert [f["name"] for f in json.loads(out)] == ["minh-chung.pdf"]
        return
    assert after != before
    subs = added(before, after, "submissions")
    rows = added(before, after, "input_rows")
    if action == "self":
        assert [(s["unit"], s["stage"], s["status"], s["user"]) for s in subs] == [
            (A, "self", "current", who)]
        assert {(r["criterion"], r["value"]) for r in rows} == {("1.1", "2"), ("1.2", "có")}
    elif action == "evidence":
        assert [(e["unit"], e["criterion"], e["purpose"], e["name"], e["added_by"])
                for e in added(before, after, "evidence")] == [
            (A, "1.2", "self", "bo-sung.pdf", who)]
    elif action == "submit":
        assert [(s["unit"], s["submitted_by"]) for s in added(before, after, "round_submits")
                ] == [(A, who)]
    elif action in ("appraise", "appraise_explain"):
        assert [(s["unit"], s["stage"], s["user"]) for s in subs] == [(A, "appraisal", who)]
        if action == "appraise":
            assert ("2.2", 9.0, 10.0, "Đối chiếu sổ theo dõi") in {
                (r["criterion"], r["numerator"], r["denominator"], r["note"]) for r in rows}
        else:
            assert ("2.1", "4", "Thiếu quyết định công khai") in {
                (r["criterion"], r["value"], r["note"]) for r in rows}
            flag = [f for f in after["flags"] if (f["unit"], f["criterion"]) == (A, "2.1")]
            assert [(f["comment"], f["requested_by"]) for f in flag] == [
                ("Thiếu quyết định công khai", who)]
    elif action == "explain":
        flag = [f for f in after["flags"] if (f["unit"], f["criterion"]) == (A, "2.1")]
        assert [(f["explanation"], f["explained_by"]) for f in flag] == [
            ("Đã bổ sung quyết định", who)]
        assert [(e["purpose"], e["name"]) for e in added(before, after, "evidence")] == [
            ("explanation", "giai-trinh.pdf")]
    elif action == "advance":
        assert phase_of(after) == NEXT[phase]
        if phase == "final":
            assert len(added(before, after, "publications")) == 1
    elif action == "reopen":
        assert phase_of(after) == "final"
        assert after["publications"] == before["publications"]  # kept


@pytest.mark.parametrize("phase,actor,action,outcome", list(_cells()))
def test_the_rule_book_cell_by_cell(at, world, phase, actor, action, outcome):
    path = at(phase)
    who = ACTORS[actor]
    before, audit_before = snapshot(path), audit_rows(path)
    assert phase_of(before) == phase
    code, out, err = run(*command(action, world["files"]), "--user", who)
    after, audit_after = snapshot(path), audit_rows(path)
    if outcome == "ok":
        assert code == 0, err
        assert_effect(action, who, phase, before, after, out)
        assert not [r for r in audit_after[len(audit_before):] if r["action"] == "refused"]
        return
    assert code == 2, (out, err)
    assert re.search(REASONS[outcome], err), err
    if action not in ("advance", "reopen"):
        assert A in err  # the message names the unit
    assert after == before  # nothing but the audit log changed
    new = audit_after[len(audit_before):]
    assert [(r["action"], r["user"]) for r in new] == [("refused", who)]


def test_the_table_has_every_cell():
    assert len(list(_cells())) == 5 * 6 * 9


# -- deadlines with a frozen clock ------------------------------------------------------------

def freeze(monkeypatch, moment: dt.datetime) -> None:
    import par.store.rounds

    monkeypatch.setattr(par.store.rounds, "clock", lambda: moment)


def test_self_rows_close_at_the_deadline_for_units_not_for_the_admin(at, world, monkeypatch):
    files = world["files"]
    path = at("self")
    freeze(monkeypatch, dt.datetime(2099, 6, 30, 23, 59, tzinfo=VN))  # the deadline's last minute
    ok("evidence", "add", ROUND, "--unit", A, "--criterion", "1.2", files["more"], "--user", "lan")
    freeze(monkeypatch, dt.datetime(2099, 7, 1, 0, 1, tzinfo=VN))
    before = snapshot(path)
    for argv in (command("self", files), command("evidence", files), command("submit", files)):
        code, _, err = run(*argv, "--user", "lan")
        assert code == 2 and "đã quá hạn tự chấm (30/06/2099 23:59)" in err and A in err, err
    assert snapshot(path) == before
    assert [r["action"] for r in audit_rows(path)[-3:]] == ["refused"] * 3
    for argv in (command("self", files), command("evidence", files), command("submit", files)):
        ok(*argv, "--user", "office")
    status = json.loads(ok("round", "status", ROUND, "--format", "json"))
    assert next(r for r in status if r["unit"] == A)["submitted"] is True


def test_explanations_close_at_their_deadline(at, world, monkeypatch):
    files = world["files"]
    path = at("explanation")
    freeze(monkeypatch, dt.datetime(2100, 1, 1, 0, 0, 1, tzinfo=VN))
    before = snapshot(path)
    code, _, err = run(*command("explain", files), "--user", "lan")
    assert code == 2 and "đã quá hạn giải trình (31/12/2099 23:59)" in err, err
    assert snapshot(path) == before
    # the office may still record it (audited), and may move the deadline for everybody
    ok("round", "deadline", ROUND, "--explain-until", "2100-01-15T17:00", "--user", "office")
    ok(*command("explain", files), "--user", "lan")
    code, _, err = run("round", "deadline", ROUND, "--explain-until", "2100-02-01",
                       "--user", "lan")
    assert code == 2 and "chỉ quản trị viên" in err


def test_submit_locks_the_units_self_rows_until_the_office_unlocks(at, world):
    files = world["files"]
    path = at("self")
    out = ok("round", "submit", ROUND, "--unit", "Xã An", "--user", "lan")  # by its name
    assert "Xã An" not in out and A in out
    before = snapshot(path)
    for argv in (command("self", files), command("evidence", files), command("submit", files)):
        code, _, err = run(*argv, "--user", "lan")
        assert code == 2 and "đã nộp nên đã khóa" in err, err
    assert snapshot(path) == before
    code, _, err = run("round", "unsubmit", ROUND, "--unit", A, "--user", "lan")
    assert code == 2 and "chỉ quản trị viên" in err
    ok("round", "unsubmit", ROUND, "--unit", A, "--reason", "Nộp nhầm", "--user", "office")
    ok(*command("self", files), "--user", "lan")


# -- status, list, users, published result ----------------------------------------------------

def test_round_status_counts_per_unit(at, world):
    at("appraisal")
    ok(*command("appraise", world["files"]), "--user", "tham2")
    rows = {r["unit"]: r for r in json.loads(ok("round", "status", ROUND, "--format", "json"))}
    keys = ("submitted", "self", "appraised", "flagged", "explained", "missing_evidence")
    assert {u: tuple(r[k] for k in keys) for u, r in rows.items()} == {
        A: (False, 4, 1, 1, 0, 0),   # 1.1 has a file, the others an evidence text
        B: (False, 3, 0, 0, 0, 2),   # 1.1 and 1.2 without evidence
        "p-cau": (False, 0, 0, 0, 0, 0),
    }
    csv = ok("round", "status", ROUND, "--format", "csv")
    assert csv.splitlines()[0].startswith("unit,name,group,submitted,self,appraised")
    table = ok("round", "status", ROUND)
    assert "Thẩm định" in table and "Thiếu tài liệu kiểm chứng" in table and "4/4" in table
    assert "Appraised" in ok("round", "status", ROUND, "--lang", "en")


def test_round_list_users_and_usage_errors(at, world):
    at("self")
    listed = json.loads(ok("round", "list", "--format", "json"))
    assert [(r["id"], r["criteria_id"], r["period"], r["phase"]) for r in listed] == [
        (1, SET_ID, "2025", "self")]
    assert "Tự chấm" in ok("round", "list")
    users = json.loads(ok("users", "list", "--format", "json"))
    assert {u["name"]: u["domains"] for u in users if u["role"] == "appraiser"} == {
        "tham1": "1", "tham2": "2"}
    assert "Lĩnh vực" in ok("users", "list")
    ok("users", "set-role", "chief", "--role", "appraiser", "--domains", "1,2",
       "--user", "office")
    users = json.loads(ok("users", "list", "--format", "json"))
    assert {u["name"]: (u["role"], u["domains"]) for u in users}["chief"] == (
        "appraiser", "1,2")
    code, _, err = run("users", "add", "x", "--role", "appraiser", "--password-stdin",
                       "--user", "office", stdin=PASSWORD)
    assert code == 2 and "--domains" in err
    code, _, err = run("appraise", ROUND, "--unit", A, "--criterion", "2.2", "--numerator", "9",
                       "--user", "office")
    assert code == 2 and "--denominator" in err
    code, _, err = run("round", "submit", ROUND, "--unit", "Xã Không Có", "--user", "office")
    assert code == 2 and "Xã Không Có" in err
    code, _, err = run("round", "status", "99")
    assert code == 2 and "không có đợt chấm điểm '99'" in err
    code, _, err = run("round", "create", "--criteria", SET_ID, "--period", "2025",
                       "--self-until", "2099-06-30", "--explain-until", "2099-12-31",
                       "--user", "office")
    assert code == 2 and "đã có đợt chấm điểm" in err
    code, _, err = run("round", "create", "--criteria", SET_ID, "--period", "2025-Q1",
                       "--self-until", "2099-06-30", "--explain-until", "2099-12-31",
                       "--user", "lan")
    assert code == 2 and "chỉ quản trị viên" in err


def test_score_published_is_the_frozen_result(at, world):
    from par.store.library import get_set
    from par.store.publication import published
    from par.store.storage import Store

    path = at("final")
    code, _, err = run("score", "--db", "--criteria", SET_ID, "--published")
    assert code == 2 and "chưa có kết quả công bố" in err
    ok("round", "advance", ROUND, "--user", "office")  # publishes
    store = Store(f"sqlite:///{path}")
    card, meta = published(store, get_set(store, SET_ID), "2025")
    store.dispose()
    frozen = ok("score", "--db", "--criteria", SET_ID, "--published", "--format", "json")
    assert frozen.strip() == card.to_json().strip()
    assert ok("score", "--db", "--criteria", SET_ID, "--as-of", "2025", "--published",
              "--format", "json") == frozen
    live = ok("score", "--db", "--criteria", SET_ID, "--format", "json")
    # rows change after the publication: the live score moves, the published one does not
    ok("appraise", ROUND, "--unit", A, "--criterion", "1.1", "--value", "1", "--comment",
       "Kế hoạch ban hành muộn", "--user", "office")
    assert ok("score", "--db", "--criteria", SET_ID, "--format", "json") != live
    assert ok("score", "--db", "--criteria", SET_ID, "--published", "--format", "json") == frozen
    table = ok("score", "--db", "--criteria", SET_ID, "--published")
    assert f"Kết quả đã công bố #{meta['id']} (đợt #1)" in table and "Xã An" in table
    code, _, err = run("score", "--db", "--criteria", SET_ID, "--as-of", "2025-Q2", "--published")
    assert code == 2 and "chưa có kết quả công bố" in err


def test_evidence_list_table_and_get(at, world, tmp_path):
    at("appraisal")
    table = ok("evidence", "list", ROUND, "--unit", "Xã An", "--user", "tham1")
    assert "minh-chung.pdf" in table and "tự chấm" in table
    every = json.loads(ok("evidence", "list", ROUND, "--format", "json", "--user", "office"))
    target = tmp_path / "copy.pdf"
    ok("evidence", "get", every[0]["id"], "-o", target, "--user", "tham2")
    assert target.read_bytes() == PDF
    code, _, err = run("evidence", "get", every[0]["id"], "-o", target, "--user", "binh")
    assert code == 2 and "không được xem tài liệu kiểm chứng" in err
    code, _, err = run("evidence", "list", ROUND, "--user", "lan")  # every unit's: not a unit's
    assert code == 2 and "không được xem tài liệu kiểm chứng" in err


def test_the_units_sheet_and_the_ranking_annex(at, world, tmp_path):
    pytest.importorskip("docx")
    at("final")
    sheet = tmp_path / "phieu-cham-x-an.docx"
    assert "phieu-cham-x-an.docx" in ok("round", "sheet", ROUND, "--unit", "Xã An", "-o", sheet,
                                       "--user", "lan")
    assert sheet.read_bytes()[:2] == b"PK"
    code, _, err = run("round", "sheet", ROUND, "--unit", A, "-o", tmp_path / "b.docx",
                       "--user", "binh")  # another unit's sheet: refused like its files
    assert code == 2 and "không được xem tài liệu kiểm chứng" in err
    assert not (tmp_path / "b.docx").exists()
    annex = tmp_path / "phu-luc.docx"
    code, _, err = run("round", "annex", ROUND, "-o", annex)
    assert code == 2 and "chưa có kết quả công bố" in err and not annex.exists()
    ok("round", "advance", ROUND, "--user", "office")
    ok("round", "annex", ROUND, "-o", annex)
    assert annex.read_bytes()[:2] == b"PK"
    code, _, err = run("round", "annex", ROUND, "-o", tmp_path / "phu-luc.odt")
    assert code == 2 and ".docx hoặc .pdf" in err


def test_the_report_of_a_published_period_is_the_frozen_result(at, world, tmp_path):
    from openpyxl import load_workbook

    at("final")
    ok("round", "advance", ROUND, "--user", "office")  # publishes
    frozen = ok("score", "--db", "--criteria", SET_ID, "--published", "--format", "json")
    ok("appraise", ROUND, "--unit", A, "--criterion", "1.1", "--value", "0", "--comment",
       "Sửa sau công bố", "--user", "office")
    out = tmp_path / "report.xlsx"
    ok("report", "--db", "--criteria", SET_ID, "--as-of", "2025", "-o", str(out))
    book = load_workbook(out, read_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
             if c is not None]
    assert "công bố ngày" in " ".join(map(str, cells))
    numbers = {round(float(c), 2) for c in cells if isinstance(c, (int, float))}
    # the frozen indices, not the live ones the later appraisal moved
    frozen_index = {round(r["index"], 2) for r in json.loads(frozen) if r["index"] is not None}
    assert frozen_index and frozen_index <= numbers
    live = json.loads(ok("score", "--db", "--criteria", SET_ID, "--format", "json"))
    assert {round(r["index"], 2) for r in live} - numbers
