"""Tải lên: download a template, upload a filled file, preview, confirm; history and rollback."""
from __future__ import annotations

import hashlib

import streamlit as st

from par.app import cache
from par.app.auth_ui import current_actor
from par.domain.issues import ParError
from par.domain.periods import Period
from par.i18n import t
from par.present.frames import history_table, preview_table
from par.present.safe import md, md_issues
from par.read import sandbox
from par.read.template import build_template
from par.store.submit import prepare, preview, submit


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
    _history_section(unit, actor, lang)


def _template_section(criteria, units, unit: str, period: Period, lang: str) -> None:
    st.subheader(t("upload.template_title", lang))
    st.download_button(
        t("upload.download", lang), key="download_template", on_click="ignore",
        data=lambda: build_template(criteria, units, [unit], period, lang=lang),
        file_name=f"mau-{criteria.id}-{unit}-{period}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _upload_section(criteria, units, unit: str, period: Period, actor, lang: str) -> None:
    st.subheader(t("upload.upload_title", lang))
    # A fresh key after each stored upload empties the uploader.
    n = st.session_state.setdefault("upload_round", 0)
    uploaded = st.file_uploader(t("upload.file", lang), type=["xlsx", "csv"],
                                key=f"upload_file_{n}")
    if uploaded is None:
        return
    result = _checked(uploaded, criteria, units, unit, period, actor)
    if isinstance(result, ParError):
        st.error(t("upload.errors", lang, count=len(result.issues)) + "\n\n" +
                 md_issues(result.issues, lang, limit=200))
        return
    prepared = result
    what = ", ".join(sorted({f"{g.unit} {g.period}" for g in prepared.groups}))
    st.success(t("upload.ok", lang, rows=prepared.row_count, groups=len(prepared.groups),
                 what=md(what)))
    before, after = preview(cache.store(), prepared, units, cache.rows_for(criteria.id))
    unit_ids = sorted({g.unit for g in prepared.groups})
    st.dataframe(preview_table(before, after, unit_ids, lang), hide_index=True)
    if st.button(t("upload.confirm", lang), key="confirm_upload", type="primary"):
        try:  # par.store.storage checks the actor's role and units again: the UI is not the guard
            [(_, ids)] = submit(cache.store(), [prepared], actor=actor)
        except ParError as exc:
            st.error(md_issues(exc.issues, lang))
            return
        st.session_state["upload_done"] = t("upload.stored", lang,
                                            ids=", ".join(f"#{i}" for i in ids))
        st.session_state["upload_round"] = n + 1
        st.rerun()


def _checked(uploaded, criteria, units, unit: str, period: Period, actor):
    """The file checked once (not on every rerun while it sits in the uploader): the
    Prepared submission, or the ParError that refused it (audited once)."""
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()  # the one hash of this file
    key = (digest, uploaded.name, criteria.id, criteria.sha256, unit, str(period), actor.name)
    memo = st.session_state.get("upload_checked")
    if memo is not None and memo[0] == key:
        return memo[1]
    try:  # the file must hold what the page shows (this unit, this period) and the actor's
        result = prepare(data, uploaded.name, [criteria], units, expected_unit=unit,
                         expected_period=str(period), actor=actor, sha256=digest)
    except ParError as exc:
        cache.store().record_refusal(actor, "import", exc.issues, unit=unit,
                                     period=str(period), file=uploaded.name, sha256=digest)
        result = exc
    st.session_state["upload_checked"] = (key, result)  # only the latest file is kept
    return result


def _history_section(unit: str, actor, lang: str) -> None:
    st.subheader(t("upload.history_title", lang))
    if msg := st.session_state.pop("upload_done", None):
        st.success(msg)
    history = cache.store().history(unit)
    if history.empty:
        st.info(t("upload.no_history", lang))
        return
    st.dataframe(history_table(history, lang), hide_index=True)
    earlier = list(history.loc[history["status"] != "current", "id"])
    if not earlier:
        return
    chosen = st.selectbox(t("upload.rollback_pick", lang), earlier, key="rollback_pick",
                          format_func=lambda i: f"#{i}")
    if st.button(t("upload.rollback", lang), key="rollback"):
        try:
            cache.store().rollback(int(chosen), actor=actor)
        except ParError as exc:
            st.error(md_issues(exc.issues, lang))
            return
        st.session_state["upload_done"] = t("upload.rolled_back", lang, id=chosen)
        st.rerun()
