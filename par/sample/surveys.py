"""The sample's survey answers (issue 15, item 4): the 2025 commune set's two forms, SYNTHETIC.

Two halves, like par.sample.round:

- ``answers_table`` (run by scripts/make_sample_data.py) draws one form's answers, one row per
  respondent as a survey tool exports them (``đơn vị, người trả lời, Q1, Q2, …`` and a few
  free columns, ``ghi chú`` saying every row is synthetic), for the units that submitted in
  the round: 30–80 respondents each, ``LOW_UNITS`` units below the form's ``min_responses``
  (so the page's low-sample flag has something to show); the units that did not submit have
  none. Each unit's answers are drawn around a target per survey leaf, the figure the
  generated year gives that unit (par.sample.synthetic, from the unit's latent quality: so
  the survey percentages vary between units and go loosely with the unit's other figures);
  a question's own offset (complaint handling lower, premises higher) and a little noise per
  unit and question on top. A respondent's answer: a latent grade (the unit's level for the
  question, the respondent's own mood shared across questions, noise) read as the option
  whose percent is nearest; the level is calibrated so that the expected percent is the
  target. Some answers are left empty, some are "không biết" (an option whose percent is
  null). Seeded and vectorised: the same arguments give the same table.
- ``import_all`` (run by the round's replay, sample mode only) imports each form's file for
  the year through ``par.store.surveys.import_answers`` as the office: the survey leaves'
  values become appraisal rows of the period, as for any province's import.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from par.domain.auth import Actor
from par.domain.models import CriteriaSet, SurveyForm
from par.engine import catalog
from par.engine.survey import survey_leaves
from par.sample.synthetic import SYNTHETIC_NOTE

SURVEY_DIR = catalog.ROOT / "data" / "surveys"
PERIOD = "2025"
SEED = 2025
RESPONDENTS = (30, 80)  # per unit that submitted, both ends included
LOW_UNITS, LOW_RESPONDENTS = 5, (17, 29)  # per form: units under min_responses (30)
MOOD_SD, NOISE_SD = 12.0, 16.0  # a respondent's own mood; an answer's own noise (grade points)
DISPLEASED, DISPLEASED_SHIFT = 0.05, -45.0  # respondents with a grievance: a lower mood
UNIT_NOISE_SD = 3.0  # a unit's level on one question, around its leaf's target (percent)
UNKNOWN_RATE = (0.01, 0.07)  # per unit: the share of "không biết" where a question offers it
EMPTY_RATE = 0.015  # answers left empty

UNIT, RESPONDENT, NOTE = "đơn vị", "người trả lời", "ghi chú"
# Per form: the respondent's prefix, the question offsets (percent points), the free columns
# (header → (values, probabilities)).
FORMS = {
    "sipas": {
        "prefix": "PK",
        "offsets": {"Q1": 2.0, "Q2": -3.0, "Q3": 2.0, "Q4": 0.0, "Q5": 1.0, "Q6": -2.0,
                    "Q7": 1.5, "Q8": -1.0, "Q9": 1.0, "Q10": -5.0},
        "columns": {
            "giới tính": (("Nam", "Nữ"), (0.48, 0.52)),
            "kênh": (("Trực tiếp tại Trung tâm", "Trực tuyến", "Bưu chính công ích"),
                     (0.62, 0.33, 0.05)),
        },
    },
    "lanh-dao": {
        "prefix": "LD",
        "offsets": {"Q1": 0.0, "Q2": -2.0, "Q3": 1.0, "Q4": 3.0, "Q5": -3.0, "Q6": 2.0},
        "columns": {
            "đối tượng": (("Đại biểu HĐND xã", "Lãnh đạo UBND, phòng chuyên môn",
                           "Công chức"), (0.35, 0.2, 0.45)),
            "giới tính": (("Nam", "Nữ"), (0.55, 0.45)),
        },
    },
}


def file_of(form_id: str) -> Path:
    return SURVEY_DIR / f"xa-{PERIOD}-{form_id}.csv"


def import_name(form_id: str) -> str:
    """The name the seeded import is stored under: the page's import history shows it."""
    return f"xa-{PERIOD}-{form_id} (dữ liệu mô phỏng).csv"


# -- the files (scripts/make_sample_data.py) ---------------------------------------------

def targets(criteria: CriteriaSet, year: pd.DataFrame) -> pd.DataFrame:
    """Per unit (rows) × form-fed survey leaf (columns): the percent the generated year's
    appraisal rows give (par.sample.synthetic draws them from the unit's quality)."""
    fed = [leaf.code for leaf in criteria.leaves if leaf.rule.source is not None]
    rows = year[(year["stage"] == "appraisal") & year["criterion"].isin(fed)]
    values = pd.to_numeric(rows["value"].astype(str).str.replace(",", ".", regex=False))
    return (rows.assign(value=values).pivot(index="unit", columns="criterion", values="value")
            .reindex(columns=fed))


def answers_table(criteria: CriteriaSet, form_id: str, units: pd.DataFrame,
                  target: pd.DataFrame, surveyed: list[str], seed: int = SEED) -> pd.DataFrame:
    """One form's answers (text, one row per respondent) for the ``surveyed`` units, in the
    order of ``units``; ``target`` as ``targets`` gives it."""
    form = criteria.survey(form_id)
    spec = FORMS[form_id]
    rng = np.random.default_rng(seed + 10 * (list(FORMS).index(form_id) + 1))
    ids = [u for u in units.index[units["level"] == criteria.level] if u in set(surveyed)]
    n = rng.integers(RESPONDENTS[0], RESPONDENTS[1] + 1, len(ids))
    low = rng.choice(len(ids), min(LOW_UNITS, len(ids)), replace=False)
    n[low] = rng.integers(LOW_RESPONDENTS[0], LOW_RESPONDENTS[1] + 1, len(low))
    unit_of = np.repeat(np.arange(len(ids)), n)
    total = len(unit_of)
    mood = rng.normal(0.0, MOOD_SD, total) + DISPLEASED_SHIFT * (rng.random(total) < DISPLEASED)
    unknown = rng.uniform(*UNKNOWN_RATE, len(ids))[unit_of]
    leaf_of = {q: leaf.code for leaf in survey_leaves(criteria, form_id)
               for q in leaf.rule.source.questions}
    sd = math.hypot(MOOD_SD, NOISE_SD)
    columns: dict[str, np.ndarray] = {
        UNIT: units.loc[ids, "name"].to_numpy(dtype=object)[unit_of],
        RESPONDENT: np.array([f"{spec['prefix']}-{i + 1:03d}" for k in n for i in range(k)],
                             dtype=object),
    }
    for q in form.questions:
        options = form.options_of(q.code)
        graded = sorted(((p, label) for label, p in options.items() if p is not None),
                        reverse=True)
        percents = np.array([p for p, _ in graded])
        labels = np.array([label for _, label in graded], dtype=object)
        null = [label for label, p in options.items() if p is None]
        goal = (target.reindex(ids)[leaf_of[q.code]].to_numpy(dtype=float) if q.code in leaf_of
                else np.full(len(ids), 85.0))  # a question no leaf uses: a plain 85 %
        goal = np.clip(goal + spec["offsets"].get(q.code, 0.0)
                       + rng.normal(0.0, UNIT_NOISE_SD, len(ids)), 5.0, 99.0)
        level = _level(goal, percents, sd)[unit_of]
        grade = level + mood + rng.normal(0.0, NOISE_SD, total)
        cuts = (percents[:-1] + percents[1:]) / 2  # the option whose percent is nearest
        pick = (grade[:, None] < cuts[None, :]).sum(1)
        u = rng.random(total)
        answer = labels[pick]
        if null:
            answer = np.where(u < unknown, null[0], answer)
        columns[q.code] = np.where(rng.random(total) < EMPTY_RATE, "", answer)
    for header, (values, weights) in spec["columns"].items():
        columns[header] = np.asarray(values, dtype=object)[
            rng.choice(len(values), total, p=weights)]
    columns[NOTE] = np.full(total, SYNTHETIC_NOTE, dtype=object)
    return pd.DataFrame(columns)


def _level(goal: np.ndarray, percents: np.ndarray, sd: float) -> np.ndarray:
    """The latent level whose expected percent is ``goal``: answers are the option nearest a
    grade ~ N(level, sd) (N(level + DISPLEASED_SHIFT, sd) for the DISPLEASED share), so the
    expected percent rises with the level; inverted on a grid."""
    grid = np.arange(-150.0, 300.0, 0.25)
    cuts = np.concatenate([[np.inf], (percents[:-1] + percents[1:]) / 2, [-np.inf]])
    erf = np.vectorize(math.erf)

    def cdf(x):
        return 0.5 * (1 + erf((x[None, :] - grid[:, None]) / (sd * math.sqrt(2))))

    share = cdf(cuts[:-1]) - cdf(cuts[1:])  # grid × option: P(the option)
    expected = share @ percents
    expected = (1 - DISPLEASED) * expected + DISPLEASED * np.interp(
        grid + DISPLEASED_SHIFT, grid, expected)
    return np.interp(goal, expected, grid)


def to_csv(table: pd.DataFrame) -> bytes:
    """The file's bytes (UTF-8, a header row), as the script writes it."""
    out = io.StringIO()
    table.to_csv(out, index=False)
    return out.getvalue().encode("utf-8")


def summary(criteria: CriteriaSet, form_id: str, data: bytes, units: pd.DataFrame
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per unit × question, per unit × leaf) of a form's file, as the import computes them:
    the same CSV reader and checks (in this process), then par.engine.survey.aggregate.
    Raises ``ValueError`` listing the problems when the file would be refused."""
    from par.engine.survey import aggregate
    from par.read.survey_answers import check_answers_table
    from par.read.tabular import read_csv

    table = read_csv(io.BytesIO(data), file_of(form_id).name)
    checked, issues = check_answers_table(table, _form(criteria, form_id), units,
                                          criteria.level)
    if checked is None or any(i.severity == "error" for i in issues):
        raise ValueError("; ".join(i.render("en") for i in issues[:10]))
    return aggregate(checked.wide, criteria, form_id)


def _form(criteria: CriteriaSet, form_id: str) -> SurveyForm:
    form = criteria.survey(form_id)
    if form is None:
        raise KeyError(form_id)
    return form


# -- seeding --------------------------------------------------------------------------------

def import_all(store, criteria: CriteriaSet, actor: Actor) -> list:
    """Each form of the set that has a sample file: its answers imported for the year as the
    office (``actor``: the seeder's system admin). Returns the imports."""
    from par.store.surveys import import_answers

    done = []
    for form in criteria.surveys:
        path = file_of(form.id)
        if form.id in FORMS and path.exists():
            done.append(import_answers(store, criteria, form.id, PERIOD, path.read_bytes(),
                                       import_name(form.id), actor=actor))
    return done


__all__ = ["answers_table", "file_of", "import_all", "import_name", "summary", "targets",
           "to_csv",
           "FORMS", "PERIOD", "SURVEY_DIR"]
