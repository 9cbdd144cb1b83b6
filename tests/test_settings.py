"""par/settings.py is the one place that reads PAR_* variables, and the README lists them all."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from par import settings

ROOT = Path(__file__).resolve().parents[1]
ALL = ("PAR_DATABASE_URL", "PAR_SAMPLE_MODE", "PAR_MAX_UPLOAD_MB", "PAR_SESSION_MINUTES",
       "PAR_LANG", "PAR_USER", "PAR_CHROMIUM", "BROWSER_PATH")


@pytest.fixture
def env(monkeypatch):
    """No setting from the outside (conftest sets PAR_DATABASE_URL): each test sets its own."""
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- the README's table ------------------------------------------------------------------

def readme_table() -> list[list[str]]:
    """The rows (cells, backticks stripped) of the table under README's '## Settings'."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Settings\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, "README.md has no '## Settings' section"
    lines = [ln.strip() for ln in match.group(1).splitlines() if ln.strip().startswith("|")]
    assert lines, "the Settings section has no table"
    rows = [[c.strip().strip("`") for c in ln.strip("|").split("|")] for ln in lines]
    assert rows[0] == ["variable", "default", "what it sets"]
    assert set("".join(rows[1])) <= set("-: ")  # the separator row
    return rows[2:]


def test_readme_table_lists_exactly_the_settings_variables():
    rows = readme_table()
    assert [r[0] for r in rows] == list(settings.VARIABLES)
    assert {r[0]: (r[1], r[2]) for r in rows} == settings.VARIABLES
    assert all(name.startswith("PAR_") for name in settings.VARIABLES)


# -- nobody else reads the environment ------------------------------------------------------

def sources() -> list[Path]:
    return sorted((ROOT / "par").rglob("*.py")) + [ROOT / "dashboard.py"]


# (file, line text) of the environment uses allowed outside par/settings.py
PASS_THROUGH = {("par/export/pack_pdf.py", "**os.environ"),  # the subprocesses' environment
                ("par/export/round_docs.py", "**os.environ")}


def test_only_settings_reads_the_environment():
    offenders = []
    for path in sources():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "par/settings.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not re.search(r"\benviron\b|getenv|putenv", line):
                continue
            passes = any(f == rel and p in line for f, p in PASS_THROUGH)
            if "PAR_" in line or not passes:
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "read the environment in par/settings.py instead"


def test_no_module_but_settings_names_a_par_variable_in_code():
    """A bare 'PAR_X' string literal (an environment key) anywhere else is a second reader."""
    offenders = []
    for path in sources():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "par/settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and re.fullmatch(r"PAR_[A-Z0-9_]+", node.value)):
                offenders.append(f"{rel}:{node.lineno} {node.value}")
    assert not offenders


def test_settings_reads_each_documented_variable():
    text = (ROOT / "par" / "settings.py").read_text(encoding="utf-8")
    code = text.split("VARIABLES = {", 1)[1].split("\n}\n", 1)[1]  # the functions, not the table
    assert {name for name in settings.VARIABLES if f'"{name}"' in code} == set(settings.VARIABLES)


# -- each setting --------------------------------------------------------------------------

def test_database_url_defaults_to_the_sample_sqlite_file(env):
    assert settings.SAMPLE_DATABASE == ROOT / "data" / "par.db"
    assert settings.database_url() == f"sqlite:///{ROOT / 'data' / 'par.db'}"
    assert not settings.database_configured()
    env.setenv("PAR_DATABASE_URL", "  ")  # blank is unset
    assert settings.database_url().endswith("data/par.db") and not settings.database_configured()
    env.setenv("PAR_DATABASE_URL", " postgresql+psycopg://par@db/par ")
    assert settings.database_url() == "postgresql+psycopg://par@db/par"
    assert settings.database_configured()


@pytest.mark.parametrize("url, mode, expected", [
    (None, None, True),        # no database: the sample
    ("sqlite:///x.db", None, False),
    ("sqlite:///x.db", "1", True),   # PAR_SAMPLE_MODE overrides either way
    (None, "0", False),
    ("sqlite:///x.db", " 1 ", True),
    (None, "yes", True),       # anything but 0/1: the rule
    ("sqlite:///x.db", "true", False),
    ("sqlite:///x.db", "", False),
])
def test_sample_mode(env, url, mode, expected):
    if url is not None:
        env.setenv("PAR_DATABASE_URL", url)
    if mode is not None:
        env.setenv("PAR_SAMPLE_MODE", mode)
    assert settings.sample_mode() is expected


JUNK = ["abc", "nan", "NaN", "inf", "-inf", "-5", "0", "-0.0", "1e6", "1e400", "2,5", "10 MB"]


@pytest.mark.parametrize("raw", JUNK)
def test_max_upload_mb_refuses_junk(env, raw):
    env.setenv("PAR_MAX_UPLOAD_MB", raw)
    assert settings.max_upload_mb() == settings.DEFAULT_MAX_UPLOAD_MB == 10.0


def test_max_upload_mb(env):
    assert settings.max_upload_mb() == 10.0
    env.setenv("PAR_MAX_UPLOAD_MB", " 25 ")
    assert settings.max_upload_mb() == 25.0
    env.setenv("PAR_MAX_UPLOAD_MB", "0.5")
    assert settings.max_upload_mb() == 0.5


@pytest.mark.parametrize("raw", JUNK)
def test_session_seconds_refuses_junk(env, raw):
    env.setenv("PAR_SESSION_MINUTES", raw)
    assert settings.session_seconds() == settings.DEFAULT_SESSION_MINUTES * 60 == 3600.0


def test_session_seconds(env):
    assert settings.session_seconds() == 3600.0
    env.setenv("PAR_SESSION_MINUTES", "30")
    assert settings.session_seconds() == 1800.0
    env.setenv("PAR_SESSION_MINUTES", "1.5")
    assert settings.session_seconds() == 90.0


def test_lang_is_lower_case_or_none(env):
    assert settings.lang() is None
    env.setenv("PAR_LANG", " EN ")
    assert settings.lang() == "en"
    env.setenv("PAR_LANG", "Vi")
    assert settings.lang() == "vi"
    env.setenv("PAR_LANG", "fr")
    assert settings.lang() == "fr"  # par.i18n decides what is valid
    env.setenv("PAR_LANG", "")
    assert settings.lang() is None


def test_user(env):
    assert settings.user() is None
    env.setenv("PAR_USER", " lan ")
    assert settings.user() == "lan"
    env.setenv("PAR_USER", "   ")
    assert settings.user() is None


def test_chromium(env):
    assert settings.chromium() is None
    env.setenv("BROWSER_PATH", "/opt/kaleido-chromium")
    assert settings.chromium() == "/opt/kaleido-chromium"
    env.setenv("PAR_CHROMIUM", " /usr/bin/chromium ")
    assert settings.chromium() == "/usr/bin/chromium"  # PAR_CHROMIUM first


def test_read_when_called_not_at_import(env):
    assert settings.user() is None
    env.setenv("PAR_USER", "office")
    assert settings.user() == "office"
