"""Supplied text shown as text (par.present.safe), and every figure built with it.

A unit or criterion name carrying Markdown, HTML, TeX or Streamlit directives must reach
Streamlit, plotly and the slide pack's HTML as inert text. The helpers are checked as
properties over arbitrary text (hypothesis); the figure builders and the exported charts
on a scorecard whose names are hostile.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from par import read_inputs, read_units, score
from par.engine.criteria import check_criteria_text
from par.present.safe import WORD_JOINER, html_text, md, plotly_text

ROOT = Path(__file__).resolve().parents[2]
EVIL = "https://evil.example"
HOSTILE = (f"Xã [click]({EVIL}) ![x]({EVIL}/pixel.png) <img src=\"{EVIL}/i.png\"> "
           f"<a href=\"{EVIL}\">a</a> **đậm** $x^2$ :red[đỏ] :smile: www.evil.example & co")
HOSTILE_CRITERION = f"Tiêu chí <a href=\"{EVIL}\">x</a> [y]({EVIL}) $z$"

# Text that is mostly the characters markup is made of.
MARKUP = st.text(alphabet=st.sampled_from(list("[]()!<>/\\*_~`$:#|&@.-+=\"' \n\tahx1ậ")) |
                 st.characters(), max_size=80) | st.from_regex(
    r"(https?://|www\.|[a-z]+@|mailto:|:)[a-z.]{1,12}(:|\.vn)?", fullmatch=True)
ASCII_PUNCT = re.compile(r"[!-/:-@\[-`{-~]")
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")


def _unescape_md(text: str, joiners: bool = False) -> str:
    """The text Markdown parses ``text`` into (with or without the word joiners)."""
    out = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    return out if joiners else out.replace(WORD_JOINER, "")


# What runs on the parsed text, after the escapes are gone (mdast-util-gfm-autolink-literal,
# remark-emoji, Streamlit's material icons and logo): none of it may match.
AFTER_PARSE = [re.compile(r"(https?://|www(?=\.))[-.\w]+", re.I | re.A),
               re.compile(r"[-.\w+]+@[-\w]+(\.[-\w]+)+", re.A),
               re.compile(r"(mailto|xmpp):[-.\w+]+@", re.I | re.A),
               re.compile(r":\+1:|:-1:|:[\w-]+:", re.A),
               re.compile(r":material[/_]\w+:|:streamlit:")]


# -- the helpers ------------------------------------------------------------------------

@given(MARKUP)
def test_md_escapes_every_markup_character(text):
    out = md(text)
    assert "\n" not in out and "\r" not in out
    # with the escape pairs taken out, no ASCII punctuation is left: nothing is syntax
    assert not ASCII_PUNCT.search(ESCAPED.sub("", out))
    # no link or image opens, no tag starts
    assert not re.search(r"(?<!\\)\]\(", out) and not re.search(r"(?<!\\)<[A-Za-z/!?]", out)
    # and people read the same text (on one line)
    assert _unescape_md(out) == re.sub(r"[\r\n\v\f\x85\u2028\u2029]+", " ", text)
    parsed = _unescape_md(out, joiners=True)
    assert not [p.pattern for p in AFTER_PARSE if p.search(parsed)]


@pytest.mark.parametrize("text", ["https://evil.example", "see HTTP://x.vn", "www.evil.example",
                                  "ban@tinh.gov.vn", "mailto:a@b.vn", ":smile: :+1:",
                                  ":material/home: :streamlit:", "http://a.vn/x?y=1#z"])
def test_md_keeps_links_emoji_and_icons_from_after_parse_replacements(text):
    parsed = _unescape_md(md(text), joiners=True)
    assert not [p.pattern for p in AFTER_PARSE if p.search(parsed)]
    assert parsed.replace(WORD_JOINER, "") == text


def test_md_on_the_hostile_name():
    out = md(HOSTILE)
    assert not re.search(r"(?<!\\)[\]<]", out)  # no bracket closes, no tag opens
    assert r"\[click\]\(https" + WORD_JOINER + r"\:\/\/evil\.example\)" in out
    assert r"\$x^2\$".replace("^", r"\^") in out
    # Streamlit replaces :smile: after parsing: a word joiner keeps it text
    assert "\\:" + WORD_JOINER + "smile\\:" in out and "\\:red\\[đỏ\\]" in out
    assert md(None) == "" and md(12.5) == "12\\.5"


@given(MARKUP)
def test_plotly_text_is_inert(text):
    out = plotly_text(text)
    assert "<" not in out and ">" not in out and "$" not in out
    assert not re.search(r"&(?!amp;|lt;|gt;|#36;)", out)
    assert html.unescape(out) == text  # plotly decodes the entities: shown as typed


@given(MARKUP)
def test_html_text_is_inert(text):
    out = html_text(text)
    assert "<" not in out and ">" not in out and '"' not in out
    assert html.unescape(out) == text


# -- figures: every string plotly draws -------------------------------------------------

OUR_TAGS = re.compile(r"</?(br|b|i|extra)>")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def assert_inert(fig) -> str:
    """No text of the figure holds markup but the builders' own <br>, <b>, <i>; its text as
    shown."""
    spec = fig.to_plotly_json()
    spec["layout"].pop("template", None)
    texts = _strings(json.loads(json.dumps(spec, default=str)))
    bad = [s for s in texts if re.search(r"[<>$]", OUR_TAGS.sub("", s))]
    assert not bad, bad[:3]
    shown = html.unescape(" ".join(OUR_TAGS.sub("", s) for s in texts))
    return shown


@pytest.fixture(scope="module")
def hostile_card():
    yaml_text = (ROOT / "criteria/nghe-an-huyen-2019.yaml").read_text(encoding="utf-8")
    yaml_text = yaml_text.replace("name: Công tác chỉ đạo, điều hành cải cách hành chính",
                                  "name: " + json.dumps(HOSTILE_CRITERION, ensure_ascii=False), 1)
    yaml_text = yaml_text.replace("title: Bộ chỉ số CCHC cấp huyện tỉnh Nghệ An năm 2019 (minh họa)",
                                  "title: " + json.dumps("Bộ <b>$1$</b>", ensure_ascii=False), 1)
    criteria, issues = check_criteria_text(yaml_text, "hostile.yaml")
    assert criteria is not None, [i.render("en") for i in issues]
    assert criteria.nodes["1"].name == HOSTILE_CRITERION
    units = read_units(ROOT / "data/units.csv")
    units.loc["cua-lo", "name"] = HOSTILE
    inputs = [ROOT / "data/inputs/huyen-2019-self.csv", ROOT / "data/inputs/huyen-2019-appraisal.csv"]
    rows, _ = read_inputs(inputs, criteria, units)
    return score(criteria, units, rows), units, rows


def test_dashboard_figures_show_hostile_names_as_text(hostile_card):
    from par.analysis.trends import (
        get_criterion_distribution,
        get_domain_attainment,
        get_domain_comparison,
        get_trend,
    )
    from par.decide.uncertainty import get_rank_intervals
    from par.present.figures import (
        add_projection,
        fig_distribution,
        fig_domains,
        fig_heatmap,
        fig_rank_intervals,
        fig_ranking,
        fig_trend,
    )

    (card, units, rows), unit = hostile_card, "cua-lo"
    u = card.units.loc[unit]
    shown = assert_inert(fig_ranking(card, "vi", unit, top=6))
    assert "[click](https://evil.example)" in shown.replace("\u200b", "")
    assert_inert(fig_domains(get_domain_comparison(card, unit, "vi"), u["name"], "14/21", "vi"))
    shown = assert_inert(fig_heatmap(get_domain_attainment(card, "vi"), "vi",
                                     HOSTILE_CRITERION))
    assert "$z$" in shown
    dist = get_criterion_distribution(card, "1.1.1")
    assert_inert(fig_distribution(dist, "1.1.1", HOSTILE_CRITERION, "vi", highlight=unit))
    trend = get_trend(card.criteria, units, rows)
    fig = fig_trend(trend, u["name"], "vi", unit=unit)
    assert_inert(add_projection(fig, "2019-Q4", 50.0, "<b>x</b>", 60.0, "3/21", "vi"))
    intervals = get_rank_intervals(card, runs=20, rows=rows)
    assert_inert(fig_rank_intervals(intervals, "vi", unit))


def test_exported_charts_and_slide_ticks_show_hostile_names_as_text(hostile_card,
                                                                   monkeypatch):
    from par.analysis.trends import get_trend
    from par.export import pack
    from par.export.images import chart_figure

    card, units, rows = hostile_card
    trend = get_trend(card.criteria, units, rows)
    for kind in ("ranking", "domains", "heatmap", "distribution", "trend"):
        fig = chart_figure(card, kind, "cua-lo", "vi", trend=trend, criterion="1")
        shown = assert_inert(fig)
        assert "<img src=" in shown  # the text itself is there, as text
    monkeypatch.setattr(pack, "MAX_LABELLED_BARS", 5)  # the many-units slide: a tick only
    slide = pack._ranking(card, "cua-lo", "vi")
    assert_inert(slide.items[0].figure)
