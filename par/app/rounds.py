"""Đợt chấm điểm: the scoring rounds (../shared/spec/WORKFLOW.md).

For the PAR office (admin): create a round, move it through its phases (from the decision
phase this publishes), reopen a published round with a reason, change its deadlines,
unlock a unit's submitted self-assessment. For everyone the menu gives the page to
(reviewers, appraisers, the demo mode): the rounds, one round's progress, the status board
of all units (a table and a unit × domain grid), its publications and the documents the
office signs. Every rule is the library's (par.store.rounds, par.store.publication); the
words and tables are par.present.round_board's; this page wires widgets to them.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from par.analysis.round_status import domain_grid, domain_sizes
from par.app import cache
from par.app.auth_ui import office_reader
from par.domain.issues import ParError
from par.domain.rounds import VIETNAM
from par.i18n import t
from par.i18n.formatting import fmt_period, fmt_time
from par.present.round_board import (
    FILTERS,
    GRID_WHAT,
    advance_text,
    board_counts,
    deadline_at,
    deadline_parts,
    default_deadlines,
    filter_status,
    grid_legend,
    grid_table,
    period_choices,
    progress,
    publications_table,
    round_title,
    rounds_table,
    status_table,
)
from par.present.safe import md, md_issues
from par.store import rounds as store_rounds

FLASH = "rounds_flash"  # what the last action did, said after the rerun
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def page_rounds() -> None:
    lang = cache.lang()
    st.title(t("nav.rounds", lang))
    st.caption(t("rboard.intro", lang))
    allowed, actor = office_reader("rboard.forbidden", lang)
    if not allowed:
        return
    admin = actor is not None and actor.role == "admin"
    flash = st.session_state.pop(FLASH, None)
    if flash:  # at the top, and as a toast where the person is (the page keeps its scroll)
        st.success(flash)
        st.toast(flash, icon=":material/check_circle:")
    if not admin:
        st.info(t("rboard.readonly", lang))
    titles = {c.id: c.short_title(lang) for c in cache.criteria_sets()}
    if admin:
        _create(actor, lang)
    rounds = cache.rounds()
    st.subheader(t("rboard.list_title", lang))
    if not rounds:
        st.info(t("rboard.none", lang))
        return
    st.dataframe(rounds_table(rounds, lang, titles), hide_index=True)
    by_id = {r.id: r for r in rounds}
    # the labels never change with the phase: the browser keeps a pick by its label
    picked = _kept(st.selectbox, "rounds_pick", lang, list(by_id), rounds[0].id,  # the newest
                   t("rboard.pick", lang),
                   format_func=lambda i: round_title(by_id[i], lang,
                                                     titles.get(by_id[i].criteria_id)))
    rnd = by_id[picked]
    st.subheader(t("rboard.round_heading", lang, id=rnd.id, period=fmt_period(rnd.period, lang)))
    st.markdown(progress(rnd.phase, lang))
    st.caption(t("rboard.deadlines", lang, set=md(titles.get(rnd.criteria_id, rnd.criteria_id)),
                 self_until=fmt_time(rnd.self_until, lang),
                 explain_until=fmt_time(rnd.explain_until, lang), by=md(rnd.created_by),
                 at=fmt_time(rnd.created_at, lang)))
    if admin:
        _manage(rnd, actor, lang)
    try:
        board = cache.round_board(rnd.id)
    except ParError as exc:  # the stored rows cannot be read: say which, never a traceback
        cache.show_errors(exc)
        return
    _board(board, lang)
    _publications(rnd, board[0], lang)


# -- the admin's moves ---------------------------------------------------------------------

def _create(actor, lang: str) -> None:
    sets = cache.criteria_sets()
    rounds = cache.rounds()
    with st.expander(t("rboard.create_title", lang), expanded=not rounds,
                     key="rounds_create_panel"):
        if not sets:
            st.info(t("rboard.no_sets", lang))
            return
        left, right = st.columns(2)
        with left:
            criteria = _kept(st.selectbox, "rounds_new_set", lang, sets, sets[0],
                             t("rboard.create_set", lang), format_func=lambda c: c.short_title(lang))
        periods = period_choices(criteria)
        with right:
            period = _kept(st.selectbox, "rounds_new_period", lang, periods, periods[0],  # the year
                           t("rboard.create_period", lang),
                           format_func=lambda p: fmt_period(p, lang))
        self_at, explain_at = default_deadlines(dt.datetime.now(VIETNAM).date())
        cols = st.columns(4)
        self_day = cols[0].date_input(t("rboard.self_date", lang), self_at.date(),
                                      key="rounds_new_self_date", format="DD/MM/YYYY")
        self_time = cols[1].time_input(t("rboard.self_time", lang), self_at.time(),
                                       key="rounds_new_self_time", step=dt.timedelta(minutes=30))
        explain_day = cols[2].date_input(t("rboard.explain_date", lang), explain_at.date(),
                                         key="rounds_new_explain_date", format="DD/MM/YYYY")
        explain_time = cols[3].time_input(t("rboard.explain_time", lang), explain_at.time(),
                                          key="rounds_new_explain_time",
                                          step=dt.timedelta(minutes=30))
        st.caption(t("rboard.time_zone", lang))
        if st.button(t("rboard.create_button", lang), key="rounds_create", type="primary"):
            created = _act(lambda: store_rounds.create_round(
                cache.store(), criteria, period, self_until=deadline_at(self_day, self_time),
                explain_until=deadline_at(explain_day, explain_time), actor=actor), lang)
            if created is not None:
                _keep("rounds_pick", lang, created.id)  # the new round is the one shown
                _done(t("rboard.created", lang, round=created.id,
                        period=fmt_period(created.period, lang),
                        self_until=fmt_time(created.self_until, lang),
                        explain_until=fmt_time(created.explain_until, lang)))


def _manage(rnd, actor, lang: str) -> None:
    st.markdown("**" + t("rboard.manage", lang) + "**")
    left, right = st.columns(2)
    with left:
        if rnd.phase == "published":
            _reopen(rnd, actor, lang)
        else:
            _advance(rnd, actor, lang)
    if rnd.phase == "published":
        return  # frozen: deadlines and unlocking mean something again once reopened
    with right:
        _deadlines(rnd, actor, lang)
        _unlock(rnd, actor, lang)


def _advance(rnd, actor, lang: str) -> None:
    label, confirm = advance_text(rnd, lang)
    # one tick per round and phase: after a move the next one starts unticked (a kept tick
    # would arm the next move at once)
    sure = st.checkbox(confirm, key=f"rounds_advance_confirm_{rnd.id}_{rnd.phase}")
    if st.button(label, key="rounds_advance", type="primary", disabled=not sure):
        moved = _act(lambda: store_rounds.advance(cache.store(), rnd.id, actor=actor), lang)
        if moved is None:
            return
        if moved.phase == "published":
            from par.store.publication import list_publications

            latest = list_publications(cache.store(), rnd.criteria_id, rnd.period).iloc[0]
            message = t("rboard.published", lang, round=rnd.id, publication=int(latest["id"]),
                        at=fmt_time(latest["published_at"], lang),
                        period=fmt_period(rnd.period, lang))
        else:
            message = t("rboard.advanced", lang, round=rnd.id,
                        phase=t(f"round.phase_{moved.phase}", lang))
        _done(message)


def _reopen(rnd, actor, lang: str) -> None:
    st.info(t("rboard.is_published", lang))
    reason = st.text_area(t("rboard.reopen_reason", lang), key="rounds_reopen_reason",
                          max_chars=2000, height=80)
    if st.button(t("rboard.reopen_button", lang), key="rounds_reopen"):
        if not (reason or "").strip():
            st.error(t("rboard.reason_needed", lang, round=rnd.id))
            return
        if _act(lambda: store_rounds.reopen(cache.store(), rnd.id, reason=reason.strip(),
                                            actor=actor), lang) is not None:
            _done(t("rboard.reopened", lang, round=rnd.id))


def _deadlines(rnd, actor, lang: str) -> None:
    self_day, self_time = deadline_parts(rnd.self_until)
    explain_day, explain_time = deadline_parts(rnd.explain_until)
    with st.expander(t("rboard.deadlines_title", lang), key="rounds_deadlines_panel"):
        cols = st.columns(2)
        k = f"_{rnd.id}"  # each round's own values
        new_self_day = cols[0].date_input(t("rboard.self_date", lang), self_day,
                                          key="rounds_dl_self_date" + k, format="DD/MM/YYYY")
        new_self_time = cols[1].time_input(t("rboard.self_time", lang), self_time,
                                           key="rounds_dl_self_time" + k,
                                           step=dt.timedelta(minutes=30))
        new_explain_day = cols[0].date_input(t("rboard.explain_date", lang), explain_day,
                                             key="rounds_dl_explain_date" + k,
                                             format="DD/MM/YYYY")
        new_explain_time = cols[1].time_input(t("rboard.explain_time", lang), explain_time,
                                              key="rounds_dl_explain_time" + k,
                                              step=dt.timedelta(minutes=30))
        st.caption(t("rboard.time_zone", lang))
        if st.button(t("rboard.deadlines_button", lang), key="rounds_deadlines"):
            moved = _act(lambda: store_rounds.set_deadlines(
                cache.store(), rnd.id, actor=actor,
                self_until=deadline_at(new_self_day, new_self_time),
                explain_until=deadline_at(new_explain_day, new_explain_time)), lang)
            if moved is not None:
                _done(t("rboard.deadlines_saved", lang, round=rnd.id,
                        self_until=fmt_time(moved.self_until, lang),
                        explain_until=fmt_time(moved.explain_until, lang)))


def _unlock(rnd, actor, lang: str) -> None:
    with st.expander(t("rboard.unlock_title", lang), key="rounds_unlock_panel"):
        st.caption(t("rboard.unlock_help", lang))
        state = cache.round_board(rnd.id)[0]
        done = state.submitted["unit"].astype(str).tolist()
        if not done:
            st.caption(t("rboard.unlock_none", lang))
            return
        names = state.units.set_index(state.units["id"].astype(str))["name"]
        unit = st.selectbox(t("rboard.unlock_unit", lang), done, key="rounds_unlock_unit",
                            format_func=lambda u: names.get(u, u))
        reason = st.text_input(t("rboard.unlock_reason", lang), key="rounds_unlock_reason",
                               max_chars=2000)
        if st.button(t("rboard.unlock_button", lang), key="rounds_unlock"):
            if _act(lambda: store_rounds.reopen_unit(cache.store(), rnd.id, unit, actor=actor,
                                                     reason=reason.strip()) or True,
                    lang) is not None:
                _done(t("rboard.unlocked", lang, unit=md(names.get(unit, unit)), round=rnd.id))


def _kept(widget, name: str, lang: str, options, default, label: str, **kw):
    """A picker (st.selectbox, st.radio) whose key is ``name_<lang>``: the browser keeps a
    choice by its label, and the labels change with the language, so each language has its
    own widget; the choice itself is kept under ``name`` and carried across."""
    key = f"{name}_{lang}"
    options = list(options)
    if st.session_state.get(key) not in options:
        kept = st.session_state.get(name)
        st.session_state[key] = kept if kept in options else default
    value = widget(label, options, key=key, **kw)
    st.session_state[name] = value
    return value


def _keep(name: str, lang: str, value) -> None:
    """Choose ``value`` in the picker ``name`` (before it is drawn in this run)."""
    st.session_state[name] = value
    st.session_state[f"{name}_{lang}"] = value


def _done(message: str) -> None:
    """Rerun so every section shows the change, and say what was done at the top."""
    st.session_state[FLASH] = message
    st.rerun()


def _act(action, lang: str):
    """Run a change; a refusal or a problem is shown in the user's language, never raised
    (the store changed nothing and audited the refusal)."""
    try:
        return action()
    except ParError as exc:
        st.error(t("rboard.refused", lang) + "\n\n" + md_issues(exc.issues, lang))
        return None


# -- the status board --------------------------------------------------------------------------

def _board(board, lang: str) -> None:
    state, states, status = board
    st.subheader(t("rboard.board_title", lang))
    counts = board_counts(status)
    cols = st.columns(5)
    cols[0].metric(t("rboard.kpi.units", lang), counts["units"])
    cols[1].metric(t("rboard.kpi.submitted", lang), f"{counts['submitted']}/{counts['units']}")
    cols[2].metric(t("rboard.kpi.appraised", lang), f"{counts['appraised']}/{counts['leaves']}")
    cols[3].metric(t("rboard.kpi.flagged", lang), counts["flagged"])
    cols[4].metric(t("rboard.kpi.missing", lang), counts["missing"])
    which = _kept(st.radio, "rounds_filter", lang, FILTERS, "all", t("rboard.filter", lang),
                  horizontal=True, format_func=lambda f: t(f"rboard.filter.{f}", lang))
    mask = filter_status(status, which).to_numpy(dtype=bool)
    table = status_table(status, lang)
    shown = table.rows(table.frame.index[mask])
    if not len(shown):
        st.info(t("rboard.no_match", lang))
        return
    if len(shown) < len(table):
        st.caption(t("rboard.shown", lang, shown=len(shown), total=len(table)))
    st.dataframe(shown.styler(), hide_index=True)
    st.markdown("**" + t("rboard.grid_title", lang) + "**")
    what = _kept(st.radio, "rounds_grid_what", lang, GRID_WHAT, GRID_WHAT[0],
                 t("rboard.grid_what", lang), horizontal=True,
                 format_func=lambda w: t(f"rboard.grid.{w}", lang))
    grid = domain_grid(state.criteria, states, what)
    grid = grid.loc[grid.index.intersection(shown.frame.index, sort=False)]
    names = dict(zip(status["unit"].astype(str), status["name"]))
    st.dataframe(grid_table(grid, domain_sizes(state.criteria), names, state.criteria, lang))
    st.caption(grid_legend(what, lang))


# -- publications and documents ------------------------------------------------------------------

def _publications(rnd, state, lang: str) -> None:
    st.subheader(t("rboard.pubs_title", lang))
    pubs = cache.publications(rnd.id)
    if pubs.empty:
        st.caption(t("rboard.pubs_none", lang))
    else:
        st.dataframe(publications_table(pubs, lang), hide_index=True)
    _documents(rnd, state, pubs, lang)


def _round_docs():
    """par.export.round_docs (the signed documents), or None where it cannot be loaded."""
    try:
        from par.export import round_docs
    except ImportError:
        return None
    return round_docs


def _documents(rnd, state, pubs, lang: str) -> None:
    st.subheader(t("rboard.docs_title", lang))
    docs = _round_docs()
    find_office = getattr(docs, "find_office", None)
    no_pdf = docs is None or (find_office is not None and find_office() is None)
    if docs is None:
        st.caption(t("rboard.docs_unavailable", lang))
    elif no_pdf:
        st.caption(t("rboard.pdf_unavailable", lang))
    level = state.units[state.units["level"] == state.criteria.level]
    names = dict(zip(level["id"].astype(str), level["name"]))
    unit = st.selectbox(t("rboard.docs_unit", lang), list(names), key="rounds_doc_unit",
                        format_func=lambda u: names.get(u, u))
    stem = f"{rnd.criteria_id}-{rnd.period}"
    cols = st.columns(4)
    cols[0].download_button(
        t("rboard.sheet_docx", lang), key="rounds_sheet_docx", on_click="ignore",
        disabled=docs is None or unit is None, mime=DOCX,
        data=lambda: docs.sheet_docx(state, unit, lang),
        file_name=f"phieu-cham-diem-{unit}-{rnd.period}.docx")
    cols[1].download_button(
        t("rboard.sheet_pdf", lang), key="rounds_sheet_pdf", on_click="ignore",
        disabled=no_pdf or unit is None, mime="application/pdf",
        data=lambda: docs.to_pdf(docs.sheet_docx(state, unit, lang)),
        file_name=f"phieu-cham-diem-{unit}-{rnd.period}.pdf")
    published = not pubs.empty
    cols[2].download_button(
        t("rboard.annex_docx", lang), key="rounds_annex_docx", on_click="ignore",
        disabled=docs is None or not published, mime=DOCX,
        data=lambda: docs.annex_docx(*_published(rnd, state), lang),
        file_name=f"phu-luc-xep-hang-{stem}.docx")
    cols[3].download_button(
        t("rboard.annex_pdf", lang), key="rounds_annex_pdf", on_click="ignore",
        disabled=no_pdf or not published, mime="application/pdf",
        data=lambda: docs.to_pdf(docs.annex_docx(*_published(rnd, state), lang)),
        file_name=f"phu-luc-xep-hang-{stem}.pdf")
    if not published:
        st.caption(t("rboard.annex_later", lang))


def _published(rnd, state):
    """(Scorecard, meta) of the round's latest publication (built when a button is clicked)."""
    from par.store.publication import published

    return published(cache.store(), state.criteria, rnd.period)
