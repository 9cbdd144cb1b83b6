"""Nhật ký: who did what, when, to which unit and period, from which file (admin, reviewer).

Newest first; filters for the action, the user, the unit (by name) and the period; the
unit's name beside its id, times in Vietnam time, the file's SHA-256 shortened to 12
(par.present.logs). Refused attempts (a file for another unit, a rollback not allowed …)
are entries like any other ("bị từ chối").

Account names, units and file names in the log come from people: the table shows them as
text, and the CSV download (the entries shown, with their full values) writes a cell that
starts like a formula (= + - @ tab CR) with a leading quote, as the results CSV does
(par.export.results.safe_text), so a spreadsheet never runs it.
"""
from __future__ import annotations

import streamlit as st

from par.app import cache
from par.export.results import safe_text
from par.i18n import t
from par.i18n.formatting import fmt_period
from par.present.logs import (
    action_word,
    audit_export,
    audit_view,
    filter_log,
    log_choices,
    unit_label,
)


def audit_frame(lang: str, frame=None):
    """The log (or ``frame``, a part of it) as the page shows it."""
    frame = cache.store().audit() if frame is None else frame
    return audit_view(frame, cache.units(), lang)


def audit_csv(lang: str, frame=None) -> bytes:
    """The log as CSV (UTF-8 with a BOM, so Excel reads it), full values, formula-safe."""
    frame = cache.store().audit() if frame is None else frame
    export = audit_export(frame, cache.units(), lang)
    return export.map(safe_text).to_csv(index=False).encode("utf-8-sig")


def page_audit() -> None:
    lang = cache.lang()
    st.title(t("nav.audit", lang))
    log = cache.store().audit()
    units = cache.units()
    choices = log_choices(log, units)
    every = t("audit.all", lang)
    cols = st.columns([3, 2, 3, 2])
    chosen = cols[0].multiselect(t("audit.filter_action", lang), choices["action"],
                                 key="audit_actions",
                                 format_func=lambda a: action_word(a, lang),
                                 placeholder=every)
    user = cols[1].selectbox(t("audit.filter_user", lang), [None] + choices["user"],
                             key="audit_user", format_func=lambda u: every if u is None else u)
    unit = cols[2].selectbox(t("audit.filter_unit", lang), [None] + choices["unit"],
                             key="audit_unit",
                             format_func=lambda u: every if u is None else unit_label(u, units))
    period = cols[3].selectbox(t("audit.filter_period", lang), [None] + choices["period"],
                               key="audit_period",
                               format_func=lambda p: every if p is None else fmt_period(p, lang))
    shown = filter_log(log, chosen, user, unit, period)
    st.caption(t("audit.shown", lang, shown=len(shown), total=len(log)))
    if shown.empty:
        st.info(t("audit.none", lang))
    else:
        st.dataframe(audit_view(shown, units, lang), hide_index=True)
    st.download_button(t("audit.download", lang), key="download_audit", on_click="ignore",
                       help=t("audit.download_help", lang),
                       data=lambda: audit_csv(lang, shown),
                       file_name="nhat-ky.csv", mime="text/csv")
