"""Scorecard.to_json is json.dumps(to_records(), ensure_ascii=False, indent=2), to the byte."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import build_criteria, card_for, make_units, row
from hypothesis import given, settings
from hypothesis import strategies as st

from par.engine.scoring import indented_json

dumps = lambda value: json.dumps(value, ensure_ascii=False, indent=2)

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=True, allow_infinity=True), TEXT)


@pytest.mark.parametrize("records", [
    [],
    [{}],
    [{"a": 1}],
    [{"a": 1, "b": {}}, {"a": 2, "b": {}}],  # empty dicts
    [{"a": 1, "b": 2}, {"b": 2, "a": 1}],  # keys in another order
    [{"a": 1}, {"a": 1, "b": 2}],  # other keys
    [{"a": {"x": 1}}, {"a": {"y": 1}}],  # nested dicts not alike
    [{"a": {"x": 1}}, {"a": 3}],  # a dict and a number
    [{"a": [1, 2]}],  # a list
    [{1: "x"}],  # a key that is no string
    [{"u": "Xã \"A\"\n\\", "n": None, "f": 1e-7, "g": float("nan"), "t": True, "i": 10**20}],
    [{"unit": "a", "v": None, "d": {"1": 1.5, "2": None}},
     {"unit": "b", "v": "x, y", "d": {"1": None, "2": -0.0}}],
])
def test_indented_json_is_json_dumps(records):
    assert indented_json(records) == dumps(records)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(SCALAR, SCALAR, st.dictionaries(TEXT, SCALAR, max_size=3)),
                min_size=1, max_size=5),
       st.dictionaries(TEXT, SCALAR, min_size=1, max_size=3))
def test_indented_json_is_json_dumps_for_alike_records(values, nested):
    # alike records (same keys in the same order), with values of any JSON scalar type
    records = [{"a": a, "b": b, "d": dict(zip(nested, (d.get(k) for k in nested)))}
               for a, b, d in values]
    assert indented_json(records) == dumps(records)
    records = [{"a": a, "b": b, "d": d} for a, b, d in values]  # nested dicts unlike
    assert indented_json(records) == dumps(records)


def test_scorecard_to_json():
    criteria = build_criteria("""
        bands: [{min: 50, label: Khá}, {min: 0, label: "Yếu \\"lắm\\""}]
        domains:
          - {code: "1", name: A, max: 4, rule: {type: points}}
          - {code: "2", name: B, max: 2, rule: {type: yes_no}}
          - {code: "T", name: bonus, max: 1, kind: bonus, rule: {type: points}}
        """)
    units = make_units([dict(id="a", name="Xã \"Ân\"", level="xa", group="g"),
                        dict(id="b", name="B", level="xa", group=""),
                        dict(id="z", name="Z", level="xa")])
    card = card_for(criteria, units, [row("a", "1", "3,5"), row("a", "2", "có"),
                                      row("b", "1", "1"), row("b", "2", "N/A"),
                                      row("z", "1", "N/A"), row("z", "2", "N/A")])
    records = card.to_records()
    assert records[-1]["unit"] == "z" and records[-1]["index"] is None
    assert records[1]["domains"]["2"] is None and records[0]["index"] == round(100 * 5.5 / 6, 6)
    assert card.to_json() == dumps(records)


def test_scoring_imports_no_database_workbook_or_chart_library():
    # `python -m par score` only needs pandas/numpy/pyarrow (and yaml for the criteria)
    code = ("import sys, par.engine.scoring, par.read.inputs, par.read.units; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'openpyxl', 'plotly', 'streamlit', 'python_calamine', 'matplotlib'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
