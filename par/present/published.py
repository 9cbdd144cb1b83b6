"""The published ranking, labelled with its date wherever it is shown (WORKFLOW §3).

A period of a criteria set whose scoring round was published is shown from the frozen
result (par.store.publication.published), and every page and export that shows it says so
in one sentence: "Kết quả chính thức, công bố ngày 15/03/2026 (đợt #3)". A period whose
round is still running says its result is provisional and in which phase the round is.
The sentences are made here only, so every page words them the same.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.i18n import t
from par.i18n.formatting import fmt_period, fmt_time


def published_date(meta: dict, lang: str = "vi") -> str:
    """The publication's date in Vietnam time: '15/03/2026' ('2026-03-15' in English)."""
    return fmt_time(meta.get("published_at"), lang).split(" ")[0]


def published_label(meta: dict, lang: str = "vi") -> str:
    """'Kết quả chính thức, công bố ngày 15/03/2026 (đợt #3)'."""
    return t("rboard.published_label", lang, date=published_date(meta, lang),
             round=meta.get("round_id", "–"))


def published_short(meta: dict, lang: str = "vi") -> str:
    """'(công bố 15/03/2026)', what a chart's title ends with."""
    return t("rboard.published_short", lang, date=published_date(meta, lang))


def provisional_label(rnd, lang: str = "vi") -> str:
    """'Kết quả tạm thời — đợt chấm điểm đang ở giai đoạn Thẩm định (đợt #3)'."""
    return t("rboard.provisional_label", lang, phase=t(f"round.phase_{rnd.phase}", lang),
             round=rnd.id)


def standing_label(meta: dict | None, rnd, lang: str = "vi") -> tuple[str, str] | None:
    """("published" | "provisional", the sentence) for a period: its latest publication when
    there is one (even while a reopened round runs again), else its round's phase when a
    round runs for it; None when no round concerns the period."""
    if meta is not None:
        return "published", published_label(meta, lang)
    if rnd is not None and rnd.phase != "published":
        return "provisional", provisional_label(rnd, lang)
    return None


def period_label(period, meta: dict, lang: str = "vi") -> str:
    """'Cả năm 2025: Kết quả chính thức, công bố ngày …' (a table of several periods)."""
    return t("rboard.period_label", lang, period=fmt_period(period, lang),
             label=published_label(meta, lang))


def with_published(trend: pd.DataFrame, cards: dict) -> pd.DataFrame:
    """A trend frame (par.analysis.trends.get_trend) whose points of a published period
    (``cards``: period text → its published Scorecard) read the published index, rank and
    provisional flag, whatever rows changed since. Vectorised: one join per period."""
    if trend.empty or not cards:
        return trend
    out = trend.copy()
    for period, card in cards.items():
        at = (out["as_of"].astype(str) == str(period)).to_numpy()
        if not at.any():
            continue
        units = card.units
        ids = out.loc[at, "unit"]
        known = ids.isin(units.index).to_numpy()
        rows = np.flatnonzero(at)[known]
        keep = ids[known]
        out.loc[out.index[rows], "index"] = units["index"].reindex(keep).to_numpy(dtype=float)
        out.loc[out.index[rows], "rank"] = pd.array(units["rank"].reindex(keep), dtype="Int64")
        out.loc[out.index[rows], "of"] = units["of"].reindex(keep).to_numpy()
        out.loc[out.index[rows], "provisional"] = (
            units["provisional"].reindex(keep).to_numpy(dtype=bool))
    return out
