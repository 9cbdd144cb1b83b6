"""Nhật ký: who did what, when, to which unit and period, from which file (admin, reviewer).

Account names, units and file names in the log come from people: the table shows them as
text, and the CSV download writes a cell that starts like a formula (= + - @ tab CR) with a
leading quote, as the results CSV does (par.export.results.safe_text), so a spreadsheet
never runs it.
"""
from __future__ import annotations

import streamlit as st

from par.app import cache
from par.export.results import safe_text
from par.i18n import MESSAGES, t
from par.present.frames import filter_audit


def audit_frame(lang: str, frame=None):
    frame = cache.store().audit() if frame is None else frame.copy()
    frame["at"] = frame["at"].astype(str).str[:19]
    return frame.rename(columns={c: t(f"audit.{c}", lang) for c in frame.columns})


def audit_csv(lang: str, frame=None) -> bytes:
    """The log as CSV (UTF-8 with a BOM, so Excel reads it), formula-safe."""
    return audit_frame(lang, frame).map(safe_text).to_csv(index=False).encode("utf-8-sig")


def page_audit() -> None:
    lang = cache.lang()
    st.title(t("nav.audit", lang))
    log = cache.store().audit()
    actions = sorted(set(log["action"]))
    cols = st.columns(3)
    chosen = cols[0].multiselect(t("audit.filter_action", lang), actions, key="audit_actions",
                                 format_func=lambda a: t(f"audit.action_{a}", lang)
                                 if f"audit.action_{a}" in MESSAGES else a)
    user = cols[1].text_input(t("audit.filter_user", lang), key="audit_user")
    unit = cols[2].text_input(t("audit.filter_unit", lang), key="audit_unit")
    shown = filter_audit(log, chosen, user, unit)
    st.caption(t("audit.shown", lang, shown=len(shown), total=len(log)))
    st.dataframe(audit_frame(lang, shown), hide_index=True)
    st.download_button(t("audit.download", lang), key="download_audit", on_click="ignore",
                       data=lambda: audit_csv(lang, shown),
                       file_name="nhat-ky.csv", mime="text/csv")
