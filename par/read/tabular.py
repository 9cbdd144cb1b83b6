"""Read a CSV file or the first sheet of an .xlsx into a frame of text cells.

Every cell becomes a trimmed, NFC-normalised string (empty for a blank), so the
checks downstream see one representation whatever the source, and each row
keeps the number a person sees in their editor or in Excel.
"""
from __future__ import annotations

import csv as _csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError
from par.read.values import DATE_MARK


@dataclass
class RawTable:
    frame: pd.DataFrame  # text cells, one column per header name; `_row` = source row number
    file: str
    sheet: str | None = None  # None for CSV
    letters: dict[str, str] = field(default_factory=dict)  # column → Excel letter

    def cell(self, column: str, row: int) -> str:
        """How a person finds the cell: "D7" in a workbook, the column name in a CSV."""
        if self.sheet is not None and column in self.letters:
            return f"{self.letters[column]}{row}"
        return column


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def normalise_header(name: object) -> str:
    return unicodedata.normalize("NFC", str(name)).lstrip("\ufeff").strip().lower()


def cell_text(value: object) -> str:
    """One workbook cell as text; numbers as a person would type them (2019, not 2019.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return DATE_MARK + str(value)  # so checks can say "a date where a number belongs"
    return str(value)


def categorize(values) -> pd.Categorical:
    """Text cells as a Categorical of trimmed NFC strings, cleaning each distinct value once.

    Checks downstream work on the few distinct values and map back by code, so a
    million-row table costs about as much as its distinct cells.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return _recategorize(np.asarray(codes), list(uniques))


def _recategorize(codes: np.ndarray, uniques: list) -> pd.Categorical:
    """Codes into ``uniques`` as a Categorical of the cleaned (trimmed NFC) distinct values."""
    clean = [unicodedata.normalize("NFC", str(u)).strip() if u is not None else ""
             for u in uniques]
    if clean != uniques or len(set(clean)) != len(clean):  # cleaning changed or merged some
        codes2, uniques2 = pd.factorize(pd.Series(clean, dtype=object), use_na_sentinel=False)
        codes, clean = np.asarray(codes2)[codes] if len(codes) else codes, list(uniques2)
    return pd.Categorical.from_codes(codes, categories=pd.Index(clean, dtype=object),
                                     validate=False)


# Blocks of 4 MB: few enough chunks to unify cheaply, enough to parse on every core.
_CSV_BLOCK = 4 << 20
MAX_CELL = 32_767  # characters in one cell, as in Excel: a longer CSV cell is refused


def read_csv(source: str | Path | BinaryIO, name: str | None = None) -> RawTable:
    """Every cell as text; pyarrow's reader, as pandas' is 5x slower on national-scale files.

    The fast path lets pyarrow read the file itself and check UTF-8 and the cell counts
    while it parses; only a file it refuses is read again for the exact diagnosis
    (``_csv_problems``).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    name = name or str(source)
    if isinstance(source, (str, Path)):
        first, data = _first_line(source, name), None
    else:
        data = _source_bytes(source, name).removeprefix(_BOM)
        first = data.split(b"\n", 1)[0]
    header = _csv_header(first, lambda: data if data is not None else _source_bytes(source, name),
                         name)
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            str(source) if data is None else io.BytesIO(data),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=_CSV_BLOCK),
            # Blank lines stay rows (skipped later), so row numbers match the editor's.
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        data = data if data is not None else _source_bytes(source, name).removeprefix(_BOM)
        raise ParError(_csv_problems(data, len(header), name, exc)) from None
    columns, too_long = {}, []
    for i, col in enumerate(header):
        codes, uniques = _dictionary_codes(table.column(i))
        long = [k for k, u in enumerate(uniques) if len(u) > MAX_CELL] \
            if uniques and max(map(len, uniques)) > MAX_CELL else []
        if long:
            row = int(np.flatnonzero(np.isin(codes, long))[0]) + 2
            too_long.append(Issue("file.cell_too_long", {"limit": MAX_CELL}, file=name, row=row,
                                  cell=col))
        columns[col if col not in columns else f"{col}#{i}"] = _recategorize(codes, uniques)
    if too_long:
        raise ParError(sorted(too_long, key=lambda issue: issue.row))
    columns["_row"] = np.arange(2, table.num_rows + 2)
    frame = pd.DataFrame(columns, copy=False)
    frame.columns = [c.split("#")[0] for c in frame.columns]  # duplicates are reported later
    return RawTable(frame, name)


_BOM = b"\xef\xbb\xbf"


def _source_bytes(source: str | Path | BinaryIO, name: str) -> bytes:
    try:
        data = Path(source).read_bytes() if isinstance(source, (str, Path)) else source.read()
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=name)]) from None
    except OSError as exc:
        raise ParError([Issue("file.unreadable", {"detail": exc.strerror}, file=name)]) from None
    return data.encode("utf-8") if isinstance(data, str) else data


def _first_line(path: str | Path, name: str) -> bytes:
    """The header line of a CSV file (without its BOM), read without reading the rest."""
    try:
        with open(path, "rb") as f:
            return f.readline().removeprefix(_BOM)
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=name)]) from None
    except OSError as exc:
        raise ParError([Issue("file.unreadable", {"detail": exc.strerror}, file=name)]) from None


def _csv_header(first: bytes, whole, name: str) -> list[str]:
    """The normalised header names; a file that is not UTF-8 or has no header says so.

    ``whole()`` gives the whole file, read only when the header is empty: a file that is
    not UTF-8 is reported as such before it is reported empty.
    """
    try:
        text = first.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
        if not text.strip():
            whole().decode("utf-8")
    except UnicodeDecodeError:
        raise ParError([Issue("file.not_utf8", file=name)]) from None
    if not text.strip():
        raise ParError([Issue("file.empty", file=name)])
    fields = next(_csv.reader([text]))
    if len(fields) == 1 and ";" in fields[0]:  # Excel's "CSV" where the list separator is ";"
        raise ParError([Issue("file.semicolon", file=name, row=1)])
    return [normalise_header(h) for h in fields]


def _csv_problems(data: bytes, width: int, name: str, exc: Exception) -> list[Issue]:
    """Why pyarrow refused the file: not UTF-8, rows of the wrong width, a cell too long for
    a block (or for Excel), or else pyarrow's own message."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return [Issue("file.not_utf8", file=name)]
    return _ragged_rows(data, width, name) or [
        Issue("file.unreadable", {"detail": str(exc).strip()[:300]}, file=name)]


def _dictionary_codes(column) -> tuple[np.ndarray, list]:
    """(codes, distinct values) of a dictionary-encoded pyarrow column, whatever its chunks."""
    column = column.unify_dictionaries()
    if column.num_chunks == 0:
        return np.zeros(0, dtype=np.int8), []
    uniques = column.chunk(0).dictionary.to_pylist()
    dtype = np.int8 if len(uniques) < 127 else np.int16 if len(uniques) < 32767 else np.int32
    parts = [chunk.indices.to_numpy(zero_copy_only=False) for chunk in column.chunks]
    # straight into the Categorical's code type, no int32 copy in between
    return np.concatenate(parts, dtype=dtype, casting="unsafe"), uniques


def _ragged_rows(data: bytes, width: int, name: str) -> list[Issue]:
    """The slow, exact pass, only for a malformed file: which rows have the wrong cell count
    or a cell longer than MAX_CELL (the csv module stops at its own field limit, 128 KB)."""
    reader = _csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    issues, n = [], 1
    try:
        next(reader, None)
        for n, cells in enumerate(reader, start=2):
            if cells and len(cells) != width:
                issues.append(Issue("file.ragged_row", {"count": len(cells), "expected": width},
                                    file=name, row=n))
            if any(len(cell) > MAX_CELL for cell in cells):
                issues.append(Issue("file.cell_too_long", {"limit": MAX_CELL}, file=name, row=n))
    except _csv.Error as exc:  # the record after the last one read
        if "field limit" not in str(exc):
            raise ParError(issues + [Issue("file.unreadable", {"detail": str(exc)[:300]},
                                           file=name, row=n + 1)]) from None
        issues.append(Issue("file.cell_too_long", {"limit": MAX_CELL}, file=name, row=n + 1))
    return issues


def read_xlsx_first_sheet(source: str | Path | BinaryIO, name: str | None = None) -> RawTable:
    from python_calamine import CalamineWorkbook

    name = name or str(source)
    try:
        if isinstance(source, (str, Path)):
            data = Path(source).read_bytes()
        else:
            data = source.read()
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = book.sheet_names[0]
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=name)]) from None
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise ParError([Issue("file.bad_xlsx", {"detail": str(exc).strip()[:200]}, file=name)]) from None
    if not rows:
        raise ParError([Issue("file.empty", file=name, sheet=sheet_name)])
    header = [normalise_header(c) for c in rows[0]]
    body = [[cell_text(v) for v in r] for r in rows[1:]]
    width = len(header)
    frame = pd.DataFrame({i: categorize([r[i] if i < len(r) else "" for r in body])
                          for i in range(width)})
    frame.columns = header
    frame["_row"] = np.arange(2, len(frame) + 2)
    letters = {h: column_letter(i) for i, h in enumerate(header)}
    return RawTable(frame, name, sheet=sheet_name, letters=letters)


def read_table(path: str | Path) -> RawTable:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx_first_sheet(path)
    raise ParError([Issue("file.bad_type", {"suffix": suffix or "?"}, file=str(path))])


def check_header(table: RawTable, required: list[str], known: list[str],
                 aliases: dict[str, str] | None = None) -> list[Issue]:
    """Rename aliases in place; report missing, repeated and unknown columns."""
    aliases = aliases or {}
    renamed = [aliases.get(c, c) for c in table.frame.columns]
    issues = []
    seen = set()
    for col in renamed:
        if col in seen and col != "_row":
            issues.append(Issue("file.duplicate_column", {"column": col}, file=table.file,
                                sheet=table.sheet, row=1 if table.sheet is None else None,
                                cell=table.letters.get(col, "") + "1" if table.sheet else None))
        seen.add(col)
    table.letters = {aliases.get(k, k): v for k, v in table.letters.items()}
    table.frame.columns = renamed
    missing = [c for c in required if c not in seen]
    if missing:
        issues.append(Issue("file.missing_columns", {"columns": ", ".join(missing),
                                                     "expected": ", ".join(known)},
                            file=table.file, sheet=table.sheet, row=1))
    for col in renamed:
        if col not in known and col != "_row" and col != "":
            issues.append(Issue("file.unknown_column", {"column": col}, file=table.file,
                                sheet=table.sheet, row=1, severity="warning"))
    return issues
