"""The survey results chart: a pure plotly builder, no streamlit (../shared/spec/SURVEY.md §3).

Dot and whisker, one row per unit: the percentage (a question's ``pct`` or a survey leaf's
value) as a dot, its 95% interval as a whisker; units below the form's ``min_responses`` in
another colour with a legend entry of their own. Units are sorted best first; a unit without
a value (nobody answered with a counted option) is left out. Names pass through
par.present.safe (via short_label / plotly_text) before plotly sees them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from par.i18n import t
from par.i18n.formatting import fmt_number
from par.present.figures import (
    COLOR,
    FONT,
    HIGHLIGHT,
    TEMPLATE,
    legend_below,
    short_label,
)
from par.present.safe import plotly_text

OK_COLOR = COLOR  # enough respondents
LOW_COLOR = HIGHLIGHT  # below min_responses


def fig_survey(rows: pd.DataFrame, names: dict, title: str, min_responses: int,
               lang: str = "vi", value: str = "pct") -> go.Figure:
    """``rows``: one per unit with ``unit``, ``value`` (the column named by ``value``: "pct"
    for a question, "value" for a leaf), ``ci_low``, ``ci_high``, ``n`` and ``flag_low_n``.
    Two traces (enough respondents; fewer than ``min_responses``), each present only when it
    has units; the x axis is the percentage (0–100)."""
    data = rows[rows[value].notna()].sort_values(value, ascending=False, kind="stable")
    units = data["unit"].astype(str).tolist()
    labels = [short_label(str(names.get(u, u)), 34, 1) for u in units]
    if len(set(labels)) < len(labels):  # two units would read the same: their ids
        labels = [plotly_text(u) for u in units]
    data = data.assign(_label=labels)
    fig = go.Figure()
    low = data["flag_low_n"].to_numpy(dtype=bool)
    hover = ("%{y}<br>" + plotly_text(t("spage.chart_pct", lang)) + ": %{customdata[0]}"
             "<br>" + plotly_text(t("spage.chart_ci", lang)) + ": %{customdata[1]}"
             "<br>n = %{customdata[2]}<extra></extra>")
    for mask, name, color in (
            (~low, t("spage.chart_ok", lang, min=min_responses), OK_COLOR),
            (low, t("spage.chart_low", lang, min=min_responses), LOW_COLOR)):
        part = data[mask]
        if part.empty:
            continue
        v = part[value].to_numpy(dtype=float)
        lo = part["ci_low"].to_numpy(dtype=float)
        hi = part["ci_high"].to_numpy(dtype=float)
        plus = np.where(np.isnan(hi), 0.0, hi - v)
        minus = np.where(np.isnan(lo), 0.0, v - lo)
        custom = np.column_stack([
            [fmt_number(x, lang, 1) for x in v],
            [f"{fmt_number(a, lang, 1)} – {fmt_number(b, lang, 1)}" if not np.isnan(a)
             else "–" for a, b in zip(lo, hi)],
            part["n"].astype(int).astype(str).to_numpy()])
        fig.add_trace(go.Scatter(
            x=v, y=part["_label"], mode="markers", name=plotly_text(name),
            marker=dict(color=color, size=10),
            error_x=dict(type="data", symmetric=False, array=plus, arrayminus=minus,
                         color=color, thickness=2, width=4),
            customdata=custom, hovertemplate=hover))
    height = max(320, 26 * len(data) + 200)
    fig.update_layout(
        template=TEMPLATE, title=dict(text=plotly_text(title), x=0.01, xanchor="left"),
        height=height, font=FONT, separators=",." if lang == "vi" else ".,",
        margin=dict(l=10, r=30, t=90, b=40),
        xaxis=dict(title=plotly_text(t("spage.chart_axis", lang)), range=[-2, 102],
                   zeroline=False),
        yaxis=dict(categoryorder="array", categoryarray=labels, autorange="reversed"),
        legend=legend_below(height), showlegend=True)
    return fig


__all__ = ["fig_survey", "OK_COLOR", "LOW_COLOR"]
