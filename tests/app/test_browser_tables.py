"""Real browser: the PAR office reads the commune ranking as numbers, and a unit's staff
member lands on their own unit (issue 13).

On a sample database of its own with an admin and a unit account for Phường Cửa Lò, at an
office laptop's 1366×768: the 130 communes and wards filtered to "Phường", sorted by the
index by clicking its header (the order must be numeric: 9,50 before 10,25 before 87,77),
searched "cua lo" without diacritics; the unit page's lagging table across the full width;
then the unit account's defaults (its level's set, the latest period with data, its unit,
highlighted). Screenshots under test-output/screenshots/tables-*.png.
"""
from __future__ import annotations

import re

import pytest
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

LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
COMMUNE_SET = re.compile(r"cấp xã.*2025")
GRID = '[data-testid="stDataFrame"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from par.domain.auth import Actor
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    folder = tmp_path_factory.mktemp("tables")
    url = f"sqlite:///{folder / 'par.db'}"
    store = Store(url)
    ensure_seeded(store)
    Accounts(store).add(Actor.local_admin(), "office", "admin", PASSWORD)
    Accounts(store).add(Actor("office", "admin"), "lan", "unit", PASSWORD, ["p-cua-lo"])
    store.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.setenv("PAR_SAMPLE_MODE", "1")
        with running(STREAMLIT, folder / "server.log") as (base, _):
            yield base


@pytest.fixture
def page(server):
    with chromium() as browser:
        context = browser.new_context(viewport=LAPTOP, locale="vi-VN")
        context.set_default_timeout(UI_TIMEOUT)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("websocket", lambda ws: count_runs(pg, ws))
        pg.goto(server)
        yield pg
        context.close()
        assert not errors, f"JavaScript errors in the page: {errors}"


def log_in(page, name: str) -> None:
    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).fill(name)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("heading", name="Tổng quan", exact=True).wait_for()  # the first screen
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Xếp hạng", exact=True).click()
    page.get_by_role("heading", name="Xếp hạng", exact=True).wait_for()
    page.locator(GRID).first.wait_for()
    settle(page)


def combobox(page, label: str):
    return page.get_by_role("combobox", name=label, exact=True)


def pick(page, label: str, option) -> None:
    """Open the selectbox, type the option's words when it has a name (a long list shows
    only some options at a time), click it."""
    with rerun(page):
        click_option(page, combobox(page, label), option,
                     option if isinstance(option, str) else None)


def headers(grid) -> list[str]:
    grid.locator('th[role="columnheader"]').first.wait_for(state="attached")
    return [h.strip() for h in grid.locator('th[role="columnheader"]').all_inner_texts()]


def column(grid, name: str) -> list[str]:
    """A column's values in the order the grid shows them (the grid's accessible table holds
    the raw values: numbers with a decimal point)."""
    j = [h.lstrip("↑↓ ").strip() for h in headers(grid)].index(name) + 1
    return grid.locator(f'td[role="gridcell"][aria-colindex="{j}"]').all_inner_texts()


def rows_become(page, grid, name: str, expected: list[str]) -> None:
    """Wait until the grid's column reads ``expected`` (the grid repaints after the rerun)."""
    for _ in range(100):
        if column(grid, name) == expected:
            return
        page.wait_for_timeout(100)
    assert column(grid, name) == expected


def sort_by(page, grid, name: str) -> None:
    """Click the column's header (the grid is a canvas: its headers are found by clicking
    along the header row until the accessible table says this column is sorted)."""
    box = grid.bounding_box()
    for x in range(int(box["x"]) + 30, int(box["x"] + box["width"]) - 10, 25):
        page.mouse.click(x, box["y"] + 18)
        page.wait_for_timeout(300)
        sorted_now = [h for h in headers(grid) if h.startswith(("↑", "↓"))]
        if sorted_now and sorted_now[0].lstrip("↑↓ ").strip() == name:
            if sorted_now[0].startswith("↓"):
                page.mouse.click(x, box["y"] + 18)  # ascending
            return
    pytest.fail(f"no header {name!r} found in {headers(grid)}")


def test_the_office_filters_sorts_and_finds_a_ward(page):
    log_in(page, "office")
    pick(page, "Bộ chỉ số", COMMUNE_SET)
    assert combobox(page, "Tính đến kỳ").input_value() == "Cả năm 2025"  # the year's round
    shot(page, "tables-1-communes")
    grid = page.locator(GRID).first
    assert headers(grid)[:5] == ["Hạng", "Đơn vị", "Nhóm", "Hạng trong nhóm", "Chỉ số (%)"]

    pick(page, "Nhóm đơn vị", "Phường")
    page.get_by_text("Đang hiện 11/130 đơn vị.").wait_for()
    grid = page.locator(GRID).first
    rows_become(page, grid, "Nhóm", ["Phường"] * 11)
    sort_by(page, grid, "Chỉ số (%)")
    values = [float(v) for v in column(grid, "Chỉ số (%)")]
    assert len(values) == 11 and values == sorted(values)  # as numbers, not as text
    shot(page, "tables-2-wards-by-index")
    # shown "2/11", "10/11": sorted as 2 < 10, not as text (the rank within the 11 wards,
    # whatever the sample's figures)
    sort_by(page, grid, "Hạng trong nhóm")
    ranks = [int(float(v)) for v in column(grid, "Hạng trong nhóm")]
    assert ranks == sorted(ranks) == list(range(1, 12))
    shown = [f"{r}/11" for r in ranks]
    assert shown != sorted(shown), shown  # text order would differ: the grid sorts numbers

    with rerun(page):
        box = page.get_by_role("textbox", name="Tìm đơn vị (có dấu hoặc không dấu)", exact=True)
        box.fill("cua lo")
        box.press("Enter")
    page.get_by_text("Đang hiện 1/130 đơn vị.").wait_for()
    settle(page)
    grid = page.locator(GRID).first
    rows_become(page, grid, "Đơn vị", ["Phường Cửa Lò"])
    shot(page, "tables-3-search-cua-lo")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đơn vị", exact=True).click()
    page.get_by_role("heading", name="Đơn vị", exact=True).wait_for()
    settle(page)
    pick(page, "Đơn vị", "Phường Cửa Lò")
    page.get_by_text("Tiêu chí kéo điểm xuống", exact=False).wait_for()
    lagging = page.locator(GRID).first
    lagging.scroll_into_view_if_needed()
    main = page.get_by_test_id("stMainBlockContainer").bounding_box()
    width = lagging.bounding_box()["width"]
    assert width > 0.9 * (main["width"] - 2 * 48), (width, main)  # the full width, not half
    assert headers(lagging)[:3] == ["Mã", "Điểm bị mất", "Điểm"]
    lost = [float(v) for v in column(lagging, "Điểm bị mất")]
    assert lost == sorted(lost, reverse=True)
    shot(page, "tables-4-unit-lagging")
    assert not app_exceptions(page)


def test_a_unit_account_lands_on_its_own_unit(page):
    log_in(page, "lan")
    assert COMMUNE_SET.search(combobox(page, "Bộ chỉ số").input_value())
    assert combobox(page, "Tính đến kỳ").input_value() == "Cả năm 2025"  # the year's round
    page.get_by_text("Đơn vị đang chọn (tô vàng trong bảng): Phường Cửa Lò", exact=False
                     ).wait_for()
    shot(page, "tables-5-unit-account-ranking")
    with rerun(page):
        page.get_by_text("Chỉ quanh đơn vị đang chọn (±5 hạng)").click()
    grid = page.locator(GRID).first
    assert "Phường Cửa Lò" in column(grid, "Đơn vị") and len(column(grid, "Đơn vị")) <= 11
    shot(page, "tables-6-around-own-unit")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đơn vị", exact=True).click()
    page.get_by_role("heading", name="Đơn vị", exact=True).wait_for()
    settle(page)
    assert combobox(page, "Đơn vị").input_value() == "Phường Cửa Lò"
    page.get_by_text("Xếp thứ ", exact=False).first.wait_for()
    shot(page, "tables-7-unit-account-unit-page")
    assert not app_exceptions(page)
