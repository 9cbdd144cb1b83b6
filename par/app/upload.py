"""Tải lên: download a template, upload a filled file, preview, confirm; history and rollback.

A file is checked against the criteria set, unit and period the page shows, and only for
units the account may submit for; a refusal names the units and periods by name and comes
before anything of the file is scored. The preview names the period and shows the unit's
index and rank before → after year to date and for the whole year; after saving, the rank
read back from the store. A rollback shows the same effect and needs a tick to confirm;
``Store.rollback`` writes it.
"""
from __future__ import annotations

import hashlib

import streamlit as st

from par.app import cache
from par.app.auth_ui import current_actor
from par.app.uploader import localise_uploader
from par.domain.issues import ParError
from par.domain.periods import Period
from par.i18n import t
from par.i18n.formatting import fmt_period
from par.present.logs import (
    effect_tables,
    groups_text,
    history_frame,
    named_issues,
    rollback_choices,
    standing_md,
    submission_label,
)
from par.present.safe import md, md_issues
from par.read import sandbox
from par.read.template import build_template
from par.store.submit import (
    effect_periods,
    prepare,
    preview_effects,
    rollback_effects,
    submit,
)

TYPES = ["xlsx", "csv"]


@st.cache_resource(show_spinner=False)
def _parsers_ready() -> bool:
    """Start the bounded parser workers once per server, when the upload page is first
    shown, so the first file does not wait for them (par.read.sandbox)."""
    sandbox.warm()
    return True


def page_upload() -> None:
    _parsers_ready()
    lang = cache.lang()
    st.title(t("nav.upload", lang))
    sets = cache.criteria_sets()
    if not sets:
        st.info(t("app.no_sets", lang))
        return
    criteria = st.selectbox(t("app.criteria_set", lang), sets, key="upload_set",
                            format_func=lambda c: c.short_title(lang))
    units = cache.units()
    actor = current_actor()
    level = units[units["level"] == criteria.level]
    if actor is None or not actor.may_import_any():
        st.info(t("upload.no_units", lang))
        return
    level = level.loc[actor.importable(level.index)]  # staff see only their own units
    if level.empty:
        st.info(t("upload.no_units", lang))
        return
    unit = st.selectbox(t("app.unit", lang), list(level.index), key="upload_unit",
                        format_func=lambda u: level.at[u, "name"])
    periods = [Period(criteria.year, q) for q in (1, 2, 3, 4)] + [Period(criteria.year, 5)]
    period = st.selectbox(t("upload.period", lang), periods, key="upload_period",
                          format_func=str)
    _template_section(criteria, units, unit, period, lang)
    _upload_section(criteria, units, unit, period, actor, lang)
    _history_section(criteria, units, unit, actor, lang)


def _template_section(criteria, units, unit: str, period: Period, lang: str) -> None:
    st.subheader(t("upload.template_title", lang))
    st.download_button(
        t("upload.download", lang), key="download_template", on_click="ignore",
        data=lambda: build_template(criteria, units, [unit], period, lang=lang),
        file_name=f"mau-{criteria.id}-{unit}-{period}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _upload_section(criteria, units, unit: str, period: Period, actor, lang: str) -> None:
    st.subheader(t("upload.upload_title", lang))
    if done := st.session_state.pop("upload_done", None):  # after a stored upload
        message, where = done
        st.success(message)
        _standing(criteria, where, lang)
    # A fresh key after each stored upload empties the uploader.
    n = st.session_state.setdefault("upload_round", 0)
    localise_uploader(f"upload_file_{n}", TYPES, lang)
    uploaded = st.file_uploader(t("upload.file", lang), type=TYPES, key=f"upload_file_{n}")
    if uploaded is None:
        return
    result = _checked(uploaded, criteria, units, unit, period, actor)
    if isinstance(result, ParError):  # refused before anything of the file is scored
        issues = named_issues(result.issues, units, lang,
                              may_import=lambda u: actor.may("import", u))
        st.error(t("upload.errors", lang, count=len(issues)) + "\n\n" +
                 md_issues(issues, lang, limit=200))
        return
    prepared = result
    st.success(t("upload.ok", lang, rows=prepared.row_count, groups=len(prepared.groups),
                 what=md(groups_text(prepared.groups, units, lang))))
    effects = preview_effects(cache.store(), prepared, units, cache.rows_for(criteria.id))
    st.markdown(t("upload.preview_title", lang, unit=md(units.at[unit, "name"]),
                  period=fmt_period(period, lang)))
    for caption, table in effect_tables(effects, unit, lang):
        st.markdown(caption)
        st.dataframe(table, hide_index=True)
    if st.button(t("upload.confirm", lang), key="confirm_upload", type="primary"):
        try:  # par.store.storage checks the actor's role and units again: the UI is not the guard
            [(_, ids)] = submit(cache.store(), [prepared], actor=actor)
        except ParError as exc:
            st.error(md_issues(named_issues(exc.issues, units, lang), lang))
            return
        st.session_state["upload_done"] = (
            t("upload.stored", lang, ids=", ".join(f"#{i}" for i in ids)), (unit, str(period)))
        st.session_state["upload_round"] = n + 1
        st.rerun()


def _standing(criteria, where: tuple[str, str], lang: str) -> None:
    """Where the unit stands now (read back from the store), for the period it changed:
    year to date and the whole year."""
    unit, period = where
    cards = [(p, cache.scorecard(criteria.id, p)) for p in effect_periods(period, criteria)]
    if text := standing_md(cards, unit, lang):
        st.info(text)


def _checked(uploaded, criteria, units, unit: str, period: Period, actor):
    """The file checked once (not on every rerun while it sits in the uploader): the
    Prepared submission, or the ParError that refused it (audited once)."""
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()  # the one hash of this file
    key = (digest, uploaded.name, criteria.id, criteria.sha256, unit, str(period), actor.name)
    memo = st.session_state.get("upload_checked")
    if memo is not None and memo[0] == key:
        return memo[1]
    try:  # the file must hold what the page shows (this set, this unit, this period) and
        # only units the actor may import; a template of another set is named as such
        result = prepare(data, uploaded.name, [criteria], units, criteria_id=criteria.id,
                         expected_unit=unit, expected_period=str(period), actor=actor,
                         sha256=digest)
    except ParError as exc:
        cache.store().record_refusal(actor, "import", exc.issues, unit=unit,
                                     period=str(period), file=uploaded.name, sha256=digest)
        result = exc
    st.session_state["upload_checked"] = (key, result)  # only the latest file is kept
    return result


def _history_section(criteria, units, unit: str, actor, lang: str) -> None:
    st.subheader(t("upload.history_title", lang))
    if done := st.session_state.pop("rollback_done", None):
        message, where = done
        st.success(message)
        _standing(criteria, where, lang)
    history = cache.store().history(unit)
    if history.empty:
        st.info(t("upload.no_history", lang))
        return
    st.caption(t("upload.history_caption", lang, unit=md(units.at[unit, "name"])))
    st.dataframe(history_frame(history, lang), hide_index=True)
    earlier = rollback_choices(history, criteria.year)
    if not earlier:
        st.caption(t("upload.rollback_none", lang, year=criteria.year))
        return
    m = st.session_state.setdefault("rollback_round", 0)  # a fresh picker after a rollback
    chosen = st.selectbox(t("upload.rollback_pick", lang), earlier, index=None,
                          key=f"rollback_pick_{m}",
                          placeholder=t("upload.rollback_placeholder", lang),
                          format_func=lambda i: submission_label(history, i, lang))
    if chosen is None:
        return
    # what the rollback would do, computed (not written) before anyone can confirm it
    effects = rollback_effects(cache.store(), chosen, criteria, units,
                               cache.rows_for(criteria.id), history)
    st.markdown(t("upload.rollback_effect", lang, unit=md(units.at[unit, "name"]),
                  what=md(submission_label(history, chosen, lang))))
    for caption, table in effect_tables(effects, unit, lang):
        st.markdown(caption)
        st.dataframe(table, hide_index=True)
    sure = st.checkbox(t("upload.rollback_sure", lang, id=chosen), key=f"rollback_sure_{m}")
    if st.button(t("upload.rollback", lang), key="rollback", type="primary", disabled=not sure):
        try:  # store.rollback is the writer: it checks the actor again and audits
            cache.store().rollback(int(chosen), actor=actor)
        except ParError as exc:
            st.error(md_issues(named_issues(exc.issues, units, lang), lang))
            return
        row = history.loc[history["id"] == chosen].iloc[0]
        st.session_state["rollback_done"] = (t("upload.rolled_back", lang, id=chosen),
                                             (unit, str(row["period"])))
        st.session_state["rollback_round"] = m + 1
        st.rerun()
