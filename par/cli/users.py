"""`python -m par users add|list|set-role|disable|passwd`: accounts on the local machine.

The CLI acts as the account named by --user (the machine itself is trusted, as with
any server-side admin tool); with no accounts yet it acts as the local admin, which
is how the first admin is created.
"""
from __future__ import annotations

import getpass
import sys

from par.cli.common import DEFAULT_UNITS, database_option, output_options
from par.domain.auth import ROLES
from par.domain.issues import Issue, ParError
from par.i18n import t
from par.i18n.formatting import text_table


def add_commands(sub) -> None:
    p = sub.add_parser("users", help="accounts: add, list, set-role, disable, passwd")
    p.add_argument("action", choices=("add", "list", "set-role", "disable", "enable", "passwd"))
    p.add_argument("name", nargs="?", help="account name")
    p.add_argument("--role", choices=ROLES)
    p.add_argument("--units", default="", help="comma-separated unit ids (role unit)")
    p.add_argument("--domains", default="",
                   help="comma-separated domain codes (top-level criteria codes) an appraiser "
                        "appraises (role appraiser), e.g. 2,3")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input instead of prompting")
    p.add_argument("--user", default=None, help="the admin doing this (default $PAR_USER)")
    database_option(p)
    p.add_argument("--units-file", dest="units_file", default=DEFAULT_UNITS)
    output_options(p)


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu / Password: ")
    if getpass.getpass("Nhập lại / Again: ") != first:
        raise ParError([Issue("auth.password_mismatch", {})])
    return first


def cmd_users(args, lang: str) -> str:
    """The users command; a busy (locked) database is a message, not an internal error."""
    from sqlalchemy.exc import SQLAlchemyError

    from par.store.accounts import is_busy

    try:
        return _users(args, lang)
    except SQLAlchemyError as exc:
        if is_busy(exc):
            raise ParError([Issue("users.db_busy", {})]) from exc
        raise


def _users(args, lang: str) -> str:
    from par.cli.data import acting_user
    from par.store.accounts import Accounts
    from par.store.storage import Store

    store = Store(args.database)
    accounts = Accounts(store)
    if args.action == "list":
        frame = accounts.list()
        if args.format == "json":
            return frame.to_json(orient="records", date_format="iso", force_ascii=False)
        rows = [[r.name, r.role, r.units, r.domains or "",
                 t("word.yes", lang) if r.disabled else ""] for r in frame.itertuples()]
        head = [t(f"users.{c}", lang) for c in ("name", "role", "units")]
        return text_table(head + [t("cli.domains", lang), t("users.disabled", lang)], rows)
    if not args.name:
        raise ParError([Issue("auth.name_needed", {})])
    by = acting_user(args, store)
    units = [u.strip() for u in args.units.split(",") if u.strip()]
    domains = [d.strip() for d in args.domains.split(",") if d.strip()]
    if args.action == "add":
        if not args.role:
            raise ParError([Issue("auth.role_needed", {})])
        accounts.add(by, args.name, args.role, _password(args), units, domains)
    elif args.action == "set-role":
        if not args.role:
            raise ParError([Issue("auth.role_needed", {})])
        accounts.set_role(by, args.name, args.role, units, domains)
    elif args.action in ("disable", "enable"):
        accounts.disable(by, args.name, args.action == "disable")
    else:
        accounts.set_password(by, args.name, _password(args))
    return t(f"users.done_{args.action.replace('-', '_')}", lang, user=args.name)


COMMANDS = {"users": cmd_users}
