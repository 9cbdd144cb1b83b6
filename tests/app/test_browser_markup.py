"""Real browser: a unit whose name is Markdown, HTML and TeX is shown as text in Chromium.

`streamlit run dashboard.py` on a province's own database (tests/app/test_markup.py builds
it: Thị xã Cửa Lò renamed to a Markdown link, a remote image, an <img> and an <a> tag,
bold, TeX, a colour directive, an emoji shortcode and a bare www address). Chromium walks
the ranking, unit, criteria and trends pages while every request the page makes is
recorded: none may leave 127.0.0.1 (a rendered image would fetch
https://evil.example/pixel.png), no element may carry the address in an attribute (no
<a href>, <img src>, SVG link), nothing may be typeset or coloured, and the name must be
on the page as the characters typed. Screenshots: test-output/screenshots/markup-*.png.

Needs /usr/bin/chromium. Never `playwright install`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from server import STREAMLIT, chromium, click_option, running
from test_markup import HOSTILE, build_database

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
VIEWPORT = {"width": 1400, "height": 2400}
SERVER_TIMEOUT = 60  # s
UI_TIMEOUT = 30_000  # ms
DISTRICT_SET = re.compile(r"cấp huyện.*2019")
WORD_JOINER = "\u2060"

# Every attribute that links or loads something (href, src, xlink:href, srcset, action,
# poster, data, a style's url()) and names the address. The texts themselves may: an
# <input>'s value or plotly's data-unformatted hold the name as typed.
ATTRIBUTES_NAMING_EVIL = """() => {
  const linking = /^(href|xlink:href|src|srcset|action|formaction|poster|data|background)$/i;
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const loads = linking.test(a.name) || (a.name === 'style' && /url\\(/i.test(a.value));
      if (loads && /evil/i.test(a.value)) {
        let p = el, path = [];
        while (p) { if (p.dataset && p.dataset.testid) path.push(p.dataset.testid); p = p.parentElement; }
        found.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 60) + ' in ' + path.slice(0, 3).join('<'));
      }
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    """`streamlit run dashboard.py` on the hostile database, 127.0.0.1, a free port."""
    tmp = tmp_path_factory.mktemp("markup")
    url_db = f"sqlite:///{tmp / 'province.db'}"
    build_database(url_db)
    env = {k: v for k, v in os.environ.items() if k != "PAR_SAMPLE_MODE"}
    env["PAR_DATABASE_URL"] = url_db  # a province's own database: never seeded
    with running(STREAMLIT, tmp / "server.log", env) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def settle(page) -> None:
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
               && !document.querySelector('[data-stale="true"]')
               && document.querySelector('[data-testid="stApp"]')
                    ?.dataset.testScriptState === 'notRunning'""", timeout=UI_TIMEOUT)
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
               && !document.querySelector('[data-stale="true"]')""", timeout=UI_TIMEOUT)


def choose(page, label: str, option) -> None:
    click_option(page, page.get_by_role("combobox", name=label, exact=True), option)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.mouse.move(VIEWPORT["width"] - 10, VIEWPORT["height"] - 10)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / f"markup-{name}.png"), full_page=True)


def assert_text_only(page, requests: list[str]) -> str:
    """No request off 127.0.0.1, no attribute naming the address, nothing typeset; the
    page's text (word joiners taken out)."""
    foreign = [u for u in requests
               if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"]
    assert not foreign, foreign
    found = page.evaluate(ATTRIBUTES_NAMING_EVIL)
    assert found == [], "\n".join(x[:160] for x in found)
    assert page.locator(".katex, .stMarkdownColoredText, img[alt='x']").count() == 0
    assert page.locator("strong, b", has_text=re.compile(r"^đậm$")).count() == 0
    assert not page.locator('[data-testid="stException"]').all_inner_texts()
    return page.locator("body").inner_text().replace(WORD_JOINER, "")


def test_ranking_and_unit_pages_show_the_hostile_name_as_text(browser, server):
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    context.set_default_timeout(UI_TIMEOUT)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server}/xep-hang")
        page.get_by_role("heading", name="Xếp hạng", exact=True).wait_for()
        settle(page)
        choose(page, "Bộ chỉ số", DISTRICT_SET)
        chart = page.locator('[data-testid="stPlotlyChart"] .main-svg').first
        chart.wait_for()
        page.locator('[data-testid="stPlotlyChart"] text.bartext').filter(
            has_text=re.compile(r"^1/21 · ")).first.wait_for(state="attached")
        settle(page)
        # the ranking chart's tick: the name's first characters, as characters
        ticks = page.locator('[data-testid="stPlotlyChart"] g.ytick text').all_text_contents()
        assert any(t.startswith("Xã [click](https://evil.exam") for t in ticks), ticks
        assert_text_only(page, requests)
        shot(page, "ranking")

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đơn vị", exact=True).click()
        page.get_by_role("combobox", name="Đơn vị", exact=True).wait_for()
        settle(page)
        choose(page, "Đơn vị", HOSTILE)  # the option's accessible name: the name as typed
        page.get_by_role("heading", name=re.compile(r"^Xếp thứ \d+\/21 · ")).wait_for()
        page.locator(".js-plotly-plot").filter(has_text="Xã [click](https://evil.example)") \
            .first.wait_for()
        settle(page)
        text = assert_text_only(page, requests)
        assert "Tài liệu họp: báo cáo và bộ trình chiếu cho " + HOSTILE in text
        title = page.locator(".js-plotly-plot .gtitle").first.text_content()
        # the name whole on the first line, "hạng …" on the second (a long title breaks)
        assert title.startswith(HOSTILE.replace("  ", " ") + " —hạng ")
        assert page.get_by_role("combobox", name="Đơn vị", exact=True).input_value() == HOSTILE
        shot(page, "unit")

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Xu hướng", exact=True).click()
        page.get_by_role("heading", name="Xu hướng", exact=True).wait_for()
        page.locator(".js-plotly-plot").filter(has_text="Xã [click](https://evil.example)") \
            .first.wait_for()
        settle(page)
        assert_text_only(page, requests)
        shot(page, "trends")

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tiêu chí", exact=True).click()
        page.get_by_role("heading", name="Tiêu chí", exact=True).wait_for()
        page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').nth(1).wait_for()
        settle(page)
        assert_text_only(page, requests)
        shot(page, "criteria")
        assert any(urlsplit(u).hostname == "127.0.0.1" for u in requests)  # it did record
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
