"""The official units registry (vietnam-provinces, par.read.registry): a province's communes,
wards and special zones since 1/7/2025 as a units table with stable ids."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from par.domain.issues import ParError
from par.read.registry import (
    COLUMNS,
    ascii_slug,
    find_province,
    official_units,
    provinces,
)
from par.read.units import read_units

ROOT = Path(__file__).resolve().parents[2]


def test_the_registry_has_the_country_after_1_7_2025():
    from vietnam_provinces import Ward

    assert len(provinces()) == 34
    assert sum(1 for _ in Ward.iter_all()) == 3321


def test_nghe_an_has_130_units_119_communes_and_11_wards():
    units = official_units("Nghệ An")
    assert list(units.columns) == COLUMNS and units.index.equals(pd.Index(units["id"]))
    assert len(units) == 130 and units["id"].is_unique
    assert units["group"].value_counts().to_dict() == {"xa": 119, "phuong": 11}
    assert set(units["level"]) == {"xa"}
    assert units["official_code"].str.fullmatch(r"\d{5}").all() and units["official_code"].is_unique
    assert units.loc["p-cua-lo", ["name", "group", "official_code"]].tolist() == [
        "Phường Cửa Lò", "phuong", "16732"]
    assert units.loc["x-kim-lien", "name"] == "Xã Kim Liên"
    assert units["id"].str.fullmatch(r"[a-z0-9-]+").all()


def test_a_second_province_with_special_zones():
    units = official_units("Quảng Ninh")
    assert len(units) == 54
    assert units["group"].value_counts().to_dict() == {"phuong": 30, "xa": 22, "dac-khu": 2}
    assert units.loc["dk-van-don", "name"] == "Đặc khu Vân Đồn"
    hai_phong = official_units("TP Hai Phong")  # a city, no diacritics, a short prefix
    assert len(hai_phong) == 114 and (hai_phong["group"] == "phuong").sum() == 45


@pytest.mark.parametrize("name", ["Nghệ An", "nghe an", "Tỉnh Nghệ An", "  NGHỆ AN ", "40",
                                  "tinh nghe an"])
def test_province_names_with_or_without_diacritics_and_prefix(name):
    assert find_province(name).name == "Nghệ An"


def test_cities_by_name_with_or_without_thanh_pho():
    assert find_province("Thành phố Hồ Chí Minh").name == find_province("Ho Chi Minh").name
    assert find_province("Huế").name == "Thành phố Huế"


def test_an_unknown_province_is_a_located_error_with_close_matches():
    with pytest.raises(ParError) as caught:
        official_units("Nghệ Ann")
    (issue,) = caught.value.issues
    assert issue.code == "units.unknown_province" and issue.file == "--province"
    assert issue.params["matches"].startswith("Nghệ An")
    assert issue.render("en").startswith("--province: no province or city 'Nghệ Ann'")
    with pytest.raises(ParError) as caught:
        official_units("Hà Tây")  # merged long ago: still some suggestions
    assert caught.value.issues[0].params["matches"]


def test_the_sample_units_keep_their_ids_and_are_the_official_list():
    sample = read_units(ROOT / "data" / "units.csv")
    official = official_units("Nghệ An", known=sample)
    xa = sample[sample["level"] == "xa"]
    assert set(zip(xa["id"], xa["name"], xa["group"])) == set(
        zip(official["id"], official["name"], official["group"]))


def test_ids_stay_stable_across_renames_by_official_code():
    first = official_units("Nghệ An")
    renamed = first.copy()
    renamed.loc["p-cua-lo", "name"] = "Phường Cửa Lò Cũ"  # as stored before a rename
    renamed.loc["p-cua-lo", "id"] = "ward-7"
    again = official_units("Nghệ An", known=renamed.set_index("id", drop=False))
    assert again.loc["ward-7", "name"] == "Phường Cửa Lò" and "p-cua-lo" not in again.index
    # a coded unit of another province with the same name is not taken by name
    other = pd.DataFrame([{"id": "x-elsewhere", "name": "Xã Kim Liên", "level": "xa",
                           "group": "xa", "official_code": "99999"}])
    assert "x-kim-lien" in official_units("Nghệ An", known=other).index


def test_slugs_that_fold_together_get_their_code():
    units = official_units("Quảng Ngãi")  # Xã Sơn Hà and Xã Sơn Hạ
    son = units[units["name"].isin(["Xã Sơn Hà", "Xã Sơn Hạ"])]
    assert len(son) == 2 and son["id"].is_unique
    assert all(i == f"x-son-ha-{c}" for i, c in zip(son["id"], son["official_code"]))
    assert units["id"].is_unique


def test_ascii_slug():
    assert ascii_slug("Phường Cửa Lò") == "phuong-cua-lo"
    assert ascii_slug("Đặc khu Bạch Long Vĩ") == "dac-khu-bach-long-vi"
