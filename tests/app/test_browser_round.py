"""Real browser: a whole scoring round, from a commune's self-assessment to the published
ranking (issue 14, "Tests it must have"; ../shared/spec/WORKFLOW.md).

A province's own database (PAR_DATABASE_URL, not sample mode) with four communes, a small
criteria set of the year (two domains, five leaves, one a ratio, 1.1 needing evidence) and
three accounts: the PAR office (admin), the staff of Xã An Hòa (unit) and the justice
department (appraiser of domain 2). Each signs in on the login page in a browser context of
their own (three people at three desks) at an office laptop's 1366×768:

1. the office creates the round on "Đợt chấm điểm";
2. Xã An Hòa types its figures into the "Tự chấm" grid (the ratio as numerator and
   denominator), saves, attaches a PDF to 1.1, ticks and submits: the page says it is locked;
3. the office moves the round to appraisal; the justice department, on "Thẩm định", lowers
   2.1 with a comment and asks for an explanation of 2.2;
4. the office moves on to explanation; Xã An Hòa explains 2.2 with a text and a file;
5. the office moves on to the decision; the justice department decides 2.2 ("Đồng ý với giải
   trình của đơn vị"); the office publishes;
6. "Xếp hạng" shows the set's year as the result published today, with Xã An Hòa's index.

The store is read back with the library at each step. Screenshots:
test-output/screenshots/round-*.png. Needs /usr/bin/chromium; never `playwright install`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect
from server import (
    SHOTS,
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
ADMIN, STAFF, JUSTICE = "van-phong", "can-bo-an-hoa", "so-tu-phap"
UNIT, UNIT_NAME = "x-an", "Xã An Hòa"
SET_ID, YEAR = "thu-xa-2026", 2026
SET_YAML = f"""id: {SET_ID}
title: Bộ chỉ số CCHC cấp xã {YEAR} (thử)
year: {YEAR}
level: xa
max_total: 20
domains:
  - code: "1"
    name: Công tác chỉ đạo, điều hành CCHC
    max: 10
    children:
      - code: "1.1"
        name: Ban hành kế hoạch CCHC năm
        max: 4
        evidence_required: true
        rule: {{type: yes_no}}
      - code: "1.2"
        name: Tỷ lệ nhiệm vụ trong kế hoạch hoàn thành
        max: 6
        rule: {{type: ratio, bands: [{{min: 100, points: 6}}, {{min: 80, points: 3}}]}}
  - code: "2"
    name: Xây dựng và thi hành văn bản QPPL
    max: 10
    children:
      - {{code: "2.1", name: Văn bản ban hành đúng thẩm quyền, max: 5, rule: {{type: points}}}}
      - code: "2.2"
        name: Tự kiểm tra văn bản
        max: 3
        rule: {{type: choice, options: {{"Tốt": 1, "Chậm": 0.5, "Không": 0}}}}
      - {{code: "2.3", name: Công khai văn bản trên cổng thông tin, max: 2, rule: {{type: yes_no}}}}
"""
UNITS = pd.DataFrame({"id": [UNIT, "x-binh", "x-cuong", "p-dong"],
                      "name": [UNIT_NAME, "Xã Bình Minh", "Xã Cường Thịnh", "Phường Đông Vĩnh"],
                      "level": ["xa"] * 4, "group": ["xa", "xa", "xa", "phuong"]})
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
FLAG_COMMENT = "Đề nghị bổ sung biên bản tự kiểm tra văn bản"
DECISION = "Đồng ý với giải trình của đơn vị"


def criteria_set():
    from par.engine.criteria import check_criteria_text

    criteria, issues = check_criteria_text(SET_YAML, f"{SET_ID}.yaml")
    assert criteria is not None, issues
    return dataclasses.replace(criteria, yaml_text=SET_YAML,
                               sha256=hashlib.sha256(SET_YAML.encode()).hexdigest())


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The province's database: units, the active set, three accounts; no round yet."""
    from par.domain.auth import Actor
    from par.store.accounts import Accounts
    from par.store.library import add_set
    from par.store.storage import Store

    folder = tmp_path_factory.mktemp("round-journey")
    url = f"sqlite:///{folder / 'province.db'}"
    store = Store(url)
    store.sync_units(UNITS)
    office = Actor(ADMIN, "admin")
    add_set(store, criteria_set(), actor=office, activate=True)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), ADMIN, "admin", PASSWORD)
    accounts.add(office, STAFF, "unit", PASSWORD, [UNIT])
    accounts.add(office, JUSTICE, "appraiser", PASSWORD, domains=["2"])
    store.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.setenv("PAR_SAMPLE_MODE", "0")
        with running(STREAMLIT, folder / "server.log") as (base, _):
            yield base, url, folder


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Desk:
    """One person's browser context, signed in on the login page."""

    def __init__(self, browser, base: str, name: str):
        self.name = name
        self.context = browser.new_context(viewport=LAPTOP, locale="vi-VN")
        self.context.set_default_timeout(UI_TIMEOUT)
        self.page = page = self.context.new_page()
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("websocket", lambda ws: count_runs(page, ws))
        page.goto(base)
        page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
        page.get_by_role("textbox", name="Tài khoản", exact=True).fill(name)
        page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.get_by_test_id("stSidebar").get_by_text(f"Đang dùng: {name}").wait_for()
        settle(page)

    def go(self, title: str) -> None:
        """Open a page of the menu (again: a fresh run reads what others changed)."""
        with rerun(self.page):
            self.page.get_by_test_id("stSidebarNav").get_by_role(
                "link", name=title, exact=True).click()
        self.page.get_by_role("heading", name=title, exact=True).wait_for()
        self.check()

    def check(self) -> None:
        assert not app_exceptions(self.page), app_exceptions(self.page)
        assert not self.errors, f"JavaScript errors in the page: {self.errors}"


# -- widgets by their stable keys (Streamlit puts st-key-<key> on each element's container) --

def keyed(page, key: str):
    return page.locator(f".st-key-{key}")


def click(page, key: str, runs: int = 1) -> None:
    """Press the button ``key`` (a table's save: ``runs=2``, see server.rerun)."""
    with rerun(page, runs):
        keyed(page, key).get_by_role("button").click()


def tick(page, key: str) -> None:
    with rerun(page):
        keyed(page, key).locator("label").click()


def pick(page, key: str, option) -> None:
    """Choose the option of the selectbox ``key`` whose text matches ``option``."""
    box = keyed(page, key).get_by_role("combobox")
    if re.search(option, box.input_value()):
        return
    into_view(box)
    with rerun(page):
        click_option(page, box, re.compile(option))


def attach(page, key: str, path: Path) -> None:
    with rerun(page):
        keyed(page, key).locator('input[type="file"]').set_input_files(path)
    # the uploader lists the file (its name shortened in the middle: "ke-hoac...c-2026.pdf")
    keyed(page, key).get_by_text(re.compile(re.escape(path.name[-8:]) + "$")).wait_for()


def into_view(locator) -> None:
    """Scroll the main area so ``locator`` sits in the middle of the window."""
    locator.first.wait_for()
    locator.first.evaluate("e => e.scrollIntoView({block: 'center'})")
    settle(locator.page)


def flash(page, text: str) -> None:
    """The page's green line about the last action (and its toast)."""
    page.get_by_test_id("stMain").locator('[data-testid="stAlertContentSuccess"]').filter(
        has_text=text).wait_for()


# -- Streamlit's data editor: a canvas grid (glide-data-grid) -------------------------------
# The grid keeps a hidden accessible table (th/td, td ids glide-cell-<col>-<row>) that says
# which cell is selected; the canvas takes the clicks and keys. A person clicks a cell,
# moves with the arrow keys, presses Enter to open the cell's editor, types and presses
# Enter: that commits the edit and reruns the script.

def grid(page, key_prefix: str):
    editor = page.locator(f'[class*="st-key-{key_prefix}"]')
    into_view(editor)
    editor.locator('th[role="columnheader"]').first.wait_for(state="attached")
    return editor


def headers(editor) -> list[str]:
    """The headers of the columns in view (the accessible table leaves out the others)."""
    return [h.strip() for h in editor.locator('th[role="columnheader"]').all_text_contents()]


def select_cell(page, editor, row: int, header: str) -> int:
    """Select the cell of data row ``row`` under ``header`` as a person does with the keys
    (the grid scrolls sideways to it); returns its column."""
    into_view(editor)
    box = editor.get_by_test_id("data-grid-canvas").bounding_box()
    page.mouse.click(box["x"] + 10, box["y"] + 35 + 17)  # the first row's code (pinned)
    editor.locator('td#glide-cell-0-0[aria-selected="true"]').wait_for(state="attached")
    th = editor.locator('th[role="columnheader"]',
                        has_text=re.compile(rf"^\s*{re.escape(header)}\s*$"))
    col = 0
    while not (th.count() and int(th.first.get_attribute("aria-colindex")) - 1 == col):
        assert col < 20, f"no column {header!r} in the grid"
        page.keyboard.press("ArrowRight")
        col += 1
        editor.locator(f'td#glide-cell-{col}-0[aria-selected="true"]').wait_for(
            state="attached")
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    editor.locator(f'td#glide-cell-{col}-{row}[aria-selected="true"]').wait_for(
        state="attached")
    return col


def type_cell(page, editor, row: int, header: str, text: str) -> None:
    """Type ``text`` into the cell of data row ``row`` under ``header`` and commit it."""
    select_cell(page, editor, row, header)
    page.keyboard.press("Enter")
    box = page.locator("textarea.gdg-input, input.gdg-input").first
    box.wait_for()
    box.fill(text)
    with rerun(page):
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # no cell left selected


def cell_text(page, editor, row: int, header: str) -> str:
    """What the cell shows (selected first: the grid scrolls it into view)."""
    col = select_cell(page, editor, row, header)
    page.keyboard.press("Escape")
    cell = editor.locator(f'[data-testid="glide-cell-{col}-{row}"]').first
    return (cell.text_content() or "").strip()


# -- the store, read back with the library ----------------------------------------------------

def current(url: str, stage: str) -> pd.DataFrame:
    """Xã An Hòa's current rows of ``stage``, by criterion."""
    from par.store.rows import load_rows
    from par.store.storage import Store

    store = Store(url)
    try:
        rows, _ = load_rows(store, criteria_set(), store.units())
    finally:
        store.dispose()
    mine = rows[(rows["unit"].astype(str) == UNIT) & (rows["stage"] == stage)]
    return mine.drop_duplicates("criterion", keep="last").set_index("criterion")


def with_store(url: str, fn):
    from par.store.storage import Store

    store = Store(url)
    try:
        return fn(store)
    finally:
        store.dispose()


def the_round(url: str):
    from par.store.rounds import list_rounds

    [rnd] = with_store(url, list_rounds)
    return rnd


def advance(desk: Desk, rnd_id: int, phase: str, to: str) -> None:
    """The office ticks its confirmation and moves the round from ``phase`` on to ``to``."""
    page = desk.page
    desk.go("Đợt chấm điểm")
    confirm = keyed(page, f"rounds_advance_confirm_{rnd_id}_{phase}")
    into_view(confirm)
    tick(page, f"rounds_advance_confirm_{rnd_id}_{phase}")
    click(page, "rounds_advance")
    flash(page, to)
    desk.check()


def seed_neighbours(url: str, rnd_id: int) -> None:
    """Two other communes self-scored by the office (admin writes are allowed in every
    phase), so the ranking has someone to rank Xã An Hòa against."""
    from par.domain.auth import Actor
    from par.store import round_work

    office = Actor(ADMIN, "admin")
    figures = {"x-binh": ["có", (10, 10), "5", "Tốt", "có"],
               "x-cuong": ["có", (7, 10), "2", "Không", "không"]}

    def save(store):
        for unit, (a, (num, den), b, c, d) in figures.items():
            entries = pd.DataFrame([
                {"criterion": "1.1", "value": a, "evidence": "Kế hoạch số 12/KH-UBND"},
                {"criterion": "1.2", "numerator": num, "denominator": den},
                {"criterion": "2.1", "value": b}, {"criterion": "2.2", "value": c},
                {"criterion": "2.3", "value": d}])
            round_work.save_rows(store, rnd_id, unit, "self", entries, actor=office)

    with_store(url, save)


# -- the journey ---------------------------------------------------------------------------

def test_a_round_from_self_assessment_to_the_published_ranking(browser, province, tmp_path):
    desks: list[Desk] = []
    try:
        journey(browser, province, tmp_path, desks)
    except BaseException:  # what each person saw when it went wrong
        for desk in desks:
            desk.page.screenshot(path=str(SHOTS / f"round-failed-{desk.name}.png"))
        raise
    finally:
        for desk in desks:
            desk.context.close()


def journey(browser, province, tmp_path, desks: list) -> None:
    from par.i18n.formatting import fmt_number
    from par.store import round_work
    from par.store.publication import list_publications, published
    from par.store.rounds import submitted_units

    base, url, _ = province
    evidence = tmp_path / "ke-hoach-cchc-2026.pdf"
    evidence.write_bytes(PDF)
    record = tmp_path / "bien-ban-tu-kiem-tra.pdf"
    record.write_bytes(PDF.replace(b"%%EOF", b"% bien ban\n%%EOF"))

    # 1. the office creates the round (the page offers the set's year and suggests deadlines)
    office = Desk(browser, base, ADMIN)
    desks.append(office)
    office.go("Đợt chấm điểm")
    panel = keyed(office.page, "rounds_create_panel")
    assert keyed(office.page, "rounds_new_period_vi").get_by_role(
        "combobox").input_value() == f"Cả năm {YEAR}"
    into_view(panel)
    shot(office.page, "round-01-tao-dot")
    click(office.page, "rounds_create")
    flash(office.page, "Đã tạo đợt #1 (Cả năm 2026) ở giai đoạn Tự chấm")
    rnd = the_round(url)
    assert (rnd.criteria_id, rnd.period, rnd.phase) == (SET_ID, str(YEAR), "self")
    seed_neighbours(url, rnd.id)
    office.check()

    # 2. Xã An Hòa self-scores online: domain 1 (a yes/no and a ratio) …
    staff = Desk(browser, base, STAFF)
    desks.append(staff)
    page = staff.page
    staff.go("Tự chấm")
    page.get_by_text("Giai đoạn: Tự chấm", exact=False).wait_for()
    page.get_by_text("Tiến độ: 0/5 tiêu chí đã chấm", exact=False).wait_for()
    editor = grid(page, f"rself_editor_{rnd.id}_{UNIT}_1")
    assert headers(editor)[:8] == ["Mã", "Tiêu chí", "Cách chấm", "Tối đa", "Giá trị", "Tử số",
                                   "Mẫu số", "Điểm tự chấm"]
    type_cell(page, editor, 0, "Giá trị", "có")
    type_cell(page, editor, 1, "Tử số", "9")
    type_cell(page, editor, 1, "Mẫu số", "10")
    expect(editor.locator('[data-testid="glide-cell-7-1"]')).to_have_text("3")  # 90 %: live
    # 1.1 needs evidence: with neither a document named nor a file it scores 0, and says so
    warning = page.get_by_test_id("stMain").locator('[data-testid="stAlert"]').filter(
        has_text="cần tài liệu kiểm chứng")
    warning.wait_for()
    assert "1.1" in warning.inner_text()
    into_view(editor)
    shot(page, "round-02-tu-cham-nhap")
    click(page, "rself_save", runs=2)
    flash(page, "Đã lưu 2 tiêu chí: 1.1, 1.2.")
    own = current(url, "self")
    assert own.loc["1.1", "value_text"] == "có"
    assert (own.loc["1.2", "numerator"], own.loc["1.2", "denominator"]) == (9, 10)

    # … a PDF for 1.1 …
    assert "1.1" in keyed(page, "rself_evidence_leaf").get_by_role("combobox").input_value()
    attach(page, "rself_files_0", evidence)
    click(page, "rself_attach")
    flash(page, "Đã đính kèm 1 tệp cho tiêu chí 1.1.")
    # the pickers' labels count what was done (the browser is sent the new labels)
    expect(keyed(page, "rself_evidence_leaf").get_by_role("combobox")).to_have_value(
        "1.1 — Ban hành kế hoạch CCHC năm (1 tệp)")
    expect(keyed(page, "rself_domain").get_by_role("combobox")).to_have_value(
        "1. Công tác chỉ đạo, điều hành CCHC — đã chấm 2/2")
    files = with_store(url, lambda s: round_work.list_evidence(
        s, rnd.id, UNIT, actor=_actor(STAFF)))
    assert files[["criterion", "name", "purpose"]].values.tolist() == [
        ["1.1", evidence.name, "self"]]
    assert page.get_by_text("cần tài liệu kiểm chứng").count() == 0  # 1.1 has its file now
    into_view(page.get_by_text(evidence.name))
    shot(page, "round-03-tu-cham-tep")

    # … domain 2 …
    pick(page, "rself_domain", r"^2\. ")
    editor = grid(page, f"rself_editor_{rnd.id}_{UNIT}_2")
    type_cell(page, editor, 0, "Giá trị", "4")
    type_cell(page, editor, 1, "Giá trị", "Chậm")
    type_cell(page, editor, 2, "Giá trị", "có")
    click(page, "rself_save", runs=2)
    flash(page, "Đã lưu 3 tiêu chí: 2.1, 2.2, 2.3.")
    # still on domain 2 after the save: the picker, the table and the evidence agree
    page.get_by_role("heading", name=re.compile(r"^Lĩnh vực 2\. ")).wait_for()
    expect(keyed(page, "rself_domain").get_by_role("combobox")).to_have_value(
        "2. Xây dựng và thi hành văn bản QPPL — đã chấm 3/3")
    expect(keyed(page, "rself_evidence_leaf").get_by_role("combobox")).to_have_value(
        "2.1 — Văn bản ban hành đúng thẩm quyền (0 tệp)")
    page.get_by_text("Tiến độ: 5/5 tiêu chí đã chấm, 0 thiếu tài liệu", exact=False).wait_for()
    assert current(url, "self").loc[["2.1", "2.2", "2.3"], "value_text"].tolist() == [
        "4", "Chậm", "có"]

    # … then ticks and submits: the page says the self-assessment is locked
    submit = keyed(page, "rself_submit")
    into_view(submit)
    assert submit.get_by_role("button").is_disabled()
    tick(page, "rself_submit_sure")
    shot(page, "round-04-tu-cham-nop")
    click(page, "rself_submit")
    flash(page, f"Đã nộp bản tự chấm của {UNIT_NAME}; bản tự chấm đã khóa.")
    page.get_by_text("Bản tự chấm đã khóa", exact=False).first.wait_for()
    assert keyed(page, "rself_save").count() == 0 and keyed(page, "rself_attach").count() == 0
    submitted = with_store(url, lambda s: submitted_units(s, rnd.id))
    assert submitted["unit"].tolist() == [UNIT]
    page.get_by_test_id("stMain").evaluate("e => e.scrollTo(0, 0)")
    shot(page, "round-05-tu-cham-da-khoa")
    staff.check()

    # 3. appraisal: the justice department lowers 2.1 and asks about 2.2
    advance(office, rnd.id, "self", "Đợt #1 đã chuyển sang giai đoạn Thẩm định.")
    shot(office.page, "round-06-chuyen-tham-dinh")
    justice = Desk(browser, base, JUSTICE)
    desks.append(justice)
    jpage = justice.page
    justice.go("Thẩm định")
    jpage.get_by_text("Giai đoạn: Thẩm định", exact=False).wait_for()
    pick(jpage, "rappr_unit", UNIT_NAME)
    editor = grid(jpage, f"rappr_editor_{rnd.id}_{UNIT}")
    assert cell_text(jpage, editor, 0, "Mã") == "2.1" and cell_text(jpage, editor, 2, "Mã") == "2.3"
    assert cell_text(jpage, editor, 1, "Giá trị tự chấm") == "Chậm"
    type_cell(jpage, editor, 0, "Giá trị thẩm định", "3")
    type_cell(jpage, editor, 0, "Nhận xét", "Một văn bản ban hành chưa đúng thẩm quyền")
    type_cell(jpage, editor, 1, "Nhận xét", FLAG_COMMENT)
    select_cell(jpage, editor, 1, "Yêu cầu giải trình")
    with rerun(jpage):
        jpage.keyboard.press("Space")  # ticks the box
    jpage.keyboard.press("Escape")
    into_view(editor)
    shot(jpage, "round-07-tham-dinh")
    click(jpage, "rappr_save", runs=2)
    flash(jpage, f"Đã lưu thẩm định của {UNIT_NAME}: 1 tiêu chí, 1 yêu cầu giải trình.")
    appraised = current(url, "appraisal")
    assert appraised.loc["2.1", "value_text"] == "3"
    assert "chưa đúng thẩm quyền" in appraised.loc["2.1", "note"]
    flags = with_store(url, lambda s: round_work.flags_of(s, rnd.id, UNIT))
    assert flags[["criterion", "comment"]].values.tolist() == [["2.2", FLAG_COMMENT]]
    justice.check()

    # 4. explanation: Xã An Hòa answers 2.2 with a text and the inspection record
    advance(office, rnd.id, "appraisal", "Đợt #1 đã chuyển sang giai đoạn Giải trình.")
    staff.go("Tự chấm")
    page.get_by_text("Giai đoạn: Giải trình", exact=False).wait_for()
    page.get_by_text(FLAG_COMMENT, exact=False).wait_for()
    attach(page, "rself_explain_files_2_2_0", record)
    answer = keyed(page, "rself_explain_text_2_2").locator("textarea")
    with rerun(page):
        answer.fill("Đơn vị đã tự kiểm tra đủ 12 văn bản; gửi kèm biên bản tự kiểm tra.")
        answer.press("Control+Enter")
    into_view(keyed(page, "rself_explain_2_2"))
    shot(page, "round-08-giai-trinh")
    click(page, "rself_explain_2_2")
    flash(page, "Đã gửi giải trình cho tiêu chí 2.2.")
    flags = with_store(url, lambda s: round_work.flags_of(s, rnd.id, UNIT))
    assert flags.loc[0, "explanation"].startswith("Đơn vị đã tự kiểm tra đủ 12 văn bản")
    files = with_store(url, lambda s: round_work.list_evidence(
        s, rnd.id, UNIT, actor=_actor(ADMIN)))
    assert files.loc[files["purpose"] == "explanation", ["criterion", "name"]].values.tolist() \
        == [["2.2", record.name]]
    staff.check()

    # 5. the decision, then publication
    advance(office, rnd.id, "explanation", "Đợt #1 đã chuyển sang giai đoạn Quyết định.")
    justice.go("Thẩm định")
    jpage.get_by_text("Giai đoạn: Quyết định", exact=False).wait_for()
    pick(jpage, "rappr_unit", UNIT_NAME)
    editor = grid(jpage, f"rappr_editor_{rnd.id}_{UNIT}")
    assert cell_text(jpage, editor, 1, "Giải trình của đơn vị").startswith("Đơn vị đã tự kiểm tra")
    type_cell(jpage, editor, 1, "Giá trị thẩm định", "Tốt")
    type_cell(jpage, editor, 1, "Nhận xét", DECISION)
    into_view(editor)
    shot(jpage, "round-09-quyet-dinh")
    click(jpage, "rappr_save", runs=2)
    flash(jpage, f"Đã lưu thẩm định của {UNIT_NAME}: 1 tiêu chí, 0 yêu cầu giải trình.")
    decided = current(url, "appraisal")
    assert (decided.loc["2.2", "value_text"], decided.loc["2.2", "note"]) == ("Tốt", DECISION)
    justice.check()

    advance(office, rnd.id, "final", "Đã công bố kết quả đợt #1")
    shot(office.page, "round-10-cong-bo")
    pubs = with_store(url, lambda s: list_publications(s, SET_ID, str(YEAR)))
    assert len(pubs) == 1 and the_round(url).phase == "published"
    card, meta = with_store(url, lambda s: published(s, criteria_set(), str(YEAR)))
    # 4 (1.1) + 3 (9/10) + 3 (2.1 appraised) + 3 (2.2 decided) + 2 (2.3) = 15 of 20
    assert card.units.at[UNIT, "score"] == pytest.approx(15)
    index = fmt_number(card.units.at[UNIT, "index_2dp"], "vi")
    assert index == "75,00"

    # 6. the ranking: the year's result as published today, Xã An Hòa's index in it
    office.go("Xếp hạng")
    opage = office.page
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y")
    label = opage.get_by_test_id("stMain").get_by_text(
        f"Kết quả chính thức, công bố ngày {today} (đợt #1)", exact=False)
    label.wait_for()
    sidebar = opage.get_by_test_id("stSidebar")
    assert "cấp xã 2026 (thử)" in sidebar.get_by_role(
        "combobox", name="Bộ chỉ số", exact=True).input_value()
    assert sidebar.get_by_role("combobox", name="Tính đến kỳ", exact=True).input_value() \
        == f"Cả năm {YEAR}"
    table = opage.get_by_test_id("stMain").locator('[data-testid="stDataFrame"]').first
    into_view(table)
    table.locator('th[role="columnheader"]').first.wait_for(state="attached")
    heads = headers(table)
    rows = {(table.locator(f'[data-testid="glide-cell-{heads.index("Đơn vị")}-{r}"]').first
             .text_content() or "").strip(): r for r in range(len(UNITS))}
    row = rows[UNIT_NAME]

    def shown(header: str) -> str:
        cell = table.locator(f'[data-testid="glide-cell-{heads.index(header)}-{row}"]').first
        return (cell.text_content() or "").strip()

    # the grid's accessible copy holds the number (the canvas draws it "75,00")
    assert float(shown("Chỉ số (%)")) == pytest.approx(75)
    assert int(shown("Hạng")) == card.units.at[UNIT, "rank"] == 2
    for close in opage.get_by_test_id("stToast").get_by_role("button", name="Close").all():
        close.click()  # the publication's toast, carried over from the other page
    shot(opage, "round-11-xep-hang-cong-bo")
    for desk in desks:
        desk.check()


def _actor(name: str):
    from par.domain.auth import Actor

    return {ADMIN: Actor(ADMIN, "admin"), STAFF: Actor(STAFF, "unit", frozenset({UNIT})),
            JUSTICE: Actor(JUSTICE, "appraiser", domains=frozenset({"2"}))}[name]
