"""The sample's scoring round: the 2025 commune set's round for the year, in its explanation
phase (issue 14, item 4). SYNTHETIC, like all of the sample.

Two halves:

- ``shape`` (run by scripts/make_sample_data.py) turns the generated year (each unit's
  self rows and the council's figures, par.sample.synthetic.annual) into the two files the
  round replays: ``data/inputs/xa-2025-self.csv`` (every commune's self-assessment of the
  year, with the documents it cites as evidence; a few leaves cite none) and
  ``data/round/xa-2025-appraisal.csv`` (the appraisal council's rows with their comments,
  for the units that submitted; the e-government domain is not finished for a few; no row
  for the survey leaves fed by a form, which come from data/surveys/ through the import).
- ``open_round`` and ``play`` (run by par.sample.seed, sample mode only) create the round
  and replay it through the round API as the people of a real round would: the office
  (the seeder's system actor) creates the round and imports the units' self-assessment
  sheets; unit staff attach evidence files and submit before the self-assessment deadline;
  the office moves the round on; each appraiser imports the appraisal rows of their domains;
  the office imports the two survey forms' answers (par.sample.surveys: the survey leaves'
  values); the appraisers flag leaves "yêu cầu giải trình"; the office opens the explanation
  phase; about half of the flagged leaves are explained. Every step is checked by the rule
  book and audited, as real use would be; the files pass par.read.evidence.check_evidence.

Dates are relative to the moment of seeding (``par.store.rounds.clock``), so the sample
reads the same whatever day it is seeded: the self-assessment closed ``SELF_UNTIL_DAYS``
days ago (the units' work happened ``SELF_WORK_DAYS`` days ago: the rule book is asked at
that moment), explanations close at the end of the day ``EXPLAIN_UNTIL_DAYS`` days ahead.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from par.domain.auth import Actor
from par.domain.models import CriteriaSet
from par.domain.rounds import VIETNAM, Round
from par.engine import catalog

ROUND_SET = "nghe-an-xa-2025"
ROUND_PERIOD = "2025"
ROUND_DIR = catalog.ROOT / "data" / "round"
APPRAISAL_FILE = ROUND_DIR / "xa-2025-appraisal.csv"
SELF_FILE = catalog.ROOT / "data" / "inputs" / "xa-2025-self.csv"
STORY_UNIT = "p-cua-lo"  # Phường Cửa Lò: submitted, with files, flags explained and not

SELF_UNTIL_DAYS = -10  # the self-assessment closed at the end of that day (Vietnam time)
SELF_WORK_DAYS = -20  # when the units self-scored, attached files and submitted
EXPLAIN_UNTIL_DAYS = 5  # explanations close at the end of that day

SEED = 2025
NOT_SUBMITTED = 6  # units that did not submit (the council has not appraised them)
MISSING_EVIDENCE_UNITS = 14  # units citing no document on 1–3 leaves
UNFINISHED_DOMAIN, UNFINISHED_UNITS = "7", 8  # domain 7 not appraised yet for a few units
FLAG_UNITS = 24  # units with leaves flagged "yêu cầu giải trình" (1–2 each)
EXPLAINED_SHARE = 0.5  # of the flagged leaves, about this many explained
FILE_UNITS = 2  # besides the story unit, units whose files cover many leaves (the pages' first)
FILES_PER_SHOWCASE = 10
FILE_SHARE = 0.003  # elsewhere, the share of self-scored leaves with a file attached

# The appraisal council: each domain appraised by the department in charge of it.
APPRAISERS = {
    "thamdinh.so-noi-vu": ("Sở Nội vụ", ("1", "4", "5", "8", "B", "P")),
    "thamdinh.so-tu-phap": ("Sở Tư pháp", ("2",)),
    "thamdinh.vp-ubnd-tinh": ("Văn phòng UBND tỉnh", ("3", "7")),  # TTHC, Cổng DVC
    "thamdinh.so-tai-chinh": ("Sở Tài chính", ("6",)),
}

# Documents a commune cites, per domain: (kind, abbreviation, file name pattern).
DOCUMENTS = {
    "1": [("Kế hoạch", "KH-UBND", "QD_{n}_KH_CCHC_2025.pdf"),
          ("Báo cáo", "BC-UBND", "BC_{n}_CCHC_2025.pdf")],
    "2": [("Quyết định", "QĐ-UBND", "QD_{n}_VBQPPL_2025.pdf"),
          ("Báo cáo", "BC-UBND", "BC_{n}_KIEM_TRA_VAN_BAN_2025.pdf")],
    "3": [("Báo cáo", "BC-UBND", "BC_{n}_TTHC_2025.pdf"),
          ("Báo cáo", "BC-UBND", "Anh_chup_He_thong_TTHC_{n}_2025.png")],
    "4": [("Quyết định", "QĐ-UBND", "QD_{n}_QUY_CHE_LAM_VIEC_2025.pdf")],
    "5": [("Báo cáo", "BC-UBND", "BC_{n}_CONG_VU_2025.pdf"),
          ("Quyết định", "QĐ-UBND", "QD_{n}_CAN_BO_CONG_CHUC_2025.pdf")],
    "6": [("Báo cáo", "BC-UBND", "BC_{n}_TAI_CHINH_CONG_2025.pdf")],
    "7": [("Báo cáo", "BC-UBND", "BC_{n}_CHUYEN_DOI_SO_2025.pdf"),
          ("Báo cáo", "BC-UBND", "Anh_chup_Cong_DVC_{n}_2025.png")],
    "8": [("Báo cáo", "BC-UBND", "BC_{n}_TAC_DONG_CCHC_2025.pdf")],
    "B": [("Quyết định", "QĐ-UBND", "QD_{n}_KHEN_THUONG_2025.pdf")],
    "P": [("Công văn", "UBND-VP", "CV_{n}_UBND_TINH_2025.pdf")],
}

PREFIX = {"Kế hoạch": "KH", "Quyết định": "QD", "Báo cáo": "BC", "Công văn": "CV"}

AGREE = "Đồng ý với kết quả tự chấm."
NO_EVIDENCE = "Chưa cung cấp tài liệu kiểm chứng."
RAISED = ("Đơn vị tự chấm thấp hơn kết quả thực hiện; Hội đồng chấm lại theo tài liệu "
          "kiểm chứng.")
SURVEY = "Kết quả điều tra xã hội học năm 2025."
ASK = " Đề nghị đơn vị giải trình, bổ sung tài liệu kiểm chứng."


def unit_actor(unit: str) -> Actor:
    """The unit's staff member who self-scores, submits and explains (not an account)."""
    return Actor(f"canbo.{unit}", "unit", frozenset({unit}))


def appraiser(name: str) -> Actor:
    return Actor(name, "appraiser", domains=frozenset(APPRAISERS[name][1]))


def actor_names(units) -> set[str]:
    """Every name the seeder acts under (par.sample.seed recognises its own database)."""
    return set(APPRAISERS) | {unit_actor(u).name for u in units}


# -- the files (scripts/make_sample_data.py) ---------------------------------------------

def shape(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame, seed: int = SEED
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(self rows, appraisal rows) of the round from the generated year ``rows`` (stage self
    and appraisal, period YYYY, every unit of the level): evidence texts on the self rows
    (none on a few leaves of MISSING_EVIDENCE_UNITS units), the council's rows for the units
    that submitted, with its comments; a leaf without evidence is appraised at its lowest.
    Survey leaves fed by a form (``rule.source``) have no row: their values come from the
    form's answers (par.sample.surveys); a survey leaf without a form (3.6, the national
    portal's score) keeps its typed row."""
    rng = np.random.default_rng(seed)
    ids = [u for u in units.index[units["level"] == criteria.level]]
    domain = {leaf.code: criteria.domain_of[leaf.code] for leaf in criteria.leaves}
    rule = {leaf.code: leaf.rule for leaf in criteria.leaves}
    self_rows = rows[rows["stage"] == "self"].reset_index(drop=True).copy()
    appraisal = rows[rows["stage"] == "appraisal"].reset_index(drop=True).copy()

    self_rows["evidence"] = _citations(rng, self_rows["criterion"].map(domain))
    others = [u for u in ids if u != STORY_UNIT]
    not_submitted = set(rng.choice(others, NOT_SUBMITTED, replace=False))
    missing = _missing_evidence(rng, criteria, self_rows, ids)
    self_rows.loc[missing, "evidence"] = ""

    appraisal = appraisal[~appraisal["unit"].isin(not_submitted)].reset_index(drop=True)
    submitted = [u for u in ids if u not in not_submitted and u != STORY_UNIT]
    unfinished = set(rng.choice(submitted, UNFINISHED_UNITS, replace=False))
    appraisal = appraisal[~(appraisal["unit"].isin(unfinished)
                            & appraisal["criterion"].map(domain).eq(UNFINISHED_DOMAIN))]
    appraisal = appraisal.reset_index(drop=True)
    keys = ["unit", "criterion"]
    gone = self_rows.loc[missing, keys].assign(_gone=True)
    appraisal = appraisal.merge(gone, on=keys, how="left")
    no_doc = appraisal.pop("_gone").eq(True).to_numpy()
    appraisal = _lowest(appraisal, no_doc, rule)
    appraisal["note"] = comments(criteria, units, self_rows, appraisal, no_doc)
    appraisal["evidence"] = ""
    # a leaf fed by a survey form takes its value from the form's answers (par.sample.surveys,
    # imported by the office), never from a typed row: drawn above all the same, so that every
    # other figure stays as it was
    fed = {leaf.code for leaf in criteria.leaves if leaf.rule.source is not None}
    return self_rows, appraisal[~appraisal["criterion"].isin(fed)].reset_index(drop=True)


def _citations(rng, domains: pd.Series) -> pd.Series:
    """"Kế hoạch số 45/KH-UBND ngày 12/02/2025" per row, the kind by the leaf's domain."""
    n = len(domains)
    pick = rng.integers(0, 2, n)
    number = rng.integers(5, 320, n)
    day, month = rng.integers(1, 29, n), rng.integers(1, 12, n)
    kinds = [DOCUMENTS[d][p % len(DOCUMENTS[d])] for d, p in zip(domains, pick)]
    kind = pd.Series([k[0] for k in kinds], index=domains.index)
    abbr = pd.Series([k[1] for k in kinds], index=domains.index)
    return (kind + " số " + pd.Series(number, index=domains.index).astype(str) + "/" + abbr
            + " ngày " + pd.Series(day, index=domains.index).map("{:02d}".format) + "/"
            + pd.Series(month, index=domains.index).map("{:02d}".format) + "/2025")


def _missing_evidence(rng, criteria: CriteriaSet, self_rows: pd.DataFrame, ids) -> np.ndarray:
    """Rows of 1–3 document leaves (yes/no, choice, count, points; no penalty) of a few
    units that cite no evidence."""
    kinds = {leaf.code for leaf in criteria.leaves
             if leaf.rule.type in ("yes_no", "choice", "count", "points")
             and criteria.nodes[criteria.domain_of[leaf.code]].kind == "regular"}
    units = rng.choice([u for u in ids if u != STORY_UNIT], MISSING_EVIDENCE_UNITS,
                       replace=False)
    out = np.zeros(len(self_rows), bool)
    for unit in units:
        mine = np.flatnonzero((self_rows["unit"] == unit).to_numpy()
                              & self_rows["criterion"].isin(kinds).to_numpy())
        out[rng.choice(mine, int(rng.integers(1, 4)), replace=False)] = True
    return out


def _lowest(appraisal: pd.DataFrame, where: np.ndarray, rule: dict) -> pd.DataFrame:
    """The lowest value of each leaf where ``where`` (no evidence: the leaf scores 0)."""
    out = appraisal.copy()
    for i in np.flatnonzero(where):
        r = rule[out.at[i, "criterion"]]
        if r.type == "yes_no":
            out.at[i, "value"] = "không"
        elif r.type == "choice":
            out.at[i, "value"] = min(r.options, key=r.options.get)
        else:
            out.at[i, "value"] = "0"
    return out


def leaf_points(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """Points per (unit, criterion) the rows give, penalties as negative points."""
    from par.engine.scoring import score
    from par.read.inputs import check_inputs
    from par.read.tabular import RawTable

    frame = rows.astype(object).copy()
    frame["_row"] = range(2, len(frame) + 2)
    parsed, _ = check_inputs([RawTable(frame.reset_index(drop=True), "sample")], criteria,
                             units)
    leaves = score(criteria, units, parsed).leaves
    penalty = leaves["criterion"].map(
        lambda c: criteria.nodes[criteria.domain_of[c]].kind == "penalty")
    points = leaves["points"].where(~penalty, -leaves["points"])
    return pd.Series(points.to_numpy(), index=pd.MultiIndex.from_frame(
        leaves[["unit", "criterion"]]))


def comments(criteria: CriteriaSet, units: pd.DataFrame, self_rows: pd.DataFrame,
             appraisal: pd.DataFrame, no_doc: np.ndarray) -> pd.Series:
    """The council's comment on each appraisal row: agreed, raised, or why it was cut."""
    keys = pd.MultiIndex.from_frame(appraisal[["unit", "criterion"]])
    given = leaf_points(criteria, units, appraisal).reindex(keys).to_numpy()
    claimed = leaf_points(criteria, units, self_rows).reindex(keys).to_numpy()
    gain = np.round(given - claimed, 6)
    nodes = appraisal["criterion"].map(criteria.nodes)
    out = []
    for row, node, g, nd in zip(appraisal.itertuples(), nodes, gain, no_doc):
        rule = node.rule
        if rule.type == "survey":
            out.append(SURVEY)
        elif nd:
            out.append(NO_EVIDENCE)
        elif g > 0:
            out.append(RAISED)
        elif g == 0 or np.isnan(g):
            out.append(AGREE)
        else:
            out.append(_cut(node, row, criteria))
    return pd.Series(out, index=appraisal.index)


def _cut(node, row, criteria: CriteriaSet) -> str:
    rule = node.rule
    penalty = criteria.nodes[criteria.domain_of[node.code]].kind == "penalty"
    ratio = f"{_whole(row.numerator)}/{_whole(row.denominator)}"
    if rule.type == "ratio" and "hồ sơ" in node.name.lower():
        what = "trễ hạn" if rule.direction == "lower_is_better" else "giải quyết đúng hạn"
        return (f"Tỷ lệ hồ sơ {what} tính chưa đúng: theo Hệ thống thông tin giải quyết TTHC "
                f"của tỉnh là {ratio}.")
    if rule.type == "ratio":
        return f"Số liệu chưa khớp với tài liệu kiểm chứng; thẩm định lại là {ratio}."
    if rule.type == "yes_no":
        if penalty:
            return "Đơn vị bị UBND tỉnh phê bình nhưng chưa tự trừ điểm."
        return "Văn bản ban hành chậm so với thời hạn quy định."
    if rule.type == "choice":
        return f"Tài liệu kiểm chứng chỉ chứng minh mức \"{row.value}\"."
    if rule.type == "deduction" or penalty:
        return f"Đơn vị kê khai chưa đủ: có {row.value} trường hợp theo kết quả kiểm tra."
    if rule.type == "count":
        return f"Chỉ công nhận {row.value} (số còn lại chưa có tài liệu kiểm chứng)."
    return f"Thẩm định lại theo tài liệu kiểm chứng: {row.value} điểm."


def _whole(text) -> str:
    """A count as people write it: "116", not "116.0"."""
    try:
        return f"{float(text):.0f}"
    except (TypeError, ValueError):
        return str(text)


# -- the round's events (the seeder) --------------------------------------------------------

@dataclass
class Plan:
    """What happens in the sample round besides the rows."""

    submitted: list[str]  # units that submitted (the appraised ones)
    files: pd.DataFrame  # unit, criterion, name: self-assessment evidence files
    flags: pd.DataFrame  # unit, criterion, comment, appraiser, explained, text, file


def plan(criteria: CriteriaSet, units: pd.DataFrame, self_rows: pd.DataFrame,
         appraisal: pd.DataFrame, seed: int = SEED) -> Plan:
    """The round's events, drawn (seeded) from its two files."""
    rng = np.random.default_rng(seed + 1)
    ids = [u for u in units.index[units["level"] == criteria.level]]
    appraised = set(appraisal["unit"])
    submitted = [u for u in ids if u in appraised]
    cited = self_rows[self_rows["evidence"].astype(str).str.strip() != ""]
    showcase = [STORY_UNIT] + [u for u in ids if u != STORY_UNIT][:FILE_UNITS]
    picked = []
    for unit in showcase:
        mine = cited.index[cited["unit"] == unit]
        picked += list(rng.choice(mine, min(FILES_PER_SHOWCASE, len(mine)), replace=False))
    rest = cited.index[~cited["unit"].isin(showcase)]
    picked += list(rest[rng.random(len(rest)) < FILE_SHARE])
    files = cited.loc[sorted(picked), ["unit", "criterion"]].reset_index(drop=True)
    domains = files["criterion"].map(criteria.domain_of)
    files["name"] = [_file_name(rng, d) for d in domains]

    by_domain = {d: name for name, (_, ds) in APPRAISERS.items() for d in ds}
    cuts = appraisal[~appraisal["note"].isin([AGREE, RAISED, SURVEY])]
    flagged_units = [STORY_UNIT] + list(rng.choice(
        sorted(set(cuts["unit"]) - {STORY_UNIT}), FLAG_UNITS - 1, replace=False))
    rows = []
    for unit in flagged_units:
        mine = cuts[cuts["unit"] == unit]
        take = rng.choice(len(mine), min(len(mine), int(rng.integers(1, 3))), replace=False)
        for i in sorted(take):
            r = mine.iloc[i]
            rows.append({"unit": unit, "criterion": r["criterion"],
                         "comment": r["note"] + ASK,
                         "appraiser": by_domain[criteria.domain_of[r["criterion"]]]})
    flags = pd.DataFrame(rows, columns=["unit", "criterion", "comment", "appraiser"])
    explained = rng.random(len(flags)) < EXPLAINED_SHARE
    if STORY_UNIT in set(flags["unit"]):  # the story unit shows both
        mine = np.flatnonzero(flags["unit"].eq(STORY_UNIT).to_numpy())
        explained[mine] = [i == mine[0] for i in mine] if len(mine) > 1 else True
    flags["explained"] = explained
    names = units["name"].to_dict()
    texts, attached = [], []
    for row in flags.itertuples():
        number, day, month = rng.integers(20, 400), rng.integers(1, 29), rng.integers(9, 12)
        kind, abbr, _ = DOCUMENTS[criteria.domain_of[row.criterion]][0]
        texts.append(f"Đơn vị đã bổ sung {kind} số {number}/{abbr} ngày {day:02d}/{month:02d}"
                     f"/2025 của UBND {names.get(row.unit, row.unit)}; đề nghị Hội đồng thẩm "
                     f"định xem xét lại.")
        attached.append(f"{PREFIX[kind]}_{number}_BO_SUNG_2025.pdf" if rng.random() < 0.6
                        else "")
    flags["text"], flags["file"] = texts, attached
    return Plan(submitted, files, flags)


def _file_name(rng, domain: str) -> str:
    choices = DOCUMENTS[domain]
    _, _, pattern = choices[int(rng.integers(0, len(choices)))]
    return pattern.format(n=int(rng.integers(5, 320)))


def read_files(units: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(self rows, appraisal rows) as the sample's files hold them (text)."""
    read = dict(dtype=str, keep_default_na=False, encoding="utf-8")
    return pd.read_csv(SELF_FILE, **read), pd.read_csv(APPRAISAL_FILE, **read)


# -- seeding --------------------------------------------------------------------------------

def deadlines(now: dt.datetime) -> tuple[dt.date, dt.date, dt.datetime]:
    """(self_until, explain_until, when the units worked) for a round seeded at ``now``."""
    today = now.astimezone(VIETNAM).date()
    return (today + dt.timedelta(days=SELF_UNTIL_DAYS),
            today + dt.timedelta(days=EXPLAIN_UNTIL_DAYS),
            now + dt.timedelta(days=SELF_WORK_DAYS))


def open_round(store, sets: list[CriteriaSet], actor: Actor) -> tuple[Round | None, bool]:
    """(the sample round, whether it was created now): created in phase ``self`` with its
    deadlines relative to now; the existing one when the sample is seeded again (a reset);
    None when the sample has no such set."""
    from par.store import rounds

    criteria = next((c for c in sets if c.id == ROUND_SET), None)
    if criteria is None:
        return None, False
    found = rounds.round_for(store, ROUND_SET, ROUND_PERIOD)
    if found is not None:
        return found, False
    self_until, explain_until, _ = deadlines(rounds.clock())
    return rounds.create_round(store, criteria, ROUND_PERIOD, self_until=self_until,
                               explain_until=explain_until, actor=actor), True


def play(store, rnd: Round, criteria: CriteriaSet, units: pd.DataFrame, *, fresh: bool,
         actor: Actor) -> None:
    """The round's events after the self rows are in (see the module's docstring). Seeded
    again (``fresh`` False: a reset withdrew every row), the office imports the appraisal
    rows and the survey answers once more; files, submissions, flags and explanations are
    still there (nothing is ever deleted)."""
    from par.sample import surveys
    from par.store import round_work, rounds
    from par.store.submit import prepare_all, submit

    self_rows, appraisal = read_files()
    if not fresh:
        submit(store, prepare_all([(APPRAISAL_FILE.name, _csv(appraisal))], [criteria],
                                  units), actor=actor)
        surveys.import_all(store, criteria, actor)  # the survey leaves' rows, once more
        return
    events = plan(criteria, units, self_rows, appraisal)
    _, _, worked = deadlines(rounds.clock())
    from par.sample.evidence_files import evidence_file

    names = units["name"].to_dict()
    for row in events.files.itertuples():
        data = evidence_file(row.name, [f"Đơn vị: {names.get(row.unit, row.unit)}",
                                        f"Tiêu chí {row.criterion}"])
        round_work.add_evidence(store, rnd.id, row.unit, row.criterion, [(row.name, data)],
                                actor=unit_actor(row.unit), now=worked)
    for unit in events.submitted:
        rounds.submit_unit(store, rnd.id, unit, actor=unit_actor(unit), now=worked)
    rnd = rounds.advance(store, rnd.id, actor=actor)  # → appraisal
    domains = appraisal["criterion"].map(criteria.domain_of)
    for name, (title, codes) in APPRAISERS.items():
        mine = appraisal[domains.isin(codes)]
        if mine.empty:
            continue
        sheet = f"tham-dinh-2025-{name.split('.', 1)[1]}.csv"
        submit(store, prepare_all([(sheet, _csv(mine))], [criteria], units),
               actor=appraiser(name))
    # the survey team's answers: the office imports both forms for the year (the survey leaves'
    # values, as appraisal rows merged into each unit's; units that did not submit have none)
    surveys.import_all(store, criteria, actor)
    for row in events.flags.itertuples():
        round_work.flag(store, rnd.id, row.unit, row.criterion, row.comment,
                        actor=appraiser(row.appraiser))
    rnd = rounds.advance(store, rnd.id, actor=actor)  # → explanation
    for row in events.flags[events.flags["explained"]].itertuples():
        files = ([(row.file, evidence_file(row.file, [names.get(row.unit, row.unit),
                                                      f"Giải trình tiêu chí {row.criterion}"]))]
                 if row.file else [])
        round_work.explain(store, rnd.id, row.unit, row.criterion, row.text, files,
                           actor=unit_actor(row.unit))


def _csv(rows: pd.DataFrame) -> bytes:
    out = io.StringIO()
    rows.to_csv(out, index=False)
    return out.getvalue().encode("utf-8")


__all__ = ["APPRAISERS", "Plan", "open_round", "plan", "play", "shape"]
