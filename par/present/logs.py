"""The upload page's preview, the submission history and the audit log, shaped for people.

Units by name (the id beside it), periods as people write them ("Quý IV/2019"), stored UTC
moments in Vietnam time, a file's SHA-256 as its first 12 hex digits, newest first. The
audit CSV keeps the full values (exact UTC time, full SHA-256, the stored detail).
Supplied text (unit names, file names) goes into Markdown only through ``par.present.safe``;
dataframe cells and selectbox options show text as it is.
"""
from __future__ import annotations

import json
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from par.domain.issues import Issue
from par.domain.periods import parse_period
from par.engine.scoring import Scorecard
from par.i18n import MESSAGES, t
from par.i18n.formatting import VIETNAM, fmt_number, fmt_period, fmt_rank, fmt_time
from par.present.frames import preview_table
from par.present.safe import md

SHA_SHOWN = 12  # hex digits of a SHA-256 shown on screen (the CSV keeps all 64)


def sha12(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)[:SHA_SHOWN]


def _word(key: str, lang: str, fallback) -> str:
    return t(key, lang) if key in MESSAGES else str(fallback)


# -- units and periods by name -------------------------------------------------------------

def unit_label(unit, units: pd.DataFrame) -> str:
    """'Thị xã Cửa Lò (cua-lo)'; an id the units table does not know, as it is."""
    if unit is None or (not isinstance(unit, str) and pd.isna(unit)):
        return ""
    unit = str(unit)
    if unit in units.index:
        return f"{units.at[unit, 'name']} ({unit})"
    return unit


def unit_names(ids: pd.Series, units: pd.DataFrame) -> pd.Series:
    """The names of unit ids ('' for none or an unknown id), vectorised."""
    names = units["name"] if "name" in units else pd.Series(dtype=object)
    return ids.map(names).fillna("").astype(str)


def period_label(period, lang: str = "vi") -> str:
    """A period as people write it, year to date for a quarter ('Lũy kế đến Quý IV/2019')."""
    return fmt_period(period, lang, year_to_date=True)  # the year reads "Cả năm" either way


def _period_with_code(period, lang: str) -> str:
    """'Quý III/2019 (2019-Q3)': as people say it, and as the file writes it."""
    shown = fmt_period(period, lang)
    return shown if shown == str(period) else f"{shown} ({period})"


def groups_text(groups, units: pd.DataFrame, lang: str = "vi") -> str:
    """What a prepared file holds, as people say it: 'Thị xã Cửa Lò, Quý IV/2019, tự chấm'."""
    return "; ".join(f"{unit_label(g.unit, units)}, {fmt_period(g.period, lang)}, "
                     f"{_word(f'stage.{g.stage}', lang, g.stage)}" for g in groups)


def named_issues(issues: Iterable[Issue], units: pd.DataFrame, lang: str = "vi",
                 may_import: Callable[[str], bool] | None = None) -> list[Issue]:
    """The refusals the upload page shows, worded for the page: the units by name, the
    periods as people write them; a unit the account may not submit for said so. Every
    other issue is kept as it is (their messages name no command-line option the page
    could reach: the page always passes its criteria set)."""
    out = []
    for issue in issues:
        p = issue.params
        if issue.code == "import.other_unit" and "found" in p:
            found = list(p["found"])
            forbidden = may_import is not None and not all(may_import(u) for u in found)
            out.append(Issue("upload.other_unit_forbidden" if forbidden else "upload.other_unit",
                             {"unit": unit_label(p["unit"], units),
                              "found": ", ".join(unit_label(u, units) for u in found)},
                             file=issue.file))
        elif issue.code == "import.other_period" and "found" in p:
            out.append(Issue("upload.other_period", {
                "period": _period_with_code(p["period"], lang),
                "found": ", ".join(_period_with_code(x, lang) for x in p["found"])},
                file=issue.file))
        elif issue.code == "auth.forbidden" and p.get("unit"):
            out.append(Issue("upload.forbidden_unit", {"user": p.get("user", "?"),
                                                      "unit": unit_label(p["unit"], units)},
                             file=issue.file))
        else:
            out.append(issue)
    return out


# -- the effect of a change: upload preview, rollback confirmation, the rank after -----------

def _index_change(before: float, after: float, lang: str) -> str:
    if pd.isna(before) or pd.isna(after) or abs(after - before) < 0.005:
        return t("upload.index_same", lang)
    key = "upload.index_up" if after > before else "upload.index_down"
    return t(key, lang, delta=fmt_number(abs(after - before), lang))


def _rank_change(before, after, lang: str) -> str:
    if pd.isna(before) or pd.isna(after):
        return t("upload.rank_none", lang) if pd.isna(after) else t("upload.rank_same", lang)
    if int(after) == int(before):
        return t("upload.rank_same", lang)
    key = "upload.rank_up" if after < before else "upload.rank_down"
    return t(key, lang, n=abs(int(after) - int(before)))


def effect_tables(effects, unit: str, lang: str = "vi") -> list[tuple[str, pd.DataFrame]]:
    """(caption, table) per period of ``effects`` (``par.store.submit.Effect``: as_of,
    before, after): the caption names the period and says the change in words; the table
    is the unit's index and rank before → after. No supplied text in the caption."""
    out = []
    for e in effects:
        b, a = e.before.units, e.after.units
        if unit not in a.index:
            continue
        caption = t("upload.effect_caption", lang, period=period_label(e.as_of, lang),
                    index=_index_change(b.at[unit, "index"], a.at[unit, "index"], lang),
                    rank=_rank_change(b.at[unit, "rank"], a.at[unit, "rank"], lang))
        out.append((caption, preview_table(e.before, e.after, [unit], lang)))
    return out


def standing_md(cards: list[tuple[object, Scorecard]], unit: str, lang: str = "vi") -> str:
    """Markdown: where ``unit`` stands now, per (as_of, scorecard): 'Thị xã Cửa Lò nay xếp
    thứ **12/21** (chỉ số 73,75) lũy kế đến Quý IV/2019; **14/21** (81,22) cả năm 2019.'"""
    parts, name = [], unit
    for as_of, card in cards:
        u = card.units
        if unit not in u.index:
            continue
        name = u.at[unit, "name"]
        found = parse_period(str(as_of))
        when = (t("upload.standing_year", lang, year=found.year) if found.is_annual else
                t("upload.standing_ytd", lang, period=fmt_period(found, lang)))
        parts.append(t("upload.standing_part", lang, rank=fmt_rank(u.at[unit, "rank"],
                                                                   u.at[unit, "of"]),
                       index=fmt_number(u.at[unit, "index"], lang), period=when))
    if not parts:
        return ""
    return t("upload.standing", lang, unit=md(name), parts="; ".join(parts))


# -- the submission history ---------------------------------------------------------------

HISTORY_COLUMNS = ["id", "period", "stage", "status", "row_count", "user", "created_at",
                   "source_name", "sha"]


def history_frame(history: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """One unit's submissions for people: newest first, periods and stages and statuses in
    words, the time in Vietnam time, the file's SHA-256 shortened."""
    h = history.sort_values("id", ascending=False)
    out = pd.DataFrame({
        "id": [f"#{int(i)}" for i in h["id"]],
        "period": [fmt_period(p, lang) for p in h["period"]],
        "stage": [_word(f"stage.{s}", lang, s) for s in h["stage"]],
        "status": [_word(f"hist.status_{s}", lang, s) for s in h["status"]],
        "row_count": h["row_count"].fillna(0).astype(int).to_numpy(),
        "user": h["user"].fillna("").astype(str).to_numpy(),
        "created_at": [fmt_time(v, lang) for v in h["created_at"]],
        "source_name": h["source_name"].fillna("").astype(str).to_numpy(),
        "sha": [sha12(v) for v in h["source_sha256"]],
    })
    return out.rename(columns={c: t(f"hist.{c}", lang) for c in HISTORY_COLUMNS})


def rollback_choices(history: pd.DataFrame, year: int) -> list[int]:
    """The submissions of ``year`` that a rollback can make current again, newest first."""
    h = history[(history["status"] != "current") &
                history["period"].astype(str).str.startswith(str(year))]
    return [int(i) for i in h.sort_values("id", ascending=False)["id"]]


def submission_label(history: pd.DataFrame, submission_id: int, lang: str = "vi") -> str:
    """'#12 · Quý IV/2019 · tự chấm · cua-lo-q4.xlsx · 02/12/2026 14:05' (plain text)."""
    r = history.loc[history["id"] == submission_id].iloc[0]
    return " · ".join([f"#{int(r['id'])}", fmt_period(r["period"], lang),
                       _word(f"stage.{r['stage']}", lang, r["stage"]),
                       str(r["source_name"] or ""), fmt_time(r["created_at"], lang)])


# -- the audit log ------------------------------------------------------------------------

def filter_log(log: pd.DataFrame, actions=None, user: str | None = None,
               unit: str | None = None, period: str | None = None) -> pd.DataFrame:
    """The audit log narrowed to some actions and one user, unit (id) and period (exact
    matches; None or empty keeps all), newest first."""
    keep = np.ones(len(log), dtype=bool)
    if actions:
        keep &= log["action"].isin(list(actions)).to_numpy()
    for column, wanted in (("user", user), ("unit", unit), ("period", period)):
        if wanted:
            keep &= (log[column].astype(object) == wanted).to_numpy()
    return log[keep].sort_values("id", ascending=False)


def log_choices(log: pd.DataFrame, units: pd.DataFrame) -> dict[str, list[str]]:
    """What the audit filters offer: the actions, users, units (by name) and periods (newest
    first) that occur in the log."""
    def present(column):
        return [v for v in log[column].dropna().astype(str).unique() if v]

    unit_ids = present("unit")
    return {"action": sorted(present("action")), "user": sorted(present("user"), key=str.lower),
            "unit": sorted(unit_ids, key=lambda u: (unit_label(u, units).lower(), u)),
            "period": sorted(present("period"), key=lambda p: (parse_period(p) is None,
                                                               parse_period(p) or p),
                             reverse=True)}


def action_word(action, lang: str = "vi") -> str:
    return _word(f"audit.action_{action}", lang, action)


def _detail_value(key: str, value, lang: str) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    if key == "stage":
        value = _word(f"stage.{value}", lang, value)
    if key == "action":
        value = action_word(value, lang)
    if key in ("from", "to"):
        value = _word(f"round.phase_{value}", lang, value)
    if key == "criteria_sha256":
        value = str(value)[:12]
    return str(value)


def _issue_text(issue: dict, lang: str) -> str:
    """A stored refusal's first problem, worded in ``lang`` (its place included)."""
    place = {k: issue[k] for k in ("file", "sheet", "row", "cell", "node", "line") if k in issue}
    try:
        return Issue(issue["code"], dict(issue.get("params") or {}), **place).render(lang)[:500]
    except (TypeError, ValueError):
        return str(issue.get("code"))


def detail_text(detail, lang: str = "vi") -> str:
    """The stored detail (JSON) as a short line: 'tệp: a.csv · 85 dòng · giai đoạn: tự chấm'.
    Text that is not a JSON object is shown as it is."""
    if detail is None or (not isinstance(detail, str) and pd.isna(detail)):
        return ""
    try:
        data = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    if not isinstance(data, dict):
        return str(detail)
    parts = []
    issue = data.pop("issue", None)
    if isinstance(issue, dict) and issue.get("code"):
        data.pop("first", None)  # the English text stored beside it, for older readers
        data["first"] = _issue_text(issue, lang)
    for key, value in data.items():
        if value is None or value == "" or value == []:
            continue
        text = _detail_value(key, value, lang)
        code = f"audit.detail_{key}"
        parts.append(t(code, lang, value=text) if code in MESSAGES else f"{key}: {text}")
    return " · ".join(parts)


def _times(values: pd.Series, lang: str) -> pd.Series:
    """fmt_time over a column at once (the log can be long): Vietnam time, '–' for none."""
    moments = pd.to_datetime(values, utc=True, errors="coerce")
    local = moments.dt.tz_convert(VIETNAM)
    text = local.dt.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
    return text.where(moments.notna(), "–")


def _submission(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else f"#{int(v)}" for v in values]


def audit_view(log: pd.DataFrame, units: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The log as the office reads it: newest first; time in Vietnam time; the action in
    words; the unit's id with its name beside it; the period as stored; the detail in
    words; the submission; the SHA-256 shortened."""
    log = log.sort_values("id", ascending=False)
    out = pd.DataFrame({
        "id": log["id"].astype(int).to_numpy(),
        "at": _times(log["at"], lang).to_numpy(),
        "user": log["user"].fillna("").astype(str).to_numpy(),
        "action": [action_word(a, lang) for a in log["action"]],
        "unit": log["unit"].fillna("").astype(str).to_numpy(),
        "unit_name": unit_names(log["unit"], units).to_numpy(),
        "period": log["period"].fillna("").astype(str).to_numpy(),
        "detail": [detail_text(d, lang) for d in log["detail"]],  # why, before the ids
        "submission_id": _submission(log["submission_id"]),
        "sha": [sha12(v) for v in log["source_sha256"]],
    })
    return out.rename(columns={c: t(f"audit.{c}", lang) for c in out.columns})


def audit_export(log: pd.DataFrame, units: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The log for the CSV download: the full values (exact UTC time, the action's code and
    word, the full SHA-256, the stored detail) with unit names beside ids, newest first."""
    log = log.sort_values("id", ascending=False)
    moments = pd.to_datetime(log["at"], utc=True, errors="coerce")
    out = pd.DataFrame({
        "id": log["id"].astype(int).to_numpy(),
        "at_utc": moments.map(lambda m: "" if pd.isna(m) else m.isoformat()).to_numpy(),
        "at": _times(log["at"], lang).to_numpy(),
        "user": log["user"].fillna("").astype(str).to_numpy(),
        "action_code": log["action"].fillna("").astype(str).to_numpy(),
        "action": [action_word(a, lang) for a in log["action"]],
        "unit": log["unit"].fillna("").astype(str).to_numpy(),
        "unit_name": unit_names(log["unit"], units).to_numpy(),
        "period": log["period"].fillna("").astype(str).to_numpy(),
        "submission_id": ["" if pd.isna(v) else str(int(v)) for v in log["submission_id"]],
        "source_sha256": log["source_sha256"].fillna("").astype(str).to_numpy(),
        "detail": log["detail"].fillna("").astype(str).to_numpy(),
    })
    return out.rename(columns={c: t(f"audit.{c}", lang) for c in out.columns})
