"""`python -m par criteria list|add|activate|copy|get`: the criteria sets stored in the
database (par.store.library), the office's from the command line as from the dashboard.

    python -m par criteria list [--format json]
    python -m par criteria add SET.yaml|SET.xlsx [--activate] [--user NAME]
    python -m par criteria activate ID [--version SHA] [--user NAME]
    python -m par criteria copy ID --year 2026 [--id NEW_ID] [--user NAME]
    python -m par criteria get ID [--version SHA] -o SET.yaml|SET.xlsx

Adding, activating and copying are an admin's (authorised and audited in the store; a
refusal is audited too); a file with any problem stores nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

from par.cli.common import database_option, open_store, output_options
from par.domain.issues import Issue, ParError
from par.i18n import t
from par.i18n.formatting import fmt_time, text_table

ACTIONS = ("list", "add", "activate", "copy", "get")


def add_stored_commands(actions) -> None:
    ls = actions.add_parser("list", help="the criteria sets stored in the database")
    a = actions.add_parser("add", help="store a criteria set (YAML or workbook) as a draft")
    a.add_argument("source", metavar="SET")
    a.add_argument("--activate", action="store_true",
                   help="make it the set its level and year are scored with")
    v = actions.add_parser("activate", help="make a stored set the active one of its year")
    v.add_argument("set_id", metavar="ID")
    c = actions.add_parser("copy", help="a stored set as the draft of another year")
    c.add_argument("set_id", metavar="ID")
    c.add_argument("--year", type=int, required=True)
    c.add_argument("--id", dest="new_id", default=None, help="default: the id with the year changed")
    g = actions.add_parser("get", help="write a stored set to a YAML or workbook file")
    g.add_argument("set_id", metavar="ID")
    g.add_argument("-o", "--output", required=True, metavar="SET.yaml|SET.xlsx")
    for p in (v, c, g):
        p.add_argument("--version", default=None, metavar="SHA",
                       help="the version's SHA-256 or its first characters (default: the "
                            "active one, else the latest)")
    for p in (a, v, c):
        p.add_argument("--user", default=None, help="who is acting (default $PAR_USER)")
    for p in (ls, a, v, c, g):
        database_option(p)
        output_options(p)


def cmd_stored(args, lang: str) -> str:
    return {"list": _list, "add": _add, "activate": _activate, "copy": _copy,
            "get": _get}[args.criteria_action](args, lang)


def _acting(args, store, action):
    """Who acts; a refusal is audited before it is raised."""
    from par.cli.data import acting_user
    from par.domain.auth import authorize

    actor = acting_user(args, store)
    try:
        authorize(actor, "criteria")
    except ParError as exc:
        store.record_refusal(actor, action, exc.issues)
        raise
    return actor


def _list(args, lang: str) -> str:
    from par.store.library import list_sets

    frame = list_sets(open_store(args))
    if args.format == "json":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False)
    if frame.empty:
        return t("library.none", lang)
    headers = [t(f"library.col.{c}", lang) for c in
               ("year", "level", "id", "status", "registered_at", "added_by", "version")]
    rows = [[str(r.year), r.level, r.id, t(f"library.status.{r.status}", lang),
             fmt_time(r.registered_at, lang), r.added_by or "–", r.sha256[:12]]
            for r in frame.itertuples()]
    return text_table(headers, rows)


def _add(args, lang: str) -> str:
    from par.read.criteria_upload import read_criteria_upload
    from par.store.library import add_set

    store = open_store(args)
    actor = _acting(args, store, "criteria_add")
    try:
        data = Path(args.source).read_bytes()
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=args.source)]) from None
    criteria, issues = read_criteria_upload(data, args.source)
    if criteria is None:
        raise ParError(issues)
    status = add_set(store, criteria, actor=actor, source_name=Path(args.source).name,
                     activate=args.activate)
    return _done(args, lang, criteria, status)


def _activate(args, lang: str) -> str:
    from par.store.library import activate

    store = open_store(args)
    criteria = activate(store, args.set_id, args.version,
                        actor=_acting(args, store, "criteria_activate"))
    return _done(args, lang, criteria, "active")


def _copy(args, lang: str) -> str:
    from par.store.library import add_set, copy_for_year, get_set

    store = open_store(args)
    actor = _acting(args, store, "criteria_add")
    source = get_set(store, args.set_id, args.version)
    draft = copy_for_year(source, args.year, args.new_id)
    status = add_set(store, draft, actor=actor, source_name=f"{source.id}.yaml")
    return _done(args, lang, draft, status)


def _get(args, lang: str) -> str:
    from par.read.criteria_book import write_criteria_book
    from par.store.library import get_set

    criteria = get_set(open_store(args), args.set_id, args.version)
    if Path(args.output).suffix.lower() == ".xlsx":
        Path(args.output).write_bytes(write_criteria_book(criteria, lang))
    else:
        Path(args.output).write_text(criteria.yaml_text, encoding="utf-8")
    return _done(args, lang, criteria, None, output=args.output)


def _done(args, lang: str, criteria, status: str | None, output: str | None = None) -> str:
    if args.format == "json":
        return json.dumps({"id": criteria.id, "sha256": criteria.sha256, "year": criteria.year,
                           "level": criteria.level, "status": status, "output": output},
                          ensure_ascii=False)
    what = f"{criteria.id} ({criteria.year}, {criteria.level}) {criteria.sha256[:12]}"
    if output:
        return f"{output}: {what}"
    return f"{what}: {t(f'library.status.{status}', lang)}"
