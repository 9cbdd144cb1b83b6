"""The label of a published (or provisional) result, and the exports that carry it."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from par.domain.rounds import Round
from par.present.published import (
    period_label,
    provisional_label,
    published_date,
    published_label,
    published_short,
    standing_label,
    with_published,
)

# 17:30 UTC on 14 March is already 15 March in Vietnam (UTC+7)
META = {"id": 4, "round_id": 3, "criteria_id": "x", "criteria_sha256": "ab" * 32,
        "period": "2025", "published_by": "office",
        "published_at": dt.datetime(2026, 3, 14, 17, 30)}


def _round(phase: str) -> Round:
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    return Round(3, "x", "xa", 2025, "2025", phase, moment, moment)


def test_the_label_says_official_with_the_vietnam_date_and_the_round():
    assert published_date(META) == "15/03/2026"
    assert published_label(META) == "Kết quả chính thức, công bố ngày 15/03/2026 (đợt #3)"
    assert published_label(META, "en") == "Official result, published on 2026-03-15 (round #3)"
    assert published_short(META) == "(công bố 15/03/2026)"
    assert published_short(META, "en") == "(published 2026-03-15)"
    assert period_label("2025", META) == (
        "Cả năm 2025: Kết quả chính thức, công bố ngày 15/03/2026 (đợt #3)")


def test_a_running_round_says_provisional_and_its_phase():
    assert provisional_label(_round("appraisal")) == (
        "Kết quả tạm thời — đợt chấm điểm đang ở giai đoạn Thẩm định (đợt #3)")
    assert "Explanation phase" in provisional_label(_round("explanation"), "en")


def test_standing_prefers_the_publication_and_is_none_without_a_round():
    assert standing_label(None, None) is None
    assert standing_label(None, _round("self"))[0] == "provisional"
    # a reopened round (back to final) still shows its earlier publication as official
    kind, text = standing_label(META, _round("final"))
    assert kind == "published" and text.startswith("Kết quả chính thức")
    assert standing_label(META, None)[0] == "published"


def test_with_published_replaces_the_published_period_only():
    from par.domain.periods import Period
    from par.engine.scoring import Scorecard

    trend = pd.DataFrame({
        "unit": ["a", "a", "b", "b"], "as_of": ["2025-Q4", "2025", "2025-Q4", "2025"],
        "index": [70.0, 80.0, 60.0, 65.0], "rank": pd.array([1, 1, 2, 2], dtype="Int64"),
        "of": [2, 2, 2, 2], "provisional": [True, False, True, False]})
    units = pd.DataFrame({"index": [64.0, 81.5], "rank": [2, 1], "of": [2, 2],
                          "provisional": [False, False]}, index=["a", "b"])
    card = Scorecard(None, Period(2025, 5), units, pd.DataFrame(), pd.DataFrame(),
                     pd.DataFrame())
    out = with_published(trend, {"2025": card})
    assert list(out["index"]) == [70.0, 64.0, 60.0, 81.5]
    assert list(out["rank"]) == [1, 2, 2, 1]
    assert trend["index"].tolist() == [70.0, 80.0, 60.0, 65.0]  # the input is left alone
    assert with_published(trend, {}) is trend


# -- the exports ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def card():
    from pathlib import Path

    from par import load_criteria, read_inputs, read_units, score

    root = Path(__file__).resolve().parents[2]
    criteria = load_criteria(root / "criteria/nghe-an-huyen-2019.yaml")
    units = read_units(root / "data/units.csv")
    rows, _ = read_inputs(sorted((root / "data/inputs").glob("huyen-2019-*.csv")), criteria,
                          units)
    return score(criteria, units, rows)


def test_the_report_says_published_in_every_sheets_context_line(card):
    import openpyxl

    from par.export.report import build_report

    book = openpyxl.load_workbook(io.BytesIO(build_report(card, "vi", published=META)))
    for ws in book.worksheets:
        assert " · Kết quả chính thức, công bố ngày 15/03/2026 (đợt #3)" in ws.cell(2, 1).value
    plain = openpyxl.load_workbook(io.BytesIO(build_report(card, "vi")))
    assert "chính thức" not in plain.worksheets[0].cell(2, 1).value


def test_the_pack_says_published_on_the_cover_the_charts_and_the_footer(card):
    from par.export.pack import footer_text, pack_slides

    slides = pack_slides(card, "cua-lo", "vi", date=dt.date(2026, 3, 20), published=META)
    cover = [item.text for item in slides[0].items if hasattr(item, "text")]
    assert "Kết quả chính thức, công bố ngày 15/03/2026 (đợt #3)" in cover
    assert slides[1].title.endswith(" (công bố 15/03/2026)")  # the ranking chart
    assert slides[4].subtitle.endswith(" · (công bố 15/03/2026)")  # the unit's chart
    assert footer_text(card, "en", META).endswith("Official result, published on 2026-03-15 "
                                                  "(round #3)")
    before = pack_slides(card, "cua-lo", "vi", date=dt.date(2026, 3, 20))
    assert "công bố" not in before[1].title and len(before[0].items) == len(slides[0].items) - 1
