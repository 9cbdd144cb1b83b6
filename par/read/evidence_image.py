"""An image's size from its header alone: no decoding, no image library.

``image_size`` reads the PNG ``IHDR`` chunk or walks the JPEG markers up to the first
start-of-frame (SOFn) segment, so ``par.read.evidence`` can refuse a picture whose header
claims a decompression bomb (100,000 × 100,000 pixels in a few hundred bytes) before it is
stored and handed to whoever opens it. A header that is cut short, inconsistent or
missing gives None: the file is not the image its name says.

The cost is bounded whatever the bytes: PNG reads 33 bytes; JPEG looks at most
``MAX_SEGMENTS`` segment headers and never reads a segment's content except the frame header.
"""
from __future__ import annotations

import re
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 2**31 - 1  # PNG's own bound for a width or a height
MAX_SEGMENTS = 4096  # a real JPEG has a few dozen segments before its frame header

# Start-of-frame markers: baseline, extended, progressive, lossless, arithmetic coded …
# (C4 = DHT, C8 = JPG extension, CC = DAC are not frames)
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_FILL = re.compile(rb"\xff+")
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM carry no length
# PNG colour types and the bit depths each allows
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) in pixels from the header of a ``kind`` ("png" or "jpeg") image;
    None when the header is broken, truncated or not of that kind. Never raises."""
    try:
        raw = bytes(data) if not isinstance(data, bytes) else data
        if kind == "png":
            return _png(raw)
        if kind in ("jpeg", "jpg"):
            return _jpeg(raw)
    except Exception:  # noqa: BLE001 - a header we cannot follow is a broken header
        return None
    return None


def _png(raw: bytes) -> tuple[int, int] | None:
    """The first chunk must be a 13-byte IHDR with a correct CRC."""
    if len(raw) < 33 or not raw.startswith(PNG_SIGNATURE):
        return None
    length, chunk_type = struct.unpack(">I4s", raw[8:16])
    if length != 13 or chunk_type != b"IHDR":
        return None
    body = raw[16:29]
    (crc,) = struct.unpack(">I", raw[29:33])
    if zlib.crc32(chunk_type + body) != crc:
        return None
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        return None
    if depth not in _PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
        return None
    return width, height


def _jpeg(raw: bytes) -> tuple[int, int] | None:
    """Walk the segments from SOI to the first SOFn; None at EOI, SOS or the end first."""
    if not raw.startswith(b"\xff\xd8"):
        return None
    pos, end = 2, len(raw)
    for _ in range(MAX_SEGMENTS):
        if pos >= end or raw[pos] != 0xFF:
            return None  # a segment must start with a marker
        pos = _FILL.match(raw, pos).end()  # fill bytes before the marker code (at C speed)
        if pos >= end:
            return None
        marker = raw[pos]
        pos += 1
        if marker in _STANDALONE:
            continue
        if marker in (0x00, 0xD8, 0xD9, 0xDA):
            return None  # a stuffed zero, a second SOI, the end, or scan data before any frame
        if pos + 2 > end:
            return None
        (length,) = struct.unpack(">H", raw[pos:pos + 2])
        if length < 2 or pos + length > end:
            return None
        if marker in _SOF:
            if length < 8:
                return None
            height, width, components = struct.unpack(">HHB", raw[pos + 3:pos + 8])
            if width == 0 or height == 0 or components == 0 or length < 8 + 3 * components:
                return None  # height 0 (defined later by a DNL segment) is not accepted
            return width, height
        pos += length
    return None
