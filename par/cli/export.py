"""Commands that write meeting files: report (.xlsx), pack (.pptx and .pdf), chart.

Each one scores with the common options and writes what the library function returns,
byte for byte, so the CLI and the dashboard produce identical files for the same inputs.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from par.cli.common import positive_int, scoring_options
from par.domain.issues import Issue, ParError
from par.i18n import t

CHART_KINDS = ("ranking", "domains", "heatmap", "distribution", "trend")
IMAGE_FORMATS = ("png", "svg", "pdf")


def add_commands(sub) -> None:
    p = sub.add_parser("report", help="write the Excel report (ranking, domains, criteria …)")
    scoring_options(p)
    p.add_argument("--unit", metavar="ID", help="make the unit's rows stand out (id or exact name)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    p = sub.add_parser("pack", help="write the meeting slide pack (.pptx, optionally .pdf)")
    scoring_options(p)
    p.add_argument("--unit", metavar="ID", help="add the unit's slides (id or exact name)")
    p.add_argument("--target-rank", type=positive_int, metavar="N",
                   help="the unit's target-rank slide aims at N (default: the next rank up)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pptx")
    p.add_argument("--pdf", metavar="FILE.pdf", help="also write the same slides as a PDF")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date on the title slide (default today)")
    # --format here is the image format, not the table/json of the common options
    p = sub.add_parser("chart", help="write one dashboard chart as PNG, SVG or PDF",
                       conflict_handler="resolve")
    scoring_options(p)
    p.add_argument("--kind", required=True, choices=CHART_KINDS)
    p.add_argument("--format", choices=IMAGE_FORMATS, default=None,
                   help="image format (default: from the -o suffix, else png)")
    p.add_argument("--unit", metavar="ID", help="the unit (domains, trend; highlighted otherwise)")
    p.add_argument("--criterion", metavar="CODE", help="the criterion (distribution)")
    p.add_argument("--scale", type=float, default=2.0, help="PNG pixels per CSS pixel (default 2)")
    p.add_argument("-o", "--output", required=True, metavar="FILE")


def _write(path: str, data: bytes, lang: str) -> str:
    Path(path).write_bytes(data)
    return t("export.written", lang, file=path, size=max(round(len(data) / 1024), 1))


def _exporting(fn, *args, **kwargs) -> bytes:
    from par.export.images import ExportError

    try:
        return fn(*args, **kwargs)
    except ExportError as exc:
        raise ParError([Issue("export.failed", {"detail": str(exc)})]) from None


def _unit(card, key: str | None) -> str | None:
    from par.cli.common import find_unit

    return None if key is None else find_unit(card, key)


def _official(args, card):
    """With --db, the published result of the set and period when there is one (WORKFLOW §3:
    exports use the frozen result): (card, publication meta or None)."""
    if not getattr(args, "db", False):
        return card, None
    from par.cli.common import open_store
    from par.store.publication import published

    found = published(open_store(args), card.criteria, str(card.as_of))
    return found if found is not None else (card, None)


def cmd_report(args, lang: str) -> str:
    from par.cli.common import scorecard_from_args
    from par.export.report import build_report

    card, meta = _official(args, scorecard_from_args(args, lang))
    unit = _unit(card, getattr(args, "unit", None))
    return _write(args.output, build_report(card, lang, unit, published=meta), lang)


def cmd_pack(args, lang: str) -> str:
    from par.analysis.trends import get_trend
    from par.cli.common import load_from_args
    from par.engine.scoring import score
    from par.export.pack import build_pack, build_pack_pdf

    when = None
    if args.date:
        try:
            when = dt.date.fromisoformat(args.date)
        except ValueError:
            raise ParError([Issue("export.bad_date", {"value": args.date})]) from None
    criteria, units, rows, as_of = load_from_args(args, lang)
    card, meta = _official(args, score(criteria, units, rows, as_of))
    unit = _unit(card, args.unit)
    # the unit's trend slide: one scoring per period of the set's year that has rows
    trend = get_trend(criteria, units, rows, [unit]) if unit is not None else None
    when = when or dt.date.today()
    options = dict(trend=trend, target_rank=args.target_rank, published=meta)
    lines = [_write(args.output, _exporting(build_pack, card, unit, lang, when, **options), lang)]
    if args.pdf:
        lines.append(_write(args.pdf, _exporting(build_pack_pdf, card, unit, lang, when,
                                                 **options), lang))
    return "\n".join(lines)


def cmd_chart(args, lang: str) -> str:
    from par.analysis.trends import get_trend
    from par.cli.common import load_from_args
    from par.engine.scoring import score
    from par.export.images import export_chart

    fmt = args.format or Path(args.output).suffix.lower().lstrip(".") or "png"
    if fmt not in IMAGE_FORMATS:
        raise ParError([Issue("export.bad_format", {"format": fmt,
                                                    "expected": ", ".join(IMAGE_FORMATS)})])
    criteria, units, rows, as_of = load_from_args(args, lang)
    card = score(criteria, units, rows, as_of)
    unit = _unit(card, args.unit)
    if args.kind in ("domains", "trend") and unit is None:
        raise ParError([Issue("export.unit_required", {"kind": args.kind})])
    if args.kind == "distribution" and args.criterion not in card.criteria.nodes:
        raise ParError([Issue("export.criterion_required", {"kind": args.kind})])
    # the trend: one scoring per period of the set's year that has rows, as the dashboard's
    trend = get_trend(criteria, units, rows, [unit]) if args.kind == "trend" else None
    data = _exporting(export_chart, card, args.kind, fmt, unit, lang, trend=trend,
                      criterion=args.criterion, scale=args.scale)
    return _write(args.output, data, lang)


COMMANDS = {"report": cmd_report, "pack": cmd_pack, "chart": cmd_chart}
