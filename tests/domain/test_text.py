"""Tone placement (par.domain.text.fold_tone) and unit names matched through it."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from par.domain.text import TONE_PAIRS, fold_tone

TONES = {"\u0300": "huyền", "\u0301": "sắc", "\u0309": "hỏi", "\u0303": "ngã", "\u0323": "nặng"}


def test_the_table_is_every_tone_on_oa_oe_uy():
    def nfc(s):
        return unicodedata.normalize("NFC", s)

    expected = {nfc(first + second + mark): nfc(first + mark) + second
                for first, second in (("o", "a"), ("o", "e"), ("u", "y")) for mark in TONES}
    assert TONE_PAIRS == expected


@pytest.mark.parametrize("old, new", [
    ("Thị xã Thái Hoà", "Thị xã Thái Hòa"), ("khoẻ", "khỏe"), ("Thuỷ", "Thủy"),
    ("HOÀ", "HÒA"), ("hoÀ", "hòA"), ("Hoà Bình, Thanh Thuỷ", "Hòa Bình, Thanh Thủy"),
    ("xoè", "xòe"), ("uỷ ban", "ủy ban"), ("luỹ kế", "lũy kế"), ("Thoả", "Thỏa"),
])
def test_old_style_becomes_new_style(old, new):
    assert fold_tone(old) == new == fold_tone(new)


@pytest.mark.parametrize("word", ["quý", "Quỳnh Lưu", "hoàn thành", "Hoàng Mai", "huỳnh",
                                  "khuyến", "toán", "thuyền"])
def test_rhymes_with_one_spelling_stay(word):
    assert fold_tone(word) == word


def test_decomposed_input_is_composed_first():
    assert fold_tone(unicodedata.normalize("NFD", "Thái Hoà")) == "Thái Hòa"


@given(st.text(max_size=40))
def test_idempotent_and_length_preserving(text):
    once = fold_tone(text)
    assert fold_tone(once) == once
    assert len(once) == len(unicodedata.normalize("NFC", text))


# -- unit names -------------------------------------------------------------------------------

def test_unit_names_match_in_either_tone_placement():
    from conftest import make_units

    from par.read.units import find_unit, name_key, unit_lookup

    units = make_units([{"id": "thai-hoa", "name": "Thị xã Thái Hòa", "level": "huyen"},
                        {"id": "thuy", "name": "Xã Thanh Thuỷ", "level": "huyen"}])
    assert name_key(" Thị xã Thái Hoà ") == name_key("Thị xã Thái Hòa")
    assert find_unit(units, "Thị xã Thái Hoà") == "thai-hoa"
    assert find_unit(units, "Xã Thanh Thủy") == find_unit(units, "thuy") == "thuy"
    assert find_unit(units, "Thái Hòa") is None
    assert unit_lookup(units)[name_key("Xã Thanh Thủy")] == "thuy"


def test_a_units_table_with_both_spellings_has_a_duplicate_name():
    from conftest import table

    from par.read.units import check_units_table

    units, issues = check_units_table(table(
        [{"id": "a", "name": "Thị xã Thái Hoà", "level": "huyen"},
         {"id": "b", "name": "Thị xã Thái Hòa", "level": "huyen"}],
        "units.csv", ["id", "name", "level", "group"]))
    assert units is None
    assert [(i.code, i.row, i.params["first_row"]) for i in issues] == [("units.duplicate", 3, 2)]
