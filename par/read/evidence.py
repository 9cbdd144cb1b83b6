"""Evidence files (tài liệu kiểm chứng) checked before they are stored.

par never parses an evidence file: it stores it (with its SHA-256) and hands it back as a
download. The checks keep what is stored to what the round accepts (WORKFLOW §2: pdf, docx,
xlsx, png, jpg) and refuse what could hurt whoever opens it, or cost the server: the upload
size cap, macro-enabled and legacy Office names, a content that is not what its name says
(with the right name when the content is another accepted kind), workbooks through the full
.xlsx guard (``par.read.guard``), Word files through the same zip reading
(``par.read.evidence_zip``: entries, sizes, ratios, macros, DTDs, links that reach out),
images whose header is broken or claims a decompression bomb (``par.read.evidence_image``,
header only). A PDF is taken on its "%PDF-" magic and the size cap: it is not parsed.

Every refusal is one issue located by the file name; the function never raises.
"""
from __future__ import annotations

from pathlib import PurePath

from par.domain.issues import Issue
from par.read.evidence_image import PNG_SIGNATURE, image_size
from par.read.evidence_zip import OLE2_MAGIC, ZIP_MAGIC, check_docx
from par.read.guard import MB, Limits, check_xlsx

ALLOWED = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".png": "png", ".jpg": "jpeg",
           ".jpeg": "jpeg"}
ALLOWED_TEXT = "pdf, docx, xlsx, png, jpg"
LABELS = {"pdf": "PDF", "docx": "DOCX", "xlsx": "XLSX", "png": "PNG", "jpeg": "JPG"}
SUFFIXES = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "png": ".png", "jpeg": ".jpg"}
MAGIC = {"pdf": (b"%PDF-",), "docx": (ZIP_MAGIC,), "xlsx": (ZIP_MAGIC,),
         "png": (PNG_SIGNATURE,), "jpeg": (b"\xff\xd8\xff",)}
MACRO_SUFFIXES = {".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb", ".pptm", ".potm",
                  ".ppsm", ".ppam", ".sldm"}
OLD_OFFICE = {".doc": ".docx", ".dot": ".docx", ".xls": ".xlsx", ".xlt": ".xlsx"}
MAX_PIXELS = 50_000_000  # a 50-megapixel photo or a page scanned at 600 dpi passes


def kind_of(name: str) -> str | None:
    return ALLOWED.get(PurePath(str(name)).suffix.lower())


def check_evidence(data: bytes, name: str, limits: Limits | None = None) -> list[Issue]:
    """Reasons to refuse ``data`` as an evidence file named ``name`` ([]: it may be stored):
    at most one issue, located by ``file=name``. Never raises."""
    name = str(name or "")
    try:
        limits = limits or Limits.from_env()
        return _check(data, name, limits)
    except Exception:  # noqa: BLE001 - a file the checks cannot follow is not stored
        return [Issue("evidence.unreadable", {}, file=name)]


def _check(data: bytes, name: str, limits: Limits) -> list[Issue]:
    size = memoryview(data).nbytes
    if size > limits.max_bytes:
        return [Issue("evidence.too_big", {"size_mb": round(size / MB, 1),
                                           "limit_mb": round(limits.max_bytes / MB, 1)}, file=name)]
    suffix = PurePath(name).suffix.lower()
    if suffix in MACRO_SUFFIXES:
        return [Issue("evidence.macro", file=name)]
    if suffix in OLD_OFFICE:
        return [Issue("evidence.old_format", {"suffix": suffix, "new": OLD_OFFICE[suffix]},
                      file=name)]
    kind = ALLOWED.get(suffix)
    if kind is None:
        return [Issue("evidence.bad_type", {"suffix": suffix or "?", "allowed": ALLOWED_TEXT},
                      file=name)]
    if size == 0:
        return [Issue("evidence.empty", {}, file=name)]
    raw = data if isinstance(data, bytes) else memoryview(data).tobytes()
    if not raw.startswith(MAGIC[kind]):
        if kind == "docx" and raw.startswith(OLE2_MAGIC):
            return [Issue("evidence.encrypted", file=name)]
        if kind == "xlsx" and raw.startswith(OLE2_MAGIC):
            return check_xlsx(raw, name, limits)  # guard.encrypted, in Excel's words
        return [_misnamed(raw, kind, suffix, name)]
    if kind == "docx":
        issues = check_docx(raw, name, limits)
        if _codes(issues) == ["evidence.not_what_it_says"] and b"xl/workbook.xml" in raw:
            return [_renamed("xlsx", suffix, name)]
        return issues
    if kind == "xlsx":
        issues = check_xlsx(raw, name, limits)
        if _codes(issues) == ["guard.not_xlsx"] and b"word/document.xml" in raw:
            return [_renamed("docx", suffix, name)]
        return issues
    if kind in ("png", "jpeg"):
        found = image_size(raw, kind)
        if found is None:
            return [Issue("evidence.broken", {"kind": LABELS[kind]}, file=name)]
        width, height = found
        if width * height > MAX_PIXELS:
            return [Issue("evidence.image_too_large", {"width": width, "height": height,
                                                       "limit_mp": MAX_PIXELS // 1_000_000},
                          file=name)]
    return []  # a PDF: the magic and the size cap are all that is checked


def sniff(raw: bytes) -> str | None:
    """The accepted kind the content is, by its first bytes (a zip: by the part a Word
    document or a workbook must have); None for anything else."""
    for kind in ("pdf", "png", "jpeg"):
        if raw.startswith(MAGIC[kind]):
            return kind
    if raw.startswith(ZIP_MAGIC):
        if b"word/document.xml" in raw:
            return "docx"
        if b"xl/workbook.xml" in raw:
            return "xlsx"
    return None


def _misnamed(raw: bytes, kind: str, suffix: str, name: str) -> Issue:
    actual = sniff(raw)
    if actual is not None and actual != kind:
        return _renamed(actual, suffix, name)
    return Issue("evidence.not_what_it_says", {"kind": LABELS[kind]}, file=name)


def _renamed(actual: str, suffix: str, name: str) -> Issue:
    return Issue("evidence.renamed", {"actual": LABELS[actual], "suffix": suffix,
                                      "expected": SUFFIXES[actual]}, file=name)


def _codes(issues: list[Issue]) -> list[str]:
    return [issue.code for issue in issues]
