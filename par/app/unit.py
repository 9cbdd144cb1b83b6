"""Đơn vị: one unit's headline rank and the criteria that pulled it down."""
from __future__ import annotations

import streamlit as st

from par.app import state
from par.app.common import pick_scorecard
from par.formatting import fmt_number, fmt_rank
from par.messages import t
from par.views import lagging_table


def page_unit() -> None:
    lang = state.lang()
    st.title(t("nav.unit", lang))
    card = pick_scorecard()
    if card is None:
        return
    units = card.units
    unit = st.selectbox(t("app.unit", lang), list(units.index), key="unit",
                        format_func=lambda u: units.at[u, "name"])
    u = units.loc[unit]
    st.header(u["name"])
    st.subheader(t("app.headline", lang, rank=fmt_rank(u["rank"], u["of"]),
                   index=fmt_number(u["index"], lang)))
    st.markdown("**" + t("app.lagging", lang) + "**")
    st.dataframe(lagging_table(card, unit, lang), hide_index=True)
