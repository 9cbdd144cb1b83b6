"""Real browser: the PAR office compares units on "So sánh đơn vị".

A sample database of its own (PAR_SAMPLE_MODE=1, a temporary PAR_DATABASE_URL) and an office
laptop's 1366×768: open the page, pick the 2019 district set, add Thị xã Cửa Lò to the two
units the page starts with, see the chart and both tables, narrow the criteria to one domain,
switch the chart to % of the maximum and download the Excel file. Screenshots under
test-output/screenshots/compare-*.png, the file under test-output/downloads/.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from server import (
    STREAMLIT,
    UI_TIMEOUT,
    app_exceptions,
    chromium,
    click_option,
    count_runs,
    rerun,
    running,
    settle,
    shot,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOWNLOADS = ROOT / "test-output" / "downloads"
LAPTOP = {"width": 1366, "height": 768}
DISTRICT_SET = re.compile(r"cấp huyện.*2019")
CUA_LO = "Thị xã Cửa Lò"
UNITS_BOX = "Đơn vị so sánh (2–5)"


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    """A sample database for this journey alone."""
    folder = tmp_path_factory.mktemp("compare")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", f"sqlite:///{folder / 'par.db'}")
        mp.setenv("PAR_SAMPLE_MODE", "1")
        yield folder


@pytest.fixture(scope="module")
def server(own_database) -> str:
    with running(STREAMLIT, own_database / "server.log") as (url, _):
        yield url


@pytest.fixture
def page(server):
    with chromium() as browser:
        context = browser.new_context(viewport=LAPTOP, locale="vi-VN", accept_downloads=True)
        context.set_default_timeout(UI_TIMEOUT)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("websocket", lambda ws: count_runs(pg, ws))
        pg.goto(f"{server}/xep-hang")  # the journey starts on the ranking
        yield pg
        context.close()
        assert not errors, f"JavaScript errors in the page: {errors}"


def choose(page, label: str, option) -> None:
    """A selectbox's option, and the rerun it causes."""
    with rerun(page):
        click_option(page, page.get_by_role("combobox", name=label, exact=True), option)


def chips(page) -> list[str]:
    """The units the multiselect holds, in the order picked."""
    tags = page.locator('[data-testid="stMultiSelect"] .react-aria-ComboBox [data-tag] span[title]')
    return [tags.nth(i).get_attribute("title") for i in range(tags.count())]


def headers(grid) -> list[str]:
    th = grid.locator('th[role="columnheader"]')
    th.first.wait_for(state="attached")
    return [h.strip() for h in th.all_text_contents()]


def test_the_office_compares_three_district_units(page, tmp_path):
    page.get_by_role("heading", name="Xếp hạng").wait_for()
    settle(page)
    with rerun(page):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="So sánh đơn vị", exact=True).click()
    page.get_by_role("heading", name="So sánh đơn vị", exact=True).wait_for()
    choose(page, "Bộ chỉ số", DISTRICT_SET)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    settle(page)
    assert chips(page) == ["Thành phố Vinh", "Huyện Diễn Châu"]  # the best two to start with

    # add Cửa Lò: type in the box, pick it from the list
    with rerun(page):
        box = page.get_by_role("combobox", name=UNITS_BOX, exact=True)
        box.click()
        box.fill("Cửa Lò")
        page.get_by_role("option", name=CUA_LO, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    assert chips(page) == ["Thành phố Vinh", "Huyện Diễn Châu", CUA_LO]
    labels = [x.strip() for x in page.locator('[data-testid="stMetricLabel"]').all_inner_texts()]
    assert labels == ["Thành phố Vinh", "Huyện Diễn Châu", CUA_LO]
    values = [x.strip() for x in page.locator('[data-testid="stMetricValue"]').all_inner_texts()]
    assert values[2] == "81,22%" and "Xếp thứ 14/21" in page.locator("body").inner_text()
    shot(page, "compare-1-units")

    chart = page.locator('[data-testid="stPlotlyChart"]').first
    legend = [x.strip() for x in chart.locator("g.legend text.legendtext").all_text_contents()]
    assert legend[:3] == ["Thành phố Vinh", "Huyện Diễn Châu", CUA_LO]
    title = chart.locator("text.gtitle").first.text_content()
    assert title == "So sánh điểm theo lĩnh vực · Cả năm 2019"
    assert chart.locator("text.bartext", has_text="6,50").count() >= 1  # Cửa Lò's domain 1
    assert not app_exceptions(page)
    chart.scroll_into_view_if_needed()
    shot(page, "compare-2-chart")

    grids = page.locator('[data-testid="stDataFrame"]')
    grids.nth(1).wait_for(state="attached")
    assert grids.count() == 2
    domain_headers = headers(grids.nth(0))
    assert domain_headers[:5] == ["Mã", "Thành phố Vinh", "Huyện Diễn Châu", CUA_LO,
                                  "Chênh lệch (điểm)"]
    grids.nth(0).scroll_into_view_if_needed()
    # full width: the table spans the main column
    main = page.get_by_test_id("stMainBlockContainer").bounding_box()
    table = grids.nth(0).bounding_box()
    assert table["width"] > 0.9 * (main["width"] - 2 * 48)
    # every domain and the total in view, without scrolling inside the grid
    total = grids.nth(0).locator('[data-testid="glide-cell-7-10"]').first
    total.wait_for(state="attached")
    assert (total.text_content() or "").strip() == "Tổng điểm"
    assert table["height"] >= 12 * 35
    shot(page, "compare-3-domain-table")

    choose(page, "Lĩnh vực", re.compile(r"^3\. Cải cách thủ tục hành chính$"))
    criteria = page.locator('[data-testid="stDataFrame"]').nth(1)
    criteria.scroll_into_view_if_needed()
    assert headers(criteria)[:2] == ["Mã", "Lĩnh vực"]
    first_code = criteria.locator('[data-testid="glide-cell-0-0"]').first
    # the grid repaints after the run: wait for the filtered rows (the largest difference first)
    expect(first_code).to_have_text(re.compile(r"^\s*3\.1\.1\s*$"), timeout=UI_TIMEOUT)
    assert not app_exceptions(page)
    shot(page, "compare-4-criteria-table")

    with rerun(page):
        page.get_by_text("% điểm tối đa", exact=True).click()
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    assert "% điểm tối đa" in chart.locator("text.gtitle").first.text_content()
    chart.scroll_into_view_if_needed()
    shot(page, "compare-5-percent")

    button = page.get_by_role("button", name="Tải hai bảng (Excel)", exact=True)
    button.scroll_into_view_if_needed()
    shot(page, "compare-6-downloads")
    with page.expect_download(timeout=UI_TIMEOUT) as info:
        button.click()
    received = info.value
    assert received.failure() is None, received.failure()
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    path = DOWNLOADS / received.suggested_filename
    received.save_as(path)
    assert path.name == "so-sanh-nghe-an-huyen-2019-2019.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert wb.sheetnames == ["Lĩnh vực", "Tiêu chí"]
    ws = wb["Lĩnh vực"]
    assert [c.value for c in ws[2]][:4] == ["Mã", "Thành phố Vinh", "Huyện Diễn Châu", CUA_LO]
    assert ws.cell(ws.max_row, 4).value == pytest.approx(81.2217)
    assert {wb["Tiêu chí"].cell(r, 2).value for r in range(3, wb["Tiêu chí"].max_row + 1)} \
        == {"3"}  # the criteria as filtered on the page
    assert not app_exceptions(page)
