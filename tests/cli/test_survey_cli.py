"""SURVEY §4: `survey import` and `survey results --format json`, then `score --db`."""
from __future__ import annotations

import json

from conftest import make_units, yaml_text

from par.cli.main import main
from par.store.storage import Store

SET = """
surveys:
  - id: ld
    name: Lãnh đạo
    min_responses: 3
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: một}
      - {code: Q2, text: hai}
domains:
  - {code: "1", name: Lá, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1, Q2]}}}
"""


def test_import_then_results_json_and_score(tmp_path, write, capsys):
    db = f"sqlite:///{tmp_path}/c.db"
    Store(db).sync_units(make_units("a b"))
    criteria = write("t.yaml", yaml_text(SET))
    answers = write("ld.csv", "đơn vị,người trả lời,Q1,Q2\na,1,A,B\na,2,C,\nb,1,E,\n")
    common = ["--criteria", str(criteria), "--form", "ld", "--period", "2025", "--database", db]
    assert main(["survey", "import", str(answers), *common, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "stored 3 respondents" in out and "fewer than 3 respondents" in out
    assert main(["survey", "results", *common, "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert list(got) == ["questions", "leaves"]
    assert got["questions"][0] == {"unit": "a", "question": "Q1", "n": 2, "pct": 60.0,
                                   "ci_low": 0.0, "ci_high": 100.0, "flag_low_n": True}
    assert got["questions"][2] == {"unit": "b", "question": "Q1", "n": 0, "pct": None,
                                   "ci_low": None, "ci_high": None, "flag_low_n": True}
    assert got["leaves"] == [{"unit": "a", "criterion": "1", "value": 60.0, "flag_low_n": True}]
    assert main(["survey", "results", *common, "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("unit,question,n,pct")
    assert main(["score", "--criteria", str(criteria), "--db", "--database", db,
                 "--format", "json"]) == 0
    card = json.loads(capsys.readouterr().out)
    text = json.dumps(card)
    assert "6.0" in text or ": 6," in text  # a: linear 10 × 60 / 100 = 6 points


def test_errors_exit_2_with_their_cells(tmp_path, write, capsys):
    db = f"sqlite:///{tmp_path}/c.db"
    Store(db).sync_units(make_units("a b"))
    criteria = write("t.yaml", yaml_text(SET))
    answers = write("ld.csv", "unit,respondent,Q1,Q2\nzz,1,A,B\na,2,F,\n")
    assert main(["survey", "import", str(answers), "--criteria", str(criteria), "--form", "ld",
                 "--period", "2025", "--database", db, "--lang", "en"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "row 2" in err[0] and "'zz'" in err[0]
    assert "row 3" in err[1] and "Q1" in err[1]
