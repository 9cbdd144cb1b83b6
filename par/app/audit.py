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
from par.i18n import t


def audit_frame(lang: str):
    frame = cache.store().audit()
    frame["at"] = frame["at"].astype(str).str[:19]
    return frame.rename(columns={c: t(f"audit.{c}", lang) for c in frame.columns})


def audit_csv(lang: str) -> bytes:
    """The log as CSV (UTF-8 with a BOM, so Excel reads it), formula-safe."""
    return audit_frame(lang).map(safe_text).to_csv(index=False).encode("utf-8-sig")


def page_audit() -> None:
    lang = cache.lang()
    st.title(t("nav.audit", lang))
    frame = audit_frame(lang)
    st.dataframe(frame, hide_index=True)
    st.download_button(t("audit.download", lang), key="download_audit", on_click="ignore",
                       data=lambda: audit_csv(lang),
                       file_name="nhat-ky.csv", mime="text/csv")
