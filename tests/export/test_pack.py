"""The meeting pack (par/pack.py): 16:9 slides with the expected titles, pictures, tables and
Vietnamese text; the PDF has one page per slide; library and CLI give the same bytes."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from par import get_lagging, get_weakest, load_criteria, read_inputs, read_units, score
from par.analysis.trends import get_trend
from par.export.images import find_browser
from par.export.pack import build_pack, build_pack_pdf, pack_slides
from par.export.pack_model import DPI

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = ROOT / "criteria/nghe-an-huyen-2019.yaml"
INPUTS = [ROOT / "data/inputs/huyen-2019-self.csv", ROOT / "data/inputs/huyen-2019-appraisal.csv"]
DAY = dt.date(2026, 11, 25)
SET_TITLE = "Bộ chỉ số CCHC cấp huyện tỉnh Nghệ An năm 2019 (minh họa)"
TITLES = [SET_TITLE, "Xếp hạng Chỉ số cải cách hành chính", "Đơn vị dẫn đầu và cuối bảng",
          "Tiêu chí yếu nhất toàn tỉnh", "Thị xã Cửa Lò", "Thị xã Cửa Lò — tiêu chí kéo điểm xuống",
          "Thị xã Cửa Lò — để lên hạng", "Thị xã Cửa Lò — chỉ số và thứ hạng qua các kỳ"]

pytestmark = pytest.mark.skipif(find_browser() is None,
                                reason="needs Chromium (scripts/setup-system.sh)")


@pytest.fixture(scope="module")
def scored():
    criteria, units = load_criteria(CRITERIA), read_units(ROOT / "data/units.csv")
    rows, _ = read_inputs(INPUTS, criteria, units)
    # the unit's trend, as the CLI and the unit page give it to the pack
    return score(criteria, units, rows), get_trend(criteria, units, rows, ["cua-lo"])


@pytest.fixture(scope="module")
def card(scored):
    return scored[0]


@pytest.fixture(scope="module")
def trend(scored):
    return scored[1]


@pytest.fixture(scope="module")
def pptx_bytes(card, trend):
    return build_pack(card, "cua-lo", date=DAY, trend=trend)


@pytest.fixture(scope="module")
def deck(pptx_bytes):
    return Presentation(io.BytesIO(pptx_bytes))


def _texts(slide) -> list[str]:
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [c.text for row in shape.table.rows for c in row.cells]
    return out


def _table(slide, n: int = 0) -> list[list[str]]:
    tables = [s.table for s in slide.shapes if s.has_table]
    return [[c.text for c in row.cells] for row in tables[n].rows]


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_slides_titles_and_size(deck):
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert round(deck.slide_width / deck.slide_height, 2) == round(16 / 9, 2)
    assert [s.shapes.title.text for s in deck.slides] == TITLES


def test_title_slide_has_set_period_and_date(deck):
    text = " ".join(_texts(deck.slides[0]))
    assert "Cả năm 2019" in text and "Ngày 25 tháng 11 năm 2026" in text
    assert "Đơn vị trọng tâm: Thị xã Cửa Lò" in text


def test_charts_are_pictures_at_slide_resolution(deck):
    for n in (1, 4):  # ranking, the unit's domains
        pictures = [s for s in deck.slides[n].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        pic = pictures[0]
        image = Image.open(io.BytesIO(pic.image.blob))
        assert pic.image.content_type == "image/png"
        # the image has DPI pixels per inch of the box it fills on the slide
        assert image.width == pytest.approx(pic.width / 914400 * DPI, abs=3)
        assert image.height == pytest.approx(pic.height / 914400 * DPI, abs=3)
    # ranking, the unit's domains and its trend
    assert sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for sl in deck.slides for s in sl.shapes) == 3


def test_top_bottom_and_weakest_tables(deck, card):
    top, bottom = _table(deck.slides[2], 0), _table(deck.slides[2], 1)
    assert top[0] == ["Hạng", "Đơn vị", "Chỉ số (%)", "Xếp loại"]
    assert [r[1] for r in top[1:]] == list(card.ranked["name"][:5])
    assert [r[0] for r in bottom[1:]] == ["17", "18", "19", "20", "21"]
    assert "Thị xã Cửa Lò: xếp thứ 14/21 · 81,22%" in _texts(deck.slides[2])
    weakest = _table(deck.slides[3])
    assert [r[0] for r in weakest[1:]] == list(get_weakest(card)["criterion"][:10])
    assert weakest[1][2] == "23,8"  # decimal comma


def test_unit_slides(deck, card):
    headline = _texts(deck.slides[4])
    assert "Xếp thứ 14/21 · 81,22%" in headline
    assert any("Xếp loại: Khá" in t for t in headline)
    lagging = _table(deck.slides[5])
    expected = get_lagging(card, "cua-lo")
    assert [r[0] for r in lagging[1:]] == list(expected["criterion"][:10])
    assert lagging[1][1] == "Mức độ hoàn thành kế hoạch CCHC năm"
    more = len(expected) - 10
    assert f"… và {more} tiêu chí khác dưới mức trung bình" in " ".join(_texts(deck.slides[5]))


def test_vietnamese_text_and_language(deck):
    text = " ".join(t for s in deck.slides for t in _texts(s))
    for word in ("Cửa Lò", "Xếp hạng", "Tiêu chí yếu nhất toàn tỉnh", "Điểm bị mất"):
        assert word in text
    run = deck.slides[1].shapes.title.text_frame.paragraphs[0].runs[0]
    assert run.font.name == "Arial" and run.font._rPr.get("lang") == "vi-VN"


def test_without_a_unit_four_slides(card):
    deck = Presentation(io.BytesIO(build_pack(card, date=DAY)))
    assert [s.shapes.title.text for s in deck.slides] == TITLES[:4]
    assert "Đơn vị trọng tâm" not in " ".join(_texts(deck.slides[0]))


def test_english(card):
    deck = Presentation(io.BytesIO(build_pack(card, "cua-lo", lang="en", date=DAY)))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[1] == "PAR index ranking" and "Ranks 14/21 · 81.22%" in _texts(deck.slides[4])


def test_same_inputs_same_bytes(card, trend, pptx_bytes, deck):
    assert build_pack(card, "cua-lo", date=DAY, trend=trend) == pptx_bytes
    props = deck.core_properties
    assert props.created == props.modified == dt.datetime(2026, 11, 25)
    assert props.title == SET_TITLE and props.author == "par" and props.revision == 1
    with zipfile.ZipFile(io.BytesIO(pptx_bytes)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_unknown_unit(card):
    with pytest.raises(KeyError):
        pack_slides(card, "nowhere")


# -- PDF ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_bytes(card, trend):
    return build_pack_pdf(card, "cua-lo", date=DAY, trend=trend)


def test_pdf_has_a_16_9_page_per_slide(card, pdf_bytes, deck):
    assert pdf_bytes.startswith(b"%PDF-")
    assert _pages(pdf_bytes) == len(deck.slides) == 8
    boxes = set(re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf_bytes))
    assert {tuple(round(float(v)) for v in b.split()) for b in boxes} == {(0, 0, 960, 540)}
    assert _pages(build_pack_pdf(card, date=DAY)) == 4
    assert b"/CreationDate (D:20261125000000+00'00')" in pdf_bytes


def test_pdf_text_is_vietnamese(pdf_bytes, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True).stdout
    pages = text.split("\f")
    assert "Xếp thứ 14/21 · 81,22%" in pages[4]
    assert "Tiêu chí yếu nhất toàn tỉnh" in pages[3] and "Cửa Lò" in text
    # the charts are vector: their labels are text in the PDF
    assert "Huyện Tương Dương" in pages[1]


# -- CLI ------------------------------------------------------------------------------------

def test_cli_pack_is_the_library_pack(pptx_bytes, pdf_bytes, tmp_path):
    out, pdf = tmp_path / "pack.pptx", tmp_path / "pack.pdf"
    cmd = [sys.executable, "-m", "par", "pack", "--criteria", str(CRITERIA),
           "--units", str(ROOT / "data/units.csv"), "--inputs", *map(str, INPUTS),
           "--as-of", "2019", "--unit", "cua-lo", "--date", "2026-11-25",
           "-o", str(out), "--pdf", str(pdf)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() == pptx_bytes
    assert pdf.read_bytes() == pdf_bytes


def test_cli_pack_bad_date_and_unit(capsys, tmp_path):
    from par.cli.main import main

    base = ["pack", "--criteria", str(CRITERIA), "--units", str(ROOT / "data/units.csv"),
            "--inputs", *map(str, INPUTS), "-o", str(tmp_path / "p.pptx")]
    assert main([*base, "--date", "25/11/2026"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main([*base, "--unit", "nowhere"]) == 2
    assert "'nowhere'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


# -- names are text ---------------------------------------------------------------------------

EVIL = "https://evil.example"
HOSTILE = (f"Xã [click]({EVIL}) ![x]({EVIL}/p.png) <img src=\"{EVIL}/i.png\"> "
           f"<a href=\"{EVIL}\">a</a> **đậm** $x$ =HYPERLINK(\"{EVIL}\",\"y\") & co")


@pytest.fixture(scope="module")
def hostile_card():
    criteria, units = load_criteria(CRITERIA), read_units(ROOT / "data/units.csv")
    units.loc["cua-lo", "name"] = HOSTILE
    rows, _ = read_inputs(INPUTS, criteria, units)
    return score(criteria, units, rows)


def test_pptx_writes_hostile_names_as_plain_text(hostile_card):
    data = build_pack(hostile_card, "cua-lo", date=DAY)
    deck = Presentation(io.BytesIO(data))
    texts = [x for slide in deck.slides for x in _texts(slide)]
    assert HOSTILE in texts  # the unit slide's title: exactly as typed
    assert any(HOSTILE in x for x in texts[:6])  # the cover's focus line
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = {n: z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels"))}
    assert not any(b"hlinkClick" in v or b"TargetMode=\"External\"" in v for v in xml.values())
    # the address is only ever inside a text run, never in an attribute or a relationship
    outside_text = [re.sub(rb"<a:t>[^<]*</a:t>", b"", v) for v in xml.values()]
    assert not any(b"evil" in v for v in outside_text)
    assert any(b"&lt;img src=\"https://evil.example/i.png\"&gt;" in v for v in xml.values())


def test_pdf_page_html_shows_hostile_names_as_text(hostile_card, monkeypatch):
    import lxml.html

    from par.export import pack_pdf

    monkeypatch.setattr(pack_pdf, "_picture", lambda item: '<img src="data:," alt="">')
    page = pack_pdf.render_html(pack_slides(hostile_card, "cua-lo", date=DAY), "chân trang",
                                "vi")
    doc = lxml.html.fromstring(page)
    assert [img.get("src") for img in doc.iter("img")] == ["data:,"] * 2  # the two charts
    assert not list(doc.iter("a")) and "evil" not in "".join(
        str(v) for e in doc.iter() for v in e.attrib.values())
    assert HOSTILE in doc.text_content()
