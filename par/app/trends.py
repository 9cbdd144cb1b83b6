"""Xu hướng: a unit's index and rank through the quarters, and across the years of its level.

The year-to-date self-scores and the appraised year are two kinds of score: the chart draws
them as two series, the table says which each row is, and the page says why the index jumps
between them (par.analysis.trends: get_trend, get_trend_jump)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from par.analysis.trends import (
    describe_method_change,
    describe_trend_jump,
    describe_unscored,
    get_trend,
    get_trend_jump,
    method_changes,
    trend_kind,
)
from par.app import cache
from par.app.decide import section_projection
from par.domain.periods import parse_period
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank
from par.present.figures import fig_trend
from par.present.published import with_published
from par.present.safe import md


@st.cache_data(show_spinner=False, max_entries=32)
def _trend(criteria_id: str, version: tuple):
    criteria = cache.criteria_by_id(criteria_id)
    return get_trend(criteria, cache.units(), cache.rows_for(criteria_id))


@st.cache_data(show_spinner=False, max_entries=64)
def _jump(criteria_id: str, version: tuple, unit: str):
    criteria = cache.criteria_by_id(criteria_id)
    return get_trend_jump(criteria, cache.units(), cache.rows_for(criteria_id),
                          _trend(criteria_id, version), unit)


def _published(trend: pd.DataFrame, sets, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """The trend with each published period's points as published, and one sentence per
    period a round concerns (published on …, or provisional while its round runs)."""
    cards, labels = {}, []
    for criteria in sets:
        for period in dict.fromkeys(trend.loc[trend["as_of"].astype(str).str[:4]
                                              == str(criteria.year), "as_of"].astype(str)):
            found = cache.standing(criteria.id, period)
            if found is None:
                continue
            if found[0] == "published":
                cards[period] = cache.scorecard(criteria.id, parse_period(period))
            labels.append(t("rboard.period_label", lang, period=fmt_period(period, lang),
                            label=found[1]))
    return with_published(trend, cards), labels


def page_trends() -> None:
    lang = cache.lang()
    st.title(t("nav.trends", lang))
    sets = cache.criteria_sets()
    criteria = st.sidebar.selectbox(t("app.criteria_set", lang), sets, key="criteria_id",
                                    format_func=lambda c: c.short_title(lang))
    version = cache.store().data_version()
    same_level = sorted((c for c in sets if c.level == criteria.level), key=lambda c: c.year)
    # Every year of this level, each scored with its own criteria set, one after the other.
    trend = pd.concat([_trend(c.id, version) for c in same_level], ignore_index=True)
    trend, labels = _published(trend, same_level, lang)  # published periods read as published
    if trend.empty:
        st.info(t("app.no_inputs", lang))
        return
    units = cache.units()
    ids = list(dict.fromkeys(trend["unit"]))
    unit = st.selectbox(t("trends.unit", lang), ids, key="unit",
                        format_func=lambda u: units.at[u, "name"])
    own = trend[trend["unit"] == unit]
    fig = fig_trend(trend, units.at[unit, "name"], lang, unit=unit)
    with st.container():
        chart = st.empty()
        fig = section_projection(fig, criteria, own, unit, lang)
        chart.plotly_chart(fig, key="trend")
    st.caption(t("trends.why_jump", lang))
    for c in same_level:
        jump = _jump(c.id, version, unit)
        if jump is not None:
            st.info(md(describe_trend_jump(jump, lang)))
    latest = describe_unscored(own.iloc[-1], lang)
    if latest:
        st.info(md(latest))
    st.markdown("**" + t("trends.table", lang) + "**")
    st.dataframe({t("app.as_of", lang): [str(p) for p in own["as_of"]],
                  t("trends.col_kind", lang): [trend_kind(s, p, lang)
                                               for s, p in zip(own["stage"], own["as_of"])],
                  t("col.index", lang): [fmt_number(v, lang) for v in own["index"]],
                  t("col.rank", lang): [fmt_rank(r, o) for r, o in zip(own["rank"], own["of"])],
                  t("trends.col_unscored", lang): [fmt_number(v, lang)
                                                   for v in own["unscored"]]},
                 hide_index=True)
    for label in labels:  # "Cả năm 2025: Kết quả chính thức, công bố ngày …"
        st.caption(label)
    st.caption(t("trends.years", lang) + ": " + ", ".join(str(c.year) for c in
                                                        sorted(same_level, key=lambda c: c.year)))
    for a, b, id_a, id_b, changed in method_changes(same_level):
        st.warning(md(t("trends.sets_differ", lang, a=a, b=b, id_a=id_a, id_b=id_b) + " "
                      + describe_method_change(changed, lang)))
