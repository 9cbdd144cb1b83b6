"""Byte-identical files for identical inputs: fixed zip entry times, fixed PDF dates.

Office files are zip archives whose entries carry the time they were written, and
Chromium stamps every PDF with the time it printed it; the CLI and the dashboard would
otherwise never produce the same bytes. These helpers rewrite only those stamps.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FIXED_TIME = dt.datetime(2000, 1, 1)  # the documents' created/modified time when no date is given
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) ?\(D:[0-9]{14}[^)]*\)")


def fixed_zip(data: bytes) -> bytes:
    """The same archive, entries in the same order, every entry time set to ZIP_TIME."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def pdf_date(when: dt.datetime | dt.date | None = None) -> bytes:
    """``D:YYYYMMDDHHMMSS+00'00'`` for ``when`` (FIXED_TIME when None)."""
    when = when or FIXED_TIME
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    return when.strftime("D:%Y%m%d%H%M%S+00'00'").encode("ascii")


def fixed_pdf(data: bytes, when: dt.datetime | dt.date | None = None) -> bytes:
    """The PDF with its CreationDate/ModDate set to ``when``.

    The replacement has exactly the length of the original stamp (Chromium writes
    ``D:YYYYMMDDHHMMSS+00'00'``), so the cross-reference offsets stay valid; a stamp of
    another length is left alone rather than corrupting the file.
    """
    stamp = pdf_date(when)

    def replace(m: re.Match) -> bytes:
        old = m.group(0)
        new = old[: old.index(b"(") + 1] + stamp + b")"
        return new if len(new) == len(old) else old

    return _PDF_DATE.sub(replace, data)
