"""`survey ranks`: rank intervals from survey sampling error, from the stored answers."""
from __future__ import annotations

import json

from conftest import make_units, yaml_text

from par.cli.main import main
from par.store.storage import Store

SET = """
surveys:
  - id: ld
    name: Lãnh đạo
    min_responses: 2
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: một}
domains:
  - {code: "1", name: Lá, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1]}}}
"""
# a: 100/60 (80), c: 100/0 (50), b: 0/0 — as in tests/decide/test_survey_bootstrap.py
ANSWERS = "đơn vị,người trả lời,Q1\na,1,A\na,2,B\nb,1,D\nb,2,D\nc,1,A\nc,2,D\n"


def setup(tmp_path, write, capsys, answers=True):
    db = f"sqlite:///{tmp_path}/c.db"
    Store(db).sync_units(make_units("a b c"))
    criteria = write("t.yaml", yaml_text(SET))
    common = ["--criteria", str(criteria), "--period", "2025", "--database", db]
    if answers:
        file = write("ld.csv", ANSWERS)
        assert main(["survey", "import", str(file), *common, "--form", "ld",
                     "--user", "chief"]) == 0
        capsys.readouterr()
    return common


def test_ranks_json_and_table(tmp_path, write, capsys):
    common = setup(tmp_path, write, capsys)
    args = ["survey", "ranks", *common, "--replicates", "400", "--seed", "3"]
    assert main([*args, "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [{k: r[k] for k in ("unit", "rank", "of", "low", "high")} for r in got] == [
        {"unit": "a", "rank": 1, "of": 3, "low": 1, "high": 2},
        {"unit": "c", "rank": 2, "of": 3, "low": 1, "high": 2},
        {"unit": "b", "rank": 3, "of": 3, "low": 2, "high": 3}]
    assert got[0]["above"] is None and got[0]["flip_share"] is None
    assert got[1]["above"] == "a" and 0.1 < got[1]["flip_share"] < 0.3
    assert main([*args, "--format", "json"]) == 0  # the same seed: the same figures
    assert json.loads(capsys.readouterr().out) == got
    assert main([*args, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "2.5–97.5% rank intervals" in out and "400 resamples" in out and "forms: ld" in out
    assert "1/3" in out and "1–2" in out and "2–3" in out
    assert main([*args]) == 0
    assert "Khoảng hạng" in capsys.readouterr().out


def test_no_answers_collapses_and_says_so(tmp_path, write, capsys):
    common = setup(tmp_path, write, capsys, answers=False)
    assert main(["survey", "ranks", *common, "--format", "json", "--lang", "en"]) == 0
    captured = capsys.readouterr()
    assert "No survey answers" in captured.err
    got = json.loads(captured.out)  # every leaf missing (0 points): all tied 1st, no noise
    assert [(r["unit"], r["rank"], r["low"], r["high"], r["flip_share"]) for r in got] == [
        ("a", 1, 1, 1, None), ("b", 1, 1, 1, 0.0), ("c", 1, 1, 1, 0.0)]


def test_errors_exit_2(tmp_path, write, capsys):
    common = setup(tmp_path, write, capsys)
    bad_period = [a if a != "2025" else "2019" for a in common]
    assert main(["survey", "ranks", *bad_period, "--lang", "en"]) == 2
    assert "a period of 2025 is needed" in capsys.readouterr().err
    assert main(["survey", "ranks", *common, "--replicates", "0", "--lang", "en"]) == 2
    assert "at least 1" in capsys.readouterr().err
    # the other survey actions still work
    assert main(["survey", "results", *common, "--form", "ld", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["leaves"][0]["unit"] == "a"


def test_uncertainty_with_surveys_adds_their_sampling_error(tmp_path, write, capsys):
    common = setup(tmp_path, write, capsys)
    db = ["--db", "--criteria", common[1], "--database", common[-1]]
    args = ["uncertainty", *db, "--runs", "400", "--spread", "0", "--no-shrink", "--seed", "4"]
    assert main([*args, "--format", "json"]) == 0
    plain = {r["unit"]: (r["p05"], r["p95"]) for r in json.loads(capsys.readouterr().out)}
    assert plain == {"a": (1, 1), "c": (2, 2), "b": (3, 3)}  # nothing perturbed
    assert main([*args, "--surveys", "--format", "json"]) == 0
    noisy = {r["unit"]: (r["p05"], r["p95"]) for r in json.loads(capsys.readouterr().out)}
    assert noisy["a"] == (1, 2) and noisy["c"] == (1, 2)  # a and c trade places in the noise
    assert main([*args, "--surveys", "--lang", "en"]) == 0
    assert "sampling error of the Whole year 2025 survey (Lãnh đạo)" in capsys.readouterr().out
    # survey answers live in the database: from files, refused with the reason
    files = ["uncertainty", "--criteria", common[1], "--inputs", str(write("r.csv", "unit\n")),
             "--surveys", "--lang", "en"]
    assert main(files) == 2
    assert "--surveys needs --db" in capsys.readouterr().err
