"""Tiny, valid, SYNTHETIC evidence files for the sample round: one-page PDFs and small PNGs.

Each file says what it is inside: the PDF's text and its document information (Title,
Subject, Keywords) and the PNG's ``tEXt`` chunks read "DU LIEU MO PHONG" / "Dữ liệu mô
phỏng" (synthetic sample, not a real document). They are what a unit would attach (a
decision, a report, a screenshot), small enough to seed by the hundred, and they pass
par.read.evidence.check_evidence like any upload. Deterministic: the same arguments give
the same bytes.
"""
from __future__ import annotations

import struct
import unicodedata
import zlib

MARK = "DU LIEU MO PHONG - synthetic sample, not a real document"
MARK_VI = "Dữ liệu mô phỏng (synthetic) — không phải văn bản thật"


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics (đ → d), for PDF's standard fonts."""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.replace("\\", "/").replace("(", "[").replace(")", "]")


def _pdf_string(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte-order mark, as hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF (Helvetica) with ``title`` and ``lines``, marked synthetic."""
    shown = [ascii_text(title), MARK, *(ascii_text(line) for line in lines)]
    ops = ["BT", "/F1 14 Tf", "56 780 Td", f"({shown[0]}) Tj", "/F1 10 Tf"]
    for line in shown[1:]:
        ops += ["0 -18 Td", f"({line}) Tj"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    info = (b"<< /Title " + _pdf_string(title) + b" /Subject " + _pdf_string(MARK_VI)
            + b" /Keywords " + _pdf_string("mo phong, synthetic") + b" /Producer (par sample) >>")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        info,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(title: str, width: int = 240, height: int = 120, shade: int = 0) -> bytes:
    """A small greyscale PNG (a framed, striped "screenshot"), marked synthetic in its
    tEXt chunks (Title, Comment)."""
    rows = []
    for y in range(height):
        edge = y in (0, height - 1)
        line = bytearray(
            40 if edge or x in (0, width - 1) else
            (200 + shade) % 256 if (y // 12) % 2 else 235 for x in range(width))
        rows.append(b"\x00" + bytes(line))
    raw = zlib.compress(b"".join(rows), 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"tEXt", b"Title\x00" + ascii_text(title).encode("latin-1"))
            + _chunk(b"tEXt", b"Comment\x00" + MARK.encode("latin-1"))
            + _chunk(b"IDAT", raw) + _chunk(b"IEND", b""))


def evidence_file(name: str, lines: list[str]) -> bytes:
    """The bytes of a synthetic evidence file named ``name`` (.pdf or .png)."""
    if name.lower().endswith(".png"):
        return png(name, shade=len(name) * 7)
    return pdf(name.rsplit(".", 1)[0].replace("_", " "), lines)
