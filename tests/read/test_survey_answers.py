"""SURVEY §2: the answers table, every problem with its file, row and column."""
from __future__ import annotations

import io

import openpyxl
import pytest
from conftest import criteria_issues, make_units, table

from par.domain.issues import ParError
from par.read.survey_answers import check_answers_table, read_answers

SET = """
surveys:
  - id: ld
    name: Lãnh đạo
    min_responses: 3
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: một}
      - {code: Q2, text: hai, options: {Có: 100, Không: 0}}
      - {code: Q3, text: ba}
domains:
  - {code: "1", name: Lá, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1, Q2]}}}
"""


def survey_set():
    return criteria_issues(SET)[0]


UNITS = make_units("a b")


def check(text, name="ans.csv"):
    return check_answers_table(table(text, name), survey_set().survey("ld"), UNITS, "xa")


def test_vietnamese_headers_labels_and_kept_columns():
    answers, issues = check("""
        Đơn vị,Người trả lời,q1,Q2,Q3,Giới tính
        a,r1, a ,có,E,nam
        Unit b,,B,KHÔNG,,nữ
        ,,,,,
        a,r2,,Có,D,
        """)
    assert issues == []
    w = answers.wide
    assert w["unit"].tolist() == ["a", "b", "a"]
    assert w["respondent"].tolist() == ["r1", "#3", "r2"]  # empty: its row number
    assert w["row"].tolist() == [2, 3, 5]
    assert w["Q1"].tolist() == ["A", "B", ""] and w["Q2"].tolist() == ["Có", "Không", "Có"]
    assert w["giới tính"].tolist() == ["nam", "nữ", ""] and answers.extra_columns == ["giới tính"]
    assert answers.respondents == 3 and answers.answers == 7


def test_every_error_with_row_and_column_at_once():
    _, issues = check("""
        unit,respondent,Q1,Q2,Q3
        a,1,A,Có,A
        zz,2,A,Có,A
        a,3,X,Có,A
        b,4,A,maybe,A
        a,1,B,Có,A
        ,5,A,,
        """)
    found = [(i.code, i.row, i.cell, i.file) for i in issues]
    assert found == [
        ("survey.unknown_unit", 3, "unit", "ans.csv"),
        ("survey.bad_answer", 4, "Q1", "ans.csv"),
        ("survey.bad_answer", 5, "Q2", "ans.csv"),
        ("survey.duplicate_respondent", 6, "respondent", "ans.csv"),
        ("survey.empty_unit", 7, "unit", "ans.csv"),
    ]
    assert issues[3].params["first_row"] == 2
    assert "zz" in issues[0].render("en") and "X" in issues[1].render("vi")


def test_a_missing_question_column_is_named():
    answers, issues = check("""
        unit,respondent,Q1
        a,1,A
        """)
    assert answers is None
    assert [(i.code, i.params.get("question"), i.row) for i in issues] == [
        ("survey.missing_question", "Q2", 1), ("survey.missing_question", "Q3", 1)]


def test_the_same_respondent_in_two_units_is_two_people():
    answers, issues = check("""
        unit,respondent,Q1,Q2,Q3
        a,1,A,,
        b,1,A,,
        """)
    assert issues == [] and answers.respondents == 2


def test_a_workbook_through_the_sandbox_names_cells():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phiếu"
    sheet.append(["đơn vị", "người trả lời", "Q1", "Q2", "Q3", "kênh"])
    sheet.append(["a", "1", "A", "Có", "B", "trực tuyến"])
    sheet.append(["a", "2", "Z", "Có", "B", ""])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ParError) as exc:
        read_answers(out.getvalue(), "ans.xlsx", survey_set(), "ld", UNITS)
    [issue] = exc.value.issues
    assert (issue.code, issue.sheet, issue.row, issue.cell) == ("survey.bad_answer", "Phiếu", 3, "C3")
    sheet["C3"] = "c"
    out = io.BytesIO()
    book.save(out)
    answers = read_answers(out.getvalue(), "ans.xlsx", survey_set(), "ld", UNITS)
    assert answers.wide["Q1"].tolist() == ["A", "C"] and answers.wide["kênh"].iloc[0] == "trực tuyến"


def test_an_unknown_form_is_refused():
    with pytest.raises(ParError) as exc:
        read_answers(b"unit,Q1\n", "a.csv", survey_set(), "nope", UNITS)
    assert exc.value.issues[0].code == "survey.no_form"
