"""Every page in both languages (issue 13, item 7): no catalogue key shows as "[key]", and no
label, heading or column of the interface is the other language's text for the same message
(a page that forgot to pass the language). Data (unit and criterion names, files) is not
the interface: only titles, headings, widget labels, metric labels and column names are read.
"""
from __future__ import annotations

import re
import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from par.app.menu import ROUTES
from par.domain.auth import Actor
from par.i18n import MESSAGES, t

PAGES = [key for key in ROUTES if key != "login"]
MISSING = re.compile(r"\[[a-z_]+(?:\.[a-z0-9_]+)+\]")
PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
# interface words that are the same, or used as such, in both languages
# ("n": the sample size, a column of the survey page in both languages, spage.col_n)
SHARED = {"SHA-256", "CSV", "PNG", "SVG", "PDF", "Excel", "YAML", "ID", "%", "n"}


def _texts_of(lang: str) -> set[str]:
    return {m[lang].strip() for m in MESSAGES.values()
            if m["vi"].strip() != m["en"].strip() and "{" not in m[lang]}


OTHER = {"vi": _texts_of("en") - _texts_of("vi") - SHARED,
         "en": _texts_of("vi") - _texts_of("en") - SHARED}


def _page(key: str) -> None:
    from par.app.menu import ROUTES

    ROUTES[key][0]()


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('walk') / 'par.db'}"
    store = Store(url)
    ensure_seeded(store)
    Accounts(store).add(Actor.local_admin(), "office", "admin", PASSWORD)
    store.dispose()
    return url


def _interface(at: AppTest) -> list[str]:
    """The interface's own words on the page: titles, headings, labels, column names."""
    out = [e.value for kind in ("title", "header", "subheader") for e in at.get(kind)]
    for kind in ("button", "selectbox", "multiselect", "text_input", "number_input",
                 "checkbox", "radio", "toggle", "expander", "metric", "download_button",
                 "file_uploader", "slider", "select_slider", "date_input"):
        out += [getattr(e, "label", None) or "" for e in at.get(kind)]
    for frame in at.dataframe:
        if frame.proto.editing_mode:  # a data editor: its headers are its column_config labels
            continue
        out += [str(c) for c in frame.value.columns]
    return [x.strip() for x in out if x and x.strip()]


def _everything(at: AppTest) -> str:
    parts = _interface(at)
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "text"):
        parts += [str(e.value) for e in at.get(kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("key", PAGES)
def test_every_page_speaks_one_language(database, monkeypatch, key, lang):
    monkeypatch.setenv("PAR_DATABASE_URL", database)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = AppTest.from_function(_page, args=(key,), default_timeout=120)
        at.session_state["account"] = "office"
        at.session_state["seen"] = time.time()
        at.session_state["lang"] = lang
        at = at.run()
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
    assert not at.exception, at.exception
    assert not MISSING.findall(_everything(at)), MISSING.findall(_everything(at))
    wrong = [x for x in _interface(at) if x in OTHER[lang]]
    assert not wrong, f"{key} in {lang} shows the other language: {wrong}"


def _mixed_page() -> None:
    import streamlit as st

    from par.i18n import t

    st.title(t("home.no_such_key", "vi"))
    st.button(t("audit.download", "en"))  # an English label on a Vietnamese page


def test_the_walk_sees_a_missing_key_and_the_other_language():
    at = AppTest.from_function(_mixed_page).run()
    assert MISSING.findall(_everything(at)) == ["[home.no_such_key]"]
    assert [x for x in _interface(at) if x in OTHER["vi"]] == [t("audit.download", "en")]
