"""Real browser: an upload that cannot mislead, and a log and history people can use.

Its own sample database (PAR_SAMPLE_MODE=1, a temporary PAR_DATABASE_URL) with an admin
(the PAR office) and a staff member of Thị xã Cửa Lò. At an office laptop's 1366×768:
the staff member opens "Tải lên" (the uploader reads in Vietnamese with par's real cap),
tries a file for Thành phố Vinh (refused by name, before any preview), uploads Cửa Lò's own
file with Vietnamese headers (the preview names the period and shows the year to date and
the whole year), saves it (the new rank is shown); then the office filters the "Nhật ký"
to the refusal and rolls Cửa Lò back after looking at the effect and ticking the box.
Screenshots: test-output/screenshots/upload-*.png.

Needs /usr/bin/chromium. Never `playwright install`.
"""
from __future__ import annotations

import re

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
    upload,
)

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
ADMIN, STAFF, PASSWORD = "van-phong", "cua-lo-staff", "Mật-khẩu-rất-bí-mật-2025"
DISTRICT_SET = re.compile(r"cấp huyện.*2019")
CUA_LO, VINH = "Thị xã Cửa Lò", "Thành phố Vinh"
VI_HEAD = "đơn vị,kỳ,tiêu chí,giá trị,tử số,mẫu số\n"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A sample database for this journey alone, seeded, with its two accounts."""
    from par.domain.auth import Actor
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    folder = tmp_path_factory.mktemp("upload-journey")
    url = f"sqlite:///{folder / 'par.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.setenv("PAR_SAMPLE_MODE", "1")
        mp.delenv("PAR_MAX_UPLOAD_MB", raising=False)
        store = Store(url)
        ensure_seeded(store)
        accounts = Accounts(store)
        accounts.add(Actor.local_admin(), ADMIN, "admin", PASSWORD)
        accounts.add(Actor(ADMIN, "admin"), STAFF, "unit", PASSWORD, ["cua-lo"])
        store.dispose()
        with running(STREAMLIT, folder / "server.log") as (base, _):
            yield base, url, folder


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _page(browser, base: str):
    context = browser.new_context(viewport=LAPTOP, locale="vi-VN")
    context.set_default_timeout(UI_TIMEOUT)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("websocket", lambda ws: count_runs(pg, ws))
    pg.goto(base)
    return context, pg, errors


def log_in(page, name: str) -> None:
    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).fill(name)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tải lên", exact=True).wait_for()
    settle(page)


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    settle(page)


def pick(page, label: str, option, typed: str = "") -> None:
    """Choose an option of the selectbox with this label (in the main area) and wait for
    the rerun; ``typed`` narrows a long list first (its options are drawn as scrolled to)."""
    box = page.get_by_test_id("stMain").get_by_role("combobox", name=label, exact=True)
    value = box.input_value()
    if (option.search(value) if isinstance(option, re.Pattern) else value == option):
        return
    with rerun(page):
        click_option(page, box, option, typed)


def into_view(locator) -> None:
    """Scroll the page's main area so a person at 1366×768 sees ``locator`` (a screenshot
    shows the window, not the whole scrolled page)."""
    locator.first.scroll_into_view_if_needed()
    settle(locator.page)


def grids_with(page, header: str):
    th = page.locator('th[role="columnheader"]', has_text=re.compile(rf"^\s*{re.escape(header)}\s*$"))
    th.first.wait_for(state="attached")
    return page.locator('[data-testid="stDataFrame"]').filter(has=th)


def cell_text(grid, row: int, col: int) -> str:
    cell = grid.locator(f'[data-testid="glide-cell-{col}-{row}"]').first
    cell.wait_for(state="attached")
    return (cell.text_content() or "").strip()


def after_content(page, selector: str) -> str:
    """The text a ::after rule draws on the first element matching ``selector``."""
    return page.evaluate(
        "s => { const e = document.querySelector(s); return e ? "
        "getComputedStyle(e, '::after').content : null; }", selector)


def test_staff_upload_then_office_audit_and_rollback(browser, sample, tmp_path):
    from par.store.storage import Store

    base, url, _ = sample
    context, page, errors = _page(browser, base)
    log_in(page, STAFF)
    go_to(page, "Tải lên")
    pick(page, "Bộ chỉ số", DISTRICT_SET)
    assert page.get_by_test_id("stMain").get_by_role(
        "combobox", name="Đơn vị", exact=True).input_value() == CUA_LO
    pick(page, "Kỳ báo cáo", "2019-Q4")

    # the uploader's own texts: Vietnamese, par's cap (10 MB), not Streamlit's 200MB
    zone = '[data-testid="stFileUploaderDropzone"]'
    assert after_content(page, f'{zone} button [data-testid="stMarkdownContainer"] p') == \
        '"Chọn tệp"'
    assert after_content(page, '[data-testid="stFileUploaderDropzoneInstructions"] span') == \
        '"Tối đa 10 MB mỗi tệp • XLSX, CSV"'
    uploader = page.get_by_test_id("stFileUploader")
    into_view(uploader)
    box = uploader.locator('[data-testid="stFileUploaderDropzoneInstructions"] span').bounding_box()
    assert box and box["width"] > 150  # drawn, not collapsed
    shot(page, "upload-1-trang-tai-len")
    dropzone = page.locator(zone)  # a file dragged over it: the drop hint, in Vietnamese
    transfer = page.evaluate_handle("() => { const d = new DataTransfer(); d.items.add("
                                    "new File(['x'], 'a.csv', {type: 'text/csv'})); return d; }")
    dropzone.dispatch_event("dragenter", {"dataTransfer": transfer})
    hint = f"{zone} > div:not([data-testid]) > span"
    page.locator(hint).wait_for()
    assert after_content(page, hint) == '"Thả tệp vào đây"'
    shot(page, "upload-1b-keo-tha")
    dropzone.dispatch_event("dragleave", {"dataTransfer": transfer})
    page.locator(hint).wait_for(state="detached")

    # 1. a file for Vinh: refused by name, before any preview
    theirs = tmp_path / "vinh-q4.csv"
    theirs.write_text(VI_HEAD + "vinh,2019-Q4,1.1.1,có,,\n", encoding="utf-8")
    upload(page, theirs)
    refused = page.locator('[data-testid="stAlert"]').filter(has_text="đơn vị khác")
    refused.wait_for()
    text = refused.inner_text()
    assert f"{VINH} (vinh)" in text and f"{CUA_LO} (cua-lo)" in text, text
    assert "không được nộp" in text and "--" not in text
    assert page.get_by_role("button", name="Xác nhận lưu").count() == 0
    assert page.get_by_text("Lũy kế đến Quý IV/2019").count() == 0  # no preview at all
    assert not app_exceptions(page)
    into_view(refused)
    shot(page, "upload-2-tu-choi-don-vi-khac")

    # 2. Cửa Lò's own file, Vietnamese headers: the period named, the quarter and the year
    mine = tmp_path / "cua-lo-q4.csv"
    mine.write_text(VI_HEAD + f"{CUA_LO},2019-Q4,3.3.1,,1893,1893\n"
                    f"{CUA_LO},2019-Q4,1.1.2,,2,21\n", encoding="utf-8")
    upload(page, mine)
    page.get_by_role("button", name="Xác nhận lưu", exact=True).wait_for()
    settle(page)
    main = page.get_by_test_id("stMain")
    assert "Quý IV/2019" in main.locator('[data-testid="stAlert"]').filter(
        has_text="Tệp hợp lệ").inner_text()
    main.get_by_text(f"Kết quả dự kiến của {CUA_LO} nếu lưu tệp này (số liệu Quý IV/2019)",
                     exact=False).wait_for()
    main.locator("strong", has_text=re.compile("^Lũy kế đến Quý IV/2019$")).wait_for()
    main.locator("strong", has_text=re.compile("^Cả năm 2019$")).wait_for()
    previews = grids_with(page, "Hạng sau")
    expect(previews).to_have_count(2)  # the year to date, then the whole year
    predicted = cell_text(previews.nth(0), 0, 4)
    assert re.fullmatch(r"\d+/21", predicted), predicted
    assert cell_text(previews.nth(1), 0, 3) == "14/21"  # the appraised year, before
    assert not app_exceptions(page)
    into_view(page.get_by_role("button", name="Xác nhận lưu", exact=True))
    shot(page, "upload-3-xem-truoc")

    # 3. saved: the new rank, read back from the store
    with rerun(page):
        page.get_by_role("button", name="Xác nhận lưu", exact=True).click()
    page.get_by_text(re.compile(r"^Đã lưu: lần nộp #\d+\.$")).wait_for()
    standing = main.locator('[data-testid="stAlert"]').filter(has_text="nay xếp thứ")
    standing.wait_for()
    text = standing.inner_text()
    assert text.startswith(f"{CUA_LO} nay xếp thứ {predicted} ") and "cả năm 2019" in text, text
    assert not app_exceptions(page)
    into_view(standing)
    shot(page, "upload-4-da-luu-hang-moi")
    context.close()
    assert not errors, errors

    # 4. the office: the log filtered to Cửa Lò's refusals
    context, page, errors = _page(browser, base)
    log_in(page, ADMIN)
    go_to(page, "Nhật ký")
    pick(page, "Đơn vị", f"{CUA_LO} (cua-lo)", typed="Cửa Lò")
    with rerun(page):
        page.get_by_test_id("stMain").get_by_role("combobox", name="Thao tác", exact=True).click()
        page.get_by_role("option", name="bị từ chối", exact=True).click()
    page.keyboard.press("Escape")
    page.get_by_text("Hiển thị 1/", exact=False).wait_for()  # both filters applied
    settle(page)
    shot(page, "upload-5-nhat-ky-loc")
    log = grids_with(page, "Tên đơn vị")
    # the grid's accessible copy of its rows follows the canvas: let it catch up
    expect(log.locator('[data-testid="glide-cell-3-0"]').first).to_have_text("bị từ chối")
    assert cell_text(log, 0, 2) == STAFF
    assert cell_text(log, 0, 5) == CUA_LO
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", cell_text(log, 0, 1))
    assert "vinh-q4.csv" in cell_text(log, 0, 7)  # which file, and why
    assert not app_exceptions(page)

    # 5. rollback Cửa Lò's Q4 self-scores: the effect first, then a tick, then the button
    go_to(page, "Tải lên")
    pick(page, "Bộ chỉ số", DISTRICT_SET)
    pick(page, "Đơn vị", CUA_LO)
    pick(page, "Kỳ báo cáo", "2019-Q4")
    history = Store(url).history("cua-lo")
    [earlier] = list(history[(history["period"] == "2019-Q4") & (history["stage"] == "self")
                             & (history["status"] == "superseded")]["id"])
    # the picker sits low on the page: in view first, so its list opens below it
    into_view(page.get_by_test_id("stMain").get_by_role("combobox", name="Khôi phục lần nộp"))
    pick(page, "Khôi phục lần nộp", re.compile(rf"^#{earlier} · Quý IV\/2019 · tự chấm"))
    main = page.get_by_test_id("stMain")
    main.get_by_text(f"Nếu khôi phục lần nộp #{earlier}", exact=False).wait_for()
    button = main.get_by_role("button", name="Khôi phục", exact=True)
    assert button.is_disabled()
    effects = grids_with(page, "Hạng sau")
    expect(effects).to_have_count(2)
    back_to = cell_text(effects.nth(0), 0, 4)
    assert cell_text(effects.nth(0), 0, 3) == predicted  # from what was saved …
    into_view(button)
    shot(page, "upload-6-khoi-phuc-xac-nhan")
    with rerun(page):
        main.get_by_text(f"muốn khôi phục lần nộp #{earlier}", exact=False).click()
    assert button.is_enabled()
    with rerun(page):
        button.click()
    main.get_by_text(f"Đã khôi phục lần nộp #{earlier}.", exact=True).wait_for()
    standing = main.locator('[data-testid="stAlert"]').filter(has_text="nay xếp thứ")
    assert f"nay xếp thứ {back_to} " in standing.inner_text()  # … back to what it said
    now = Store(url).history("cua-lo")
    assert now.loc[now["id"] == earlier, "status"].iloc[0] == "current"
    assert not app_exceptions(page)
    into_view(standing)
    shot(page, "upload-7-da-khoi-phuc")
    context.close()
    assert not errors, errors
