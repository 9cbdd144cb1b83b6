"""What every command shares: the parser class, the common options (defined once here),
loading criteria, units and rows from them, and finding a unit by id or name."""
from __future__ import annotations

import argparse
import sys

from par.domain.issues import Issue, ParError, errors_only
from par.domain.periods import parse_period
from par.engine.criteria import load_criteria
from par.engine.scoring import Scorecard, score
from par.i18n import resolve_lang, t
from par.read.inputs import check_inputs, read_inputs
from par.read.units import read_units

DEFAULT_UNITS = "data/units.csv"


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors say so in the user's language and exit 2."""

    def error(self, message: str):
        lang = resolve_lang(None)
        self.print_usage(sys.stderr)
        print(t("cli.usage_error", lang, detail=message), file=sys.stderr)
        raise SystemExit(2)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--top -1`` is a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("vi", "en"), default=None,
                   help="message language (default vi, or $PAR_LANG)")


def database_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", metavar="URL",
                   help="database URL (default $PAR_DATABASE_URL, else the sample's data/par.db)")


def units_option(p: argparse.ArgumentParser, help: str = "units table (CSV or XLSX)") -> None:
    p.add_argument("--units", default=DEFAULT_UNITS, metavar="FILE",
                   help=f"{help} (default {DEFAULT_UNITS})")


def scoring_options(p: argparse.ArgumentParser) -> None:
    """--criteria, --units, --inputs | --db, --database, --as-of, --format, --lang."""
    p.add_argument("--criteria", required=True, metavar="FILE|ID",
                   help="criteria set YAML (with --db also the id of a stored set)")
    p.add_argument("--units", default=None, metavar="FILE",
                   help=f"units table (CSV or XLSX; default {DEFAULT_UNITS}, or with --db the "
                        "database's units)")
    p.add_argument("--inputs", nargs="+", metavar="FILE", help="tidy input tables (CSV or XLSX)")
    p.add_argument("--db", action="store_true",
                   help="score the current submissions in the database instead of --inputs")
    database_option(p)
    p.add_argument("--as-of", metavar="PERIOD",
                   help="YYYY or YYYY-Q1..Q4 (default: the criteria set's whole year)")
    output_options(p)


def warn(issues: list[Issue], lang: str) -> None:
    for issue in issues:
        if issue.severity == "warning":
            print(issue.render(lang), file=sys.stderr)


def scorecard_from_args(args, lang: str) -> Scorecard:
    """The Scorecard the common options (--criteria, --units, --inputs|--db, --as-of) ask for."""
    return score(*load_from_args(args, lang))


def load_from_args(args, lang: str):
    """(criteria, units, rows, as_of) from the common options; warnings go to stderr.
    With --db, --criteria may also name a set stored in the database (its id)."""
    store = open_store(args) if args.db else None
    criteria = _criteria_of(args.criteria, store)
    if args.units or store is None:
        units = read_units(args.units or DEFAULT_UNITS)
    else:  # the database's own units: a province's, not the sample file's
        units = store.units()
        if units.empty:
            raise ParError([Issue("cli.no_units", {})])
    as_of = None
    if args.as_of:
        as_of = parse_period(args.as_of)
        if as_of is None:
            raise ParError([Issue("cli.bad_as_of", {"value": args.as_of})])
        if as_of.year != criteria.year:
            warn([Issue("cli.as_of_other_year", {"as_of": str(as_of), "year": criteria.year,
                                                  "id": criteria.id}, severity="warning")], lang)
    if args.db:
        from par.store.rows import load_rows

        year = (as_of or criteria).year
        if year == criteria.year:
            rows, issues = load_rows(store, criteria, units)
        else:  # rows of another year than the set's: checked from their text like a file
            rows, issues = check_inputs([store.current_table(criteria.level, year)], criteria,
                                        units)
        if errors_only(issues):
            raise ParError(issues)
    elif args.inputs:
        rows, issues = read_inputs(args.inputs, criteria, units)
    else:
        raise ParError([Issue("cli.no_inputs")])
    warn(issues, lang)
    return criteria, units, rows, as_of


def published_from_args(args, lang: str):
    """(Scorecard, publication meta) of the frozen result (WORKFLOW §3) of --criteria (a
    stored set's id or a file) for --as-of (default: its latest publication of any period).
    No publication is a refusal with a message, never a live score in its place."""
    from par.store.publication import require_published

    store = open_store(args)
    criteria = _criteria_of(args.criteria, store)
    period = None
    if args.as_of:
        period = parse_period(args.as_of)
        if period is None:
            raise ParError([Issue("cli.bad_as_of", {"value": args.as_of})])
    return require_published(store, criteria, str(period) if period else None)


def _criteria_of(key: str, store):
    """A criteria file; with a database, a stored set's id when no such file exists."""
    from pathlib import Path

    if store is not None and not Path(key).exists() and not key.lower().endswith(
            (".yaml", ".yml")):
        from par.store.library import get_set

        return get_set(store, key)
    return load_criteria(key)


def find_unit(card: Scorecard, key: str) -> str:
    if key in card.units.index:
        return key
    by_name = card.units.index[card.units["name"] == key.strip()]
    if len(by_name):
        return by_name[0]
    raise ParError([Issue("cli.unknown_unit", {"unit": key, "level": card.criteria.level})])


def short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def open_store(args):
    """The database of --database (else the configured one). Opening it changes nothing:
    reference data (units) is loaded only by an admin, explicitly (see par.cli.data)."""
    from par.store.storage import Store  # the database only for commands that use it

    return Store(getattr(args, "database", None))
