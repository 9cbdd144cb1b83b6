"""Read a CSV file or the first sheet of an .xlsx into a frame of text cells.

Every cell becomes a trimmed, NFC-normalised string (empty for a blank), so the
checks downstream see one representation whatever the source, and each row
keeps the number a person sees in their editor or in Excel.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from par.issues import Issue, ParError
from par.values import DATE_MARK


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
    return unicodedata.normalize("NFC", str(name)).strip().lower()


def _text(value: object) -> str:
    """One cell as text; numbers as a person would type them (2019, not 2019.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return DATE_MARK + str(value)  # marked so checks can say "a date where a number belongs"
    return unicodedata.normalize("NFC", str(value)).strip()


def _nfc_strip(series: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    clean = [unicodedata.normalize("NFC", str(u)).strip() for u in uniques]
    return pd.Series(np.array(clean, dtype=object)[codes] if len(clean) else [], index=series.index,
                     dtype=object)


def read_csv(source: str | Path | BinaryIO, name: str | None = None) -> RawTable:
    name = name or str(source)
    try:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, na_filter=False,
                            encoding="utf-8-sig", skip_blank_lines=False)
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=name)]) from None
    except UnicodeDecodeError:
        raise ParError([Issue("file.not_utf8", file=name)]) from None
    except pd.errors.EmptyDataError:
        raise ParError([Issue("file.empty", file=name)]) from None
    except (pd.errors.ParserError, OSError, ValueError) as exc:
        raise ParError([Issue("file.unreadable", {"detail": str(exc).strip()}, file=name)]) from None
    frame.columns = [normalise_header(c) for c in frame.columns]
    frame = frame.apply(_nfc_strip) if len(frame) else frame.astype(object)
    frame["_row"] = range(2, len(frame) + 2)
    return RawTable(frame, name)


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
    body = [[_text(v) for v in r] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame["_row"] = range(2, len(frame) + 2)
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
