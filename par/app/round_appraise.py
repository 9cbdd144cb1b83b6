"""Thẩm định: the appraisers' page of a scoring round (../shared/spec/WORKFLOW.md).

For appraisers (the leaves of their domains) and admins (every domain): a queue of the
level's units with counts and filters, then one unit's leaves with its self figure, points,
note and evidence, and the appraisal (figure, comment, "yêu cầu giải trình") to edit and
save. Only what the phase allows is editable (par.domain.rounds.refusal, asked with the
same inputs the store uses); par.store.round_work.save_rows checks again and writes. The
figures come from par.present.round_appraise.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from par.app import cache
from par.app.auth_ui import current_actor
from par.app.round_self import (
    act,
    done,
    download_button,
    file_line,
    flash,
    keep_choice,
    pick_round,
    round_state,
    rounds_list,
    safe_key,
    typed_rows,
)
from par.domain.rounds import refusal
from par.i18n import t
from par.i18n.formatting import fmt_period, fmt_time
from par.present.round_appraise import (
    EDITABLE,
    ENTRY_MAP,
    FILTERS,
    appraisal_changes,
    appraise_table,
    filter_label,
    filter_queue,
    my_domains,
    queue,
    queue_table,
)
from par.present.round_self import apply_edits, entries_of, files_of, live_points
from par.present.safe import md, md_issues
from par.store import round_work
from par.store import rounds as round_store
from par.store.rows import EVIDENCE_FILE

FLASH = "rappr_flash"
WIDE_NUMBER = 96  # px: a column wide enough for a header such as "Điểm tự chấm"
APPRAISED_WIDTH = 124  # px: the whole of "Điểm thẩm định", "Giá trị thẩm định"
EDIT_ICON = 24  # px: an editable column's header has a pencil before its text
# the unit's figure, then the appraisal beside it, then what the unit cited
ORDER = ["code", "name", "max", "self_value", "self_points", "value", "numerator",
         "denominator", "points", "comment", "explain", "explanation", "evidence", "files",
         "note"]


def page_round_appraise() -> None:
    lang = cache.lang()
    st.title(t("nav.round_appraise", lang))
    actor = current_actor()
    if actor is None or actor.role not in ("admin", "appraiser"):
        st.info(t("rappr.no_access", lang))
        return
    flash(FLASH)
    rounds = rounds_list()
    if not rounds:
        st.info(t("rappr.no_round", lang))
        return
    rnd = pick_round(rounds, "rappr_round", lang, first=("appraisal", "final"))
    state, states, _ = round_state(rnd.id)
    rnd, criteria = state.round, state.criteria
    domains = my_domains(actor, criteria)
    if not domains:
        st.info(t("rappr.no_domains", lang, domains=", ".join(sorted(actor.domains)) or "–",
                  set=md(criteria.short_title(lang))))
        return
    now = round_store.clock()
    st.caption(t("rappr.round_caption", lang, set=md(criteria.display_title(lang)),
                 period=fmt_period(rnd.period, lang)))
    st.markdown(t("rappr.phase_line", lang, phase=t(f"round.phase_{rnd.phase}", lang),
                  what=t(f"rappr.phase_help_{rnd.phase}", lang)))
    names = {d.code: d.display_name(lang) for d in criteria.domains}
    st.markdown(t("rappr.my_domains", lang,
                  domains="; ".join(f"{c}. {md(names[c])}" for c in domains)))
    q = queue(states, state.units, criteria, domains, state.submitted["unit"].astype(str))
    st.subheader(t("rappr.queue_title", lang))

    def label(f):
        return filter_label(q, f, lang)

    keep_choice("rappr_filter", list(FILTERS), label)
    which = st.radio(t("rappr.filter", lang), list(FILTERS), key="rappr_filter", horizontal=True,
                     format_func=label)
    shown = filter_queue(q, which)
    st.caption(t("rappr.queue_help", lang, leaves=int(q["leaves"].iloc[0]) if len(q) else 0))
    if shown.empty:
        st.info(t("rappr.queue_empty", lang))
        return
    st.dataframe(queue_table(shown, lang), hide_index=True, key="rappr_queue")
    ids = shown["unit"].tolist()
    keep_choice("rappr_unit", ids)
    label = dict(zip(shown["unit"], shown["name"]))
    unit = st.selectbox(t("rappr.unit", lang), ids, key="rappr_unit",
                        format_func=lambda u: f"{label[u]} ({u})")
    _unit(state, rnd, criteria, domains, unit, actor, now, lang)


def _unit(state, rnd, criteria, domains, unit, actor, now, lang) -> None:
    units, store = state.units, cache.store()
    name = units.at[unit, "name"]
    codes = [leaf.code for leaf in criteria.leaves if criteria.domain_of[leaf.code] in domains]
    st.subheader(t("rappr.unit_title", lang, unit=md(name)))
    sub = state.submitted[state.submitted["unit"].astype(str) == unit]
    st.caption(t("rappr.unit_submitted", lang, at=fmt_time(sub["submitted_at"].iloc[0], lang))
               if len(sub) else t("rappr.unit_not_submitted", lang))

    def ask(action: str):
        code = codes[0]
        return refusal(actor, rnd, action, now=now, unit=unit, criterion=code,
                       domain=criteria.domain_of[code])

    may_appraise, may_flag = ask("appraise") is None, ask("flag") is None
    if not may_appraise:
        st.info(t("rappr.read_only", lang, phase=t(f"round.phase_{rnd.phase}", lang)))
    key = f"rappr_editor_{rnd.id}_{safe_key(unit)}"
    if st.session_state.pop("rappr_reset", None) == key:
        st.session_state.pop(key, None)
    stored = live_points(criteria, units, state.rows, unit, rnd.period)
    base = appraise_table(criteria, codes, state.rows, unit, rnd.period, state.flags,
                          state.evidence, stored, lang, hidden_evidence=EVIDENCE_FILE)
    current = apply_edits(base, st.session_state.get(key), editable=EDITABLE)
    typed, problems = typed_rows(criteria, units, unit, rnd.period, "appraisal",
                                 entries_of(current, ENTRY_MAP))
    live = live_points(criteria, units, state.rows, unit, rnd.period, typed, stage="appraisal",
                       replaced=codes).reindex(codes)
    shown = base.assign(points=np.where(live["stage"].astype(object).eq("appraisal").to_numpy(),
                                        live["points"].to_numpy(dtype=float), np.nan))
    ratio = any(criteria.nodes[c].rule.type == "ratio" for c in codes)
    order = [c for c in ORDER if ratio or c not in ("numerator", "denominator")]
    editable = [c for c in EDITABLE if c != "explain" or may_flag]
    edited = st.data_editor(
        shown, key=key, hide_index=True, num_rows="fixed", width="stretch", column_order=order,
        placeholder="",
        disabled=True if not may_appraise else [c for c in ORDER if c not in editable],
        column_config=_columns(lang))
    if problems:
        st.warning(t("rappr.problems", lang) + "\n\n" + md_issues(problems, lang))
    _files(state, unit, codes, actor, store, lang)
    if not may_appraise:
        return
    entries, explain, issues = appraisal_changes(base, edited, may_flag=may_flag)
    nothing = entries.empty and not explain and not issues
    if st.button(t("rappr.save", lang), key="rappr_save", type="primary", disabled=nothing,
                 icon=":material/save:"):
        if issues:
            st.error(t("rappr.cannot_save", lang) + "\n\n" + md_issues(issues, lang))
            return
        ok, _ = act(lambda: round_work.save_rows(store, rnd.id, unit, "appraisal", entries,
                                                 actor=actor, explain=explain or None))
        if ok:
            st.session_state["rappr_reset"] = key
            done(t("rappr.saved", lang, unit=md(name), count=len(entries), flags=len(explain)),
                 FLASH, table=key)
    if nothing:
        st.caption(t("rappr.nothing_to_save", lang))


def _columns(lang: str) -> dict:
    number = st.column_config.NumberColumn
    text = st.column_config.TextColumn
    return {
        # code and name stay in view while the table scrolls sideways
        "code": text(t("col.code", lang), width="small", pinned=True),
        "name": text(t("col.criterion", lang), width="medium", pinned=True),
        "max": number(t("col.max", lang), format="localized", width="small"),
        "self_value": text(t("rappr.col_self_value", lang), width=WIDE_NUMBER),
        "self_points": number(t("rappr.col_self_points", lang), format="localized",
                              width=WIDE_NUMBER),
        "note": text(t("rappr.col_note", lang), width="medium"),
        "evidence": text(t("rappr.col_evidence", lang), width="medium"),
        "files": number(t("rappr.col_files", lang), format="%d", width="small"),
        "value": text(t("rappr.col_value", lang), help=t("rappr.col_value_help", lang),
                      width=APPRAISED_WIDTH + EDIT_ICON),
        "numerator": number(t("rself.col_numerator", lang), format="localized", min_value=0.0,
                            width="small"),
        "denominator": number(t("rself.col_denominator", lang), format="localized",
                              min_value=0.0, width="small"),
        "comment": text(t("rappr.col_comment", lang), width="medium"),
        "points": number(t("rappr.col_points", lang), format="localized",
                         width=APPRAISED_WIDTH),
        "explain": st.column_config.CheckboxColumn(t("rappr.col_explain", lang),
                                                   help=t("rappr.col_explain_help", lang)),
        "explanation": text(t("rappr.col_explanation", lang), width="medium"),
    }


def _files(state, unit, codes, actor, store, lang) -> None:
    """The unit's evidence files for these leaves, to download (read through the store,
    which checks who asks)."""
    files = files_of(state.evidence, unit, codes)
    with st.expander(t("rappr.files_title", lang, count=len(files)), expanded=bool(len(files))):
        if not len(files):
            st.caption(t("rappr.no_files", lang))
        for _, row in files.iterrows():
            cols = st.columns([1, 6, 2], vertical_alignment="center")
            cols[0].markdown(f"**{md(row['criterion'])}**")
            purpose = t(f"rappr.purpose_{row['purpose']}", lang)
            cols[1].markdown(file_line(row, lang) + f" · {purpose}")
            with cols[2]:
                download_button(store, row, actor, f"rappr_dl_{int(row['id'])}", lang)
