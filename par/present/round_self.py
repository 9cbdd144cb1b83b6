"""Tự chấm: what the unit's self-assessment page shows, computed without Streamlit.

The page (par/app/round_self.py) only wires widgets to these functions:

- ``time_left`` / ``deadline_text``: a round's deadline in Vietnam time with the time left
  ("30/11/2025 17:00 (còn 3 ngày 4 giờ)", "… (đã hết hạn)");
- ``progress_text``: "42/70 tiêu chí đã chấm, 3 thiếu tài liệu" from a unit's status row;
- ``self_table``: one row per leaf of a domain for the editor (the unit's self row and,
  after appraisal, the appraised value and comment), ``apply_edits`` the editor's edits on
  it, ``entries_of``/``changed_entries`` the rows a save sends to
  par.store.round_work.save_rows;
- ``live_points``: the points each leaf gives, scored by the engine for this one unit from
  its stored rows with the typed (checked) rows in place of the stored ones; self points
  from the self rows alone, and the decided points (an appraisal row decides);
- ``flagged_leaves`` and ``files_of``: the explanation requests and evidence files of a unit.

Vectorised over the leaves of a domain: no loop over units × leaves.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet
from par.domain.periods import parse_period
from par.engine.scoring import score
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_time

INPUTS = ["value", "numerator", "denominator", "evidence", "note"]  # what a person types
NUMBERS = ["numerator", "denominator"]
TABLE_COLUMNS = ["code", "name", "rule", "max", "value", "numerator", "denominator", "evidence",
                 "note", "points", "appraised", "appraised_points", "comment"]
ENTRY_COLUMNS = ["criterion", "value", "numerator", "denominator", "evidence", "note"]
AFTER_APPRAISAL = ("appraisal", "explanation", "final", "published")


# -- deadlines, phase, progress ------------------------------------------------------------

def time_left(deadline: dt.datetime, now: dt.datetime, lang: str = "vi") -> str:
    """'còn 3 ngày 4 giờ', 'còn 5 giờ 10 phút', 'còn 7 phút' or 'đã hết hạn'."""
    seconds = (deadline - now).total_seconds()
    if seconds <= 0:
        return t("rself.expired", lang)
    minutes = max(int(seconds // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t("rself.left_days", lang, days=days, hours=hours)
    if hours:
        return t("rself.left_hours", lang, hours=hours, minutes=minutes)
    return t("rself.left_minutes", lang, minutes=minutes)


def deadline_text(deadline: dt.datetime, now: dt.datetime, lang: str = "vi") -> str:
    """The deadline in Vietnam time and the time left: '30/11/2025 17:00 (còn 2 ngày 3 giờ)'."""
    return t("rself.deadline_at", lang, at=fmt_time(deadline, lang),
             left=time_left(deadline, now, lang))


def is_after_appraisal(phase: str) -> bool:
    """Whether a unit sees appraised points and comments (the appraisal phase onward)."""
    return phase in AFTER_APPRAISAL


def progress_text(status: Mapping, lang: str = "vi") -> str:
    """'42/70 tiêu chí đã chấm, 3 thiếu tài liệu' (a row of RoundState.status())."""
    return t("rself.progress", lang, done=int(status["self"]), leaves=int(status["leaves"]),
             missing=int(status["missing_evidence"]))


# -- the editor's table ----------------------------------------------------------------------

def domain_leaves(criteria: CriteriaSet, domain: str) -> list[str]:
    """The leaf codes under a top-level domain, in tree order."""
    node = next(d for d in criteria.domains if d.code == domain)
    return [n.code for n in node.walk() if n.is_leaf]


def current_rows(rows: pd.DataFrame, unit: str, period: str, stage: str) -> pd.DataFrame:
    """The unit's rows of one stage in the period, one per criterion (the last wins)."""
    mask = ((rows["unit"].astype(str) == unit).to_numpy()
            & (rows["period"].astype(str) == str(period)).to_numpy()
            & (rows["stage"].astype(str) == stage).to_numpy())
    here = rows.loc[mask]
    here = here.assign(criterion=here["criterion"].astype(str))
    return here.drop_duplicates("criterion", keep="last").set_index("criterion")


def text_cells(series: pd.Series, codes: list[str]) -> np.ndarray:
    out = series.reindex(codes).astype(object)
    return out.where(out.notna(), "").astype(str).to_numpy()


def number_cells(series: pd.Series, codes: list[str]) -> np.ndarray:
    return pd.to_numeric(series.reindex(codes), errors="coerce").to_numpy(dtype=float)


def figure_text(value_text: np.ndarray, numerator: np.ndarray, denominator: np.ndarray,
                lang: str = "vi") -> list[str]:
    """What was typed, as one text: the value, or 'numerator/denominator' for a ratio."""
    out = []
    for v, n, d in zip(value_text, numerator, denominator):
        if str(v).strip():
            out.append(str(v))
        elif not (np.isnan(n) and np.isnan(d)):
            out.append(f"{_num(n, lang)}/{_num(d, lang)}")
        else:
            out.append("")
    return out


def _num(x: float, lang: str) -> str:
    """A figure without needless decimals: '12', '0,5', '87,25'."""
    if x is None or np.isnan(x):
        return "–"
    text = fmt_number(x, lang, decimals=2)
    mark = "," if lang == "vi" else "."
    return text.rstrip("0").rstrip(mark) if mark in text else text


def points_text(x, lang: str = "vi") -> str:
    """Points as people write them: '7,5', '10', '–' for none."""
    return _num(float(x) if x is not None else np.nan, lang)


def self_table(criteria: CriteriaSet, codes: list[str], rows: pd.DataFrame, unit: str,
               period: str, rules: Mapping[str, str], lang: str = "vi",
               hidden_evidence: str = "") -> pd.DataFrame:
    """TABLE_COLUMNS, one row per leaf code: the unit's current self row (value as typed,
    numerator, denominator, evidence text, note) and appraisal row (the appraised figure
    and the appraiser's comment); points are NaN until ``with_points``. ``hidden_evidence``
    is the text the store reads for an empty evidence cell with files attached: shown
    blank, so it is never saved back as if someone had typed it."""
    nodes = criteria.nodes
    own = current_rows(rows, unit, period, "self")
    appraisal = current_rows(rows, unit, period, "appraisal")
    evidence = text_cells(own["evidence"], codes)
    if hidden_evidence:
        evidence = np.where(evidence == hidden_evidence, "", evidence)
    return pd.DataFrame({
        "code": codes,
        "name": [nodes[c].display_name(lang) for c in codes],
        "rule": [rules.get(c, "") for c in codes],
        "max": np.array([nodes[c].max for c in codes], dtype=float),
        "value": text_cells(own["value_text"], codes),
        "numerator": number_cells(own["numerator"], codes),
        "denominator": number_cells(own["denominator"], codes),
        "evidence": evidence,
        "note": text_cells(own["note"], codes),
        "points": np.full(len(codes), np.nan),
        "appraised": figure_text(text_cells(appraisal["value_text"], codes),
                                 number_cells(appraisal["numerator"], codes),
                                 number_cells(appraisal["denominator"], codes), lang),
        "appraised_points": np.full(len(codes), np.nan),
        "comment": text_cells(appraisal["note"], codes),
    }, columns=TABLE_COLUMNS)


def apply_edits(table: pd.DataFrame, state, editable: Iterable[str] = INPUTS) -> pd.DataFrame:
    """``table`` with the edits of a data editor's state ({"edited_rows": {row: {column:
    value}}}) applied to the ``editable`` columns: what the editor shows (and returns)."""
    edited = (state or {}).get("edited_rows", {}) if isinstance(state, Mapping) else {}
    if not edited:
        return table
    out = table.copy()
    allowed = set(editable)
    for row, changes in edited.items():
        i = int(row)
        if not 0 <= i < len(out):
            continue
        for column, value in (changes or {}).items():
            if column in allowed:
                j = out.columns.get_loc(column)
                out.iat[i, j] = _cell(value, out[column].dtype)
    return out


def _cell(value, dtype):
    if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        if pd.api.types.is_bool_dtype(dtype):
            return bool(value)
        try:
            return float(value) if value is not None and str(value).strip() != "" else np.nan
        except (TypeError, ValueError):
            return np.nan
    return "" if value is None else str(value)


def _number_text(values) -> list[str]:
    """Numbers as the input check reads them ('12', '0.5'), blank for none."""
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            out.append("" if v is None else str(v).strip())
            continue
        out.append("" if np.isnan(f) else format(f, ".15g"))
    return out


def _plain(values) -> list[str]:
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
            for v in values]


def entries_of(table: pd.DataFrame, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """ENTRY_COLUMNS (all text) from an editor's table; ``columns`` maps an entry column to
    the table's column where they differ (the appraisal page's comment is the note)."""
    columns = {c: c for c in INPUTS} | dict(columns or {})
    data = {"criterion": table["code"].astype(str).tolist()}
    for entry in INPUTS:
        source = columns.get(entry)
        if source is None or source not in table:
            data[entry] = [""] * len(table)
        elif entry in NUMBERS:
            data[entry] = _number_text(table[source])
        else:
            data[entry] = _plain(table[source])
    return pd.DataFrame(data, columns=ENTRY_COLUMNS)


def changed_entries(base: pd.DataFrame, current: pd.DataFrame,
                    columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The entries whose typed cells differ from ``base`` (what a save must send)."""
    before, after = entries_of(base, columns), entries_of(current, columns)
    differs = (before[INPUTS].to_numpy() != after[INPUTS].to_numpy()).any(axis=1)
    return after.loc[differs].reset_index(drop=True)


def filled(entries: pd.DataFrame) -> np.ndarray:
    """Which entries carry a figure (a value, a numerator or a denominator)."""
    return (entries[["value", "numerator", "denominator"]].astype(str)
            .apply(lambda c: c.str.strip().ne("")).any(axis=1).to_numpy())


# -- points -----------------------------------------------------------------------------

def live_points(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame, unit: str,
                period: str, typed: pd.DataFrame | None = None, *, stage: str = "self",
                replaced: Iterable[str] = (), with_files: Iterable[str] = (),
                filler: str = "") -> pd.DataFrame:
    """Per leaf code of the set, for ``unit`` as of the round's ``period``: ``self_points``
    (its self rows alone), ``points`` and ``stage`` (what decides: an appraisal row where
    there is one) and ``missing_evidence``.

    ``typed`` are checked rows (par.read.inputs ROW_COLUMNS) of ``stage`` in the period
    that take the place of the stored ones for the ``replaced`` codes (a replaced code
    without a typed row counts as cleared). A typed self row with an empty evidence text
    for a leaf in ``with_files`` reads ``filler``, as the store reads it."""
    own = rows.loc[(rows["unit"].astype(str) == unit).to_numpy()]
    replaced = set(map(str, replaced))
    if replaced:
        drop = ((own["period"].astype(str) == str(period)).to_numpy()
                & (own["stage"].astype(str) == stage).to_numpy()
                & own["criterion"].astype(str).isin(replaced).to_numpy())
        own = own.loc[~drop]
    parts = [own]
    if typed is not None and len(typed):
        typed = typed.assign(stage=stage)
        if stage == "self" and filler:
            files = typed["criterion"].astype(str).isin(set(map(str, with_files))).to_numpy()
            blank = typed["evidence"].astype(object).fillna("").astype(str).str.strip().eq("")
            typed = typed.assign(evidence=typed["evidence"].astype(object).where(
                ~(files & blank.to_numpy()), filler))
        parts.append(typed[own.columns])
    combined = pd.concat(parts, ignore_index=True) if len(parts) > 1 else own
    scored = units.loc[units.index.astype(str) == unit]
    as_of = parse_period(str(period))
    decided = _leaf_frame(score(criteria, scored, combined, as_of))
    self_only = combined.loc[(combined["stage"].astype(str) == "self").to_numpy()]
    selfs = _leaf_frame(score(criteria, scored, self_only, as_of))
    return pd.DataFrame({
        "self_points": selfs["points"].where(~selfs["missing"]),
        "points": decided["points"].where(~decided["missing"]),
        "stage": decided["stage"].astype(object),
        "missing_evidence": selfs["missing_evidence"].astype(bool),
    })


def _leaf_frame(card) -> pd.DataFrame:
    leaves = card.leaves
    return leaves.assign(criterion=leaves["criterion"].astype(str)).set_index("criterion")


def with_points(table: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """The editor's table with ``points`` (self points) and ``appraised_points`` (where an
    appraisal row decides) from ``live_points``."""
    found = points.reindex(table["code"].astype(str))
    appraised = found["stage"].astype(object).eq("appraisal").to_numpy()
    return table.assign(
        points=found["self_points"].to_numpy(dtype=float),
        appraised_points=np.where(appraised, found["points"].to_numpy(dtype=float), np.nan))


def missing_evidence(points: pd.DataFrame, codes: list[str]) -> list[str]:
    """The codes (of ``codes``, in order) scored 0 because they need evidence and have none."""
    found = points["missing_evidence"].reindex(codes, fill_value=False).to_numpy(dtype=bool)
    return [c for c, m in zip(codes, found) if m]


def domain_total(table: pd.DataFrame, column: str = "points") -> tuple[float, float]:
    """(points, max) of the table's leaves: what the domain's leaves give so far."""
    return float(np.nansum(table[column].to_numpy(dtype=float))), float(table["max"].sum())


# -- flags and files ------------------------------------------------------------------

FLAG_COLUMNS = ["code", "name", "comment", "requested_by", "requested_at", "explanation",
                "explained_by", "explained_at"]


def flagged_leaves(flags: pd.DataFrame, unit: str, criteria: CriteriaSet,
                   lang: str = "vi") -> pd.DataFrame:
    """The unit's explanation requests in tree order (FLAG_COLUMNS)."""
    if flags is None or not len(flags):
        return pd.DataFrame(columns=FLAG_COLUMNS)
    mine = flags[flags["unit"].astype(str) == unit]
    order = {code: i for i, code in enumerate(criteria.nodes)}
    mine = mine.assign(code=mine["criterion"].astype(str))
    mine = mine.iloc[np.argsort([order.get(c, len(order)) for c in mine["code"]], kind="stable")]
    nodes = criteria.nodes
    out = mine.assign(name=[nodes[c].display_name(lang) if c in nodes else c
                            for c in mine["code"]])
    for column in ("comment", "explanation", "requested_by", "explained_by"):
        out[column] = out[column].astype(object).where(out[column].notna(), "")
    return out[FLAG_COLUMNS].reset_index(drop=True)


def files_of(evidence: pd.DataFrame, unit: str, codes: Iterable[str] | None = None,
             purpose: str | None = None) -> pd.DataFrame:
    """The unit's evidence files (RoundState.evidence rows), of some leaves, of one purpose."""
    if evidence is None or not len(evidence):
        return evidence.iloc[0:0] if evidence is not None else pd.DataFrame()
    mask = evidence["unit"].astype(str) == unit
    if codes is not None:
        mask &= evidence["criterion"].astype(str).isin(set(map(str, codes)))
    if purpose is not None:
        mask &= evidence["purpose"].astype(str) == purpose
    return evidence.loc[mask].sort_values(["criterion", "id"]).reset_index(drop=True)


def file_counts(evidence: pd.DataFrame, unit: str, codes: list[str]) -> np.ndarray:
    """How many self-assessment files each code has."""
    files = files_of(evidence, unit, codes, "self")
    if not len(files):
        return np.zeros(len(codes), dtype=int)
    counts = files["criterion"].astype(str).value_counts()
    return counts.reindex(codes, fill_value=0).to_numpy(dtype=int)


def size_text(size, lang: str = "vi") -> str:
    """A file's size as people read it: '850 B', '12 KB', '1,2 MB'."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{fmt_number(size / 1024, lang, decimals=0)} KB"
    return f"{fmt_number(size / 1024 / 1024, lang, decimals=1)} MB"
