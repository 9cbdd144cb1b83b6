"""`python -m par criteria export|import|diff`: a criteria set as a workbook laid out like a
published annex (par.read.criteria_book), and what changed between two sets (par.engine.diff).

    python -m par criteria export SET.yaml -o SET.xlsx [--lang en]
    python -m par criteria import SET.xlsx -o SET.yaml     (without -o: the YAML on stdout)
    python -m par criteria diff A B [--format json]        (each a .yaml or a .xlsx)
    python -m par criteria list|add|activate|copy|get      (stored sets: par.cli.sets)

Nothing is written when the source has a problem: every problem is listed, with its sheet
and cell for a workbook, its line and node code for a YAML file.
"""
from __future__ import annotations

import json
from pathlib import Path

from par.cli.common import output_options, warn
from par.cli.sets import ACTIONS as STORED_ACTIONS
from par.cli.sets import add_stored_commands, cmd_stored
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.engine.criteria import load_criteria
from par.engine.diff import diff_sets
from par.read.criteria_book import (
    load_criteria_book,
    read_criteria_book,
    write_criteria_book,
)
from par.read.diff_words import diff_text

YAML_SUFFIXES = (".yaml", ".yml")


def add_commands(sub) -> None:
    p = sub.add_parser("criteria", help="criteria sets: as workbooks, their differences, and "
                                        "those stored in the database: criteria export|import|"
                                        "diff|list|add|activate|copy|get")
    actions = p.add_subparsers(dest="criteria_action", required=True)
    e = actions.add_parser("export", help="a criteria set (YAML) as a workbook like an annex")
    e.add_argument("source", metavar="SET.yaml")
    e.add_argument("-o", "--output", required=True, metavar="SET.xlsx")
    output_options(e)
    i = actions.add_parser("import", help="a criteria workbook to a checked YAML file")
    i.add_argument("source", metavar="SET.xlsx")
    i.add_argument("-o", "--output", metavar="SET.yaml", help="default: print the YAML")
    output_options(i)
    d = actions.add_parser("diff", help="what changed from criteria set A to B")
    d.add_argument("a", metavar="A")
    d.add_argument("b", metavar="B")
    output_options(d)
    add_stored_commands(actions)


def load_any(path: str) -> CriteriaSet:
    """A criteria set from a YAML file or a criteria workbook."""
    suffix = Path(path).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return load_criteria(path)
    if suffix == ".xlsx":
        return load_criteria_book(path)[0]
    raise ParError([Issue("criteriabook.bad_type", {"suffix": suffix or "?"}, file=path)])


def cmd_criteria(args, lang: str) -> str:
    if args.criteria_action in STORED_ACTIONS:
        return cmd_stored(args, lang)
    return {"export": _export, "import": _import, "diff": _diff}[args.criteria_action](args, lang)


def _export(args, lang: str) -> str:
    criteria = load_criteria(args.source)
    data = write_criteria_book(criteria, lang)
    Path(args.output).write_bytes(data)
    return f"{args.output}: {criteria.id} ({len(criteria.nodes)} / {len(criteria.leaves)})"


def _import(args, lang: str) -> str:
    try:
        data = Path(args.source).read_bytes()
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=args.source)]) from None
    criteria, text, issues = read_criteria_book(data, args.source)
    if criteria is None:
        raise ParError(issues)
    warn(issues, lang)
    if not args.output:
        return text.rstrip("\n")
    Path(args.output).write_text(text, encoding="utf-8")
    return f"{args.output}: {criteria.id} ({len(criteria.nodes)} / {len(criteria.leaves)})"


def _diff(args, lang: str) -> str:
    diff = diff_sets(load_any(args.a), load_any(args.b))
    if args.format == "json":
        return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2)
    return diff_text(diff, lang)


COMMANDS = {"criteria": cmd_criteria}
