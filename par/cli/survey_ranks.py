"""`survey ranks`: rank intervals from survey sampling error (issue 15 item 3).

    python -m par survey ranks --criteria ID --period P [--replicates B] [--seed S]
                               [--format json|table]

Reads the stored rows of the set's level and year and, per survey form of the set, the
current import of its answers for the period; calls ``par.decide.survey_bootstrap.
survey_rank_interval`` and prints per unit its rank, of, low, high (JSON: a list of objects,
with ``above`` and ``flip_share``: how often its order with the unit above flips).

The action joins the ``survey`` command of par.cli.surveys (that module's parser is found in
the command table and given one more action, whose defaults route it here); listed after
``surveys`` in par.cli.main.GROUPS.
"""
from __future__ import annotations

import json
import sys

import pandas as pd

from par.cli.common import database_option, open_store
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank, text_table

COMMAND = "survey ranks"
KEYS = ["unit", "rank", "of", "low", "high", "above", "flip_share"]


def _survey_actions(sub):
    """The ``survey`` command's subparsers action, or None when there is no such command."""
    parser = sub.choices.get("survey")
    if parser is None:
        return None
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return action
    return None


def add_commands(sub) -> None:
    actions = _survey_actions(sub)
    help = "rank intervals from survey sampling error (bootstrap over respondents, seeded)"
    p = actions.add_parser("ranks", help=help) if actions is not None else \
        sub.add_parser("survey-ranks", help=help)
    p.set_defaults(command=COMMAND)  # the sub-action's default wins over "survey"
    p.add_argument("--criteria", required=True, metavar="ID|FILE",
                   help="a stored criteria set's id (or a criteria YAML file)")
    p.add_argument("--period", required=True, metavar="PERIOD",
                   help="the surveys' period, YYYY or YYYY-Q1..Q4 (also the as-of period)")
    p.add_argument("--replicates", type=int, default=200, metavar="B",
                   help="bootstrap replicates (default 200)")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    database_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("vi", "en"), default=None,
                   help="message language (default vi, or $PAR_LANG)")


def cmd_survey_ranks(args, lang: str) -> str:
    from par.cli.surveys import criteria_for
    from par.decide.survey_bootstrap import check_period, survey_rank_interval
    from par.store.rows import load_rows
    from par.store.surveys import period_answers

    store = open_store(args)
    criteria = criteria_for(store, args.criteria)
    period = str(check_period(criteria, args.period))
    units = store.units()
    rows, _ = load_rows(store, criteria, units)
    answers = period_answers(store, criteria, period)
    if not answers:
        print(t("sboot.no_answers", lang, period=fmt_period(period, lang)), file=sys.stderr)
    out = survey_rank_interval(criteria, units, rows, answers, period,
                               replicates=args.replicates, seed=args.seed)
    ranked = out[out["rank"].notna()]
    if args.format == "json":
        return json.dumps([
            {"unit": str(u), "rank": int(r.rank), "of": int(r.of), "low": int(r.low),
             "high": int(r.high), "above": None if pd.isna(r.above) else str(r.above),
             "flip_share": None if pd.isna(r.flip_share) else float(r.flip_share)}
            for u, r in zip(ranked.index, ranked.itertuples(index=False))],
            ensure_ascii=False, indent=2)
    title = t("sboot.title", lang, title=criteria.display_title(lang),
              period=fmt_period(period, lang), replicates=out.attrs["replicates"],
              seed=args.seed, forms=", ".join(out.attrs["forms"]) or "–")
    head = [t(f"sboot.col_{c}", lang) for c in ("unit", "name", "rank", "interval", "flip")]
    rows_out = [[str(u), str(r.name), fmt_rank(r.rank, r.of), f"{int(r.low)}–{int(r.high)}",
                 "" if pd.isna(r.flip_share)
                 else fmt_number(100 * r.flip_share, lang, 1) + "%"]
                for u, r in zip(ranked.index, ranked.itertuples(index=False))]
    return title + "\n\n" + text_table(head, rows_out, right={2, 3, 4})


COMMANDS = {COMMAND: cmd_survey_ranks}
