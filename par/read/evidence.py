"""Evidence files (tài liệu kiểm chứng) checked before they are stored.

par never parses an evidence file: it stores it (with its SHA-256) and hands it back as a
download. The checks keep what is stored to what the round accepts (WORKFLOW §2: pdf, docx,
xlsx, png, jpg) and refuse what could hurt whoever opens it: the upload size cap, a content
that is not what its name says, workbooks through the full .xlsx guard, Word files through
the same zip checks (entries, sizes, ratios, macros, DTDs), images whose header claims a
decompression bomb.
"""
from __future__ import annotations

from pathlib import PurePath

from par.domain.issues import Issue
from par.read.guard import MB, Limits, check_xlsx

ALLOWED = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".png": "png", ".jpg": "jpeg",
           ".jpeg": "jpeg"}
MAGIC = {"pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",),
         "png": (b"\x89PNG\r\n\x1a\n",), "jpeg": (b"\xff\xd8\xff",)}
MAX_PIXELS = 50_000_000


def kind_of(name: str) -> str | None:
    return ALLOWED.get(PurePath(str(name)).suffix.lower())


def check_evidence(data: bytes, name: str, limits: Limits | None = None) -> list[Issue]:
    """Reasons to refuse ``data`` as an evidence file named ``name`` ([]: it may be stored).
    Never raises."""
    name = str(name or "")
    try:
        limits = limits or Limits.from_env()
        return _check(data, name, limits)
    except Exception:  # noqa: BLE001 - a file the checks cannot follow is not stored
        return [Issue("evidence.unreadable", {}, file=name)]


def _check(data: bytes, name: str, limits: Limits) -> list[Issue]:
    size = memoryview(data).nbytes
    if size > limits.max_bytes:
        return [Issue("guard.too_big", {"size_mb": round(size / MB, 1),
                                        "limit_mb": round(limits.max_bytes / MB, 1)}, file=name)]
    kind = kind_of(name)
    if kind is None:
        return [Issue("evidence.bad_type", {"allowed": "pdf, docx, xlsx, png, jpg"}, file=name)]
    if size == 0:
        return [Issue("evidence.empty", {}, file=name)]
    head = bytes(data[:16])
    if not any(head.startswith(m) for m in MAGIC[kind]):
        return [Issue("evidence.not_what_it_says", {"kind": kind}, file=name)]
    if kind == "xlsx":
        return check_xlsx(data, name, limits)
    if kind == "docx":
        from par.read.evidence_zip import check_docx

        return check_docx(data, name, limits)
    if kind in ("png", "jpeg"):
        from par.read.evidence_image import image_size

        found = image_size(bytes(data), kind)
        if found is None:
            return [Issue("evidence.not_what_it_says", {"kind": kind}, file=name)]
        width, height = found
        if width * height > MAX_PIXELS:
            return [Issue("evidence.image_too_large", {"width": width, "height": height},
                          file=name)]
    return []
