"""`python -m par serve`: Streamlit started with par's upload limit (finding D), no server here."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from par import settings
from par.cli import serve
from par.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def execs(monkeypatch) -> list[list[str]]:
    """Every exec the command would do, instead of doing it."""
    calls = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append([path, *argv[1:]]))
    return calls


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_serve_execs_streamlit_with_pars_upload_limit(execs, monkeypatch, capsys):
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "2.5")
    assert main(["serve", "--port", "8600", "--address", "127.0.0.1"]) == 0
    assert execs == [[sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
                      "--server.maxUploadSize", "3", "--server.headless", "true",
                      "--browser.gatherUsageStats", "false", "--server.port", "8600",
                      "--server.address", "127.0.0.1"]]
    assert "8600" in capsys.readouterr().err


@pytest.mark.parametrize("raw, mb", [(None, "10"), ("0.2", "1"), ("10", "10"), ("10.01", "11"),
                                     ("junk", "10"), ("0", "10")])
def test_upload_limit_is_pars_cap_in_whole_mb(execs, monkeypatch, raw, mb):
    if raw is None:
        monkeypatch.delenv("PAR_MAX_UPLOAD_MB", raising=False)
    else:
        monkeypatch.setenv("PAR_MAX_UPLOAD_MB", raw)
    assert main(["serve"]) == 0
    [argv] = execs
    assert _option(argv, "--server.maxUploadSize") == mb == str(settings.upload_limit_mb())
    assert _option(argv, "--server.port") == "8501"
    assert "--server.address" not in argv  # Streamlit's default unless asked


@pytest.mark.parametrize("port", ["0", "70000"])
def test_a_bad_port_is_refused_before_anything_starts(execs, capsys, port):
    assert main(["serve", "--port", port, "--lang", "en"]) == 2
    assert "--port" in capsys.readouterr().err and not execs


def test_make_run_serves_through_the_command():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", text, re.M).group(1)
    assert "-m par serve --port $(PORT)" in recipe and "streamlit run" not in recipe
