"""From respondents' answers to survey points (../shared/spec/SURVEY.md §3). Pure and vectorised.

Answers come long (one row per respondent and question: ``unit, respondent, question`` and
either ``pct`` or the ``answer`` label) or wide (one row per respondent: ``unit,
respondent`` and a column per question code holding the label). Per unit and question:

- ``n``: respondents who answered with an option whose percent is not null;
- ``pct``: the mean of those percents (null when n = 0);
- ``se``: their sample standard deviation (ddof = 1) / √n (null when n < 2);
- ``ci_low``, ``ci_high``: pct ∓ 1.96 × se, clipped to [0, 100] (null when se is).

A survey leaf (``rule.source``) is the mean of its questions' non-null ``pct``; when all
are null the unit has no value for it. A unit with fewer respondents on the form (rows,
answered or not) than ``min_responses`` is flagged (``flag_low_n``), still scored.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from par.domain.models import CriteriaSet, Node, SurveyForm

Z95 = 1.96
QUESTION_COLUMNS = ["unit", "question", "n", "pct", "se", "ci_low", "ci_high", "respondents",
                    "flag_low_n"]
LEAF_COLUMNS = ["unit", "criterion", "value", "questions", "respondents", "flag_low_n"]


def fold_label(text: object) -> str:
    """An answer as compared with the options: NFC, trimmed, case ignored."""
    return unicodedata.normalize("NFC", str(text)).strip().casefold()


def option_percents(form: SurveyForm, question: str) -> dict[str, float]:
    """Folded label → percent (NaN for an excluded option) of one question."""
    return {fold_label(label): (np.nan if pct is None else float(pct))
            for label, pct in form.options_of(question).items()}


def survey_leaves(criteria: CriteriaSet, form_id: str) -> tuple[Node, ...]:
    """The leaves whose value comes from ``form_id``, in the set's order."""
    return tuple(leaf for leaf in criteria.leaves
                 if leaf.rule.source is not None and leaf.rule.source.form == form_id)


def from_wide(wide: pd.DataFrame, form: SurveyForm) -> pd.DataFrame:
    """One row per respondent (``unit``, ``respondent``, a label column per question code)
    → long answers with ``pct`` (NaN: no answer, or an excluded option). Labels that are not
    options count as no answer (the reader refuses them before this)."""
    n = len(wide)
    parts = []
    for q in form.questions:
        labels = wide[q.code] if q.code in wide else pd.Series([""] * n, dtype=object)
        lookup = option_percents(form, q.code)
        codes, uniques = pd.factorize(pd.Series(np.asarray(labels, dtype=object)),
                                      use_na_sentinel=False)
        per = np.array([lookup.get(fold_label(u), np.nan) if isinstance(u, str) else np.nan
                        for u in uniques] + [np.nan], dtype=float)
        parts.append(per[np.asarray(codes)])
    pct = np.concatenate(parts) if parts else np.zeros(0)
    return pd.DataFrame({
        "unit": np.tile(np.asarray(wide["unit"], dtype=object), len(form.questions)),
        "respondent": np.tile(np.asarray(wide["respondent"], dtype=object), len(form.questions)),
        "question": np.repeat(np.array([q.code for q in form.questions], dtype=object), n),
        "pct": pct})


def _with_pct(answers: pd.DataFrame, form: SurveyForm) -> np.ndarray:
    """The percent of each long answer: its ``pct`` column, else its ``answer`` label."""
    if "pct" in answers:
        return answers["pct"].to_numpy(dtype=float)
    out = np.full(len(answers), np.nan)
    question = np.asarray(answers["question"], dtype=object)
    label = np.asarray(answers["answer"], dtype=object)
    for q in form.questions:
        mask = question == q.code
        if mask.any():
            lookup = option_percents(form, q.code)
            codes, uniques = pd.factorize(pd.Series(label[mask]), use_na_sentinel=False)
            per = np.array([lookup.get(fold_label(u), np.nan) if isinstance(u, str) else np.nan
                            for u in uniques], dtype=float)
            out[mask] = per[np.asarray(codes)] if len(per) else np.nan
    return out


def question_results(answers: pd.DataFrame, form: SurveyForm) -> pd.DataFrame:
    """Per unit (that has respondents) × question of the form: ``QUESTION_COLUMNS``.

    ``answers`` is long (``unit, respondent, question`` and ``pct`` or ``answer``) or wide
    (a column per question code); a respondent with no answer still counts as a respondent.
    """
    if "question" not in answers:
        answers = from_wide(answers, form)
    pct = _with_pct(answers, form)
    units, unit_codes = _factor(answers["unit"])
    codes = [q.code for q in form.questions]
    q_index = pd.Index(codes, dtype=object).get_indexer(np.asarray(answers["question"],
                                                                   dtype=object))
    nq, nu = len(codes), len(units)
    # respondents per unit: distinct (unit, respondent) pairs, answered or not
    pairs = pd.DataFrame({"u": unit_codes, "r": np.asarray(answers["respondent"], dtype=object)})
    respondents = np.bincount(pairs.drop_duplicates()["u"].to_numpy(), minlength=nu)
    ok = (q_index >= 0) & ~np.isnan(pct)
    cell = unit_codes[ok] * nq + q_index[ok]
    x = pct[ok]
    size = nu * nq
    n = np.bincount(cell, minlength=size).astype(np.int64)
    total = np.bincount(cell, weights=x, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        squares = np.bincount(cell, weights=(x - mean[cell]) ** 2, minlength=size)  # two-pass
        sd = np.sqrt(squares / np.maximum(n - 1, 1))
        se = np.where(n >= 2, sd / np.sqrt(np.maximum(n, 1)), np.nan)
    low = np.clip(mean - Z95 * se, 0.0, 100.0)
    high = np.clip(mean + Z95 * se, 0.0, 100.0)
    unit_col = np.repeat(np.asarray(units, dtype=object), nq)
    resp = np.repeat(respondents, nq)
    return pd.DataFrame({
        "unit": unit_col, "question": np.tile(np.array(codes, dtype=object), nu), "n": n,
        "pct": mean, "se": se, "ci_low": low, "ci_high": high, "respondents": resp,
        "flag_low_n": resp < form.min_responses}, columns=QUESTION_COLUMNS)


def leaf_results(questions: pd.DataFrame, criteria: CriteriaSet, form_id: str) -> pd.DataFrame:
    """Per unit × survey leaf of ``form_id``: the mean of its questions' non-null ``pct``
    (``LEAF_COLUMNS``); no row where all its questions are null."""
    leaves = survey_leaves(criteria, form_id)
    if not leaves or questions.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            LEAF_COLUMNS, (object, object, float, int, int, bool))})
    link = pd.DataFrame([(leaf.code, q) for leaf in leaves for q in leaf.rule.source.questions],
                        columns=["criterion", "question"])
    order = {leaf.code: i for i, leaf in enumerate(leaves)}
    merged = questions[["unit", "question", "pct", "respondents", "flag_low_n"]].merge(
        link, on="question")
    merged = merged[merged["pct"].notna()]
    grouped = merged.groupby(["unit", "criterion"], sort=False).agg(
        value=("pct", "mean"), questions=("pct", "size"), respondents=("respondents", "first"),
        flag_low_n=("flag_low_n", "first")).reset_index()
    unit_order = {u: i for i, u in enumerate(pd.unique(questions["unit"]))}
    grouped = grouped.assign(_u=grouped["unit"].map(unit_order),
                             _c=grouped["criterion"].map(order)).sort_values(["_u", "_c"])
    return grouped[LEAF_COLUMNS].reset_index(drop=True).astype(
        {"questions": int, "respondents": int, "flag_low_n": bool})


def aggregate(answers: pd.DataFrame, criteria: CriteriaSet, form_id: str
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per unit × question, per unit × survey leaf) of a form's answers."""
    form = criteria.survey(form_id)
    if form is None:
        raise KeyError(form_id)
    questions = question_results(answers, form)
    return questions, leaf_results(questions, criteria, form_id)


def _factor(values) -> tuple[list, np.ndarray]:
    codes, uniques = pd.factorize(pd.Series(np.asarray(values, dtype=object)), sort=False)
    return list(uniques), np.asarray(codes, dtype=np.int64)
