"""A real dashboard server and a real Chromium for the tests that need them.

`running(argv, env, log_path)` starts a process on 127.0.0.1 and a free port (the caller
puts "{port}" in ``argv``), waits for /_stcore/health and always stops it by its PID;
`chromium()` launches Debian's Chromium through Playwright with the flags this machine
needs (never `playwright install`). Used like tests/pg.py: `from server import …`.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVER_TIMEOUT = 90  # s, until /_stcore/health answers
STREAMLIT = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless",
             "true", "--server.port", "{port}", "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"]
PAR_SERVE = [sys.executable, "-m", "par", "serve", "--port", "{port}", "--address", "127.0.0.1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def running(argv: list[str], log_path: Path, env: dict | None = None):
    """(base URL, process) of a server started from ``argv``; stopped on exit."""
    port = free_port()
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([a.replace("{port}", str(port)) for a in argv], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while not healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n"
                            + log_path.read_text(errors="replace"))
            if time.monotonic() > deadline:
                pytest.fail(f"no answer from {url}/_stcore/health within {SERVER_TIMEOUT} s:\n"
                            + log_path.read_text(errors="replace"))
            time.sleep(0.3)
        yield url, proc
    finally:
        stop(proc)  # `par serve` execs Streamlit: this PID is the server itself


@contextmanager
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-system.sh (Debian package "
                    "'chromium'); never `playwright install`", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# -- driving a page -------------------------------------------------------------------------
# A click returns before the rerun it causes has even started, so settle() alone can pass
# too early. The server ends every script run with a ForwardMsg "script_finished" on the
# page's websocket; count_runs counts those (a run cut short for a newer one aside).
# (Watching stApp's data-test-script-state for a change missed quick runs under load: the
# page took a run's start and end in one render and the attribute never changed.)
SHOTS = ROOT / "test-output" / "screenshots"
UI_TIMEOUT = 30_000  # ms, for one rerun to show its result
_SCRIPT_STATE = """document.querySelector('[data-testid="stApp"]').dataset.testScriptState"""
_RUNS_FINISHED: dict[int, int] = {}  # id(page) -> script runs finished


def count_runs(page, ws) -> None:
    """For page.on("websocket", …): count the script runs the server finishes."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    cut_short = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")

    def received(payload) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg.FromString(payload)
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished != cut_short:
            _RUNS_FINISHED[id(page)] = _RUNS_FINISHED.get(id(page), 0) + 1

    if ws.url.endswith("/_stcore/stream"):
        ws.on("framereceived", received)


def settle(page) -> None:
    """Wait until the script run has finished and no element is left over from the last run."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
               && !document.querySelector('[data-stale="true"]')""", timeout=UI_TIMEOUT)


def click_option(page, box, option, typed: str | None = None) -> None:
    """Open the selectbox ``box`` (typing ``typed`` to narrow a long list) and click
    ``option`` (its whole text, or a pattern). A script run that ends just after the click
    (the first screen applying its defaults) can close the list again: it is then opened
    once more, three times at most."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        box.click()
        if typed:
            page.keyboard.type(typed)
        found = page.get_by_role("option", name=option, exact=True)
        try:
            found.wait_for(timeout=5_000 if attempt < 2 else UI_TIMEOUT)
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            settle(page)
            continue
        found.click()
        return


@contextmanager
def rerun(page, runs: int = 1):
    """Around an action that reruns the script: afterwards, that run is over and settled.
    ``runs``: how many runs the action makes (a save that changes a data editor's data makes
    two: the browser starts one more when the editor drops its edits). On a busy machine the
    second request can arrive while the first run still goes, and Streamlit then folds both
    into one: so one finished run is required, and the others are waited for a while."""
    page.wait_for_function(f"() => {_SCRIPT_STATE} === 'notRunning'", timeout=UI_TIMEOUT)
    before = _RUNS_FINISHED.get(id(page), 0)
    yield
    deadline = time.monotonic() + UI_TIMEOUT / 1000
    while _RUNS_FINISHED.get(id(page), 0) < before + 1:  # frames arrive while Playwright waits
        assert time.monotonic() < deadline, "no script run finished after the action"
        page.wait_for_timeout(50)
    more = time.monotonic() + (5.0 if runs > 1 else 0.0)
    while _RUNS_FINISHED.get(id(page), 0) < before + runs and time.monotonic() < more:
        page.wait_for_timeout(50)
    page.wait_for_function(f"() => {_SCRIPT_STATE} === 'notRunning'", timeout=UI_TIMEOUT)
    settle(page)


def shot(page, name: str) -> Path:
    """A full-page screenshot in test-output/screenshots, the page left as a person leaves it:
    no focus ring on the last widget, no hover controls in the sidebar."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    size = page.viewport_size
    page.mouse.move(size["width"] - 10, size["height"] - 10)
    page.wait_for_timeout(500)  # let the chart's transition and the grid's canvas paint
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def upload(page, path: Path) -> None:
    with rerun(page):
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(path)


def app_exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()
