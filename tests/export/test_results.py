"""Result downloads: the numbers match the engine and no text can run as a formula."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd

from par import load_criteria, read_inputs, read_units, score
from par.export.results import export_results_csv, export_results_xlsx, safe_text

ROOT = Path(__file__).resolve().parents[2]


def _card():
    c = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
    u = read_units(ROOT / "data/units.csv")
    u.loc["cua-lo", "name"] = '=HYPERLINK("http://evil","Cửa Lò")'
    rows, _ = read_inputs([ROOT / "data/inputs/huyen-2019-self.csv",
                           ROOT / "data/inputs/huyen-2019-appraisal.csv"], c, u)
    return score(c, u, rows)


def test_csv_matches_the_engine_and_neutralises_formulas():
    card = _card()
    frame = pd.read_csv(io.BytesIO(export_results_csv(card)), encoding="utf-8-sig")
    row = frame.set_index("unit").loc["cua-lo"]
    assert (row["rank"], row["of"]) == (14, 21)
    assert row["index"] == round(card.units.at["cua-lo", "index"], 2)
    assert row["name"].startswith("'=HYPERLINK")
    assert list(frame["rank"]) == sorted(frame["rank"])


def test_xlsx_keeps_injected_text_as_text():
    book = openpyxl.load_workbook(io.BytesIO(export_results_xlsx(_card())))
    ws = book.active
    header = [c.value for c in ws[1]]
    cells = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    name = cells["cua-lo"][header.index("name")]
    assert name.data_type == "s" and name.value.startswith("=HYPERLINK")
    assert cells["cua-lo"][header.index("rank")].value == 14


def test_safe_text():
    assert [safe_text(v) for v in ("=1+1", "+5", "-x", "@a", "ok", 3)] == \
        ["'=1+1", "'+5", "'-x", "'@a", "ok", 3]
