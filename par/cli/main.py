"""`python -m par`: the engine without the dashboard (CONTRACT §5).

Each command parses its arguments, calls the library and prints; a ParError
becomes one stderr line per problem and exit code 2. Nothing is written
anywhere when there is an error. The command table is static: every command
group is a module listed in GROUPS.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from par.cli import (
    criteria,
    data,
    decide,
    export,
    rounds,
    score,
    serve,
    survey_ranks,
    surveys,
    units,
    users,
)
from par.cli.common import Parser
from par.domain.incidents import incident
from par.domain.issues import Issue, ParError
from par.i18n import resolve_lang, t

GROUPS = (score, data, users, decide, export, serve, units, criteria, rounds, surveys,
          survey_ranks)  # survey_ranks after surveys: it adds `survey ranks`
COMMANDS = {name: command for group in GROUPS for name, command in group.COMMANDS.items()}


def build_parser() -> Parser:
    parser = Parser(prog="python -m par", description="PAR index scoring (par).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for group in GROUPS:
        group.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = resolve_lang(args.lang)
    try:
        output = COMMANDS[args.command](args, lang)
    except ParError as exc:
        for issue in exc.issues:
            print(issue.render(lang), file=sys.stderr)
        return 2
    except OSError as exc:
        print(Issue("file.unreadable", {"detail": exc.strerror or str(exc)},
                    file=getattr(exc, "filename", None)).render(lang), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not a user mistake: still no traceback, still exit 2
        if Path(".par-debug").exists():
            raise
        print(_unexpected(exc, lang), file=sys.stderr)
        return 2
    try:
        if output:
            print(output)
        sys.stdout.flush()
    except BrokenPipeError:  # `python -m par score | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
    return 0


def _unexpected(exc: Exception, lang: str) -> str:
    """The message for an error nobody planned for: a full disk or a busy database said
    plainly, anything else as an error id (the traceback goes to the error log)."""
    text = str(exc).lower()
    if "database or disk is full" in text or "no space left" in text:
        return t("cli.disk_full", lang)
    if "database is locked" in text:
        return t("cli.database_busy", lang)
    return t("cli.internal_error", lang, id=incident(exc, "command failed"))
