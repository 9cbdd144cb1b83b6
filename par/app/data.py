"""Nhập/Xuất dữ liệu: download the current results; reset the sample data (sample mode only)."""
from __future__ import annotations

import streamlit as st

from par import settings
from par.app import cache
from par.app.auth_ui import acting_actor
from par.app.common import pick_scorecard
from par.app.exports_ui import meeting_downloads
from par.export.results import export_results_csv, export_results_xlsx
from par.i18n import t
from par.present.safe import md
from par.sample.seed import reset_sample


def sample_mode() -> bool:
    """The bundled sample is being shown: no database configured, or PAR_SAMPLE_MODE=1."""
    return settings.sample_mode()


def page_data() -> None:
    lang = cache.lang()
    st.title(t("nav.data", lang))
    card = pick_scorecard()
    if card is not None:
        stem = f"ket-qua-{card.criteria.id}-{card.as_of}"
        cols = st.columns(2)
        cols[0].download_button(t("data.csv", lang), key="download_csv", on_click="ignore",
                                data=lambda: export_results_csv(card, lang),
                                file_name=f"{stem}.csv", mime="text/csv")
        cols[1].download_button(
            t("data.xlsx", lang), key="download_xlsx", on_click="ignore",
            data=lambda: export_results_xlsx(card, lang), file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.markdown("**" + md(t("export.meeting", lang, what=card.criteria.display_title(lang)))
                    + "**")
        meeting_downloads(card, lang)
    # Admins only; in demo mode (no accounts yet) nobody acts, so nobody may reset.
    actor = acting_actor()
    if sample_mode() and actor is not None and actor.may("reset"):
        st.subheader(t("data.reset_title", lang))
        st.caption(t("data.reset_help", lang))
        if st.button(t("data.reset", lang), key="reset_sample"):
            reset_sample(cache.store(), actor)
            st.success(t("data.reset_done", lang))
