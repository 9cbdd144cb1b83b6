"""Survey answers from the command line (../shared/spec/SURVEY.md §4): `survey`.

    python -m par survey import FILE --criteria ID --form FORM --period P   (acts as --user)
    python -m par survey results --criteria ID --form FORM --period P [--format json|table|csv]
    python -m par survey history [--criteria ID] [--form FORM] [--period P] [--format json]

``--criteria`` is a stored set's id (the active version), or a criteria YAML file; in sample
mode also a sample set's id. Importing stores the answers and writes the survey leaves'
values as appraisal rows of the period, so `score --db` scores with them.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from par import settings
from par.cli.common import database_option, open_store
from par.domain.issues import Issue, ParError
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, text_table

QUESTION_KEYS = ["unit", "question", "n", "pct", "ci_low", "ci_high", "flag_low_n"]
LEAF_KEYS = ["unit", "criterion", "value", "flag_low_n"]


def _lang_format(p, formats) -> None:
    database_option(p)
    p.add_argument("--format", choices=formats, default="table")
    p.add_argument("--lang", choices=("vi", "en"), default=None,
                   help="message language (default vi, or $PAR_LANG)")


def add_commands(sub) -> None:
    p = sub.add_parser("survey", help="survey answers: survey import|results|history")
    actions = p.add_subparsers(dest="survey_action", required=True)
    i = actions.add_parser("import", help="store a form's answers table (CSV or XLSX) for a "
                                          "period and write the survey leaves' values (admins)")
    i.add_argument("file", metavar="FILE")
    r = actions.add_parser("results", help="per unit and question n, percent and 95%% interval; "
                                           "per unit and survey leaf its value")
    for q in (i, r):
        q.add_argument("--criteria", required=True, metavar="ID|FILE",
                       help="a stored criteria set's id (or a criteria YAML file)")
        q.add_argument("--form", required=True, metavar="FORM", help="the form's id (surveys:)")
        q.add_argument("--period", required=True, metavar="PERIOD", help="YYYY or YYYY-Q1..Q4")
    i.add_argument("--user", default=None, help="who is importing (default $PAR_USER)")
    _lang_format(i, ("table", "json"))
    _lang_format(r, ("table", "json", "csv"))
    h = actions.add_parser("history", help="every import of survey answers, current and earlier")
    h.add_argument("--criteria", default=None, metavar="ID")
    h.add_argument("--form", default=None, metavar="FORM")
    h.add_argument("--period", default=None, metavar="PERIOD")
    _lang_format(h, ("table", "json"))


def criteria_for(store, key: str):
    """A criteria YAML file, else a stored set's id (its active version), else in sample mode
    a sample set of that id."""
    from par.engine.criteria import load_criteria
    from par.store.library import get_set

    if key.lower().endswith((".yaml", ".yml")) or Path(key).is_file():
        return load_criteria(key)
    try:
        return get_set(store, key)
    except ParError:
        if settings.sample_mode():
            from par.engine import catalog

            for criteria in catalog.list_criteria():
                if criteria.id == key:
                    return criteria
        raise


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def records(questions, leaves) -> dict:
    """The results as SURVEY §4 prints them: ``{"questions": [...], "leaves": [...]}``."""
    return {
        "questions": [{"unit": str(r.unit), "question": str(r.question), "n": int(r.n),
                       "pct": _number(r.pct), "ci_low": _number(r.ci_low),
                       "ci_high": _number(r.ci_high), "flag_low_n": bool(r.flag_low_n)}
                      for r in questions.itertuples(index=False)],
        "leaves": [{"unit": str(r.unit), "criterion": str(r.criterion),
                    "value": _number(r.value), "flag_low_n": bool(r.flag_low_n)}
                   for r in leaves.itertuples(index=False)],
    }


def cmd_survey(args, lang: str) -> str:
    return {"import": _import, "results": _results, "history": _history}[
        args.survey_action](args, lang)


def _import(args, lang: str) -> str:
    from par.cli.data import acting_user
    from par.read import sandbox
    from par.store.surveys import import_answers

    sandbox.warm()
    try:
        data = Path(args.file).read_bytes()
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=args.file)]) from None
    store = open_store(args)
    actor = acting_user(args, store)
    criteria = criteria_for(store, args.criteria)
    done = import_answers(store, criteria, args.form, args.period, data, Path(args.file).name,
                          actor=actor)
    for w in done.warnings:
        print(w.render(lang), file=sys.stderr)
    form = criteria.survey(args.form)
    low = sorted(done.questions.loc[done.questions["flag_low_n"], "unit"].unique())
    if args.format == "json":
        return json.dumps({"import": done.id, "replaces": done.replaces, "form": done.form,
                           "period": done.period, "respondents": done.respondents,
                           "answers": done.answers, "submissions": done.submissions,
                           "low_n_units": [str(u) for u in low]}, ensure_ascii=False)
    lines = [t("survey.imported", lang, file=Path(args.file).name, respondents=done.respondents,
               answers=done.answers, form=done.form, period=fmt_period(done.period, lang),
               id=done.id, replaces=t("survey.replaces", lang, id=done.replaces)
               if done.replaces else "", leaves=len(done.leaves),
               units=done.leaves["unit"].nunique())]
    if low:
        shown = ", ".join(str(u) for u in low[:10]) + (" …" if len(low) > 10 else "")
        lines.append(t("survey.low_n", lang, count=len(low), min=form.min_responses,
                       units=shown))
    return "\n".join(lines)


def _results(args, lang: str) -> str:
    from par.store.surveys import results

    store = open_store(args)
    criteria = criteria_for(store, args.criteria)
    questions, leaves = results(store, criteria, args.form, args.period)
    out = records(questions, leaves)
    if args.format == "json":
        return json.dumps(out, ensure_ascii=False, indent=2)
    if args.format == "csv":
        import pandas as pd

        q = pd.DataFrame(out["questions"], columns=QUESTION_KEYS).assign(criterion="", value=None)
        lv = pd.DataFrame(out["leaves"], columns=LEAF_KEYS).assign(
            question="", n=None, pct=None, ci_low=None, ci_high=None)
        columns = ["unit", "question", "n", "pct", "ci_low", "ci_high", "criterion", "value",
                   "flag_low_n"]
        return pd.concat([q[columns], lv[columns]], ignore_index=True).to_csv(
            index=False).rstrip("\n")
    if not out["questions"]:
        return t("survey.no_results", lang)

    def num(v):
        return "–" if v is None else fmt_number(v, lang=lang)

    head = [t(f"survey.col_{c}", lang) for c in ("unit", "question", "n", "pct", "ci", "flag")]
    rows = [[r["unit"], r["question"], str(r["n"]), num(r["pct"]),
             "–" if r["ci_low"] is None else f"{num(r['ci_low'])} – {num(r['ci_high'])}",
             "!" if r["flag_low_n"] else ""] for r in out["questions"]]
    head2 = [t(f"survey.col_{c}", lang) for c in ("unit", "criterion", "value", "flag")]
    rows2 = [[r["unit"], r["criterion"], num(r["value"]), "!" if r["flag_low_n"] else ""]
             for r in out["leaves"]]
    return text_table(head, rows, right={2, 3}) + "\n\n" + text_table(head2, rows2, right={2})


def _history(args, lang: str) -> str:
    from par.store.surveys import imports

    frame = imports(open_store(args), args.criteria, args.form, args.period)
    if args.format == "json":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False)
    if frame.empty:
        return t("survey.no_results", lang)
    cols = ["id", "criteria_id", "form", "period", "status", "rows", "user", "created_at",
            "source_name"]
    head = [t(k, lang) for k in ("hist.id", "survey.col_criteria", "survey.col_form",
                                  "hist.period", "hist.status", "survey.col_respondents",
                                  "hist.user", "hist.created_at", "hist.source_name")]
    rows = [[("#" + str(v)) if c == "id" else str(v)[:19] if c == "created_at"
             else t(f"hist.status_{v}", lang) if c == "status" else str(v)
             for c, v in zip(cols, r)] for r in frame[cols].itertuples(index=False)]
    return text_table(head, rows, right={0, 5})


COMMANDS = {"survey": cmd_survey}
