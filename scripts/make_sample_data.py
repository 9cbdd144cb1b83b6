"""Regenerate the SYNTHETIC sample inputs under data/inputs/ (deterministic, seeded).

    .venv/bin/python scripts/make_sample_data.py

The 2019 district data are shaped to tell the story of the 2020 article: TX Cửa Lò
ranks 14/21, pulled down by late dossiers (domain 3) and unmet PAR plan criteria
(domain 1). The script checks that story with the engine and refuses to write
data that does not tell it. The commune level (xa) of data/units.csv is Nghệ An's official
list since 1/7/2025 (119 xã, 11 phường, from the `vietnam-provinces` registry via
par.read.registry), with Phường Cửa Lò as `p-cua-lo`; the script refuses any other.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from par import get_lagging, load_criteria, read_units, score  # noqa: E402
from par.domain.periods import Period, parse_period  # noqa: E402
from par.read.inputs import check_inputs  # noqa: E402
from par.read.registry import official_units, registry_version  # noqa: E402
from par.read.tabular import RawTable  # noqa: E402
from par.sample.synthetic import generate  # noqa: E402

OUT = ROOT / "data" / "inputs"
# Latent quality of the 21 districts, best first (illustrative, not a published ranking).
DISTRICT_ORDER = ["vinh", "dien-chau", "nghi-loc", "hoang-mai", "yen-thanh", "quynh-luu",
                  "do-luong", "nam-dan", "thai-hoa", "hung-nguyen", "thanh-chuong", "anh-son",
                  "nghia-dan", "tan-ky", "quy-hop", "con-cuong", "quy-chau", "que-phong",
                  "tuong-duong", "ky-son"]
CUA_LO_TARGET = 14
PROVINCE = "Nghệ An"
HEADER_NOTE = "# DỮ LIỆU MÔ PHỎNG (synthetic) — không phải số liệu thật của đơn vị nào"


def _quality(order: list[str], top: float = 1.0, bottom: float = 0.62) -> pd.Series:
    return pd.Series(np.linspace(top, bottom, len(order)), index=order)


def _score(criteria, units, rows: pd.DataFrame):
    frame = rows.astype(object).copy()
    frame["_row"] = range(2, len(frame) + 2)
    parsed, issues = check_inputs([RawTable(frame, "generated")], criteria, units)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise SystemExit("generated data invalid:\n" + "\n".join(i.render("en") for i in errors[:20]))
    return score(criteria, units, parsed)


def cua_lo_story(criteria) -> dict:
    """Late dossiers and PAR plan criteria not met, as the appraisal found them."""
    return {
        "3.3.1": {("appraisal", "numerator"): "1668", ("appraisal", "denominator"): "1893"},
        "3.3.2": {("appraisal", "numerator"): "2317", ("appraisal", "denominator"): "2561"},
        "3.3.3": {("appraisal", "numerator"): "225", ("appraisal", "denominator"): "1893"},
        "3.3.4": {("appraisal", "numerator"): "97", ("appraisal", "denominator"): "225"},
        "1.1.1": {("appraisal", "value"): "không"},
        "1.1.2": {("appraisal", "numerator"): "14", ("appraisal", "denominator"): "21"},
        "1.2.3": {("appraisal", "value"): "không"},
        "1.6": {("appraisal", "numerator"): "17", ("appraisal", "denominator"): "23"},
    }


def make_districts(criteria, units) -> pd.DataFrame:
    periods = [Period(2019, q) for q in (1, 2, 3, 4)] + [Period(2019, 5)]
    story = {"cua-lo": cua_lo_story(criteria)}
    # Cửa Lò's quality: the middle of the grid values that land it at 14/21 with its story
    # applied, so the rank does not hang on a hair's breadth.

    def attempt(q_cua_lo: float):
        quality = pd.concat([_quality(DISTRICT_ORDER), pd.Series({"cua-lo": q_cua_lo})])
        rows = generate(criteria, quality, periods, appraisal=True, seed=2019, overrides=story)
        card = _score(criteria, units, rows)
        return rows, card, int(card.units.at["cua-lo", "rank"])

    hits = [q for q in np.linspace(0.5, 1.0, 51) if attempt(q)[2] == CUA_LO_TARGET]
    if not hits:
        raise SystemExit(f"could not place Cửa Lò at {CUA_LO_TARGET}/21")
    rows, card, rank = attempt(hits[len(hits) // 2])
    lagging = get_lagging(card, "cua-lo")["criterion"].head(8).tolist()
    print(f"Cửa Lò: {rank}/{int(card.units.at['cua-lo', 'of'])}, index "
          f"{card.units.at['cua-lo', 'index']:.2f}; top lagging {lagging}")
    return rows


def check_communes(units) -> None:
    """The xa level is exactly the province's official communes and wards (ids kept, names and
    groups as the registry has them), and Phường Cửa Lò is there for the sample story."""
    official = official_units(PROVINCE, known=units)
    xa = units[units["level"] == "xa"]
    ours = set(zip(xa["id"], xa["name"], xa["group"]))
    theirs = set(zip(official["id"], official["name"], official["group"]))
    if ours != theirs:
        raise SystemExit(f"data/units.csv level xa is not {PROVINCE}'s official list "
                         f"({registry_version()}): only in units.csv {sorted(ours - theirs)[:5]}, "
                         f"only in the registry {sorted(theirs - ours)[:5]}")
    if ("p-cua-lo", "Phường Cửa Lò", "phuong") not in ours:
        raise SystemExit("Phường Cửa Lò (p-cua-lo) is missing from the commune level")
    groups = xa["group"].value_counts()
    print(f"communes: {len(xa)} official ({groups.get('xa', 0)} xã, "
          f"{groups.get('phuong', 0)} phường) from {registry_version()}")


def make_level(criteria, units, level: str, periods: list[Period], seed: int) -> pd.DataFrame:
    ids = units.index[units["level"] == level]
    rng = np.random.default_rng(seed)
    quality = pd.Series(np.clip(rng.beta(5, 2, len(ids)), 0.3, 0.97), index=ids)
    return generate(criteria, quality, periods, appraisal=False, seed=seed)


def write(rows: pd.DataFrame, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    rows.to_csv(path, index=False, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}: {len(rows)} rows")


def main() -> None:
    units = read_units(ROOT / "data" / "units.csv")
    huyen = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
    rows = make_districts(huyen, units)
    write(rows[rows["stage"] == "self"], "huyen-2019-self.csv")
    write(rows[rows["stage"] == "appraisal"], "huyen-2019-appraisal.csv")
    check_communes(units)
    xa = load_criteria(ROOT / "criteria" / "nghe-an-xa-2025.yaml")
    write(make_level(xa, units, "xa", [parse_period("2025-Q3"), parse_period("2025-Q4")], 2025),
          "xa-2025-self.csv")
    so = load_criteria(ROOT / "criteria" / "nghe-an-so-2025.yaml")
    write(make_level(so, units, "so", [parse_period("2025-Q2"), parse_period("2025-Q3")], 2026),
          "so-2025-self.csv")


if __name__ == "__main__":
    main()
