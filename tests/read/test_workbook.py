"""Reading filled templates: headings by stable aliases, whatever the catalogue says today."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from fixtures.workbooks import fill, open_book, rows_by_key, save  # noqa: F401

from par import load_criteria, read_units
from par.domain.periods import Period
from par.i18n import LANGS, MESSAGES, t
from par.read.inputs import check_inputs
from par.read.tabular import categorize
from par.read.template import HEADER_ROW, INPUTS, build_template
from par.read.workbook import (
    BLOCK_ALIASES,
    COLUMN_ALIASES,
    DATA_SHEET_NAMES,
    fold,
    read_template,
)

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")
Q2 = Period(2019, 2)
ENTRIES = {"1.1.1": {"Giá trị": "có", "Tài liệu kiểm chứng": "KH 12/KH-UBND"},
           "1.1.2": {"Tử số": 19, "Mẫu số": 20},
           "8.1.1": {"Giá trị": 80, "Giai đoạn": "thẩm định", "Ghi chú": "khảo sát"}}
READ = ["code"] + INPUTS


@pytest.fixture(scope="module")
def one_unit() -> bytes:
    return build_template(CRITERIA, UNITS, ["vinh"], Q2)


@pytest.fixture(scope="module")
def baseline(one_unit) -> pd.DataFrame:
    table, _, issues = read_template(fill(one_unit, ENTRIES), "t.xlsx")
    assert issues == []
    return table.frame


def relabel(labels: dict[str, str]):
    """An edit for ``fill``: heading of column id → new text, in the header row."""
    def edit(wb, ws, rows, h):
        vi = {t(f"template.col.{c}", "vi"): c for c in COLUMN_ALIASES}
        for cell in ws[HEADER_ROW]:
            if vi.get(cell.value) in labels:
                cell.value = labels[vi[cell.value]]
    return edit


def test_every_heading_the_builder_writes_is_an_alias():
    """Rewording a label in the catalogue fails here until the new wording is frozen too."""
    for lang in LANGS:
        for c, aliases in COLUMN_ALIASES.items():
            assert t(f"template.col.{c}", lang) in aliases, (c, lang)
        for key, aliases in BLOCK_ALIASES.items():
            assert t(f"template.label_{key}", lang) in aliases, (key, lang)
        assert t("template.sheet_data", lang) in DATA_SHEET_NAMES


def test_old_labels_still_read_after_the_catalogue_changes(one_unit, baseline, monkeypatch):
    data = fill(one_unit, ENTRIES)  # headings written with today's labels
    for c in [*COLUMN_ALIASES, *(f"label_{k}" for k in BLOCK_ALIASES)]:
        key = f"template.col.{c}" if c in COLUMN_ALIASES else f"template.{c}"
        monkeypatch.setitem(MESSAGES, key, {"vi": f"{c} (mới)", "en": f"{c} (new)"})
    monkeypatch.setitem(MESSAGES, "template.sheet_data", {"vi": "Bảng nhập", "en": "Entry"})
    assert t("template.col.value", "vi") == "value (mới)"
    table, record, issues = read_template(data, "t.xlsx")
    assert issues == [] and table is not None and record.units == ("vinh",)
    pd.testing.assert_frame_equal(table.frame, baseline)
    assert set(record.cells) == {"criteria", "unit", "period"}


def test_english_headings_in_a_vietnamese_template(one_unit, baseline):
    english = {c: t(f"template.col.{c}", "en") for c in READ}
    data = fill(one_unit, ENTRIES, edit=relabel(english))
    assert [c.value for c in open_book(data)["Số liệu"][HEADER_ROW]][4] == "Value"
    table, _, issues = read_template(data, "t.xlsx")
    assert issues == []
    pd.testing.assert_frame_equal(table.frame, baseline)
    assert table.letters["value"] == "E" and table.letters["criterion"] == "A"


def test_ids_case_spacing_and_decomposed_accents(one_unit, baseline):
    odd = {"code": "  CODE ", "value": unicodedata.normalize("NFD", "GIÁ TRỊ"),
           "numerator": "numerator", "denominator": "Mẫu Số", "stage": "stage\u00a0",
           "evidence": "EVIDENCE", "note": unicodedata.normalize("NFD", " ghi chú")}
    table, _, issues = read_template(fill(one_unit, ENTRIES, edit=relabel(odd)), "t.xlsx")
    assert issues == []
    pd.testing.assert_frame_equal(table.frame, baseline)
    assert fold("\ufeff Giá Trị ") == fold(unicodedata.normalize("NFD", "giá trị"))


def test_english_header_block_in_a_vietnamese_template(one_unit):
    def edit(wb, ws, rows, h):
        ws["A2"], ws["A3"], ws["A5"] = "Criteria set", "UNIT ID", "period"
        ws["B3"] = "cua-lo"
    _, record, issues = read_template(fill(one_unit, ENTRIES, edit=edit), "t.xlsx")
    # found through the English label; the message still speaks the record's language
    assert [(i.code, i.cell, i.params["field"]) for i in issues] == [
        ("workbook.record_mismatch", "B3", "Mã đơn vị")]
    assert record.cells["period"] == ("Số liệu", "B5")


def test_an_unknown_heading_is_still_refused(one_unit):
    data = fill(one_unit, {}, edit=relabel({"value": "Số liệu nhập"}))
    table, _, issues = read_template(data, "t.xlsx")
    assert table is None and [(i.code, i.params["columns"]) for i in issues] == [
        ("workbook.bad_header", "Giá trị")]


def test_text_cells_are_cleaned_like_every_other_table(one_unit):
    """Categories as tabular.categorize makes them: trimmed NFC, in order of first appearance."""
    evidence = {"1.1.1": " KH 12 ", "1.1.2": "KH 12",  # in the sheet's row order
                "1.2.1": unicodedata.normalize("NFD", "Cà Mau"), "1.2.2": "Cà Mau",
                "1.3.1": "", "1.3.3": "b"}
    entries = {code: {"Tài liệu kiểm chứng": text, "Giá trị": "N/A"}
               for code, text in evidence.items()}
    table, _, issues = read_template(fill(one_unit, entries), "t.xlsx")
    assert issues == []
    got = table.frame.set_index(table.frame["criterion"].astype(str))["evidence"]
    expected = categorize(list(evidence.values()))
    assert list(got.cat.categories) == list(expected.categories) == ["KH 12", "Cà Mau", "", "b"]
    assert list(got.cat.codes) == list(expected.codes)
    rows, found = check_inputs([table], CRITERIA, UNITS)
    assert not [i for i in found if i.severity == "error"]
    assert table.frame["_row"].tolist() == [rows_by_key(open_book(fill(one_unit, entries))
                                                        ["Số liệu"])[c] for c in evidence]
