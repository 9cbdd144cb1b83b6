"""`python -m par`: the engine without the dashboard (CONTRACT §5).

Each command parses its arguments, calls the library and prints; a ParError
becomes one stderr line per problem and exit code 2. Nothing is written
anywhere when there is an error.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from par.analysis import get_lagging, get_weakest
from par.criteria import check_criteria, load_criteria
from par.formatting import fmt_number, fmt_rank, text_table
from par.inputs import read_inputs
from par.issues import Issue, ParError, errors_only
from par.messages import resolve_lang, t
from par.periods import parse_period
from par.scoring import Scorecard, score
from par.units import read_units

DEFAULT_UNITS = "data/units.csv"


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors say so in the user's language and exit 2."""

    def error(self, message: str):
        lang = resolve_lang(None)
        self.print_usage(sys.stderr)
        print(t("cli.usage_error", lang, detail=message), file=sys.stderr)
        raise SystemExit(2)


def _common(p: argparse.ArgumentParser, inputs: bool = True) -> None:
    p.add_argument("--criteria", required=True, metavar="FILE", help="criteria set YAML")
    if inputs:
        p.add_argument("--units", default=DEFAULT_UNITS, metavar="FILE",
                       help=f"units table (CSV or XLSX; default {DEFAULT_UNITS})")
        p.add_argument("--inputs", nargs="+", metavar="FILE",
                       help="tidy input tables (CSV or XLSX)")
        p.add_argument("--db", action="store_true",
                       help="score the current submissions in the database instead of --inputs")
        p.add_argument("--database", metavar="URL",
                       help="database URL (default $PAR_DATABASE_URL or sqlite:///data/par.db)")
        p.add_argument("--as-of", metavar="PERIOD",
                       help="YYYY or YYYY-Q1..Q4 (default: the criteria set's whole year)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("vi", "en"), default=None,
                   help="message language (default vi, or $PAR_LANG)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m par", description="PAR index scoring (par).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("score", help="score and rank the units")
    _common(p)
    p = sub.add_parser("lagging", help="a unit's lagging criteria")
    _common(p)
    p.add_argument("--unit", required=True, metavar="ID")
    p.add_argument("--domains", action="store_true", help="compare domains instead of leaves")
    p.add_argument("--by-group", action="store_true", help="compare with the unit's group")
    p = sub.add_parser("weakest", help="province-wide weakest (or strongest) criteria")
    _common(p)
    p.add_argument("--strongest", action="store_true")
    p.add_argument("--top", type=int, default=10)
    p = sub.add_parser("check", help="validate criteria files")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--criteria", dest="more", action="append", default=[], metavar="FILE")
    p.add_argument("--lang", choices=("vi", "en"), default=None)
    p.add_argument("--format", choices=("table", "json"), default="table")
    for module in _command_modules():
        module.add_commands(sub, _common)
    return parser


def _command_modules():
    """Modules that add commands: each has add_commands(sub, common) and COMMANDS."""
    import importlib
    import importlib.util

    names = ["par.cli_data", "par.cli_users", "par.cli_decide", "par.cli_export"]
    return [importlib.import_module(n) for n in names if importlib.util.find_spec(n)]


def _warn(issues: list[Issue], lang: str) -> None:
    for issue in issues:
        if issue.severity == "warning":
            print(issue.render(lang), file=sys.stderr)


def scorecard_from_args(args, lang: str) -> Scorecard:
    """The Scorecard the common options (--criteria, --units, --inputs|--db, --as-of) ask for."""
    return score(*load_from_args(args, lang))


def load_from_args(args, lang: str):
    """(criteria, units, rows, as_of) from the common options; warnings go to stderr."""
    criteria = load_criteria(args.criteria)
    units = read_units(args.units)
    as_of = None
    if args.as_of:
        as_of = parse_period(args.as_of)
        if as_of is None:
            raise ParError([Issue("cli.bad_as_of", {"value": args.as_of})])
        if as_of.year != criteria.year:
            _warn([Issue("cli.as_of_other_year", {"as_of": str(as_of), "year": criteria.year,
                                                  "id": criteria.id}, severity="warning")], lang)
    if args.db:
        from par.cli_data import open_store
        from par.inputs import check_inputs

        store = open_store(args, units)
        rows, issues = check_inputs([store.current_table(criteria.level, (as_of or criteria).year)],
                                    criteria, units)
        if errors_only(issues):
            raise ParError(issues)
    elif args.inputs:
        rows, issues = read_inputs(args.inputs, criteria, units)
    else:
        raise ParError([Issue("cli.no_inputs")])
    _warn(issues, lang)
    return criteria, units, rows, as_of


def cmd_score(args, lang: str) -> str:
    card = scorecard_from_args(args, lang)
    if args.format == "json":
        return json.dumps(card.to_records(), ensure_ascii=False, indent=2)
    head = [t(k, lang) for k in ("col.rank", "col.unit", "col.group", "col.score", "col.max",
                                 "col.index", "col.band", "col.provisional")]
    rows = [[fmt_rank(u["rank"], u["of"]), str(u["name"]), "" if pd.isna(u["group"]) else u["group"],
             fmt_number(u["score"], lang), fmt_number(u["max"], lang),
             fmt_number(u["index"], lang),
             "" if pd.isna(u["band"]) else card.criteria.grade_label(str(u["band"]), lang),
             t("word.yes", lang) if u["provisional"] else ""]
            for _, u in card.units.iterrows()]
    title = t("cli.score_title", lang, title=card.criteria.display_title(lang), as_of=card.as_of)
    return title + "\n\n" + text_table(head, rows, right={0, 3, 4, 5})


def cmd_lagging(args, lang: str) -> str:
    card = scorecard_from_args(args, lang)
    unit = _find_unit(card, args.unit)
    table = get_lagging(card, unit, by_group=args.by_group, domains=args.domains)
    if args.format == "json":
        records = [{k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()
                    if k != "gap"} for r in table.to_dict("records")]
        return json.dumps(records, ensure_ascii=False, indent=2)
    u = card.units.loc[unit]
    title = t("cli.lagging_title", lang, unit=u["name"], rank=fmt_rank(u["rank"], u["of"]),
              index=fmt_number(u["index"], lang), as_of=card.as_of)
    if table.empty:
        return title + "\n\n" + t("cli.no_lagging", lang)
    head = [t(k, lang) for k in ("col.code", "col.criterion", "col.score", "col.max",
                                 "col.points_lost", "col.mean", "col.best")]
    rows = [[r.criterion, _short(r.name), fmt_number(r.score, lang), fmt_number(r.max, lang),
             fmt_number(r.points_lost, lang), fmt_number(r.mean, lang), fmt_number(r.best, lang)]
            for r in table.itertuples()]
    return title + "\n\n" + text_table(head, rows, right={2, 3, 4, 5, 6})


def cmd_weakest(args, lang: str) -> str:
    card = scorecard_from_args(args, lang)
    table = get_weakest(card, strongest=args.strongest).head(args.top)
    if args.format == "json":
        return table.to_json(orient="records", force_ascii=False, indent=2)
    head = [t(k, lang) for k in ("col.code", "col.criterion", "col.attainment", "col.mean",
                                 "col.max")]
    rows = [[r.criterion, _short(r.name), fmt_number(r.mean_attainment, lang) + "%",
             fmt_number(r.mean, lang), fmt_number(r.max, lang)] for r in table.itertuples()]
    return text_table(head, rows, right={2, 3, 4})


def cmd_check(args, lang: str) -> str:
    files = list(args.files) + list(args.more)
    if not files:
        raise ParError([Issue("cli.check_no_files")])
    problems, report = [], []
    for path in files:
        criteria, issues = check_criteria(path)
        problems.extend(i for i in issues if i.severity == "error")
        _warn(issues, lang)
        if criteria is not None:
            types: dict[str, int] = {}
            for leaf in criteria.leaves:
                types[leaf.rule.type] = types.get(leaf.rule.type, 0) + 1
            report.append({"file": str(path), "id": criteria.id, "title": criteria.title,
                           "year": criteria.year, "level": criteria.level,
                           "domains": sum(d.kind == "regular" for d in criteria.domains),
                           "leaves": len(criteria.leaves),
                           "regular_max": criteria.regular_max, "rule_types": types,
                           "sha256": criteria.sha256})
    if problems:
        raise ParError(problems)
    if args.format == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    return "\n".join(t("cli.check_ok", lang, file=r["file"], id=r["id"], domains=r["domains"],
                       leaves=r["leaves"], max=fmt_number(r["regular_max"], lang),
                       types=", ".join(f"{k} {v}" for k, v in sorted(r["rule_types"].items())))
                     for r in report)


def _find_unit(card: Scorecard, key: str) -> str:
    if key in card.units.index:
        return key
    by_name = card.units.index[card.units["name"] == key.strip()]
    if len(by_name):
        return by_name[0]
    raise ParError([Issue("cli.unknown_unit", {"unit": key, "level": card.criteria.level})])


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


COMMANDS = {"score": cmd_score, "lagging": cmd_lagging, "weakest": cmd_weakest,
            "check": cmd_check}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = resolve_lang(args.lang)
    try:
        commands = dict(COMMANDS)
        for module in _command_modules():
            commands.update(module.COMMANDS)
        output = commands[args.command](args, lang)
    except ParError as exc:
        for issue in exc.issues:
            print(issue.render(lang), file=sys.stderr)
        return 2
    except OSError as exc:
        print(Issue("file.unreadable", {"detail": exc.strerror or str(exc)},
                    file=getattr(exc, "filename", None)).render(lang), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not a user mistake: still no traceback, still exit 2
        print(t("cli.internal_error", lang, detail=f"{type(exc).__name__}: {exc}"),
              file=sys.stderr)
        if Path(".par-debug").exists():
            raise
        return 2
    if output:
        print(output)
    return 0
