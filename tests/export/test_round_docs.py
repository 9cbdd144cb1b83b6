"""The documents the office signs (par.export.round_docs): the unit's scoring sheet and the
ranking annex as DOCX (read back with python-docx) and as PDF (LibreOffice; read back with
pdftotext, every page turned into a PNG under test-output/screenshots/ to be looked at).

A realistic round is built with the core API in a temp SQLite (``realistic_round``): the 70-leaf
2025 commune set (evidence required), seven units, self rows with a few leaves lacking
evidence, appraisal rows with comments for five units (one only partly appraised), flags with
an explanation, then publication.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document
from docx.shared import Pt

from par.analysis.round_sheet import missing_evidence, unit_sheet
from par.domain.auth import Actor
from par.domain.periods import Period
from par.engine.criteria import check_criteria_text
from par.export import round_docs
from par.export.browser import ExportError
from par.export.round_docs import (
    annex_docx,
    sheet_docx,
    to_pdf,
    write_ranking_annex,
    write_unit_sheet,
)
from par.i18n.formatting import fmt_number
from par.sample.synthetic import generate
from par.store import round_work as W
from par.store import rounds as R
from par.store.library import add_set
from par.store.publication import published
from par.store.storage import Store

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
ADMIN = Actor("admin", "admin")
DAY = dt.date(2026, 3, 5)
HOSTILE = "<b>x</b> & y \x07"  # markup and a control character in a unit's name
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
needs_office = pytest.mark.skipif(round_docs.find_office() is None or shutil.which("pdftotext")
                                  is None, reason="LibreOffice or poppler-utils missing "
                                  "(scripts/setup-system.sh installs them)")


def realistic_round(path: Path):
    """(store, criteria, round id, unit ids) of a round in its explanation phase."""
    text = (ROOT / "criteria" / "nghe-an-xa-2025.yaml").read_text(encoding="utf-8")
    text = text.replace("level: xa\n", "level: xa\nevidence_required: true\n", 1)
    criteria, issues = check_criteria_text(text, "nghe-an-xa-2025.yaml")
    assert criteria is not None and len(criteria.leaves) == 70, issues
    store = Store(f"sqlite:///{path / 'round.db'}")
    units = pd.read_csv(ROOT / "data" / "units.csv", dtype=str, keep_default_na=False)
    units = units[units["level"] == "xa"].head(6)
    units = pd.concat([units, pd.DataFrame([{"id": "x-hostile", "name": HOSTILE,
                                             "level": "xa", "group": "xa"}])])
    units["group"] = units["group"].replace("", None)
    store.sync_units(units)
    add_set(store, criteria, actor=ADMIN)
    rnd = R.create_round(store, criteria, "2025", self_until="2099-01-01",
                         explain_until="2099-02-01", actor=ADMIN)
    ids = units["id"].tolist()
    quality = pd.Series(np.linspace(0.97, 0.72, len(ids)), index=ids)
    rows = generate(criteria, quality, [Period(2025, 4)], seed=7)
    rows["period"] = "2025"
    for k, unit in enumerate(ids):
        mine = rows[(rows["unit"] == unit) & (rows["stage"] == "self")].copy()
        mine["evidence"] = np.where(np.arange(len(mine)) % 23 == k, "", "Quyết định số 12/QĐ-UBND")
        W.save_rows(store, rnd.id, unit, "self", mine, actor=ADMIN)
    R.advance(store, rnd.id, actor=ADMIN)
    for k, unit in enumerate(ids[:5]):
        mine = rows[(rows["unit"] == unit) & (rows["stage"] == "appraisal")].copy()
        mine = mine.head(20) if k == 4 else mine
        mine["note"] = np.where(np.arange(len(mine)) % 9 == 2, "Chưa giải trình cụ thể, đề "
                                "nghị bổ sung tài liệu kiểm chứng", "")
        mine.loc[mine["criterion"] == "1.4", "note"] = "Đồng ý với giải trình của đơn vị"
        flags = ({"1.1.1": "Đề nghị giải trình việc ban hành kế hoạch chậm",
                  "2.1.1": "Thiếu văn bản ban hành"} if k < 3 else None)
        W.save_rows(store, rnd.id, unit, "appraisal", mine, actor=ADMIN, explain=flags)
    R.advance(store, rnd.id, actor=ADMIN)
    W.explain(store, rnd.id, ids[0], "1.1.1", "Kế hoạch ban hành ngày 15/7/2025 theo Công văn "
              "số 123/UBND-VP của UBND tỉnh; đã bổ sung bản chụp kế hoạch.", actor=ADMIN)
    W.explain(store, rnd.id, ids[1], "2.1.1", "Đã bổ sung văn bản.", actor=ADMIN)
    return store, criteria, rnd.id, ids


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store, criteria, rid, ids = realistic_round(tmp_path_factory.mktemp("docs"))
    state = W.round_state(store, rid)  # the explanation phase
    R.advance(store, rid, actor=ADMIN)  # final
    R.advance(store, rid, actor=ADMIN)  # published
    card, meta = published(store, criteria, "2025")
    return {"state": state, "ids": ids, "card": card, "meta": meta}


@pytest.fixture(scope="module")
def sheet(built):
    return sheet_docx(built["state"], built["ids"][0], date=DAY)


@pytest.fixture(scope="module")
def annex(built):
    return annex_docx(built["card"], built["meta"])


def _runs(doc):
    """Every run of the body: paragraphs and table cells (nested ones included)."""
    def of_table(table):
        for row in table.rows:
            for cell in row.cells:
                yield from (r for p in cell.paragraphs for r in p.runs)
                for inner in cell.tables:
                    yield from of_table(inner)

    yield from (r for p in doc.paragraphs for r in p.runs)
    for table in doc.tables:
        yield from of_table(table)


def _cm(*lengths) -> tuple[float, ...]:
    """Lengths in cm to 2 decimals (Word stores twips: 21 cm comes back as 20.9991)."""
    return tuple(round(length.cm, 2) for length in lengths)


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


# -- the scoring sheet as DOCX ---------------------------------------------------------------

def test_sheet_page_fonts_and_motto(sheet):
    doc = Document(io.BytesIO(sheet))
    section = doc.sections[0]
    assert _cm(section.page_width, section.page_height) == (29.7, 21.0)  # A4 landscape
    assert _cm(section.top_margin, section.bottom_margin) == (2, 2)
    assert _cm(section.left_margin, section.right_margin) == (3, 1.5)
    normal = doc.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(13))
    runs = list(_runs(doc))
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size.pt for r in runs} <= {12, 13, 14}
    in_table = [r for row in doc.tables[1].rows for c in row.cells for p in c.paragraphs
                for r in p.runs]
    assert {r.font.size.pt for r in in_table} == {12}
    head = doc.tables[0]
    motto = [r for c in head.rows[0].cells for p in c.paragraphs for r in p.runs
             if r.text in MOTTO]
    assert [r.text for r in motto] == list(MOTTO) and all(r.bold for r in motto)
    assert "ỦY BAN NHÂN DÂN TỈNH" in head.rows[0].cells[0].text
    assert "SỞ NỘI VỤ" in head.rows[0].cells[0].text
    place = [p for p in head.rows[0].cells[1].paragraphs if "ngày 05 tháng 3 năm 2026" in p.text]
    assert place and all(r.italic for r in place[0].runs)
    # page numbers: a PAGE field in the header, not on the first page
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml


def test_sheet_rows_and_numbers(built, sheet):
    state, unit = built["state"], built["ids"][0]
    expected = unit_sheet(state, unit)
    doc = Document(io.BytesIO(sheet))
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "PHIẾU CHẤM ĐIỂM" in texts and "Kỳ đánh giá: Cả năm 2025" in texts
    assert "Đơn vị: Phường Trường Vinh" in texts
    table = doc.tables[1]
    rows = _cells(table)
    assert rows[0] == ["STT/Mã", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa",
                       "Điểm tự chấm", "Điểm thẩm định", "Nhận xét của hội đồng thẩm định",
                       "Giải trình của đơn vị"]
    assert table.rows[0]._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    assert len(rows) == 1 + len(expected) + 1 == 106  # header, 104 nodes, total
    body = {r[0]: r for r in rows[1:-1]}
    assert list(body) == expected["code"].tolist()
    num = lambda x: "" if pd.isna(x) else fmt_number(x)
    marked = set(missing_evidence(state, unit))
    assert marked and all(unit_sheet(state, unit).set_index("code").loc[list(marked),
                                                                         "self_points"] == 0)
    for e in expected.itertuples():
        got = body[e.code]
        own = num(e.self_points) + ("*" if e.code in marked else "")
        assert got[2:5] == [num(e.max), own, num(e.appraised_points)], e.code
        assert got[5] == e.comment
    assert f"(*) Tiêu chí thiếu tài liệu kiểm chứng: điểm tự chấm tính 0 ({len(marked)} " in texts
    assert body["1"][1] == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH"  # domain, upper
    assert body["1.1.1"][6].startswith("Kế hoạch ban hành ngày 15/7/2025")
    assert body["2.1.1"][6] == "(Chưa giải trình)"  # flagged, not answered
    assert body["1.4"][5] == "Đồng ý với giải trình của đơn vị"
    # domains bold, leaves not, leaves indented by depth
    name_cell = lambda code: table.rows[[r[0] for r in rows].index(code)].cells[1]
    assert name_cell("1").paragraphs[0].runs[0].bold
    assert not name_cell("1.1.1").paragraphs[0].runs[0].bold
    assert _cm(name_cell("1.1.1").paragraphs[0].paragraph_format.left_indent) == (0.8,)
    total = rows[-1]
    assert total[0] == total[1] == "TỔNG CỘNG" and total[2] == "100,00"
    assert re.fullmatch(r"\d+,\d\d", total[3]) and re.fullmatch(r"\d+,\d\d", total[4])
    assert "Kết quả sau thẩm định:" in texts and "xếp loại:" in texts
    assert "NGƯỜI LẬP BIỂU" in doc.tables[2].rows[0].cells[0].text
    assert "GIÁM ĐỐC" in doc.tables[2].rows[0].cells[1].text


def test_a_hostile_unit_name_stays_text(built):
    doc_bytes = sheet_docx(built["state"], "x-hostile", date=DAY)
    doc = Document(io.BytesIO(doc_bytes))
    para = next(p for p in doc.paragraphs if p.text.startswith("Đơn vị:"))
    assert para.text == "Đơn vị: <b>x</b> & y \ufffd"
    xml = zipfile.ZipFile(io.BytesIO(doc_bytes)).read("word/document.xml").decode("utf-8")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in xml and "<b>" not in xml
    annex = Document(io.BytesIO(annex_docx(built["card"], built["meta"])))
    names = [r[1] for r in _cells(annex.tables[1])[1:]]
    assert "<b>x</b> & y \ufffd" in names


def test_english_sheet(built):
    doc = Document(io.BytesIO(sheet_docx(built["state"], built["ids"][0], lang="en", date=DAY)))
    rows = _cells(doc.tables[1])
    assert rows[0][3:5] == ["Self points", "Appraised points"]
    assert rows[-1][2] == "100.00"
    assert "SOCIALIST REPUBLIC OF VIETNAM" in doc.tables[0].rows[0].cells[1].text
    assert "Direction and management of PAR".upper() in rows[1][1]


def test_same_inputs_same_bytes(built, sheet):
    assert sheet_docx(built["state"], built["ids"][0], date=DAY) == sheet


# -- the ranking annex as DOCX --------------------------------------------------------------

def test_annex_rows(built, annex):
    card, meta = built["card"], built["meta"]
    doc = Document(io.BytesIO(annex))
    section = doc.sections[0]
    assert _cm(section.page_width, section.page_height) == (21.0, 29.7)  # A4 portrait
    assert _cm(section.left_margin, section.right_margin) == (3, 1.5)
    texts = "\n".join(p.text for p in doc.paragraphs)
    day = pd.Timestamp(meta["published_at"]).tz_localize("UTC").tz_convert(
        "Asia/Ho_Chi_Minh").strftime("%d/%m/%Y")
    assert "Phụ lục" in texts and "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH" in texts
    assert "NĂM 2025" in texts and f"công bố ngày {day}" in texts
    rows = _cells(doc.tables[1])
    assert rows[0] == ["STT", "Đơn vị", "Điểm", "Chỉ số (%)", "Xếp hạng", "Xếp loại"]
    units = card.units
    assert len(rows) == 1 + len(units) == 8
    for n, (got, (_, u)) in enumerate(zip(rows[1:], units.iterrows()), start=1):
        assert got == [str(n), u["name"].replace("\x07", "\ufffd"), fmt_number(u["score"]),
                       fmt_number(u["index"]), str(int(u["rank"])), u["band"]]
    assert [int(r[4]) for r in rows[1:]] == sorted(int(r[4]) for r in rows[1:])
    assert {r.font.size.pt for r in _runs(doc)} <= {12, 13, 14}
    assert "Tốt từ 90; Khá từ 80; Trung bình từ 70; Yếu từ 0" in texts


def test_annex_of_one_group(built):
    doc = Document(io.BytesIO(annex_docx(built["card"], built["meta"], group="phuong")))
    rows = _cells(doc.tables[1])[1:]
    phuong = built["card"].units[built["card"].units["group"] == "phuong"]
    assert [r[1] for r in rows] == phuong["name"].tolist()
    assert [r[4] for r in rows] == [str(int(v)) for v in phuong["group_rank"]]


# -- PDF -------------------------------------------------------------------------------------

def _pdf_pages(pdf: bytes, tmp_path: Path, name: str) -> list[str]:
    """The text of each page, and each page as a PNG in test-output/screenshots/."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(SHOTS / name)], check=True)
    return text.split("\f")[:-1]


@needs_office
def test_sheet_pdf(built, sheet, tmp_path):
    started = time.perf_counter()
    pdf = to_pdf(sheet)
    took = time.perf_counter() - started
    print(f"to_pdf of a 104-row sheet: {took:.2f} s")
    assert pdf.startswith(b"%PDF-")
    pages = _pdf_pages(pdf, tmp_path, "round-docs-sheet")
    assert len(pages) == len(list(SHOTS.glob("round-docs-sheet-*.png"))) >= 5
    assert all(MOTTO[0] in pages[0] and m in pages[0] for m in MOTTO)
    assert "Phường Trường Vinh" in pages[0]
    for n, page in enumerate(pages, start=1):
        assert "Giải trình của đơn vị" in page  # the header row repeats
        first = page.strip().splitlines()[0]
        if n == 1:  # no number on the first page: the heading block opens it
            assert "ỦY BAN NHÂN DÂN TỈNH" in first and MOTTO[0] in first
        else:
            assert first.strip() == str(n)  # the page number, centred at the top
    totals = re.findall(r"TỔNG CỘNG\s+100,00\s+(\d+,\d\d)\s+(\d+,\d\d)", pages[-1])
    doc_total = _cells(Document(io.BytesIO(sheet)).tables[1])[-1]
    assert totals == [(doc_total[3], doc_total[4])]
    assert "Kết quả sau thẩm định" in pages[-1] and "NGƯỜI LẬP BIỂU" in pages[-1]
    assert took < 30


@needs_office
def test_annex_pdf(built, annex, tmp_path):
    pages = _pdf_pages(to_pdf(annex), tmp_path, "round-docs-annex")
    assert len(pages) == 1
    for name in built["card"].units["name"]:
        assert name.replace("\x07", "\ufffd") in pages[0]
    assert MOTTO[1] in pages[0] and "KẾT QUẢ XẾP HẠNG" in pages[0]
    assert "Phường Trường Vinh" in pages[0]


@needs_office
def test_write_by_suffix(built, tmp_path):
    state, unit = built["state"], built["ids"][0]
    docx_path = write_unit_sheet(state, unit, tmp_path / "phieu.docx", date=DAY)
    assert docx_path.read_bytes() == sheet_docx(state, unit, date=DAY)
    pdf_path = write_ranking_annex(built["card"], built["meta"], tmp_path / "phu-luc.pdf")
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    with pytest.raises(ValueError):
        write_unit_sheet(state, unit, tmp_path / "phieu.odt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["phieu.docx", "phu-luc.pdf"]


def test_pdf_without_libreoffice(monkeypatch, sheet):
    monkeypatch.setattr(round_docs, "find_office", lambda: None)
    with pytest.raises(ExportError, match="LibreOffice not found"):
        to_pdf(sheet)


@needs_office
def test_pdf_timeout_stops_libreoffice(sheet):
    before = _office_pids()
    with pytest.raises(ExportError, match="did not convert"):
        to_pdf(sheet, timeout=0.05)
    time.sleep(0.5)
    assert _office_pids() <= before  # nothing it started is left running


def _office_pids() -> set[int]:
    found = subprocess.run(["pgrep", "-f", "par-docx-"], capture_output=True, text=True).stdout
    return {int(p) for p in found.split()}
