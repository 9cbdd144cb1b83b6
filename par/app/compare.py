"""So sánh đơn vị: two to five units side by side, per domain and per criterion."""
from __future__ import annotations

import streamlit as st

from par.analysis.compare import (
    MAX_UNITS,
    MIN_UNITS,
    compare_criteria,
    compare_domains,
    default_units,
)
from par.app import cache
from par.app.common import pick_scorecard
from par.app.exports_ui import MIME
from par.domain.issues import ParError
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_rank
from par.present.compare import compare_table, fig_compare
from par.present.safe import md, md_issues

ROW_PX = 35  # st.dataframe's row height


def page_compare() -> None:
    lang = cache.lang()
    st.title(t("nav.compare", lang))
    card = pick_scorecard()
    if card is None:
        return
    units = card.units
    key = f"compare_units_{card.criteria.id}"
    if any(u not in units.index for u in st.session_state.get(key, [])):
        del st.session_state[key]  # units of another database version: start again
    chosen = st.multiselect(
        t("compare.units", lang), list(units.index), key=key,
        default=None if key in st.session_state else default_units(
            card, st.session_state.get("unit")),
        format_func=lambda u: units.at[u, "name"], max_selections=MAX_UNITS)
    if len(chosen) < MIN_UNITS:
        st.info(t("compare.pick_more", lang))
        return
    try:
        domains = compare_domains(card, chosen, lang)
    except ParError as exc:
        st.error(md_issues(exc.issues, lang))
        return
    ids = domains.attrs["units"]
    for col, unit in zip(st.columns(len(ids)), ids):
        u = units.loc[unit]
        col.metric(md(u["name"]), fmt_number(u["index"], lang) + "%")
        col.caption(t("compare.headline", lang, rank=fmt_rank(u["rank"], u["of"])))
    measure = st.radio(t("compare.measure", lang), ("points", "percent"), horizontal=True,
                       key="compare_measure", label_visibility="collapsed",
                       format_func=lambda m: t(f"compare.measure.{m}", lang))
    st.plotly_chart(fig_compare(card, ids, lang, measure), key="compare_chart")

    st.subheader(t("compare.domains", lang))
    st.caption(t("compare.note", lang))
    table = compare_table(domains, lang)
    st.dataframe(table, hide_index=True, width="stretch", column_config=_columns(lang),
                 height=ROW_PX * (len(table) + 1) + 3)  # every domain and the total in view
    st.subheader(t("compare.criteria", lang))
    nodes = card.criteria.nodes
    domain = st.selectbox(t("compare.domain_filter", lang), [None] + card.domain_codes(),
                          key="compare_domain",
                          format_func=lambda d: t("compare.all_domains", lang) if d is None
                          else f"{d}. {nodes[d].display_name(lang)}")
    criteria = compare_criteria(card, ids, lang, domain=domain)
    st.dataframe(compare_table(criteria, lang), hide_index=True, width="stretch",
                 column_config=_columns(lang))
    _downloads(card, ids, lang, measure, domain)


def _columns(lang: str) -> dict:
    """The difference column says in its header's tooltip what it is."""
    return {t("compare.col.spread", lang): st.column_config.TextColumn(
        help=t("compare.col.spread_help", lang))}


def _downloads(card, ids: list[str], lang: str, measure: str, domain: str | None) -> None:
    """Excel (both tables), CSV of each, the chart as PNG; each built on its click."""
    from par.export.compare import (
        export_compare_csv,
        export_compare_png,
        export_compare_xlsx,
    )

    stem = f"so-sanh-{card.criteria.id}-{card.as_of}"
    cols = st.columns(4)
    cols[0].download_button(
        t("compare.download_xlsx", lang), key="dl_compare_xlsx", on_click="ignore",
        data=lambda: export_compare_xlsx(card, ids, lang, domain=domain),
        file_name=f"{stem}.xlsx", mime=MIME["xlsx"])
    for col, table in zip(cols[1:3], ("domains", "criteria")):
        col.download_button(
            t(f"compare.download_csv_{table}", lang), key=f"dl_compare_csv_{table}",
            on_click="ignore",
            data=lambda table=table: export_compare_csv(card, ids, table, lang, domain=domain),
            file_name=f"{stem}-{'linh-vuc' if table == 'domains' else 'tieu-chi'}.csv",
            mime="text/csv")
    cols[3].download_button(
        t("compare.download_png", lang), key="dl_compare_png", on_click="ignore",
        data=lambda: export_compare_png(card, ids, lang, measure),
        file_name=f"{stem}.png", mime=MIME["png"])
