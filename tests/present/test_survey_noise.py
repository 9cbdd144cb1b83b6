"""The "Xếp hạng và sai số khảo sát" table and sentences (par.present.surveys) from
``survey_rank_interval``'s frame: numbers stay numbers, pairs within the noise named."""
from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import plain

from par.decide.survey_bootstrap import SBOOT_COLUMNS
from par.present.surveys import (
    noise_pairs,
    noise_sentence,
    rank_noise_table,
    unit_noise_line,
)


def _intervals(flips=(np.nan, 0.23, 0.01, 0.12)) -> pd.DataFrame:
    """Four ranked units a..d (best first) and an unranked e, as survey_rank_interval gives."""
    out = pd.DataFrame({
        "name": ["Xã An", "Xã *Bình*", "Xã Cát", "Xã Dương", "Xã Êm"],
        "rank": pd.array([1, 2, 3, 4, pd.NA], dtype="Int64"),
        "of": pd.array([4, 4, 4, 4, pd.NA], dtype="Int64"),
        "low": pd.array([1, 1, 2, 3, pd.NA], dtype="Int64"),
        "high": pd.array([2, 3, 4, 4, pd.NA], dtype="Int64"),
        "above": [pd.NA, "a", "b", "c", pd.NA],
        "flip_share": list(flips) + [np.nan],
        "label": ["1/4 (1–2)", "2/4 (1–3)", "3/4 (2–4)", "4/4 (3–4)", "–"],
    }, index=pd.Index(["a", "b", "c", "d", "e"]))
    out.attrs.update(replicates=200, seed=0, forms=["ld"], replaced=8)
    return out[SBOOT_COLUMNS]


def test_the_table_keeps_numbers_and_reads_as_ranks_intervals_and_percents():
    table = rank_noise_table(_intervals(), "vi")
    frame = table.frame
    assert list(frame.columns) == ["Đơn vị", "Hạng", "Khoảng hạng (95%)", "Đơn vị xếp ngay trên",
                                   "Tỉ lệ đảo thứ tự"]
    assert list(frame.index) == ["a", "b", "c", "d"]  # the unranked unit is left out
    assert frame["Hạng"].dtype.kind == "i" and frame["Khoảng hạng (95%)"].dtype.kind == "i"
    assert frame["Tỉ lệ đảo thứ tự"].dtype == float
    text = table.text()
    assert text["Hạng"].tolist() == ["1/4", "2/4", "3/4", "4/4"]
    assert text["Khoảng hạng (95%)"].tolist() == ["1–2", "1–3", "2–4", "3–4"]
    assert text["Đơn vị xếp ngay trên"].tolist() == ["", "Xã An", "Xã *Bình*", "Xã Cát"]
    assert text["Tỉ lệ đảo thứ tự"].tolist() == ["–", "23,0%", "1,0%", "12,0%"]
    english = rank_noise_table(_intervals(), "en").text()
    assert english["Order flips"].tolist()[1] == "23.0%"


def test_pairs_within_the_noise_are_those_flipping_in_at_least_five_percent():
    pairs = noise_pairs(_intervals())
    assert pairs[["upper", "lower"]].values.tolist() == [["Xã An", "Xã *Bình*"],
                                                         ["Xã Cát", "Xã Dương"]]
    assert pairs["share"].tolist() == [0.23, 0.12]
    assert noise_pairs(_intervals((np.nan, 0.05, 0.049, 0.0)))["lower"].tolist() == [
        "Xã *Bình*"]  # 5% counts, just under does not


def test_one_pair_reads_as_the_brief_sentence_with_names_escaped():
    text = noise_sentence(_intervals((np.nan, 0.23, 0.0, 0.01)), "vi")
    assert "\\*Bình\\*" in text  # a name is shown as typed, never as markdown
    assert plain(text) == ("Thứ tự giữa Xã An và Xã *Bình* nằm trong sai số của khảo sát "
                           "(đảo trong 23% số lần mô phỏng).")


def test_several_pairs_in_one_sentence_most_flipped_first_and_the_rest_counted():
    text = plain(noise_sentence(_intervals(), "vi"))
    assert text.startswith("Thứ tự giữa các cặp đơn vị sau nằm trong sai số của khảo sát")
    assert text.index("Xã An và Xã *Bình* (23%)") < text.index("Xã Cát và Xã Dương (12%)")
    assert "Xã *Bình* và Xã Cát" not in text  # 1% is not within the noise
    limited = plain(noise_sentence(_intervals(), "vi", limit=1))
    assert "Xã Cát và Xã Dương" not in limited and "Và 1 cặp khác" in limited
    assert "flips in at least 5%" in noise_sentence(_intervals(), "en")


def test_no_pair_within_the_noise_says_so():
    text = noise_sentence(_intervals((np.nan, 0.0, 0.01, 0.04)), "vi")
    assert "Không có cặp đơn vị liền kề nào" in text and "5%" in text


def test_the_unit_line_gives_its_interval_and_the_flip_with_the_unit_above():
    got = _intervals()
    line = plain(unit_noise_line(got, "b", "vi"))
    assert "2/4, khoảng 1–3" in line and "200 lần mô phỏng, hạt giống 0" in line
    assert "Thứ tự với Xã An (xếp ngay trên) đảo trong 23% số lần" in line
    first = unit_noise_line(got, "a", "vi")
    assert "1/4, khoảng 1–2" in first and "đảo" not in first  # nobody above the first
    assert unit_noise_line(got, "e", "vi") is None  # unranked
    assert unit_noise_line(got, "zz", "vi") is None
