"""Accounts in the database: argon2 password hashes, roles, units, disabling, lockout.

Passwords are hashed with argon2id (argon2-cffi) and never stored or logged in clear.
After ``MAX_FAILURES`` failed logins an account is locked for ``LOCK_MINUTES``.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from par.domain.auth import ROLES, Actor, authorize
from par.domain.issues import Issue, ParError
from par.store.storage import Store, audit_log, metadata, users

MAX_FAILURES = 5
LOCK_MINUTES = 5
_hasher = PasswordHasher()

def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


class Accounts:
    def __init__(self, store: Store):
        self.store = store
        metadata.create_all(store.engine, tables=[users])

    # -- queries ----------------------------------------------------------------------
    def any(self) -> bool:
        with self.store.engine.connect() as conn:
            return conn.execute(select(users.c.name).limit(1)).first() is not None

    def list(self) -> pd.DataFrame:
        cols = ["name", "role", "units", "disabled", "created_at", "last_login"]
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(*[users.c[c] for c in cols]).order_by(users.c.name)).all()
        return pd.DataFrame(rows, columns=cols)

    def actor(self, name: str) -> Actor:
        """The account as an Actor (for the CLI's --user); disabled accounts are refused."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            raise ParError([Issue("auth.unknown_user", {"user": name})])
        if row.disabled:
            raise ParError([Issue("auth.disabled", {"user": name})])
        return _actor(row)

    # -- changes (admin only) -----------------------------------------------------------
    def add(self, by: Actor, name: str, role: str, password: str, units: list[str] = ()) -> None:
        if self.any():  # the very first account may be created by the local machine
            authorize(by, "accounts")
        _check_role(role, units)
        _check_password(password)
        with self.store.engine.begin() as conn:
            if conn.execute(select(users.c.name).where(users.c.name == name)).first():
                raise ParError([Issue("auth.exists", {"user": name})])
            conn.execute(insert(users).values(
                name=name, role=role, units=",".join(units), disabled=False, failed=0,
                password_hash=_hasher.hash(password), created_at=_now()))
            _audit(conn, by, "account_add", f"{name}: {role} {','.join(units)}".strip())

    def set_role(self, by: Actor, name: str, role: str, units: list[str] = ()) -> None:
        authorize(by, "accounts")
        _check_role(role, units)
        self._update(by, "account_role", name, role=role, units=",".join(units))

    def disable(self, by: Actor, name: str, disabled: bool = True) -> None:
        authorize(by, "accounts")
        self._update(by, "account_disable" if disabled else "account_enable", name,
                     disabled=disabled)

    def set_password(self, by: Actor, name: str, password: str) -> None:
        if by.name != name:  # anyone may change their own password
            authorize(by, "accounts")
        _check_password(password)
        self._update(by, "account_password", name, password_hash=_hasher.hash(password), failed=0,
                     locked_until=None)

    def _update(self, by: Actor, action: str, name: str, **values) -> None:
        with self.store.engine.begin() as conn:
            done = conn.execute(update(users).where(users.c.name == name).values(**values))
            if done.rowcount == 0:
                raise ParError([Issue("auth.unknown_user", {"user": name})])
            shown = {k: v for k, v in values.items() if k in ("role", "units", "disabled")}
            _audit(conn, by, action, f"{name} {shown}" if shown else name)

    # -- login -----------------------------------------------------------------------
    def login(self, name: str, password: str) -> Actor:
        """The Actor for good credentials; ParError (one message for any failure) otherwise."""
        problem = None
        with self.store.engine.begin() as conn:  # a failure is counted even though we refuse
            row = conn.execute(select(users).where(users.c.name == name)).first()
            now = _now()
            if row is None:
                _hasher.hash(password)  # same work as a real check: no timing oracle
                problem = Issue("auth.bad_login", {})
            elif _aware(row.locked_until) and _aware(row.locked_until) > now:
                problem = Issue("auth.locked", {"minutes": LOCK_MINUTES})
            elif not _verify(row.password_hash, password):
                count = row.failed + 1
                lock = now + dt.timedelta(minutes=LOCK_MINUTES) if count >= MAX_FAILURES else None
                conn.execute(update(users).where(users.c.name == name).values(
                    failed=0 if lock else count, locked_until=lock))
                problem = Issue("auth.bad_login", {})
            elif row.disabled:
                problem = Issue("auth.disabled", {"user": name})
            else:
                conn.execute(update(users).where(users.c.name == name).values(
                    failed=0, locked_until=None, last_login=now))
        if problem is not None:
            raise ParError([problem])
        return _actor(row)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _audit(conn, by: Actor, action: str, detail: str) -> None:
    """Account changes go to the same audit log as imports (never the password)."""
    conn.execute(insert(audit_log).values(at=_now(), user=by.name, action=action, detail=detail))


def _actor(row) -> Actor:
    return Actor(row.name, row.role, frozenset(u for u in row.units.split(",") if u))


def _check_role(role: str, units) -> None:
    if role not in ROLES:
        raise ParError([Issue("auth.bad_role", {"role": role, "roles": ", ".join(ROLES)})])
    if role == "unit" and not units:
        raise ParError([Issue("auth.unit_needs_units", {})])


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise ParError([Issue("auth.weak_password", {"min": 8})])
