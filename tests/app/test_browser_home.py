"""Real browser: the first screen (Tổng quan) for the office chief and for a unit's staff,
and someone preparing a meeting taking a unit's slide pack and report.

Its own sample database with an admin and a unit account (Phường Cửa Lò), Chromium at an
office laptop's 1366×768: each signs in, lands on the overview, reads their story and follows
a link onward. Screenshots under test-output/screenshots/home-*.png.
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
    running,
    settle,
    shot,
)

pytestmark = pytest.mark.browser

PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from par.domain.auth import Actor
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    folder = tmp_path_factory.mktemp("home")
    url = f"sqlite:///{folder / 'par.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.setenv("PAR_SAMPLE_MODE", "1")
        store = Store(url)
        ensure_seeded(store)
        accounts = Accounts(store)
        accounts.add(Actor.local_admin(), "chanh-van-phong", "reviewer", PASSWORD)
        accounts.add(Actor.local_admin(), "lan", "unit", PASSWORD, units=["p-cua-lo"])
        store.dispose()
        with running(STREAMLIT, folder / "server.log") as (base, _):
            yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _signed_in(browser, server, name: str):
    context = browser.new_context(viewport=LAPTOP, locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(UI_TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("websocket", lambda ws: count_runs(page, ws))
    page.goto(server)
    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).fill(name)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("heading", name="Tổng quan", exact=True).wait_for()
    settle(page)
    return context, page, errors


def test_the_chief_lands_on_each_levels_story_and_opens_the_ranking(browser, server):
    context, page, errors = _signed_in(browser, server, "chanh-van-phong")
    main = page.get_by_test_id("stMainBlockContainer")
    # the communes' 2025 is scored in one round for the year (par.sample.round)
    main.get_by_text(re.compile(r"^130 xã, phường — \d+ đã nộp Cả năm 2025")).wait_for()
    main.get_by_text(re.compile(r"^21 huyện, thị xã, thành phố — 21 đã nộp Cả năm 2019")).wait_for()
    # one "data last changed" line per level: wait for the third (the page draws in order)
    main.get_by_text("Số liệu cập nhật lần cuối:", exact=False).nth(2).wait_for()
    settle(page)
    shot(page, "home-1-chief")
    main.get_by_role("link", name="Xem bảng xếp hạng").first.click()
    page.get_by_role("heading", name="Xếp hạng", exact=True).wait_for()
    settle(page)
    assert not app_exceptions(page) and not errors
    context.close()


def test_a_unit_user_lands_on_their_unit_and_opens_its_profile(browser, server):
    context, page, errors = _signed_in(browser, server, "lan")
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("heading", name="Phường Cửa Lò").wait_for()
    main.get_by_text("Việc cần làm", exact=False).wait_for()  # the last line: all drawn
    settle(page)
    text = main.inner_text()
    assert re.search(r"Xếp thứ \d+/130 · \d+,\d\d%", text)
    assert "Ba tiêu chí mất nhiều điểm nhất" in text and "Để lên hạng" in text
    assert "Việc cần làm" in text
    shot(page, "home-2-unit")
    main.get_by_role("link", name="Xem hồ sơ đơn vị").click()
    page.get_by_role("heading", name="Đơn vị", exact=True).wait_for()
    settle(page)
    page.get_by_text("Phường Cửa Lò").first.wait_for()
    assert not app_exceptions(page) and not errors
    shot(page, "home-3-unit-profile")
    context.close()


def test_someone_preparing_a_meeting_takes_a_units_pack_and_report(browser, server, tmp_path):
    """At 1366×768: the unit page's slide pack (with its target-rank and trend slides) and its
    Excel report (the unit's rows stand out)."""
    import io

    import openpyxl
    from pptx import Presentation

    from par.export.report import UNIT_FILL

    context, page, errors = _signed_in(browser, server, "chanh-van-phong")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đơn vị", exact=True).click()
    page.get_by_role("heading", name="Đơn vị", exact=True).wait_for()
    settle(page)
    for label, option in (("Bộ chỉ số", re.compile(r"cấp huyện.*2019")),
                          ("Đơn vị", "Thị xã Cửa Lò")):
        click_option(page, page.get_by_role("combobox", name=label, exact=True), option)
        settle(page)
    page.get_by_role("heading", name=re.compile(r"^Xếp thứ 14\/21 · ")).wait_for()
    button = page.get_by_role("button", name="Bộ trình chiếu (PPTX)", exact=True)
    button.scroll_into_view_if_needed()
    settle(page)
    shot(page, "home-4-meeting-unit")
    with page.expect_download(timeout=90_000) as pack:
        button.click()
    slides = list(Presentation(pack.value.path()).slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[-2:] == ["Thị xã Cửa Lò — để lên hạng",
                           "Thị xã Cửa Lò — chỉ số và thứ hạng qua các kỳ"]
    # the target the page shows (rank 14 − 4 by default) is the one on the slide
    target_text = "\n".join(shape.text_frame.text for shape in slides[-2].shapes
                            if shape.has_text_frame)
    assert "lên hạng 10/21" in target_text
    with page.expect_download(timeout=90_000) as report:
        page.get_by_role("button", name="Báo cáo Excel", exact=True).click()
    ranking = openpyxl.load_workbook(io.BytesIO(open(report.value.path(), "rb").read()))
    sheet = ranking.worksheets[0]
    marked = [sheet.cell(r, 2).value for r in range(4, sheet.max_row + 1)
              if sheet.cell(r, 1).fill.fgColor.rgb == UNIT_FILL.fgColor.rgb]
    assert marked == ["cua-lo"]
    assert not app_exceptions(page) and not errors
    context.close()
