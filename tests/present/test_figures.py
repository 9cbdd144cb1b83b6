"""Figure builders (par/charts.py), tested as plotly JSON: traces, values, colours, texts."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from par import load_criteria, read_inputs, read_units, score
from par.analysis.trends import (
    get_criterion_distribution,
    get_domain_attainment,
    get_domain_comparison,
    get_leaf_attainment,
    get_trend,
)
from par.i18n.formatting import fmt_rank
from par.present.figures import (
    COLOR,
    HIGHLIGHT,
    TEMPLATE,
    fig_distribution,
    fig_domains,
    fig_heatmap,
    fig_ranking,
    fig_trend,
)

LONG = "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức cấp huyện"
COMPARISON = pd.DataFrame({
    "code": ["1", "2"], "name": ["Công tác chỉ đạo", LONG],
    "score": [5.25, 6.0], "max": [12.0, 8.0], "mean": [9.0357, 5.5], "best": [11.25, 7.75],
    "attainment": [43.75, 75.0]})
DIST = pd.DataFrame({
    "unit": ["u1", "u2", "u3", "u4"], "name": ["Một", "Hai", "Ba", "Bốn"],
    "points": [1.0, 2.5, np.nan, 0.5], "max": [2.5, 2.5, np.nan, 2.5],
    "applicable": [True, True, False, True]})
TREND = pd.DataFrame({
    "unit": ["cua-lo"] * 3, "as_of": ["2019-Q1", "2019-Q2", "2019"],
    "index": [60.2666, 60.9695, 73.4252], "rank": pd.array([6, 6, 14], dtype="Int64"),
    "of": [21, 21, 21], "provisional": [True, True, False],
    "stage": ["self", "self", "appraisal"], "unscored": [20.0, 20.0, 0.0],
    "unscored_criteria": [9, 9, 0]})


def grid():
    a = pd.DataFrame({"1": [87.5, 43.75, np.nan], "2": [100.0, 0.0, 50.0]},
                     index=pd.Index(["vinh", "cua-lo", "x"], name="unit"))
    a.attrs = {"unit_names": {"vinh": "Thành phố Vinh", "cua-lo": "Thị xã Cửa Lò", "x": "Xã X"},
               "column_names": {"1": "Công tác chỉ đạo", "2": LONG}}
    return a


def builders():
    return [lambda: fig_domains(COMPARISON, "Thị xã Cửa Lò", "14/21"),
            lambda: fig_heatmap(grid()), lambda: fig_distribution(DIST, "3.3.1", "Tỷ lệ", "vi"),
            lambda: fig_trend(TREND, "Thị xã Cửa Lò")]


@pytest.mark.parametrize("build", builders(), ids=["domains", "heatmap", "distribution", "trend"])
def test_every_builder_sets_its_template_explicitly(build, monkeypatch):
    # streamlit changes plotly's default template on import (toolchain pitfall 1)
    monkeypatch.setattr(pio.templates, "default", "plotly_dark")
    fig = build()
    assert fig.layout.template == pio.templates[TEMPLATE]
    assert fig.layout.separators == ",."  # Vietnamese: decimal comma on the axes
    assert fig.to_plotly_json()["layout"]["font"]["family"].startswith("Liberation Sans")


def test_domains_grouped_bars_with_max_ticks_and_vietnamese_title():
    fig = fig_domains(COMPARISON, "Thị xã Cửa Lò", "14/21", "vi")
    data = fig.to_plotly_json()["data"]
    assert [(d["type"], d.get("orientation")) for d in data] == [
        ("bar", "h"), ("bar", "h"), ("bar", "h"), ("scatter", None)]
    assert [d["name"] for d in data] == ["Thị xã Cửa Lò", "Trung bình toàn cấp",
                                         "Cao nhất toàn cấp", "Điểm tối đa"]
    # numeric arrays travel base64-encoded in plotly 7 JSON: read them from the traces
    assert [list(d.x) for d in fig.data] == [[5.25, 6.0], [9.0357, 5.5], [11.25, 7.75], [12, 8]]
    assert list(data[0]["text"]) == ["5,25", "6,00"]
    assert data[3]["marker"]["symbol"] == "line-ns-open"
    # breaks after the name: a phone is narrower than the title
    assert fig.layout.title.text == "Thị xã Cửa Lò —<br>hạng 14/21: điểm theo lĩnh vực"
    assert fig.layout.barmode == "group" and fig.layout.yaxis.autorange == "reversed"
    # a long domain name wraps over two lines and is shortened
    label = data[0]["y"][1]
    assert label.startswith("2. Xây dựng") and label.count("<br>") == 1 and label.endswith("…")
    en = fig_domains(COMPARISON, "Thị xã Cửa Lò", "14/21", "en")
    assert en.layout.title.text == "Thị xã Cửa Lò —<br>rank 14/21: score by domain"
    assert list(en.data[0].text) == ["5.25", "6.00"] and en.layout.separators == ".,"


def test_heatmap_cells_coloured_0_to_100_with_decimal_comma():
    fig = fig_heatmap(grid(), "vi", "Mức đạt theo lĩnh vực")
    (hm,) = fig.to_plotly_json()["data"]
    assert hm["type"] == "heatmap" and (hm["zmin"], hm["zmax"]) == (0, 100)
    assert hm["colorscale"][0][1] == "#c92a2a" and hm["colorscale"][-1][1] == "#2b8a3e"
    assert [list(r) for r in hm["text"]] == [["87,5", "100,0"], ["43,8", "0,0"], ["", "50,0"]]
    assert list(hm["y"]) == ["Thành phố Vinh", "Thị xã Cửa Lò", "Xã X"]
    assert hm["x"][0] == "1. Công tác chỉ<br>đạo" and hm["x"][1].endswith("…")
    assert hm["customdata"][1][0] == ["Thị xã Cửa Lò", "1. Công tác chỉ đạo", "43,8 %"]
    assert fig.layout.title.text == "Mức đạt theo lĩnh vực" and fig.layout.yaxis.autorange == "reversed"
    en = fig_heatmap(grid(), "en")
    assert en.data[0].text[0][0] == "87.5" and en.layout.title.text == "Attainment (% of the maximum)"


def test_heatmap_labels_from_arguments_or_ids():
    bare = grid()
    bare.attrs = {}
    fig = fig_heatmap(bare, unit_names={"vinh": "Vinh"})
    assert list(fig.data[0].y) == ["Vinh", "cua-lo", "x"] and list(fig.data[0].x) == ["1", "2"]
    many = pd.DataFrame(np.full((1, 12), 50.0), columns=[f"3.{i}" for i in range(12)])
    assert list(fig_heatmap(many).data[0].x) == [f"3.{i}" for i in range(12)]  # codes only


def test_distribution_sorted_with_the_highlighted_unit_and_not_applicable_label():
    fig = fig_distribution(DIST, "3.3.1", "Tỷ lệ hồ sơ đúng hạn", "vi", highlight="u4")
    (bar,) = fig.to_plotly_json()["data"]
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    # best on top: plotly draws the first y at the bottom, so the lists run worst → best
    assert list(bar["y"]) == ["Ba", "Bốn", "Một", "Hai"]
    assert list(bar["text"]) == ["không áp dụng", "0,50", "1,00", "2,50"]
    assert list(bar["marker"]["color"]) == [COLOR, HIGHLIGHT, COLOR, COLOR]
    assert fig.layout.title.text == "3.3.1 Tỷ lệ hồ sơ đúng hạn — điểm của các đơn vị"
    assert fig.layout.shapes[0].x0 == 2.5  # the max
    assert fig.layout.annotations[0].text == "Tối đa 2,50"


def test_trend_draws_self_scores_and_the_appraised_year_as_two_series():
    fig = fig_trend(TREND, "Thị xã Cửa Lò", "vi")
    own, appraised = fig.to_plotly_json()["data"]
    # both span every period, so the axis keeps time order; each has its own points only
    assert own["type"] == appraised["type"] == "scatter"
    assert list(own["x"]) == list(appraised["x"]) == ["Quý I/2019", "Quý II/2019", "Cả năm 2019"]
    assert own["name"] == "Tự chấm lũy kế" and appraised["name"] == "Thẩm định cả năm"
    assert own["mode"] == "lines+markers+text" and appraised["mode"] == "markers+text"
    assert list(own["y"]) == [60.2666, 60.9695, None] and own["connectgaps"] is False
    assert list(appraised["y"]) == [None, None, 73.4252]
    assert list(own["text"]) == ["6/21", "6/21", ""] and list(appraised["text"]) == ["", "", "14/21"]
    assert own["marker"]["symbol"] == "circle-open" and appraised["marker"]["symbol"] == "diamond"
    assert own["marker"]["color"] == COLOR and appraised["marker"]["color"] != COLOR
    assert own["customdata"][0] == "Tự chấm lũy kế · 60,27 · Hạng 6/21 · 20,00 điểm chưa chấm, tính 0"
    assert own["customdata"][2] == "Thẩm định cả năm · 73,43 · Hạng 14/21"
    assert fig.layout.showlegend and fig.layout.title.text == (
        "Thị xã Cửa Lò — chỉ số và thứ hạng qua các kỳ")
    assert fig.layout.annotations[0].text.startswith("○ tạm tính")
    en = fig_trend(TREND, "Cửa Lò", "en")
    assert en.data[0].x[-1] == "Whole year 2019"
    assert [d.name for d in en.data] == ["Self-assessed, year to date", "Appraised, whole year"]


def test_trend_without_get_trend_s_stage_counts_provisional_points_as_self_scores():
    old = TREND[["unit", "as_of", "index", "rank", "of", "provisional"]]
    own, appraised = fig_trend(old, "Thị xã Cửa Lò").data
    assert list(own.y) == [60.2666, 60.9695, None] and list(appraised.y) == [None, None, 73.4252]
    assert own.customdata[0] == "Tự chấm lũy kế · 60,27 · Hạng 6/21"


def test_trend_of_a_year_in_progress_has_no_appraised_series():
    ytd = TREND.iloc[:2]
    (own,) = fig_trend(ytd, "Thị xã Cửa Lò").data
    assert own.name == "Tự chấm lũy kế" and list(own.text) == ["6/21", "6/21"]


def test_trend_of_several_units_needs_the_unit():
    two = pd.concat([TREND, TREND.assign(unit="vinh", rank=pd.array([1, 1, 1], dtype="Int64"))])
    with pytest.raises(ValueError, match="unit="):
        fig_trend(two, "Thành phố Vinh")
    texts = [t for d in fig_trend(two, "Thành phố Vinh", unit="vinh").data for t in d.text if t]
    assert texts == ["1/21"] * 3
    final = TREND.assign(provisional=False, stage="appraisal")
    assert not fig_trend(final, "Thị xã Cửa Lò").layout.annotations  # no provisional note


# -- the sample data -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample():
    criteria = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
    units = read_units(ROOT / "data" / "units.csv")
    rows, _ = read_inputs([ROOT / "data" / "inputs" / "huyen-2019-self.csv",
                           ROOT / "data" / "inputs" / "huyen-2019-appraisal.csv"], criteria, units)
    return criteria, units, rows, score(criteria, units, rows)


def test_sample_figures_for_cua_lo(sample):
    criteria, units, rows, card = sample
    u = card.units.loc["cua-lo"]
    rank = fmt_rank(u["rank"], u["of"])
    domains = fig_domains(get_domain_comparison(card, "cua-lo"), u["name"], rank)
    assert "Cửa Lò" in domains.layout.title.text and "14/21" in domains.layout.title.text
    assert [len(d.y) for d in domains.data] == [8, 8, 8, 8]

    dist = fig_distribution(get_criterion_distribution(card, "3.3.1"), "3.3.1",
                            criteria.nodes["3.3.1"].name, highlight="cua-lo")
    bar = dist.data[0]
    assert len(bar.y) == 21  # one bar per ranked unit
    assert [c for c in bar.marker.color].count(HIGHLIGHT) == 1
    assert bar.y[list(bar.marker.color).index(HIGHLIGHT)] == "Thị xã Cửa Lò"
    assert list(bar.x) == sorted(bar.x)  # drawn bottom-up: best on top

    heat = fig_heatmap(get_domain_attainment(card))
    assert np.asarray(heat.data[0].z).shape == (21, 8) and heat.data[0].y[13] == "Thị xã Cửa Lò"
    assert heat.data[0].text[13][0] == "54,2"  # 6.5 of 12 in domain 1
    leaves = fig_heatmap(get_leaf_attainment(card, "3"))
    assert list(leaves.data[0].x)[:3] == ["3.1.1", "3.1.2", "3.2.1"]

    trend = fig_trend(get_trend(criteria, units, rows, ["cua-lo"]), u["name"])
    own, appraised = trend.data
    assert list(own.x) == ["Quý I/2019", "Quý II/2019", "Quý III/2019", "Quý IV/2019", "Cả năm 2019"]
    assert appraised.text[-1] == "14/21" and own.y[-1] is None and own.y[3] is not None
    assert trend.layout.title.text == "Thị xã Cửa Lò — chỉ số và thứ hạng qua các kỳ"


def test_fig_ranking_is_unchanged(sample):
    fig = fig_ranking(sample[3], "vi", highlight="cua-lo")
    assert len(fig.data[0].y) == 21 and fig.layout.template == pio.templates[TEMPLATE]


# -- the ranking chart at national scale: top and bottom only --------------------------

def national_card(n: int = 3321):
    """A stand-in Scorecard with what fig_ranking reads: ``n`` ranked units, best first."""
    from types import SimpleNamespace

    index = np.linspace(95.0, 40.0, n)
    ranked = pd.DataFrame({"name": [f"Xã số {i + 1}" for i in range(n)], "index": index,
                           "rank": np.arange(1, n + 1), "of": n},
                          index=pd.Index([f"x{i + 1}" for i in range(n)], name="unit"))
    criteria = SimpleNamespace(scale=100.0, display_title=lambda lang: "Bộ chỉ số cấp xã 2025")
    return SimpleNamespace(ranked=ranked, criteria=criteria, as_of="2025")


def bars(fig):
    """(label, value) of each row from top to bottom; gaps have no value."""
    bar = fig.data[0]
    return [(y, None if x != x else x) for y, x in zip(bar.y, bar.x)][::-1]


def test_ranking_at_national_scale_shows_top_and_bottom_with_the_selected_unit():
    card = national_card()
    fig = fig_ranking(card, "vi", highlight="x1500", top=40)
    rows = bars(fig)
    units = [y for y, x in rows if x is not None]
    assert len(units) == 41 and len(rows) == 43  # 20 + 20 + the selected unit, two gaps
    assert units[:20] == [f"Xã số {i}" for i in range(1, 21)]
    assert units[-20:] == [f"Xã số {i}" for i in range(3302, 3322)]
    assert units[20] == "Xã số 1500"
    gaps = [y for y, x in rows if x is None]
    assert gaps == ["<i>… 1.479 đơn vị khác …</i>", "<i>… 1.801 đơn vị khác …</i>"]
    assert [y for y, _ in rows].index(gaps[0]) == 20  # the gaps sit where units are left out
    values = [x for _, x in rows if x is not None]
    assert values == sorted(values, reverse=True)  # best on top, order kept
    colors = list(fig.data[0].marker.color)[::-1]
    assert [c for c, (_, x) in zip(colors, rows) if x is not None].count(HIGHLIGHT) == 1
    assert colors[[y for y, _ in rows].index("Xã số 1500")] == HIGHLIGHT
    text = list(fig.data[0].text)[::-1]
    assert text[0] == "1/3321 · 95,00" and text[20] == ""
    # the mean of the whole level, not of the bars shown
    assert fig.layout.shapes[0].x0 == pytest.approx(card.ranked["index"].mean())
    assert fig.layout.title.subtitle.text == (
        "20 đơn vị đứng đầu và 20 đơn vị cuối bảng trong tổng số 3.321")
    assert fig.layout.height == 26 * 43 + 120


def test_ranking_top_and_bottom_without_or_among_the_selection_and_in_english():
    card = national_card()
    fig = fig_ranking(card, "en", top=40)
    rows = bars(fig)
    assert len(rows) == 41 and rows[20] == ("<i>… 3,281 other units …</i>", None)
    assert fig.layout.title.subtitle.text == "The top 20 and bottom 20 of 3,321 units"
    among = fig_ranking(card, "vi", highlight="x3", top=40)
    assert len(bars(among)) == 41  # already drawn: nothing added
    assert list(among.data[0].marker.color)[::-1][2] == HIGHLIGHT
    odd = bars(fig_ranking(card, "vi", top=5))  # 2 on top, 3 at the bottom
    assert [y for y, _ in odd] == ["Xã số 1", "Xã số 2", "<i>… 3.316 đơn vị khác …</i>",
                                   "Xã số 3319", "Xã số 3320", "Xã số 3321"]
    with pytest.raises(ValueError, match="top"):
        fig_ranking(card, "vi", top=1)


def test_ranking_with_few_units_or_no_top_is_unchanged(sample):
    card = sample[3]
    plain = fig_ranking(card, "vi", highlight="cua-lo")
    assert fig_ranking(card, "vi", highlight="cua-lo", top=40).to_plotly_json() == \
        plain.to_plotly_json()
    assert fig_ranking(card, "vi", highlight="cua-lo", top=21).to_plotly_json() == \
        plain.to_plotly_json()
    assert not plain.layout.title.subtitle.text
    small = fig_ranking(card, "vi", highlight="cua-lo", top=6)  # the real scorecard, small N
    rows = bars(small)
    assert [y for y, _ in rows][3] == "<i>… 10 đơn vị khác …</i>"
    assert len([x for _, x in rows if x is not None]) == 7
    assert "Thị xã Cửa Lò" in [y for y, _ in rows]  # ranks 14th: kept between two gaps
    assert [y for y, x in rows if x is None] == ["<i>… 10 đơn vị khác …</i>",
                                                 "<i>… 4 đơn vị khác …</i>"]
    names = list(card.ranked["name"])
    shown = [y for y, x in rows if x is not None]
    assert shown == [n for n in names if n in shown]  # order of the ranking kept
    assert len(fig_ranking(national_card(), "vi").data[0].y) == 3321  # exports: every unit


def test_ranking_labels_stay_distinct():
    card = national_card(50)
    card.ranked["name"] = "Xã Hưng Lộc"  # communes share names across districts
    fig = fig_ranking(card, "vi", top=10)
    assert len(set(fig.data[0].y)) == len(fig.data[0].y) == 11


# -- the index as published: rounded half up (CONTRACT §4, second revision) ----------------

def _boundary_card():
    from conftest import card_for, leaf_set, make_units, row

    criteria = leaf_set("{type: points}", 100)
    values = {"a": "60", "b": "58.78", "c": "58.775", "d": "58.77"}
    return card_for(criteria, make_units("a b c d"), [row(u, value=v) for u, v in values.items()])


def test_ranking_bars_show_the_figure_that_ranks():
    # c (58.775) ranks with b at 58,78 and reads 58,78 on its bar and in its hover; d 58,77
    fig = fig_ranking(_boundary_card(), "vi")
    bar = fig.data[0]
    texts = dict(zip([y.split("\u200b")[0] for y in bar.y], bar.text))
    assert texts == {"Unit a": "1/4 · 60,00", "Unit b": "2/4 · 58,78", "Unit c": "2/4 · 58,78",
                     "Unit d": "4/4 · 58,77"}
    hover = dict(zip([y.split("\u200b")[0] for y in bar.y], bar.customdata))
    assert hover["Unit c"] == "58,78" and hover["Unit d"] == "58,77"
    assert "%{customdata}" in bar.hovertemplate and ".2f" not in bar.hovertemplate
    en = fig_ranking(_boundary_card(), "en").data[0]
    assert list(en.customdata)[::-1][:3] == ["60.00", "58.78", "58.78"]
