"""The survey page's pure parts: the dot-and-whisker figure, the tables (numbers stay numbers),
the low-sample list, leaf intervals and the unit page's survey part."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import criteria_issues, make_units

from par.domain.auth import Actor
from par.engine.scoring import score
from par.engine.survey import aggregate
from par.present.survey_figures import LOW_COLOR, OK_COLOR, fig_survey
from par.present.surveys import (
    history_table,
    imported_text,
    leaf_intervals,
    low_units,
    names_of,
    respondents_per_unit,
    results_table,
    unit_survey_part,
)
from par.store.rows import load_rows
from par.store.storage import Store
from par.store.surveys import import_answers, imports, results

SET = """
surveys:
  - id: ld
    name: Lãnh đạo
    min_responses: 3
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: Kịp thời}
      - {code: Q2, text: Công khai, options: {Có: 100, Không: 0}}
domains:
  - code: "1"
    name: Khảo sát
    max: 20
    children:
      - {code: "1.1", name: Lá một, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1, Q2]}}}
      - {code: "1.2", name: Lá hai, max: 10, rule: {type: survey, source: {form: ld, questions: [Q2]}, bands: [{min: 50, points: 10}, {min: 0, points: 2}]}}
"""
# a: 4 respondents, b: 3, c: 1 (below min_responses = 3)
ANSWERS = ("đơn vị,người trả lời,Q1,Q2\n"
           "a,1,A,Có\na,2,B,Không\na,3,A,Có\na,4,C,Có\n"
           "b,1,D,Không\nb,2,C,Không\nb,3,E,\n"
           "c,1,A,Có\n").encode()


@pytest.fixture
def survey():
    criteria = criteria_issues(SET)[0]
    units = make_units([{"id": "a", "name": "Xã <b>An</b>", "level": "xa"},
                        {"id": "b", "name": "Xã Bình", "level": "xa"},
                        {"id": "c", "name": "Xã Cát", "level": "xa"}])
    return criteria, units


@pytest.fixture
def stored(survey, tmp_path):
    criteria, units = survey
    store = Store(f"sqlite:///{tmp_path}/s.db")
    store.sync_units(units)
    done = import_answers(store, criteria, "ld", "2025", ANSWERS, "ld.csv",
                          actor=Actor.local_admin("office"))
    yield store, criteria, units, done
    store.dispose()


def test_figure_dots_whiskers_and_low_units_in_their_own_trace(stored):
    store, criteria, units, _ = stored
    questions, _ = results(store, criteria, "ld", "2025")
    rows = questions[questions["question"] == "Q1"]
    fig = fig_survey(rows, names_of(store.units()), "Q1 · <i>Kịp thời</i>", 3, "vi")
    ok, low = fig.data
    assert ok.marker.color == OK_COLOR and low.marker.color == LOW_COLOR
    assert "3" in ok.name and "3" in low.name and ok.showlegend is not False
    # a: (100+60+100+20)/4 = 70, b: (0+20)/2 = 10 (E excluded); c alone and flagged
    assert list(ok.x) == [70.0, 10.0] and list(low.x) == [100.0]
    assert ok.y[0] == "Xã &lt;b&gt;An&lt;/b&gt;"  # names escaped before plotly sees them
    a = rows.set_index("unit").loc["a"]
    assert ok.error_x.array[0] == pytest.approx(a["ci_high"] - 70.0)
    assert ok.error_x.arrayminus[0] == pytest.approx(70.0 - a["ci_low"])
    assert "&lt;i&gt;" in fig.layout.title.text
    assert list(low.error_x.array) == [0.0]  # n = 1: no interval, no whisker
    assert fig.layout.separators == ",."
    assert fig.layout.xaxis.range == (-2, 102)


def test_figure_without_low_units_has_one_trace_and_leaves_use_value(survey):
    criteria, _ = survey
    wide = pd.DataFrame({"unit": ["a"] * 3, "respondent": ["1", "2", "3"], "row": [2, 3, 4],
                         "Q1": ["A", "A", "B"], "Q2": ["Có", "Không", "Có"]})
    questions, leaves = aggregate(wide, criteria, "ld")
    rows = leaf_intervals(questions, leaves[leaves["criterion"] == "1.1"], criteria)
    fig = fig_survey(rows, {"a": "Xã An"}, "1.1", 3, "en", value="value")
    assert len(fig.data) == 1 and fig.data[0].x[0] == pytest.approx(rows["value"].iloc[0])
    assert fig.layout.separators == ".,"


def test_leaf_interval_is_the_mean_of_its_questions_bounds(stored):
    store, criteria, _, _ = stored
    questions, leaves = results(store, criteria, "ld", "2025")
    got = leaf_intervals(questions, leaves, criteria).set_index(["unit", "criterion"])
    q = questions.set_index(["unit", "question"])
    low = (q.loc[("a", "Q1"), "ci_low"] + q.loc[("a", "Q2"), "ci_low"]) / 2
    assert got.loc[("a", "1.1"), "ci_low"] == pytest.approx(low)
    assert got.loc[("a", "1.2"), "ci_high"] == pytest.approx(q.loc[("a", "Q2"), "ci_high"])
    assert got.loc[("a", "1.1"), "n"] == 4
    # b answered Q2 "Không" twice: pct 0, a leaf whose interval is [0, 0]
    assert got.loc[("b", "1.2"), "value"] == 0.0 and got.loc[("b", "1.2"), "ci_high"] == 0.0


def test_tables_keep_numbers_numeric_and_flag_low_units(stored):
    store, criteria, units, _ = stored
    questions, _ = results(store, criteria, "ld", "2025")
    names = names_of(store.units())
    form = criteria.survey("ld")
    table = results_table(questions, form, names, "vi")
    assert table["Tỷ lệ (%)"].dtype == float and table["n"].dtype == np.int64
    shown = table.text()
    a_q1 = shown[(shown["Đơn vị"] == "Xã <b>An</b>") & (shown["Câu hỏi"] == "Q1")].iloc[0]
    assert a_q1["Tỷ lệ (%)"] == "70,0" and a_q1["Cảnh báo"] == ""
    assert (shown.loc[shown["Đơn vị"] == "Xã Cát", "Cảnh báo"] == "ít hơn 3 người").all()
    assert low_units(questions, names) == ["Xã Cát"]
    counts = questions.groupby("unit")["respondents"].first()
    per_unit = respondents_per_unit(["a", "b", "c", "d"], counts, names, 3, "en")
    assert per_unit.text()["Unit"].tolist() == ["d", "Xã Cát", "Xã Bình", "Xã <b>An</b>"]
    assert per_unit["Respondents"].tolist() == [0, 1, 3, 4]
    assert per_unit.text()["Status"].tolist() == ["no answers", "fewer than 3", "enough",
                                                  "enough"]


def test_history_and_import_message(stored):
    store, criteria, _, done = stored
    again = import_answers(store, criteria, "ld", "2025", ANSWERS, "ld2.csv",
                           actor=Actor.local_admin("office"))
    table = history_table(imports(store, criteria.id, "ld"), "vi")
    assert table["Lần nhập"].tolist() == [again.id, done.id]
    assert table["Trạng thái"].tolist() == ["đang dùng", "đã thay thế"]
    assert table["Kỳ"].tolist() == ["Cả năm 2025"] * 2
    text, toast = imported_text(again, criteria.survey("ld"), 3, "vi")
    assert f"#{again.id}" in text and f"#{done.id}" in text and "8 người trả lời" in text
    assert toast == f"Đã nhập lần #{again.id}: 8 người trả lời, 3 đơn vị."
    assert "replacing" not in imported_text(done, criteria.survey("ld"), 3, "en")[0]


def test_unit_survey_part_values_intervals_and_points(stored):
    store, criteria, units, _ = stored
    rows, _ = load_rows(store, criteria, units)
    card = score(criteria, units, rows)
    got = {"ld": results(store, criteria, "ld", "2025")}
    table, totals = unit_survey_part(card, "a", got, "vi")
    shown = table.text()
    assert shown["Mã"].tolist() == ["1.1", "1.2"]
    assert table["Giá trị (%)"].tolist() == pytest.approx([(70 + 75) / 2, 75.0])
    assert table["Điểm"].tolist() == pytest.approx([10 * 72.5 / 100, 10.0])
    assert totals["points"] == pytest.approx(17.25) and totals["max"] == 20.0
    assert not totals["low"]
    assert unit_survey_part(card, "c", got, "vi")[1]["low"]
    assert unit_survey_part(card, "a", {}, "vi") is None


def test_the_sentence_under_rank_intervals_says_whether_they_carry_survey_error():
    from par.present.surveys import survey_sentence

    criteria = criteria_issues("""
surveys:
  - id: ld
    name: Phiếu <b>lãnh đạo</b>
    options: {A: 100, B: 0}
    questions: [{code: Q1, text: một}]
domains:
  - {code: "1", name: Lá, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1]}}}
""")[0]
    none = pd.DataFrame()
    none.attrs["survey"] = None
    assert "chưa gồm sai số khảo sát" in survey_sentence(none, criteria)
    used = pd.DataFrame()
    used.attrs.update(survey={"forms": ["ld"], "replicates": 1200, "seed": 3},
                      survey_period="2025-Q2")
    vi = survey_sentence(used, criteria)
    assert "khảo sát Quý II/2025 (Phiếu" in vi and "1.200 mẫu lặp" in vi
    assert "hạt giống 3" in vi and "<b>" not in vi  # the form's name is escaped
    en = survey_sentence(used, criteria, "en")
    assert "1,200 resamples" in en and "seed 3" in en
