"""Units: data/units.csv or a units sheet (CONTRACT §2).

Unit names are matched through ``name_key``: NFC, trimmed, and the two Vietnamese tone
placements made one (par.domain.text.fold_tone), so "Thị xã Thái Hoà" and "Thị xã Thái
Hòa" are the same unit, in a units table (a duplicate) and in an input file's unit column
(``unit_lookup``).
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from par.domain.issues import Issue, ParError, errors_only
from par.domain.models import Unit
from par.domain.text import fold_tone
from par.read.tabular import RawTable, check_header, read_table

UNIT_COLUMNS = ["id", "name", "level", "group"]
UNIT_ALIASES = {"mã": "id", "mã đơn vị": "id", "tên": "name", "tên đơn vị": "name",
                "cấp": "level", "nhóm": "group"}


def name_key(name) -> str:
    """A unit name as compared: NFC, trimmed, old-style tone marks (hoà, thuỷ) as new (hòa,
    thủy)."""
    return fold_tone(str(name)).strip()


def unit_lookup(units: pd.DataFrame) -> dict[str, str]:
    """What an input file may write in its unit column → the unit id: the id itself (NFC,
    trimmed), or the name in either tone placement (``name_key``)."""
    lookup = {name_key(n): i for i, n in zip(units["id"], units["name"])}
    lookup.update({unicodedata.normalize("NFC", str(i)).strip(): i for i in units["id"]})
    return lookup


def find_unit(units: pd.DataFrame, text: str) -> str | None:
    """The id of the unit ``text`` names (its id, or its name in either tone placement)."""
    lookup = unit_lookup(units)
    return lookup.get(unicodedata.normalize("NFC", str(text)).strip()) or lookup.get(
        name_key(text))


def check_units_table(table: RawTable) -> tuple[pd.DataFrame | None, list[Issue]]:
    issues = check_header(table, ["id", "name", "level"], UNIT_COLUMNS, UNIT_ALIASES)
    if errors_only(issues):
        return None, issues
    frame = table.frame
    if "group" not in frame:
        frame["group"] = ""
    for col in ("id", "name", "level"):
        for row in frame.loc[frame[col] == "", "_row"]:
            issues.append(Issue("units.empty_cell", {"column": col}, file=table.file,
                                sheet=table.sheet, row=int(row), cell=table.cell(col, int(row))))
    for key in ("id", "name"):
        # names compare in one tone placement: "Thái Hoà" and "Thái Hòa" are one name
        compared = frame[key].map(name_key) if key == "name" else frame[key]
        dup = frame[key].ne("") & compared.duplicated(keep=False)
        first = frame.loc[dup, "_row"].groupby(compared[dup]).transform("min")
        for row, value, first_row in zip(frame.loc[dup, "_row"], frame.loc[dup, key], first):
            if row != first_row:
                issues.append(Issue("units.duplicate", {"column": key, "value": value,
                                                        "first_row": int(first_row)},
                                    file=table.file, sheet=table.sheet, row=int(row),
                                    cell=table.cell(key, int(row))))
    if errors_only(issues):
        return None, issues
    # Plain object columns: a blank group is None, not NaN or "".
    units = pd.DataFrame({c: pd.Series(frame[c].astype(object).to_numpy(), dtype=object)
                          for c in UNIT_COLUMNS})
    units["group"] = pd.Series(np.where(units["group"] == "", None, units["group"]), dtype=object)
    return units.set_index("id", drop=False).rename_axis(None), issues


def read_units(path: str | Path) -> pd.DataFrame:
    """Units indexed by id with columns id, name, level, group (None when blank)."""
    units, issues = check_units_table(read_table(path))
    if units is None:
        raise ParError(issues)
    return units


def units_of_level(units: pd.DataFrame, level: str) -> pd.DataFrame:
    return units[units["level"] == level]


def as_units(units: pd.DataFrame) -> list[Unit]:
    return [Unit(r.id, r.name, r.level, r.group) for r in units.itertuples(index=False)]
