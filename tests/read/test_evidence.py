"""Evidence files at the door: each accepted kind passes, each refusal comes with its own
code located by the file name, and no input whatsoever makes the checks raise."""
from __future__ import annotations

import random

import pytest
from fixtures import evidence_files as e
from fixtures import hostile as h
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from par.i18n import MESSAGES
from par.read import evidence_zip
from par.read.evidence import check_evidence, kind_of
from par.read.evidence_image import image_size
from par.read.evidence_zip import check_docx, is_unc, reaches_out
from par.read.guard import MB, Limits


def codes(issues) -> list[str]:
    return [i.code for i in issues]


def assert_one_located_issue(issues, name: str, code: str) -> None:
    assert codes(issues) == [code]
    issue = issues[0]
    assert issue.file == name and issue.severity == "error"
    for lang in ("vi", "en"):
        text = issue.render(lang)
        assert text.startswith(name + ": ") and "{" not in text and "[evidence." not in text


# -- what is accepted --------------------------------------------------------------------------

ACCEPTED = [
    (e.docx, "bao-cao.docx"),
    (h.valid_xlsx, "so-lieu.xlsx"),
    (e.png, "anh.png"),
    (e.jpeg, "anh.jpg"),
    (e.jpeg, "anh.JPEG"),
    (e.pdf, "Quyết định 123.PDF"),
    (lambda: e.real_image("PNG"), "pillow.png"),
    (lambda: e.real_image("JPEG"), "pillow.jpg"),  # progressive: SOF2
    (lambda: e.docx_with_links(e.rel("rId5", "hyperlink", "https://dichvucong.gov.vn/p/home")),
     "co-lien-ket.docx"),
]


@pytest.mark.parametrize("build, name", ACCEPTED, ids=[n for _, n in ACCEPTED])
def test_each_allowed_kind_is_accepted(build, name):
    data = build()
    assert kind_of(name) is not None
    assert check_evidence(data, name, Limits()) == []
    assert check_evidence(bytearray(data), name, Limits()) == []  # any bytes-like object
    assert check_evidence(memoryview(data), name, Limits()) == []


def test_an_honest_10_mb_word_file_passes():
    data = e.big_docx(10.0)
    assert 9.5 * MB < len(data) <= 10 * MB
    assert check_evidence(data, "dày.docx", Limits()) == []


# -- what is refused, and why -------------------------------------------------------------------

REFUSED = [  # (builder, file name, the one expected code)
    # names
    (lambda: b"MZ\x90\x00", "setup.exe", "evidence.bad_type"),
    (lambda: b"alert(1)", "script.js", "evidence.bad_type"),
    (lambda: b"x", "no-suffix", "evidence.bad_type"),
    (e.docx_macro_type, "macro.docm", "evidence.macro"),
    (h.valid_xlsx, "macro.xlsm", "evidence.macro"),
    (e.ole2, "old.doc", "evidence.old_format"),
    (e.ole2, "old.xls", "evidence.old_format"),
    (lambda: b"", "empty.pdf", "evidence.empty"),
    # contents that are not what the name says
    (e.docx, "word.pdf", "evidence.renamed"),
    (lambda: h.build_zip({"a.txt": b"a"}), "archive.pdf", "evidence.not_what_it_says"),
    (e.png, "photo.jpg", "evidence.renamed"),
    (e.jpeg, "photo.png", "evidence.renamed"),
    (e.pdf, "scan.png", "evidence.renamed"),
    (lambda: b"<html>hello</html>", "page.pdf", "evidence.not_what_it_says"),
    (h.valid_xlsx, "table.docx", "evidence.renamed"),
    (e.docx, "letter.xlsx", "evidence.renamed"),
    (h.text_renamed, "table.xlsx", "evidence.not_what_it_says"),
    (h.missing_workbook, "no-workbook.xlsx", "guard.not_xlsx"),
    # Word files
    (e.ole2, "locked.docx", "evidence.encrypted"),
    (e.docx_vba, "vba.docx", "evidence.macro"),
    (e.docx_macro_type, "docm-renamed.docx", "evidence.macro"),
    (e.docx_embedded_xlsm, "embedded-xlsm.docx", "evidence.macro"),
    (e.docx_dtd, "xxe.docx", "evidence.dtd"),
    (e.docx_dtd_in_rels, "laughs.docx", "evidence.dtd"),
    (e.docx_dtd_late, "xxe-late.docx", "evidence.dtd"),
    (e.docx_utf16_dtd, "utf16.docx", "evidence.broken"),
    (e.docx_without_document, "no-document.docx", "evidence.not_what_it_says"),
    (e.docx_truncated, "cut.docx", "evidence.broken"),
    (e.docx_bzip2, "bzip2.docx", "evidence.broken"),
    (e.docx_ratio_bomb, "ratio.docx", "evidence.zip_bomb"),
    (e.docx_lying_size, "liar.docx", "evidence.zip_bomb"),
    (e.docx_many_entries, "entries.docx", "evidence.too_many_parts"),
    (lambda: e.docx_with_links(e.rel("rId9", "image", "\\\\attacker\\share\\pixel.png")),
     "unc-image.docx", "evidence.external_link"),
    (lambda: e.docx_with_links(e.rel("rId9", "attachedTemplate", "http://x.example/t.dotm")),
     "remote-template.docx", "evidence.external_link"),
    (lambda: e.docx_with_links(e.rel("rId9", "oleObject", "http://x.example/a.html!")),
     "follina.docx", "evidence.external_link"),
    (lambda: e.docx_with_links(e.rel("rId9", "hyperlink", "file://attacker/share/a.docx")),
     "unc-link.docx", "evidence.external_link"),
    (lambda: e.docx_with_links(e.rel("rId9", "hyperlink", "search-ms:query=x&amp;crumb=location:\\\\a")),
     "scheme-link.docx", "evidence.external_link"),
    # workbooks go through the full .xlsx guard
    (h.encrypted, "locked.xlsx", "guard.encrypted"),
    (h.xxe, "xxe.xlsx", "guard.dtd"),
    (h.far_cell, "far.xlsx", "guard.cell_out_of_range"),
    # images
    (lambda: e.png(100_000, 100_000, pixels=False), "bomb.png", "evidence.image_too_large"),
    (lambda: e.jpeg(65_535, 65_535), "bomb.jpg", "evidence.image_too_large"),
    (lambda: e.png()[:24], "cut.png", "evidence.broken"),
    (lambda: e.jpeg()[:40], "cut.jpg", "evidence.broken"),
    (lambda: e.png(0, 1, pixels=False), "zero.png", "evidence.broken"),
]


@pytest.mark.parametrize("build, name, code", REFUSED, ids=[n for _, n, _ in REFUSED])
def test_each_refusal_has_its_code_and_names_the_file(build, name, code):
    assert_one_located_issue(check_evidence(build(), name, Limits()), name, code)


def test_refusals_say_what_to_do_with_the_right_details():
    issue, = check_evidence(e.png(), "photo.jpg", Limits())
    assert issue.params == {"actual": "PNG", "suffix": ".jpg", "expected": ".png"}
    assert "đổi đuôi tên tệp thành .png" in issue.message("vi")
    issue, = check_evidence(b"MZ", "setup.EXE", Limits())
    assert issue.params["suffix"] == ".exe" and "pdf, docx, xlsx, png, jpg" in issue.message("vi")
    issue, = check_evidence(e.ole2(), "old.doc", Limits())
    assert ".docx" in issue.message("vi") and ".doc" in issue.message("en")
    issue, = check_evidence(e.png(100_000, 100_000, pixels=False), "bomb.png", Limits())
    assert issue.params["width"] == 100_000 and "100000×100000" in issue.message("vi")
    issue, = check_evidence(e.docx_dtd(), "xxe.docx", Limits())
    assert issue.params["part"] == "word/document.xml"
    issue, = check_evidence(e.docx_with_links(e.rel("rId9", "image", "\\\\h\\s\\p.png")), "u.docx", Limits())
    assert issue.params == {"part": "word/_rels/document.xml.rels", "target": "\\\\h\\s\\p.png"}
    assert "\\\\h\\s\\p.png" in issue.message("vi")


@pytest.mark.parametrize("build, name", [(e.pdf, "scan.pdf"), (e.docx, "a.docx"),
                                         (h.valid_xlsx, "a.xlsx"), (e.png, "a.png")])
def test_a_file_over_the_cap_is_refused_before_anything_else(build, name):
    data = build()
    small = Limits(max_bytes=len(data) - 1)
    issues = check_evidence(data, name, small)
    assert_one_located_issue(issues, name, "evidence.too_big")
    assert issues[0].params["size_mb"] == round(len(data) / MB, 1)
    assert check_evidence(data, name, Limits(max_bytes=len(data))) == []  # the cap itself is fine
    padded = e.pdf() + b"%" + random.Random(0).randbytes(300_000)  # a scan too big for 0.2 MB
    issues = check_evidence(padded, "scan.pdf", Limits(max_bytes=200 * 1024))
    assert codes(issues) == ["evidence.too_big"] and issues[0].params["limit_mb"] == 0.2
    assert codes(check_evidence(padded, "scan.exe", Limits(max_bytes=200 * 1024))) == ["evidence.too_big"]


def test_the_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "0.001")
    assert codes(check_evidence(e.docx(), "a.docx")) == ["evidence.too_big"]
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "1")
    assert check_evidence(e.docx(), "a.docx") == []


def test_word_zip_bombs_lying_honest_and_in_total():
    # declared 100 bytes, inflates to 2 MB: only counting the output finds it
    assert codes(check_evidence(e.docx_lying_size(), "liar.docx", Limits())) == ["evidence.zip_bomb"]
    # honest headers, but 4 MB from 4 KB (over the 100:1 ratio)
    assert codes(check_evidence(e.docx_ratio_bomb(), "ratio.docx", Limits())) == ["evidence.zip_bomb"]
    # ordinary ratios, more in total than the budget
    data = e.docx_big_declared(3)
    assert codes(check_docx(data, "big.docx", Limits(max_uncompressed=2 * MB))) == ["evidence.zip_bomb"]
    assert check_docx(data, "big.docx", Limits(max_uncompressed=4 * MB)) == []
    # a lying part that is a small XML part too
    liar = e.docx_lying_size("word/styles.xml", 1)
    assert codes(check_docx(liar, "liar.docx", Limits())) == ["evidence.zip_bomb"]


# -- relationships that reach out -------------------------------------------------------------------

REACHING_OUT = [  # (target, external, relationship type)
    ("\\\\attacker\\share\\x.png", True, "image"),
    ("\\\\attacker\\share\\x.png", False, "image"),  # internal or not: Word may still resolve it
    ("//attacker/share/x.png", True, "hyperlink"),
    ("file://attacker/share/x.dotm", True, "attachedTemplate"),
    ("FILE:////attacker/share/x.dotm", True, "attachedtemplate"),
    ("file:\\\\attacker\\share", True, "hyperlink"),
    ("\\\\?\\UNC\\attacker\\share", True, "image"),
    ("https://attacker.example/t.dotm", True, "attachedtemplate"),
    ("http://attacker.example/pixel.png", True, "image"),
    ("mhtml:http://attacker.example/a!x", True, "oleobject"),
    ("ms-msdt:/id PCWDiagnostic", True, "hyperlink"),
    ("javascript:alert(1)", True, "hyperlink"),
]
STAYING_IN = [
    ("https://dichvucong.gov.vn/", True, "hyperlink"),
    ("mailto:vanphong@nghean.gov.vn", True, "hyperlink"),
    ("file:///C:\\Users\\lan\\Templates\\Mau-bao-cao.dotx", True, "attachedtemplate"),
    ("C:\\Tai lieu\\phu-luc.docx", True, "hyperlink"),
    ("../phu-luc.pdf", True, "hyperlink"),
    ("media/image1.png", False, "image"),
    ("#_Toc123", True, "hyperlink"),
]


@pytest.mark.parametrize("target, external, kind", REACHING_OUT + STAYING_IN)
def test_relationship_targets_that_reach_out(target, external, kind):
    expected = (target, external, kind) in REACHING_OUT
    assert reaches_out(target, external, kind.lower()) is expected
    data = e.docx_with_links(f'<Relationship Id="r" Type="{e.R_NS}/{kind}" Target="{target}"'
                             + (' TargetMode="External"/>' if external else "/>"))
    assert codes(check_evidence(data, "a.docx", Limits())) == (["evidence.external_link"] if expected else [])


def test_link_targets_are_read_as_word_reads_them():
    """Character references, single quotes, prefixed names and any part named .rels."""
    spelled = [
        '<Relationship Id="r" Type="x/image" Target="&#92;&#92;h&#x5C;s" TargetMode="External"/>',
        "<Relationship Target='\\\\h\\s' TargetMode='External' Id='r' Type='x/image'/>",
        '<p:Relationship xmlns:p="urn:p" Id="r" Type="x/image" Target="\\\\h\\s" TargetMode="External"/>',
    ]
    for rel in spelled:
        data = e.docx_with_links(rel)
        assert codes(check_evidence(data, "a.docx", Limits())) == ["evidence.external_link"], rel
    settings_rels = e.relationships(e.rel("rId1", "attachedTemplate", "\\\\h\\t.dotm"))
    data = e.docx(add={"word/_rels/settings.xml.rels": settings_rels})
    issue, = check_evidence(data, "a.docx", Limits())
    assert issue.params["part"] == "word/_rels/settings.xml.rels"
    broken = e.docx({"word/_rels/document.xml.rels": b"<Relationships><Relationship"})
    assert codes(check_evidence(broken, "a.docx", Limits())) == ["evidence.broken"]


def test_unc_spellings():
    for text in ("//h/s", "file://h/s", "file:////h/s", "file://localhost//h/s"):
        assert is_unc(text), text
    for text in ("file:///c:/x", "c:/x", "/x", "x/y", "file://localhost/c:/x", "https://h/s"):
        assert not is_unc(text), text


# -- the Word checks in detail --------------------------------------------------------------------

def test_dtd_markers_are_found_in_any_xml_part_and_case():
    for part, content in [
        ("word/styles.xml", b'<?xml version="1.0"?><!doctype w SYSTEM "http://x/y"><w:styles/>'),
        ("docProps/core.xml", b"<!ENTITY a 'b'><cp:coreProperties/>"),
        ("word/media/image1.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg/>'),
    ]:
        issue, = check_evidence(e.docx(add={part: content}), "a.docx", Limits())
        assert issue.code == "evidence.dtd" and issue.params["part"] == part
    # the same bytes in a picture are not XML anyone reads: not a reason to refuse
    photo = e.docx(add={"word/media/image1.png": e.png() + b"<!DOCTYPE x>"})
    assert check_evidence(photo, "a.docx", Limits()) == []


def test_xml_parts_in_encodings_the_scan_cannot_read_are_refused():
    utf7 = e.docx({"word/document.xml": b'<?xml version="1.0" encoding="UTF-7"?><w:document/>'})
    assert codes(check_evidence(utf7, "a.docx", Limits())) == ["evidence.broken"]
    latin = e.docx({"word/document.xml": e.document_xml().replace(b"UTF-8", b"windows-1258", 1)})
    assert check_evidence(latin, "a.docx", Limits()) == []
    bom = e.docx({"word/document.xml": b"\xef\xbb\xbf" + e.document_xml()})
    assert check_evidence(bom, "a.docx", Limits()) == []


def test_a_docx_of_other_content_types_passes_when_harmless():
    """A template (.dotx content type) saved as .docx is not a macro file."""
    template = e.content_types(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")
    assert check_evidence(e.docx({"[Content_Types].xml": template}), "a.docx", Limits()) == []


HOSTILE_WORD = [(b, n) for b, n, c in REFUSED if n.endswith(".docx") and c.startswith("evidence.")]


@pytest.mark.parametrize("chunk", [7, 61, 1000])
def test_results_do_not_depend_on_where_chunks_end(monkeypatch, chunk):
    cases = HOSTILE_WORD + [(e.docx, "ok.docx"), (e.docx_dtd_in_rels, "dr.docx"),
                            (lambda: e.docx_with_links(e.rel("r", "hyperlink", "https://a.vn/" + "x" * 3000)),
                             "long-link.docx")]
    expected = {n: codes(check_evidence(b(), n, Limits())) for b, n in cases}
    assert expected["ok.docx"] == [] and expected["long-link.docx"] == []
    monkeypatch.setattr(evidence_zip, "CHUNK", chunk)
    assert {n: codes(check_evidence(b(), n, Limits())) for b, n in cases} == expected


# -- image headers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, kind, size", [("PNG", "png", (3, 2)), ("JPEG", "jpeg", (3, 2)),
                                             ("PNG", "png", (1, 700)), ("JPEG", "jpeg", (640, 1))])
def test_image_size_agrees_with_a_real_encoder(fmt, kind, size):
    assert image_size(e.real_image(fmt, size), kind) == size


def test_image_size_reads_the_header_only():
    assert image_size(e.png(7, 5), "png") == (7, 5)
    assert image_size(e.png(100_000, 100_000, pixels=False), "png") == (100_000, 100_000)
    assert image_size(e.jpeg(640, 480, app_segments=20), "jpeg") == (640, 480)
    assert image_size(e.jpeg(640, 480), "png") is None and image_size(e.png(), "jpeg") is None
    assert image_size(e.png(), "gif") is None


@pytest.mark.parametrize("build, kind", [(e.png, "png"), (e.jpeg, "jpeg"),
                                         (lambda: e.real_image("JPEG", (9, 4)), "jpeg")])
def test_a_header_cut_anywhere_is_broken(build, kind):
    data = build()
    whole = image_size(data, kind)
    if kind == "png":
        header_end = 33  # signature, IHDR length, type, body and CRC
    else:  # the frame header's marker, then its length (which counts itself)
        sof = data.index(b"\xff\xc0" if b"\xff\xc0" in data else b"\xff\xc2")
        header_end = sof + 2 + int.from_bytes(data[sof + 2:sof + 4], "big")
    for cut in range(len(data)):
        found = image_size(data[:cut], kind)
        assert found == (None if cut < header_end else whole), cut


def test_broken_headers_give_none():
    good = bytearray(e.png(4, 4))
    bad_crc = bytearray(good)
    bad_crc[20] ^= 1  # the width changed, the CRC not
    assert image_size(bytes(bad_crc), "png") is None
    assert image_size(e.png(0, 4, pixels=False), "png") is None
    assert image_size(e.jpeg(0, 4), "jpeg") is None  # height defined later (DNL): not accepted
    no_frame = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xda\x00\x02\xff\xd9"
    assert image_size(no_frame, "jpeg") is None  # a scan before any frame header
    garbage = b"\xff\xd8\xff\xe0\x00\x01"  # a segment length below 2
    assert image_size(garbage, "jpeg") is None
    endless = b"\xff\xd8" + b"\xff\xe1\x00\x02" * 100_000  # empty segments, never a frame
    assert image_size(endless, "jpeg") is None


# -- whatever the bytes ------------------------------------------------------------------------------

def assert_refusal_or_pass(issues, name):
    assert isinstance(issues, list) and len(issues) <= 1
    for issue in issues:
        assert issue.code in MESSAGES and issue.code.split(".")[0] in ("evidence", "guard")
        assert issue.file == name and issue.severity == "error"


NAMES = ["a.pdf", "b.docx", "c.xlsx", "d.png", "e.jpg", "f.JPEG", "g.exe", "", "h.docm"]
PREFIXES = [b"", b"%PDF-", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"]


@settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PREFIXES), st.binary(max_size=4096), st.sampled_from(NAMES))
def test_random_bytes_never_raise(prefix, data, name):
    assert_refusal_or_pass(check_evidence(prefix + data, name, Limits()), name)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_never_raise(data):
    builders = [e.docx, e.docx_dtd, e.docx_lying_size, e.png, e.jpeg,
                lambda: e.docx_with_links(e.rel("r", "image", "\\\\h\\s"))]
    source = bytearray(data.draw(st.sampled_from(builders))())
    for _ in range(data.draw(st.integers(0, 8))):
        pos = data.draw(st.integers(0, len(source) - 1))
        source[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(source)))
    mutated = bytes(source[:cut] if data.draw(st.booleans()) else source)
    name = data.draw(st.sampled_from(["m.docx", "m.png", "m.jpg", "m.pdf"]))
    assert_refusal_or_pass(check_evidence(mutated, name, Limits()), name)


def test_non_bytes_never_raise():
    for junk in (None, "%PDF- text", 12):
        issues = check_evidence(junk, "a.pdf", Limits())
        assert codes(issues) == ["evidence.unreadable"] and issues[0].file == "a.pdf"
    assert codes(check_docx(None, "a.docx", Limits())) == ["evidence.broken"]
    assert image_size(None, "png") is None
    assert codes(check_evidence(e.pdf(), None, Limits())) == ["evidence.bad_type"]


def test_every_evidence_message_renders_in_both_languages():
    keys = [k for k in MESSAGES if k.startswith("evidence.")]
    assert len(keys) >= 14
    for key in keys:
        assert MESSAGES[key]["vi"] != MESSAGES[key]["en"], key
