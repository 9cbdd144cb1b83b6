"""A real `python -m par serve` keeps serving while an admin uploads hostile files.

Each file of the issue "No upload can take the server down" goes through the upload page
in Chromium: cells without references (the 5 KB file that made calamine abort the server),
a cell at XFD1048576, a far corner inside the limits (IV100000), a zip bomb and a CSV whose
ratio numerator is 1e999. After each one the server is the same process (the same PID),
/_stcore/health answers, the page names the file and the place, and a good file uploaded
next is accepted. Screenshots: test-output/screenshots/hostile-*.png.

Needs /usr/bin/chromium (Debian's package; never `playwright install`).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures import hostile as h
from server import (
    PAR_SERVE,
    UI_TIMEOUT,
    app_exceptions,
    chromium,
    click_option,
    count_runs,
    healthy,
    rerun,
    running,
    settle,
    shot,
    upload,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1400, "height": 2200}
SERVER_TIMEOUT = 90  # s, until /_stcore/health answers (the first start seeds the sample)
ADMIN, ADMIN_PASSWORD = "van-phong", "mat-khau-kiem-thu"
DISTRICT_SET = re.compile(r"cấp huyện.*2019")
CUA_LO = "Thị xã Cửa Lò"
REFUSED = "chưa có gì được lưu"  # upload.errors: "Tệp có N lỗi; chưa có gì được lưu. …"

HOSTILE = [  # (file name, bytes, what the error must name besides the file)
    ("khong-tham-chieu.xlsx", h.rless_row(), "IW100000"),
    ("o-xa-nhat.xlsx", h.far_cell_no_dimension(), "XFD1048576"),
    ("goc-xa.xlsx", h.far_corner("IV100000"), "IV100000"),
    ("bom-nen.xlsx", h.zip_bomb(), "bom nén"),
    ("tu-so-vo-han.csv", h.huge_number_csv("1e999"), "1e999"),
]
GOOD = h.TIDY_HEADER + "cua-lo,2019,1.1.1,có,,,,,\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, process) of `python -m par serve` on a database of its own, with an admin."""
    folder = tmp_path_factory.mktemp("survives")
    url_db = f"sqlite:///{folder / 'par.db'}"
    env = {**os.environ, "PAR_DATABASE_URL": url_db, "PAR_SAMPLE_MODE": "1",
           "PYTHONPATH": str(ROOT)}
    env.pop("PAR_MAX_UPLOAD_MB", None)
    make_admin = ("from par.domain.auth import Actor\nfrom par.store.accounts import Accounts\n"
                  "from par.store.storage import Store\n"
                  f"Accounts(Store()).add(Actor.local_admin(), {ADMIN!r}, 'admin', "
                  f"{ADMIN_PASSWORD!r})\n")
    subprocess.run([sys.executable, "-c", make_admin], cwd=ROOT, env=env, check=True, timeout=120)
    log_path = folder / "server.log"
    with running(PAR_SERVE, log_path, env) as (url, proc):
        yield url, proc, log_path


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def pick(page, label: str, option) -> None:
    box = page.get_by_role("combobox", name=label, exact=True)
    value = box.input_value()
    if (option.search(value) if isinstance(option, re.Pattern) else value == option):
        return
    with rerun(page):
        click_option(page, box, option)


# -- the journey ---------------------------------------------------------------------------------

def test_hostile_uploads_leave_the_server_serving(server, browser, tmp_path):
    url, proc, log_path = server
    pid = proc.pid
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    context.set_default_timeout(UI_TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("websocket", lambda ws: count_runs(page, ws))
    try:
        page.goto(url)
        page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
        page.get_by_role("textbox", name="Tài khoản", exact=True).fill(ADMIN)
        page.get_by_label("Mật khẩu", exact=True).fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tải lên", exact=True).wait_for()
        settle(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tải lên", exact=True).click()
        page.get_by_role("heading", name="Tải lên", exact=True).wait_for()
        settle(page)
        pick(page, "Bộ chỉ số", DISTRICT_SET)
        pick(page, "Đơn vị", CUA_LO)
        pick(page, "Kỳ báo cáo", "2019")

        for n, (name, data, place) in enumerate(HOSTILE, start=1):
            path = tmp_path / name
            path.write_bytes(data)
            started = time.monotonic()
            upload(page, path)
            alert = page.locator('[data-testid="stAlert"]').filter(has_text=REFUSED)
            alert.wait_for()
            settle(page)
            text = alert.inner_text()
            assert name in text and place in text, text
            assert time.monotonic() - started < 20
            assert page.get_by_role("button", name="Xác nhận lưu").count() == 0
            assert not app_exceptions(page)
            shot(page, f"hostile-{n}-{Path(name).stem}")
            # the server is the same process, and it answers
            assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert proc.pid == pid and healthy(url)
            # … and the next good file is accepted
            good = tmp_path / f"tot-{n}.csv"
            good.write_text(GOOD, encoding="utf-8")
            upload(page, good)
            page.get_by_role("button", name="Xác nhận lưu", exact=True).wait_for()
            settle(page)
            ok = page.locator('[data-testid="stAlert"]').filter(has_text="Tệp hợp lệ")
            assert ok.count() == 1 and "Thị xã Cửa Lò (cua-lo), Cả năm 2019" in ok.inner_text()
        shot(page, "hostile-9-tep-tot-sau-cung")
        assert proc.poll() is None and proc.pid == pid and healthy(url)
        log = log_path.read_text(errors="replace")
        assert "memory allocation of" not in log and "Traceback" not in log, log[-3000:]
    except Exception:
        shot(page, "hostile-0-failure")
        print(page.inner_text("body")[:3000])
        print(log_path.read_text(errors="replace")[-3000:])
        raise
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
