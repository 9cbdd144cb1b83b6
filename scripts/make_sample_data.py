"""Regenerate the SYNTHETIC sample inputs under data/inputs/ (deterministic, seeded).

    .venv/bin/python scripts/make_sample_data.py

The 2019 district data are shaped to tell the story of the 2020 article: TX Cửa Lò
ranks 14/21, pulled down by late dossiers (domain 3) and unmet PAR plan criteria
(domain 1); and to look like a real round: the appraised index spreads like published
results, self-scores run 3–19 points above the appraisal for most units, and survey
criteria arrive only with the year's appraisal. The 2025 department data are a year in
progress: self-scores so far, no appraisal, no survey. The 2025 commune data are the sample's
scoring round for the year (par.sample.round): every commune's self-assessment of the year
(data/inputs/xa-2025-self.csv) and the council's commented appraisal of those that submitted
(data/round/xa-2025-appraisal.csv), which the seeder replays through the round, and the answers
of the set's two survey forms (data/surveys/xa-2025-sipas.csv, xa-2025-lanh-dao.csv:
par.sample.surveys), which the seeder imports: the survey leaves fed by a form have no typed
row. The script checks all of it with the engine, prints what it measured, and writes nothing
unless everything holds (``--check``: check only). See data/README.md.

The commune level (xa) of data/units.csv is Nghệ An's official list since 1/7/2025 (119 xã,
11 phường, from the `vietnam-provinces` registry via par.read.registry), with Phường Cửa Lò
as `p-cua-lo`; the script refuses any other.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from par import get_lagging, load_criteria, read_units, score  # noqa: E402
from par.analysis.trends import get_over_scoring  # noqa: E402
from par.domain.periods import Period, parse_period  # noqa: E402
from par.read.inputs import check_inputs  # noqa: E402
from par.read.registry import official_units, registry_version  # noqa: E402
from par.read.tabular import RawTable  # noqa: E402
from par.sample import round as sample_round  # noqa: E402
from par.sample import surveys as sample_surveys  # noqa: E402
from par.sample.synthetic import SYNTHETIC_NOTE, annual, generate  # noqa: E402

OUT = ROOT / "data" / "inputs"
# The 20 districts besides Cửa Lò, best first (illustrative, not a published ranking).
DISTRICT_ORDER = ["vinh", "dien-chau", "nghi-loc", "hoang-mai", "yen-thanh", "quynh-luu",
                  "do-luong", "nam-dan", "thai-hoa", "hung-nguyen", "thanh-chuong", "anh-son",
                  "nghia-dan", "tan-ky", "quy-hop", "con-cuong", "quy-chau", "que-phong",
                  "tuong-duong", "ky-son"]
CUA_LO_TARGET = 14
# The appraised 2019 index of the 20 other districts, best to worst in DISTRICT_ORDER, evenly
# between these (Nghệ An's published 2021 results ran from 84,76 to 79,01); the check allows
# DISTRICT_BOUNDS. Self-scores exceed the appraisal by GAP_RANGE points for most units, as in
# real rounds (one province's 2024 units: cuts of 3–19 points).
DISTRICT_INDEX = (86.0, 78.6)
DISTRICT_BOUNDS = (77.5, 87.0)
DISTRICT_SPREAD = 0.08  # a leaf's attainment around the district's quality
GAP_RANGE = (3.0, 19.0)
# The 2025 sets are years in progress (self-scores so far, no appraisal, so no survey): their
# units' qualities come from a beta distribution (mean about 0.9) and their year-to-date index
# must stay within these: departments near their published appraised results (Nghệ An 2021:
# 84,14–91,39; their 8,5 survey points are not in yet), communes lower (25,5 survey points).
LEVEL_QUALITY, LEVEL_SPREAD = (20, 2), 0.08
SO_BOUNDS = (80.0, 95.0)
# The 2025 communes: the year's scoring round (par.sample.round), every commune self-scoring
# the year once; a wider spread of qualities (mean about 0.82) and more optimism than the
# departments' quarters, so that the council's cuts look like a real round's (3–19 points).
XA_QUALITY, XA_OPTIMISM = (14, 3), (0.45, 0.9)
ROUND_OUT = ROOT / "data" / "round"
PROVINCE = "Nghệ An"
HEADER_NOTE = "# DỮ LIỆU MÔ PHỎNG (synthetic) — không phải số liệu thật của đơn vị nào"


def _score(criteria, units, rows: pd.DataFrame):
    return score(criteria, units, _parse(criteria, units, rows))


def _parse(criteria, units, rows: pd.DataFrame) -> pd.DataFrame:
    frame = rows.astype(object).copy()
    frame["_row"] = range(2, len(frame) + 2)
    parsed, issues = check_inputs([RawTable(frame, "generated")], criteria, units)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise SystemExit("generated data invalid:\n" + "\n".join(i.render("en") for i in errors[:20]))
    return parsed


def cua_lo_story(criteria) -> dict:
    """Late dossiers and PAR plan criteria not met, as the appraisal found them."""
    return {
        "3.3.1": {("appraisal", "numerator"): "1668", ("appraisal", "denominator"): "1893"},
        "3.3.2": {("appraisal", "numerator"): "2317", ("appraisal", "denominator"): "2561"},
        "3.3.3": {("appraisal", "numerator"): "225", ("appraisal", "denominator"): "1893"},
        "3.3.4": {("appraisal", "numerator"): "97", ("appraisal", "denominator"): "225"},
        "1.1.1": {("appraisal", "value"): "không"},
        "1.1.2": {("appraisal", "numerator"): "14", ("appraisal", "denominator"): "21"},
        "1.2.3": {("appraisal", "value"): "không"},
        "1.6": {("appraisal", "numerator"): "17", ("appraisal", "denominator"): "23"},
    }


def _district_rows(criteria, quality: pd.Series) -> pd.DataFrame:
    periods = [Period(2019, q) for q in (1, 2, 3, 4)] + [Period(2019, 5)]
    return generate(criteria, quality, periods, appraisal=True, seed=2019,
                    overrides={"cua-lo": cua_lo_story(criteria)}, spread=DISTRICT_SPREAD)


def _calibrate(criteria, units, targets: pd.Series) -> pd.Series:
    """Each district's latent quality: the one whose appraised index comes nearest its target.

    A unit's figures depend on its own quality only (par.sample.synthetic draws as many random
    numbers whatever the qualities) and never get worse with it, so one bisection moves all
    the districts at once; the index moves in steps, so the quality just below or just at
    the target is kept, whichever lands nearer."""
    def index_at(quality: pd.Series) -> pd.Series:
        rows = _district_rows(criteria, quality)
        return _score(criteria, units, rows).units["index"].reindex(quality.index)

    lo, hi = pd.Series(0.3, index=targets.index), pd.Series(1.08, index=targets.index)
    for _ in range(24):
        mid = (lo + hi) / 2
        reached = index_at(mid) >= targets
        hi, lo = hi.where(~reached, mid), lo.where(reached, mid)
    below, above = (index_at(lo) - targets).abs(), (index_at(hi) - targets).abs()
    return hi.where(above <= below, lo)


def make_districts(criteria, units) -> pd.DataFrame:
    """The 2019 district data: an appraised index spread like published results, Cửa Lò
    14/21, and self-scores above the appraisal as in real rounds."""
    slots = pd.Series(np.linspace(*DISTRICT_INDEX, len(DISTRICT_ORDER) + 1))
    # the others take the slots in DISTRICT_ORDER, Cửa Lò the 14th
    others = slots.drop(CUA_LO_TARGET - 1).set_axis(DISTRICT_ORDER)
    targets = pd.concat([others, pd.Series({"cua-lo": slots[CUA_LO_TARGET - 1]})])
    quality = _calibrate(criteria, units, targets)
    # Cửa Lò's quality: the middle of the values near it that land it at 14/21 with its story
    # applied, so the rank does not hang on a hair's breadth.

    def attempt(q_cua_lo: float):
        rows = _district_rows(criteria, quality.where(quality.index != "cua-lo", q_cua_lo))
        card = _score(criteria, units, rows)
        return rows, card, int(card.units.at["cua-lo", "rank"])

    grid = np.linspace(quality["cua-lo"] - 0.03, quality["cua-lo"] + 0.03, 31)
    hits = [q for q in grid if attempt(q)[2] == CUA_LO_TARGET]
    if not hits:
        raise SystemExit(f"could not place Cửa Lò at {CUA_LO_TARGET}/21")
    rows, card, rank = attempt(hits[len(hits) // 2])
    check_districts(criteria, units, rows, card)
    return rows


def district_measures(criteria, units, rows: pd.DataFrame) -> dict:
    """What make_districts promises, measured with the engine: the appraised index per
    district; the year's self-score index (self rows only: the surveys count 0); the gap,
    self − appraisal in index points over the criteria the units scored themselves (the
    appraised index without the surveys, which only the appraisal brings); and per unit
    how many criteria the appraisal raised."""
    parsed = _parse(criteria, units, rows)
    stage = parsed["stage"].to_numpy()
    self_scored = parsed["criterion"].isin(set(parsed.loc[stage == "self", "criterion"]))
    card = score(criteria, units, parsed)
    self_index = score(criteria, units, parsed[stage == "self"]).units["index"]
    appraised = score(criteria, units, parsed[(stage == "appraisal") & self_scored.to_numpy()])
    swapped = parsed.assign(stage=parsed["stage"].map({"self": "appraisal", "appraisal": "self"}))
    raised = get_over_scoring(criteria, units, swapped)["over"]
    return {"card": card, "index": card.units["index"], "self_index": self_index,
            "gap": self_index - appraised.units["index"].reindex(self_index.index),
            "raised": raised.reindex(self_index.index, fill_value=0)}


def check_districts(criteria, units, rows: pd.DataFrame, card) -> None:
    m = district_measures(criteria, units, rows)
    index, gap, raised = m["index"], m["gap"], m["raised"]
    cua_lo = card.units.loc["cua-lo"]
    lagging = get_lagging(card, "cua-lo")["criterion"].head(8).tolist()
    in_cuts = gap.between(*GAP_RANGE)
    print(f"districts: appraised index {index.min():.2f}–{index.max():.2f}; "
          f"year's self-score (no surveys) {m['self_index'].min():.2f}–{m['self_index'].max():.2f}")
    print(f"self − appraisal: min {gap.min():.3f}, median {gap.median():.3f}, max {gap.max():.3f}; "
          f"{int(in_cuts.sum())}/{len(gap)} within {GAP_RANGE[0]}–{GAP_RANGE[1]}; "
          f"{int((raised > 0).sum())} units with a criterion the appraisal raised")
    print(f"Cửa Lò: {int(cua_lo['rank'])}/{int(cua_lo['of'])}, index {cua_lo['index']:.2f}, "
          f"self − appraisal {gap['cua-lo']:.2f}; top lagging {lagging}")
    problems = []
    if (int(cua_lo["rank"]), int(cua_lo["of"]), bool(cua_lo["provisional"])) != (
            CUA_LO_TARGET, 21, False):
        problems.append(f"Cửa Lò is not {CUA_LO_TARGET}/21 on the appraisal")
    if not ({"1.1.1", "1.1.2", "3.3.1"} <= set(lagging)):
        problems.append("Cửa Lò's story (1.1.1, 1.1.2, 3.3.1) is not in its top lagging criteria")
    if not (DISTRICT_BOUNDS[0] <= index.min() and index.max() <= DISTRICT_BOUNDS[1]):
        problems.append(f"appraised index outside {DISTRICT_BOUNDS}")
    if in_cuts.mean() < 0.8 or (gap <= 0).any():
        problems.append(f"self − appraisal not within {GAP_RANGE} for most units")
    if (raised > 0).sum() < 3:
        problems.append("the appraisal raises no criterion (or too few units)")
    if problems:
        raise SystemExit("the district data do not tell the story: " + "; ".join(problems))


def check_communes(units) -> None:
    """The xa level is exactly the province's official communes and wards (ids kept, names and
    groups as the registry has them), and Phường Cửa Lò is there for the sample story."""
    official = official_units(PROVINCE, known=units)
    xa = units[units["level"] == "xa"]
    ours = set(zip(xa["id"], xa["name"], xa["group"]))
    theirs = set(zip(official["id"], official["name"], official["group"]))
    if ours != theirs:
        raise SystemExit(f"data/units.csv level xa is not {PROVINCE}'s official list "
                         f"({registry_version()}): only in units.csv {sorted(ours - theirs)[:5]}, "
                         f"only in the registry {sorted(theirs - ours)[:5]}")
    if ("p-cua-lo", "Phường Cửa Lò", "phuong") not in ours:
        raise SystemExit("Phường Cửa Lò (p-cua-lo) is missing from the commune level")
    groups = xa["group"].value_counts()
    print(f"communes: {len(xa)} official ({groups.get('xa', 0)} xã, "
          f"{groups.get('phuong', 0)} phường) from {registry_version()}")


def make_level(criteria, units, level: str, periods: list[Period], seed: int,
               bounds: tuple[float, float]) -> pd.DataFrame:
    """A level's year in progress: self-scores of the quarters so far, no appraisal yet, so no
    survey either. Refused unless its year-to-date index stays within ``bounds``."""
    ids = units.index[units["level"] == level]
    rng = np.random.default_rng(seed)
    q = pd.Series(np.clip(rng.beta(*LEVEL_QUALITY, len(ids)), 0.3, 0.97), index=ids)
    rows = generate(criteria, q, periods, appraisal=False, seed=seed, spread=LEVEL_SPREAD)
    index = _score(criteria, units, rows).units["index"]
    surveys = {leaf.code for leaf in criteria.leaves if leaf.rule.type == "survey"}
    print(f"{level}: year-to-date self-score index {index.min():.2f}–{index.max():.2f} "
          f"(median {index.median():.2f}) as of {periods[-1]}; no appraisal, no survey yet")
    if (rows["stage"] != "self").any() or rows["criterion"].isin(surveys).any():
        raise SystemExit(f"{level}: a year without appraisal has self rows only, and no survey")
    if not (bounds[0] <= index.min() and index.max() <= bounds[1]):
        raise SystemExit(f"{level}: year-to-date index outside {bounds}")
    return rows


def make_round(criteria, units) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The 2025 communes' round (par.sample.round): every commune's self-assessment of the
    year, the council's appraisal of the units that submitted, and the survey forms' answers
    for those units (par.sample.surveys), checked like a real round."""
    ids = units.index[units["level"] == "xa"]
    rng = np.random.default_rng(2025)
    q = pd.Series(np.clip(rng.beta(*XA_QUALITY, len(ids)), 0.3, 0.97), index=ids)
    year = annual(criteria, q, seed=2025, spread=LEVEL_SPREAD, optimism=XA_OPTIMISM)
    self_rows, appraisal = sample_round.shape(criteria, units, year)
    target = sample_surveys.targets(criteria, year)
    submitted = sorted(set(appraisal["unit"]))
    answers = {form.id: sample_surveys.answers_table(criteria, form.id, units, target, submitted)
               for form in criteria.surveys}
    survey_rows = check_surveys(criteria, units, answers, submitted)
    check_round(criteria, units, self_rows, appraisal, survey_rows)
    return self_rows, appraisal, answers


def check_surveys(criteria, units, answers: dict, submitted: list[str]) -> pd.DataFrame:
    """Each form's file read and checked as the import reads it, its numbers printed and
    checked: 30–80 respondents for the units that submitted, a few under the form's
    ``min_responses`` (flagged), none for the others; every survey leaf valued for every
    unit surveyed, varying between units; some answers empty, some "không biết". Returns the
    survey leaves' values as appraisal rows (what the import writes)."""
    low_range, normal = sample_surveys.LOW_RESPONDENTS, sample_surveys.RESPONDENTS
    problems, rows = [], []
    for form in criteria.surveys:
        table = answers[form.id]
        try:
            questions, leaves = sample_surveys.summary(
                criteria, form.id, sample_surveys.to_csv(table), units)
        except ValueError as exc:
            raise SystemExit(f"survey {form.id}: the file would be refused: {exc}")
        per_unit = questions.groupby("unit", sort=False)["respondents"].first()
        low = per_unit[per_unit < form.min_responses]
        codes = [q.code for q in form.questions]
        cells = table[codes].to_numpy(dtype=object)
        unknown = np.isin(cells, [label for q in form.questions
                                  for label, pct in form.options_of(q.code).items()
                                  if pct is None])
        values = leaves.pivot(index="unit", columns="criterion", values="value")
        print(f"survey {form.id}: {len(table)} respondents of {len(per_unit)} units "
              f"({per_unit.min()}–{per_unit.max()}, median {per_unit.median():.0f}; "
              f"{len(low)} under {form.min_responses}: {', '.join(low.index)}); "
              f"{int((cells == '').sum())} answers empty, {int(unknown.sum())} 'không biết'; "
              f"leaves {values.min().min():.1f}–{values.max().max():.1f} "
              f"(between units, sd {values.std().mean():.1f})")
        if set(per_unit.index) != set(submitted):
            problems.append(f"{form.id}: respondents for exactly the units that submitted")
        if len(low) != sample_surveys.LOW_UNITS or not low.between(*low_range).all():
            problems.append(f"{form.id}: {sample_surveys.LOW_UNITS} units under "
                            f"{form.min_responses}")
        if not per_unit.drop(low.index).between(*normal).all():
            problems.append(f"{form.id}: {normal[0]}–{normal[1]} respondents elsewhere")
        if values.shape != (len(submitted), len(values.columns)) or values.isna().any().any():
            problems.append(f"{form.id}: every survey leaf valued for every unit surveyed")
        if values.std().min() < 2.0 or not (cells == "").any() or not unknown.any():
            problems.append(f"{form.id}: percentages vary between units, some answers "
                            f"empty, some 'không biết'")
        if (table[sample_surveys.NOTE] != SYNTHETIC_NOTE).any():
            problems.append(f"{form.id}: every row says {SYNTHETIC_NOTE!r}")
        rows.append(pd.DataFrame({
            "unit": leaves["unit"], "period": sample_surveys.PERIOD,
            "criterion": leaves["criterion"], "value": leaves["value"].map(repr),
            "numerator": "", "denominator": "", "stage": "appraisal", "evidence": "",
            "note": ""}))
    if problems:
        raise SystemExit("the survey answers do not look like a survey: " + "; ".join(problems))
    return pd.concat(rows, ignore_index=True)


def round_measures(criteria, units, self_rows: pd.DataFrame, appraisal: pd.DataFrame,
                   survey_rows: pd.DataFrame | None = None) -> dict:
    """The round's numbers: per appraised unit the cut, its self-score index minus the index
    of the same rows with the council's rows deciding (surveys left out: no unit scores
    them); the appraised index with the surveys (``survey_rows``: the values the survey
    import writes); and the events par.sample.round.plan draws."""
    surveys = {leaf.code for leaf in criteria.leaves if leaf.rule.type == "survey"}
    appraised = appraisal[~appraisal["criterion"].isin(surveys)]
    self_index = _score(criteria, units, self_rows).units["index"]
    decided = _score(criteria, units, pd.concat([self_rows, appraised])).units["index"]
    units_in = sorted(set(appraisal["unit"]))
    events = sample_round.plan(criteria, units, self_rows, appraisal)
    everything = pd.concat([self_rows, appraisal] + ([] if survey_rows is None
                                                      else [survey_rows]))
    return {"cut": (self_index - decided).reindex(units_in),
            "index": _score(criteria, units, everything).units["index"],
            "events": events,
            "raised": appraisal.loc[appraisal["note"] == sample_round.RAISED, "unit"].nunique()}


def check_round(criteria, units, self_rows: pd.DataFrame, appraisal: pd.DataFrame,
                survey_rows: pd.DataFrame | None = None) -> None:
    m = round_measures(criteria, units, self_rows, appraisal, survey_rows)
    cut, events = m["cut"], m["events"]
    xa = units.index[units["level"] == "xa"]
    surveys = {leaf.code for leaf in criteria.leaves if leaf.rule.type == "survey"}
    in_cuts = cut.between(*GAP_RANGE)
    flags = events.flags
    no_doc = self_rows["evidence"].eq("")
    print(f"xa round 2025: {self_rows['unit'].nunique()} units self-scored "
          f"({len(self_rows)} rows, {int(no_doc.sum())} leaves of "
          f"{self_rows.loc[no_doc, 'unit'].nunique()} units citing no evidence); "
          f"{len(events.submitted)} submitted and appraised ({len(appraisal)} appraisal rows, "
          f"{int((appraisal['note'] == sample_round.AGREE).sum())} agreed, "
          f"{m['raised']} units with a leaf raised); {len(events.files)} evidence files")
    print(f"xa round 2025: cut (self − appraisal, index points) min {cut.min():.2f}, "
          f"mean {cut.mean():.2f}, median {cut.median():.2f}, max {cut.max():.2f}; "
          f"{int(in_cuts.sum())}/{len(cut)} within {GAP_RANGE[0]}–{GAP_RANGE[1]}; "
          f"appraised index (with surveys) {m['index'].reindex(cut.index).min():.2f}–"
          f"{m['index'].reindex(cut.index).max():.2f}; {len(flags)} leaves of "
          f"{flags['unit'].nunique()} units flagged, {int(flags['explained'].sum())} explained")
    problems = []
    if set(self_rows["unit"]) != set(xa) or set(self_rows["period"]) != {"2025"}:
        problems.append("every commune self-scores the year (period 2025) once")
    if self_rows["criterion"].isin(surveys).any() or (self_rows["stage"] != "self").any():
        problems.append("self rows only, no survey")
    if (appraisal["stage"] != "appraisal").any() or appraisal["note"].str.strip().eq("").any():
        problems.append("every appraisal row carries the council's comment")
    if in_cuts.mean() < 0.8 or (cut <= 0).any():
        problems.append(f"self − appraisal not within {GAP_RANGE} for most units")
    if not (0 < flags["explained"].sum() < len(flags)):
        problems.append("some flagged leaves explained, some not")
    if problems:
        raise SystemExit("the commune round does not look like a round: " + "; ".join(problems))


def write(rows: pd.DataFrame, name: str) -> None:
    path = (ROUND_OUT if "appraisal" in name and name.startswith("xa-") else OUT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, index=False, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}: {len(rows)} rows")


def main(argv: list[str] | None = None) -> None:
    """Build and check every file first; write them only when all tell their story
    (``--check``: build and check, write nothing)."""
    check_only = "--check" in (sys.argv[1:] if argv is None else argv)
    units = read_units(ROOT / "data" / "units.csv")
    huyen = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
    districts = make_districts(huyen, units)
    check_communes(units)
    xa = load_criteria(ROOT / "criteria" / "nghe-an-xa-2025.yaml")
    so = load_criteria(ROOT / "criteria" / "nghe-an-so-2025.yaml")
    xa_self, xa_appraisal, xa_answers = make_round(xa, units)
    files = {
        "huyen-2019-self.csv": districts[districts["stage"] == "self"],
        "huyen-2019-appraisal.csv": districts[districts["stage"] == "appraisal"],
        "xa-2025-self.csv": xa_self,
        "so-2025-self.csv": make_level(so, units, "so", [parse_period("2025-Q2"),
                                                         parse_period("2025-Q3")], 2026,
                                       SO_BOUNDS),
    }
    if any((rows["note"] != SYNTHETIC_NOTE).any() for rows in files.values()):
        raise SystemExit(f"every generated row must say {SYNTHETIC_NOTE!r}")
    files["xa-2025-appraisal.csv"] = xa_appraisal  # its notes are the council's comments
    if check_only:
        print("checked; nothing written (--check)")
        return
    for name, rows in files.items():
        write(rows, name)
    for form_id, table in xa_answers.items():
        path = sample_surveys.file_of(form_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample_surveys.to_csv(table))
        print(f"wrote {path.relative_to(ROOT)}: {len(table)} respondents")


if __name__ == "__main__":
    main()
