"""Streamlit entry: page config, language, navigation. Pages live in par/app/."""
import streamlit as st

from par.app.common import keep_picker_state
from par.app.criteria import page_criteria
from par.app.data import page_data
from par.app.ranking import page_ranking
from par.app.trends import page_trends
from par.app.unit import page_unit
from par.app.upload import page_upload
from par.messages import LANGS, t

st.set_page_config(page_title="par", page_icon="📊", layout="wide")
keep_picker_state()
lang = st.sidebar.radio("Ngôn ngữ / Language", LANGS, key="lang", horizontal=True,
                        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])
st.sidebar.caption(t("app.sample_banner", lang))
pages = [st.Page(page_ranking, title=t("nav.ranking", lang), url_path="xep-hang", default=True),
         st.Page(page_unit, title=t("nav.unit", lang), url_path="don-vi"),
         st.Page(page_criteria, title=t("nav.criteria", lang), url_path="tieu-chi"),
         st.Page(page_trends, title=t("nav.trends", lang), url_path="xu-huong"),
         st.Page(page_upload, title=t("nav.upload", lang), url_path="tai-len"),
         st.Page(page_data, title=t("nav.data", lang), url_path="du-lieu")]
st.navigation(pages).run()
