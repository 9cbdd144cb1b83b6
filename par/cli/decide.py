"""Decision-support commands: target, margin, uncertainty, project.

Each parses its options, calls one library function (par.decide.target, par.decide.uncertainty,
par.decide.projection) and prints a table or JSON; errors are ParErrors (exit 2 in par.cli.main).
"""
from __future__ import annotations

import json

import pandas as pd

from par.cli.common import scoring_options
from par.domain.issues import Issue, ParError
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_rank, text_table


def add_commands(sub) -> None:
    p = sub.add_parser("target", help="the fewest points a unit needs to reach a target rank")
    scoring_options(p)
    p.add_argument("--unit", required=True, metavar="ID")
    p.add_argument("--rank", required=True, type=int, metavar="N")
    p = sub.add_parser("margin", help="how far a unit is ahead of the next unit below")
    scoring_options(p)
    p.add_argument("--unit", required=True, metavar="ID")
    p = sub.add_parser("uncertainty", help="rank intervals under perturbed weights and self-scores")
    scoring_options(p)
    p.add_argument("--runs", type=int, default=1000, metavar="N")
    p.add_argument("--spread", type=float, default=0.2, metavar="S",
                   help="domain weights vary by ±S (default 0.2)")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.add_argument("--no-shrink", action="store_true",
                   help="do not shrink provisional self-scores toward the appraisal adjustment")
    p.add_argument("--surveys", action="store_true",
                   help="with --db: add the survey answers' sampling error (bootstrap over "
                        "respondents of the latest survey period in the window)")
    p = sub.add_parser("project", help="projected year-end index and rank")
    scoring_options(p)


def _load(args, lang: str):
    from par.cli.common import load_from_args

    return load_from_args(args, lang)


def _card(args, lang: str):
    from par.cli.common import find_unit, scorecard_from_args

    card = scorecard_from_args(args, lang)
    return card, find_unit(card, args.unit)


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 6)


def _int(x) -> int | None:
    return None if x is None or pd.isna(x) else int(x)


def cmd_target(args, lang: str) -> str:
    from par.decide.target import get_target_plan

    card, unit = _card(args, lang)
    plan = get_target_plan(card, unit, args.rank, lang)
    r = plan.ranking
    if args.format == "json":
        return json.dumps({
            "unit": unit, "current_rank": plan.current_rank, "target_rank": plan.target_rank,
            "of": plan.of, "reachable": plan.reachable, "points_needed": _num(plan.points_needed),
            "index_needed": _num(plan.index_needed), "threshold": _num(plan.threshold),
            "points_available": _num(plan.points_available), "best_rank": plan.best_rank,
            "new_index": _num(plan.new_index), "new_rank": plan.new_rank,
            "gains": [{k: (_num(v) if isinstance(v, float) else v) for k, v in g.items()}
                      for g in plan.gains.to_dict("records")],
            "ranking": [{"unit": i, "index": _num(x), "rank": _int(k)}
                        for i, x, k in zip(r.index, r["index"], r["rank"])],
        }, ensure_ascii=False, indent=2)
    u = card.units.loc[unit]
    lines = [t("decide.target_title", lang, unit=u["name"], rank=fmt_rank(u["rank"], u["of"]),
               index=fmt_number(u["index"], lang), target=fmt_rank(plan.target_rank, plan.of),
               as_of=card.as_of), ""]
    if plan.already:
        return "\n".join(lines + [t("decide.target_already", lang)])
    if plan.reachable:
        lines.append(t("decide.target_needed", lang, points=fmt_number(plan.points_needed, lang),
                       threshold=fmt_number(plan.threshold, lang)))
    else:
        lines.append(t("decide.target_unreachable", lang,
                       points=fmt_number(plan.points_needed, lang),
                       available=fmt_number(plan.points_available, lang),
                       best=fmt_rank(plan.best_rank, plan.of)))
    head = [t(k, lang) for k in ("col.code", "col.criterion", "decide.col_current",
                                 "decide.col_gain", "decide.col_new_points", "col.max",
                                 "col.points_lost", "decide.col_peer_mean")]
    rows = [[g.code, _short(g.name), fmt_number(g.current, lang), fmt_number(g.gain, lang),
             fmt_number(g.new_points, lang), fmt_number(g.max, lang),
             fmt_number(g.points_lost, lang), fmt_number(g.peer_mean, lang)]
            for g in plan.gains.itertuples()]
    lines += ["", text_table(head, rows, right={2, 3, 4, 5, 6, 7}), "",
              t("decide.target_result", lang, index=fmt_number(plan.new_index, lang),
                rank=fmt_rank(plan.new_rank, plan.of))]
    return "\n".join(lines)


def cmd_margin(args, lang: str) -> str:
    from par.decide.target import get_margins, get_target_plan

    card, unit = _card(args, lang)
    u = card.units.loc[unit]
    if pd.isna(u["index"]):
        raise ParError([Issue("decide.unranked_unit", {"unit": unit})])
    m = get_margins(card).loc[unit]
    up = get_target_plan(card, unit, int(u["rank"]) - 1, lang) if u["rank"] > 1 else None
    if args.format == "json":
        return json.dumps({
            "unit": unit, "rank": int(u["rank"]), "of": int(u["of"]), "index": _num(u["index"]),
            "next_unit": None if pd.isna(m["next_unit"]) else m["next_unit"], "next_rank": _int(m["next_rank"]),
            "index_margin": _num(m["index_margin"]), "points_margin": _num(m["points_margin"]),
            "points_to_move_up": None if up is None else _num(up.points_needed),
        }, ensure_ascii=False, indent=2)
    rank = fmt_rank(u["rank"], u["of"])
    if pd.isna(m["next_unit"]):
        lines = [t("decide.margin_last", lang, unit=u["name"], rank=rank)]
    else:
        below = card.units.loc[m["next_unit"]]
        lines = [t("decide.margin_ahead", lang, unit=u["name"], rank=rank,
                   next=below["name"], next_rank=fmt_rank(below["rank"], below["of"]),
                   index=fmt_number(m["index_margin"], lang),
                   points=fmt_number(m["points_margin"], lang))]
    if up is not None and not up.already:
        lines.append(t("decide.margin_up", lang, points=fmt_number(up.points_needed, lang),
                       rank=fmt_rank(up.target_rank, up.of)))
    return "\n".join(lines)


def cmd_uncertainty(args, lang: str) -> str:
    from par.decide.uncertainty import get_rank_intervals
    from par.engine.scoring import score

    if args.surveys and not args.db:  # before reading anything
        raise ParError([Issue("decide.surveys_need_db", {})])
    criteria, units, rows, as_of = _load(args, lang)
    card = score(criteria, units, rows, as_of)
    survey, period = _survey_replicates(args, criteria, units, rows, card)
    table = get_rank_intervals(card, runs=args.runs, weight_spread=args.spread,
                               shrink=not args.no_shrink, seed=args.seed, rows=rows,
                               survey=survey)
    table.attrs["survey_period"] = period
    adj = table.attrs["adjustment"]
    if args.format == "json":
        return json.dumps([{"unit": i, "name": r["name"], "rank": _int(r["rank"]),
                            "of": _int(r["of"]), "median_rank": _int(r["median_rank"]),
                            "p05": _int(r["p05"]), "p95": _int(r["p95"]), "label": r["label"]}
                           for i, r in table.iterrows()], ensure_ascii=False, indent=2)
    lines = [t("decide.uncertainty_title", lang, title=criteria.display_title(lang),
               as_of=card.as_of, runs=args.runs, spread=fmt_number(100 * args.spread, lang, 0),
               seed=args.seed)]
    if adj is not None:
        lines.append(t("decide.uncertainty_shrink", lang, mean=fmt_number(adj.mean, lang, 3),
                       sd=fmt_number(adj.sd, lang, 3), units=adj.units))
    elif not args.no_shrink:
        lines.append(t("decide.uncertainty_no_shrink", lang))
    if args.surveys:
        from par.present.surveys import survey_sentence

        lines.append(survey_sentence(table, criteria, lang, "decide.uncertainty_survey",
                                     "decide.uncertainty_survey_none"))
    head = [t(k, lang) for k in ("col.rank", "col.unit", "col.index", "decide.col_interval",
                                 "decide.col_median")]
    index = card.units["index"]
    rows_out = [[fmt_rank(r["rank"], r["of"]), str(r["name"]), fmt_number(index[i], lang),
                 r["label"], "–" if pd.isna(r["median_rank"]) else str(int(r["median_rank"]))]
                for i, r in table.iterrows()]
    return "\n".join(lines) + "\n\n" + text_table(head, rows_out, right={0, 2, 4})


def _survey_replicates(args, criteria, units, rows, card):
    """(the survey answers' replicates, their period) for --surveys, else (None, None)."""
    if not args.surveys:
        return None, None
    from par.cli.common import open_store
    from par.decide.survey_bootstrap import survey_replicates
    from par.store.surveys import answers_as_of

    found = answers_as_of(open_store(args), criteria, card.as_of)
    if found is None:
        return None, None
    period, answers = found
    return survey_replicates(criteria, units, rows, answers, period, seed=args.seed,
                             as_of=card.as_of), period


def cmd_project(args, lang: str) -> str:
    from par.analysis.trends import trend_periods
    from par.decide.projection import get_projection

    criteria, units, rows, as_of = _load(args, lang)
    if as_of is None:
        periods = trend_periods(criteria, rows)
        if not periods:
            raise ParError([Issue("decide.no_periods", {"year": criteria.year})])
        as_of = periods[-1]
    table = get_projection(criteria, units, rows, as_of)
    if args.format == "json":
        return json.dumps([{"unit": i, "name": r["name"], "index": _num(r["index"]),
                            "rank": _int(r["rank"]), "projected_index": _num(r["projected_index"]),
                            "projected_rank": _int(r["projected_rank"]), "of": _int(r["of"]),
                            "risk": int(r["risk"])} for i, r in table.iterrows()],
                          ensure_ascii=False, indent=2)
    head = [t(k, lang) for k in ("col.unit", "decide.col_ytd_index", "decide.col_ytd_rank",
                                 "decide.col_projected_index", "decide.col_projected_rank",
                                 "decide.col_risk")]
    rows_out = [[str(r["name"]), fmt_number(r["index"], lang), fmt_rank(r["rank"], r["of"]),
                 fmt_number(r["projected_index"], lang),
                 fmt_rank(r["projected_rank"], r["of"]), str(int(r["risk"]))]
                for _, r in table.iterrows()]
    title = t("decide.projection_title", lang, title=criteria.display_title(lang), as_of=as_of,
              year=criteria.year)
    return "\n".join([title, t("decide.projection_method", lang), "",
                      text_table(head, rows_out, right={1, 2, 3, 4, 5})])


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


COMMANDS = {"target": cmd_target, "margin": cmd_margin, "uncertainty": cmd_uncertainty,
            "project": cmd_project}
