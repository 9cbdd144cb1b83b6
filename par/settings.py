"""Every ``PAR_*`` setting, read from the environment in this one module.

Each function reads the environment when called (not at import), so a test or a
command that sets a variable sees it at once. The README's settings table lists
the same variables; tests/test_settings.py keeps the two in step.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATABASE = ROOT / "data" / "par.db"
DEFAULT_MAX_UPLOAD_MB = 10.0
DEFAULT_SESSION_MINUTES = 60.0

# name → (default as the README shows it, what it sets); the README table is checked against this.
VARIABLES = {
    "PAR_DATABASE_URL": ("sqlite:///data/par.db (the sample)",
                         "the province's database; setting it leaves sample mode"),
    "PAR_SAMPLE_MODE": ("1 without PAR_DATABASE_URL, else 0",
                        "1 shows and seeds the synthetic sample (banner, sample reset)"),
    "PAR_MAX_UPLOAD_MB": ("10", "largest file an upload or import may be, in MB"),
    "PAR_SESSION_MINUTES": ("60", "a dashboard session ends after this many idle minutes"),
    "PAR_LANG": ("vi", "language of messages and the command line (vi or en)"),
    "PAR_USER": ("(none)", "the account the command line acts as, when --user is not given"),
    "PAR_CHROMIUM": ("chromium on PATH", "the Chromium that renders chart images and PDF packs"),
    "PAR_ERROR_LOG": ("logs/errors.log", "where unexpected errors are logged, each with the id "
                      "the user is shown"),
    "PAR_PARSE_MEMORY_MB": ("1024", "memory one upload's reader (a child process) may use, in MB"),
    "PAR_PARSE_SECONDS": ("30", "time one upload's reader may take before it is stopped"),
    "PAR_MAX_INPUT_MB": ("512", "largest CSV that score --inputs reads, in MB"),
    "PAR_AGENCY": ("Ủy ban nhân dân tỉnh", "the issuing agency at the top of the documents the "
                   "office signs, e.g. UBND tỉnh Nghệ An"),
    "PAR_OFFICE": ("Sở Nội vụ", "the office under it on those documents"),
    "PAR_PLACE": ("a dotted line", "the place before their date, e.g. Nghệ An"),
}


def _text(name: str) -> str:
    return os.environ.get(name, "").strip()


def _positive(name: str, default: float) -> float:
    raw = _text(name)
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if 0 < value < 1e6 else default  # also refuses nan and inf


def database_url() -> str:
    """The configured database, else the sample's SQLite file."""
    return _text("PAR_DATABASE_URL") or f"sqlite:///{SAMPLE_DATABASE}"


def database_configured() -> bool:
    """PAR_DATABASE_URL is set (blank counts as unset)."""
    return bool(_text("PAR_DATABASE_URL"))


def sample_mode() -> bool:
    """The synthetic sample is shown: no database configured, or PAR_SAMPLE_MODE=1."""
    raw = _text("PAR_SAMPLE_MODE")
    if raw in ("0", "1"):
        return raw == "1"
    return not database_configured()


def max_upload_mb() -> float:
    """Largest upload in MB; junk, nan, inf, zero or negatives give the default 10."""
    return _positive("PAR_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)


def upload_limit_mb() -> int:
    """par's upload cap in whole MB, rounded up, at least 1: Streamlit's server.maxUploadSize."""
    return max(1, math.ceil(max_upload_mb()))


def session_seconds() -> float:
    """Idle seconds before a dashboard session ends (PAR_SESSION_MINUTES × 60, default 60 min)."""
    return _positive("PAR_SESSION_MINUTES", DEFAULT_SESSION_MINUTES) * 60


def lang() -> str | None:
    """The language asked for, lower case, or None (par.i18n decides what is valid)."""
    return _text("PAR_LANG").lower() or None


def user() -> str | None:
    """The account the command line acts as when --user is not given, or None."""
    return _text("PAR_USER") or None


def error_log() -> Path:
    """The server-side log of unexpected errors (the user sees only an id)."""
    raw = _text("PAR_ERROR_LOG")
    return Path(raw) if raw else ROOT / "logs" / "errors.log"


def chromium() -> str | None:
    """An explicit Chromium path (PAR_CHROMIUM; kaleido's BROWSER_PATH is honoured too)."""
    return _text("PAR_CHROMIUM") or _text("BROWSER_PATH") or None


def parse_memory_mb() -> float:
    """Memory (address space) a file reader's child process may add, in MB (default 1024)."""
    return _positive("PAR_PARSE_MEMORY_MB", 1024.0)


def parse_seconds() -> float:
    """CPU and wall-clock seconds one file read may take in its child process (default 30)."""
    return _positive("PAR_PARSE_SECONDS", 30.0)


def max_input_mb() -> float:
    """Largest CSV file `score --inputs` reads, in MB (default 512; read in the process)."""
    return _positive("PAR_MAX_INPUT_MB", 512.0)


def agency() -> str | None:
    """The issuing agency printed on the documents the office signs (None: the catalogue's)."""
    return _text("PAR_AGENCY") or None


def office() -> str | None:
    return _text("PAR_OFFICE") or None


def place() -> str | None:
    return _text("PAR_PLACE") or None
