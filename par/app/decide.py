"""Decision-support sections the pages embed: target rank, what-if, intervals, projection."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from par.analysis.trends import get_over_scoring
from par.app import cache
from par.app.surveys import replicates_of
from par.decide.projection import get_projection
from par.decide.target import get_safety_margin, get_target_plan, what_if
from par.decide.uncertainty import get_rank_intervals
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_rank
from par.present.figures import add_projection, fig_rank_intervals, period_label
from par.present.frames import localise
from par.present.surveys import survey_sentence


@st.cache_data(show_spinner=False, max_entries=16)
def _intervals(criteria_id: str, as_of: str, version: tuple) -> pd.DataFrame:
    from par.domain.periods import parse_period
    from par.store.surveys import survey_period_as_of

    card = cache.scorecard(criteria_id, parse_period(as_of))
    period = survey_period_as_of(cache.store(), card.criteria, card.as_of)
    survey = None
    if period is not None:  # the survey's sampling error joins the weights' and self-scores'
        criteria = card.criteria
        survey = replicates_of(criteria.id, criteria.sha256, period, str(card.as_of), version,
                               criteria)
    out = get_rank_intervals(card, runs=1000, rows=cache.rows_for(criteria_id), survey=survey)
    out.attrs["survey_period"] = period
    return out


def section_intervals(card, lang: str) -> None:
    with st.expander(t("decide.section_intervals", lang)):
        # 1,000 perturbed rankings take about a second at national scale: only when asked
        if not st.toggle(t("decide.show_intervals", lang), key="show_intervals"):
            return
        intervals = _intervals(card.criteria.id, str(card.as_of), cache.store().data_version())
        st.caption(survey_sentence(intervals, card.criteria, lang))
        st.plotly_chart(fig_rank_intervals(intervals, lang, st.session_state.get("unit")),
                        key="rank_intervals")


def default_target(rank: int) -> int:
    """The target rank the unit page proposes first: four places up (the first place at most)."""
    return max(1, rank - 4)


def section_target(card, unit: str, lang: str) -> None:
    u = card.units.loc[unit]
    if pd.isna(u["rank"]):
        return
    st.subheader(t("decide.section_target", lang))
    rank, of = int(u["rank"]), int(u["of"])
    target = st.number_input(t("decide.target_rank", lang), min_value=1, max_value=of,
                             value=default_target(rank), step=1, key=f"target_{unit}")
    plan = get_target_plan(card, unit, int(target), lang)
    if plan.already:
        st.info(t("decide.target_already", lang))
    elif not plan.reachable:
        st.warning(t("decide.target_unreachable", lang, points=fmt_number(plan.points_needed, lang),
                     available=fmt_number(plan.points_available, lang), best=plan.best_rank))
    else:
        st.success(t("decide.target_needed", lang, points=fmt_number(plan.points_needed, lang),
                     threshold=fmt_number(plan.threshold, lang)))
        st.dataframe(localise(plan.gains, {"code": "col.code", "name": "col.criterion",
                                           "current": "decide.col_current",
                                           "gain": "decide.col_gain",
                                           "new_points": "decide.col_new_points",
                                           "max": "col.max", "peer_mean": "decide.col_peer_mean"},
                              lang, numbers=("current", "gain", "new_points", "max",
                                             "peer_mean")), hide_index=True)
        st.caption(t("decide.target_result", lang, index=fmt_number(plan.new_index, lang),
                     rank=f"{plan.new_rank}/{of}"))
    margin = get_safety_margin(card, unit)
    if margin is not None:
        st.caption(t("decide.margin_points", lang, points=fmt_number(margin, lang)))


def section_what_if(card, unit: str, lang: str) -> None:
    st.subheader(t("decide.section_what_if", lang))
    leaves = card.leaves[(card.leaves["unit"] == unit) & card.leaves["applicable"]]
    regular = {c for d in card.criteria.domains if d.kind == "regular"
               for c in (n.code for n in d.walk())}
    leaves = leaves[leaves["criterion"].isin(regular)]
    names = {c: n.display_name(lang) for c, n in card.criteria.nodes.items()}
    table = pd.DataFrame({"code": leaves["criterion"].to_numpy(),
                          "name": [names[c] for c in leaves["criterion"]],
                          "max": leaves["max"].to_numpy(), "points": leaves["points"].to_numpy()})
    edited = st.data_editor(
        table, key=f"what_if_{unit}", hide_index=True, disabled=["code", "name", "max"],
        column_config={"code": t("col.code", lang), "name": t("col.criterion", lang),
                       # "localized": the browser's own decimal mark (1,5 on a Vietnamese desk)
                       "max": st.column_config.NumberColumn(t("col.max", lang), format="localized"),
                       "points": st.column_config.NumberColumn(t("col.score", lang), min_value=0.0,
                                                               step=0.25, format="localized")})
    changed = {c: p for c, p, old in zip(edited["code"], edited["points"], table["points"])
               if pd.notna(p) and abs(p - old) > 1e-12}
    if changed:
        after = what_if(card, unit, changed).units.loc[unit]
        before = card.units.loc[unit]
        cols = st.columns(2)
        cols[0].metric(t("col.index", lang), fmt_number(after["index"], lang),
                       delta=fmt_number(after["index"] - before["index"], lang))
        cols[1].metric(t("col.rank", lang), fmt_rank(after["rank"], after["of"]),
                       delta=int(before["rank"] - after["rank"]))


@st.cache_data(show_spinner=False, max_entries=16)
def _projection(criteria_id: str, as_of: str, version: tuple) -> pd.DataFrame:
    from par.domain.periods import parse_period
    criteria = cache.criteria_by_id(criteria_id)
    return get_projection(criteria, cache.units(), cache.rows_for(criteria_id),
                          parse_period(as_of))


def section_projection(fig, criteria, own: pd.DataFrame, unit: str, lang: str):
    """Add the year-end projection from the latest quarter to the trend figure; show the method."""
    periods = [str(p) for p in own["as_of"] if str(p).startswith(str(criteria.year))]
    quarters = [p for p in periods if "-" in p]
    if not quarters or str(criteria.year) in periods:  # the year is in: nothing to project
        return fig
    latest = quarters[-1]
    projection = _projection(criteria.id, latest, cache.store().data_version())
    if unit not in projection.index:
        return fig
    p = projection.loc[unit]
    st.markdown("**" + t("decide.section_projection", lang) + "**")
    st.caption(t("decide.projection_method", lang))
    shown = projection.loc[[unit]].assign(
        projected_rank=[fmt_rank(p["projected_rank"], p["of"])], risk=[str(int(p["risk"]))])
    st.dataframe(localise(shown, {
        "index": "decide.col_ytd_index", "projected_index": "decide.col_projected_index",
        "projected_rank": "decide.col_projected_rank", "risk": "decide.col_risk"}, lang,
        numbers=("index", "projected_index")), hide_index=True)
    ytd = own[own["as_of"].astype(str) == latest].iloc[0]
    return add_projection(fig, period_label(latest, lang), float(ytd["index"]),
                          t("chart.projection", lang),
                          float(p["projected_index"]), fmt_rank(p["projected_rank"], p["of"]),
                          lang)


def section_over_scoring(card, lang: str) -> None:
    st.subheader(t("decide.section_over", lang))
    over = get_over_scoring(card.criteria, cache.units(), cache.rows_for(card.criteria.id),
                            card.as_of, lang)
    if over.empty:
        st.info(t("unit.no_appraisal", lang))
        return
    st.dataframe(localise(over.reset_index(), {
        "name": "col.unit", "difference": "decide.col_over_total",
        "over": "decide.col_over_count", "criteria": "decide.col_compared"}, lang,
        numbers=("difference",)), hide_index=True)
