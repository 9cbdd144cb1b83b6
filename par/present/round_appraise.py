"""Thẩm định: what the appraisers' page shows, computed without Streamlit.

- ``my_domains``: the top-level domains an account appraises (an admin: every one);
- ``queue`` / ``filter_queue``: the level's units with counts of leaves in those domains
  (self-scored, appraised, waiting, flagged, explained) and whether each submitted, and the
  page's filters "chưa thẩm định", "yêu cầu giải trình", "đã giải trình";
- ``appraise_table``: one row per leaf of those domains for one unit: the unit's figure,
  points, note and evidence, and the appraisal (figure, comment, explanation request);
- ``appraisal_changes``: from the edited table, the rows and explanation requests a save
  sends to par.store.round_work.save_rows, and the problems to show instead.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from par.domain.issues import Issue
from par.domain.models import CriteriaSet
from par.i18n import t
from par.present.round_self import (
    current_rows,
    entries_of,
    figure_text,
    file_counts,
    filled,
    number_cells,
    text_cells,
)

QUEUE_COLUMNS = ["unit", "name", "group", "submitted", "self", "appraised", "todo", "flagged",
                 "explained", "leaves"]
FILTERS = ("all", "todo", "flagged", "explained")
APPRAISE_COLUMNS = ["code", "name", "max", "self_value", "self_points", "note", "evidence",
                    "files", "value", "numerator", "denominator", "comment", "points", "explain",
                    "explanation"]
EDITABLE = ["value", "numerator", "denominator", "comment", "explain"]
ENTRY_MAP = {"note": "comment", "evidence": None}  # the appraiser's comment is the row's note


def my_domains(actor, criteria: CriteriaSet) -> list[str]:
    """The top-level codes ``actor`` appraises in ``criteria``, in the set's order."""
    codes = [d.code for d in criteria.domains]
    if actor is not None and actor.role == "admin":
        return codes
    mine = set(getattr(actor, "domains", ()) or ())
    return [c for c in codes if c in mine]


def queue(states: pd.DataFrame, units: pd.DataFrame, criteria: CriteriaSet,
          domains: list[str], submitted) -> pd.DataFrame:
    """QUEUE_COLUMNS per unit of the level, in the units' order: counts of leaves of
    ``domains`` (``todo``: self-scored, not yet appraised; ``leaves``: how many there are)."""
    mine = states.loc[states["domain"].astype(str).isin(set(domains)).to_numpy()]
    mine = mine.assign(todo=mine["self"] & ~mine["appraised"])
    counts = mine.groupby("unit", sort=False)[
        ["self", "appraised", "todo", "flagged", "explained"]].sum()
    scored = units[units["level"] == criteria.level]
    ids = scored["id"].astype(str)
    counts = counts.reindex(ids, fill_value=0).astype(int)
    out = pd.DataFrame({"unit": ids.to_numpy(), "name": scored["name"].to_numpy(),
                        "group": scored["group"].to_numpy(),
                        "submitted": ids.isin(set(map(str, submitted))).to_numpy()})
    for column in ("self", "appraised", "todo", "flagged", "explained"):
        out[column] = counts[column].to_numpy()
    leaves = int(np.isin([criteria.domain_of[leaf.code] for leaf in criteria.leaves],
                         list(domains)).sum())
    out["leaves"] = leaves
    return out[QUEUE_COLUMNS]


def filter_queue(q: pd.DataFrame, which: str) -> pd.DataFrame:
    """The queue narrowed by a filter of FILTERS."""
    if which == "todo":
        return q[q["todo"] > 0]
    if which == "flagged":
        return q[q["flagged"] > 0]
    if which == "explained":
        return q[q["explained"] > 0]
    return q


def filter_label(q: pd.DataFrame, which: str, lang: str = "vi") -> str:
    """'Chưa thẩm định (12)'."""
    return t(f"rappr.filter_{which}", lang, count=len(filter_queue(q, which)))


def queue_table(q: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The queue for people: counts stay numbers (they sort as numbers)."""
    return pd.DataFrame({
        t("col.unit", lang): q["name"].to_numpy(),
        t("rappr.col_submitted", lang): q["submitted"].to_numpy(dtype=bool),
        t("rappr.col_self", lang): q["self"].to_numpy(dtype=int),
        t("rappr.col_appraised", lang): q["appraised"].to_numpy(dtype=int),
        t("rappr.col_todo", lang): q["todo"].to_numpy(dtype=int),
        t("rappr.col_flagged", lang): q["flagged"].to_numpy(dtype=int),
        t("rappr.col_explained", lang): q["explained"].to_numpy(dtype=int),
    })


def appraise_table(criteria: CriteriaSet, codes: list[str], rows: pd.DataFrame, unit: str,
                   period: str, flags: pd.DataFrame, evidence: pd.DataFrame,
                   points: pd.DataFrame, lang: str = "vi",
                   hidden_evidence: str = "") -> pd.DataFrame:
    """APPRAISE_COLUMNS, one row per leaf code: the unit's self row (figure, points, note,
    evidence text, how many files) beside the appraisal row (figure, comment; ``points``
    where an appraisal row decides), whether an explanation was asked for, and the answer.
    ``points`` is par.present.round_self.live_points for the unit."""
    nodes = criteria.nodes
    own = current_rows(rows, unit, period, "self")
    appraisal = current_rows(rows, unit, period, "appraisal")
    mine = flags[flags["unit"].astype(str) == unit] if flags is not None and len(flags) \
        else pd.DataFrame(columns=["criterion", "explanation"])
    mine = mine.assign(criterion=mine["criterion"].astype(str)).drop_duplicates(
        "criterion", keep="last").set_index("criterion")
    evidence_text = text_cells(own["evidence"], codes)
    if hidden_evidence:
        evidence_text = np.where(evidence_text == hidden_evidence, "", evidence_text)
    found = points.reindex(codes)
    decided = found["stage"].astype(object).eq("appraisal").to_numpy()
    return pd.DataFrame({
        "code": codes,
        "name": [nodes[c].display_name(lang) for c in codes],
        "max": np.array([nodes[c].max for c in codes], dtype=float),
        "self_value": figure_text(text_cells(own["value_text"], codes), number_cells(own["numerator"], codes),
                                  number_cells(own["denominator"], codes), lang),
        "self_points": found["self_points"].to_numpy(dtype=float),
        "note": text_cells(own["note"], codes),
        "evidence": evidence_text,
        "files": file_counts(evidence, unit, codes),
        "value": text_cells(appraisal["value_text"], codes),
        "numerator": number_cells(appraisal["numerator"], codes),
        "denominator": number_cells(appraisal["denominator"], codes),
        "comment": text_cells(appraisal["note"], codes),
        "points": np.where(decided, found["points"].to_numpy(dtype=float), np.nan),
        "explain": pd.Index(codes).isin(mine.index),
        "explanation": text_cells(mine["explanation"], codes) if len(mine) else [""] * len(codes),
    }, columns=APPRAISE_COLUMNS)


def appraisal_changes(base: pd.DataFrame, current: pd.DataFrame, *, may_flag: bool = True
                      ) -> tuple[pd.DataFrame, dict[str, str], list[Issue]]:
    """What a save sends: (entries for save_rows, {code: comment} to flag, problems).

    An entry is a leaf whose figure or comment changed; one whose figure was emptied clears
    the appraisal. A comment without a figure on a leaf never appraised is sent only as an
    explanation request when that is ticked, else it is a problem. A tick is sent when it is
    new (or its comment changed); a request already made cannot be taken back (a problem).
    Without ``may_flag`` (the final phase) no request is sent and the ticks are not read.
    Nothing is sent while there is a problem."""
    before = entries_of(base, ENTRY_MAP)
    after = entries_of(current, ENTRY_MAP)
    columns = ["value", "numerator", "denominator", "note"]
    changed = (before[columns].to_numpy() != after[columns].to_numpy()).any(axis=1)
    had, has = filled(before), filled(after)
    codes = after["criterion"].to_numpy()
    was = base["explain"].to_numpy(dtype=bool)
    ticked = current["explain"].fillna(False).to_numpy(dtype=bool) if may_flag else was
    comment_changed = before["note"].to_numpy() != after["note"].to_numpy()
    flag = ticked & (~was | comment_changed) & may_flag
    send = changed & (has | had)
    problems = [Issue("rappr.comment_without_value", {"criterion": c})
                for c in codes[changed & ~has & ~had & ~flag]]
    problems += [Issue("rappr.flag_kept", {"criterion": c})
                 for c in codes[was & ~ticked]]
    explain = {str(c): str(comment) for c, comment in zip(codes[flag], after["note"].to_numpy()[flag])}
    return after.loc[send].reset_index(drop=True), explain, problems


def editor_state_changed(state) -> bool:
    """Whether a data editor's state holds any edit."""
    return bool(isinstance(state, Mapping) and state.get("edited_rows"))
