"""Xếp hạng: the ranking of all units of a level."""
from __future__ import annotations

import streamlit as st

from par.app import cache
from par.app.common import pick_scorecard, rank_change
from par.app.decide import section_intervals
from par.app.exports_ui import chart_downloads
from par.i18n import t
from par.i18n.formatting import fmt_number
from par.present.figures import fig_ranking
from par.present.frames import kpis, ranking_table

CHART_UNITS = 40  # beyond this many units the chart shows the top and bottom halves only


def page_ranking() -> None:
    lang = cache.lang()
    st.title(t("nav.ranking", lang))
    card = pick_scorecard()
    if card is None:
        return
    k = kpis(card)
    cols = st.columns(4)
    for col, key in zip(cols, ("mean", "best", "worst")):
        col.metric(t(f"kpi.{key}", lang), fmt_number(k[key], lang))
    cols[3].metric(t("kpi.provisional", lang), k["provisional"])
    st.dataframe(ranking_table(card, lang, rank_change(card)), hide_index=True)
    highlight = st.session_state.get("unit")
    st.plotly_chart(fig_ranking(card, lang, highlight, top=CHART_UNITS), key="ranking_chart")
    chart_downloads(card, "ranking", lang, unit=highlight if highlight in card.units.index else None)
    section_intervals(card, lang)
