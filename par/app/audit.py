"""Nhật ký: who did what, when, to which unit and period, from which file (admin, reviewer)."""
from __future__ import annotations

import streamlit as st

from par.app import cache
from par.i18n import t


def audit_frame(lang: str):
    frame = cache.store().audit()
    frame["at"] = frame["at"].astype(str).str[:19]
    return frame.rename(columns={c: t(f"audit.{c}", lang) for c in frame.columns})


def page_audit() -> None:
    lang = cache.lang()
    st.title(t("nav.audit", lang))
    frame = audit_frame(lang)
    st.dataframe(frame, hide_index=True)
    st.download_button(t("audit.download", lang), key="download_audit", on_click="ignore",
                       data=lambda: frame.to_csv(index=False).encode("utf-8-sig"),
                       file_name="nhat-ky.csv", mime="text/csv")
