"""Two to five units side by side, for people: the grouped-bar figure per domain and the
comparison tables with their headers in the reader's language.

The figure follows par.present.figures (explicit template, Liberation Sans, the
language's decimal separator, every supplied text through plotly_text); the frames come
from par.analysis.compare.
"""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from par.analysis.compare import compare_domains
from par.engine.scoring import Scorecard
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period
from par.present.figures import (
    BEST_COLOR,
    COLOR,
    FONT,
    HIGHLIGHT,
    MAX_COLOR,
    MEAN_COLOR,
    TEMPLATE,
    short_label,
)
from par.present.safe import plotly_text

# One colour per unit, in column order (best ranked first): the dashboard's blue, orange and
# green, then a purple and an ochre that stay apart from them for colour-blind readers.
PALETTE = (COLOR, HIGHLIGHT, BEST_COLOR, "#862e9c", "#b08900")
MEAN_BAR = "#adb5bd"  # lighter than the mean's grey on the unit page: the units stand out
BAR_HEIGHT = 17  # px per bar; a domain's group is this × (units + the mean) plus a gap
# values inside the bars' ends (white), outside only a bar too short to hold one: never
# across the max tick, which lies past every bar's end
_LABELS = dict(textposition="auto", insidetextanchor="end", cliponaxis=False,
               textfont=dict(size=11), insidetextfont=dict(color="white", size=11),
               outsidetextfont=dict(color="#212529", size=11))


def period_label(card: Scorecard, lang: str = "vi") -> str:
    """'Cả năm 2019', or 'Lũy kế đến Quý II/2019' (scores count from January)."""
    return fmt_period(card.as_of, lang, year_to_date=True)  # the year reads "Cả năm" either way


def title_text(card: Scorecard, lang: str = "vi", measure: str = "points") -> str:
    """The chart's title as people read it (not yet plotly-safe)."""
    key = "compare.chart_title_percent" if measure == "percent" else "compare.chart_title"
    return t(key, lang, period=period_label(card, lang))


def _wrapped(text: str, width: int) -> str:
    """Plotly-safe text broken between words into lines of about ``width`` letters."""
    return "<br>".join(plotly_text(line) for line in textwrap.wrap(text, width)) or ""


def domain_label(text: str, width: int = 32, lines: int = 3) -> str:
    """A domain's name broken between words over up to ``lines`` lines (a group of bars is
    tall enough), shortened with "…" beyond; plotly-safe."""
    parts = textwrap.wrap(str(text), width)
    if len(parts) > lines:
        rest = textwrap.shorten(" ".join(parts[lines - 1:]), width, placeholder="…")
        parts = parts[:lines - 1] + [rest]
    return "<br>".join(plotly_text(p) for p in parts)


def fig_compare(card: Scorecard, units, lang: str = "vi", measure: str = "points"
                ) -> go.Figure:
    """Grouped horizontal bars per regular domain, one colour per unit (best ranked first),
    in points or in % of the unit's applicable max; the level mean as a grey tick and, in
    points, the domain's max as a black one. Title: what and the period; subtitle: the
    units and the criteria set."""
    points = compare_domains(card, units, lang, "points")
    shown = compare_domains(card, units, lang, measure) if measure != "points" else points
    keep = (points["kind"] == "regular").to_numpy()
    points, shown = points[keep], shown[keep]
    ids, columns = points.attrs["units"], points.attrs["columns"]
    names = points.attrs["unit_names"]
    y = [domain_label(f"{code}. {name}") for code, name in zip(points["code"], points["name"])]
    percent = measure == "percent"
    maxes = [fmt_number(v, lang) for v in points["max"]]
    hover = "%{y}<br>%{fullData.name}: %{customdata}<extra></extra>"
    fig = go.Figure()
    for i, unit in enumerate(ids):
        col = columns[unit]
        pts = [fmt_number(v, lang) for v in points[col]]
        if percent:
            values = [fmt_number(v, lang, 1) for v in shown[col]]
            custom = [t("compare.hover_percent", lang, percent=v, points=p, max=m)
                      if p != "–" else "–" for v, p, m in zip(values, pts, maxes)]
            text = [v + "%" if v != "–" else v for v in values]
        else:
            custom = [t("compare.hover_points", lang, points=p, max=m) if p != "–" else "–"
                      for p, m in zip(pts, maxes)]
            text = pts
        fig.add_trace(go.Bar(
            x=shown[col].to_numpy(dtype=float), y=y, orientation="h",
            name=short_label(names[unit], 40), marker_color=PALETTE[i % len(PALETTE)],
            customdata=custom, hovertemplate=hover, text=text, **_LABELS))
    # the level mean as one more (grey) bar per domain, as on the unit page
    mean_text = [fmt_number(v, lang, 1 if percent else 2) + ("%" if percent else "")
                 for v in shown["mean"]]
    fig.add_trace(go.Bar(
        x=shown["mean"].to_numpy(dtype=float), y=y, orientation="h",
        name=plotly_text(t("chart.level_mean", lang)), marker_color=MEAN_BAR,
        customdata=mean_text, hovertemplate=hover, text=mean_text,
        **{**_LABELS, "insidetextfont": dict(color="#212529", size=11)}))
    if not percent:  # the max as a tick past the bars' ends, clear of their labels, one per
        # group and never longer than it (a shape in the axis' units: ticks of two groups with
        # the same max must not join into one line)
        for i, top in enumerate(points["max"].to_numpy(dtype=float)):
            fig.add_shape(type="line", xref="x", yref="y", x0=top, x1=top, y0=i - 0.42,
                          y1=i + 0.42, line=dict(color=MAX_COLOR, width=3), layer="above",
                          showlegend=i == 0, name=plotly_text(t("chart.max", lang)),
                          legendgroup="max")
    top = 100.0 if percent else (float(points["max"].max()) if len(points) else 1.0)
    subtitle = _wrapped(" · ".join(names[u] for u in ids), 110)
    subtitle += "<br>" + _wrapped(card.criteria.display_title(lang), 110)
    lines = subtitle.count("<br>") + 1
    axis = t("compare.axis_percent" if percent else "compare.axis_points", lang)
    fig.update_layout(
        template=TEMPLATE, font=FONT, separators=",." if lang == "vi" else ".,",
        title=dict(text=plotly_text(title_text(card, lang, measure)), x=0.01, xanchor="left",
                   subtitle=dict(text=subtitle, font=dict(size=13, color=MEAN_COLOR))),
        height=max(420, len(points) * (BAR_HEIGHT * (len(ids) + 1) + 26) + 160 + 18 * lines),
        margin=dict(l=10, r=30, t=112 + 18 * lines, b=40),
        barmode="group", bargap=0.22, bargroupgap=0.04,
        xaxis=dict(title=plotly_text(axis), range=[0, top * 1.06]),
        yaxis=dict(autorange="reversed"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0, traceorder="normal"))
    return fig


# -- tables ---------------------------------------------------------------------------

def _unit_headers(frame: pd.DataFrame, taken: set[str]) -> dict[str, str]:
    """Unit column → header: the unit's name, with its id when the name is not unique (two
    communes of the same name) or is already another column's header."""
    names = frame.attrs["unit_names"]
    ids = frame.attrs["units"]
    plain = [str(names[u]) for u in ids]
    headers = {}
    for unit, name in zip(ids, plain):
        clash = plain.count(name) > 1 or name in taken
        headers[frame.attrs["columns"][unit]] = f"{name} ({unit})" if clash else name
    return headers


def compare_table(frame: pd.DataFrame, lang: str = "vi", formatted: bool = True
                  ) -> pd.DataFrame:
    """compare_domains or compare_criteria for people: numbers first (each unit's points,
    the best − worst difference, the level mean, the max), the names last; headers in
    ``lang``; numbers as Vietnamese text when ``formatted`` (else floats, for files)."""
    criteria = "domain" in frame.columns
    fixed = {"code": t("col.code", lang), "spread": t("compare.col.spread", lang),
             "mean": t("compare.col.mean", lang), "max": t("compare.col.max", lang),
             "name": t("col.criterion" if criteria else "col.domain", lang)}
    if criteria:
        fixed["domain"] = t("col.domain", lang)
    units = _unit_headers(frame, set(fixed.values()))
    order = ["code"] + list(units) + ["spread", "mean", "max", "name"]
    if criteria:
        order.insert(1, "domain")
    out = frame[order].copy()
    if formatted:
        for col in list(units) + ["spread", "mean", "max"]:
            out[col] = [fmt_number(v, lang) for v in out[col]]
    return out.rename(columns={**fixed, **units}).reset_index(drop=True)
