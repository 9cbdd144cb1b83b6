"""Streamlit entry: page config, language, who is signed in, role-based navigation.

Pages live in par/app/; which pages a user gets is decided in the library
(par.domain.auth.menu_for), and what each role may do is enforced there and in
par.store — the menu only leaves out what the user cannot use. A database that cannot
be reached or is locked gives a message with an error id (logged on the server), never
a traceback. Serve it with `python -m par serve` (`make run`): that sets Streamlit's
upload limit from par's.
"""
import streamlit as st

from par import settings
from par.app import cache
from par.app.auth_ui import (
    accounts,
    current_actor,
    database_guard,
    page_guard,
    sidebar_account,
)
from par.app.common import keep_picker_state
from par.app.menu import menu_for_pages, pages_for
from par.app.phone import close_sidebar_on_phone
from par.domain.auth import menu_for
from par.i18n import LANGS, t

st.set_page_config(page_title="par", page_icon="📊", layout="wide")
keep_picker_state()
lang = st.sidebar.radio("Ngôn ngữ / Language", LANGS, key="lang", horizontal=True,
                        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])
with database_guard(lang):
    if settings.sample_mode():
        st.sidebar.caption(t("app.sample_banner", lang))
    elif cache.database_empty():  # a province's new database: say what to do first
        st.info(t("app.empty_database", lang))
    actor = current_actor()  # the account as it is now: disabled → signed out
    has_accounts = accounts().any()
if not has_accounts:
    st.warning(t("auth.demo_banner", lang))
sidebar_account(actor, lang)
keys = menu_for(actor, has_accounts=has_accounts)
pages = pages_for(keys, lang)
st.session_state["nav_pages"] = dict(zip(keys, pages))  # for links between pages (home)
page = st.navigation(menu_for_pages(keys, pages, lang), expanded=True)
close_sidebar_on_phone(page.url_path or "home")  # a tapped page link must not stay covered
with page_guard(lang):  # whatever a page did not foresee: a message with an error id
    page.run()
