"""The dashboard's auth seam: who is using it, login and logout.

``current_actor()`` is the only thing pages ask. A session keeps the signed-in account's
*name* only: every request reads the account again, so disabling or deleting it signs the
session out at its next rerun, and a new role or new units apply at once. Password login
against the accounts table is the default; a province with single sign-on replaces
``page_login`` with Streamlit's st.login (OIDC) and maps ``st.user.email`` to an account in
``current_actor`` — see docs/auth.md. Sessions expire after PAR_SESSION_MINUTES
(default 60) without activity.

Database failures on the way (locked, unreachable) never reach a visitor as a traceback:
they are logged on the server (logger "par") with an error id, and the page says what
happened, with that id, in the user's language (``database_guard``).
"""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from par import settings
from par.app import cache
from par.domain.auth import Actor, acting
from par.domain.incidents import incident, log_to_file
from par.domain.issues import ParError
from par.i18n import t
from par.store.accounts import Accounts, is_busy

log = logging.getLogger("par")
# what a database that is locked, unreachable or cannot be created raises
DATABASE_ERRORS = (SQLAlchemyError, OSError)
SESSION_KEY = "account"  # the signed-in account's name: all a session keeps of who it is


def accounts() -> Accounts:
    return Accounts(cache.store())


def _timeout() -> float:
    return settings.session_seconds()


def current_actor() -> Actor | None:
    """The signed-in account as it is in the database now, or None."""
    name = st.session_state.get(SESSION_KEY)
    if name is None:
        return None
    if time.time() - st.session_state.get("seen", 0.0) > _timeout():
        logout()
        st.session_state["expired"] = True
        return None
    actor = accounts().session_actor(name)
    if actor is None:  # disabled or deleted since the login
        logout()
        st.session_state["signed_out"] = True
        return None
    st.session_state["seen"] = time.time()
    return actor


def acting_actor() -> Actor | None:
    """Who the pages act for: the signed-in actor, or nobody in demo mode (no accounts)."""
    return acting(current_actor(), has_accounts=accounts().any())


def office_reader(refusal_key: str, lang: str) -> tuple[bool, Actor | None]:
    """For the office's pages (the round board, surveys): whether the visitor may read the
    page, and who they act as; unit staff and signed-out visitors (when accounts exist) are
    told ``refusal_key`` (the menu never offers them the page)."""
    from par.i18n import t

    actor = acting_actor()
    if (actor is not None and actor.role == "unit") or (actor is None and accounts().any()):
        st.info(t(refusal_key, lang))
        return False, actor
    return True, actor


def logout() -> None:
    for key in (SESSION_KEY, "seen"):
        st.session_state.pop(key, None)


def client_source() -> str | None:
    """The client's address, for login throttling (one source per address).

    Streamlit gives the websocket peer's address, or None for a loopback peer (this
    machine: a local reverse proxy, AppTest). Behind a reverse proxy on this machine, the
    last X-Forwarded-For hop (the one the proxy appended) names the client; without it,
    every such client is the one source None.
    """
    ip = st.context.ip_address
    if ip:
        return ip
    try:
        hops = [h.strip() for v in st.context.headers.get_all("X-Forwarded-For")
                for h in v.split(",") if h.strip()]
    except Exception:  # no request headers (AppTest)
        hops = []
    return hops[-1] if hops else None


def database_trouble(exc: Exception, lang: str) -> str:
    """Log a database failure with a fresh error id and tell the user, with that id."""
    error_id = secrets.token_hex(4)
    busy, full = is_busy(exc), "database or disk is full" in str(exc).lower()
    log_to_file()
    log.log(logging.WARNING if busy else logging.ERROR, "database %s (error id %s)",
            "busy" if busy else "full" if full else "unavailable", error_id, exc_info=exc)
    key = "auth.db_busy" if busy else "auth.db_full" if full else "auth.db_error"
    st.error(t(key, lang, id=error_id))
    return error_id


@contextmanager
def page_guard(lang: str) -> Iterator[None]:
    """Around a page: a database failure or any unexpected error is logged with an id and
    shown as a message with that id; the user never sees a traceback. (Streamlit's own
    rerun and stop signals are BaseExceptions and pass through.)"""
    try:
        yield
    except DATABASE_ERRORS as exc:
        database_trouble(exc, lang)
    except Exception as exc:
        st.error(t("app.internal_error", lang, id=incident(exc, "page failed")))


@contextmanager
def database_guard(lang: str) -> Iterator[None]:
    """A database failure inside the block is shown as a message (``database_trouble``)
    and ends the run, instead of a traceback."""
    try:
        yield
    except DATABASE_ERRORS as exc:
        database_trouble(exc, lang)
        st.stop()


def page_login() -> None:
    lang = cache.lang()
    st.title(t("auth.login_title", lang))
    if st.session_state.pop("expired", False):
        st.info(t("auth.expired", lang))
    if st.session_state.pop("signed_out", False):
        st.warning(t("auth.signed_out", lang))
    with st.form("login"):
        name = st.text_input(t("users.name", lang), key="login_name")
        password = st.text_input(t("auth.password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.login", lang))
    if submitted:
        try:
            actor = accounts().login(name.strip(), password, source=client_source())
        except ParError as exc:
            st.error(exc.issues[0].message(lang))
            return
        except DATABASE_ERRORS as exc:
            database_trouble(exc, lang)
            return
        st.session_state[SESSION_KEY], st.session_state["seen"] = actor.name, time.time()
        st.rerun()


def sidebar_account(actor: Actor | None, lang: str) -> None:
    if actor is None:
        return
    st.sidebar.caption(t("auth.signed_in", lang, user=actor.name,
                         role=t(f"auth.role_{actor.role}", lang)))
    if st.sidebar.button(t("auth.logout", lang), key="logout"):
        logout()
        st.rerun()
