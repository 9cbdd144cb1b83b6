"""The command line never shows a traceback: a planned error is a located message, anything
else an error id whose traceback is in the error log; piping into `head` is not an error."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from par.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
SCORE = ["score", "--criteria", "criteria/nghe-an-huyen-2019.yaml", "--inputs",
         "data/inputs/huyen-2019-self.csv", "data/inputs/huyen-2019-appraisal.csv"]


def test_an_unexpected_error_shows_an_id_and_logs_the_traceback(tmp_path, monkeypatch, capsys):
    log = tmp_path / "errors.log"
    monkeypatch.setenv("PAR_ERROR_LOG", str(log))
    monkeypatch.chdir(ROOT)

    def broken(args, lang):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setitem(cli_main.COMMANDS, "score", broken)
    assert cli_main.main(SCORE) == 2
    err = capsys.readouterr().err
    error_id = re.search(r"mã lỗi ([0-9a-f]{8})", err).group(1)
    assert "Traceback" not in err and "secret internals" not in err
    logged = log.read_text(encoding="utf-8")
    assert error_id in logged and "Traceback" in logged and "secret internals" in logged


def test_a_full_disk_and_a_busy_database_are_said_plainly(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    for text, expected in (("database or disk is full", "đầy"), ("database is locked", "bận")):
        def failing(args, lang, text=text):
            raise RuntimeError(text)

        monkeypatch.setitem(cli_main.COMMANDS, "score", failing)
        assert cli_main.main(SCORE) == 2
        assert expected in capsys.readouterr().err


def test_output_piped_to_head_ends_quietly():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(f"{sys.executable} -m par {' '.join(SCORE)} | head -1", shell=True,
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip()
    assert "BrokenPipe" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_top_below_one_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    import pytest

    with pytest.raises(SystemExit) as ended:
        cli_main.main(["weakest", *SCORE[1:], "--top", "-1"])
    assert ended.value.code == 2
    assert "-1" in capsys.readouterr().err
