"""Static chart files (PNG, SVG, PDF) from plotly figures, server-side with kaleido 1.x.

Rendering goes through par.export.browser: one Chromium per process, started by the first
export (never at import), shared by every thread, bounded by timeouts.

Every exported figure gets an explicit template (streamlit changes plotly's default on
import) and a font that covers Vietnamese (fonts-liberation2), and the same figure gives
the same bytes every time: SVG element ids and PDF dates are fixed.
"""
from __future__ import annotations

import functools
import json
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from par.engine.scoring import Scorecard
from par.export.browser import ExportError, find_browser, render
from par.export.reproducible import fixed_pdf
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank
from par.present.figures import (
    TEMPLATE,
    fig_distribution,
    fig_domains,
    fig_heatmap,
    fig_ranking,
    fig_trend,
)
from par.present.safe import plotly_text

__all__ = ["ExportError", "chart_figure", "export_chart", "export_figure", "find_browser",
           "period_text", "prepared", "unit_text", "with_subtitle", "without_title"]

FORMATS = ("png", "svg", "pdf")
KINDS = ("ranking", "domains", "heatmap", "distribution", "trend")
FONT_FAMILY = "Liberation Sans, Arial, sans-serif"
DEFAULT_WIDTH, DEFAULT_HEIGHT = 1100, 600


# -- figures as files -----------------------------------------------------------------

def prepared(fig: go.Figure, template: str | None = TEMPLATE) -> go.Figure:
    """A copy ready to export: explicit template, Vietnamese-capable font, fixed trace uids."""
    return go.Figure(_spec(fig, template))


@functools.lru_cache(maxsize=8)
def _template_json(name: str) -> str:
    return json.dumps(pio.templates[name].to_plotly_json())


def _spec(fig: go.Figure, template: str | None) -> dict:
    """The figure as the dict kaleido renders (a deep copy), patched directly: re-validating
    a template through Figure.update_layout would cost more than rendering the image."""
    spec = fig.to_dict()
    layout = spec.setdefault("layout", {})
    if template is not None:
        layout["template"] = json.loads(_template_json(template))
    layout.setdefault("font", {})["family"] = FONT_FAMILY
    for i, trace in enumerate(spec.get("data", [])):
        trace["uid"] = f"t{i}"
    return spec


_RANDOM_ID = re.compile(rb'id="(?:defs-|topdefs-|legend|clip)([0-9a-f]{6})')


def _fixed_svg(svg: bytes) -> bytes:
    """plotly.js names defs, clip paths and legends after random per-render ids: number
    them in order of appearance instead."""
    tokens = list(dict.fromkeys(_RANDOM_ID.findall(svg)))
    for n, token in enumerate(tokens):
        svg = svg.replace(token, b"%06x" % (0xf00000 + n))
    return svg


def export_figure(fig: go.Figure, fmt: str = "png", scale: float = 2, width: int | None = None,
                  height: int | None = None, template: str | None = TEMPLATE) -> bytes:
    """The figure as PNG, SVG or PDF bytes.

    width/height are CSS pixels (default: the figure's own, else 1100 × 600); a PNG has
    ``scale`` × that many pixels, an SVG carries ``scale`` in its width/height attributes
    over a width × height viewBox, a PDF page is width × height pixels at 96 per inch.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format '{fmt}' is not supported; expected one of {list(FORMATS)}")
    width = int(width or fig.layout.width or DEFAULT_WIDTH)
    height = int(height or fig.layout.height or DEFAULT_HEIGHT)
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    data = render(_spec(fig, template), opts)
    if fmt == "svg":
        return _fixed_svg(data)
    if fmt == "pdf":
        return fixed_pdf(data)
    return data


def with_subtitle(fig: go.Figure, text: str | None) -> go.Figure:
    """A copy with ``text`` (as people wrote it: names are shown as text) as the title's
    subtitle (context: set, period, unit, rank), the top margin grown to make room for it."""
    out = go.Figure(fig)
    if not text:
        return out
    top = out.layout.margin.t if out.layout.margin.t is not None else 80
    out.update_layout(title_subtitle_text=plotly_text(text), title_subtitle_font=dict(size=13, color="#555"),
                      margin_t=top + 22)
    if out.layout.title.x is None:  # left-aligned like the other builders' titles
        out.update_layout(title_x=0.01, title_xanchor="left")
    return out


def without_title(fig: go.Figure, top: int = 20) -> go.Figure:
    """A copy without its title, for slides whose own title already says it."""
    out = go.Figure(fig)
    out.update_layout(title_text="", title_subtitle_text="", margin_t=top)
    return out


# -- the dashboard's charts with their context -----------------------------------------

def period_text(card: Scorecard, lang: str = "vi") -> str:
    """'Bộ chỉ số … · tính đến kỳ 2019'."""
    return t("export.context", lang, title=card.criteria.display_title(lang), as_of=fmt_period(card.as_of, lang, year_to_date=True))


def unit_text(card: Scorecard, unit: str, lang: str = "vi") -> str:
    """'Thị xã Cửa Lò: xếp thứ 14/21 · 76,68%'."""
    u = card.units.loc[unit]
    if pd.isna(u["rank"]):
        return t("export.context_unranked", lang, unit=u["name"])
    return t("export.context_unit", lang, unit=u["name"], rank=fmt_rank(u["rank"], u["of"]),
             index=fmt_number(u["index"], lang))


def _check(card: Scorecard, kind: str, unit: str | None, criterion: str | None, trend) -> None:
    if kind not in KINDS:
        raise ValueError(f"chart kind '{kind}' is not supported; expected one of {list(KINDS)}")
    if unit is not None and unit not in card.units.index:
        raise KeyError(f"unit '{unit}' is not scored in {card.criteria.id}")
    if kind in ("domains", "trend") and unit is None:
        raise ValueError(f"the '{kind}' chart needs a unit")
    if kind == "distribution" and criterion not in card.criteria.nodes:
        raise KeyError(f"the distribution chart needs a criterion of {card.criteria.id}, "
                       f"got {criterion!r}")
    if kind == "trend" and trend is None:
        raise ValueError("the trend chart needs the frame of par.analysis.trends.get_trend")


def _polish_bars(fig: go.Figure, position: str = "inside") -> go.Figure:
    """Value labels inside the bars' ends and reference lines under the bars: on paper the
    outside labels ran across the dashed mean line and the max ticks."""
    fig.update_traces(textposition=position, insidetextanchor="end",
                      insidetextfont=dict(color="white"), selector=dict(type="bar"))
    fig.update_shapes(layer="below")
    fig.update_yaxes(ticklabelstandoff=6)
    return fig


def _bold_label(fig: go.Figure, index: int | None) -> go.Figure:
    """The highlighted unit's axis label in bold (its bar may be too short to see)."""
    trace = fig.data[0]
    if index is None or trace.y is None or not 0 <= index < len(trace.y):
        return fig
    labels = list(trace.y)
    labels[index] = f"<b>{labels[index]}</b>"
    trace.y = labels
    return fig


def _position(keys, unit: str | None) -> int | None:
    keys = list(keys)
    return keys.index(unit) if unit in keys else None


def chart_figure(card: Scorecard, kind: str, unit: str | None = None, lang: str = "vi",
                 trend=None, criterion: str | None = None) -> go.Figure:
    """The dashboard chart ``kind`` with a title and subtitle that carry its context.

    kind: ranking (``unit`` highlighted), domains (needs ``unit``), heatmap (domain
    attainment), distribution (needs ``criterion``), trend (needs ``unit`` and the
    ``trend`` frame of par.analysis.trends.get_trend).
    """
    from par.analysis.trends import (
        get_criterion_distribution,
        get_domain_attainment,
        get_domain_comparison,
    )

    _check(card, kind, unit, criterion, trend)
    context = period_text(card, lang)
    if kind == "ranking":
        fig = _polish_bars(fig_ranking(card, lang, highlight=unit))
        fig.update_xaxes(range=[0, card.criteria.scale * 1.03])
        _bold_label(fig, _position(card.ranked.index[::-1], unit))
        sub = t("export.context_ranking", lang, count=len(card.ranked),
                mean=fmt_number(card.ranked["index"].mean(), lang))
        sub = unit_text(card, unit, lang) + " · " + sub if unit else sub
    elif kind == "domains":
        u = card.units.loc[unit]
        fig = _polish_bars(fig_domains(get_domain_comparison(card, unit, lang), u["name"],
                                       fmt_rank(u["rank"], u["of"]), lang), "auto")
        fig = with_subtitle(fig, context)  # its legend sits above the plot: a little more room
        return fig.update_layout(margin_t=fig.layout.margin.t + 14)
    elif kind == "heatmap":
        title = t("chart.attainment_domains_title", lang, title=card.criteria.display_title(lang),
                  as_of=fmt_period(card.as_of, lang, year_to_date=True))
        fig = fig_heatmap(get_domain_attainment(card, lang), lang, title)
        fig.update_traces(colorbar_title_side="right")
        _bold_label(fig, _position(card.units.index, unit))
        sub = unit_text(card, unit, lang) if unit else None
    elif kind == "distribution":
        node = card.criteria.nodes[criterion]
        dist = get_criterion_distribution(card, criterion)
        fig = _polish_bars(fig_distribution(dist, criterion, node.display_name(lang), lang,
                                            highlight=unit), "auto")
        order = dist.sort_values("points", ascending=False, kind="stable",
                                 na_position="last")["unit"].iloc[::-1]
        _bold_label(fig, _position(order, unit))
        sub = context + (" · " + unit_text(card, unit, lang) if unit else "")
    else:
        fig = fig_trend(trend, card.units.at[unit, "name"], lang, unit=unit)
        sub = context + " · " + unit_text(card, unit, lang)
    return with_subtitle(fig, sub)


def export_chart(card: Scorecard, kind: str, fmt: str = "png", unit: str | None = None,
                 lang: str = "vi", trend=None, criterion: str | None = None, scale: float = 2,
                 width: int | None = None, height: int | None = None) -> bytes:
    """chart_figure(...) exported: what the CLI's ``chart`` command and the dashboard's
    download buttons write."""
    fig = chart_figure(card, kind, unit, lang, trend=trend, criterion=criterion)
    return export_figure(fig, fmt, scale=scale, width=width, height=height)
