"""Khảo sát: survey forms' answers and results (../shared/spec/SURVEY.md, issue 15).

Pick a criteria set with survey forms, a form and a period. The office (admin) imports a
form's answers table: a preview (respondents per unit, the first rows, warnings) or every
problem by row and column, then a confirm button (par.store.surveys.import_answers). Everyone
the menu gives the page to reads the results of the current import: per unit and question the
percentage with its 95% interval and n (a dot-and-whisker chart and a table), units below the
form's ``min_responses`` flagged, respondents per unit, the import history. Under the results,
"Xếp hạng và sai số khảo sát": a button computes the set's rank intervals from survey sampling
error for the period (par.decide.survey_bootstrap, 200 replicates, seed 0; cached per set,
period and data version), a table and the pairs whose order is within the noise. The unit page's
survey part (``unit_survey_part``) is drawn from here too, with the unit's interval when the
page computed it for the current data (read from ``_computed``, never computed there).
Words, tables and the chart are par.present.surveys' and par.present.survey_figures'.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict

import streamlit as st

from par.app import cache
from par.app.auth_ui import office_reader
from par.app.uploader import localise_uploader
from par.decide.survey_bootstrap import (
    DEFAULT_REPLICATES,
    check_period,
    rank_interval,
    survey_replicates,
)
from par.domain.issues import ParError
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period
from par.present.round_board import period_choices
from par.present.safe import md, md_issues
from par.present.survey_figures import fig_survey
from par.present.surveys import (
    answer_counts,
    history_table,
    imported_text,
    leaf_intervals,
    leaves_table,
    level_units,
    low_units,
    names_of,
    noise_sentence,
    preview_rows,
    question_label,
    rank_noise_table,
    respondents_per_unit,
    results_table,
    unit_noise_line,
    unit_survey_part,
)
from par.read.survey_answers import read_answers
from par.store import surveys as store_surveys

FLASH = "surveys_flash"
TYPES = ["csv", "xlsx"]


def page_surveys() -> None:
    lang = cache.lang()
    st.title(t("nav.surveys", lang))
    st.caption(t("spage.intro", lang))
    allowed, actor = office_reader("spage.forbidden", lang)
    if not allowed:
        return
    admin = actor is not None and actor.role == "admin"
    flash = st.session_state.pop(FLASH, None)
    if flash:  # in full at the top, and in short as a toast where the person is
        st.success(flash[0])
        st.toast(flash[1], icon=":material/check_circle:")
    sets = [c for c in cache.criteria_sets() if c.surveys]
    if not sets:
        st.info(t("spage.no_forms", lang))
        return
    by_id = {c.id: c for c in sets}
    cols = st.columns(3)
    with cols[0]:
        set_id = _kept(st.selectbox, "surveys_set", lang, list(by_id), sets[0].id,
                       t("spage.pick_set", lang),
                       format_func=lambda i: by_id[i].short_title(lang))
    criteria = by_id[set_id]
    forms = {f.id: f for f in criteria.surveys}
    with cols[1]:
        form_id = _kept(st.selectbox, f"surveys_form_{set_id}", lang, list(forms),
                        criteria.surveys[0].id, t("spage.pick_form", lang),
                        format_func=lambda i: forms[i].name)
    form = forms[form_id]
    history = store_surveys.imports(cache.store(), criteria.id, form.id)
    periods = period_choices(criteria)
    current = history[history["status"] == "current"]
    default = str(current["period"].iloc[-1]) if len(current) else periods[0]
    with cols[2]:
        period = _kept(st.selectbox, f"surveys_period_{set_id}", lang, periods,
                       default if default in periods else periods[0],
                       t("spage.pick_period", lang), format_func=lambda p: fmt_period(p, lang))
    st.caption(t("spage.form_caption", lang, questions=len(form.questions),
                 min=form.min_responses,
                 options=md(", ".join(f"{k} = {'–' if v is None else fmt_number(v, lang, 0)}"
                                      for k, v in form.options.items()))))
    if admin:
        _import(criteria, form, period, actor, lang)
    else:
        st.info(t("spage.readonly", lang))
    _results(criteria, form, period, lang)
    _rank_noise(criteria, period, lang)
    _history(history, lang)


# -- import (admin) -------------------------------------------------------------------------

def _import(criteria, form, period, actor, lang: str) -> None:
    with st.expander(t("spage.import_title", lang, form=md(form.name),
                       period=fmt_period(period, lang)), expanded=True):
        turn = st.session_state.get("surveys_upload_turn", 0)  # a new uploader after an import
        key = f"surveys_upload_{turn}"
        localise_uploader(key, TYPES, lang)
        file = st.file_uploader(t("spage.upload_help", lang), type=TYPES, key=key)
        if file is None:
            return
        data = file.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        marker = (digest, file.name, criteria.id, criteria.sha256, form.id)
        read = st.session_state.get("surveys_read")
        if not read or read[0] != marker:  # read once per file and form, not on every rerun
            try:
                read = (marker, read_answers(data, file.name, criteria, form.id, cache.units()),
                        None)
            except ParError as exc:
                read = (marker, None, exc.issues)
            st.session_state["surveys_read"] = read
        _, answers, issues = read
        if answers is None:
            st.error(t("spage.problems", lang, file=md(file.name), count=len(issues)) + "\n\n"
                     + md_issues(issues, lang, limit=100))
            return
        names = names_of(cache.units())
        st.subheader(t("spage.preview_title", lang, file=md(file.name)))
        st.markdown(t("spage.preview_summary", lang,
                      respondents=fmt_number(answers.respondents, lang, 0),
                      answers=fmt_number(answers.answers, lang, 0),
                      units=answer_counts(answers.wide).size))
        if answers.warnings:
            st.warning(md_issues(answers.warnings, lang))
        left, right = st.columns([2, 3])
        with left:
            st.markdown("**" + t("spage.per_unit", lang) + "**")
            table = respondents_per_unit(level_units(cache.units(), criteria),
                                         answer_counts(answers.wide), names,
                                         form.min_responses, lang)
            st.dataframe(table.styler(), hide_index=True, key="surveys_preview_units")
        with right:
            st.markdown("**" + t("spage.first_rows", lang) + "**")
            st.dataframe(preview_rows(answers.wide, form, names, lang), hide_index=True,
                         key="surveys_preview_rows")
        if st.button(t("spage.confirm", lang, period=fmt_period(period, lang)),
                     key="surveys_confirm", type="primary"):
            try:
                done = store_surveys.import_answers(cache.store(), criteria, form.id, period,
                                                    data, file.name, actor=actor)
            except ParError as exc:
                st.error(t("spage.refused", lang) + "\n\n" + md_issues(exc.issues, lang))
                return
            st.session_state.pop("surveys_read", None)
            st.session_state["surveys_upload_turn"] = turn + 1
            st.session_state[FLASH] = imported_text(
                done, form, int(answer_counts(answers.wide).size), lang)
            st.rerun()


# -- results ------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=16)
def _results_of(criteria_id: str, sha256: str, form_id: str, period: str, version: tuple,
                _criteria):  # keyed by id and version; the set itself is not hashed
    return store_surveys.results(cache.store(), _criteria, form_id, period)


def results_for(criteria, form_id: str, period: str):
    """(questions, leaves) of the current import, or None when there is none."""
    try:
        return _results_of(criteria.id, criteria.sha256, form_id, str(period),
                           cache.store().data_version(), criteria)
    except ParError:
        return None


def _results(criteria, form, period, lang: str) -> None:
    st.subheader(t("spage.results_title", lang, form=md(form.name),
                   period=fmt_period(period, lang)))
    got = results_for(criteria, form.id, period)
    if got is None:
        st.info(t("spage.no_results", lang, period=fmt_period(period, lang)))
        return
    questions, leaves = got
    units = cache.units()
    names = names_of(units)
    low = low_units(questions, names)
    if low:
        st.warning(t("spage.low_warning", lang, count=len(low), min=form.min_responses,
                     units=md(", ".join(low))))
    leaf_codes = list(dict.fromkeys(leaves["criterion"].astype(str))) if len(leaves) else []
    choices = [f"q:{q.code}" for q in form.questions] + [f"l:{c}" for c in leaf_codes]

    def label(choice: str) -> str:
        kind, code = choice.split(":", 1)
        if kind == "q":
            return question_label(form, code)
        return t("spage.leaf_choice", lang, code=code, name=criteria.nodes[code].name)

    what = _kept(st.selectbox, f"surveys_what_{criteria.id}_{form.id}", lang, choices,
                 choices[0], t("spage.pick_what", lang), format_func=label)
    kind, code = what.split(":", 1)
    if kind == "q":
        rows = questions[questions["question"] == code]
        fig = fig_survey(rows, names, question_label(form, code), form.min_responses, lang)
    else:
        rows = leaf_intervals(questions, leaves[leaves["criterion"] == code], criteria)
        fig = fig_survey(rows, names, label(what), form.min_responses, lang, value="value")
    st.plotly_chart(fig, key="surveys_chart")
    st.caption(t("spage.chart_note", lang))
    st.markdown("**" + t("spage.table_title", lang) + "**")
    st.dataframe(results_table(questions, form, names, lang).styler(), hide_index=True,
                 key="surveys_table")
    if len(leaves):
        st.markdown("**" + t("spage.leaves_title", lang) + "**")
        st.dataframe(leaves_table(questions, leaves, criteria, names, lang).styler(),
                     hide_index=True, key="surveys_leaves")
    st.markdown("**" + t("spage.per_unit", lang) + "**")
    counts = questions.groupby("unit", sort=False)["respondents"].first()
    counts.index = counts.index.astype(str)
    st.dataframe(respondents_per_unit(level_units(units, criteria), counts, names,
                                      form.min_responses, lang).styler(),
                 hide_index=True, key="surveys_units")


# -- ranks and survey sampling error (par.decide.survey_bootstrap) ------------------------------

SEED = 0  # fixed: the page's intervals are reproducible
COMPUTED_KEPT = 16


@st.cache_resource(show_spinner=False)
def _computed() -> OrderedDict:
    """(set id, sha256, period, data version) → the intervals computed in this process (the
    newest few): the unit page reads them here and never computes."""
    return OrderedDict()


@st.cache_data(show_spinner=False, max_entries=COMPUTED_KEPT)
def replicates_of(criteria_id: str, sha256: str, period: str, as_of: str, version: tuple,
                  _criteria):
    """The survey answers' bootstrap (seeded) for the set's survey ``period`` and a result
    as of ``as_of``: computed once for this page and the ranking page's rank intervals."""
    from par.domain.periods import parse_period

    answers = store_surveys.period_answers(cache.store(), _criteria, period)
    return survey_replicates(_criteria, cache.units(), cache.rows_for(_criteria.id), answers,
                             period, replicates=DEFAULT_REPLICATES, seed=SEED,
                             as_of=parse_period(as_of))


def _intervals_of(criteria_id: str, sha256: str, period: str, version: tuple, _criteria):
    return rank_interval(replicates_of(criteria_id, sha256, period, period, version, _criteria))


def _noise_key(criteria, period) -> tuple:
    return (criteria.id, criteria.sha256, str(check_period(criteria, period)),
            cache.store().data_version())


def computed_intervals(criteria, period):
    """The survey rank intervals of the set and period when they were computed for the
    current data (the "Khảo sát" page's button), else None. Never computes."""
    try:
        return _computed().get(_noise_key(criteria, period))
    except ParError:
        return None


def _rank_noise(criteria, period, lang: str) -> None:
    st.subheader(t("spage.noise_title", lang))
    label = fmt_period(period, lang)
    st.caption(t("spage.noise_intro", lang, replicates=DEFAULT_REPLICATES, seed=SEED,
                 period=label))
    if all(results_for(criteria, f.id, period) is None for f in criteria.surveys):
        st.info(t("spage.noise_no_answers", lang, period=label))
        return
    key = _noise_key(criteria, period)
    if st.button(t("spage.noise_button", lang, replicates=DEFAULT_REPLICATES),
                 key="surveys_noise"):
        try:
            with st.spinner(t("spage.noise_computing", lang, replicates=DEFAULT_REPLICATES)):
                found = _intervals_of(*key, criteria)
        except ParError as exc:
            st.error(t("spage.noise_failed", lang) + "\n\n" + md_issues(exc.issues, lang))
            return
        kept = _computed()
        kept[key] = found
        kept.move_to_end(key)
        while len(kept) > COMPUTED_KEPT:
            kept.popitem(last=False)
    found = _computed().get(key)
    if found is None:
        return
    st.caption(t("spage.noise_done", lang, period=label, replicates=found.attrs["replicates"],
                 seed=found.attrs["seed"], forms=md(", ".join(
                     criteria.survey(f).name for f in found.attrs["forms"]) or "–")))
    st.dataframe(rank_noise_table(found, lang).styler(), hide_index=True,
                 placeholder="–", key="surveys_noise_table")  # the first unit: no flip
    st.markdown(noise_sentence(found, lang))


def _history(history, lang: str) -> None:
    st.subheader(t("spage.history_title", lang))
    if history.empty:
        st.info(t("spage.no_history", lang))
        return
    st.dataframe(history_table(history, lang), hide_index=True, key="surveys_history")


# -- the unit page's survey part ----------------------------------------------------------------

def section_unit_survey(card, unit: str, lang: str) -> None:
    """"Phần khảo sát" on the unit page: shown when the unit's set has forms with results for
    the card's period."""
    results = {}
    for form in card.criteria.surveys:
        got = results_for(card.criteria, form.id, str(card.as_of))
        if got is not None:
            results[form.id] = got
    part = unit_survey_part(card, unit, results, lang) if results else None
    if part is None:
        return
    table, totals = part
    st.markdown("**" + t("spage.unit_title", lang) + "**")
    st.caption(t("spage.unit_points", lang, points=fmt_number(totals["points"], lang),
                 max=fmt_number(totals["max"], lang)))
    if totals["low"]:
        st.caption(t("spage.unit_low", lang))
    st.dataframe(table.styler(), hide_index=True, key="unit_survey")
    found = computed_intervals(card.criteria, card.as_of)
    line = unit_noise_line(found, unit, lang) if found is not None else None
    if line:
        st.markdown(line)


# -- pickers kept across languages (as par.app.rounds) ----------------------------------------

def _kept(widget, name: str, lang: str, options, default, label: str, **kw):
    key = f"{name}_{lang}"
    options = list(options)
    if st.session_state.get(key) not in options:
        kept = st.session_state.get(name)
        st.session_state[key] = kept if kept in options else default
    value = widget(label, options, key=key, **kw)
    st.session_state[name] = value
    return value
