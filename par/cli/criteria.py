"""`python -m par criteria export|import|diff`: a criteria set as a workbook laid out like a
published annex (par.read.criteria_book), and what changed between two sets (par.engine.diff).

    python -m par criteria export SET.yaml -o SET.xlsx [--lang en]
    python -m par criteria import SET.xlsx -o SET.yaml     (without -o: the YAML on stdout)
    python -m par criteria diff A B [--format json]        (each a .yaml or a .xlsx)

Nothing is written when the source has a problem: every problem is listed, with its sheet
and cell for a workbook, its line and node code for a YAML file.
"""
from __future__ import annotations

import json
from pathlib import Path

from par.cli.common import output_options, warn
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet
from par.engine.criteria import load_criteria
from par.engine.diff import SetDiff, diff_sets
from par.i18n import t
from par.read.criteria_book import (
    bands_text,
    load_criteria_book,
    number_text,
    read_criteria_book,
    write_criteria_book,
)

YAML_SUFFIXES = (".yaml", ".yml")


def add_commands(sub) -> None:
    p = sub.add_parser("criteria", help="criteria sets as workbooks, and their differences: "
                                        "criteria export|import|diff")
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


def load_any(path: str) -> CriteriaSet:
    """A criteria set from a YAML file or a criteria workbook."""
    suffix = Path(path).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return load_criteria(path)
    if suffix == ".xlsx":
        return load_criteria_book(path)[0]
    raise ParError([Issue("criteriabook.bad_type", {"suffix": suffix or "?"}, file=path)])


def cmd_criteria(args, lang: str) -> str:
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


def _value(value, field: str | None, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return t("criteriabook.word.yes", lang) if value else t("criteriabook.word.no", lang)
    if isinstance(value, (int, float)):
        return number_text(value, lang)
    if field == "bands" and isinstance(value, list):
        from par.domain.models import Band

        if value and "points" in value[0]:
            return bands_text([Band(b.get("min", b.get("above")), "above" in b,
                                    points=b["points"]) for b in value], lang)
        return "; ".join(f"{b.get('label')} {'>' if 'above' in b else '≥'} "
                         f"{number_text(b.get('min', b.get('above')), lang)}" for b in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v, None, lang)}" for k, v in value.items())
    return str(value)


def diff_text(diff: SetDiff, lang: str) -> str:
    """Every change on its own line, under a title counting them."""
    if diff.empty:
        return t("criteriabook.diff.none", lang, a=diff.a_id, b=diff.b_id)
    lines = [t("criteriabook.diff.title", lang, a=diff.a_id, b=diff.b_id,
               count=len(diff.changes))]
    for c in diff.changes:
        old, new = _value(c.old, c.field, lang), _value(c.new, c.field, lang)
        if c.kind == "moved":
            top = t("criteriabook.diff.top", lang)
            old, new = c.old or top, c.new or top
        if c.kind == "recoded":
            old, new = c.old, c.new
        if c.kind == "renamed":
            old, new = c.old, c.new
        lines.append(t(f"criteriabook.diff.{c.kind}", lang, code=c.code or "", name=c.name or "",
                       field=c.field or "", old=old, new=new))
    return "\n".join(lines)


COMMANDS = {"criteria": cmd_criteria}
