"""The "Khảo sát" page's tables and texts, and the unit page's survey part: pure functions
from par.store.surveys / par.read.survey_answers results to tables people read
(../shared/spec/SURVEY.md). Numbers stay numbers (``par.present.tables.Shown``).

A leaf's interval: its value is the mean of its questions' ``pct``; its interval is the mean
of those questions' bounds (as if the questions moved together: never narrower than the
questions' own, so it does not overstate precision).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet, SurveyForm
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank, fmt_time
from par.present.safe import md
from par.present.tables import Format, Shown, number

PREVIEW_ROWS = 10  # the first rows of an answers file shown before it is stored


def names_of(units: pd.DataFrame) -> dict[str, str]:
    """unit id → name (the store's units table, indexed by id)."""
    return dict(zip(units["id"].astype(str), units["name"].astype(str)))


def level_units(units: pd.DataFrame, criteria: CriteriaSet) -> list[str]:
    """The ids of the units a set scores (its level), in the store's order."""
    return units.loc[units["level"] == criteria.level, "id"].astype(str).tolist()


def respondents_per_unit(unit_ids, counts: pd.Series, names: dict[str, str],
                         min_responses: int, lang: str = "vi") -> Shown:
    """One row per unit of the set (those without answers too, with 0): the unit, how many
    respondents answered, and whether that is below ``min_responses``; fewest first."""
    unit_ids = list(unit_ids)
    extra = [u for u in counts.index if u not in set(unit_ids)]
    ids = unit_ids + extra
    n = counts.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    status = np.where(n == 0, t("spage.status_none", lang),
                      np.where(n < min_responses, t("spage.status_low", lang, min=min_responses),
                               t("spage.status_ok", lang)))
    frame = pd.DataFrame({t("col.unit", lang): [names.get(u, u) for u in ids],
                          t("spage.col_respondents", lang): n,
                          t("spage.col_status", lang): status}, index=ids)
    frame = frame.sort_values(t("spage.col_respondents", lang), kind="stable")
    return Shown(frame, [Format(t("spage.col_respondents", lang), number(lang, 0))])


def answer_counts(wide: pd.DataFrame) -> pd.Series:
    """Respondents per unit id in an answers table (``SurveyAnswers.wide``)."""
    return wide["unit"].astype(str).value_counts(sort=False)


def preview_rows(wide: pd.DataFrame, form: SurveyForm, names: dict[str, str],
                 lang: str = "vi", rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first rows of a checked answers table as read: source row, unit, respondent and
    the answer to each question (the file's other columns left out)."""
    head = wide.head(rows)
    codes = [q.code for q in form.questions]
    out = pd.DataFrame({t("spage.col_row", lang): head["row"].to_numpy(),
                        t("col.unit", lang): [names.get(str(u), str(u)) for u in head["unit"]],
                        t("spage.col_respondent", lang): head["respondent"].astype(str)
                        .to_numpy()})
    for code in codes:
        out[code] = head[code].astype(str).to_numpy()
    return out


def low_units(questions: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Names of the units flagged below the form's ``min_responses`` (fewest first)."""
    if questions.empty:
        return []
    per_unit = questions.groupby("unit", sort=False).agg(
        respondents=("respondents", "first"), low=("flag_low_n", "first"))
    low = per_unit[per_unit["low"]].sort_values("respondents", kind="stable")
    return [names.get(str(u), str(u)) for u in low.index]


def question_label(form: SurveyForm, code: str) -> str:
    """'Q1 · Mức độ kịp thời …' (a picker's label)."""
    text = next((q.text for q in form.questions if q.code == code), "")
    return f"{code} · {text}" if text else code


def leaf_intervals(questions: pd.DataFrame, leaves: pd.DataFrame, criteria: CriteriaSet
                   ) -> pd.DataFrame:
    """``leaves`` (par.engine.survey.LEAF_COLUMNS) with ``ci_low``, ``ci_high`` (the mean of
    its questions' bounds, over the questions with a value) and ``n`` (the fewest answers
    among them)."""
    out = leaves.copy()
    if leaves.empty:
        return out.assign(ci_low=pd.Series(dtype=float), ci_high=pd.Series(dtype=float),
                          n=pd.Series(dtype=np.int64))
    link = pd.DataFrame([(code, q) for code in pd.unique(leaves["criterion"])
                         for q in criteria.nodes[code].rule.source.questions],
                        columns=["criterion", "question"])
    merged = questions[["unit", "question", "pct", "ci_low", "ci_high", "n"]].merge(
        link, on="question")
    merged = merged[merged["pct"].notna()]
    bounds = merged.groupby(["unit", "criterion"], sort=False).agg(
        ci_low=("ci_low", "mean"), ci_high=("ci_high", "mean"), n=("n", "min")).reset_index()
    return out.merge(bounds, on=["unit", "criterion"], how="left")


def _interval_writer(lang: str):
    return lambda v: "–" if v is None or (isinstance(v, float) and np.isnan(v)) \
        else fmt_number(v, lang, 1)


def results_table(questions: pd.DataFrame, form: SurveyForm, names: dict[str, str],
                  lang: str = "vi") -> Shown:
    """Per unit × question: unit, question, percent, its 95% interval, n, respondents and
    the low-sample flag; numeric columns stay numbers (the grid sorts by them)."""
    c_pct, c_low, c_high = (t("spage.col_pct", lang), t("spage.col_ci_low", lang),
                            t("spage.col_ci_high", lang))
    c_n, c_resp = t("spage.col_n", lang), t("spage.col_respondents", lang)
    frame = pd.DataFrame({
        t("col.unit", lang): [names.get(str(u), str(u)) for u in questions["unit"]],
        t("spage.col_question", lang): questions["question"].astype(str).to_numpy(),
        c_pct: questions["pct"].to_numpy(dtype=float),
        c_low: questions["ci_low"].to_numpy(dtype=float),
        c_high: questions["ci_high"].to_numpy(dtype=float),
        c_n: questions["n"].to_numpy(dtype=np.int64),
        c_resp: questions["respondents"].to_numpy(dtype=np.int64),
        t("spage.col_low", lang): np.where(questions["flag_low_n"].to_numpy(dtype=bool),
                                           t("spage.low_mark", lang, min=form.min_responses),
                                           ""),
    })
    one = _interval_writer(lang)
    return Shown(frame, [Format(c_pct, one), Format(c_low, one), Format(c_high, one),
                         Format(c_n, number(lang, 0)), Format(c_resp, number(lang, 0))])


def leaves_table(questions: pd.DataFrame, leaves: pd.DataFrame, criteria: CriteriaSet,
                 names: dict[str, str], lang: str = "vi") -> Shown:
    """Per unit × survey leaf: the value that enters scoring and its interval."""
    data = leaf_intervals(questions, leaves, criteria)
    c_val, c_low, c_high = (t("spage.col_value", lang), t("spage.col_ci_low", lang),
                            t("spage.col_ci_high", lang))
    frame = pd.DataFrame({
        t("col.unit", lang): [names.get(str(u), str(u)) for u in data["unit"]],
        t("col.code", lang): data["criterion"].astype(str).to_numpy(),
        t("col.criterion", lang): [criteria.nodes[c].name for c in data["criterion"]],
        c_val: data["value"].to_numpy(dtype=float),
        c_low: data["ci_low"].to_numpy(dtype=float),
        c_high: data["ci_high"].to_numpy(dtype=float),
        t("spage.col_respondents", lang): data["respondents"].to_numpy(dtype=np.int64),
    })
    one = _interval_writer(lang)
    return Shown(frame, [Format(c_val, one), Format(c_low, one), Format(c_high, one),
                         Format(t("spage.col_respondents", lang), number(lang, 0))])


def history_table(history: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The imports of a form (par.store.surveys.imports), newest first, as people read them."""
    h = history.iloc[::-1]
    return pd.DataFrame({
        t("spage.col_import", lang): h["id"].astype(int).to_numpy(),
        t("spage.col_period", lang): [fmt_period(p, lang) for p in h["period"]],
        t("spage.col_when", lang): [fmt_time(v, lang) for v in h["created_at"]],
        t("spage.col_user", lang): h["user"].astype(str).to_numpy(),
        t("spage.col_file", lang): h["source_name"].astype(str).to_numpy(),
        t("spage.col_respondents", lang): h["rows"].astype(int).to_numpy(),
        t("spage.col_answers", lang): h["answers"].astype(int).to_numpy(),
        t("spage.col_state", lang): [t(f"spage.state_{s}", lang) if s in ("current",
                                     "superseded") else str(s) for s in h["status"]],
    })


def imported_text(imported, form: SurveyForm, units_with_answers: int, lang: str = "vi"
                  ) -> tuple[str, str]:
    """What an import did: (the flash message in full, the toast's short form)."""
    key = "spage.imported_replaced" if imported.replaces else "spage.imported"
    respondents = fmt_number(imported.respondents, lang, 0)
    full = t(key, lang, id=imported.id, form=form.name, period=fmt_period(imported.period, lang),
             respondents=respondents, answers=fmt_number(imported.answers, lang, 0),
             units=units_with_answers, leaves=len(imported.leaves),
             replaces=imported.replaces or "")
    return full, t("spage.imported_toast", lang, id=imported.id, respondents=respondents,
                   units=units_with_answers)


def unit_survey_part(card, unit: str, results: dict, lang: str = "vi"
                     ) -> tuple[Shown, dict] | None:
    """The unit page's survey part. ``results``: form id → (questions, leaves) of the card's
    period (par.store.surveys.results). Returns (per survey leaf: form, code, criterion, value,
    interval, respondents, points, max; the totals {"points", "max", "low": a flagged sample}) or None
    when the unit has no survey value."""
    criteria = card.criteria
    rows = []
    for form_id, (questions, leaves) in results.items():
        mine = leaves[leaves["unit"].astype(str) == str(unit)]
        if mine.empty:
            continue
        data = leaf_intervals(questions, mine, criteria)
        data = data.assign(form=criteria.survey(form_id).name)
        rows.append(data)
    if not rows:
        return None
    data = pd.concat(rows, ignore_index=True)
    scored = card.leaves[card.leaves["unit"].astype(str) == str(unit)].set_index("criterion")
    points = scored["points"].reindex(data["criterion"]).to_numpy(dtype=float)
    maxes = scored["max"].reindex(data["criterion"]).to_numpy(dtype=float)
    c_val, c_low, c_high = (t("spage.col_value", lang), t("spage.col_ci_low", lang),
                            t("spage.col_ci_high", lang))
    c_pts, c_max = t("spage.col_points", lang), t("col.max", lang)
    frame = pd.DataFrame({
        t("spage.col_form", lang): data["form"].to_numpy(dtype=object),
        t("col.code", lang): data["criterion"].astype(str).to_numpy(),
        t("col.criterion", lang): [criteria.nodes[c].name for c in data["criterion"]],
        c_val: data["value"].to_numpy(dtype=float),
        c_low: data["ci_low"].to_numpy(dtype=float),
        c_high: data["ci_high"].to_numpy(dtype=float),
        t("spage.col_respondents", lang): data["respondents"].to_numpy(dtype=np.int64),
        c_pts: points, c_max: maxes,
    })
    one = _interval_writer(lang)
    shown = Shown(frame, [Format(c_val, one), Format(c_low, one), Format(c_high, one),
                          Format(t("spage.col_respondents", lang), number(lang, 0)),
                          Format(c_pts, number(lang)), Format(c_max, number(lang))])
    total_points = float(np.nansum(points))
    total_max = float(np.nansum(maxes))
    return shown, {"points": total_points, "max": total_max,
                   "low": bool(data["flag_low_n"].any())}


# -- rank intervals from survey sampling error (par.decide.survey_bootstrap) ----------------------

NOISE_SHARE = 0.05  # an order flipping in at least this share of replicates is within the noise
NOISE_PAIRS_SHOWN = 8  # the most pairs a sentence names (the rest are counted)


def _percent(share) -> float:
    return float("nan") if share is None or pd.isna(share) else 100.0 * float(share)


def rank_noise_table(intervals: pd.DataFrame, lang: str = "vi") -> Shown:
    """Per ranked unit (best first), from ``survey_rank_interval``: unit, rank ("14/21"), the
    interval ("12–16"; the number is its low end, so the grid sorts by it), the unit ranked
    just above, and how often their order flips (%, "–" for the first). Numbers stay numbers."""
    d = intervals[intervals["rank"].notna()].sort_values("rank", kind="stable")
    c_rank, c_int = t("col.rank", lang), t("spage.col_rank_interval", lang)
    c_above, c_flip = t("spage.col_above", lang), t("spage.col_flip", lang)
    name = intervals["name"].astype(str)
    above = [name.get(a, str(a)) if not pd.isna(a) else "" for a in d["above"]]
    frame = pd.DataFrame({
        t("col.unit", lang): d["name"].astype(str).to_numpy(),
        c_rank: d["rank"].to_numpy(dtype=np.int64),
        c_int: d["low"].to_numpy(dtype=np.int64),
        c_above: above,
        c_flip: [_percent(s) for s in d["flip_share"]],
    }, index=d.index)
    formats = []
    of, high = d["of"].to_numpy(dtype=np.int64), d["high"].to_numpy(dtype=np.int64)
    for o in np.unique(of):  # one "of" in a card; written per value all the same
        formats.append(Format(c_rank, lambda r, o=int(o): fmt_rank(r, o), d.index[of == o]))
    for h in np.unique(high):  # "12–16": each distinct high end writes its rows
        formats.append(Format(c_int, lambda lo, h=int(h): f"{int(lo)}–{h}", d.index[high == h]))
    formats.append(Format(c_flip, lambda v: "–" if pd.isna(v) else fmt_number(v, lang, 1) + "%"))
    return Shown(frame, formats)


def noise_pairs(intervals: pd.DataFrame, threshold: float = NOISE_SHARE) -> pd.DataFrame:
    """The neighbouring pairs whose order flips in at least ``threshold`` of the replicates:
    upper (the unit ranked above, its name), lower, share; most often flipped first."""
    d = intervals[intervals["flip_share"].notna()
                  & (intervals["flip_share"].astype(float) >= threshold)]
    name = intervals["name"].astype(str)
    out = pd.DataFrame({"upper": [name.get(a, str(a)) for a in d["above"]],
                        "lower": d["name"].astype(str).to_numpy(),
                        "share": d["flip_share"].to_numpy(dtype=float)})
    return out.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)


def noise_sentence(intervals: pd.DataFrame, lang: str = "vi", threshold: float = NOISE_SHARE,
                   limit: int = NOISE_PAIRS_SHOWN) -> str:
    """One Markdown sentence (names escaped) naming the pairs whose order is within the
    survey's noise: "Thứ tự giữa A và B nằm trong sai số của khảo sát (đảo trong 23% số lần
    mô phỏng)", several pairs in one sentence, more than ``limit`` counted; or that none is."""
    pairs = noise_pairs(intervals, threshold)
    cut = fmt_number(100 * threshold, lang, 0)
    if pairs.empty:
        return t("spage.noise_none", lang, share=cut)
    pct = lambda s: fmt_number(100 * s, lang, 0)  # noqa: E731
    if len(pairs) == 1:
        p = pairs.iloc[0]
        return t("spage.noise_one", lang, upper=md(p["upper"]), lower=md(p["lower"]),
                 share=pct(p["share"]))
    shown = pairs.head(limit)
    listed = t("spage.noise_join", lang).join(
        t("spage.noise_pair", lang, upper=md(p.upper), lower=md(p.lower), share=pct(p.share))
        for p in shown.itertuples())
    more = len(pairs) - len(shown)
    return t("spage.noise_many", lang, pairs=listed, share=cut) + (
        " " + t("spage.noise_more", lang, count=more) if more else "")


def unit_noise_line(intervals: pd.DataFrame, unit: str, lang: str = "vi") -> str | None:
    """The unit page's line: its rank with the survey-aware interval and how often its order
    flips with the unit above; None when the unit is not ranked in ``intervals``."""
    if unit not in intervals.index or pd.isna(intervals.at[unit, "rank"]):
        return None
    r = intervals.loc[unit]
    replicates = intervals.attrs.get("replicates", "?")
    seed = intervals.attrs.get("seed", 0)
    line = t("spage.unit_noise", lang, rank=fmt_rank(r["rank"], r["of"]), low=int(r["low"]),
             high=int(r["high"]), replicates=replicates, seed=seed)
    if not pd.isna(r["flip_share"]) and not pd.isna(r["above"]):
        upper = intervals["name"].astype(str).get(r["above"], str(r["above"]))
        line += " " + t("spage.unit_noise_flip", lang, upper=md(upper),
                        share=fmt_number(100 * float(r["flip_share"]), lang, 0))
    return line


def survey_sentence(intervals: pd.DataFrame, criteria: CriteriaSet, lang: str = "vi",
                    key: str = "decide.intervals_survey",
                    none_key: str = "decide.intervals_no_survey") -> str:
    """Under rank intervals (``par.decide.uncertainty``): whether and how they carry the
    survey's sampling error (``attrs["survey"]``, and ``attrs["survey_period"]``)."""
    used = intervals.attrs.get("survey")
    if not used:
        return t(none_key, lang)
    forms = ", ".join((criteria.survey(f).name if criteria.survey(f) else f)
                      for f in used["forms"])
    period = intervals.attrs.get("survey_period")
    return t(key, lang, period=fmt_period(period, lang) if period else "–", forms=md(forms),
             replicates=fmt_number(used["replicates"], lang, 0), seed=used["seed"])


__all__ = ["names_of", "level_units", "respondents_per_unit", "answer_counts", "preview_rows",
           "low_units", "question_label", "leaf_intervals", "results_table", "leaves_table",
           "history_table", "imported_text", "unit_survey_part", "NOISE_SHARE",
           "rank_noise_table", "noise_pairs", "noise_sentence", "unit_noise_line",
           "survey_sentence"]
