"""Who may do what: enforcement in the store, accounts, passwords, and the role-based menu."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from par import load_criteria, read_units
from par.cli.main import main
from par.domain.auth import Actor
from par.domain.issues import Issue, ParError
from par.store import accounts as accounts_module
from par.store.accounts import FREE_FAILURES, Accounts, LoginThrottle, is_busy
from par.store.storage import Store
from par.store.submit import import_files

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")
HEADER = "unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
SECRET = "Mật-khẩu-rất-bí-mật-2025"
ADMIN = Actor("office", "admin")


def csv(unit: str, value: str = "có") -> bytes:
    return (HEADER + f"{unit},2019-Q1,1.1.1,{value},,,,,\n").encode()


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'par.db'}")
    s.sync_units(UNITS)
    yield s
    s.dispose()


def dump(store) -> list:
    """The data, and the audit log without its refusal entries (a refusal is audited)."""
    with store.engine.connect() as conn:
        return [conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()
                for t in ("submissions", "input_rows")] + [conn.execute(text(
                    "SELECT * FROM audit_log WHERE action != 'refused' ORDER BY 1")).all()]


def test_unit_user_cannot_import_or_roll_back_another_units_data(store):
    [(_, [sid])] = import_files(store, [("a.csv", csv("vinh"))], [CRITERIA], UNITS, actor=ADMIN)
    import_files(store, [("b.csv", csv("vinh", "không"))], [CRITERIA], UNITS, actor=ADMIN)
    cua_lo_staff = Actor("lan", "unit", frozenset({"cua-lo"}))
    before = dump(store)
    with pytest.raises(ParError) as exc:
        import_files(store, [("c.csv", csv("vinh"))], [CRITERIA], UNITS, actor=cua_lo_staff)
    assert exc.value.issues[0].code == "auth.forbidden"
    assert "vinh" in exc.value.issues[0].message("vi")
    with pytest.raises(ParError) as exc:
        store.rollback(sid, actor=cua_lo_staff)
    assert exc.value.issues[0].code == "auth.forbidden"
    assert dump(store) == before
    refusals = store.audit().query("action == 'refused'")
    assert list(refusals["user"]) == ["lan", "lan"] and list(refusals["unit"]) == ["vinh"] * 2
    assert '"action": "rollback"' in refusals["detail"].iloc[1]
    # their own unit is fine
    import_files(store, [("d.csv", csv("cua-lo"))], [CRITERIA], UNITS, actor=cua_lo_staff)
    assert set(store.history()["user"]) == {"office", "lan"}


def test_a_mixed_file_is_refused_whole(store):
    staff = Actor("lan", "unit", frozenset({"cua-lo"}))
    data = (HEADER + "cua-lo,2019-Q1,1.1.1,có,,,,,\nvinh,2019-Q1,1.1.1,có,,,,,\n").encode()
    with pytest.raises(ParError):
        import_files(store, [("m.csv", data)], [CRITERIA], UNITS, actor=staff)
    assert store.history().empty


def test_reviewer_cannot_write_admin_can(store):
    reviewer = Actor("chief", "reviewer")
    with pytest.raises(ParError) as exc:
        import_files(store, [("a.csv", csv("vinh"))], [CRITERIA], UNITS, actor=reviewer)
    assert exc.value.issues[0].code == "auth.forbidden"
    assert store.history().empty
    import_files(store, [("a.csv", csv("vinh"))], [CRITERIA], UNITS, actor=ADMIN)
    assert len(store.history()) == 1


@pytest.fixture
def throttle(monkeypatch):
    """A fresh login throttle on a clock the test moves."""
    clock = [1000.0]
    fresh = LoginThrottle(clock=lambda: clock[0])
    monkeypatch.setattr(accounts_module, "THROTTLE", fresh)
    fresh.advance = lambda seconds: clock.__setitem__(0, clock[0] + seconds)
    return fresh


def refusal(call) -> Issue:
    with pytest.raises(ParError) as exc:
        call()
    [issue] = exc.value.issues
    return issue


def test_accounts_login_disable_throttle_and_no_clear_password(store, caplog, throttle):
    caplog.set_level(logging.DEBUG)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", SECRET)
    accounts.add(ADMIN, "lan", "unit", SECRET, ["cua-lo", "p-cua-lo"])
    assert accounts.login("lan", SECRET) == Actor("lan", "unit", frozenset({"cua-lo", "p-cua-lo"}))
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM users")).all()
    assert all(SECRET not in str(r) for r in rows)
    assert all(r.password_hash.startswith("$argon2id$") for r in rows)
    assert SECRET not in caplog.text
    accounts.disable(ADMIN, "lan")
    audit = store.audit()
    assert list(audit["action"]) == ["account_add", "account_add", "account_disable"]
    assert list(audit["user"]) == ["local", "office", "office"]
    assert SECRET not in audit.to_string()
    # a disabled account gets the answer any failed login gets: nothing says it exists
    assert refusal(lambda: accounts.login("lan", SECRET)).code == "auth.bad_login"
    assert accounts.session_actor("lan") is None
    assert refusal(lambda: accounts.add(Actor("lan", "unit", frozenset({"cua-lo"})), "eve",
                                        "admin", SECRET)).code == "auth.forbidden"
    for _ in range(FREE_FAILURES):
        assert refusal(lambda: accounts.login("office", "wrong password", "x")).code == \
            "auth.bad_login"
    # the source that failed waits, even with the right password; nobody else does
    assert refusal(lambda: accounts.login("office", SECRET, "x")).code == "auth.bad_login"
    assert accounts.login("office", SECRET, "y") == ADMIN
    throttle.advance(throttle.delay(FREE_FAILURES))
    assert accounts.login("office", SECRET, "x") == ADMIN
    assert refusal(lambda: accounts.login("nobody", SECRET)).code == "auth.bad_login"


def _counting(monkeypatch) -> dict[str, int]:
    """Count every argon2 verification and hashing from now on."""
    from argon2 import PasswordHasher

    calls = {"verify": 0, "hash": 0}
    for method in ("verify", "hash"):
        real = getattr(PasswordHasher, method)

        def counted(self, *args, _real=real, _method=method, **kw):
            calls[_method] += 1
            return _real(self, *args, **kw)

        monkeypatch.setattr(PasswordHasher, method, counted)
    return calls


def test_every_refusal_costs_one_verification_and_reads_the_same(store, throttle, monkeypatch):
    """Finding B: unknown, disabled, throttled and wrong-password logins cannot be told apart,
    neither by the message nor by the work done (counted, not timed)."""
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", SECRET)
    accounts.add(ADMIN, "lan", "unit", SECRET, ["cua-lo"])
    accounts.add(ADMIN, "gone", "reviewer", SECRET)
    accounts.disable(ADMIN, "gone")
    refusal(lambda: accounts.login("nobody", "warm-up"))  # the stand-in hash is made once
    for _ in range(FREE_FAILURES):
        refusal(lambda: accounts.login("lan", "wrong password", "attacker"))
    calls = _counting(monkeypatch)
    attempts = {
        "unknown name": lambda: accounts.login("nobody", SECRET, "a"),
        "disabled, right password": lambda: accounts.login("gone", SECRET, "a"),
        "wrong password": lambda: accounts.login("office", "wrong password", "a"),
        "throttled, right password": lambda: accounts.login("lan", SECRET, "attacker"),
    }
    answers = {}
    for what, attempt in attempts.items():
        before = dict(calls)
        issue = refusal(attempt)
        assert (calls["verify"] - before["verify"], calls["hash"] - before["hash"]) == (1, 0), what
        answers[what] = (issue.code, issue.message("vi"), issue.message("en"))
    assert len(set(answers.values())) == 1, answers
    before = dict(calls)
    assert accounts.login("office", SECRET, "a") == ADMIN
    assert calls["verify"] - before["verify"] == 1


def test_an_attacker_cannot_lock_the_admin_out(store, throttle):
    """Finding B: failures from source X slow down X only; the admin logs in from Y at once."""
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", SECRET)
    attacker = "203.0.113.9"
    waits = []
    for _ in range(FREE_FAILURES + 3):
        refusal(lambda: accounts.login("office", "guess", attacker))
        waits.append(throttle.wait((attacker, "office")))
        throttle.advance(waits[-1])  # the attacker waits it out, then guesses again
    assert waits[:FREE_FAILURES - 1] == [0.0] * (FREE_FAILURES - 1)
    assert 0 < waits[-4] and waits[-1] == 2 * waits[-2] == 4 * waits[-3] == 8 * waits[-4]
    refusal(lambda: accounts.login("office", "guess", attacker))  # now the attacker waits
    assert throttle.wait((attacker, "office")) > 0
    assert accounts.login("office", SECRET, "198.51.100.7") == ADMIN
    assert accounts.login("office", SECRET, None) == ADMIN  # the local machine is a source too
    assert refusal(lambda: accounts.login("office", SECRET, attacker)).code == \
        "auth.bad_login"  # still waiting: refused without saying the password was right


def test_throttle_backoff_forgets_and_stays_bounded():
    clock = [0.0]
    throttle = LoginThrottle(free=2, backoff=10, max_backoff=40, forget=100, max_entries=3,
                             clock=lambda: clock[0])
    assert [throttle.delay(n) for n in range(7)] == [0, 0, 10, 20, 40, 40, 40]
    for _ in range(3):
        throttle.failed("k")
    assert throttle.wait("k") == 20
    clock[0] += 15
    assert throttle.wait("k") == 5
    clock[0] += 200
    assert throttle.wait("k") == 0  # forgotten
    throttle.failed("k")
    throttle.failed("k")
    for junk in range(10):  # a flood of one-off names cannot push the waiting key out
        throttle.failed(("junk", junk))
    assert throttle.wait("k") == 10
    throttle.succeeded("k")
    assert throttle.wait("k") == 0


def test_login_on_a_locked_database_says_busy_quickly(store, throttle, monkeypatch):
    """Finding E: a database locked by a writer is an error the page can name, after a
    short wait (not the store's 60 s)."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", SECRET)
    monkeypatch.setattr(accounts_module, "LOGIN_WAIT_SECONDS", 0.5)
    writer = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as exc:
            Accounts(store).login("office", SECRET)  # making an Accounts reads nothing
        assert time.monotonic() - started < 10
        assert is_busy(exc.value)
    finally:
        writer.rollback()
        writer.close()
    assert Accounts(store).login("office", SECRET) == ADMIN
    with store.engine.connect() as conn:  # the store's own wait is left as it was
        raw = conn.connection.driver_connection
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 60000


def test_cli_users_and_acting_user(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(SECRET + "\n"))
    assert main(["users", "add", "office", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(SECRET + "\n"))
    assert main(["users", "add", "lan", "--role", "unit", "--units", "cua-lo",
                 "--password-stdin", "--user", "office"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "office" in out and "lan" in out and SECRET not in out
    data = tmp_path / "vinh.csv"
    data.write_bytes(csv("vinh"))
    assert main(["import", str(data)]) == 2  # accounts exist: --user is required
    assert "--user" in capsys.readouterr().err
    assert main(["import", str(data), "--user", "lan"]) == 2  # not lan's unit
    assert "vinh" in capsys.readouterr().err
    assert main(["import", str(data), "--user", "office"]) == 0


def _app(actor=None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if actor is not None:  # signed in: the session keeps the account's name only
        at.session_state["account"], at.session_state["seen"] = actor.name, time.time()
    return at.run()


def _titles(at) -> list[str]:
    """The page titles the navigation offers."""
    return [p["page_name"] for p in at._registered_pages.values()]


@pytest.fixture
def with_accounts(monkeypatch, tmp_path):
    """The dashboard on its own database, with one account of each role."""
    import streamlit as st

    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    st.cache_resource.clear()
    st.cache_data.clear()
    from par.sample.seed import ensure_seeded
    s = Store()
    ensure_seeded(s)
    accounts = Accounts(s)
    accounts.add(Actor.local_admin(), "office", "admin", SECRET)
    accounts.add(ADMIN, "chief", "reviewer", SECRET)
    accounts.add(ADMIN, "lan", "unit", SECRET, ["cua-lo", "vinh"])
    s.dispose()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def test_login_page_only_until_signed_in(with_accounts):
    at = _app()
    assert not at.exception
    assert _titles(at) == ["Đăng nhập"]
    assert [e.label for e in at.text_input] == ["Tài khoản", "Mật khẩu"]
    at.text_input(key="login_name").input("office")
    at.text_input(key="login_password").input("wrong password")
    at = at.button[0].click().run()
    assert "không đúng" in at.error[0].value
    at.text_input(key="login_password").input(SECRET)
    at = at.button[0].click().run()
    assert at.session_state["account"] == "office"  # the name only, never a role
    assert {"Xếp hạng", "Tải lên", "Nhật ký"} <= set(_titles(at))


def test_demo_mode_without_accounts_is_read_only():
    at = _app()  # the shared test database has no accounts
    assert not at.exception
    assert "users add" in at.warning[0].value
    assert "Tải lên" not in _titles(at) and "Xếp hạng" in _titles(at)


def test_menu_by_role(with_accounts):
    reviewer = _app(Actor("chief", "reviewer"))
    assert not reviewer.exception
    titles = [p for p in _titles(reviewer)]
    assert "Tải lên" not in titles and "Nhật ký" in titles
    unit = _app(Actor("lan", "unit", frozenset({"cua-lo", "vinh"})))
    titles = _titles(unit)
    assert "Tải lên" in titles and "Nhật ký" not in titles


def test_upload_page_restricted_to_own_units(with_accounts):
    from streamlit.testing.v1 import AppTest

    def page():
        from par.app.upload import page_upload
        page_upload()

    at = AppTest.from_function(page, default_timeout=60)
    at.session_state["account"] = "lan"  # a unit account for cua-lo and vinh
    at.session_state["seen"] = time.time()
    at = at.run()
    box = at.selectbox(key="upload_set")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o)).run()
    assert sorted(at.selectbox(key="upload_unit").options) == ["Thành phố Vinh", "Thị xã Cửa Lò"]


def test_cli_users_on_a_busy_database_says_so(tmp_path, monkeypatch, capsys):
    """Finding E: a locked database is a clear message, not "Internal error … report it"."""
    from sqlalchemy.exc import OperationalError

    def locked(self, *args, **kwargs):
        raise OperationalError("SELECT users", {}, Exception("database is locked"))

    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr(Accounts, "list", locked)
    assert main(["users", "list", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "database is busy" in err and "Internal error" not in err
