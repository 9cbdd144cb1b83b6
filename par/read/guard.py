"""Refuse hostile .xlsx uploads by their raw bytes, before any parser sees them.

An .xlsx is a zip of XML parts. Parsers trust it: a 5 KB workbook with cells A1
and XFD1048576 makes calamine ask for 512 GB and abort the whole process
(SIGABRT, not an exception) and openpyxl grow memory without bound; a zip bomb
or a DTD (XXE, billion laughs) does the rest. ``check_xlsx`` reads the zip itself, with every
size bounded, and returns the reasons to refuse (empty: safe to parse).

What it reads, in order, stopping at the first reason:
  size → macro suffix → OLE2 container (password / legacy .xls) → zip magic →
  central directory (entry count, declared sizes and ratios, macro parts,
  required parts) → every part, inflated here in chunks with the actual bytes
  counted: DTD markers anywhere, and the cell references (``<c r>``,
  ``<row r>``, ``<dimension ref>``, ``<mergeCell ref>``, ``<hyperlink ref>``,
  ``<comment ref>``) checked against the row and column limits.

Every part is scanned, not only ``xl/worksheets/*.xml``: a workbook's
relationships may point a sheet at any part name. The scan is deliberately
wider than an XML parser (it also looks inside comments, and ignores
namespaces): it may refuse a strange file, never accept a dangerous one.
Memory stays within a few chunks; time is linear in the inflated size, which
is itself capped.

A cell need not carry its reference: calamine places a ``<c>`` without ``r`` one
column right of the previous cell, in the row of the last ``<row r>`` plus the
``</row>`` seen since (``<row/>`` counts as a start and an end), and a ``<c r>``
moves the column but not the row. A 5 KB sheet with ``<row r="100000">`` and
20,000 such cells made it ask for 64 GB and abort. So a part with any cell tag
the fast path does not vouch for (``<c r="A1" …>``, r first, plain values) is
read a second time by ``_Positions``, which follows that rule event by event
(comments, CDATA and processing instructions skipped as the parser skips them;
inside a cell only well-nested tags, no ``row`` or ``c``: anything else is
refused) and checks every cell's real place against the limits.

Within the limits a sheet can still cost a lot: calamine allocates a cell for
every position of the rectangle from A1 to its farthest cell holding content
(cells written ``<c …/>`` hold none), so A1 with IV100000 costs 25.6 million
cells (13 s, 1.2 GB). ``Limits.max_area`` caps that rectangle for every part.
Whatever the guard lets through is parsed in a bounded child process
(``par.read.sandbox``).
"""
from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from par import settings
from par.domain.issues import Issue

MB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 10.0

CHUNK = 64 * 1024  # inflate and scan this much at a time (tests shrink it to probe chunk edges)
MAX_TAG = 64 * 1024  # a cell/row/… start tag (or element name) longer than this is refused
RATIO_FLOOR = 1 * MB  # compression ratios are judged only for entries at least this big

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CENTRAL_DIR_MAGIC = b"PK\x01\x02"
MACRO_SUFFIXES = {".xlsm", ".xlsb", ".xltm", ".xlam", ".xls"}
REQUIRED_PARTS = ("[content_types].xml", "xl/workbook.xml")


@dataclass(frozen=True)
class Limits:
    """What an upload may hold; ``max_bytes`` comes from PAR_MAX_UPLOAD_MB (default 10)."""

    max_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * MB)
    max_entries: int = 500
    max_uncompressed: int = 100 * MB
    max_ratio: float = 100.0
    max_rows: int = 100_000  # cell references beyond these are refused
    max_cols: int = 256
    max_area: int = 2_560_000  # rows × columns from A1 to a part's farthest cell with content

    @classmethod
    def from_env(cls) -> Limits:
        return cls(max_bytes=int(settings.max_upload_mb() * MB))

    @property
    def max_cells(self) -> int:
        return max(1, self.max_rows * self.max_cols // 10)


class _Refused(Exception):
    def __init__(self, issue: Issue):
        super().__init__(issue.code)
        self.issue = issue


def check_xlsx(data: bytes, name: str, limits: Limits | None = None) -> list[Issue]:
    """Error issues that make ``data`` unsafe to parse as an .xlsx; [] when it may be parsed.

    Never raises, whatever the bytes: anything unexpected is a refusal.
    """
    name = str(name or "")
    try:
        limits = limits or Limits.from_env()
        _check(data, name, limits)
    except _Refused as refused:
        return [refused.issue]
    except Exception:  # noqa: BLE001 - a file the checks cannot follow is not safe to parse
        return [Issue("guard.not_xlsx", file=name)]
    return []


def _check(data: bytes, name: str, limits: Limits) -> None:
    size = memoryview(data).nbytes  # any bytes-like object, measured before it is copied
    if size > limits.max_bytes:
        raise _Refused(Issue("guard.too_big", {"size_mb": round(size / MB, 1),
                                               "limit_mb": round(limits.max_bytes / MB, 1)},
                             file=name))
    if PurePath(name).suffix.lower() in MACRO_SUFFIXES:
        raise _Refused(Issue("guard.macro", file=name))
    raw = data if isinstance(data, bytes) else memoryview(data).tobytes()
    head = raw[:8]
    if head == OLE2_MAGIC:
        raise _Refused(Issue("guard.encrypted", file=name))
    if head[:4] != ZIP_MAGIC:
        raise _Refused(Issue("guard.not_xlsx", file=name))
    # Each central-directory record starts with this signature, so the count bounds the
    # entries zipfile would parse: refuse before it builds thousands of ZipInfo objects.
    if raw.count(CENTRAL_DIR_MAGIC) > limits.max_entries:
        raise _Refused(Issue("guard.too_many_entries", {"limit": limits.max_entries}, file=name))
    try:
        infos = zipfile.ZipFile(BytesIO(raw)).infolist()
    except Exception:  # noqa: BLE001 - BadZipFile, but also struct/Unicode/Overflow errors
        raise _Refused(Issue("guard.not_xlsx", file=name)) from None
    if len(infos) > limits.max_entries:
        raise _Refused(Issue("guard.too_many_entries", {"limit": limits.max_entries}, file=name))
    _check_declared_sizes(infos, name, limits)
    names = {info.filename.lower() for info in infos}
    if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
        raise _Refused(Issue("guard.macro", file=name))
    if not all(part in names for part in REQUIRED_PARTS):
        raise _Refused(Issue("guard.not_xlsx", file=name))
    # [Content_Types].xml first: a macro-enabled content type is the clearest reason to give.
    infos.sort(key=lambda info: info.filename.lower() != REQUIRED_PARTS[0])
    budget = limits.max_uncompressed
    for info in infos:
        scanner = _PartScanner(info.filename, name, limits,
                               macro_types=info.filename.lower() == REQUIRED_PARTS[0])
        size = 0
        for chunk in _inflate(raw, info, budget, name, limits):
            size += len(chunk)
            scanner.feed(chunk)
        scanner.close()
        if scanner.odd_cells:  # some cell may sit where no reference says: follow calamine
            positions = _Positions(info.filename, name, limits)
            for chunk in _inflate(raw, info, size, name, limits):
                positions.feed(chunk)
            positions.close()
            scanner.max_row = max(scanner.max_row, positions.max_row)
            scanner.max_col = max(scanner.max_col, positions.max_col)
        scanner.check_area()
        budget -= size


def _zip_bomb(name: str, limits: Limits) -> _Refused:
    return _Refused(Issue("guard.zip_bomb", {"limit_mb": round(limits.max_uncompressed / MB, 1)},
                          file=name))


def _check_declared_sizes(infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    if sum(info.file_size for info in infos) > limits.max_uncompressed:
        raise _zip_bomb(name, limits)
    for info in infos:
        if info.file_size >= RATIO_FLOOR and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _zip_bomb(name, limits)


def _inflate(raw: bytes, info: zipfile.ZipInfo, budget: int, name: str,
             limits: Limits) -> Iterator[bytes]:
    return inflate_entry(raw, info, budget, broken=_Refused(Issue("guard.not_xlsx", file=name)),
                         bomb=_zip_bomb(name, limits))


def inflate_entry(raw: bytes, info: zipfile.ZipInfo, budget: int, *, broken: Exception,
                  bomb: Exception) -> Iterator[bytes]:
    """The entry's bytes in chunks, inflated here so that the ACTUAL output is counted.

    zipfile's reader trusts the declared size; another reader may not. An entry
    producing more than it declares, or more than the remaining budget, raises ``bomb``;
    less, a bad CRC, encryption or an unusual compression raises ``broken`` (each caller
    words them: a workbook's guard, an evidence file's check).
    """
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise broken  # zip encryption, or bzip2/lzma/… (whose readers do not bound their output)
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        raise broken
    start = info.header_offset
    local = raw[start:start + 30]
    if len(local) < 30 or local[:4] != ZIP_MAGIC:
        raise broken
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    begin = start + 30 + name_len + extra_len
    comp = memoryview(raw)[begin:begin + info.compress_size]
    if len(comp) < info.compress_size:
        raise broken
    cap = min(info.file_size, budget)
    produced, crc = 0, 0
    if info.compress_type == zipfile.ZIP_STORED:
        pieces: Iterator[bytes] = (bytes(comp[i:i + CHUNK]) for i in range(0, len(comp), CHUNK))
    else:
        pieces = _inflate_deflate(comp, broken)
    for piece in pieces:
        produced += len(piece)
        if produced > cap:
            raise bomb
        crc = zlib.crc32(piece, crc)
        yield piece
    if produced != info.file_size or crc != info.CRC:
        raise broken


def _inflate_deflate(comp: memoryview, broken: Exception) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pos = 0
    while not inflater.eof:
        if inflater.unconsumed_tail:
            piece = inflater.unconsumed_tail
        else:  # (empty once all input is in: zlib may still hold output for it)
            piece, pos = comp[pos:pos + CHUNK], pos + CHUNK
        try:
            out = inflater.decompress(piece, CHUNK)  # at most CHUNK bytes out per call
        except zlib.error:
            raise broken from None
        if out:
            yield out
        elif not piece:
            raise broken  # no input left and no output: the stream stops before its end


# -- scanning one part -------------------------------------------------------------

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_DTD_OVERLAP = len(b"<!NOTATION") - 1
_MACRO_TYPE = re.compile(rb"macroEnabled|vbaProject", re.IGNORECASE)
_MACRO_OVERLAP = len(b"macroEnabled") - 1

# The start tags that place cells. Any namespace prefix (parsers match the local name);
# the name ends at whitespace, "/" or ">" as in the parsers.
_NAMES = rb"(c|row|dimension|mergeCell|hyperlink|comment)"
_PREFIX = rb"(?:[^\s/>:<]*:)?"
_OPEN = re.compile(rb"<" + _PREFIX + _NAMES + rb"(?=[\s/>])")
# A whole start tag: quote-aware like quick-xml (a ">" inside a quoted value does not end it).
_TAG = re.compile(rb"<" + _PREFIX + _NAMES + rb"(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_PARTIAL_NAME = re.compile(rb"<[^\s/>]*")  # a tag cut at the chunk end while still in its name
# r= / ref= anywhere in the tag (also prefixed, or glued to the previous value): wider than
# an attribute parser on purpose.
_ATTR = re.compile(rb"(?:^|(?<=[\s\"':/]))(r|ref)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>/]+))")
_CELL = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
# Fast path: the plain cell and row tags Excel and openpyxl write (r first, then other
# attributes with plain double-quoted values) are checked in bulk; whatever does not fit
# exactly this form goes through the careful path above. Plain values hold no quote of
# either kind, no "<" and no ">": see _scan_plain for why removing such a tag is safe.
_OTHER_ATTRS = rb'(?:\s+(?!(?:[\w.-]*:)?r\s*=)[\w.:-]+="[^"\'<>]*")*\s*'
# (the slash of a plain cell is kept: "<c r="B2" s="1"/>" holds no value, so it does not
# widen the rectangle calamine allocates; it still takes its place)
_PLAIN_CELL = re.compile(rb'<(?:[\w.-]+:)?c r="([A-Z]{1,3})([0-9]{1,7})"' + _OTHER_ATTRS + rb"(/?)>")
_PLAIN_ROW = re.compile(rb'<(?:[\w.-]+:)?row r="([0-9]{1,7})"' + _OTHER_ATTRS + rb"/?>")
_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
# Encodings in which "<", quotes, letters and digits are their ASCII bytes (the scan reads bytes).
_ASCII_SAFE = re.compile(r"utf-?8|(us-)?ascii|iso-?8859-\d+|latin-?\d|(windows|cp)-?12\d\d"
                         r"|shift-jis|sjis|euc-(jp|kr)|gb2312|gbk|gb18030|big5|koi8-[ru]|tis-620|viscii")


class _PartScanner:
    """Feed a part's bytes in chunks; raises _Refused at the first reason to refuse."""

    def __init__(self, part: str, file: str, limits: Limits, macro_types: bool = False):
        self.part, self.file, self.limits, self.macro_types = part, file, limits, macro_types
        self.head = b""  # the first bytes, held until the encoding is known
        self.decoder = None  # incremental UTF-16 decoder, when the part is UTF-16
        self.mode: str | None = None
        self.tail = b""  # end of the previous chunk, for markers cut by a chunk edge
        self.carry = b""  # an unfinished start tag, completed by the next chunk
        self.cells = 0
        self.rows = 0
        self.odd_tags = 0  # tags that needed the careful path
        self.odd_cells = 0  # cell tags among them: their place may be implicit (see _Positions)
        self.max_row = 0  # the farthest row and column of a cell that may hold content
        self.max_col = 0

    # -- input
    def feed(self, chunk: bytes) -> None:
        if self.mode is None:
            self.head += chunk
            if len(self.head) < 1024:
                return
            self._start()
            chunk, self.head = self.head, b""
        self._scan(self._text(chunk))

    def close(self) -> None:
        if self.mode is None:
            self._start()
            chunk, self.head = self.head, b""
            self._scan(self._text(chunk))
        if self.decoder is not None:
            self._scan(self.decoder.decode(b"", final=True).encode("utf-8", "replace"))
        # An unfinished tag at the very end is not XML any parser will accept: nothing to add.

    def _start(self) -> None:
        head = self.head
        if head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<",
                        b"<\x00\x00\x00", b"\x4c\x6f\xa7\x94"):
            self._refuse("guard.not_xlsx")  # UTF-32 or EBCDIC: no workbook is written so
        # UTF-16 as expat detects it: a byte-order mark, or a zero first (big-endian) or
        # second (little-endian) byte, since a document can only start with ASCII.
        encoding = None
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be"
            self.head = head[2:]
        elif head[:1] == b"\x00":
            encoding = "utf-16-be"
        elif head[1:2] == b"\x00":
            encoding = "utf-16-le"
        if encoding:
            self.decoder = codecs.getincrementaldecoder(encoding)("replace")
            self.mode = "utf-16"
            return
        self.mode = "bytes"
        text = head[3:] if head[:3] == b"\xef\xbb\xbf" else head
        declared = _DECL_ENCODING.match(text.lstrip())
        if declared:
            encoding = declared.group(1).decode("ascii", "replace").strip().lower().replace("_", "-")
            if not _ASCII_SAFE.fullmatch(encoding):
                # e.g. UTF-7 can spell "<" as "+ADw-": only ASCII-compatible encodings are read
                self._refuse("guard.not_xlsx")

    def _text(self, chunk: bytes) -> bytes:
        if self.decoder is None:
            return chunk
        return self.decoder.decode(chunk).encode("utf-8", "replace")

    # -- scanning
    def _scan(self, text: bytes) -> None:
        if not text:
            return
        window = self.tail + text
        if _DTD.search(window):
            self._refuse("guard.dtd")
        if self.macro_types and _MACRO_TYPE.search(window):
            raise _Refused(Issue("guard.macro", file=self.file))
        self.tail = window[-max(_DTD_OVERLAP, _MACRO_OVERLAP):]
        self._scan_tags(self.carry + text)

    def _scan_plain(self, buf: bytes) -> bytes:
        """Check the plain cell and row tags in bulk; ``buf`` without them.

        Removing a plain tag cannot hide anything from the careful path: it holds no
        single quote, an even number of double quotes and no ">" or "<" inside its
        values. So if the careful scan meets it inside a quoted value, it leaves it in
        the same quote state; outside quotes, the tag it is in ended there, and now
        only reaches further. Either way every r= it would have seen is still seen.
        """
        limits = self.limits
        pieces = _PLAIN_CELL.split(buf)  # text, letters, digits, slash, text, …, text
        if len(pieces) > 1:
            letters, digits, slashes = pieces[1::4], pieces[2::4], pieces[3::4]
            self._count(cells=len(letters))
            rows = list(map(int, digits))
            if min(rows) < 1 or max(rows) > limits.max_rows or \
                    not all(self._cell_ok(column + b"1") for column in set(letters)):
                bad = next(a + b for a, b in zip(letters, digits) if not self._cell_ok(a + b))
                self._out_of_range(bad.decode("ascii"))
            if b"/" in slashes:  # only cells that may hold a value widen the rectangle
                full = [i for i, slash in enumerate(slashes) if not slash]
                rows, letters = [rows[i] for i in full], {letters[i] for i in full}
            if rows:
                self._extent(max(rows), max(map(_column, set(letters))))
            buf = b"".join(pieces[0::4])
        pieces = _PLAIN_ROW.split(buf)  # text, digits, text, …, text
        if len(pieces) > 1:
            rows = list(map(int, pieces[1::2]))
            self._count(rows=len(rows))
            if min(rows) < 1 or max(rows) > limits.max_rows:
                bad = next(n for n in rows if not 1 <= n <= limits.max_rows)
                self._out_of_range(f"{bad}:{bad}")
            buf = b"".join(pieces[0::2])
        return buf

    def _scan_tags(self, buf: bytes) -> None:
        buf = self._scan_plain(buf)
        pos, keep = 0, len(buf)
        while True:
            opening = _OPEN.search(buf, pos)
            if opening is None:
                lt = buf.rfind(b"<", pos)
                if lt >= 0 and _PARTIAL_NAME.fullmatch(buf, lt):
                    keep = lt  # maybe "<c" or "<ro" cut by the chunk edge
                break
            tag = _TAG.match(buf, opening.start(), min(len(buf), opening.start() + MAX_TAG))
            if tag is None:
                if opening.start() + MAX_TAG <= len(buf):
                    self._refuse("guard.not_xlsx")  # a start tag that never ends
                keep = opening.start()  # unfinished: wait for the next chunk
                break
            self._check_tag(tag.group(1), tag.group(2))
            pos = tag.end()
        self.carry = buf[keep:]
        if len(self.carry) > MAX_TAG:
            self._refuse("guard.not_xlsx")

    def _check_tag(self, name: bytes, attrs: bytes) -> None:
        limits = self.limits
        # The careful path costs ~5 µs a tag; writers produce plain tags, so a flood of
        # odd ones (the fast path's escape hatch) is cut short instead of burning CPU.
        self.odd_tags += 1
        if self.odd_tags > limits.max_cells // 10:
            self._refuse("guard.too_many_cells", limit=limits.max_cells // 10)
        if name == b"c":
            self._count(cells=1)
            self.odd_cells += 1
        elif name == b"row":
            self._count(rows=1)
        wanted = b"ref" if name not in (b"c", b"row") else b"r"
        for found in _ATTR.finditer(attrs):
            if found.group(1) != wanted:
                continue
            value = next(v for v in found.group(2, 3, 4) if v is not None)
            if name == b"row":
                ok = value.isdigit() and len(value) <= 7 and 1 <= int(value) <= limits.max_rows
            elif name == b"c":
                ok = self._cell_ok(value)
                if ok and not attrs.rstrip().endswith(b"/"):
                    found_cell = _CELL.fullmatch(value)
                    self._extent(int(found_cell.group(2)), _column(found_cell.group(1)))
            else:
                ok = all(self._cell_ok(side) for piece in value.split() for side in piece.split(b":"))
            if not ok:
                ref = value[:40].decode("ascii", "replace")
                self._out_of_range(f"{ref}:{ref}" if name == b"row" else ref)  # Excel's "5:5" is row 5

    def _cell_ok(self, ref: bytes) -> bool:
        found = _CELL.fullmatch(ref)
        if found is None:
            return False
        column = _column(found.group(1))
        return 1 <= column <= self.limits.max_cols and 1 <= int(found.group(2)) <= self.limits.max_rows

    def _extent(self, row: int, col: int) -> None:
        """A cell that may hold a value sits at (row, col), both from 1."""
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col

    def check_area(self) -> None:
        """Refuse the part when the rectangle calamine would allocate for it is too large."""
        if self.max_row * self.max_col > self.limits.max_area:
            self._refuse("guard.sheet_too_large",
                         ref=f"{column_name(self.max_col)}{self.max_row}",
                         rows=self.max_row, cols=self.max_col, limit=self.limits.max_area)

    def _count(self, cells: int = 0, rows: int = 0) -> None:
        self.cells += cells
        self.rows += rows
        if self.cells > self.limits.max_cells:
            self._refuse("guard.too_many_cells", limit=self.limits.max_cells)
        if self.rows > self.limits.max_rows:
            self._refuse("guard.too_many_cells", limit=self.limits.max_rows)

    def _out_of_range(self, ref: str) -> None:
        limits = self.limits
        self._refuse("guard.cell_out_of_range", ref=ref, max_rows=limits.max_rows,
                     max_cols=limits.max_cols, last_col=column_name(limits.max_cols))

    def _refuse(self, code: str, **params) -> None:
        raise _Refused(Issue(code, {"part": self.part, **params}, file=self.file))


# -- where calamine puts cells without a reference ------------------------------------------

# Markup the parser skips whole: what is inside is neither a tag nor text for it.
_SKIPPED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_LONGEST_OPENER = max(len(opener) for opener, _ in _SKIPPED)
_END_TAG = re.compile(rb"</([^\s/>]+)\s*>")
_START_TAG = re.compile(rb"<([^\s/>!?<]+)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR_PAIR = re.compile(rb"\s+([^\s=/>\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ROW_NUMBER = re.compile(rb"[0-9]{1,7}")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")  # what calamine reads as a cell reference
# The common cells, whole, in one match: a plain start tag (as in _PLAIN_CELL), then
# nothing, a value, a formula and a value, or an inline string, then the end tag.
_P = rb"(?:[^\s/>:<]*:)?"
_BODY = (rb"(?:<" + _P + rb"f(?:\s[^<>]*)?>[^<]*</" + _P + rb"f>)?"
         rb"(?:<" + _P + rb"v>[^<]*</" + _P + rb"v>"
         rb"|<" + _P + rb"is><" + _P + rb"t(?:\s[^<>]*)?>[^<]*</" + _P + rb"t></" + _P + rb"is>)?")
_WHOLE_CELL = re.compile(rb"<" + _P + rb"c(?: r=\"([A-Z]{1,3})([0-9]{1,7})\")?" + _OTHER_ATTRS
                         + rb"(?:(/)>|>" + _BODY + rb"</" + _P + rb"c\s*>)")
# Whole rows as Excel writes them (the row and every cell with its reference): each of
# their places was checked by the first reading, so only where they leave the reader
# counts: after the last row (group 1). Python keeps a repeated group's last match.
_REF_CELL = (rb"<" + _P + rb'c r="[A-Z]{1,3}[0-9]{1,7}"' + _OTHER_ATTRS
             + rb"(?:/>|>" + _BODY + rb"</" + _P + rb"c\s*>)")
_WHOLE_ROWS = re.compile(rb"(?:<" + _P + rb'row r="([0-9]{1,7})"' + _OTHER_ATTRS
                         + rb"(?:/>|>(?:" + _REF_CELL + rb")*</" + _P + rb"row\s*>))+")


class _Positions(_PartScanner):
    """The second reading of a part whose cells may lack references: every cell's real place.

    Follows calamine's cell reader (quick-xml, local names, ``expand_empty_elements``):
    ``<row r=N>`` sets the row to N; ``</row>`` (and ``<row/>``) moves to the next row and
    back to column A; ``<c r=X>`` is at X and sets the column; ``<c>`` is at (row, column);
    after each cell the column moves right. Comments, CDATA sections and processing
    instructions are skipped whole, as the parser does. Inside a cell only well-nested
    tags other than ``row`` and ``c`` are accepted: the parser reads a cell's content by
    its own rules, and whatever could make it see other ``row`` tags than these is refused.
    """

    def __init__(self, part: str, file: str, limits: Limits):
        super().__init__(part, file, limits)
        self.row = 0  # 0-based, as in calamine
        self.col = 0
        self.in_cell = False
        self.stack: list[bytes] = []  # tags open inside the current cell

    def _scan(self, text: bytes) -> None:  # DTDs and macros were looked for by the first reading
        if text:
            self._scan_events(self.carry + text)

    def _scan_events(self, buf: bytes) -> None:
        pos, end, keep = 0, len(buf), len(buf)
        whole, rows = _WHOLE_CELL.match, _WHOLE_ROWS.match
        while True:
            lt = buf.find(b"<", pos)
            if lt < 0:
                break
            if not self.in_cell:
                if (run := rows(buf, lt)) is not None:
                    self.row, self.col = int(run.group(1)), 0  # after the last one's </row>
                    pos = run.end()
                    continue
                if (cell := whole(buf, lt)) is not None:
                    self._whole_cell(cell)
                    pos = cell.end()
                    continue
            if buf.startswith((b"<!", b"<?"), lt):
                opener, closer = next(((o, c) for o, c in _SKIPPED if buf.startswith(o, lt)),
                                      (b"", None))
                if closer is None:
                    if end - lt < _LONGEST_OPENER and \
                            any(o.startswith(buf[lt:]) for o, _ in _SKIPPED):
                        keep = lt  # an opener cut by the chunk edge
                        break
                    self._refuse("guard.not_xlsx")  # a DTD (refused before) or no XML at all
                stop = buf.find(closer, lt + len(opener))  # "<!-->" does not close itself
                if stop < 0:
                    if end - lt > MAX_TAG:
                        self._refuse("guard.not_xlsx")
                    keep = lt
                    break
                pos = stop + len(closer)
                continue
            if buf.startswith(b"</", lt):
                tag = _END_TAG.match(buf, lt, min(end, lt + MAX_TAG))
                if tag is None:
                    if buf.find(b">", lt) >= 0 or end - lt >= MAX_TAG:
                        self._refuse("guard.not_xlsx")  # "</" without a proper end tag
                    keep = lt
                    break
                self._close_tag(tag.group(1).split(b":", 1)[-1])
                pos = tag.end()
                continue
            tag = _START_TAG.match(buf, lt, min(end, lt + MAX_TAG))
            if tag is None:
                if lt + MAX_TAG <= end:
                    self._refuse("guard.not_xlsx")
                keep = lt
                break
            attrs = tag.group(2)
            empty = attrs.endswith(b"/")
            self._open_tag(tag.group(1).split(b":", 1)[-1], attrs[:-1] if empty else attrs, empty)
            pos = tag.end()
        self.carry = buf[keep:]
        if len(self.carry) > MAX_TAG:
            self._refuse("guard.not_xlsx")

    def _whole_cell(self, cell: re.Match) -> None:
        letters, digits, empty = cell.group(1, 2, 3)
        if letters is None:
            row, col = self.row, self.col
        else:
            row, col = int(digits) - 1, _column(letters) - 1
        self._place(row, col, holds_value=empty is None)

    def _open_tag(self, name: bytes, attrs: bytes, empty: bool) -> None:
        if self.in_cell:
            if name in (b"c", b"row", b"sheetData"):
                self._refuse("guard.not_xlsx")
            if not empty:
                self.stack.append(name)
            return
        if name == b"row":
            r = self._r(attrs)
            if r is not None:
                if not _ROW_NUMBER.fullmatch(r) or not 1 <= int(r) <= self.limits.max_rows:
                    ref = r[:40].decode("ascii", "replace")
                    self._out_of_range(f"{ref}:{ref}")
                self.row = int(r) - 1
            if empty:
                self._close_tag(b"row")
        elif name == b"c":
            r = self._r(attrs)
            if r is None:
                row, col = self.row, self.col
            else:
                found = _REF.fullmatch(r)
                if found is None:
                    self._out_of_range(r[:40].decode("ascii", "replace"))
                row, col = int(found.group(2)) - 1, _column(found.group(1)) - 1
            self._place(row, col, holds_value=not empty)
            if not empty:
                self.in_cell, self.stack = True, []

    def _close_tag(self, name: bytes) -> None:
        if self.in_cell:
            if self.stack:
                if self.stack.pop() != name:
                    self._refuse("guard.not_xlsx")  # not well nested: the parser may read on
            elif name == b"c":
                self.in_cell = False
            else:
                self._refuse("guard.not_xlsx")  # e.g. "</row>" inside a cell
        elif name == b"row":
            self.row += 1
            self.col = 0

    def _place(self, row: int, col: int, holds_value: bool) -> None:
        """A cell at (row, col), both from 0; the column moves on past it."""
        if not (0 <= row < self.limits.max_rows and 0 <= col < self.limits.max_cols):
            self._out_of_range(f"{column_name(col + 1)}{row + 1}")
        if holds_value:
            self._extent(row + 1, col + 1)
        self.col = col + 1

    def _r(self, attrs: bytes) -> bytes | None:
        """The value of the attribute named exactly ``r`` (as the parser matches it), or None."""
        value, pos = None, 0
        for pair in _ATTR_PAIR.finditer(attrs):
            if pair.start() != pos:
                break
            pos = pair.end()
            if pair.group(1) == b"r":
                if value is not None:
                    self._refuse("guard.not_xlsx")  # two r: which one a parser takes is unclear
                value = pair.group(2) if pair.group(2) is not None else pair.group(3)
        if attrs[pos:].strip():
            self._refuse("guard.not_xlsx")  # attributes the parser may read otherwise
        return value


def _column(letters: bytes) -> int:
    """b"A" → 1, b"iv" → 256 (letters as in a reference, either case)."""
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - 64
    return column


def column_name(index: int) -> str:
    """1 → A, 256 → IV, 16384 → XFD."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
