"""The catalogue, one module per key prefix (``input.*`` lives in input.py).

Each module holds the keys of its prefix only (a test checks it); this package
merges them into one ``MESSAGES`` with a static list, so nothing is found by magic.
"""
from __future__ import annotations

from par.i18n.catalog import (
    app,
    audit,
    auth,
    chart,
    cli,
    col,
    compare,
    criteria,
    criteriabook,
    data,
    decide,
    docs,
    evidence,
    export,
    file,
    guard,
    hist,
    home,
    import_,
    input,
    kpi,
    library,
    loc,
    nav,
    pack,
    period,
    rappr,
    rboard,
    report,
    round_,
    rself,
    sboot,
    severity,
    spage,
    stage,
    status,
    storage,
    survey,
    template,
    trends,
    unit,
    units,
    upload,
    users,
    word,
    workbook,
)

MODULES = (app, audit, auth, chart, cli, col, compare, criteria, criteriabook, data, decide, docs, evidence, export, file, guard, hist, home, import_, input, kpi, library, loc, nav, pack, period, rappr, rboard, report, round_, rself, sboot, severity, spage, stage, status, storage, survey, template, trends, unit, units, upload, users, word, workbook)
MESSAGES: dict[str, dict[str, str]] = {
    key: entry for module in MODULES for key, entry in module.MESSAGES.items()}
