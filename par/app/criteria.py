"""Tiêu chí: attainment heatmap (drill into a domain), weakest criteria, one criterion's spread."""
from __future__ import annotations

import streamlit as st

from par.analysis.lagging import get_weakest
from par.analysis.trends import (
    get_criterion_distribution,
    get_domain_attainment,
    get_leaf_attainment,
)
from par.app import cache
from par.app.common import pick_scorecard
from par.app.decide import section_over_scoring
from par.app.exports_ui import chart_downloads
from par.i18n import t
from par.present.figures import fig_distribution, fig_heatmap
from par.present.frames import weakest_table


def page_criteria() -> None:
    lang = cache.lang()
    st.title(t("nav.criteria", lang))
    card = pick_scorecard()
    if card is None:
        return
    nodes = card.criteria.nodes
    domains = [None] + card.domain_codes("regular")
    domain = st.selectbox(t("criteria.drill", lang), domains, key="criteria_domain",
                          format_func=lambda d: t("criteria.all_domains", lang) if d is None
                          else f"{d}. {nodes[d].display_name(lang)}")
    frame = get_domain_attainment(card, lang) if domain is None \
        else get_leaf_attainment(card, domain, lang)
    st.plotly_chart(fig_heatmap(frame, lang, t("criteria.heatmap", lang)), key="heatmap")
    if domain is None:
        chart_downloads(card, "heatmap", lang)
    st.subheader(t("criteria.weakest", lang))
    weakest = get_weakest(card).head(10)
    st.dataframe(weakest_table(card, weakest, lang).styler(), hide_index=True)
    st.subheader(t("criteria.distribution", lang))
    leaves = [leaf.code for leaf in card.criteria.leaves]
    first = weakest["criterion"].iloc[0] if len(weakest) else leaves[0]
    code = st.selectbox(t("criteria.pick", lang), leaves, index=leaves.index(first),
                        key="criteria_leaf",
                        format_func=lambda c: f"{c}. {nodes[c].display_name(lang)}")
    dist = get_criterion_distribution(card, code)
    highlight = st.session_state.get("unit")
    st.plotly_chart(fig_distribution(dist, code, nodes[code].display_name(lang), lang,
                                     highlight=highlight), key="distribution")
    chart_downloads(card, "distribution", lang, criterion=code,
                    unit=highlight if highlight in card.units.index else None)
    section_over_scoring(card, lang)
