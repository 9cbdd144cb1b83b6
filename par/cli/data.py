"""Commands that touch the database or write workbooks: template, import, history, rollback."""
from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from par import settings
from par.cli.common import database_option, open_store, output_options, units_option
from par.domain.auth import Actor, authorize
from par.domain.issues import Issue, ParError
from par.domain.periods import parse_period
from par.engine import catalog
from par.engine.criteria import load_criteria
from par.i18n import t
from par.i18n.formatting import text_table
from par.read.units import read_units

if TYPE_CHECKING:  # the database is imported only by the commands that open it
    from par.store.storage import Store


def _db_options(p, units: bool = False) -> None:
    database_option(p)
    if units:
        p.add_argument("--units", default=None, metavar="FILE",
                       help="load this units table into the database first (admins only; "
                            "default: the units the database holds)")
    output_options(p)


def add_commands(sub) -> None:
    p = sub.add_parser("template", help="write an Excel template to fill in")
    p.add_argument("--criteria", required=True, metavar="FILE")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", metavar="ID")
    who.add_argument("--all-units", action="store_true")
    p.add_argument("--period", required=True, metavar="PERIOD")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    units_option(p)
    output_options(p)
    p = sub.add_parser("import", help="validate and store filled templates or tidy tables")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--user", default=None, help="who is importing (default: the login name)")
    p.add_argument("--criteria", metavar="FILE",
                   help="criteria file (default: named by the template, or found by level and year)")
    _db_options(p, units=True)
    p = sub.add_parser("history", help="submissions per unit and period")
    p.add_argument("--unit", metavar="ID")
    p.add_argument("--period", metavar="PERIOD")
    _db_options(p)
    p = sub.add_parser("prune", help="retention: drop the rows of old, no longer current "
                                     "submissions (admins)")
    p.add_argument("--older-than", type=float, required=True, metavar="DAYS")
    p.add_argument("--user", default=None)
    _db_options(p)
    p = sub.add_parser("rollback", help="make an earlier submission current again")
    p.add_argument("submission", type=int, metavar="SUBMISSION_ID")
    p.add_argument("--user", default=None)
    _db_options(p)


def acting_user(args, store: Store) -> Actor:
    """--user (or $PAR_USER) names an account; with no accounts yet, the local machine is admin."""
    from par.store.accounts import Accounts

    name = getattr(args, "user", None) or settings.user()
    accounts = Accounts(store)
    if not accounts.any():
        return Actor.local_admin(name or getpass.getuser())
    if not name:
        raise ParError([Issue("auth.name_user", {})])
    return accounts.actor(name)


def _criteria_sets(args, store: Store, actor: Actor) -> list:
    """The server's criteria sets (the active ones stored, par.store.library; in sample mode
    also the sample's files); ``--criteria FILE`` first. A file that reuses a registered
    set id with other content would let its holder choose the rules: only an admin (the
    office that owns the sets) may bring a new version."""
    from par.store.library import active_sets

    sets = active_sets(store)
    if settings.sample_mode():
        stored = {c.id for c in sets}
        sets += [c for c in catalog.list_criteria() if c.id not in stored]
    if getattr(args, "criteria", None):
        chosen = load_criteria(args.criteria)
        known = store.criteria_hashes()
        versions = set(known.loc[known["id"] == chosen.id, "sha256"])
        if versions and chosen.sha256 not in versions and not actor.may("criteria"):
            raise ParError([Issue("import.criteria_changed", {"id": chosen.id},
                                  file=str(args.criteria))])
        sets = [chosen] + [c for c in sets if c.id != chosen.id]
    return sets


def _reference_units(args, store: Store, actor: Actor):
    """The units to check against: the database's; ``--units FILE`` loads a table first
    (admins only, audited). The sample database takes the sample's units when it has none."""
    if args.units:
        table = read_units(args.units)
        authorize(actor, "units")
        store.sync_units(table, actor=actor)
    elif store.units().empty and settings.sample_mode():
        from par.sample.seed import register_reference_data

        register_reference_data(store)
    units = store.units()
    if units.empty:
        raise ParError([Issue("cli.no_units", {})])
    return units


def cmd_template(args, lang: str) -> str:
    from par.read.template import build_template

    criteria = load_criteria(args.criteria)
    units = read_units(args.units)
    period = parse_period(args.period)
    if period is None:
        raise ParError([Issue("cli.bad_as_of", {"value": args.period})])
    level = units[units["level"] == criteria.level]
    if args.all_units:
        ids = list(level["id"])
    elif args.unit in set(level["id"]):
        ids = [args.unit]
    else:
        raise ParError([Issue("cli.unknown_unit", {"unit": args.unit, "level": criteria.level})])
    data = build_template(criteria, units, ids, period, lang=lang)
    Path(args.output).write_bytes(data)
    return t("cli.template_written", lang, file=args.output, units=len(ids), period=str(period))


def cmd_import(args, lang: str) -> str:
    from par.read import sandbox
    from par.store.submit import prepare_all, submit

    sandbox.warm()  # the parser workers start while the files are read and checked in order
    files = []
    for name in args.files:
        try:
            files.append((name, Path(name).read_bytes()))
        except FileNotFoundError:
            raise ParError([Issue("file.not_found", file=name)]) from None
    store = open_store(args)
    actor = acting_user(args, store)  # who is acting, before anything is read or changed
    try:
        units = _reference_units(args, store, actor)
        sets = _criteria_sets(args, store, actor)
        print(t("cli.import_storing", lang, files=len(files)), file=sys.stderr, flush=True)
        prepared = prepare_all(files, sets, units, actor=actor,
                               criteria_id=sets[0].id if args.criteria else None)
    except ParError as exc:
        store.record_refusal(actor, "import", exc.issues, file=", ".join(args.files)[:500])
        raise
    done = submit(store, prepared, actor=actor)
    lines = []
    for prepared, ids in done:
        for w in prepared.warnings:
            print(w.render(lang), file=sys.stderr)
        listed = [f"#{i} ({g.unit} {g.period} {g.stage})" for i, g in zip(ids, prepared.groups)]
        if len(listed) > 6:
            listed = listed[:3] + [t("cli.and_more", lang, count=len(listed) - 4)] + listed[-1:]
        lines.append(t("cli.imported", lang, file=prepared.name, rows=prepared.row_count,
                       submissions=", ".join(listed)))
    if args.format == "json":
        return json.dumps([{"file": p.name, "rows": p.row_count, "submissions": ids}
                           for p, ids in done], ensure_ascii=False)
    return "\n".join(lines)


def cmd_history(args, lang: str) -> str:
    store = open_store(args)
    frame = store.history(args.unit, args.period)
    if args.format == "json":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False)
    if frame.empty:
        return t("cli.no_history", lang)
    cols = ["id", "unit", "period", "stage", "status", "row_count", "user", "created_at",
            "source_name"]
    head = [t(f"hist.{c}", lang) for c in cols]
    rows = [[("#" + str(v)) if c == "id" else str(v)[:19] if c == "created_at" else str(v)
             for c, v in zip(cols, r)] for r in frame[cols].itertuples(index=False)]
    return text_table(head, rows, right={0, 5})


def cmd_rollback(args, lang: str) -> str:
    store = open_store(args)
    replaced = store.rollback(args.submission, actor=acting_user(args, store))
    return t("cli.rolled_back", lang, id=args.submission,
             replaced="#" + str(replaced) if replaced else "–")


def cmd_prune(args, lang: str) -> str:
    if not args.older_than >= 0:
        raise ParError([Issue("cli.bad_days", {"value": args.older_than})])
    store = open_store(args)
    count = store.prune(args.older_than, actor=acting_user(args, store))
    return t("cli.pruned", lang, count=count, days=f"{args.older_than:g}")


COMMANDS = {"template": cmd_template, "import": cmd_import, "history": cmd_history,
            "rollback": cmd_rollback, "prune": cmd_prune}
