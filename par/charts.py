"""Plotly figure builders: pure functions from a Scorecard to a go.Figure, no streamlit.

Every figure carries an explicit template, so it looks the same in the browser and
when exported (streamlit would otherwise impose its own theme on exports).
"""
from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from par.formatting import fmt_number
from par.messages import t
from par.scoring import Scorecard

TEMPLATE = "plotly_white"
COLOR = "#1f5fa8"
HIGHLIGHT = "#d9480f"
MEAN_COLOR = "#555555"


def short_label(text: str, width: int = 28) -> str:
    """Long Vietnamese unit names wrap over two lines, then truncate."""
    lines = textwrap.wrap(text, width)
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]
    return "<br>".join(lines)


def fig_ranking(card: Scorecard, lang: str = "vi", highlight: str | None = None) -> go.Figure:
    """Horizontal bars of the index, best on top, the selected unit highlighted, the mean drawn."""
    ranked = card.ranked.iloc[::-1]
    colors = [HIGHLIGHT if uid == highlight else COLOR for uid in ranked.index]
    mean = float(ranked["index"].mean()) if len(ranked) else 0.0
    fig = go.Figure(go.Bar(
        x=ranked["index"], y=[short_label(n) for n in ranked["name"]], orientation="h",
        marker_color=colors,
        text=[f"{int(r)}/{int(o)} · {fmt_number(v, lang)}" for r, o, v in
              zip(ranked["rank"], ranked["of"], ranked["index"])],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    fig.add_vline(x=mean, line_dash="dash", line_color=MEAN_COLOR,
                  annotation_text=t("chart.mean", lang, value=fmt_number(mean, lang)),
                  annotation_position="top")
    fig.update_layout(
        template=TEMPLATE,
        title=t("chart.ranking_title", lang, title=card.criteria.display_title(lang),
                as_of=card.as_of),
        xaxis=dict(title=t("col.index", lang), range=[0, card.criteria.scale * 1.12]),
        height=max(360, 26 * len(ranked) + 120), margin=dict(l=10, r=30, t=70, b=40),
        font=dict(family="Liberation Sans, Arial, sans-serif"))
    return fig
