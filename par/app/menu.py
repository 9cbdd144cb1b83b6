"""The dashboard's pages as st.Page objects, from the page keys par.domain.auth.menu_for gives.

Which pages a user gets is the library's decision (par.domain.auth.menu_for); this module
only knows, for each key, the function that draws the page, its title and its URL path.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from par.app.audit import page_audit
from par.app.auth_ui import page_login
from par.app.compare import page_compare
from par.app.criteria import page_criteria
from par.app.data import page_data
from par.app.home import page_home
from par.app.ranking import page_ranking
from par.app.round_appraise import page_round_appraise
from par.app.round_self import page_round_self
from par.app.rounds import page_rounds
from par.app.sets import page_sets
from par.app.surveys import page_surveys
from par.app.trends import page_trends
from par.app.unit import page_unit
from par.app.upload import page_upload
from par.domain.auth import PAGES, VIEW_PAGES
from par.i18n import t

# page key → (draws the page, title's message key, url path)
ROUTES: dict[str, tuple[Callable[[], None], str, str]] = {
    "home": (page_home, "nav.home", "tong-quan"),
    "ranking": (page_ranking, "nav.ranking", "xep-hang"),
    "unit": (page_unit, "nav.unit", "don-vi"),
    "compare": (page_compare, "nav.compare", "so-sanh"),
    "criteria": (page_criteria, "nav.criteria", "tieu-chi"),
    "trends": (page_trends, "nav.trends", "xu-huong"),
    "data": (page_data, "nav.data", "du-lieu"),
    "upload": (page_upload, "nav.upload", "tai-len"),
    "round_self": (page_round_self, "nav.round_self", "tu-cham"),
    "round_appraise": (page_round_appraise, "nav.round_appraise", "tham-dinh"),
    "rounds": (page_rounds, "nav.rounds", "dot-cham"),
    "surveys": (page_surveys, "nav.surveys", "khao-sat"),
    "sets": (page_sets, "nav.sets", "bo-chi-so"),
    "audit": (page_audit, "nav.audit", "nhat-ky"),
    "login": (page_login, "auth.login_title", "dang-nhap"),
}
assert set(ROUTES) == set(PAGES), "every page key of par.domain.auth has a route"


def pages_for(keys: list[str], lang: str) -> list[st.Page]:
    """One st.Page per key, in order; the first is the default page."""
    pages = []
    for i, key in enumerate(keys):
        draw, title, url = ROUTES[key]
        pages.append(st.Page(draw, title=t(title, lang), url_path=url, default=i == 0))
    return pages


# Which part of the menu a page sits in: the results everyone reads, the work of a scoring
# year (figures in, the round), the office's administration.
SECTIONS = (("nav.section_results", set(VIEW_PAGES)),
            ("nav.section_work", {"upload", "round_self", "round_appraise", "rounds",
                                  "surveys"}),
            ("nav.section_admin", {"sets", "audit"}))


def menu_for_pages(keys: list[str], pages: list[st.Page], lang: str):
    """What st.navigation gets: the pages under section headers when they fall into more than
    one section (a long menu stays readable), else the plain list."""
    sections: dict[str, list[st.Page]] = {}
    for key, page in zip(keys, pages):
        title = next((t(name, lang) for name, members in SECTIONS if key in members), "")
        sections.setdefault(title, []).append(page)
    return sections if len(sections) > 1 else pages
