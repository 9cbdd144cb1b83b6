"""Accounts in the database: argon2 password hashes, roles, units, disabling, login throttling.

Passwords are hashed with argon2id (argon2-cffi) and never stored or logged in clear.

Login gives one answer for every refusal (unknown name, disabled account, wrong password,
throttled) and costs one argon2 verification in every case, so neither the message nor the
time tells whether an account exists. Failures are throttled per (source, account name)
with exponential backoff (``LoginThrottle``): an outsider's failures slow down that
outsider's own attempts only, never the account's owner logging in from elsewhere. The
policy is described in docs/auth.md.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import cache

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from par.domain.auth import ROLES, Actor, authorize
from par.domain.issues import Issue, ParError
from par.store.storage import Store, audit_log, users

# Throttling: after FREE_FAILURES failures in a row from one source for one name, the next
# attempt is checked only after BACKOFF_SECONDS; each further failure doubles the wait (2×,
# 4× …, at most MAX_BACKOFF_SECONDS). A pair is forgotten FORGET_SECONDS after its last
# failure, and at once after a successful login from it.
FREE_FAILURES = 5
BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 15 * 60.0
FORGET_SECONDS = 24 * 3600.0
MAX_THROTTLE_ENTRIES = 10_000
# How long a login waits for a busy SQLite database before saying so (the store waits 60 s).
LOGIN_WAIT_SECONDS = 10.0

_hasher = PasswordHasher()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class LoginThrottle:
    """Failed logins per key (source, account name), in this process's memory.

    ``wait(key)`` is how many seconds the key must still wait (0: it may try now);
    ``failed(key)`` counts a refused attempt; ``succeeded(key)`` forgets the key.
    Thread-safe; bounded to ``max_entries`` keys (those that delay nothing go first).
    """

    def __init__(self, *, free: int = FREE_FAILURES, backoff: float = BACKOFF_SECONDS,
                 max_backoff: float = MAX_BACKOFF_SECONDS, forget: float = FORGET_SECONDS,
                 max_entries: int = MAX_THROTTLE_ENTRIES,
                 clock: Callable[[], float] = time.monotonic):
        self.free, self.backoff, self.max_backoff = free, backoff, max_backoff
        self.forget, self.max_entries, self.clock = forget, max_entries, clock
        self._entries: dict[Hashable, tuple[int, float]] = {}  # key → (failures, last failure)
        self._lock = threading.Lock()

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failures."""
        if failures < self.free:
            return 0.0
        return min(self.backoff * 2 ** min(failures - self.free, 32), self.max_backoff)

    def _current(self, key: Hashable, now: float) -> tuple[int, float]:
        failures, last = self._entries.get(key, (0, now))
        if now - last > self.forget:
            self._entries.pop(key, None)
            return 0, now
        return failures, last

    def wait(self, key: Hashable) -> float:
        with self._lock:
            now = self.clock()
            failures, last = self._current(key, now)
            return max(0.0, last + self.delay(failures) - now) if failures else 0.0

    def failed(self, key: Hashable) -> None:
        with self._lock:
            now = self.clock()
            failures, _ = self._current(key, now)
            self._entries[key] = (failures + 1, now)
            if len(self._entries) > self.max_entries:
                self._prune(now)

    def succeeded(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _prune(self, now: float) -> None:
        """Forget stale keys, then keys that delay nothing, then the oldest."""
        keep = {k: v for k, v in self._entries.items()
                if now - v[1] <= self.forget and v[0] >= self.free}
        if len(keep) > self.max_entries:
            newest = sorted(keep.items(), key=lambda kv: kv[1][1])[-self.max_entries:]
            keep = dict(newest)
        self._entries = keep


THROTTLE = LoginThrottle()  # one per process: the dashboard's sessions share it


def is_busy(exc: BaseException) -> bool:
    """The database is busy (locked by a writer, or no pooled connection free): try again."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, OperationalError):
        text = str(getattr(exc, "orig", exc)).lower()
        return any(w in text for w in ("database is locked", "database is busy",
                                       "lock timeout", "could not obtain lock"))
    return False


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no account: the same cost as a real check."""
    return _hasher.hash("par: no such account")


class Accounts:
    def __init__(self, store: Store, throttle: LoginThrottle | None = None):
        self.store = store
        self.throttle = throttle if throttle is not None else THROTTLE
        # the users table exists: Store() creates every table (schema.create), so nothing
        # here touches the database (the dashboard makes an Accounts at every rerun)

    # -- queries ----------------------------------------------------------------------
    def any(self) -> bool:
        with self.store.engine.connect() as conn:
            return conn.execute(select(users.c.name).limit(1)).first() is not None

    def list(self) -> pd.DataFrame:
        cols = ["name", "role", "units", "domains", "disabled", "created_at", "last_login"]
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

    def session_actor(self, name: str) -> Actor | None:
        """The account as it is now, for a dashboard session that signed in as ``name``:
        None once it is disabled or deleted (the session ends); its current role and units
        otherwise (a change applies at the session's next request)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(users.c.name, users.c.role, users.c.units, users.c.domains,
                                      users.c.disabled).where(users.c.name == name)).first()
        if row is None or row.disabled:
            return None
        return _actor(row)

    # -- changes (admin only) -----------------------------------------------------------
    def add(self, by: Actor, name: str, role: str, password: str, units: list[str] = (),
            domains: list[str] = ()) -> None:
        if self.any():  # the very first account may be created by the local machine
            authorize(by, "accounts")
        _check_role(role, units, domains)
        _check_password(password)
        with self.store.engine.begin() as conn:
            if conn.execute(select(users.c.name).where(users.c.name == name)).first():
                raise ParError([Issue("auth.exists", {"user": name})])
            conn.execute(insert(users).values(
                name=name, role=role, units=",".join(units), domains=",".join(domains),
                disabled=False, failed=0,
                password_hash=_hasher.hash(password), created_at=_now()))
            scope = ",".join(units) + (f" domains {','.join(domains)}" if domains else "")
            _audit(conn, by, "account_add", f"{name}: {role} {scope}".strip())

    def set_role(self, by: Actor, name: str, role: str, units: list[str] = (),
                 domains: list[str] = ()) -> None:
        authorize(by, "accounts")
        _check_role(role, units, domains)
        self._update(by, "account_role", name, role=role, units=",".join(units),
                     domains=",".join(domains))

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
            shown = {k: v for k, v in values.items() if k in ("role", "units", "domains", "disabled")}
            _audit(conn, by, action, f"{name} {shown}" if shown else name)

    # -- login -----------------------------------------------------------------------
    def login(self, name: str, password: str, source: Hashable = None) -> Actor:
        """The Actor for good credentials from ``source`` (the client's address; None is one
        source too); ParError ``auth.bad_login`` for any refusal.

        Every call costs one argon2 verification and gives the same answer whether the
        name is unknown, the account disabled, the password wrong or the (source, name)
        pair still waiting after earlier failures. Database errors (locked, unreachable)
        propagate as SQLAlchemy errors; ``is_busy`` tells a busy database apart.
        """
        key = (source, name)
        waiting = self.throttle.wait(key) > 0
        with _connection(self.store.engine, LOGIN_WAIT_SECONDS) as conn:
            row = conn.execute(select(users.c.name, users.c.role, users.c.units, users.c.domains,
                                      users.c.disabled, users.c.password_hash)
                               .where(users.c.name == name)).first()
            conn.rollback()
            good = _verify(row.password_hash if row is not None else _dummy_hash(), password)
            if waiting or row is None or row.disabled or not good:
                if not waiting:  # attempts made while waiting are refused, not counted
                    self.throttle.failed(key)
                raise ParError([Issue("auth.bad_login", {})])
            self.throttle.succeeded(key)
            conn.execute(update(users).where(users.c.name == name).values(last_login=_now()))
            conn.commit()
        return _actor(row)


@contextmanager
def _connection(engine: Engine, wait: float) -> Iterator[Connection]:
    """A connection that waits at most ``wait`` seconds for a busy SQLite database."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        raw = conn.connection.driver_connection
        before = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        try:
            yield conn
        finally:
            try:
                if conn.in_transaction():
                    conn.rollback()
                raw.execute(f"PRAGMA busy_timeout={int(before)}")
            except Exception:  # pragma: no cover - the pool drops a broken connection
                conn.invalidate()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _audit(conn, by: Actor, action: str, detail: str) -> None:
    """Account changes go to the same audit log as imports (never the password)."""
    conn.execute(insert(audit_log).values(at=_now(), user=by.name, action=action, detail=detail))


def _actor(row) -> Actor:
    return Actor(row.name, row.role, frozenset(u for u in (row.units or "").split(",") if u),
                 domains=frozenset(d for d in (getattr(row, "domains", "") or "").split(",")
                                   if d))


def _check_role(role: str, units, domains=()) -> None:
    if role not in ROLES:
        raise ParError([Issue("auth.bad_role", {"role": role, "roles": ", ".join(ROLES)})])
    if role == "unit" and not units:
        raise ParError([Issue("auth.unit_needs_units", {})])
    if role == "appraiser" and not domains:
        raise ParError([Issue("auth.appraiser_needs_domains", {})])


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise ParError([Issue("auth.weak_password", {"min": 8})])
