"""Đơn vị: one unit's headline rank, domains, lagging criteria, strengths, gaps, appraisal."""
from __future__ import annotations

import streamlit as st

from par.analysis.trends import (
    get_domain_comparison,
    get_missing,
    get_self_vs_appraisal,
)
from par.app import cache
from par.app.common import pick_scorecard
from par.app.decide import section_target, section_what_if
from par.app.exports_ui import chart_downloads, meeting_downloads
from par.app.surveys import section_unit_survey
from par.engine.standing import submitted
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank
from par.present.figures import fig_domains
from par.present.frames import lagging_table, localise, strengths_table
from par.present.safe import md


def page_unit() -> None:
    lang = cache.lang()
    st.title(t("nav.unit", lang))
    card = pick_scorecard()
    if card is None:
        return
    units = card.units
    unit = st.selectbox(t("app.unit", lang), list(units.index), key="unit",
                        format_func=lambda u: units.at[u, "name"])
    u = units.loc[unit]
    if not submitted(card)[unit]:  # no row in the period: not ranked, nothing to compare
        st.info(md(t("unit.not_submitted", lang, name=u["name"],
                     period=fmt_period(card.as_of, lang))))
        return
    rank = fmt_rank(u["rank"], u["of"])
    st.subheader(t("app.headline", lang, rank=rank, index=fmt_number(u["index"], lang)))
    comparison = get_domain_comparison(card, unit, lang)
    st.plotly_chart(fig_domains(comparison, u["name"], rank, lang), key="unit_domains")
    chart_downloads(card, "domains", lang, unit=unit)
    st.markdown("**" + t("app.lagging", lang) + "**")
    st.dataframe(lagging_table(card, unit, lang).styler(), hide_index=True)
    st.markdown("**" + t("unit.strengths", lang) + "**")
    st.dataframe(strengths_table(card, unit, lang).styler(), hide_index=True)
    # "Phần khảo sát", when the period has survey results: after what pulled the unit down
    section_unit_survey(card, unit, lang)
    missing = get_missing(card, unit, lang)
    with st.expander(t("unit.missing", lang, count=len(missing)), expanded=False):
        if missing.empty:
            st.write(t("unit.no_missing", lang))
        else:
            st.dataframe(localise(missing, {"code": "col.code", "name": "col.criterion",
                                            "max": "col.max", "domain": "col.domain"}, lang,
                                  numbers=("max",)), hide_index=True)
    st.markdown("**" + t("unit.self_vs_appraisal", lang) + "**")
    diff = get_self_vs_appraisal(card.criteria, cache.units(), cache.rows_for(card.criteria.id),
                                 unit, card.as_of, lang)
    if diff.empty:
        st.info(t("unit.no_appraisal", lang))
    else:
        diff = diff.sort_values("difference", ascending=False, key=abs)
        st.dataframe(localise(diff, {"code": "col.code", "name": "col.criterion",
                                     "self_points": "col.self_points",
                                     "appraisal_points": "col.appraisal_points",
                                     "difference": "col.difference"}, lang,
                              numbers=("self_points", "appraisal_points", "difference")),
                     hide_index=True)
    st.markdown("**" + md(t("export.meeting", lang, what=u["name"])) + "**")
    meeting_downloads(card, lang, unit)
    section_target(card, unit, lang)
    section_what_if(card, unit, lang)
