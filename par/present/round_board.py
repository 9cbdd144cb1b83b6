"""The "Đợt chấm điểm" page's words and tables (par/app/rounds.py draws them).

Pure: rounds (par.domain.rounds.Round), a round's status (par.analysis.round_status) and
its publications in, frames and sentences for people out. The status board keeps its
counts numeric (a click on a header sorts 9 before 10) and writes them as people read them
("42/70"), the par.present.tables way; the unit × domain grid is a styled table whose cells
read "5/7" and whose colour says how much of the domain is done.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from par.domain.rounds import PHASES, VIETNAM
from par.i18n import t
from par.i18n.formatting import fmt_period, fmt_time
from par.present.tables import Format, Shown, group_label

FILTERS = ("all", "not_submitted", "flagged", "missing_evidence")
GRID_WHAT = ("appraised", "self", "flagged", "explained")
# the grid's colour: none done → white, the whole domain → the accent blue
GRID_RGB = (31, 95, 168)


# -- rounds ------------------------------------------------------------------------------

def phase_name(phase: str, lang: str = "vi") -> str:
    return t(f"round.phase_{phase}", lang)


def period_choices(criteria) -> list[str]:
    """A round's possible periods for a set: its year (the official index), then its quarters."""
    return [str(criteria.year)] + [f"{criteria.year}-Q{q}" for q in range(1, 5)]


def round_title(rnd, lang: str = "vi", set_title: str | None = None) -> str:
    """'#3 · Bộ chỉ số xã 2025 · Cả năm 2025' (a picker's label: nothing in it changes while
    the round runs, so a browser keeps the pick across a phase change)."""
    return t("rboard.round_label", lang, id=rnd.id, set=set_title or rnd.criteria_id,
             period=fmt_period(rnd.period, lang))


def rounds_table(rounds, lang: str = "vi", titles: dict | None = None) -> pd.DataFrame:
    """One row per round, newest first as given: number, set, period, phase in words, the
    deadlines and who created it when (Vietnam time)."""
    titles = titles or {}
    c = {k: t(f"rboard.col.{k}", lang) for k in (
        "round", "set", "period", "phase", "self_until", "explain_until", "created_by",
        "created_at")}
    return pd.DataFrame({
        c["round"]: [f"#{r.id}" for r in rounds],
        c["set"]: [titles.get(r.criteria_id, r.criteria_id) for r in rounds],
        c["period"]: [fmt_period(r.period, lang) for r in rounds],
        c["phase"]: [phase_name(r.phase, lang) for r in rounds],
        c["self_until"]: [fmt_time(r.self_until, lang) for r in rounds],
        c["explain_until"]: [fmt_time(r.explain_until, lang) for r in rounds],
        c["created_by"]: [r.created_by for r in rounds],
        c["created_at"]: [fmt_time(r.created_at, lang) for r in rounds],
    }, columns=list(c.values()))


def progress(phase: str, lang: str = "vi") -> str:
    """The five phases as one Markdown line: the done ones green with a tick, the current
    one bold on blue, the rest grey — 'Tự chấm → Thẩm định → … → Đã công bố'."""
    at = PHASES.index(phase)
    steps = []
    for i, p in enumerate(PHASES):
        name = phase_name(p, lang)
        if i < at or (i == at and p == "published"):
            steps.append(f":green[✓ {name}]")
        elif i == at:
            steps.append(f":blue-background[**▶ {name}**]")
        else:
            steps.append(f":gray[{name}]")
    return " → ".join(steps)


def advance_text(rnd, lang: str = "vi") -> tuple[str, str] | None:
    """(button label, confirming tick's sentence) of moving ``rnd`` on; from the decision
    phase the move publishes, and both say so. None for a published round."""
    nxt = rnd.next_phase
    if nxt is None:
        return None
    names = dict(round=f"#{rnd.id}", current=phase_name(rnd.phase, lang),
                 next=phase_name(nxt, lang))
    if nxt == "published":
        return (t("rboard.publish_button", lang, **names),
                t("rboard.publish_confirm", lang, **names))
    return (t("rboard.advance_button", lang, **names),
            t("rboard.advance_confirm", lang, **names))


def deadline_parts(moment: dt.datetime) -> tuple[dt.date, dt.time]:
    """A stored deadline as the date and time a person typed (Vietnam time)."""
    local = pd.Timestamp(moment).to_pydatetime()
    if local.tzinfo is None:
        local = local.replace(tzinfo=dt.timezone.utc)
    local = local.astimezone(VIETNAM)
    return local.date(), local.time().replace(second=0, microsecond=0)


def deadline_at(day: dt.date, time: dt.time | None) -> dt.datetime:
    """A date and a time typed in Vietnam time as an aware moment (no time: end of day)."""
    if time is None:
        time = dt.time(23, 59, 59)
    return dt.datetime.combine(day, time).replace(tzinfo=VIETNAM)


def default_deadlines(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A new round's suggested deadlines: self-assessment in two weeks, explanations two
    weeks later, both at 17:00 (end of office hours)."""
    five = dt.time(17, 0)
    return (deadline_at(today + dt.timedelta(days=14), five),
            deadline_at(today + dt.timedelta(days=28), five))


# -- the status board --------------------------------------------------------------------

def board_counts(status: pd.DataFrame) -> dict:
    """The board's headline figures: units, submitted, with flags, with missing evidence,
    and the leaves appraised of all leaves."""
    leaves = int(status["leaves"].sum()) if len(status) else 0
    return {"units": len(status), "submitted": int(status["submitted"].sum()),
            "flagged": int((status["flagged"] > 0).sum()),
            "missing": int((status["missing_evidence"] > 0).sum()),
            "appraised": int(status["appraised"].sum()), "leaves": leaves}


def filter_status(status: pd.DataFrame, which: str = "all") -> pd.Series:
    """Which units the board shows (a boolean mask over ``status``): all, those not
    submitted, those with explanation requests, those missing evidence."""
    if which == "not_submitted":
        return ~status["submitted"].astype(bool)
    if which == "flagged":
        return status["flagged"] > 0
    if which == "missing_evidence":
        return status["missing_evidence"] > 0
    if which != "all":
        raise ValueError(f"unknown filter {which!r}; expected one of {FILTERS}")
    return pd.Series(True, index=status.index)


def status_table(status: pd.DataFrame, lang: str = "vi") -> Shown:
    """The board (par.analysis.round_status.unit_status) as people read it, by unit id:
    unit, group, submitted, self-scored 'x/70', appraised 'x/70', flagged, explained
    'x/y' of the flagged, missing evidence. Counts stay numbers, so they sort as numbers."""
    c = {k: t(f"rboard.col.{k}", lang) for k in (
        "unit", "group", "submitted", "self", "appraised", "flagged", "explained", "missing")}
    frame = pd.DataFrame({
        c["unit"]: status["name"].to_numpy(dtype=object),
        c["group"]: [group_label(g, lang) for g in status["group"]],
        c["submitted"]: np.where(status["submitted"].to_numpy(dtype=bool),
                                 t("rboard.submitted_yes", lang), t("rboard.submitted_no", lang)),
        c["self"]: status["self"].to_numpy(dtype=np.int64),
        c["appraised"]: status["appraised"].to_numpy(dtype=np.int64),
        c["flagged"]: status["flagged"].to_numpy(dtype=np.int64),
        c["explained"]: status["explained"].to_numpy(dtype=np.int64),
        c["missing"]: status["missing_evidence"].to_numpy(dtype=np.int64),
    }, index=pd.Index(status["unit"].astype(str).to_numpy(), name=None))
    leaves = int(status["leaves"].iloc[0]) if len(status) else 0
    of = (lambda v: f"{int(v)}/{leaves}")
    flagged = dict(zip(frame.index, frame[c["flagged"]]))
    formats = [Format(c["self"], of), Format(c["appraised"], of)]
    # explained reads "x/y" of the unit's flags: one format per distinct y, vectorised by rows
    for n in sorted(set(flagged.values()) - {0}):
        rows = frame.index[frame[c["flagged"]].to_numpy() == n]
        formats.append(Format(c["explained"], lambda v, n=n: f"{int(v)}/{n}", rows))
    return Shown(frame, formats)


def grid_table(grid: pd.DataFrame, sizes: dict[str, int], names: dict[str, str],
               criteria, lang: str = "vi"):
    """The unit × domain grid (par.analysis.round_status.domain_grid) as a pandas Styler:
    rows the unit names, one column per domain ('1. Công tác chỉ đạo…'), each cell 'x/n'
    (n the domain's leaves), coloured from white (none) to blue (all)."""
    nodes = criteria.nodes
    headers = [_short(f"{d}. {nodes[d].display_name(lang)}", 26) for d in grid.columns]
    frame = pd.DataFrame(grid.to_numpy(dtype=np.int64), columns=headers,
                         index=[names.get(u, u) for u in grid.index])
    frame.index = _unique(frame.index)
    total = np.array([max(sizes.get(d, 0), 1) for d in grid.columns], dtype=float)
    share = frame.to_numpy(dtype=float) / total
    css = _cell_css(share)
    sty = frame.style
    for header, n in zip(headers, [sizes.get(d, 0) for d in grid.columns]):
        sty = sty.format(lambda v, n=n: f"{int(v)}/{n}", subset=[header])
    return sty.apply(lambda _: pd.DataFrame(css, index=frame.index, columns=frame.columns),
                     axis=None)


def _cell_css(share: np.ndarray) -> np.ndarray:
    r, g, b = GRID_RGB
    alpha = np.round(np.clip(share, 0, 1) * 0.85, 2)
    colour = np.where(alpha > 0.45, "white", "black")
    return np.char.add(np.char.add(np.char.add(
        f"background-color: rgba({r},{g},{b},", alpha.astype(str)), "); color: "),
        colour.astype(str))


def grid_legend(what: str, lang: str = "vi") -> str:
    return t("rboard.grid_legend", lang, what=t(f"rboard.grid.{what}", lang))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _unique(index: pd.Index) -> pd.Index:
    """Row labels made unique (two units may share a name: the grid's rows are by name)."""
    seen: dict[str, int] = {}
    out = []
    for label in index:
        n = seen.get(label, 0)
        seen[label] = n + 1
        out.append(label if n == 0 else f"{label} ({n + 1})")
    return pd.Index(out)


# -- publications --------------------------------------------------------------------------

def publications_table(pubs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The round's publications, newest first: number, date and time, who, the set's hash."""
    c = {k: t(f"rboard.col.{k}", lang) for k in ("publication", "published_at",
                                                 "published_by", "hash")}
    return pd.DataFrame({
        c["publication"]: [f"#{int(i)}" for i in pubs["id"]],
        c["published_at"]: [fmt_time(v, lang) for v in pubs["published_at"]],
        c["published_by"]: pubs["published_by"].astype(str).to_numpy(),
        c["hash"]: [str(h)[:12] for h in pubs["criteria_sha256"]],
    }, columns=list(c.values()))
