"""The compare figure and tables (par/present/compare.py), read as plotly JSON and frames."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import build_criteria, card_for, make_units, row

from par import load_criteria, parse_period, read_inputs, read_units, score
from par.analysis.compare import compare_criteria, compare_domains
from par.present.compare import PALETTE, compare_table, domain_label, fig_compare
from par.present.figures import MAX_COLOR, TEMPLATE

ROOT = Path(__file__).resolve().parents[2]
CHOSEN = ["cua-lo", "vinh", "nghi-loc"]
NAMES = ["Thành phố Vinh", "Huyện Nghi Lộc", "Thị xã Cửa Lò"]  # rank order: 1, 4, 14


@pytest.fixture(scope="module")
def sample():
    criteria = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
    units = read_units(ROOT / "data" / "units.csv")
    rows, _ = read_inputs([ROOT / "data" / "inputs" / "huyen-2019-self.csv",
                           ROOT / "data" / "inputs" / "huyen-2019-appraisal.csv"], criteria, units)
    return {"year": score(criteria, units, rows),
            "q2": score(criteria, units, rows, parse_period("2019-Q2"))}


def bars(fig):
    return [tr for tr in fig.data if tr.type == "bar"]


def test_one_colour_per_unit_best_ranked_first_then_the_level_mean(sample):
    card = sample["year"]
    fig = fig_compare(card, CHOSEN)
    units, mean = bars(fig)[:-1], bars(fig)[-1]
    assert [b.name for b in units] == NAMES
    assert [b.marker.color for b in units] == list(PALETTE[:3])
    assert mean.name == "Trung bình toàn cấp"
    assert fig.layout.barmode == "group" and all(b.orientation == "h" for b in bars(fig))
    regular = card.domain_codes("regular")
    assert len(units[0].y) == len(regular) == 8  # the bonus and the penalty stay in the tables
    assert np.allclose(units[2].x, card.node_score.loc["cua-lo", regular].to_numpy(dtype=float))
    # the max: one tick per domain, within its group (two groups' ticks never join)
    ticks = fig.layout.shapes
    assert [(s.x0, s.x1) for s in ticks] == [(m, m) for m in [12, 8, 14, 8, 12, 8, 10, 28]]
    assert all(s.line.color == MAX_COLOR and s.y1 - s.y0 < 1 for s in ticks)
    assert [s.y0 + 0.42 for s in ticks] == list(range(8))
    assert [s.showlegend for s in ticks] == [True] + [False] * 7
    assert ticks[0].name == "Điểm tối đa"
    assert fig.layout.template.layout.to_plotly_json() == \
        __import__("plotly.io").io.templates[TEMPLATE].layout.to_plotly_json()


def test_vietnamese_numbers_in_labels_and_hover(sample):
    fig = fig_compare(sample["year"], CHOSEN)
    cua_lo = bars(fig)[2]
    assert cua_lo.text[0] == "6,50" and cua_lo.customdata[0] == "6,50 / 12,00 điểm"
    assert fig.layout.separators == ",."
    english = fig_compare(sample["year"], CHOSEN, lang="en")
    assert bars(english)[2].text[0] == "6.50" and english.layout.separators == ".,"
    assert bars(english)[-1].name == "Level mean"


def test_percent_of_the_maximum(sample):
    fig = fig_compare(sample["year"], CHOSEN, measure="percent")
    cua_lo = bars(fig)[2]
    assert cua_lo.x[0] == pytest.approx(100 * 6.5 / 12)
    assert cua_lo.text[0] == "54,2%"
    assert cua_lo.customdata[0] == "54,2% điểm tối đa (6,50 / 12,00 điểm)"
    assert not fig.layout.shapes  # every max is 100 %
    assert fig.layout.xaxis.title.text == "% điểm tối đa"
    assert "(% điểm tối đa)" in fig.layout.title.text


def test_title_has_the_period_and_the_units(sample):
    fig = fig_compare(sample["year"], CHOSEN)
    assert fig.layout.title.text == "So sánh điểm theo lĩnh vực · Cả năm 2019"
    subtitle = fig.layout.title.subtitle.text
    assert subtitle.startswith(" · ".join(NAMES) + "<br>")
    assert "cấp huyện" in subtitle
    q2 = fig_compare(sample["q2"], CHOSEN)
    assert q2.layout.title.text.endswith("Lũy kế đến Quý II/2019")


def test_long_domain_names_break_between_words(sample):
    fig = fig_compare(sample["year"], CHOSEN)
    names = {d.code: d.name for d in sample["year"].criteria.domains}
    for label in bars(fig)[0].y:
        lines = label.split("<br>")
        assert len(lines) <= 3 and all(len(line) <= 32 for line in lines)
        code = lines[0].split(".")[0]
        words = f"{code}. {names[code]}".split()
        shown = " ".join(lines).removesuffix("…").split()
        assert shown == words[:len(shown)]  # whole words, in order
    assert bars(fig)[0].y[7].split("<br>")[-1] == "phát triển kinh tế - xã hội"
    assert domain_label("a " * 60).endswith("…")


HOSTILE = "<a href='https://evil.example'>Xã $x$</a>"


def test_supplied_names_are_shown_as_text():
    units = make_units([{"id": "x", "name": HOSTILE, "level": "xa"},
                        {"id": "y", "name": "Xã Y", "level": "xa"}])
    card = card_for(build_criteria("""
        domains:
          - {code: "1", name: "<b>Lĩnh vực</b>", max: 10, rule: {type: points}}
        """), units, [row("x", "1", "4"), row("y", "1", "6")])
    fig = fig_compare(card, ["x", "y"])
    texts = [b.name for b in bars(fig)] + [fig.layout.title.subtitle.text] + list(bars(fig)[0].y)
    assert not any("<a" in s or "<b>" in s or "$x$" in s for s in texts)
    assert "&lt;a href=" in bars(fig)[1].name


def test_tables_put_the_numbers_first_in_the_readers_language(sample):
    card = sample["year"]
    domains = compare_table(compare_domains(card, CHOSEN))
    assert list(domains.columns) == ["Mã", *NAMES, "Chênh lệch (điểm)",
                                     "TB toàn cấp", "Tối đa", "Lĩnh vực"]
    first = domains.iloc[0]
    assert (first["Thị xã Cửa Lò"], first["Thành phố Vinh"], first["Chênh lệch (điểm)"],
            first["Tối đa"]) == ("6,50", "11,00", "4,50", "12,00")
    assert domains.iloc[-1]["Lĩnh vực"] == "Tổng điểm" and domains.iloc[-1]["Thị xã Cửa Lò"] == "81,22"
    criteria = compare_table(compare_criteria(card, CHOSEN), lang="en")
    assert list(criteria.columns)[:2] == ["Code", "Domain"]
    assert list(criteria.columns)[-4:] == ["Difference (points)", "Level mean", "Max",
                                           "Criterion"]
    raw = compare_table(compare_criteria(card, CHOSEN), formatted=False)
    assert raw["Thị xã Cửa Lò"].dtype == float


def test_units_of_the_same_name_get_their_ids_in_the_headers():
    """A units table refuses repeated names, but two levels' tables (or a renamed unit
    read back) may still hold them: the headers stay distinct."""
    from dataclasses import replace

    card = card_for(build_criteria("""
        domains:
          - {code: "1", name: Một, max: 10, rule: {type: points}}
        """), make_units("p-a p-b p-c"),
        [row("p-a", "1", "4"), row("p-b", "1", "6"), row("p-c", "1", "1")])
    named = card.units.assign(name=["Xã An", "Xã An", "Mã"])
    card = replace(card, units=named.loc[card.units.index])
    table = compare_table(compare_domains(card, ["p-a", "p-b", "p-c"]))
    assert list(table.columns)[1:4] == ["Xã An (p-b)", "Xã An (p-a)", "Mã (p-c)"]
