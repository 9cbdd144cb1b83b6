"""Real browser: the PAR office imports a survey form's answers on "Khảo sát".

A province's own database (not sample mode) with three communes, a small criteria set with a
survey form, and one admin account. At an office laptop's 1366×768: log in, open "Khảo sát",
upload a file with mistakes (every problem listed by row and column, nothing stored), upload
the right answers (preview), confirm, and see the flash, the dot-and-whisker chart, the low
sample warning and the tables. Screenshots under test-output/screenshots/survey-*.png.
"""
from __future__ import annotations

import pytest
from server import (
    STREAMLIT,
    UI_TIMEOUT,
    app_exceptions,
    chromium,
    count_runs,
    rerun,
    running,
    settle,
    shot,
    upload,
)

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "van-phong", "Mật-khẩu-rất-bí-mật-2025"
LAPTOP = {"width": 1366, "height": 768}
SET = """
surveys:
  - id: lanh-dao
    name: Phiếu khảo sát lãnh đạo, quản lý
    min_responses: 3
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: Mức độ kịp thời của việc ban hành kế hoạch CCHC}
      - {code: Q2, text: Công khai thủ tục, options: {Có: 100, Không: 0}}
domains:
  - code: "1"
    name: Khảo sát
    max: 20
    children:
      - {code: "1.1", name: Chỉ đạo điều hành, max: 10, rule: {type: survey, source: {form: lanh-dao, questions: [Q1, Q2]}}}
      - {code: "1.2", name: Công khai, max: 10, rule: {type: survey, source: {form: lanh-dao, questions: [Q2]}, bands: [{min: 50, points: 10}, {min: 0, points: 2}]}}
"""
GOOD = ("đơn vị,người trả lời,Q1,Q2\n"
        + "".join(f"an,{i},{'ABAC'[i % 4]},{'Có' if i % 3 else 'Không'}\n" for i in range(1, 9))
        + "".join(f"binh,{i},{'CDBE'[i % 4]},Không\n" for i in range(1, 6))
        + "cat,1,A,Có\ncat,2,B,Có\n")
BAD = "đơn vị,người trả lời,Q1,Q2\nan,1,A,Có\nxyz,2,B,Không\nan,3,F,Có\n"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from conftest import criteria_issues, make_units

    from par.domain.auth import Actor
    from par.store import library
    from par.store.accounts import Accounts
    from par.store.storage import Store

    folder = tmp_path_factory.mktemp("survey")
    url = f"sqlite:///{folder / 'province.db'}"
    store = Store(url)
    store.sync_units(make_units([{"id": "an", "name": "Xã Diễn An", "level": "xa"},
                                 {"id": "binh", "name": "Xã Nghi Bình", "level": "xa"},
                                 {"id": "cat", "name": "Phường Cửa Lò", "level": "xa"}]))
    library.add_set(store, criteria_issues(SET)[0], actor=Actor.local_admin(),
                    source_name="t.yaml", activate=True)
    Accounts(store).add(Actor.local_admin(), ADMIN, "admin", PASSWORD)
    store.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.setenv("PAR_SAMPLE_MODE", "0")
        with running(STREAMLIT, folder / "server.log") as (base, _):
            yield base, url


@pytest.fixture
def page(province):
    with chromium() as browser:
        context = browser.new_context(viewport=LAPTOP, locale="vi-VN")
        context.set_default_timeout(UI_TIMEOUT)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("websocket", lambda ws: count_runs(pg, ws))
        pg.goto(province[0])
        yield pg
        context.close()
        assert not errors, f"JavaScript errors in the page: {errors}"


def test_the_office_imports_survey_answers_and_sees_the_chart(page, province, tmp_path):
    from par.store.storage import Store
    from par.store.surveys import imports

    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).fill(ADMIN)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Khảo sát", exact=True).click()
    page.get_by_role("heading", name="Khảo sát", exact=True).wait_for()
    page.get_by_text("Chưa nhập câu trả lời của phiếu này", exact=False).wait_for()
    settle(page)
    shot(page, "survey-1-empty")

    bad = tmp_path / "phieu-sai.csv"
    bad.write_text(BAD, encoding="utf-8")
    upload(page, bad)
    error = page.locator('[data-testid="stAlertContentError"]').inner_text()
    assert "phieu-sai.csv" in error and "xyz" in error and "chưa lưu gì" in error
    shot(page, "survey-2-problems")
    store = Store(province[1])
    assert imports(store).empty

    good = tmp_path / "phieu-lanh-dao.csv"
    good.write_text(GOOD, encoding="utf-8")
    upload(page, good)
    page.get_by_role("heading", name="Xem trước:", exact=False).wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.get_by_role("button", name="Xác nhận nhập cho Cả năm 2025").scroll_into_view_if_needed()
    shot(page, "survey-3-preview")
    with rerun(page):
        page.get_by_role("button", name="Xác nhận nhập cho Cả năm 2025", exact=True).click()
    page.get_by_test_id("stToast").get_by_text("15 người trả lời", exact=False).wait_for()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    page.locator(".js-plotly-plot .scatterlayer .point").first.wait_for()
    warning = page.locator('[data-testid="stAlertContentWarning"]').inner_text()
    assert "Phường Cửa Lò" in warning
    assert not app_exceptions(page)
    page.locator('[data-testid="stMainBlockContainer"]').get_by_text(
        "Đã nhập lần #1 — Phiếu khảo sát lãnh đạo", exact=False).scroll_into_view_if_needed()
    shot(page, "survey-4-results")
    page.locator('[data-testid="stPlotlyChart"]').first.scroll_into_view_if_needed()
    shot(page, "survey-5-chart")
    page.get_by_role("heading", name="Lịch sử nhập").scroll_into_view_if_needed()
    shot(page, "survey-6-tables")
    assert imports(store)["status"].tolist() == ["current"]
    store.dispose()

    # how much of the ranking is survey noise: the seeded bootstrap, on request
    with rerun(page):
        page.get_by_role("button", name="Tính khoảng hạng (bootstrap 200 lần)",
                         exact=True).click()
    page.get_by_text("Khoảng hạng (95%)", exact=True).wait_for(state="attached")
    table = page.locator('[data-testid="stDataFrame"]').filter(has_text="Khoảng hạng (95%)")
    table.scroll_into_view_if_needed()
    cells = table.locator('td[role="gridcell"]').all_inner_texts()
    # every unit of the level with its interval (the grid's accessible cells hold raw values)
    assert {"Phường Cửa Lò", "Xã Nghi Bình", "Xã Diễn An"} <= set(cells), cells
    assert not app_exceptions(page)
    shot(page, "survey-7-rank-noise")

    # the ranking page's rank intervals now carry the survey's sampling error, and say so
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Xếp hạng", exact=True).click()
    page.get_by_role("heading", name="Xếp hạng", exact=True).wait_for()
    settle(page)
    page.get_by_text("Độ vững của thứ hạng", exact=True).click()
    with rerun(page):
        page.get_by_text("Tính khoảng thứ hạng", exact=False).click()
    note = page.get_by_text("Khoảng thứ hạng gồm cả sai số chọn mẫu của khảo sát Cả năm 2025",
                            exact=False)
    note.wait_for()
    page.locator('.st-key-rank_intervals .main-svg').first.wait_for()
    note.scroll_into_view_if_needed()
    assert not app_exceptions(page)
    shot(page, "survey-8-ranking-intervals")
