"""Official commune-level units from the ``vietnam-provinces`` registry.

The package (pinned in requirements.txt) holds the 34 provinces and the 3,321 communes
(xã), wards (phường) and special zones (đặc khu) in force since 1/7/2025, with their
official codes. ``official_units("Nghệ An")`` turns one province's list into a units
table: ``id, name, level ("xa"), group ("xa" | "phuong" | "dac-khu"), official_code``.

Ids are stable: a unit already known (``known``, e.g. the database's units) keeps its id
when its official code matches, even after a rename, and the units of data/units.csv keep
theirs by name. Other units get ``x-``/``p-``/``dk-`` + their name without diacritics
(``p-cua-lo``); names that fold to the same slug in one province get their code appended.
"""
from __future__ import annotations

import difflib
import re
import unicodedata

import pandas as pd

from par.domain.issues import Issue, ParError
from par.read.units import UNIT_COLUMNS, name_key

LEVEL = "xa"
COLUMNS = UNIT_COLUMNS + ["official_code"]
# division type (as the package writes it) → (unit group, id prefix, name prefix)
GROUPS = {"xã": ("xa", "x", "Xã "), "phường": ("phuong", "p", "Phường "),
          "đặc khu": ("dac-khu", "dk", "Đặc khu ")}
_PROVINCE_PREFIXES = ("thanh pho ", "tinh ", "tp. ", "tp ")


def registry_version() -> str:
    """'vietnam-provinces 2025.10.1 (data 2025-10-18)'."""
    import vietnam_provinces as vp

    return f"vietnam-provinces {vp.__version__} (data {vp.__data_version__})"


def ascii_slug(text: str) -> str:
    """'Phường Cửa Lò' → 'phuong-cua-lo': no diacritics, lower case, [a-z0-9-]."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _province_key(text: str) -> str:
    key = ascii_slug(text).replace("-", " ")
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def provinces() -> list:
    """The 34 provinces and centrally governed cities, by official code."""
    from vietnam_provinces import Province

    return sorted(Province.iter_all(), key=lambda p: int(p.code))


def find_province(name: str):
    """The province ``name`` means: its official name or code, with or without diacritics
    and "Tỉnh" / "Thành phố"; otherwise a ParError naming the closest provinces."""
    every = provinces()
    text = str(name).strip()
    by_key = {_province_key(p.name): p for p in every}
    if text.isdigit() and int(text) in {int(p.code) for p in every}:
        return next(p for p in every if int(p.code) == int(text))
    found = by_key.get(_province_key(text))
    if found is not None:
        return found
    keys = list(by_key)
    close = difflib.get_close_matches(_province_key(text), keys, n=3, cutoff=0.5) or \
        difflib.get_close_matches(_province_key(text), keys, n=3, cutoff=0)
    raise ParError([Issue("units.unknown_province",
                          {"province": text, "matches": ", ".join(by_key[k].name for k in close),
                           "count": len(every)}, file="--province")])


def official_units(province: str, known: pd.DataFrame | None = None) -> pd.DataFrame:
    """One province's communes, wards and special zones as a units table (COLUMNS), indexed
    by id, in official-code order. ``known`` (id, name, level and optionally official_code)
    supplies the ids to keep: matched by official code first, then by name."""
    from vietnam_provinces import Ward

    found = find_province(province)
    wards = sorted(Ward.iter_by_province(found.code), key=lambda w: int(w.code))
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    taken: set[str] = set()
    if known is not None and len(known):
        taken = set(known["id"])
        same_level = known[known["level"] == LEVEL]
        if "official_code" in same_level:
            by_code = {str(c): i for c, i in zip(same_level["official_code"], same_level["id"])
                       if c is not None and not pd.isna(c) and str(c)}
            uncoded = same_level[same_level["official_code"].map(
                lambda c: c is None or pd.isna(c) or not str(c))]
        else:
            uncoded = same_level
        # by name only units stored without a code (a units table): a coded unit of another
        # province with the same name is not this one
        by_name = {name_key(n): i for n, i in zip(uncoded["name"], uncoded["id"])}
    rows = []
    for w in wards:
        group, prefix, name_prefix = GROUPS[w.division_type.value]
        code = f"{int(w.code):05d}"
        bare = w.name[len(name_prefix):] if w.name.startswith(name_prefix) else w.name
        kept = by_code.get(code) or by_name.get(name_key(w.name))
        rows.append(dict(id=kept, name=w.name, level=LEVEL, group=group, official_code=code,
                         slug=f"{prefix}-{ascii_slug(bare)}"))
    kept_ids = {r["id"] for r in rows if r["id"]}
    fresh = [r for r in rows if not r["id"]]
    counts = pd.Series([r["slug"] for r in fresh], dtype=object).value_counts()
    for r in fresh:
        clash = counts.get(r["slug"], 0) > 1 or r["slug"] in taken or r["slug"] in kept_ids
        r["id"] = f"{r['slug']}-{r['official_code']}" if clash else r["slug"]
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    return frame.set_index("id", drop=False).rename_axis(None)


def province_name(province: str) -> str:
    """The official name of the province ``province`` means ("nghe an" → "Nghệ An")."""
    return find_province(province).name
