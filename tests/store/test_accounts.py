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
from par.domain.issues import ParError
from par.store.accounts import LOCK_MINUTES, MAX_FAILURES, Accounts
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
    with store.engine.connect() as conn:
        return [conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()
                for t in ("submissions", "input_rows", "audit_log")]


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


def test_accounts_login_disable_lockout_and_no_clear_password(store, caplog):
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
    with pytest.raises(ParError) as exc:
        accounts.login("lan", SECRET)
    assert exc.value.issues[0].code == "auth.disabled"
    with pytest.raises(ParError) as exc:
        accounts.add(Actor("lan", "unit", frozenset({"cua-lo"})), "eve", "admin", SECRET)
    assert exc.value.issues[0].code == "auth.forbidden"
    for _ in range(MAX_FAILURES):
        with pytest.raises(ParError) as exc:
            accounts.login("office", "wrong password")
        assert exc.value.issues[0].code == "auth.bad_login"
    with pytest.raises(ParError) as exc:
        accounts.login("office", SECRET)  # locked, even with the right password
    assert exc.value.issues[0].code == "auth.locked"
    assert str(LOCK_MINUTES) in exc.value.issues[0].message("vi")
    with pytest.raises(ParError) as exc:
        accounts.login("nobody", SECRET)
    assert exc.value.issues[0].code == "auth.bad_login"


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
    if actor is not None:
        at.session_state["actor"], at.session_state["seen"] = actor, time.time()
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
    Accounts(s).add(Actor.local_admin(), "office", "admin", SECRET)
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
    assert at.session_state["actor"] == Actor("office", "admin")
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
    unit = _app(Actor("lan", "unit", frozenset({"cua-lo"})))
    titles = _titles(unit)
    assert "Tải lên" in titles and "Nhật ký" not in titles


def test_upload_page_restricted_to_own_units(with_accounts):
    from streamlit.testing.v1 import AppTest

    def page():
        from par.app.upload import page_upload
        page_upload()

    at = AppTest.from_function(page, default_timeout=60)
    at.session_state["actor"] = Actor("lan", "unit", frozenset({"cua-lo", "vinh"}))
    at.session_state["seen"] = time.time()
    at = at.run()
    box = at.selectbox(key="upload_set")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o)).run()
    assert sorted(at.selectbox(key="upload_unit").options) == ["Thành phố Vinh", "Thị xã Cửa Lò"]
