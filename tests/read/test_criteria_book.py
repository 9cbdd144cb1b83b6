"""Criteria workbooks (par.read.criteria_book): YAML → xlsx → YAML scores identically; a
workbook typed by hand in the published layout reads; problems name the sheet and cell."""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from par.domain.issues import ParError, errors_only
from par.engine.criteria import check_criteria_text, load_criteria
from par.engine.diff import diff_sets
from par.engine.scoring import score
from par.read.criteria_book import (
    fraction_of,
    points_text,
    read_criteria_book,
    write_criteria_book,
)
from par.read.criteria_yaml import criteria_yaml, set_document
from par.read.inputs import read_inputs
from par.read.units import read_units

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {"nghe-an-huyen-2019.yaml": ["huyen-2019-self.csv", "huyen-2019-appraisal.csv"],
           "nghe-an-so-2025.yaml": ["so-2025-self.csv"],
           "nghe-an-xa-2025.yaml": ["xa-2025-self.csv"]}


def _bare(criteria):
    """The set without where it was read from (lines, file, hash): what scoring uses. An
    option is its points (max × fraction, as the scorer computes them): two fractions that
    give the very same points score the same."""
    def node(n):
        rule = n.rule
        if rule is not None and rule.options is not None:
            rule = replace(rule, options={k: n.max * f for k, f in rule.options.items()})
        return replace(n, line=None, rule=rule, children=tuple(node(c) for c in n.children))
    return replace(criteria, domains=tuple(node(d) for d in criteria.domains), source=None,
                   sha256=None)


def _round_trip(criteria, lang="vi"):
    data = write_criteria_book(criteria, lang)
    back, text, issues = read_criteria_book(data, "set.xlsx")
    assert back is not None, [i.render("en") for i in issues]
    assert issues == []
    again, _ = check_criteria_text(text, "again.yaml")  # the YAML text is what is stored
    assert _bare(again) == _bare(back)
    return back, text


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_set_round_trips_and_scores_identically(name):
    original = load_criteria(ROOT / "criteria" / name)
    back, text = _round_trip(original)
    assert _bare(back) == _bare(original)
    assert diff_sets(original, back).empty
    assert 'code: "1.1.1"' in text or 'code: "1.1"' in text  # codes stay quoted text
    units = read_units(ROOT / "data" / "units.csv")
    paths = [ROOT / "data" / "inputs" / f for f in SHIPPED[name]]
    rows, _ = read_inputs(paths, original, units)
    rows_back, _ = read_inputs(paths, back, units)
    one, two = score(original, units, rows), score(back, units, rows_back)
    pd.testing.assert_frame_equal(one.units, two.units, check_exact=True)
    pd.testing.assert_frame_equal(one.leaves, two.leaves, check_exact=True)
    assert one.units["index"].notna().sum() > 5


def test_english_headings_read_back_too():
    original = load_criteria(ROOT / "criteria" / "nghe-an-xa-2025.yaml")
    back, _ = _round_trip(original, "en")
    assert _bare(back) == _bare(original)


# -- generated sets with every rule type ---------------------------------------------------

quarter = st.integers(1, 16).map(lambda n: n / 4)  # 0.25 … 4
label = st.text(alphabet="abcĐđệ :;%-/", min_size=1, max_size=12).filter(
    lambda s: s.strip() and ":" not in s.strip()[-1:])


@st.composite
def rules(draw, node_max: float):
    rtype = draw(st.sampled_from(["points", "yes_no", "ratio", "count", "survey", "deduction",
                                  "choice"]))
    rule: dict = {"type": rtype}
    points = st.integers(0, int(node_max * 4)).map(lambda n: n / 4)

    def bands():
        bounds = draw(st.lists(st.integers(0, 40).map(lambda n: n * 2.5), min_size=1,
                               max_size=4, unique=True))
        return [{draw(st.sampled_from(["min", "above"])): b, "points": draw(points)}
                for b in bounds]
    if rtype == "ratio":
        if draw(st.booleans()):
            rule["bands"] = bands()
        else:
            rule["linear"] = True
        if draw(st.booleans()):
            rule["direction"] = "lower_is_better"
        rule["when_empty"] = draw(st.sampled_from(["na", "full", "zero"]))
        rule["aggregate"] = draw(st.sampled_from(["sum", "last"]))
    elif rtype == "count":
        if draw(st.booleans()):
            rule["bands"] = bands()
        else:
            rule["per_item"] = draw(quarter)
        rule["aggregate"] = draw(st.sampled_from(["sum", "last", "mean", "max", "min"]))
    elif rtype == "survey":
        if draw(st.booleans()):
            rule["bands"] = bands()
    elif rtype == "deduction":
        rule["per_item"] = draw(quarter)
    elif rtype == "choice":
        labels = draw(st.lists(label, min_size=1, max_size=4,
                               unique_by=lambda s: s.strip()))
        # options as published: points in quarters (fractions like 1/3 of 0.75)
        rule["options"] = {lb: draw(points) / node_max for lb in labels}
    elif rtype == "points":
        rule["aggregate"] = draw(st.sampled_from(["last", "sum", "max"]))
    return rule


@st.composite
def criteria_sets(draw):
    domains = []
    for d in range(1, draw(st.integers(1, 3)) + 1):
        leaves = []
        for i in range(1, draw(st.integers(1, 4)) + 1):
            mx = draw(quarter)
            leaf = {"code": f"{d}.{i}", "name": draw(label), "max": mx,
                    "rule": draw(rules(mx))}
            if draw(st.booleans()):
                leaf["name_en"] = "Leaf " + draw(label)
            if draw(st.booleans()):
                leaf["description"] = draw(st.sampled_from(["Mô tả.", "Hai dòng\nmô tả"]))
            leaves.append(leaf)
        domains.append({"code": str(d), "name": f"Lĩnh vực {d}",
                        "max": sum(x["max"] for x in leaves), "children": leaves})
    for kind in draw(st.lists(st.sampled_from(["bonus", "penalty"]), unique=True)):
        mx = draw(quarter)
        domains.append({"code": kind[0].upper(), "name": kind, "max": mx, "kind": kind,
                        "rule": draw(rules(mx))})
    doc = {"id": "gen", "title": "Sinh ngẫu nhiên", "year": 2025, "level": "xa",
           "scale": draw(st.sampled_from([100, 10])),
           "bands": [{"min": 80, "label": "Tốt", "label_en": "Good"},
                     {"above": 50, "label": "Khá"}],
           "ranking": {"ties": draw(st.sampled_from(["min", "dense"]))}, "domains": domains}
    if draw(st.booleans()):
        doc["max_total"] = sum(x["max"] for x in domains if x.get("kind") is None)
        doc["title_en"], doc["decision"] = "Generated", "1/QĐ-UBND"
    return doc


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(criteria_sets(), st.sampled_from(["vi", "en"]))
def test_generated_sets_of_every_rule_type_round_trip_exactly(doc, lang):
    original, issues = check_criteria_text(criteria_yaml(doc), "gen.yaml")
    assert original is not None, [i.render("en") for i in issues]
    back, _ = _round_trip(original, lang)
    assert _bare(back) == _bare(original)  # equal models: identical scores for any input


def test_options_are_points_as_published():
    assert fraction_of(0.5, 1) == 0.5 and fraction_of(1, 1.5) == 1 / 1.5
    assert fraction_of(0.9, 1.5) == 0.6 and points_text(0.6, 1.5) == "0,9"  # no exact one: nearest
    assert fraction_of(0.25, 2.75) * 2.75 == 0.25
    assert points_text(2 / 3, 1.5, "en") == "1"


# -- a workbook typed by hand in the published layout ----------------------------------------

def _hand_book(rows, header_rows=None, parent=False) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    info = wb.active
    info.title = "Thông tin chung"
    for r in header_rows if header_rows is not None else [
            ("Mã bộ chỉ số", "ca-mau-huyen-2013"),
            ("Tên bộ chỉ số", "Bộ chỉ số CCHC cấp huyện tỉnh Cà Mau (trích, minh họa)"),
            ("Văn bản ban hành", "1880/QĐ-UBND"), ("Năm", 2013), ("Cấp đơn vị", "huyen"),
            ("Tổng điểm tối đa", 7), (), ("Xếp loại", "Điều kiện (chỉ số)"),
            ("Tốt", "từ 90"), ("Khá", "từ 80"), ("Trung bình", "trên 0")]:
        info.append(list(r))
    ws = wb.create_sheet("Tiêu chí")
    ws.append(["PHỤ LỤC: TIÊU CHÍ, THANG ĐIỂM CHẤM CHỈ SỐ CCHC CẤP HUYỆN"])
    ws.append([])
    ws.append(["STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Cách chấm",
               "Mức điểm", "Lựa chọn (điểm)"] + (["Thuộc (mã)"] if parent else []))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CA_MAU = [
    ("1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", 7),
    ("1.1", "Kế hoạch CCHC năm", 5),
    ("1.1.1", "Ban hành kế hoạch CCHC năm", 1, "lựa chọn", None,
     "Ban hành kịp thời: 1; Ban hành không kịp thời: 0,5; Không ban hành: 0"),
    ("1.1.2", "Xác định đầy đủ các nhiệm vụ CCHC và bố trí kinh phí thực hiện", 1, "có/không"),
    ("1.1.3", "Các kết quả phải đạt được xác định rõ ràng, cụ thể", 1, "Có/Không"),
    ("1.1.4", "Mức độ thực hiện kế hoạch CCHC", 2, "tỷ lệ",
     "Thực hiện trên 90% kế hoạch: 2; từ 70% - 90%: 1; dưới 70%: 0"),
    ("1.2", "Báo cáo CCHC", 2),
    ("1.2.1", "Đủ số lượng và đúng thời gian quy định", "1,0", "yes_no"),
    ("1.2.2", "Báo cáo đầy đủ nội dung", 1, "có/không"),
]


def test_a_hand_typed_annex_reads():
    criteria, text, issues = read_criteria_book(_hand_book(CA_MAU), "ca-mau.xlsx")
    assert criteria is not None, [i.render("en") for i in issues]
    assert issues == []
    nodes = criteria.nodes
    assert [d.code for d in criteria.domains] == ["1"] and criteria.parent_of["1.2.2"] == "1.2"
    assert nodes["1.1.1"].rule.options == {"Ban hành kịp thời": 1.0,
                                           "Ban hành không kịp thời": 0.5, "Không ban hành": 0.0}
    bands = nodes["1.1.4"].rule.bands
    assert [(b.bound, b.strict, b.points) for b in bands] == [(90, True, 2), (70, False, 1)]
    assert nodes["1.2.1"].rule.type == "yes_no" and criteria.decision == "1880/QĐ-UBND"
    assert [(b.label, b.bound, b.strict) for b in criteria.bands] == [
        ("Tốt", 90, False), ("Khá", 80, False), ("Trung bình", 0, True)]
    assert criteria.max_total == 7 and criteria.year == 2013
    assert "Ban hành không kịp thời: 0.5" in text


def test_problems_name_the_sheet_and_the_cell():
    rows = [list(r) + [None] * (6 - len(r)) for r in CA_MAU]
    rows[2][5] = "Ban hành kịp thời: 1; Ban hành không kịp thời: 1,5"  # over the max (row 6)
    rows[3][3] = "có hoặc không"  # not a rule type (row 7)
    rows[5][4] = "trên 90%: 2; dưới 70%: 0,5"  # else with points (row 9)
    rows[8][2] = 2  # 1.2 no longer adds up (row 12 → the parent 1.2 at row 10)
    rows.append(["", "Dòng không có mã", 1])  # row 13
    rows.append(["1.2.2", "Trùng mã", 1, "có/không"])  # row 14
    criteria, text, issues = read_criteria_book(_hand_book(rows), "bad.xlsx")
    assert criteria is None and text is None
    where = {(i.code, i.sheet, i.cell) for i in issues}
    assert where == {("criteriabook.option_over_max", "Tiêu chí", "F6"),
                     ("criteriabook.bad_word", "Tiêu chí", "D7"),
                     ("criteriabook.band_else", "Tiêu chí", "E9"),
                     ("criteriabook.no_code", "Tiêu chí", "A13"),
                     ("criteriabook.duplicate_code", "Tiêu chí", "A14")}
    assert "bad.xlsx, sheet 'Tiêu chí', cell F6" in issues[0].render("en") or any(
        i.render("en").startswith("bad.xlsx, sheet 'Tiêu chí', cell F6") for i in issues)
    # once the words are right, the checker's problems come back at their cells too
    rows = [list(r) + [None] * (6 - len(r)) for r in CA_MAU]
    rows[8][2] = 2
    rows[3][3] = "số lượng"  # a count needs bands or per item
    criteria, _, issues = read_criteria_book(
        _hand_book(rows, parent=False, header_rows=[("Mã bộ chỉ số", "Cà Mau"), ("Năm", 2013),
                                                    ("Tên bộ chỉ số", "T"), ("Cấp đơn vị", "huyen"),
                                                    ("Tổng điểm tối đa", 8)]), "bad.xlsx")
    assert criteria is None
    where = {(i.code, i.sheet, i.cell) for i in errors_only(issues)}
    assert ("criteria.children_sum", "Tiêu chí", "C10") in where  # 1.2: 1 + 2 ≠ 2
    assert ("criteria.count_bands_or_per_item", "Tiêu chí", "E7") in where
    assert ("criteria.bad_id", "Thông tin chung", "B1") in where


def test_hostile_and_foreign_files_are_refused_before_parsing():
    _, _, issues = read_criteria_book(b"not a zip at all", "x.xlsx")
    assert issues and issues[0].code.startswith("guard.")
    from openpyxl import Workbook

    wb, out = Workbook(), io.BytesIO()
    wb.active.title = "Something"
    wb.save(out)
    _, _, issues = read_criteria_book(out.getvalue(), "other.xlsx")
    assert {i.code for i in issues} == {"criteriabook.no_sheet"}
    with pytest.raises(ParError):
        from par.read.criteria_book import load_criteria_book

        load_criteria_book(ROOT / "no-such.xlsx")


def test_set_document_is_the_yaml_of_a_loaded_set():
    original = load_criteria(ROOT / "criteria" / "nghe-an-so-2025.yaml")
    again, _ = check_criteria_text(criteria_yaml(set_document(original)), "so.yaml")
    assert _bare(again) == _bare(original)


WITH_SURVEYS = """id: t-2025
title: Thử
year: 2025
level: xa
evidence_required: true
surveys:
  - id: sipas
    name: Phiếu SIPAS
    min_responses: 25
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: Tiếp cận dịch vụ}
      - {code: Q2, text: Công khai thủ tục, options: {Có: 100, Không: 0, Không biết: null}}
domains:
  - code: "1"
    name: Khảo sát
    max: 10
    children:
      - {code: "1.1", name: Hài lòng, max: 6, rule: {type: survey, linear: true, source: {form: sipas, questions: [Q1, Q2]}}}
      - {code: "1.2", name: Có kế hoạch, max: 4, evidence_required: false, rule: {type: yes_no}}
"""


def test_survey_forms_sources_and_evidence_rules_round_trip(tmp_path):
    from openpyxl import load_workbook

    original, issues = check_criteria_text(WITH_SURVEYS, "t.yaml")
    assert original is not None, issues
    data = write_criteria_book(original)
    sheet = load_workbook(io.BytesIO(data))["Phiếu khảo sát"]
    rows = [[c for c in r if c not in (None, "")] for r in sheet.iter_rows(values_only=True)]
    assert rows[1] == ["sipas", "Phiếu SIPAS", 25, "A: 100; B: 60; C: 20; D: 0; E: không tính"]
    assert rows[3] == ["sipas", "Q2", "Công khai thủ tục", "Có: 100; Không: 0; Không biết: không tính"]
    for lang in ("vi", "en"):
        back, text = _round_trip(original, lang)
        assert back.surveys == original.surveys and back.evidence_required
        assert back.nodes["1.1"].rule.source == original.nodes["1.1"].rule.source
        assert back.nodes["1.2"].evidence_required is False
    # the set as its YAML document, and back
    again, _ = check_criteria_text(criteria_yaml(set_document(original)), "again.yaml")
    assert _bare(again) == _bare(original)


def test_survey_cells_that_cannot_be_read_name_their_cell():
    from openpyxl import load_workbook

    original, _ = check_criteria_text(WITH_SURVEYS, "t.yaml")
    book = load_workbook(io.BytesIO(write_criteria_book(original)))
    book["Phiếu khảo sát"]["F2"] = "A: 100; B: nhiều"
    nodes = book["Tiêu chí"]
    source_col = [c.column_letter for c in nodes[4] if c.value == "Nguồn khảo sát (phiếu: câu hỏi)"]
    nodes[f"{source_col[0]}6"] = "sipas"  # the row of 1.1: no questions
    out = io.BytesIO()
    book.save(out)
    back, _, issues = read_criteria_book(out.getvalue(), "sai.xlsx")
    assert back is None
    where = {(i.sheet, i.cell): i.render("vi") for i in issues}
    assert "'B: nhiều' không phải một phương án trả lời" in where[("Phiếu khảo sát", "F2")]
    assert "'sipas' không phải nguồn khảo sát" in where[("Tiêu chí", f"{source_col[0]}6")]
