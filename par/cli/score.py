"""The contract's commands (CONTRACT §5): score, lagging, weakest, check."""
from __future__ import annotations

import json

import pandas as pd

from par.analysis.lagging import get_lagging, get_weakest
from par.cli.common import (
    find_unit,
    output_options,
    positive_int,
    published_from_args,
    scorecard_from_args,
    scoring_options,
    short,
    warn,
)
from par.domain.issues import Issue, ParError
from par.engine.criteria import check_criteria
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_rank, fmt_time, text_table


def add_commands(sub) -> None:
    p = sub.add_parser("score", help="score and rank the units")
    scoring_options(p)
    p.add_argument("--published", action="store_true",
                   help="the frozen result of the set's latest publication (for --as-of's "
                        "period), as published, whatever rows changed since (with --db)")
    p = sub.add_parser("lagging", help="a unit's lagging criteria")
    scoring_options(p)
    p.add_argument("--unit", required=True, metavar="ID")
    p.add_argument("--domains", action="store_true", help="compare domains instead of leaves")
    p.add_argument("--by-group", action="store_true", help="compare with the unit's group")
    p = sub.add_parser("weakest", help="province-wide weakest (or strongest) criteria")
    scoring_options(p)
    p.add_argument("--strongest", action="store_true")
    p.add_argument("--top", type=positive_int, default=10)
    p = sub.add_parser("check", help="validate criteria files")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--criteria", dest="more", action="append", default=[], metavar="FILE")
    output_options(p)


def cmd_score(args, lang: str) -> str:
    if args.published:
        card, meta = published_from_args(args, lang)
    else:
        card, meta = scorecard_from_args(args, lang), None
    if args.format == "json":
        return card.to_json()
    head = [t(k, lang) for k in ("col.rank", "col.unit", "col.group", "col.score", "col.max",
                                 "col.index", "col.band", "col.provisional")]
    u = card.units
    columns = zip(u["rank"], u["of"], u["name"], u["group"], u["score"], u["max"], u["index"],
                  u["band"], u["provisional"])
    rows = [[fmt_rank(rank, of), str(name), "" if pd.isna(group) else group,
             fmt_number(score, lang), fmt_number(max_, lang), fmt_number(index, lang),
             "" if pd.isna(band) else card.criteria.grade_label(str(band), lang),
             t("word.yes", lang) if provisional else ""]
            for rank, of, name, group, score, max_, index, band, provisional in columns]
    title = t("cli.score_title", lang, title=card.criteria.display_title(lang), as_of=card.as_of)
    if meta is not None:
        title += "\n" + t("cli.published_label", lang, id=meta["id"], round=meta["round_id"],
                          at=fmt_time(meta["published_at"], lang), by=meta["published_by"])
    return title + "\n\n" + text_table(head, rows, right={0, 3, 4, 5})


def cmd_lagging(args, lang: str) -> str:
    card = scorecard_from_args(args, lang)
    unit = find_unit(card, args.unit)
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
    rows = [[r.criterion, short(r.name), fmt_number(r.score, lang), fmt_number(r.max, lang),
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
    rows = [[r.criterion, short(r.name), fmt_number(r.mean_attainment, lang) + "%",
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
        warn(issues, lang)
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


COMMANDS = {"score": cmd_score, "lagging": cmd_lagging, "weakest": cmd_weakest,
            "check": cmd_check}
