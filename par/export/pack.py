"""The meeting pack: 16:9 slides (python-pptx) and the same slides as a PDF.

One slide model, two renderers: ``pack_slides`` decides what every slide says (titles,
tables, charts, positions in inches); ``build_pack`` draws it with python-pptx and
``build_pack_pdf`` (par.export.pack_pdf) prints it from HTML with Chromium, so both files
have the same content and the same number of pages.

Slides: title (set, period, date); ranking chart; top and bottom units; the
province-wide weakest criteria; and with ``unit``: its headline rank with its domain
chart, its lagging criteria, what the target rank needs (par.decide.target; by default
the next rank up) and, given the trend frame, its index and rank through the year. The
same inputs and date give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd
import plotly.graph_objects as go

from par.analysis.lagging import get_lagging, get_weakest
from par.engine.scoring import Scorecard
from par.export.images import (
    chart_figure,
    period_text,
    unit_text,
    without_title,
)
from par.export.pack_model import (
    ACCENT,
    CONTENT_TOP,
    CONTENT_W,
    GREY,
    MARGIN,
    MAX_LABELLED_BARS,
    TABLE_ROWS,
    TOP_N,
    Picture,
    Slide,
    Table,
    Text,
)
from par.export.reproducible import fixed_zip
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank
from par.present.published import published_label, published_short
from par.present.safe import plotly_text


def slide_figure(fig: go.Figure, top: int = 20) -> go.Figure:
    """A chart for a slide: no title (the slide's says it), text large enough to read
    across a meeting room, thicker bars, their labels never shrunk below 10 px."""
    out = without_title(fig, top)
    out.update_layout(font_size=13, bargap=0.15, uniformtext=dict(minsize=10, mode="show"))
    out.update_traces(textfont_size=11, selector=dict(type="bar"))
    out.update_traces(marker_size=26, selector=dict(type="scatter", mode="markers"))
    return out


def _date_text(when: dt.date, lang: str) -> str:
    return t("pack.date", lang, day=f"{when.day:02d}", month=f"{when.month:02d}", year=when.year)


def _cut(text: str, width: int) -> str:
    return textwrap.shorten(str(text), width, placeholder="…")


def _cover(card: Scorecard, unit: str | None, lang: str, when: dt.date) -> Slide:
    c = card.criteria
    items = [Text(t("pack.subtitle", lang, as_of=fmt_period(card.as_of, lang, year_to_date=True)), (0.8, 3.55, 11.7, 0.6), 20,
                  color="FFFFFF"),
             Text(_date_text(when, lang), (0.8, 5.0, 11.7, 0.5), 16)]
    if unit is not None:
        items.append(Text(t("pack.focus", lang, unit=card.units.at[unit, "name"]),
                          (0.8, 5.5, 11.7, 0.5), 16, bold=True))
    if c.decision:
        items.append(Text(c.decision, (0.8, 6.3, 11.7, 0.7), 11, color=GREY))
    return Slide(c.display_title(lang), cover=True, items=items)


def _ranking(card: Scorecard, unit: str | None, lang: str) -> Slide:
    mean = fmt_number(card.ranked["index"].mean(), lang)
    sub = t("export.context_ranking", lang, count=len(card.ranked), mean=mean)
    provisional = int(card.ranked["provisional"].sum())
    if provisional:
        sub += " · " + t("pack.provisional", lang, count=provisional)
    fig = slide_figure(chart_figure(card, "ranking", unit, lang))
    bars = fig.data[0]  # a slide is wide: names on one line, or bars this thin overlap them
    bars.y = [label.replace("<br>", " ") for label in bars.y]
    if len(card.ranked) > MAX_LABELLED_BARS:  # too many to read: the shape, the mean, the unit
        ranked = list(card.ranked.index[::-1])
        keep = [bars.y[ranked.index(unit)]] if unit in ranked else []
        bars.update(text=None, marker_line_width=0)
        fig.update_layout(bargap=0.05)
        fig.update_yaxes(tickmode="array", tickvals=keep,
                         ticktext=[f"<b>{plotly_text(unit_text(card, unit, lang))}</b>"]
                         if keep else [])
    box = (MARGIN, CONTENT_TOP, CONTENT_W, 5.3)
    return Slide(t("pack.ranking_title", lang), sub, items=[Picture(fig, box)])


def _unit_rows(card: Scorecard, ids, lang: str) -> list[list[str]]:
    u = card.units
    return [[str(int(u.at[i, "rank"])), u.at[i, "name"], fmt_number(u.at[i, "index"], lang),
             "" if pd.isna(u.at[i, "band"]) else str(u.at[i, "band"])] for i in ids]


def _top_bottom(card: Scorecard, unit: str | None, lang: str) -> Slide:
    ranked = list(card.ranked.index)
    k = min(TOP_N, max(len(ranked) // 2, 1))
    columns = [(t("col.rank", lang), 0.8, "center"), (t("col.unit", lang), 2.85, "left"),
               (t("col.index", lang), 1.25, "right"), (t("col.band", lang), 1.1, "left")]
    width = sum(w for _, w, _ in columns)
    items = []
    parts = [(t("pack.top", lang, count=k), ranked[:k])]
    if len(ranked) > k:
        parts.append((t("pack.bottom", lang, count=k), ranked[-k:]))
    for n, (caption, ids) in enumerate(parts):
        x = MARGIN + n * (CONTENT_W - width)
        items.append(Text(caption, (x, CONTENT_TOP + 0.1, width, 0.45), 16, bold=True,
                          color=ACCENT))
        items.append(Table(columns, _unit_rows(card, ids, lang), (x, CONTENT_TOP + 0.65),
                           highlight={i for i, uid in enumerate(ids) if uid == unit},
                           size=14, row_height=0.5))
    shown = {uid for _, ids in parts for uid in ids}
    if unit is not None and unit not in shown:
        items.append(Text(unit_text(card, unit, lang), (MARGIN, 5.6, CONTENT_W, 0.45), 16,
                          bold=True, color=ACCENT))
    return Slide(t("pack.top_bottom_title", lang), period_text(card, lang), items=items)


def _weakest(card: Scorecard, lang: str) -> Slide:
    weak = get_weakest(card).head(TABLE_ROWS)
    nodes = card.criteria.nodes
    columns = [(t("col.code", lang), 0.9, "left"), (t("col.criterion", lang), 5.83, "left"),
               (t("col.attainment", lang) + " (%)", 1.4, "right"),
               (t("col.mean", lang), 1.15, "right"), (t("col.max", lang), 0.95, "right"),
               (t("pack.col.full", lang), 1.05, "right"), (t("pack.col.zero", lang), 1.05, "right")]
    rows = [[r.criterion, _cut(nodes[r.criterion].display_name(lang), 125),
             fmt_number(r.mean_attainment, lang, 1), fmt_number(r.mean, lang),
             fmt_number(r.max, lang), str(int(r.full)), str(int(r.zero))]
            for r in weak.itertuples()]
    sub = t("pack.weakest_sub", lang, count=len(card.ranked))
    return Slide(t("pack.weakest_title", lang), sub,
                 items=[Table(columns, rows, (MARGIN, CONTENT_TOP + 0.1), row_height=0.42)])


def _unit_headline(card: Scorecard, unit: str, lang: str) -> Slide:
    u = card.units.loc[unit]
    if pd.isna(u["rank"]):
        headline = t("pack.unranked", lang)
    else:
        headline = t("pack.headline", lang, rank=fmt_rank(u["rank"], u["of"]),
                     index=fmt_number(u["index"], lang))
    facts = t("pack.unit_facts", lang, score=fmt_number(u["score"], lang),
              max=fmt_number(u["max"], lang), band="–" if pd.isna(u["band"]) else u["band"],
              mean=fmt_number(card.ranked["index"].mean(), lang))
    fig = slide_figure(chart_figure(card, "domains", unit, lang), top=36)
    return Slide(u["name"], facts, headline=headline,
                 items=[Picture(fig, (MARGIN, CONTENT_TOP, CONTENT_W, 5.3))])


def _unit_lagging(card: Scorecard, unit: str, lang: str) -> Slide:
    lag = get_lagging(card, unit)
    nodes = card.criteria.nodes
    name = card.units.at[unit, "name"]
    title = t("pack.lagging_title", lang, unit=name)
    if lag.empty:
        return Slide(title, t("pack.lagging_sub", lang), items=[
            Text(t("pack.no_lagging", lang), (MARGIN, CONTENT_TOP + 0.2, CONTENT_W, 0.5), 16)])
    columns = [(t("col.code", lang), 0.9, "left"), (t("col.criterion", lang), 5.78, "left"),
               (t("col.score", lang), 1.0, "right"), (t("col.max", lang), 0.95, "right"),
               (t("col.points_lost", lang), 1.2, "right"), (t("col.mean", lang), 1.25, "right"),
               (t("col.best", lang), 1.25, "right")]
    shown = lag.head(TABLE_ROWS)
    rows = [[r.criterion, _cut(nodes[r.criterion].display_name(lang), 115),
             fmt_number(r.score, lang), fmt_number(r.max, lang), fmt_number(r.points_lost, lang),
             fmt_number(r.mean, lang), fmt_number(r.best, lang)] for r in shown.itertuples()]
    items = [Table(columns, rows, (MARGIN, CONTENT_TOP + 0.1), row_height=0.42)]
    if len(lag) > len(shown):
        more = t("pack.lagging_more", lang, count=len(lag) - len(shown),
                 sheet=t("report.sheet.lagging", lang))
        items.append(Text(more, (MARGIN, 6.55, CONTENT_W, 0.35), 11, color=GREY))
    return Slide(title, t("pack.lagging_sub", lang), items=items)


def _target(card: Scorecard, unit: str, lang: str, target_rank: int | None) -> Slide:
    """What reaching ``target_rank`` (default: one place up) takes, criterion by criterion."""
    from par.decide.target import get_safety_margin, get_target_plan

    u = card.units.loc[unit]
    name = u["name"]
    if pd.isna(u["rank"]):
        return Slide(t("pack.target_title", lang, unit=name), t("pack.unranked", lang))
    rank, of = int(u["rank"]), int(u["of"])
    target = target_rank or max(rank - 1, 1)
    if target >= rank:  # already there: how far ahead of the next unit
        margin = get_safety_margin(card, unit)
        text = t("pack.target_there", lang, rank=fmt_rank(rank, of),
                 margin="–" if margin is None else fmt_number(margin, lang))
        return Slide(t("pack.target_title", lang, unit=name), t("pack.target_sub_there", lang),
                     items=[Text(text, (MARGIN, CONTENT_TOP + 0.2, CONTENT_W, 0.6), 18)])
    plan = get_target_plan(card, unit, target, lang)
    key = "pack.target_sub" if plan.reachable else "pack.target_sub_unreachable"
    sub = t(key, lang, target=fmt_rank(target, of), points=fmt_number(plan.points_needed, lang),
            rank=fmt_rank(rank, of), best=fmt_rank(plan.best_rank, of))
    columns = [(t("col.code", lang), 0.9, "left"), (t("col.criterion", lang), 6.13, "left"),
               (t("pack.col.now", lang), 1.2, "right"), (t("pack.col.gain", lang), 1.2, "right"),
               (t("pack.col.after", lang), 1.2, "right"), (t("col.max", lang), 0.95, "right"),
               (t("col.mean", lang), 0.75, "right")]
    shown = plan.gains.head(TABLE_ROWS)
    rows = [[r.code, _cut(r.name, 120), fmt_number(r.current, lang), "+" + fmt_number(r.gain, lang),
             fmt_number(r.new_points, lang), fmt_number(r.max, lang),
             fmt_number(r.peer_mean, lang)] for r in shown.itertuples()]
    items = [Table(columns, rows, (MARGIN, CONTENT_TOP + 0.1), row_height=0.42)]
    if len(plan.gains) > len(shown):
        items.append(Text(t("pack.target_more", lang, count=len(plan.gains) - len(shown)),
                          (MARGIN, 6.55, CONTENT_W, 0.35), 11, color=GREY))
    return Slide(t("pack.target_title", lang, unit=name), sub, items=items)


def _trend(card: Scorecard, unit: str, lang: str, trend: pd.DataFrame) -> Slide:
    """The unit's index and rank at each period of the year (the dashboard's trend chart)."""
    fig = slide_figure(chart_figure(card, "trend", unit, lang, trend=trend))
    return Slide(t("pack.trend_title", lang, unit=card.units.at[unit, "name"]),
                 period_text(card, lang),
                 items=[Picture(fig, (MARGIN, CONTENT_TOP, CONTENT_W, 5.3))])


def pack_slides(card: Scorecard, unit: str | None = None, lang: str = "vi",
                date: dt.date | None = None, trend: pd.DataFrame | None = None,
                target_rank: int | None = None, published: dict | None = None) -> list[Slide]:
    """What each slide of the pack says and where. ``unit`` adds its headline, lagging and
    target-rank slides, and its trend slide when ``trend`` (par.analysis.trends.get_trend)
    has rows for it; ``target_rank`` defaults to the next rank up; ``published`` (the
    publication's meta, when ``card`` is a published result) labels it with its date."""
    if unit is not None and unit not in card.units.index:
        raise KeyError(f"unit '{unit}' is not scored in {card.criteria.id}")
    when = date or dt.date.today()
    slides = [_cover(card, unit, lang, when), _ranking(card, unit, lang),
              _top_bottom(card, unit, lang), _weakest(card, lang)]
    if unit is not None:
        slides += [_unit_headline(card, unit, lang), _unit_lagging(card, unit, lang),
                   _target(card, unit, lang, target_rank)]
        if trend is not None and (trend["unit"] == unit).any():
            slides.append(_trend(card, unit, lang, trend))
    if published is not None:
        _label(slides, published, lang, unit is not None)
    return slides


def _label(slides: list[Slide], published: dict, lang: str, with_unit: bool) -> None:
    """A published result says so (WORKFLOW §3): under the cover's band, and the ranking
    chart's and the unit chart's lines end with '(công bố dd/mm/yyyy)'."""
    slides[0].items.append(Text(published_label(published, lang), (0.8, 4.45, 11.7, 0.45), 16,
                                bold=True, color=ACCENT))
    short = published_short(published, lang)
    slides[1].title += " " + short
    if with_unit:
        slides[4].subtitle = (slides[4].subtitle or "") + " · " + short


def footer_text(card: Scorecard, lang: str, published: dict | None = None) -> str:
    text = t("pack.footer", lang, title=card.criteria.display_title(lang), as_of=fmt_period(card.as_of, lang, year_to_date=True))
    if published is not None:
        text += " · " + published_label(published, lang)
    return text


# -- python-pptx ------------------------------------------------------------------------

def build_pack(card: Scorecard, unit: str | None = None, lang: str = "vi",
               date: dt.date | None = None, trend: pd.DataFrame | None = None,
               target_rank: int | None = None, published: dict | None = None) -> bytes:
    """The meeting pack as .pptx bytes (16:9); ``date`` (default today) is on the title
    slide and is the file's created/modified time, so a given day gives the same bytes."""
    from par.export.pack_pptx import render_pptx

    when = date or dt.date.today()
    slides = pack_slides(card, unit, lang, when, trend, target_rank, published)
    data = render_pptx(slides, footer_text(card, lang, published), lang, when,
                       title=card.criteria.display_title(lang), subject=str(card.as_of))
    return fixed_zip(data)


def build_pack_pdf(card: Scorecard, unit: str | None = None, lang: str = "vi",
                   date: dt.date | None = None, trend: pd.DataFrame | None = None,
                   target_rank: int | None = None, published: dict | None = None) -> bytes:
    """The same slides as a PDF, one 16:9 page per slide (Chromium prints an HTML page)."""
    from par.export.pack_pdf import render_pdf

    when = date or dt.date.today()
    slides = pack_slides(card, unit, lang, when, trend, target_rank, published)
    return render_pdf(slides, footer_text(card, lang, published), lang, when)
