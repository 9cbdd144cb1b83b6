"""Streamlit entry: page config, language, who is signed in, role-based navigation.

Pages live in par/app/; what each role may do is enforced in par/ (par.domain.auth), the menu
only leaves out what the user cannot use.
"""
import streamlit as st

from par.app.audit import page_audit
from par.app.auth_ui import accounts, current_actor, page_login, sidebar_account
from par.app.common import keep_picker_state
from par.app.criteria import page_criteria
from par.app.data import page_data
from par.app.ranking import page_ranking
from par.app.trends import page_trends
from par.app.unit import page_unit
from par.app.upload import page_upload
from par.i18n import LANGS, t

st.set_page_config(page_title="par", page_icon="📊", layout="wide")
keep_picker_state()
lang = st.sidebar.radio("Ngôn ngữ / Language", LANGS, key="lang", horizontal=True,
                        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])
st.sidebar.caption(t("app.sample_banner", lang))
actor = current_actor()
has_accounts = accounts().any()

view = [st.Page(page_ranking, title=t("nav.ranking", lang), url_path="xep-hang", default=True),
        st.Page(page_unit, title=t("nav.unit", lang), url_path="don-vi"),
        st.Page(page_criteria, title=t("nav.criteria", lang), url_path="tieu-chi"),
        st.Page(page_trends, title=t("nav.trends", lang), url_path="xu-huong"),
        st.Page(page_data, title=t("nav.data", lang), url_path="du-lieu")]
if not has_accounts:
    st.warning(t("auth.demo_banner", lang))
    pages = view
elif actor is None:
    pages = [st.Page(page_login, title=t("auth.login_title", lang), url_path="dang-nhap")]
else:
    pages = list(view)
    if actor.role in ("admin", "unit"):
        pages.append(st.Page(page_upload, title=t("nav.upload", lang), url_path="tai-len"))
    if actor.may("audit"):
        pages.append(st.Page(page_audit, title=t("nav.audit", lang), url_path="nhat-ky"))
sidebar_account(actor, lang)
st.navigation(pages).run()
