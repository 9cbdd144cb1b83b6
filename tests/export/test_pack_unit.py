"""A unit's meeting material: the pack's target-rank and trend slides (the slide model, no
rendering), and the Excel report made from a unit's page, with that unit standing out."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from par import load_criteria, read_inputs, read_units, score
from par.analysis.trends import get_trend
from par.decide.target import get_target_plan
from par.export.pack import pack_slides
from par.export.pack_model import Picture, Table, Text
from par.export.report import UNIT_FILL, build_report
from par.i18n.formatting import fmt_number

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")


@pytest.fixture(scope="module")
def data():
    rows, _ = read_inputs(sorted((ROOT / "data/inputs").glob("huyen-2019-*.csv")), CRITERIA,
                          UNITS)
    return rows, score(CRITERIA, UNITS, rows)


def test_the_target_slide_is_the_plan_for_the_next_rank_up(data):
    rows, card = data
    slides = pack_slides(card, "cua-lo", "vi")
    target = slides[-1]
    rank, of = int(card.units.at["cua-lo", "rank"]), int(card.units.at["cua-lo", "of"])
    plan = get_target_plan(card, "cua-lo", rank - 1)
    assert target.title == "Thị xã Cửa Lò — để lên hạng"
    assert target.subtitle.startswith(f"Từ hạng {rank}/{of} lên hạng {rank - 1}/{of}: cần thêm "
                                      f"{fmt_number(plan.points_needed)} điểm")
    [table] = [i for i in target.items if isinstance(i, Table)]
    assert [r[0] for r in table.rows] == list(plan.gains["code"][:10])
    assert table.rows[0][3] == "+" + fmt_number(plan.gains["gain"].iloc[0])


def test_a_chosen_target_and_one_out_of_reach(data):
    _, card = data
    last = card.ranked.index[-1]
    plan = get_target_plan(card, last, 1)
    slide = pack_slides(card, last, "vi", target_rank=1)[-1]
    key = "lên hạng 1/" if plan.reachable else "chưa thể đạt"
    assert key in slide.subtitle


def test_the_first_unit_gets_its_lead_instead(data):
    _, card = data
    first = card.ranked.index[0]
    slide = pack_slides(card, first, "vi")[-1]
    [text] = [i for i in slide.items if isinstance(i, Text)]
    assert text.text.startswith("Đơn vị đang xếp hạng 1/")
    assert "hơn đơn vị liền sau" in text.text


def test_the_trend_slide_comes_with_the_trend(data):
    rows, card = data
    trend = get_trend(CRITERIA, UNITS, rows, ["cua-lo"])
    slides = pack_slides(card, "cua-lo", "vi", trend=trend)
    assert slides[-1].title == "Thị xã Cửa Lò — chỉ số và thứ hạng qua các kỳ"
    [picture] = [i for i in slides[-1].items if isinstance(i, Picture)]
    names = {trace.name for trace in picture.figure.data}
    assert len(picture.figure.data) >= 2 and names  # the year to date and the appraised year
    assert len(pack_slides(card, "vinh", "vi", trend=trend)) == len(slides) - 1  # not Vinh's
    assert [s.title for s in pack_slides(card, "cua-lo", "en", trend=trend)][-2:] == [
        "Thị xã Cửa Lò — moving up", "Thị xã Cửa Lò — index and rank over the periods"]


def test_the_report_from_a_units_page_makes_that_unit_stand_out(data):
    _, card = data
    book = openpyxl.load_workbook(io.BytesIO(build_report(card, "vi", "cua-lo")))
    ranking = book.worksheets[0]
    marked = [r for r in range(4, ranking.max_row + 1)
              if ranking.cell(r, 1).fill.fgColor.rgb == UNIT_FILL.fgColor.rgb]
    assert [ranking.cell(r, 2).value for r in marked] == ["cua-lo"]
    assert ranking.cell(marked[0], 3).font.bold
    assert ranking.sheet_view.selection[0].activeCell == f"C{marked[0]}"
    for ws in book.worksheets:  # only its rows, wherever units are listed
        ids = {ws.cell(r, 2).value for r in range(4, ws.max_row + 1)
               if ws.cell(r, 1).fill.fgColor.rgb == UNIT_FILL.fgColor.rgb}
        assert ids <= {"cua-lo"}
    plain = openpyxl.load_workbook(io.BytesIO(build_report(card, "vi")))
    assert not [r for r in range(4, plain.worksheets[0].max_row + 1)
                if plain.worksheets[0].cell(r, 1).fill.fgColor.rgb == UNIT_FILL.fgColor.rgb]
