"""The dashboard's auth seam: who is using it, login and logout.

``current_actor()`` is the only thing pages ask. Password login against the accounts
table is the default; a province with single sign-on replaces ``page_login`` with
Streamlit's st.login (OIDC) and maps ``st.user.email`` to an account in
``current_actor`` — see docs/auth.md. Sessions expire after PAR_SESSION_MINUTES
(default 60) without activity.
"""
from __future__ import annotations

import time

import streamlit as st

from par import settings
from par.app import cache
from par.domain.auth import Actor, acting
from par.domain.issues import ParError
from par.i18n import t
from par.store.accounts import Accounts


def accounts() -> Accounts:
    return Accounts(cache.store())


def _timeout() -> float:
    return settings.session_seconds()


def current_actor() -> Actor | None:
    actor, seen = st.session_state.get("actor"), st.session_state.get("seen", 0.0)
    if actor is None:
        return None
    if time.time() - seen > _timeout():
        logout()
        st.session_state["expired"] = True
        return None
    st.session_state["seen"] = time.time()
    return actor


def acting_actor() -> Actor | None:
    """Who the pages act for: the signed-in actor, or nobody in demo mode (no accounts)."""
    return acting(current_actor(), has_accounts=accounts().any())


def logout() -> None:
    for key in ("actor", "seen"):
        st.session_state.pop(key, None)


def page_login() -> None:
    lang = cache.lang()
    st.title(t("auth.login_title", lang))
    if st.session_state.pop("expired", False):
        st.info(t("auth.expired", lang))
    with st.form("login"):
        name = st.text_input(t("users.name", lang), key="login_name")
        password = st.text_input(t("auth.password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.login", lang))
    if submitted:
        try:
            actor = accounts().login(name.strip(), password)
        except ParError as exc:
            st.error(exc.issues[0].message(lang))
            return
        st.session_state["actor"], st.session_state["seen"] = actor, time.time()
        st.rerun()


def sidebar_account(actor: Actor | None, lang: str) -> None:
    if actor is None:
        return
    st.sidebar.caption(t("auth.signed_in", lang, user=actor.name, role=actor.role))
    if st.sidebar.button(t("auth.logout", lang), key="logout"):
        logout()
        st.rerun()
