"""`python -m par criteria export|import|diff` through par.cli.main.main."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from par.cli.main import main
from par.engine.criteria import load_criteria

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "criteria" / "nghe-an-huyen-2019.yaml"


def run(capsys, *argv):
    code = main(["criteria", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_then_import_gives_the_same_set(tmp_path, capsys):
    book, back = tmp_path / "set.xlsx", tmp_path / "set.yaml"
    code, out, err = run(capsys, "export", str(SET), "-o", str(book))
    assert code == 0, err
    assert book.read_bytes()[:2] == b"PK" and "nghe-an-huyen-2019" in out
    code, out, err = run(capsys, "import", str(book), "-o", str(back))
    assert code == 0, err
    assert load_criteria(back).nodes.keys() == load_criteria(SET).nodes.keys()
    code, out, _ = run(capsys, "diff", str(SET), str(back), "--lang", "en")
    assert code == 0 and out.strip() == ("No differences between nghe-an-huyen-2019 and "
                                         "nghe-an-huyen-2019.")
    code, out, _ = run(capsys, "diff", str(SET), str(book), "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == []
    code, out, _ = run(capsys, "import", str(book))  # no -o: the YAML on stdout
    assert code == 0 and out.startswith("# Written by par from set.xlsx\nid: nghe-an-huyen-2019")


def test_diff_of_two_years(tmp_path, capsys):
    text = SET.read_text(encoding="utf-8")
    changed = (text.replace("year: 2019", "year: 2020")
               .replace("name: Ban hành kế hoạch CCHC năm kịp thời, đúng quy định",
                        "name: Ban hành kế hoạch CCHC năm đúng thời hạn")
               .replace("{above: 90, points: 1.5}, {min: 70, points: 1}]",
                        "{above: 90, points: 1.5}, {min: 60, points: 1}]"))
    other = tmp_path / "2020.yaml"
    other.write_text(changed, encoding="utf-8")
    code, out, err = run(capsys, "diff", str(SET), str(other), "--lang", "en")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "nghe-an-huyen-2019 → nghe-an-huyen-2019: 3 changes"
    assert ("~ renamed 1.1.1: 'Ban hành kế hoạch CCHC năm kịp thời, đúng quy định' → "
            "'Ban hành kế hoạch CCHC năm đúng thời hạn'") in lines
    assert ("~ rule of 1.1.2 (bands): min 100: 2; above 90: 1.5; min 70: 1 → "
            "min 100: 2; above 90: 1.5; min 60: 1") in lines
    assert "~ year: 2019 → 2020" in out
    code, out, _ = run(capsys, "diff", str(SET), str(other), "--format", "json")
    kinds = [c["kind"] for c in json.loads(out)["changes"]]
    assert kinds == ["renamed", "rule", "header"]
    code, out, _ = run(capsys, "diff", str(SET), str(other), "--lang", "vi")
    assert "~ đổi tên 1.1.1" in out and "~ cách chấm 1.1.2 (bands): từ 100: 2" in out


def test_a_bad_workbook_writes_nothing_and_names_the_cell(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Thông tin chung"
    for r in [("Mã bộ chỉ số", "t"), ("Tên bộ chỉ số", "T"), ("Năm", 2025), ("Cấp đơn vị", "xa")]:
        wb.active.append(r)
    ws = wb.create_sheet("Tiêu chí")
    ws.append(["STT", "Tên tiêu chí", "Điểm tối đa", "Cách chấm", "Mức điểm"])
    ws.append(["1", "Một", 2, "tỷ lệ", "từ 90: hai"])
    book, target = tmp_path / "bad.xlsx", tmp_path / "out.yaml"
    wb.save(book)
    code, out, err = run(capsys, "import", str(book), "-o", str(target), "--lang", "en")
    assert code == 2 and out == "" and not target.exists()
    assert err.startswith(f"{book}, sheet 'Tiêu chí', cell E2: cannot read the band 'từ 90: hai'")
    code, _, err = run(capsys, "diff", str(SET), str(tmp_path / "x.csv"), "--lang", "en")
    assert code == 2 and "is not a criteria set" in err
    code, _, err = run(capsys, "export", str(tmp_path / "missing.yaml"), "-o",
                       str(tmp_path / "m.xlsx"))
    assert code == 2 and not (tmp_path / "m.xlsx").exists()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_help_lists_the_actions(capsys, lang):
    with pytest.raises(SystemExit):
        main(["criteria", "--help"])
    out = capsys.readouterr().out
    assert all(a in out for a in ("export", "import", "diff"))
