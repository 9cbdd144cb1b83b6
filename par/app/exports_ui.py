"""Download buttons for meeting material; every file is built only when its button is clicked."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from par.i18n import t

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}


def _publication(card) -> dict | None:
    """The publication ``card`` is (par.app.cache.scorecard gives a published period's
    frozen result), or None."""
    from par.app import cache

    return cache.publication(card.criteria.id, card.as_of)


def labelled_chart(card, kind: str, lang: str, unit: str | None = None,
                   published: dict | None = None, **extra):
    """The chart as exported (par.export.images.chart_figure); a published result's title
    ends with "(công bố dd/mm/yyyy)"."""
    from par.export.images import chart_figure
    from par.present.published import published_short

    fig = chart_figure(card, kind, unit, lang, **extra)
    if published is not None:
        fig.update_layout(title_text=(fig.layout.title.text or "") + " "
                          + published_short(published, lang))
    return fig


def chart_downloads(card, kind: str, lang: str, unit: str | None = None, **extra) -> None:
    """PNG (2×), SVG and PDF of a dashboard chart, with its context in the title."""
    from par.export.images import export_figure

    stem = f"{kind}-{card.criteria.id}-{card.as_of}" + (f"-{unit}" if unit else "")
    published = _publication(card)
    cols = st.columns(6)
    for col, fmt in zip(cols, ("png", "svg", "pdf")):
        col.download_button(
            t(f"export.button_{fmt}", lang), key=f"dl_{kind}_{fmt}", on_click="ignore",
            data=lambda fmt=fmt: export_figure(
                labelled_chart(card, kind, lang, unit, published, **extra), fmt, scale=2),
            file_name=f"{stem}.{fmt}", mime=MIME[fmt])


def _trend(card, unit: str | None):
    """The unit's index and rank through the set's year, for the pack's trend slide."""
    if unit is None:
        return None
    from par.analysis.trends import get_trend
    from par.app import cache

    return get_trend(card.criteria, cache.units(), cache.rows_for(card.criteria.id), [unit])


def _target(card, unit: str | None) -> int | None:
    """The target rank the unit page shows (par.app.decide.section_target: the user's choice,
    else its default), so the pack's target slide says what the page says. Read while the
    page is drawn: the file itself is built later, outside the page's run."""
    from par.app.decide import default_target

    if unit is None or unit not in card.units.index or pd.isna(card.units.at[unit, "rank"]):
        return None
    value = st.session_state.get(f"target_{unit}")
    return int(value) if value else default_target(int(card.units.at[unit, "rank"]))


def meeting_downloads(card, lang: str, unit: str | None = None) -> None:
    """The Excel report and the slide pack (PPTX and PDF) — the same files as the CLI's."""
    from par.export.pack import build_pack, build_pack_pdf
    from par.export.report import build_report

    stem = f"{card.criteria.id}-{card.as_of}" + (f"-{unit}" if unit else "")
    target = _target(card, unit)
    published = _publication(card)  # a published result is labelled with its date
    cols = st.columns(3)
    cols[0].download_button(t("export.button_report", lang), key="dl_report", on_click="ignore",
                            data=lambda: build_report(card, lang, unit, published=published),
                            file_name=f"bao-cao-{stem}.xlsx", mime=MIME["xlsx"])
    cols[1].download_button(t("export.button_pack", lang), key="dl_pack", on_click="ignore",
                            data=lambda: build_pack(card, unit, lang, trend=_trend(card, unit),
                                                    target_rank=target, published=published),
                            file_name=f"trinh-chieu-{stem}.pptx", mime=MIME["pptx"])
    cols[2].download_button(t("export.button_pack_pdf", lang), key="dl_pack_pdf",
                            on_click="ignore",
                            data=lambda: build_pack_pdf(card, unit, lang,
                                                        trend=_trend(card, unit),
                                                        target_rank=target,
                                                        published=published),
                            file_name=f"trinh-chieu-{stem}.pdf", mime=MIME["pdf"])
