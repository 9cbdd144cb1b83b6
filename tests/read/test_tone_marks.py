"""'Thái Hoà' and 'Thái Hòa' are one name: unit names and choice labels match in either
placement of the tone mark (both are correct Vietnamese, offices use both)."""
from __future__ import annotations

from pathlib import Path

from par import load_criteria, read_units
from par.read.inputs import check_inputs
from par.read.tabular import read_csv

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data" / "units.csv")


def _rows(text: str):
    import io

    rows, issues = check_inputs([read_csv(io.BytesIO(text.encode("utf-8")), "t.csv")],
                                CRITERIA, UNITS)
    return rows, [i for i in issues if i.severity == "error"]


def test_a_unit_name_matches_in_either_tone_placement():
    rows, errors = _rows("unit,period,criterion,value\nThị xã Thái Hoà,2019-Q1,1.1.1,có\n"
                         "Thị xã Thái Hòa,2019-Q2,1.1.1,có\n")
    assert not errors and list(rows["unit"].astype(str)) == ["thai-hoa", "thai-hoa"]


def test_a_choice_label_matches_in_either_tone_placement():
    code = next(leaf.code for leaf in CRITERIA.leaves
                if leaf.rule.options and "Hoàn thành chậm" in leaf.rule.options)
    rows, errors = _rows(f"unit,period,criterion,value\ncua-lo,2019-Q1,{code},Hoàn thành chậm\n"
                         f"vinh,2019-Q1,{code},hoàn thành chậm\n")
    assert not errors and list(rows["value"]) == [0.5, 0.5]
