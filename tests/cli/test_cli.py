"""`python -m par` (CONTRACT §5): output formats, and exit code 2 with a location on every error."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import yaml_text

from par.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

CRITERIA = yaml_text("""
    title_en: Test set
    bands: [{min: 90, label: A}, {min: 80, label: B}, {min: 0, label: C}]
    domains:
      - code: "1"
        name: Chỉ đạo
        max: 60
        children:
          - {code: "1.1", name: Kế hoạch, max: 20, rule: {type: yes_no}}
          - {code: "1.2", name: Báo cáo, max: 40, rule: {type: points}}
      - {code: "2", name: Khảo sát, max: 40, rule: {type: survey}}
    """)
UNITS = "id,name,level,group\na,Xã A,xa,xa\nb,Phường B,xa,phuong\nc,Xã C,xa,xa\nh,Huyện H,huyen,\n"
# a: 20 + 32.15 + 40 × 0.95 = 90.15 (all appraisal); b: 20 + 30 + 30 = 80; c: 0 + 20 + 20 = 40
INPUTS = """unit,period,criterion,value,numerator,denominator,stage,evidence,note
a,2025,1.1,có,,,appraisal,,
a,2025,1.2,"32,15",,,appraisal,,
a,2025,2,95%,,,appraisal,,
b,2025,1.1,Có,,,,,
b,2025,1.2,30,,,,,
b,2025,2,75,,,appraisal,,
c,2025,1.1,không,,,,,
c,2025,1.2,20,,,,,
c,2025,2,50,,,appraisal,,
"""


@pytest.fixture
def files(write, monkeypatch):
    monkeypatch.delenv("PAR_LANG", raising=False)
    return {"criteria": str(write("set.yaml", CRITERIA)), "units": str(write("units.csv", UNITS)),
            "inputs": str(write("in.csv", INPUTS))}


def args(files, command="score", *extra, **override):
    f = {**files, **override}
    return [command, "--criteria", f["criteria"], "--units", f["units"], "--inputs", f["inputs"],
            *extra]


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_error(capsys, argv, *needles):
    code, out, err = run(capsys, argv)
    assert code == 2
    assert out == ""  # nothing is written on error
    assert "Traceback" not in err and err.strip()
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def test_score_json(files, capsys):
    code, out, err = run(capsys, args(files, "score", "--format", "json"))
    assert code == 0
    data = json.loads(out)
    assert [set(r) for r in data] == [{"unit", "name", "group", "score", "max", "index", "rank",
                                       "of", "band", "provisional", "domains"}] * 3
    assert [r["unit"] for r in data] == ["a", "b", "c"]  # best first; h (huyen) is not scored
    a, b, c = data
    assert (a["name"], a["group"], a["max"], a["rank"], a["of"], a["band"], a["provisional"]) == (
        "Xã A", "xa", 100, 1, 3, "A", False)
    assert a["score"] == pytest.approx(90.15) and a["index"] == pytest.approx(90.15)
    assert a["domains"] == {"1": pytest.approx(52.15), "2": pytest.approx(38)}
    assert (b["index"], b["rank"], b["band"], b["provisional"]) == (80, 2, "B", True)
    assert (c["index"], c["rank"], c["band"]) == (40, 3, "C")


def test_score_table_vietnamese_by_default(files, capsys):
    code, out, _ = run(capsys, args(files))
    assert code == 0
    lines = out.splitlines()
    a = next(line for line in lines if "Xã A" in line)
    b = next(line for line in lines if "Phường B" in line)
    assert a.split()[0] == "1/3" and "90,15" in a and a.split()[-1] == "A"
    assert b.split()[0] == "2/3" and "80,00" in b and " B " in b and "có" in b
    assert lines.index(a) < lines.index(b)
    assert "90.15" not in out


def test_score_table_in_english(files, capsys):
    code, out, _ = run(capsys, args(files, "score", "--lang", "en"))
    assert code == 0 and "Test set" in out
    a = next(line for line in out.splitlines() if "Xã A" in line)
    assert a.split()[0] == "1/3" and "90.15" in a and "90,15" not in a


def test_score_as_of(files, write, capsys):
    inputs = write("q.csv", "unit,period,criterion,value\na,2025-Q1,1.2,10\na,2025-Q3,1.2,40\n")
    code, out, _ = run(capsys, args(files, "score", "--format", "json", "--as-of", "2025-Q2",
                                    inputs=str(inputs)))
    assert code == 0 and json.loads(out)[0]["score"] == 10


def test_lagging_json(files, capsys):
    code, out, _ = run(capsys, args(files, "lagging", "--unit", "c", "--format", "json"))
    assert code == 0
    data = json.loads(out)
    assert [set(r) for r in data] == [{"criterion", "name", "score", "max", "points_lost", "mean",
                                       "best"}] * 3
    # gaps: 1.1 40/3 − 0 = 13.33; 2: (38 + 30 + 20)/3 − 20 = 9.33; 1.2: 82.15/3 − 20 = 7.38
    assert [r["criterion"] for r in data] == ["1.1", "2", "1.2"]
    first = data[0]
    assert (first["name"], first["score"], first["max"], first["points_lost"], first["best"]) == (
        "Kế hoạch", 0, 20, 20, 20)
    assert first["mean"] == pytest.approx(40 / 3, abs=1e-6)


def test_lagging_domains_json(files, capsys):
    code, out, _ = run(capsys, args(files, "lagging", "--unit", "c", "--domains", "--format", "json"))
    # domain 1: c 20 vs mean (52.15 + 50 + 20) / 3 = 40.72; domain 2: 20 vs 29.33
    assert code == 0
    data = json.loads(out)
    assert [(r["criterion"], r["points_lost"]) for r in data] == [("1", 40), ("2", 20)]
    assert data[0]["mean"] == pytest.approx(122.15 / 3, abs=1e-6) and data[0]["best"] == pytest.approx(52.15)


def test_lagging_table_by_unit_name(files, capsys):
    code, out, _ = run(capsys, args(files, "lagging", "--unit", "Xã C", "--lang", "en"))
    assert code == 0 and "3/3" in out and "40.00" in out and "Kế hoạch" in out


def test_weakest(files, capsys):
    code, out, _ = run(capsys, args(files, "weakest", "--format", "json"))
    assert code == 0
    # attainment: 1.1 40/60 = 66.7 %, 1.2 82.15/120 = 68.5 %, 2 88/120 = 73.3 %
    assert [r["criterion"] for r in json.loads(out)] == ["1.1", "1.2", "2"]


def test_check_ok_and_bad(files, write, capsys):
    code, out, _ = run(capsys, ["check", files["criteria"]])
    assert code == 0 and files["criteria"] in out
    bad = write("bad.yaml", CRITERIA.replace("max: 60", "max: 70"))
    err = assert_error(capsys, ["check", files["criteria"], str(bad)], f"{bad}:")
    assert "1" in err and "60" in err and "70" in err


def test_check_bundled_criteria(capsys):
    files = [str(p) for p in sorted((ROOT / "criteria").glob("*.yaml"))]
    code, out, err = run(capsys, ["check", *files])
    assert code == 0, err
    assert len(out.strip().splitlines()) == len(files)


def test_missing_criteria_file(files, capsys):
    assert_error(capsys, args(files, criteria="/nonexistent/set.yaml"), "/nonexistent/set.yaml")


def test_invalid_criteria(files, write, capsys):
    bad = write("bad.yaml", CRITERIA.replace("max: 60", "max: 70"))
    # the location: file:line and the node code
    assert_error(capsys, args(files, criteria=str(bad)), f"{bad}:", "mã 1:")


def test_criteria_missing_key(files, write, capsys):
    bad = write("bad.yaml", CRITERIA.replace("    name: Chỉ đạo\n", ""))
    assert_error(capsys, args(files, criteria=str(bad)), f"{bad}:", "mã 1", "'name'")


def test_missing_units_file(files, capsys):
    assert_error(capsys, args(files, units="/nonexistent/units.csv"), "/nonexistent/units.csv")


def test_units_missing_column(files, write, capsys):
    units = write("u.csv", "id,name\na,Xã A\n")
    assert_error(capsys, args(files, units=str(units)), f"{units}, dòng 1", "level")


def test_bad_inputs_name_file_and_row(files, write, capsys):
    inputs = write("bad.csv", "unit,period,criterion,value\na,2025,1.1,có\nzz,2025,1.1,có\n"
                              "a,2025,1.2,41\n")
    err = assert_error(capsys, args(files, inputs=str(inputs)), f"{inputs}, dòng 3", f"{inputs}, dòng 4")
    assert len(err.strip().splitlines()) == 2


def test_bad_inputs_in_english(files, write, capsys):
    inputs = write("bad.csv", "unit,period,criterion,value\na,2025,1.1,có\nzz,2025,1.1,có\n")
    assert_error(capsys, args(files, "score", "--lang", "en", inputs=str(inputs)),
                 f"{inputs}, row 3, column 'unit'", "zz")


def test_unknown_unit(files, capsys):
    assert_error(capsys, args(files, "lagging", "--unit", "zz"), "'zz'")
    assert_error(capsys, args(files, "lagging", "--unit", "h"), "'h'")  # another level


def test_bad_as_of(files, capsys):
    assert_error(capsys, args(files, "score", "--as-of", "2025-Q5"), "--as-of '2025-Q5'")


def test_check_without_files(capsys):
    assert_error(capsys, ["check"])


@pytest.mark.parametrize("argv", [["frobnicate"], ["score", "--bogus"], [], ["score"],
                                  ["lagging", "--criteria", "x.yaml", "--inputs", "x.csv"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage:" in err and "Traceback" not in err


def test_json_for_an_unranked_unit_is_strict_json(files, write, capsys):
    units = write("u.csv", UNITS + "d,Xã D,xa,xa\n")
    inputs = write("na.csv", INPUTS + "".join(f"d,2025,{c},N/A,,,,,\n" for c in ("1.1", "1.2", "2")))
    code, out, _ = run(capsys, args(files, "score", "--format", "json", units=str(units),
                                    inputs=str(inputs)))
    assert code == 0

    def reject(constant):
        raise ValueError(f"not JSON: {constant}")

    d = json.loads(out, parse_constant=reject)[-1]
    assert (d["unit"], d["index"], d["rank"], d["band"], d["of"]) == ("d", None, None, None, 3)


def test_table_for_an_unranked_unit(files, write, capsys):
    units = write("u.csv", UNITS + "d,Xã D,xa,xa\n")
    inputs = write("na.csv", INPUTS + "".join(f"d,2025,{c},N/A,,,,,\n" for c in ("1.1", "1.2", "2")))
    code, out, err = run(capsys, args(files, "score", units=str(units), inputs=str(inputs)))
    assert code == 0, err
    d = next(line for line in out.splitlines() if "Xã D" in line)
    assert d.split()[0] == "–" and "nan" not in d.lower()
    a = next(line for line in out.splitlines() if "Xã A" in line)
    assert a.split()[0] == "1/3"


def test_subprocess_score_json_and_error(files):
    ok = subprocess.run([sys.executable, "-m", "par", *args(files, "score", "--format", "json")],
                        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert [r["unit"] for r in json.loads(ok.stdout)] == ["a", "b", "c"]
    bad = subprocess.run([sys.executable, "-m", "par", *args(files, "lagging", "--unit", "zz")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "PAR_LANG": "en"})
    assert bad.returncode == 2 and bad.stdout == ""
    assert "'zz'" in bad.stderr and "Traceback" not in bad.stderr


def test_as_of_in_another_year_warns(files, capsys):
    code, out, err = run(capsys, args(files, "score", "--as-of", "2024"))
    assert code == 0
    assert "2024" in err and "2025" in err
