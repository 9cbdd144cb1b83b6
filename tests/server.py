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
