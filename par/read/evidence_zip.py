"""Word files (.docx) offered as evidence, checked by their raw bytes before they are stored.

par never opens an evidence file, but whoever downloads it does, in Word. So ``check_docx``
reads the zip itself, as ``par.read.guard`` does for workbooks, with every size bounded,
and returns the first reason to refuse (empty: it may be stored). In order:

  size → OLE2 container (a password-protected or legacy .doc file) → zip magic →
  central directory (entry count, declared uncompressed total, per-entry ratio) →
  part names (a macro project, a macro-enabled embedded file) → the required parts
  ([Content_Types].xml, word/document.xml) → every part, inflated here in chunks with the
  actual output counted against what the directory declares and a budget for the whole
  file (a lying header is a bomb), its CRC checked, and in every XML part: an encoding
  this byte scan can follow, no DTD (<!DOCTYPE, <!ENTITY …: XXE and billion laughs), no
  macro-enabled content type in [Content_Types].xml, and in relationship parts (*.rels)
  no target that makes Word reach out on its own: a UNC or file://host path (it would
  hand the reader's Windows credentials to that host), a remote template, picture, frame
  or OLE object (template injection, "Follina"), a link with a program's own scheme.

The scans are wider than the parsers they stand for (any case, any part): they may refuse
a strange file, never accept a dangerous one. Memory stays within a few chunks; time is
linear in the inflated size, which is capped by ``Limits.max_uncompressed``.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import PurePosixPath
from xml.parsers import expat

from par.domain.issues import Issue
from par.read.guard import MB, Limits, inflate_entry

CHUNK = 64 * 1024  # inflate and scan this much at a time (tests shrink it to probe chunk edges)
RATIO_FLOOR = 1 * MB  # compression ratios are judged only for entries at least this big
MAX_RELS = 8 * MB  # a relationship part larger than this is not one Word wrote

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CENTRAL_DIR_MAGIC = b"PK\x01\x02"
CONTENT_TYPES = "[content_types].xml"
REQUIRED_PARTS = (CONTENT_TYPES, "word/document.xml")
XML_SUFFIXES = (".xml", ".rels", ".vml", ".svg")
MACRO_PARTS = {"vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml"}
MACRO_SUFFIXES = {".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb", ".pptm", ".potm",
                  ".ppsm", ".ppam", ".sldm"}
LABEL = "DOCX"

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_MACRO_TYPE = re.compile(rb"macroEnabled|vbaProject", re.IGNORECASE)
_OVERLAP = len(b"<!NOTATION")  # a marker cut by a chunk edge is still seen
_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
# Encodings in which "<", "!" and letters are their ASCII bytes (the scan reads bytes).
_ASCII_SAFE = re.compile(r"utf-?8|(us-)?ascii|iso-?8859-\d+|latin-?\d|(windows|cp)-?12\d\d")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# A hyperlink is followed only when the reader clicks it, and then by the program its scheme
# names: ordinary schemes only. Every other relationship type (a template, a picture, a frame,
# an OLE object …) may be fetched by Word on its own: no remote target at all.
_LINK_TYPES = {"hyperlink"}
_LINK_SCHEMES = {"http", "https", "mailto", "ftp", "tel", "file"}


class _Refused(Exception):
    def __init__(self, issue: Issue):
        super().__init__(issue.code)
        self.issue = issue


def check_docx(data: bytes, name: str, limits: Limits | None = None) -> list[Issue]:
    """Issues that make ``data`` unfit to store as a Word evidence file; [] when it may be
    stored. Never raises, whatever the bytes: anything unexpected is a refusal."""
    name = str(name or "")
    try:
        limits = limits or Limits.from_env()
        _check(data, name, limits)
    except _Refused as refused:
        return [refused.issue]
    except Exception:  # noqa: BLE001 - a file the checks cannot follow is not stored
        return [Issue("evidence.broken", {"kind": LABEL}, file=name)]
    return []


def _check(data: bytes, name: str, limits: Limits) -> None:
    size = memoryview(data).nbytes
    if size > limits.max_bytes:
        raise _Refused(Issue("evidence.too_big", {"size_mb": round(size / MB, 1),
                                                  "limit_mb": round(limits.max_bytes / MB, 1)},
                             file=name))
    raw = data if isinstance(data, bytes) else memoryview(data).tobytes()
    if raw[:8] == OLE2_MAGIC:
        raise _Refused(Issue("evidence.encrypted", file=name))
    if raw[:4] != ZIP_MAGIC:
        raise _Refused(Issue("evidence.not_what_it_says", {"kind": LABEL}, file=name))
    # Each central-directory record starts with this signature: refuse before zipfile
    # builds thousands of ZipInfo objects.
    if raw.count(CENTRAL_DIR_MAGIC) > limits.max_entries:
        raise _too_many(name, limits)
    try:
        infos = zipfile.ZipFile(BytesIO(raw)).infolist()
    except Exception:  # noqa: BLE001 - BadZipFile, but also struct/Unicode/Overflow errors
        raise _broken(name) from None
    if len(infos) > limits.max_entries:
        raise _too_many(name, limits)
    if sum(info.file_size for info in infos) > limits.max_uncompressed:
        raise _zip_bomb(name, limits)
    for info in infos:
        if info.file_size >= RATIO_FLOOR and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _zip_bomb(name, limits)
    names = {info.filename.lower() for info in infos}
    for part in names:
        path = PurePosixPath(part)
        if path.name in MACRO_PARTS or path.suffix in MACRO_SUFFIXES:
            raise _Refused(Issue("evidence.macro", file=name))
    if not all(part in names for part in REQUIRED_PARTS):
        raise _Refused(Issue("evidence.not_what_it_says", {"kind": LABEL}, file=name))
    # [Content_Types].xml first: a macro-enabled content type is the clearest reason to give.
    infos.sort(key=lambda info: info.filename.lower() != CONTENT_TYPES)
    budget = limits.max_uncompressed
    for info in infos:
        part = info.filename
        low = part.lower()
        scanner = None
        if low.endswith(XML_SUFFIXES) or low == CONTENT_TYPES:
            scanner = _XmlScan(part, name, macro_types=low == CONTENT_TYPES,
                               relationships=low.endswith(".rels"))
        produced = 0
        for chunk in _inflate(raw, info, budget, name, limits):
            produced += len(chunk)
            if scanner is not None:
                scanner.feed(chunk)
        if scanner is not None:
            scanner.close()
        budget -= produced


def _too_many(name: str, limits: Limits) -> _Refused:
    return _Refused(Issue("evidence.too_many_parts", {"limit": limits.max_entries}, file=name))


def _zip_bomb(name: str, limits: Limits) -> _Refused:
    return _Refused(Issue("evidence.zip_bomb", {"limit_mb": round(limits.max_uncompressed / MB, 1)},
                          file=name))


def _broken(name: str) -> _Refused:
    return _Refused(Issue("evidence.broken", {"kind": LABEL}, file=name))


def _inflate(raw: bytes, info: zipfile.ZipInfo, budget: int, name: str,
             limits: Limits) -> Iterator[bytes]:
    """The entry's bytes in chunks, the actual output counted (par.read.guard's reading, with
    Word's messages)."""
    return inflate_entry(raw, info, budget, broken=_broken(name), bomb=_zip_bomb(name, limits))


class _XmlScan:
    """Feed one XML part's bytes in chunks; raises _Refused at the first reason to refuse."""

    def __init__(self, part: str, file: str, macro_types: bool, relationships: bool):
        self.part, self.file = part, file
        self.macro_types = macro_types
        self.head = b""  # the first bytes, held until the encoding is checked
        self.started = False
        self.tail = b""
        self.rels = _Relationships(part, file) if relationships else None
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self.head += chunk
            if len(self.head) < 1024:
                return
            chunk, self.head = self.head, b""
            self._start(chunk)
        self._scan(chunk)

    def close(self) -> None:
        if not self.started:
            chunk, self.head = self.head, b""
            self._start(chunk)
            self._scan(chunk)
        if self.rels is not None:
            self.rels.close()

    def _start(self, head: bytes) -> None:
        """Only encodings in which the markers are ASCII bytes: Word writes UTF-8."""
        self.started = True
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
            raise _broken(self.file)  # UTF-16/32: "<!DOCTYPE" would not be its ASCII bytes
        text = head[3:] if head[:3] == b"\xef\xbb\xbf" else head
        declared = _DECL_ENCODING.match(text.lstrip())
        if declared:
            encoding = declared.group(1).decode("ascii", "replace").strip().lower().replace("_", "-")
            if not _ASCII_SAFE.fullmatch(encoding):
                raise _broken(self.file)  # e.g. UTF-7 spells "<" as "+ADw-"

    def _scan(self, chunk: bytes) -> None:
        if not chunk:
            return
        window = self.tail + chunk
        if _DTD.search(window):
            raise _Refused(Issue("evidence.dtd", {"part": self.part}, file=self.file))
        if self.macro_types and _MACRO_TYPE.search(window):
            raise _Refused(Issue("evidence.macro", file=self.file))
        self.tail = window[-_OVERLAP:]
        if self.rels is not None:
            self.size += len(chunk)
            if self.size > MAX_RELS:
                raise _broken(self.file)
            self.rels.feed(chunk)


class _Relationships:
    """The targets of a relationship part, read by expat event by event (no tree is kept;
    the part was scanned for DTDs first and expat is told to refuse one anyway)."""

    def __init__(self, part: str, file: str):
        self.part, self.file = part, file
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.found: Issue | None = None

    def feed(self, chunk: bytes) -> None:
        self._parse(chunk, False)

    def close(self) -> None:
        self._parse(b"", True)

    def _parse(self, chunk: bytes, final: bool) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError:
            raise _broken(self.file) from None
        if self.found is not None:
            raise _Refused(self.found)

    def _doctype(self, *args) -> None:
        self.found = self.found or Issue("evidence.dtd", {"part": self.part}, file=self.file)

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.found is not None or tag.rsplit(":", 1)[-1] != "Relationship":
            return
        # Attribute names by their local part, values as expat decoded them (&#92; is "\").
        values: dict[str, str] = {}
        for key, value in attrs.items():
            values.setdefault(key.rsplit(":", 1)[-1].lower(), value)
        target = values.get("target", "")
        external = values.get("targetmode", "").strip().lower() == "external"
        kind = values.get("type", "").rstrip("/").rsplit("/", 1)[-1].lower()
        if reaches_out(target, external, kind):
            self.found = Issue("evidence.external_link", {"part": self.part, "target": target},
                               file=self.file)


def reaches_out(target: str, external: bool, kind: str) -> bool:
    """Whether a relationship to ``target`` makes Word (or whoever opens the file) contact
    another machine or run another program: a UNC or file://host path in any relationship;
    any non-local target of a relationship Word fetches on its own (a template, a picture,
    a frame, an OLE object …); a link whose scheme is not an ordinary web, mail or file one."""
    text = target.strip().lower().replace("\\", "/")
    if is_unc(text):
        return True
    if not external:
        return False
    scheme = _SCHEME.match(text)
    scheme = scheme.group(1) if scheme and len(scheme.group(1)) > 1 else None  # "c:" is a drive
    if kind in _LINK_TYPES:
        return scheme is not None and scheme not in _LINK_SCHEMES
    return scheme is not None and scheme != "file"


def is_unc(text: str) -> bool:
    """A Windows network path, in any spelling (``text`` lower case, "/" for "\\"):
    //host/share, file://host/share, file:////host/share, //?/unc/…"""
    text = text.strip()
    if text.startswith("file:"):
        rest = text[5:]
        if rest.startswith("//"):
            authority, _, path = rest[2:].partition("/")
            if authority not in ("", "localhost"):
                return True
            text = "/" + path
        else:
            text = rest
    return text.startswith("//")
