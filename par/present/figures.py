"""Plotly figure builders: pure functions from a Scorecard to a go.Figure, no streamlit.

Every figure carries an explicit template, so it looks the same in the browser and
when exported (streamlit would otherwise impose its own theme on exports).

Builders take names as people typed them and pass every text through
par.present.safe.plotly_text before plotly sees it: plotly reads <a href>, <b> … and
TeX in its texts, so a unit named "<a href=…>" would otherwise draw a link.
"""
from __future__ import annotations

import textwrap

import numpy as np
import plotly.graph_objects as go

from par.analysis.trends import trend_kind
from par.engine.scoring import Scorecard
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank
from par.present.safe import plotly_text

TEMPLATE = "plotly_white"
COLOR = "#1f5fa8"
HIGHLIGHT = "#d9480f"
MEAN_COLOR = "#555555"


def legend_below(height: int, top: int = 90, bottom: int = 40) -> dict:
    """A horizontal legend under the plot, clear of the x axis's ticks and title (about 64 px
    below the plot): above the plot, a narrow screen (a phone) wraps it into rows that climb
    over the chart's title. Plotly grows the bottom margin to fit it."""
    return dict(orientation="h", yanchor="top", y=-64 / max(height - top - bottom, 100),
                x=0.0, xanchor="left")

TITLE_WIDTH = 40  # characters on one title line: a longer title breaks (a phone is narrow)



def short_label(text: str, width: int = 28, lines: int = 2) -> str:
    """Long Vietnamese names wrap between words over ``lines`` lines, the last one shortened
    with "…"; plotly-safe (each line escaped after wrapping, so the width counts letters and
    no entity is cut)."""
    wrapped = textwrap.wrap(str(text), width)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines - 1] + [textwrap.shorten(" ".join(wrapped[lines - 1:]), width,
                                                          placeholder="…")]
    return "<br>".join(plotly_text(line) for line in wrapped)


def fig_ranking(card: Scorecard, lang: str = "vi", highlight: str | None = None,
                top: int | None = None) -> go.Figure:
    """Horizontal bars of the index, best on top, the selected unit highlighted, the level
    mean drawn.

    One bar per ranked unit unless ``top`` is given and the level has more ranked units
    than that: then the ``top // 2`` best and the rest of ``top`` worst units are drawn,
    plus the highlighted unit wherever it ranks, each run of left-out units shown as an
    empty row labelled "… 3.281 đơn vị khác …", and the subtitle says so. The mean line is
    always the mean of the whole level.
    """
    best_first = card.ranked
    mean = float(best_first["index"].mean()) if len(best_first) else 0.0
    rows = _ranking_rows(best_first, highlight, top)
    shown = sum(1 for pos in rows if not isinstance(pos, _Gap))
    labels, xs, texts, shown_index, colors = [], [], [], [], []
    for item in reversed(rows):  # plotly draws the first category at the bottom
        if isinstance(item, _Gap):
            labels.append("<i>" + plotly_text(t("chart.ranking_gap", lang, count=fmt_number(
                item.count, lang, 0))) + "</i>")
            xs.append(float("nan"))
            texts.append("")
            shown_index.append("")
            colors.append(COLOR)
            continue
        r = best_first.iloc[item]
        labels.append(short_label(r["name"]))
        xs.append(r["index"])
        shown_index.append(fmt_number(r["index"], lang))  # half up, as it ranks (CONTRACT §4)
        texts.append(f"{int(r['rank'])}/{int(r['of'])} · {shown_index[-1]}")
        colors.append(HIGHLIGHT if best_first.index[item] == highlight else COLOR)
    # Labels inside the bars' ends and the mean line under the bars: outside labels ran
    # across the dashed line (the exported charts had this already; now both look the same).
    fig = go.Figure(go.Bar(
        x=np.array(xs, dtype=float), y=_unique(labels), orientation="h",
        marker_color=colors, text=texts, textposition="inside", insidetextanchor="end",
        insidetextfont=dict(color="white"), cliponaxis=False,
        customdata=shown_index, hovertemplate="%{y}: %{customdata}<extra></extra>"))
    fig.add_vline(x=mean, line_dash="dash", line_color=MEAN_COLOR, layer="below",
                  annotation_text=plotly_text(t("chart.mean", lang, value=fmt_number(mean, lang))),
                  annotation_position="top")
    title = plotly_text(t("chart.ranking_title", lang, title=card.criteria.display_title(lang),
                          as_of=fmt_period(card.as_of, lang, year_to_date=True)))
    margin = dict(l=10, r=30, t=70, b=40)
    if shown < len(best_first):
        head = top // 2
        title = dict(text=title, subtitle=dict(text=plotly_text(t(
            "chart.ranking_top_bottom", lang, top=head, bottom=top - head,
            count=fmt_number(len(best_first), lang, 0)))))
        margin["t"] = 96
    fig.update_layout(
        template=TEMPLATE, title=title,
        xaxis=dict(title=plotly_text(t("col.index", lang)),
                   range=[0, card.criteria.scale * 1.12]),
        yaxis=dict(ticklabelstandoff=6),
        height=max(360, 26 * len(rows) + 120), margin=margin,
        font=dict(family="Liberation Sans, Arial, sans-serif"))
    return fig


class _Gap:
    """A run of ``count`` units left out of a top-and-bottom ranking chart."""

    def __init__(self, count: int):
        self.count = count


def _ranking_rows(best_first, highlight: str | None, top: int | None) -> list:
    """Positions in ``best_first`` to draw, best first, with a _Gap for each run left out."""
    n = len(best_first)
    if top is None or n <= top:
        return list(range(n))
    if top < 2:
        raise ValueError(f"top must be at least 2 (the best and the worst unit), got {top}")
    head = top // 2
    keep = set(range(head)) | set(range(n - (top - head), n))
    if highlight in best_first.index:
        keep.add(best_first.index.get_loc(highlight))
    rows, previous = [], -1
    for pos in sorted(keep):
        if pos - previous > 1:
            rows.append(_Gap(pos - previous - 1))
        rows.append(pos)
        previous = pos
    return rows


def _unique(labels: list[str]) -> list[str]:
    """Labels made distinct with trailing zero-width spaces: plotly merges equal categories
    (two communes of the same name, two gaps of the same size)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        n = seen.get(label, 0)
        seen[label] = n + 1
        out.append(label + "\u200b" * n)
    return out


# -- unit dashboard: domains, attainment grids, one criterion, trend -------------------

BEST_COLOR = "#2b8a3e"
MAX_COLOR = "#212529"
ATTAINMENT_SCALE = [[0.0, "#c92a2a"], [0.5, "#f59f00"], [1.0, "#2b8a3e"]]  # red → green
FONT = dict(family="Liberation Sans, Arial, sans-serif")


def _finish(fig: go.Figure, title: str, height: int, lang: str, **layout) -> go.Figure:
    """The layout every dashboard figure shares: explicit template, font, title (already
    plotly-safe), size, and the language's separators on the axes (decimal comma in
    Vietnamese)."""
    layout.setdefault("margin", dict(l=10, r=30, t=90, b=40))
    fig.update_layout(template=TEMPLATE, title=dict(text=title, x=0.01, xanchor="left"),
                      height=height, font=FONT, separators=",." if lang == "vi" else ".,",
                      **layout)
    return fig


def _labels(keys: list, names: dict | None, width: int, lines: int = 2) -> list[str]:
    """short_label(name) per key; the keys themselves if the names would collide."""
    names = names or {}
    labels = [short_label(str(names.get(k, k)), width, lines) for k in keys]
    return labels if len(set(labels)) == len(labels) else [plotly_text(k) for k in keys]


def fig_domains(comparison, unit_name: str, rank_text: str, lang: str = "vi") -> go.Figure:
    """Grouped horizontal bars per regular domain (get_domain_comparison): the unit's score,
    the level's mean and best; the unit's applicable max drawn as a tick."""
    c = comparison
    y = [short_label(f"{code}. {name}", 34) for code, name in zip(c["code"], c["name"])]
    num = lambda col: [fmt_number(v, lang) for v in c[col]]
    hover = "%{y}<br>%{fullData.name}: %{customdata}<extra></extra>"
    fig = go.Figure()
    for col, label, color in (("score", short_label(unit_name, 40), COLOR),
                              ("mean", plotly_text(t("chart.level_mean", lang)), MEAN_COLOR),
                              ("best", plotly_text(t("chart.level_best", lang)), BEST_COLOR)):
        fig.add_trace(go.Bar(
            x=c[col], y=y, orientation="h", name=label, marker_color=color,
            customdata=num(col), hovertemplate=hover,
            text=num(col) if col == "score" else None,
            textposition="outside" if col == "score" else None, cliponaxis=False))
    fig.add_trace(go.Scatter(
        x=c["max"], y=y, mode="markers", name=plotly_text(t("chart.max", lang)),
        customdata=num("max"),
        marker=dict(symbol="line-ns-open", size=34, color=MAX_COLOR, line=dict(width=3)),
        hovertemplate=hover))
    top = float(c["max"].max()) if len(c) else 1.0
    # The legend sits under the plot: above it, a narrow screen (a phone) wraps it into rows
    # that climb over the title. A long title breaks after the unit's name (never inside it).
    text = t("chart.domains_title", lang, unit=unit_name, rank=rank_text)
    head, dash, tail = text.partition(" — ")
    title = plotly_text(text) if len(text) <= TITLE_WIDTH or not dash else \
        plotly_text(head + dash.rstrip()) + "<br>" + plotly_text(tail)
    height = max(380, 78 * len(c) + 200)
    return _finish(
        fig, title, height=height, lang=lang, barmode="group",
        bargap=0.25, xaxis=dict(title=plotly_text(t("col.score", lang)), range=[0, top * 1.12]),
        yaxis=dict(autorange="reversed"), legend=legend_below(height))


def fig_heatmap(attainment, lang: str = "vi", title: str | None = None,
                unit_names: dict | None = None, column_names: dict | None = None) -> go.Figure:
    """Units × domains (get_domain_attainment) or × leaves (get_leaf_attainment): attainment %
    coloured red (0) → green (100), each cell labelled with a decimal comma in Vietnamese.

    Labels come from ``unit_names``/``column_names`` or else the frame's attrs."""
    a = attainment
    unit_names = unit_names if unit_names is not None else a.attrs.get("unit_names")
    column_names = column_names if column_names is not None else a.attrs.get("column_names", {})
    units, codes = list(a.index), list(a.columns)
    y = _labels(units, unit_names, 30)
    if len(codes) <= 10:  # names under the columns, as narrow as the columns are
        width = max(8, min(18, 96 // max(len(codes), 1)))
        x = _labels(codes, {k: f"{k}. {v}" for k, v in column_names.items()}, width, lines=3)
    else:
        x = [plotly_text(k) for k in codes]
    z = a.to_numpy(dtype=float)
    text = [[fmt_number(v, lang, 1) if v == v else "" for v in r] for r in z]
    full_units = [plotly_text((unit_names or {}).get(u, u)) for u in units]
    full_codes = [plotly_text(f"{k}. {column_names.get(k, '')}".rstrip(". ")) for k in codes]
    custom = [[[fu, fc, f"{cell} %" if cell else "–"] for fc, cell in zip(full_codes, r)]
              for fu, r in zip(full_units, text)]
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=y, zmin=0, zmax=100, colorscale=ATTAINMENT_SCALE, xgap=1, ygap=1,
        text=text, texttemplate="%{text}", textfont=dict(size=11), customdata=custom,
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        colorbar=dict(title=dict(text=plotly_text(t("chart.attainment", lang))))))
    return _finish(fig, plotly_text(title or t("chart.attainment_title", lang)),
                   height=max(360, 24 * len(units) + 190), lang=lang,
                   xaxis=dict(side="bottom", tickangle=0 if len(codes) <= 10 else -45),
                   yaxis=dict(autorange="reversed"), margin=dict(l=10, r=10, t=80, b=80))


def fig_distribution(dist, code: str, name: str, lang: str = "vi",
                     highlight: str | None = None) -> go.Figure:
    """One criterion across units (get_criterion_distribution), best on top, the highlighted
    unit in another colour; units where it does not apply show a label and no bar."""
    d = dist.sort_values("points", ascending=False, kind="stable", na_position="last").iloc[::-1]
    na = t("chart.not_applicable", lang)
    values = [fmt_number(v, lang) if ok else plotly_text(na)
              for v, ok in zip(d["points"], d["applicable"])]
    fig = go.Figure(go.Bar(
        x=d["points"], y=_labels(list(d["unit"]), dict(zip(d["unit"], d["name"])), 28),
        orientation="h", marker_color=[HIGHLIGHT if u == highlight else COLOR for u in d["unit"]],
        text=values, textposition="outside", cliponaxis=False, customdata=values,
        hovertemplate="%{y}: %{customdata}<extra></extra>"))
    top = float(d["max"].max()) if d["max"].notna().any() else 0.0
    if top > 0:
        fig.add_vline(x=top, line_dash="dot", line_color=MAX_COLOR,
                      annotation_text=plotly_text(t("chart.max_value", lang,
                                                    value=fmt_number(top, lang))),
                      annotation_position="top")
    title = t("chart.distribution_title", lang, code=plotly_text(code),
              name=short_label(name, 70))  # the name plotly-safe already, with its <br>
    return _finish(fig, title, height=max(360, 26 * len(d) + 140), lang=lang,
                   xaxis=dict(title=plotly_text(t("col.score", lang)),
                              range=[0, (top or 1.0) * 1.18]))


def period_label(as_of: str, lang: str) -> str:
    """'Quý I/2019', 'Cả năm 2019' (fmt_period), as every other screen writes a period."""
    return plotly_text(fmt_period(as_of, lang))


def fig_trend(trend, unit_name: str, lang: str = "vi", unit: str | None = None) -> go.Figure:
    """The unit's index over the periods of get_trend, its rank ("14/21") at each point, as two
    series that never join: the year-to-date self-scores (hollow circles on a line:
    provisional, and the criteria not yet scored count 0) and the appraised points (filled
    diamonds). A frame without get_trend's ``stage`` column counts its provisional points
    as self-scores and the others as appraised."""
    units = list(dict.fromkeys(trend["unit"]))
    if unit is None and len(units) > 1:
        raise ValueError(f"the trend frame holds {len(units)} units; pass unit= one of {units}")
    d = trend[trend["unit"] == (unit if unit is not None else (units[0] if units else None))]
    as_of = [str(p) for p in d["as_of"]]
    x = [period_label(p, lang) for p in as_of]
    ranks = [fmt_rank(r, o) for r, o in zip(d["rank"], d["of"])]
    prov = d["provisional"].to_numpy(dtype=bool)
    stages = d["stage"].tolist() if "stage" in d else ["self" if p else "appraisal" for p in prov]
    unscored = d["unscored"].to_numpy(dtype=float) if "unscored" in d else np.zeros(len(d))
    rank_word = t("col.rank", lang)
    hover = [plotly_text(" · ".join([trend_kind(s, p, lang), fmt_number(v, lang),
                                     f"{rank_word} {r}"]
                                    + ([t("chart.trend_unscored", lang,
                                          points=fmt_number(u, lang))] if u > 0 else [])))
             for s, p, v, r, u in zip(stages, as_of, d["index"], ranks, unscored)]
    index = d["index"].to_numpy(dtype=float)
    fig = go.Figure()
    # every trace spans every period (None where the point is the other kind's), so the axis
    # keeps time order and the self-score line breaks at each appraised year
    final_kind = next((trend_kind("appraisal", p, lang) for p, f in zip(as_of, ~prov) if f),
                      trend_kind("appraisal", "", lang))
    for mine, name, style in (
            (prov, trend_kind("self", "-", lang),
             dict(mode="lines+markers+text", line=dict(color=COLOR, width=3),
                  marker=dict(size=11, color=COLOR, symbol="circle-open",
                              line=dict(color=COLOR, width=2)))),
            (~prov, final_kind,
             dict(mode="markers+text", textfont=dict(color=BEST_COLOR),
                  marker=dict(size=15, color=BEST_COLOR, symbol="diamond",
                              line=dict(color="white", width=1))))):
        if not mine.any():
            continue
        fig.add_trace(go.Scatter(
            x=x, y=[v if m else None for v, m in zip(index, mine)],
            text=[r if m else "" for r, m in zip(ranks, mine)], textposition="top center",
            customdata=hover, cliponaxis=False, connectgaps=False,
            hovertemplate="%{x}: %{customdata}<extra></extra>", name=plotly_text(name), **style))
    top = float(np.nanmax(index)) if np.isfinite(index).any() else 100.0
    if prov.any():
        note = "<br>".join(plotly_text(line) for line in textwrap.wrap(
            t("chart.provisional_note", lang), 60))  # a phone is narrower than the sentence
        fig.add_annotation(text=note, showarrow=False,
                           xref="paper", yref="paper", x=0, y=-0.3, xanchor="left",
                           font=dict(size=12, color=MEAN_COLOR))
    return _finish(fig, plotly_text(t("chart.trend_title", lang, unit=unit_name)), height=420,
                   lang=lang, xaxis=dict(title=plotly_text(t("chart.period", lang)),
                                         type="category"),
                   yaxis=dict(title=plotly_text(t("col.index", lang)), range=[0, top * 1.15]),
                   showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0),
                   margin=dict(l=10, r=30, t=90, b=105))


def fig_rank_intervals(intervals, lang: str = "vi", highlight: str | None = None) -> go.Figure:
    """Each ranked unit's 5–95 % rank interval as a bar, its nominal rank as a dot (best on top)."""
    d = intervals[intervals["rank"].notna()].sort_values("rank", ascending=False, kind="stable")
    colors = [HIGHLIGHT if u == highlight else COLOR for u in d.index]
    low, high = d["p05"].astype(float), d["p95"].astype(float)
    fig = go.Figure([
        go.Bar(x=(high - low + 0.6), base=low - 0.3, y=_labels(list(d.index), d["name"].to_dict(), 28),
               orientation="h", marker_color=colors, opacity=0.35,
               name=plotly_text(t("chart.interval", lang)),
               customdata=[plotly_text(x) for x in d["label"]],
               hovertemplate="%{y}: %{customdata}<extra></extra>"),
        go.Scatter(x=d["rank"].astype(float), y=_labels(list(d.index), d["name"].to_dict(), 28),
                   mode="markers", marker=dict(color=colors, size=9),
                   name=plotly_text(t("chart.nominal_rank", lang)), hoverinfo="skip")])
    of = int(d["of"].max()) if len(d) else 1
    height = max(360, 26 * len(d) + 140)
    return _finish(fig, plotly_text(t("chart.interval_title", lang)), height=height,
                   lang=lang, xaxis=dict(title=plotly_text(t("col.rank", lang)),
                                         range=[0.4, of + 0.6],
                                         dtick=1 if of <= 30 else None),
                   legend=legend_below(height), barmode="overlay")


def add_projection(fig: go.Figure, x_from: str, y_from: float, x_to: str, y_to: float,
                   rank_text: str, lang: str = "vi") -> go.Figure:
    """A dashed, hollow projection after the actuals, so it cannot be mistaken for one.
    ``x_from`` is a category of the trend's axis as fig_trend wrote it (plotly-safe)."""
    fig.add_trace(go.Scatter(
        x=[x_from, plotly_text(x_to)], y=[y_from, y_to], mode="lines+markers+text",
        line=dict(dash="dash", color=HIGHLIGHT), marker=dict(symbol="diamond-open", size=11),
        text=["", plotly_text(rank_text)], textposition="top center",
        name=plotly_text(t("chart.projection", lang))))
    return fig
