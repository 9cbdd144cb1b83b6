"""A page of the scoring round (being built)."""
from __future__ import annotations

import streamlit as st

from par.i18n import t


def page_round_appraise() -> None:
    st.title(t("nav.round_appraise"))
