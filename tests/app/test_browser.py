"""Real browser: `streamlit run dashboard.py` driven by Debian's Chromium through Playwright.

Journeys a person takes on the sample data: the default ranking, switching the criteria set
in the sidebar, one unit's page, the criteria, trends and data pages, the English interface,
the meeting exports (a chart as PNG, the slide pack and the Excel report), the upload of a
filled template by the PAR office (a bad one, then one that moves Thị xã Cửa Lò up), and a
unit's staff member who may only upload for their own unit. Every page visited is saved as a
screenshot under test-output/screenshots/, every file received under test-output/downloads/,
so they can be looked at.

ORDER MATTERS: the journeys share one server and its database, and the stored upload changes
the district ranking. pytest runs them in file order: every journey expecting no account and
Cửa Lò at 14/21 comes first; then the uploads, which create accounts (from then on every
visitor must log in) and change the ranking; the unit user's journey comes last of all.

Needs /usr/bin/chromium (scripts/setup-system.sh installs it; `make test` runs that first).
Never `playwright install`: it downloads a browser from hosts this project cannot reach.
"""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
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
    upload,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOWNLOADS = ROOT / "test-output" / "downloads"
VIEWPORT = {"width": 1400, "height": 2200}  # screenshots only cover the viewport: keep it tall

# The set picker shows short labels ("2019 · cấp huyện tỉnh Nghệ An năm 2019 (minh họa)"):
# the district set is the one option that says "cấp huyện".
DISTRICT_SET = re.compile(r"cấp huyện.*2019")
CUA_LO = "Thị xã Cửa Lò"
WHOLE_YEAR = "Cả năm 2019"


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    """A sample database for these journeys alone: they add accounts and an upload that
    would otherwise change what every later dashboard test sees."""
    folder = tmp_path_factory.mktemp("journeys")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", f"sqlite:///{folder / 'par.db'}")
        mp.setenv("PAR_SAMPLE_MODE", "1")
        yield folder


@pytest.fixture(scope="module")
def server(own_database) -> str:
    """Base URL of a `streamlit run dashboard.py` on 127.0.0.1 and a free port."""
    with running(STREAMLIT, own_database / "server.log") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    context.set_default_timeout(UI_TIMEOUT)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("websocket", lambda ws: count_runs(pg, ws))
    pg.goto(f"{server}/xep-hang")  # these journeys start on the ranking (the default page is
    yield pg                        # the overview: test_overview_for_the_office_and_a_unit)
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


# --- helpers -----------------------------------------------------------------------------

def root(page) -> str:
    """The server's own address: a fresh visit lands on the login form once accounts exist
    (a page's own address then does not exist for the visitor: Streamlit says so in a dialog)."""
    return re.match(r"https?://[^/]+", page.url).group(0)


def shows(value: str, option: str | re.Pattern) -> bool:
    """Whether a selectbox's text is this option (the whole text, or a match of the pattern)."""
    return bool(option.search(value)) if isinstance(option, re.Pattern) else value == option


def choose(page, label: str, option: str | re.Pattern) -> None:
    """Pick an option of the selectbox with this label (a combobox: open it, click the option).
    A string is the option's whole text; a pattern must match exactly one option."""
    click_option(page, page.get_by_role("combobox", name=label, exact=True), option)


def options_of(page, label: str) -> list[str]:
    """The options a selectbox offers (opened, read, closed again with Escape)."""
    page.get_by_role("combobox", name=label, exact=True).click()
    listed = page.get_by_role("option")
    listed.first.wait_for()
    texts = [x.strip() for x in listed.all_inner_texts()]
    page.keyboard.press("Escape")
    listed.first.wait_for(state="detached")
    return texts


def go_to(page, title: str) -> None:
    """Open a page from the sidebar navigation and wait for its title."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()


def download(page, button, timeout: float = UI_TIMEOUT) -> Path:
    """Click a download button (its label, or a locator); the file as the browser received
    it, kept under DOWNLOADS. The server builds the file on the click: allow `timeout` ms."""
    if isinstance(button, str):
        button = page.get_by_role("button", name=button, exact=True)
    with page.expect_download(timeout=timeout) as info:
        button.click()
    received = info.value
    assert received.failure() is None, received.failure()
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    path = DOWNLOADS / received.suggested_filename
    received.save_as(path)
    return path


def pick(page, label: str, option: str | re.Pattern) -> None:
    """choose(), then wait for the rerun it causes (none if the option is already chosen)."""
    if shows(page.get_by_role("combobox", name=label, exact=True).input_value(), option):
        return
    with rerun(page):
        choose(page, label, option)
    assert shows(page.get_by_role("combobox", name=label, exact=True).input_value(), option)


def pick_district_set(page) -> None:
    """In the sidebar: the district set, as of the whole year 2019."""
    pick(page, "Bộ chỉ số", DISTRICT_SET)
    pick(page, "Tính đến kỳ", WHOLE_YEAR)  # a new widget per set


def bar_rank(page, unit: str) -> str:
    """The "N/M" of a unit's bar label in the first chart (label and tick share a row)."""
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    tick = chart.locator("g.ytick text", has_text=re.compile(f"^{unit}$"))
    assert tick.count() == 1
    y = center_y(tick)
    labels = chart.locator("text.bartext", has_text=re.compile(r"^\d+\/\d+ · \d+,\d+$"))
    near = [labels.nth(i).text_content() for i in range(labels.count())
            if abs(center_y(labels.nth(i)) - y) < 6]
    assert len(near) == 1, near
    return near[0].split(" · ")[0]


# st.dataframe paints its cells on a canvas; the grid also keeps a visually hidden accessible
# table of the rows in view, which is what these read (attached, never "visible").

def cell(page, row: int, col: int):
    """A cell of the first dataframe (0-based data row and column)."""
    return page.locator(f'[data-testid="stDataFrame"] [data-testid="glide-cell-{col}-{row}"]').first


def grid_with(page, header: str):
    """The dataframe that has a column with this header (attached once its grid is)."""
    th = page.locator('th[role="columnheader"]', has_text=re.compile(rf"^\s*{re.escape(header)}\s*$"))
    grid = page.locator('[data-testid="stDataFrame"]').filter(has=th)
    th.first.wait_for(state="attached")
    return grid


def grid_cell(grid, row: int, col: int):
    return grid.locator(f'[data-testid="glide-cell-{col}-{row}"]').first


def text_of(locator) -> str:
    locator.wait_for(state="attached")
    return (locator.text_content() or "").strip()


def center_y(locator) -> float:
    box = locator.bounding_box()
    assert box, f"{locator} has no box"
    return box["y"] + box["height"] / 2


# --- journeys ------------------------------------------------------------------------------

def test_ranking_page_opens_with_the_table_and_chart(page):
    page.get_by_role("heading", name="Xếp hạng").wait_for()
    headers = page.locator('[data-testid="stDataFrame"] th[role="columnheader"]')
    headers.first.wait_for(state="attached")
    assert [h.strip() for h in headers.all_text_contents()[:2]] == ["Hạng", "Đơn vị"]
    # the grid keeps ranks as numbers (they sort as numbers) and draws them as "1/130"
    assert text_of(cell(page, 0, 0)) == "1"
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [x.strip() for x in labels] == ["Chỉ số trung bình", "Cao nhất", "Thấp nhất",
                                           "Đơn vị tạm tính"]
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    assert not app_exceptions(page)
    shot(page, "01-xep-hang-mac-dinh")


def test_district_2019_set_shows_cua_lo_14_of_21(page):
    cell(page, 0, 0).wait_for(state="attached")
    choose(page, "Bộ chỉ số", DISTRICT_SET)
    # The rerun is over once the chart's ranks count out of 21 (the default set has another
    # size; the grid's cells hold the rank as a number).
    page.locator('[data-testid="stPlotlyChart"] text.bartext').filter(
        has_text=re.compile(r"^1/21 · ")).first.wait_for(state="attached")
    settle(page)
    assert shows(page.get_by_role("combobox", name="Bộ chỉ số", exact=True).input_value(),
                 DISTRICT_SET)
    text = page.locator("body").text_content()
    assert "14/21" in text and CUA_LO in text
    # Row 14 is below the table's fold (the grid only keeps the rows in view in the DOM), so
    # read it off the chart: Cửa Lò's tick label and the "14/21 · …" bar label share a row.
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    tick = chart.locator("g.ytick text", has_text=re.compile(f"^{CUA_LO}$"))
    bar_label = chart.locator("text.bartext", has_text=re.compile(r"^14\/21 · \d+,\d+$"))
    assert tick.count() == 1 and bar_label.count() == 1
    assert abs(center_y(tick) - center_y(bar_label)) < 6
    assert not app_exceptions(page)
    shot(page, "02-xep-hang-cap-huyen-2019")


def test_unit_page_for_cua_lo(page):
    cell(page, 0, 0).wait_for(state="attached")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đơn vị", exact=True).click()
    page.get_by_role("heading", name="Đơn vị", exact=True).wait_for()
    page.get_by_role("combobox", name="Đơn vị", exact=True).wait_for()
    settle(page)
    shot(page, "03-don-vi-mac-dinh")
    choose(page, "Bộ chỉ số", DISTRICT_SET)
    page.get_by_role("heading", name=re.compile(r"\/21 · ")).wait_for()
    settle(page)
    choose(page, "Đơn vị", CUA_LO)
    headline = page.get_by_role("heading", name=re.compile(r"^Xếp thứ 14\/21 · \d+,\d+%$"))
    headline.wait_for()
    settle(page)
    # the domain chart's title names the unit
    page.locator(".js-plotly-plot").filter(has_text=CUA_LO).first.wait_for()
    assert "/don-vi" in page.url
    # The lagging criteria: a table with a code column and at least one row.
    assert re.fullmatch(r"\d+(\.\d+)*", text_of(cell(page, 0, 0)))
    headers = page.locator('[data-testid="stDataFrame"] th[role="columnheader"]')
    assert headers.first.text_content().strip() == "Mã"
    rows = int(page.locator('[data-testid="stDataFrame"] table[role="grid"]').first
               .get_attribute("aria-rowcount"))
    assert rows > 1
    assert not app_exceptions(page)
    shot(page, "04-don-vi-cua-lo")


def test_criteria_set_survives_a_page_switch(page):
    cell(page, 0, 0).wait_for(state="attached")
    choose(page, "Bộ chỉ số", DISTRICT_SET)
    page.locator('[data-testid="stPlotlyChart"] text.bartext').filter(
        has_text=re.compile(r"^1/21 · ")).first.wait_for(state="attached")
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Đơn vị", exact=True).click()
    page.get_by_role("combobox", name="Đơn vị", exact=True).wait_for()
    settle(page)
    assert shows(page.get_by_role("combobox", name="Bộ chỉ số", exact=True).input_value(),
                 DISTRICT_SET)


def test_criteria_trends_and_data_pages(page):
    cell(page, 0, 0).wait_for(state="attached")
    pick_district_set(page)
    go_to(page, "Tiêu chí")
    # the heatmap and, below the weakest criteria, one criterion's distribution
    page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').nth(1).wait_for()
    page.get_by_role("combobox", name="Tiêu chí", exact=True).wait_for()
    assert re.fullmatch(r"\d+(\.\d+)*", text_of(cell(page, 0, 0)))  # weakest: a code
    assert not app_exceptions(page)
    shot(page, "05-tieu-chi-cap-huyen-2019")

    go_to(page, "Xu hướng")
    pick(page, "Đơn vị", CUA_LO)
    page.locator(".js-plotly-plot").filter(has_text=CUA_LO).first.wait_for()
    settle(page)
    periods = grid_with(page, "Tính đến kỳ")  # the trend table: one row per period
    assert text_of(grid_cell(periods, 0, 0)).startswith("2019")
    assert not app_exceptions(page)
    shot(page, "06-xu-huong-cua-lo")

    go_to(page, "Nhập/Xuất dữ liệu")
    page.get_by_role("button", name="Tải kết quả (CSV)", exact=True).wait_for()
    settle(page)
    shot(page, "07-du-lieu")
    path = download(page, "Tải kết quả (Excel)")
    assert path.name == "ket-qua-nghe-an-huyen-2019-2019.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    book.close()
    found = [(title, r) for title, rows in sheets.items() for r in rows if "cua-lo" in r]
    assert len(found) == 1, f"not one cua-lo row in the sheets {list(sheets)}"
    title, row = found[0]
    assert len(sheets[title]) == 1 + 21  # a header and the 21 districts
    record = dict(zip(sheets[title][0], row))
    assert (record["name"], record["rank"], record["of"]) == (CUA_LO, 14, 21), record
    assert not app_exceptions(page)


def test_english_interface(page):
    cell(page, 0, 0).wait_for(state="attached")
    with rerun(page):
        page.locator('[data-testid="stSidebar"] label', has_text="English").click()
    page.get_by_role("heading", name="Rankings", exact=True).wait_for()
    nav = [x.strip() for x in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
    assert nav == ["Overview", "Rankings", "Unit profile", "Compare units", "Criteria", "Trends",
                   "Data in/out", "Scoring rounds", "Surveys"]  # no account yet: read-only
    labels = [x.strip() for x in page.locator('[data-testid="stMetricLabel"]').all_inner_texts()]
    assert "Chỉ số trung bình" not in labels and len(labels) == 4
    # the grid's column names follow a moment after the rest of the page
    grid = grid_with(page, "Rank")
    assert text_of(grid.locator('th[role="columnheader"]').first) == "Rank"
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    assert not app_exceptions(page)
    shot(page, "08-english-rankings")


def test_meeting_exports_png_pptx_and_excel(page):
    """Issue 5: the ranking chart as a PNG, and Cửa Lò's slide pack and Excel report."""
    from pptx import Presentation

    cell(page, 0, 0).wait_for(state="attached")
    pick_district_set(page)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    # The PNG button under the ranking chart (its key: dl_ranking_png). Kaleido draws the
    # file on the click, and the first drawing starts its Chromium: allow it time.
    png_button = page.locator(".st-key-dl_ranking_png").get_by_role("button", name="PNG",
                                                                   exact=True)
    assert png_button.inner_text().strip() == "PNG"
    shot(page, "08a-xep-hang-nut-xuat")
    png = download(page, png_button, timeout=60_000)
    assert png.name == "ranking-nghe-an-huyen-2019-2019.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    assert len(data) > 20_000, len(data)  # a drawn chart, not an empty image
    settle(page)
    assert not app_exceptions(page)

    go_to(page, "Đơn vị")
    pick(page, "Đơn vị", CUA_LO)
    page.get_by_role("heading", name=re.compile(r"^Xếp thứ 14\/21 · ")).wait_for()
    page.get_by_role("button", name="Bộ trình chiếu (PPTX)", exact=True).wait_for()
    settle(page)
    shot(page, "08b-don-vi-cua-lo-tai-lieu-hop")

    pptx = download(page, "Bộ trình chiếu (PPTX)", timeout=60_000)
    assert pptx.name == "trinh-chieu-nghe-an-huyen-2019-2019-cua-lo.pptx"
    slides = list(Presentation(pptx).slides)
    # cover, ranking, top/bottom, weakest; Cửa Lò's headline, lagging, target rank, trend
    assert len(slides) == 8
    texts = ["\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
             for slide in slides]
    assert any("Xếp thứ 14/21" in text for text in texts), texts
    assert CUA_LO in texts[0]  # the cover names the focus unit
    settle(page)

    report = download(page, "Báo cáo Excel", timeout=60_000)
    assert report.name == "bao-cao-nghe-an-huyen-2019-2019-cua-lo.xlsx"
    book = openpyxl.load_workbook(report, read_only=True)
    assert "Xếp hạng" in book.sheetnames, book.sheetnames
    ranking = list(book["Xếp hạng"].iter_rows(values_only=True))
    book.close()
    mine = [r for r in ranking if "cua-lo" in r]
    assert len(mine) == 1 and mine[0][0] == 14 and CUA_LO in mine[0], mine
    settle(page)
    assert not app_exceptions(page)
    shot(page, "08c-don-vi-cua-lo-sau-khi-tai")


# --- uploads: keep these last ---------------------------------------------------------------
# Uploading needs an account, and once one exists every visitor must log in; the confirmed
# upload also changes the district ranking. So these run after every other journey.

ADMIN, ADMIN_PASSWORD = "van-phong", "mat-khau-kiem-thu"


@pytest.fixture
def admin_page(page):
    """The page, logged in as an admin (the PAR office): the account is made on first use."""
    from par.domain.auth import Actor
    from par.domain.issues import ParError
    from par.store.accounts import Accounts
    from par.store.storage import Store

    accounts = Accounts(Store())  # the server's database (own_database)
    if ADMIN not in set(accounts.list()["name"]):
        try:
            accounts.add(Actor.local_admin(), ADMIN, "admin", ADMIN_PASSWORD)
        except ParError as exc:
            pytest.fail(f"cannot create the test admin: {[i.render('en') for i in exc.issues]}")
    page.goto(root(page))  # the session started before the account existed
    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).fill(ADMIN)
    page.get_by_label("Mật khẩu", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tải lên", exact=True).wait_for()
    settle(page)
    return page


def open_upload_for_cua_lo(page) -> Path:
    """Tải lên → district set, Cửa Lò, the whole year 2019; the template as downloaded."""
    go_to(page, "Tải lên")
    pick(page, "Bộ chỉ số", DISTRICT_SET)
    pick(page, "Đơn vị", CUA_LO)
    pick(page, "Kỳ báo cáo", "2019")
    path = download(page, "Tải mẫu Excel")
    assert path.name == "mau-nghe-an-huyen-2019-cua-lo-2019.xlsx"
    return path


def as_cell(text: str):
    """A CSV field as a person would type it into Excel: numbers as numbers."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def cua_lo_appraisal_entries() -> dict:
    """Cửa Lò's current 2019 appraisal (all of it: an upload replaces the whole submission),
    with the dossier ratios and the first two criteria raised to full marks."""
    import pandas as pd

    sample = pd.read_csv(ROOT / "data/inputs/huyen-2019-appraisal.csv", dtype=str,
                         keep_default_na=False)
    mine = sample[(sample["unit"] == "cua-lo") & (sample["period"] == "2019")]
    assert len(mine) > 80 and set(mine["stage"]) == {"appraisal"}
    columns = {"value": "Giá trị", "numerator": "Tử số", "denominator": "Mẫu số"}
    entries = {r["criterion"]: {label: as_cell(r[col]) for col, label in columns.items()
                                if r[col] != ""} | {"Giai đoạn": "thẩm định"}
               for _, r in mine.iterrows()}
    better = {"3.3.1": {"Tử số": 1893, "Mẫu số": 1893},
              "3.3.2": {"Tử số": 2561, "Mẫu số": 2561},
              "1.1.1": {"Giá trị": "có"},
              "1.1.2": {"Tử số": 21, "Mẫu số": 21}}
    for code, cells in better.items():
        assert code in entries
        entries[code] = cells | {"Giai đoạn": "thẩm định"}
    return entries


def test_upload_of_a_bad_template_names_the_cell(admin_page):
    from fixtures.workbooks import fill

    page = admin_page
    template = open_upload_for_cua_lo(page)
    bad = DOWNLOADS / "mau-cua-lo-2019-loi.xlsx"
    bad.write_bytes(fill(template.read_bytes(), {"1.5": {"Giá trị": "hai"}}))
    upload(page, bad)
    error = page.locator('[data-testid="stAlert"]').filter(has_text="chưa có gì được lưu")
    error.wait_for()
    settle(page)
    text = error.inner_text()
    assert "'hai'" in text and bad.name in text
    assert re.search(r"ô [EF]\d+", text), text  # the value column's real cell
    assert page.get_by_role("button", name="Xác nhận lưu").count() == 0
    assert not app_exceptions(page)
    shot(page, "09-tai-len-tep-loi")


def test_upload_of_a_filled_template_raises_cua_lo(admin_page):
    from fixtures.workbooks import fill

    page = admin_page
    template = open_upload_for_cua_lo(page)
    shot(page, "10-tai-len-mau")

    filled = DOWNLOADS / "mau-cua-lo-2019-tham-dinh.xlsx"
    filled.write_bytes(fill(template.read_bytes(), cua_lo_appraisal_entries()))
    upload(page, filled)
    page.get_by_role("button", name="Xác nhận lưu", exact=True).wait_for()
    settle(page)
    assert page.locator('[data-testid="stAlert"]').filter(has_text="Tệp hợp lệ").count() == 1
    preview = grid_with(page, "Hạng sau")  # the history table is on the page too
    headers = preview.locator('th[role="columnheader"]')
    assert [h.strip() for h in headers.all_text_contents()] == \
        ["Đơn vị", "Chỉ số trước", "Chỉ số sau", "Hạng trước", "Hạng sau"]
    assert text_of(grid_cell(preview, 0, 0)) == CUA_LO
    before, after = text_of(grid_cell(preview, 0, 3)), text_of(grid_cell(preview, 0, 4))
    assert before == "14/21"
    assert re.fullmatch(r"\d+/21", after) and int(after.split("/")[0]) < 14, after
    index_before = float(text_of(grid_cell(preview, 0, 1)).replace(",", "."))
    index_after = float(text_of(grid_cell(preview, 0, 2)).replace(",", "."))
    assert index_after > index_before
    shot(page, "11-tai-len-xem-truoc")

    page.get_by_role("button", name="Xác nhận lưu", exact=True).click()
    page.get_by_text(re.compile(r"^Đã lưu: lần nộp #\d+\.$")).wait_for()
    settle(page)
    assert page.get_by_role("button", name="Xác nhận lưu").count() == 0  # uploader emptied
    history = grid_with(page, "Người nộp")
    assert ADMIN in (history.text_content() or "")  # who stored it
    assert not app_exceptions(page)
    shot(page, "12-tai-len-da-luu")

    go_to(page, "Xếp hạng")
    pick_district_set(page)
    page.locator('[data-testid="stPlotlyChart"] text.bartext').filter(
        has_text=re.compile(r"^1/21 · ")).first.wait_for(state="attached")
    settle(page)
    assert bar_rank(page, CUA_LO) == after
    assert not app_exceptions(page)
    shot(page, "13-xep-hang-sau-tai-len")


# --- a unit's staff member: after the uploads (accounts exist by now) ------------------------

UNIT_USER, UNIT_PASSWORD = "cua-lo-staff", "mat-khau-cua-lo"
CSV_HEADER = "unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"


def log_in(page, name: str, password: str) -> None:
    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).fill(name)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def nav_titles(page) -> list[str]:
    return [x.strip() for x in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def test_unit_user_uploads_only_for_its_own_unit(page):
    """Issue 6: staff of Cửa Lò see and store only Cửa Lò; the store refuses another unit."""
    from par.domain.auth import Actor
    from par.store.accounts import Accounts
    from par.store.storage import Store

    accounts = Accounts(Store())  # the server's database (own_database)
    if UNIT_USER not in set(accounts.list()["name"]):
        accounts.add(Actor.local_admin(), UNIT_USER, "unit", UNIT_PASSWORD, ["cua-lo"])

    page.goto(root(page))  # a fresh context: nobody is logged in, so the login form is all there is
    log_in(page, UNIT_USER, UNIT_PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tải lên", exact=True).wait_for()
    settle(page)
    nav = nav_titles(page)
    assert nav == ["Tổng quan", "Xếp hạng", "Đơn vị", "So sánh đơn vị", "Tiêu chí", "Xu hướng",
                   "Nhập/Xuất dữ liệu", "Tải lên", "Tự chấm"], nav
    assert "Nhật ký" not in nav  # the audit log is for the office and leadership
    assert page.locator('[data-testid="stSidebar"]').get_by_text(
        f"Đang dùng: {UNIT_USER} (cán bộ đơn vị)", exact=True).count() == 1
    shot(page, "14-don-vi-dang-nhap")

    go_to(page, "Tải lên")
    pick(page, "Bộ chỉ số", DISTRICT_SET)
    offered = options_of(page, "Đơn vị")
    assert offered == [CUA_LO], offered  # not "Thành phố Vinh", nor any other district
    assert page.get_by_role("combobox", name="Đơn vị", exact=True).input_value() == CUA_LO
    assert not app_exceptions(page)
    shot(page, "15-don-vi-tai-len")

    pick(page, "Kỳ báo cáo", "2019-Q4")  # the file must hold the unit and period shown
    mine = DOWNLOADS / "cua-lo-2019-Q4.csv"
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    mine.write_text(CSV_HEADER + "cua-lo,2019-Q4,1.1.1,có,,,,,\n", encoding="utf-8")
    upload(page, mine)
    page.get_by_role("button", name="Xác nhận lưu", exact=True).wait_for()
    settle(page)
    ok = page.locator('[data-testid="stAlert"]').filter(has_text="Tệp hợp lệ")
    assert "Thị xã Cửa Lò (cua-lo), Quý IV/2019" in ok.inner_text()
    shot(page, "16-don-vi-xem-truoc")
    with rerun(page):
        page.get_by_role("button", name="Xác nhận lưu", exact=True).click()
    page.get_by_text(re.compile(r"^Đã lưu: lần nộp #\d+\.$")).wait_for()
    settle(page)
    history = grid_with(page, "Người nộp")
    assert UNIT_USER in (history.text_content() or "")
    assert not app_exceptions(page)
    shot(page, "17-don-vi-da-luu")

    # Another unit's file: refused before any preview (no index or rank of Vinh is shown),
    # and the store would refuse it again on its own.
    theirs = DOWNLOADS / "vinh-2019-Q4.csv"
    theirs.write_text(CSV_HEADER + "vinh,2019-Q4,1.1.1,có,,,,,\n", encoding="utf-8")
    upload(page, theirs)
    refused = page.locator('[data-testid="stAlert"]').filter(has_text="đơn vị khác")
    refused.wait_for()
    settle(page)
    assert "cua-lo" in refused.inner_text()
    assert page.get_by_role("button", name="Xác nhận lưu", exact=True).count() == 0
    assert page.get_by_text(re.compile(r"^Đã lưu: lần nộp")).count() == 0
    assert not app_exceptions(page)
    shot(page, "18-don-vi-tu-choi-don-vi-khac")
    assert UNIT_USER not in set(Store().history("vinh")["user"])  # nothing stored for Vinh

    with rerun(page):
        page.locator('[data-testid="stSidebar"]').get_by_role(
            "button", name="Đăng xuất", exact=True).click()
    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).wait_for()
    settle(page)
    assert "Tải lên" not in nav_titles(page)  # the login page is the only one left
    assert page.locator('[data-testid="stSidebar"]').get_by_role(
        "button", name="Đăng xuất").count() == 0
    shot(page, "19-don-vi-da-dang-xuat")
