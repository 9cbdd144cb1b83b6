"""`python -m par serve [--port N] [--address A]`: the dashboard, with par's limits.

Streamlit reads its server options once, at start, so the dashboard is served through
this command: it replaces itself (exec, same process id) with ``streamlit run
dashboard.py`` and sets Streamlit's own upload limit (server.maxUploadSize) from par's
cap (PAR_MAX_UPLOAD_MB, rounded up to whole MB), so no request body larger than that is
ever buffered — before any login, on any page.
"""
from __future__ import annotations

import os
import sys

from par import settings
from par.domain.issues import Issue, ParError
from par.i18n import t

DEFAULT_PORT = 8501


def add_commands(sub) -> None:
    p = sub.add_parser("serve", help="serve the dashboard (streamlit run dashboard.py with "
                                     "par's upload limit)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--address", default=None,
                   help="address to listen on (default: Streamlit's, every interface)")
    p.add_argument("--lang", choices=("vi", "en"), default=None,
                   help="message language (default vi, or $PAR_LANG)")


def streamlit_argv(port: int = DEFAULT_PORT, address: str | None = None) -> list[str]:
    """The command line that serves the dashboard with par's settings."""
    argv = [sys.executable, "-m", "streamlit", "run", str(settings.ROOT / "dashboard.py"),
            "--server.maxUploadSize", str(settings.upload_limit_mb()),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            "--server.port", str(port)]
    if address:
        argv += ["--server.address", address]
    return argv


def cmd_serve(args, lang: str) -> str:
    if not 0 < args.port < 65536:
        raise ParError([Issue("cli.bad_port", {"port": args.port})])
    argv = streamlit_argv(args.port, args.address)
    print(t("cli.serving", lang, port=args.port, mb=settings.upload_limit_mb()), file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # never returns: Streamlit runs in this process
    return ""


COMMANDS = {"serve": cmd_serve}
