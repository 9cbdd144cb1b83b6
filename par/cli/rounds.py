"""The scoring round from the command line (../shared/spec/WORKFLOW.md §4): `round`,
`evidence`, `appraise` and `explain`.

    python -m par round create --criteria ID --period P --self-until T --explain-until T
    python -m par round list [--criteria ID] [--format json]
    python -m par round status ROUND [--format table|json|csv]
    python -m par round advance ROUND              (from final: publishes)
    python -m par round reopen ROUND --reason TEXT
    python -m par round deadline ROUND [--self-until T] [--explain-until T]
    python -m par round submit ROUND --unit ID
    python -m par round unsubmit ROUND --unit ID [--reason TEXT]
    python -m par round sheet ROUND --unit ID -o FILE.docx|FILE.pdf
    python -m par round annex ROUND -o FILE.docx|FILE.pdf
    python -m par evidence add ROUND --unit ID --criterion CODE FILE...
    python -m par evidence list ROUND [--unit ID] [--format json]
    python -m par evidence get EVIDENCE_ID -o FILE
    python -m par appraise ROUND --unit ID --criterion CODE (--value V | --numerator N
                           --denominator D) [--comment TEXT] [--explain]
    python -m par explain ROUND --unit ID --criterion CODE --text TEXT [FILE...]

Every writing command acts as --user NAME (or $PAR_USER), like `import`. The rules (phase,
role, unit, domain, deadlines) are the library's (par.domain.rounds, checked inside the
store's writing transaction); a refusal is audited there and exits 2 with its message.
A unit is given by its id or its exact name.
"""
from __future__ import annotations

import json
from pathlib import Path

from par.cli.common import Parser, database_option, open_store, output_options
from par.domain.issues import Issue, ParError
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_time, text_table

DOC_SUFFIXES = (".docx", ".pdf")


# -- the parser ----------------------------------------------------------------------------

class _Intermixed(Parser):
    """A command whose files may follow its options (``explain ROUND --text T FILE...``):
    plain argparse gives an optional positional list (``*``) nothing once ROUND is read."""

    _mixing = False

    def parse_known_args(self, args=None, namespace=None):
        if self._mixing:
            return super().parse_known_args(args, namespace)
        self._mixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing = False


def _user(p) -> None:
    p.add_argument("--user", default=None, help="who is acting (default $PAR_USER)")


def _common(p, formats=("table", "json")) -> None:
    database_option(p)
    if formats == ("table", "json"):
        output_options(p)
    else:
        p.add_argument("--format", choices=formats, default="table")
        p.add_argument("--lang", choices=("vi", "en"), default=None,
                       help="message language (default vi, or $PAR_LANG)")


def _round_arg(p) -> None:
    p.add_argument("round_id", metavar="ROUND", help="the round's number (as `round list` shows)")


def _unit_arg(p, required: bool = True) -> None:
    p.add_argument("--unit", required=required, metavar="ID", help="unit id or exact name")


def add_commands(sub) -> None:
    p = sub.add_parser("round", help="scoring rounds: round create|list|status|advance|reopen|"
                                     "deadline|submit|unsubmit|sheet|annex")
    actions = p.add_subparsers(dest="round_action", required=True)
    c = actions.add_parser("create", help="a new round (phase self) of a stored criteria set; "
                                          "prints its number")
    c.add_argument("--criteria", required=True, metavar="ID", help="a stored criteria set's id")
    c.add_argument("--period", required=True, metavar="PERIOD", help="YYYY or YYYY-Q1..Q4")
    c.add_argument("--self-until", required=True, metavar="T",
                   help="self-assessment deadline: 2025-11-30 (end of day) or 2025-11-30T17:00 "
                        "(Vietnam time unless a zone is given)")
    c.add_argument("--explain-until", required=True, metavar="T", help="explanation deadline")
    ls = actions.add_parser("list", help="the rounds, newest year first")
    ls.add_argument("--criteria", default=None, metavar="ID")
    s = actions.add_parser("status", help="per unit: submitted, leaves self-scored, appraised, "
                                          "flagged, explained, missing evidence")
    _round_arg(s)
    a = actions.add_parser("advance", help="to the next phase (from final: publish)")
    _round_arg(a)
    r = actions.add_parser("reopen", help="a published round back to final (publications kept)")
    _round_arg(r)
    r.add_argument("--reason", required=True, metavar="TEXT")
    d = actions.add_parser("deadline", help="move a round's deadlines")
    _round_arg(d)
    d.add_argument("--self-until", default=None, metavar="T")
    d.add_argument("--explain-until", default=None, metavar="T")
    sb = actions.add_parser("submit", help="a unit locks its self-assessment")
    _round_arg(sb)
    _unit_arg(sb)
    us = actions.add_parser("unsubmit", help="unlock a unit's self-assessment (admins)")
    _round_arg(us)
    _unit_arg(us)
    us.add_argument("--reason", default="", metavar="TEXT")
    sh = actions.add_parser("sheet", help="a unit's self-assessment and appraisal sheet "
                                          "(.docx or .pdf)")
    _round_arg(sh)
    _unit_arg(sh)
    sh.add_argument("-o", "--output", required=True, metavar="FILE.docx|FILE.pdf")
    an = actions.add_parser("annex", help="the published ranking as an annex (.docx or .pdf)")
    _round_arg(an)
    an.add_argument("-o", "--output", required=True, metavar="FILE.docx|FILE.pdf")
    for q in (c, ls, a, r, d, sb, us, sh, an, s):
        _user(q)
        _common(q, ("table", "json", "csv") if q is s else ("table", "json"))

    p = sub.add_parser("evidence", help="evidence files of a round: evidence add|list|get")
    actions = p.add_subparsers(dest="evidence_action", required=True)
    e = actions.add_parser("add", help="attach files to a unit's criterion (pdf, docx, xlsx, "
                                       "png, jpg)")
    _round_arg(e)
    _unit_arg(e)
    e.add_argument("--criterion", required=True, metavar="CODE")
    e.add_argument("files", nargs="+", metavar="FILE")
    el = actions.add_parser("list", help="a unit's files (without --unit: every unit's, for "
                                         "admins and appraisers)")
    _round_arg(el)
    _unit_arg(el, required=False)
    eg = actions.add_parser("get", help="save one evidence file")
    eg.add_argument("evidence_id", type=int, metavar="EVIDENCE_ID")
    eg.add_argument("-o", "--output", required=True, metavar="FILE")
    for q in (e, el, eg):
        _user(q)
        _common(q)

    p = sub.add_parser("appraise", help="a leaf's appraisal score with a comment (and --explain "
                                        "to ask the unit for an explanation)")
    _round_arg(p)
    _unit_arg(p)
    p.add_argument("--criterion", required=True, metavar="CODE")
    value = p.add_mutually_exclusive_group(required=True)
    value.add_argument("--value", metavar="V")
    value.add_argument("--numerator", metavar="N")
    p.add_argument("--denominator", metavar="D")
    p.add_argument("--comment", default="", metavar="TEXT")
    p.add_argument("--explain", action="store_true", help="ask the unit to explain this leaf")
    _user(p)
    _common(p)

    p = sub.add_parser("explain", help="a unit's explanation of a flagged leaf (text and files)")
    p.__class__ = _Intermixed  # FILE... after the options, as WORKFLOW §4 writes it
    _round_arg(p)
    _unit_arg(p)
    p.add_argument("--criterion", required=True, metavar="CODE")
    p.add_argument("--text", required=True, metavar="TEXT")
    p.add_argument("files", nargs="*", metavar="FILE")
    _user(p)
    _common(p)


# -- shared steps --------------------------------------------------------------------------

def _acting(args, store):
    from par.cli.data import acting_user

    return acting_user(args, store)


def _round(store, args):
    from par.store.rounds import get_round

    return get_round(store, args.round_id)


def _unit(store, rnd, key: str) -> str:
    """A unit of the round's level, by id or exact name."""
    units = store.units()
    level = units[units["level"] == rnd.level]
    if key in set(level["id"]):
        return key
    named = level.loc[level["name"] == key.strip(), "id"]
    if len(named) == 1:
        return str(named.iloc[0])
    raise ParError([Issue("cli.unknown_unit", {"unit": key, "level": rnd.level})])


def _files(paths) -> list[tuple[str, bytes]]:
    files = []
    for name in paths:
        try:
            files.append((Path(name).name, Path(name).read_bytes()))
        except FileNotFoundError:
            raise ParError([Issue("file.not_found", file=name)]) from None
    return files


def _phase(rnd, lang: str) -> str:
    return t(f"round.phase_{rnd.phase}", lang)


def _round_record(rnd) -> dict:
    return {"id": rnd.id, "criteria_id": rnd.criteria_id, "level": rnd.level, "year": rnd.year,
            "period": rnd.period, "phase": rnd.phase, "self_until": rnd.self_until.isoformat(),
            "explain_until": rnd.explain_until.isoformat(), "created_by": rnd.created_by,
            "created_at": rnd.created_at.isoformat() if rnd.created_at else None}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


# -- round -----------------------------------------------------------------------------------

def cmd_round(args, lang: str) -> str:
    return {"create": _create, "list": _list, "status": _status, "advance": _advance,
            "reopen": _reopen, "deadline": _deadline, "submit": _submit,
            "unsubmit": _unsubmit, "sheet": _sheet, "annex": _annex}[args.round_action](args, lang)


def _create(args, lang: str) -> str:
    from par.store.library import get_set
    from par.store.rounds import create_round

    store = open_store(args)
    actor = _acting(args, store)
    criteria = get_set(store, args.criteria)
    rnd = create_round(store, criteria, args.period, self_until=args.self_until,
                       explain_until=args.explain_until, actor=actor)
    if args.format == "json":
        return _json(_round_record(rnd))
    return str(rnd.id)  # the number alone: ROUND=$(python -m par round create ...)


def _list(args, lang: str) -> str:
    from par.store.rounds import list_rounds

    found = list_rounds(open_store(args), args.criteria)
    if args.format == "json":
        return _json([_round_record(r) for r in found])
    if not found:
        return t("cli.no_rounds", lang)
    head = [t(f"cli.round_col_{c}", lang) for c in
            ("id", "criteria", "period", "phase", "self_until", "explain_until")]
    rows = [[f"#{r.id}", r.criteria_id, fmt_period(r.period, lang), _phase(r, lang),
             fmt_time(r.self_until, lang), fmt_time(r.explain_until, lang)] for r in found]
    return text_table(head, rows, right={0})


def _status(args, lang: str) -> str:
    from par.store.round_work import round_state

    state = round_state(open_store(args), args.round_id)
    table = state.status()
    if args.format == "json":
        return table.to_json(orient="records", force_ascii=False, indent=2)
    if args.format == "csv":
        return table.to_csv(index=False).rstrip("\n")
    rnd = state.round
    title = t("cli.round_status_title", lang, round=rnd.label,
              title=state.criteria.display_title(lang), period=fmt_period(rnd.period, lang),
              phase=_phase(rnd, lang), self_until=fmt_time(rnd.self_until, lang),
              explain_until=fmt_time(rnd.explain_until, lang))
    cols = ("unit", "name", "submitted", "self", "appraised", "flagged", "explained",
            "missing_evidence")
    head = [t(f"cli.round_col_{c}", lang) for c in cols]
    yes = t("word.yes", lang)
    rows = [[str(r.unit), str(r.name), yes if r.submitted else "",
             f"{r.self}/{r.leaves}", str(r.appraised), str(r.flagged), str(r.explained),
             str(r.missing_evidence)] for r in table.itertuples()]
    return title + "\n\n" + text_table(head, rows, right={3, 4, 5, 6, 7})


def _advance(args, lang: str) -> str:
    from par.store.publication import list_publications
    from par.store.rounds import advance

    store = open_store(args)
    actor = _acting(args, store)
    rnd = advance(store, args.round_id, actor=actor)
    publication = None
    if rnd.phase == "published":
        found = list_publications(store, rnd.criteria_id, rnd.period)
        found = found[found["round_id"] == rnd.id]
        publication = int(found["id"].iloc[0]) if len(found) else None
    if args.format == "json":
        return _json({**_round_record(rnd), "publication": publication})
    if publication is not None:
        return t("cli.round_published", lang, round=rnd.label, publication=publication)
    return t("cli.round_advanced", lang, round=rnd.label, phase=_phase(rnd, lang))


def _reopen(args, lang: str) -> str:
    from par.store.rounds import reopen

    store = open_store(args)
    rnd = reopen(store, args.round_id, reason=args.reason, actor=_acting(args, store))
    if args.format == "json":
        return _json(_round_record(rnd))
    return t("cli.round_reopened", lang, round=rnd.label, phase=_phase(rnd, lang))


def _deadline(args, lang: str) -> str:
    from par.store.rounds import set_deadlines

    if not (args.self_until or args.explain_until):
        raise ParError([Issue("cli.round_deadline_needed", {})])
    store = open_store(args)
    rnd = set_deadlines(store, args.round_id, actor=_acting(args, store),
                        self_until=args.self_until, explain_until=args.explain_until)
    if args.format == "json":
        return _json(_round_record(rnd))
    return t("cli.round_deadlines", lang, round=rnd.label,
             self_until=fmt_time(rnd.self_until, lang),
             explain_until=fmt_time(rnd.explain_until, lang))


def _submit(args, lang: str) -> str:
    from par.store.rounds import submit_unit

    store = open_store(args)
    actor = _acting(args, store)
    rnd = _round(store, args)
    unit = _unit(store, rnd, args.unit)
    submit_unit(store, rnd.id, unit, actor=actor)
    if args.format == "json":
        return _json({"round": rnd.id, "unit": unit, "submitted": True})
    return t("cli.round_submitted", lang, round=rnd.label, unit=unit)


def _unsubmit(args, lang: str) -> str:
    from par.store.rounds import reopen_unit

    store = open_store(args)
    actor = _acting(args, store)
    rnd = _round(store, args)
    unit = _unit(store, rnd, args.unit)
    reopen_unit(store, rnd.id, unit, actor=actor, reason=args.reason or "")
    if args.format == "json":
        return _json({"round": rnd.id, "unit": unit, "submitted": False})
    return t("cli.round_unsubmitted", lang, round=rnd.label, unit=unit)


def _doc_path(args) -> Path:
    path = Path(args.output)
    if path.suffix.lower() not in DOC_SUFFIXES:
        raise ParError([Issue("cli.round_doc_type", {"file": args.output})])
    return path


def _sheet(args, lang: str) -> str:
    from par.store.round_work import list_evidence, round_state

    path = _doc_path(args)
    store = open_store(args)
    actor = _acting(args, store)
    rnd = _round(store, args)
    unit = _unit(store, rnd, args.unit)
    list_evidence(store, rnd.id, unit, actor=actor)  # who may read the unit's files (audited)
    # the documents' module only when one is asked for
    from par.export.round_docs import write_unit_sheet

    _document(write_unit_sheet, round_state(store, rnd.id), unit, path, lang)
    return t("cli.round_doc_written", lang, file=str(path))


def _annex(args, lang: str) -> str:
    from par.store.publication import require_published
    from par.store.round_work import round_criteria

    path = _doc_path(args)
    store = open_store(args)
    rnd = _round(store, args)
    card, meta = require_published(store, round_criteria(store, rnd), rnd.period)
    from par.export.round_docs import write_ranking_annex

    _document(write_ranking_annex, card, meta, path, lang)
    return t("cli.round_doc_written", lang, file=str(path))


def _document(write, *args) -> None:
    """A document written, or a message saying why the PDF could not be made."""
    from par.export.browser import ExportError

    try:
        write(*args)
    except ExportError as exc:
        raise ParError([Issue("cli.round_doc_failed", {"detail": str(exc)})]) from None


# -- evidence ----------------------------------------------------------------------------------

def cmd_evidence(args, lang: str) -> str:
    return {"add": _evidence_add, "list": _evidence_list,
            "get": _evidence_get}[args.evidence_action](args, lang)


def _evidence_add(args, lang: str) -> str:
    from par.store.round_work import add_evidence

    files = _files(args.files)
    store = open_store(args)
    actor = _acting(args, store)
    rnd = _round(store, args)
    unit = _unit(store, rnd, args.unit)
    ids = add_evidence(store, rnd.id, unit, args.criterion, files, actor=actor)
    if args.format == "json":
        return _json({"round": rnd.id, "unit": unit, "criterion": args.criterion,
                      "evidence": [int(i) for i in ids]})
    return t("cli.evidence_added", lang, round=rnd.label, unit=unit, criterion=args.criterion,
             count=len(ids), ids=", ".join(f"#{i}" for i in ids))


def _evidence_list(args, lang: str) -> str:
    from par.store.round_work import list_evidence

    store = open_store(args)
    actor = _acting(args, store)
    rnd = _round(store, args)
    unit = _unit(store, rnd, args.unit) if args.unit else None
    frame = list_evidence(store, rnd.id, unit, actor=actor)
    if args.format == "json":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=2)
    if frame.empty:
        return t("cli.no_evidence", lang)
    cols = ("id", "unit", "criterion", "purpose", "name", "size", "added_by", "added_at")
    head = [t(f"cli.evidence_col_{c}", lang) for c in cols]
    rows = [[f"#{r.id}", str(r.unit), str(r.criterion), t(f"cli.evidence_{r.purpose}", lang),
             str(r.name), fmt_number(max(r.size / 1024, 0.1), lang, 1) + " KB", str(r.added_by),
             fmt_time(r.added_at, lang)] for r in frame.itertuples()]
    return text_table(head, rows, right={0, 5})


def _evidence_get(args, lang: str) -> str:
    from par.store.round_work import evidence_file

    store = open_store(args)
    name, data = evidence_file(store, args.evidence_id, actor=_acting(args, store))
    Path(args.output).write_bytes(data)
    return t("cli.evidence_written", lang, id=args.evidence_id, name=name, file=args.output)


# -- appraise, explain ---------------------------------------------------------------------------

def cmd_appraise(args, lang: str) -> str:
    from par.store.round_work import appraise

    if (args.numerator is None) != (args.denominator is None):
        raise ParError([Issue("cli.appraise_ratio", {})])
    store = open_store(args)
    actor = _acting(args, store)
    rnd = _round(store, args)
    unit = _unit(store, rnd, args.unit)
    sid = appraise(store, rnd.id, unit, args.criterion, value=args.value,
                   numerator=args.numerator, denominator=args.denominator,
                   comment=args.comment, explain=args.explain, actor=actor)
    if args.format == "json":
        return _json({"round": rnd.id, "unit": unit, "criterion": args.criterion,
                      "submission": sid, "explain": bool(args.explain)})
    done = t("cli.appraised", lang, round=rnd.label, unit=unit, criterion=args.criterion,
             submission=f"#{sid}" if sid else "–")
    return done + (" " + t("cli.appraised_flagged", lang) if args.explain else "")


def cmd_explain(args, lang: str) -> str:
    from par.store.round_work import explain

    files = _files(args.files)
    store = open_store(args)
    actor = _acting(args, store)
    rnd = _round(store, args)
    unit = _unit(store, rnd, args.unit)
    explain(store, rnd.id, unit, args.criterion, args.text, files, actor=actor)
    if args.format == "json":
        return _json({"round": rnd.id, "unit": unit, "criterion": args.criterion,
                      "files": [n for n, _ in files]})
    return t("cli.explained", lang, round=rnd.label, unit=unit, criterion=args.criterion,
             files=len(files))


COMMANDS = {"round": cmd_round, "evidence": cmd_evidence, "appraise": cmd_appraise,
            "explain": cmd_explain}
