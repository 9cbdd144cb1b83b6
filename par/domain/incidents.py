"""Unexpected errors: logged on the server with a short id; the user sees only the id.

Every page and command catches what it cannot handle and calls ``incident``; the
traceback goes to the log (``PAR_ERROR_LOG``, and the server's stderr for the
dashboard), never to the user, who can quote the id to the office's IT staff.
"""
from __future__ import annotations

import logging
import secrets
import threading

from par import settings

log = logging.getLogger("par")
_configured = threading.Lock()
_handlers: dict[str, logging.Handler] = {}


def log_to_file() -> None:
    """Send the "par" logger to the error log file too (once per process and path)."""
    path = settings.error_log()
    with _configured:
        if str(path) in _handlers:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        except OSError:  # a read-only disk must not turn one error into two
            return
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        _handlers[str(path)] = handler


def incident(exc: BaseException, what: str = "unexpected error") -> str:
    """Log ``exc`` with its traceback and a new id; return the id to show the user."""
    error_id = secrets.token_hex(4)
    log_to_file()
    log.error("%s (error id %s)", what, error_id, exc_info=exc)
    return error_id
