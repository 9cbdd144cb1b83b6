"""Xếp hạng: the ranking of all units of a level."""
from __future__ import annotations

import streamlit as st

from par.app import cache
from par.app.common import pick_scorecard, rank_change
from par.app.decide import section_intervals
from par.app.exports_ui import chart_downloads
from par.export.shown import frame_csv, frame_xlsx
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank
from par.present.figures import fig_ranking
from par.present.frames import kpis, ranking_download, ranking_table
from par.present.safe import md
from par.present.tables import filter_units, group_label

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
    period = fmt_period(card.as_of, lang)
    if k["submitted"] < k["units"]:
        st.warning(t("app.not_submitted", lang, count=k["units"] - k["submitted"],
                     total=k["units"], period=period, ranked=k["submitted"]))
    highlight = st.session_state.get("unit")
    highlight = highlight if highlight in card.units.index else None
    section_table(card, lang, highlight)
    st.plotly_chart(fig_ranking(card, lang, highlight, top=CHART_UNITS), key="ranking_chart")
    chart_downloads(card, "ranking", lang, unit=highlight)
    section_intervals(card, lang)


def section_table(card, lang: str, highlight: str | None) -> None:
    """The ranking table: a group filter and a search box, the selected unit highlighted
    (and, if asked, only the places around it), and the rows shown as CSV or Excel."""
    units = card.units
    groups = [""] + sorted(units["group"].dropna().unique().tolist())  # "": every group
    left, middle, right = st.columns([1, 2, 2])
    group = None
    if len(groups) > 1:
        group = left.selectbox(t("app.group", lang), groups, key="ranking_group",
                               format_func=lambda g: group_label(g, lang) if g
                               else t("word.all", lang)) or None
    query = middle.text_input(t("app.search", lang), key="ranking_search")
    around = False
    if highlight is not None:
        u = units.loc[highlight]
        right.caption(md(t("app.selected", lang, name=u["name"],
                           rank=fmt_rank(u["rank"], u["of"]))))
        around = right.toggle(t("app.around", lang), key="ranking_around")
    keep = filter_units(units, group, query, highlight if around else None)
    shown = ranking_table(card, lang, rank_change(card)).rows(keep)
    if not len(shown):
        st.info(md(t("app.no_match", lang, query=query)))
        return
    if len(shown) < len(units):
        st.caption(t("app.shown", lang, shown=len(shown), total=len(units)))
    st.dataframe(shown.styler(highlight=[highlight] if highlight else ()), hide_index=True)
    stem = f"xep-hang-{card.criteria.id}-{card.as_of}" + (f"-{group}" if group else "")
    table = ranking_download(card, shown, lang)
    a, b, _ = st.columns([1, 1, 2])
    a.download_button(t("app.download_csv", lang), key="ranking_csv", on_click="ignore",
                      data=lambda: frame_csv(table), file_name=f"{stem}.csv", mime="text/csv")
    b.download_button(
        t("app.download_xlsx", lang), key="ranking_xlsx", on_click="ignore",
        data=lambda: frame_xlsx(table, "xep-hang"), file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
