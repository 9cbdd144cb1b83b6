"""What changed between two criteria sets (par.engine.diff) and the trends page's sentence."""
from __future__ import annotations

from pathlib import Path

import pytest

from par.analysis.trends import compare_sets, describe_method_change, method_changes
from par.domain.issues import ParError
from par.engine.criteria import check_criteria_text
from par.engine.diff import diff_sets

ROOT = Path(__file__).resolve().parents[2]
Y2019 = (ROOT / "criteria" / "nghe-an-huyen-2019.yaml").read_text(encoding="utf-8")


def _load(text: str, name: str):
    criteria, issues = check_criteria_text(text, name)
    if criteria is None:
        raise ParError(issues)
    return criteria


def _next_year(text: str) -> str:
    """The 2019 set made into a 2020 one: 1.1.1 renamed, 1.2.1's max 0.5 → 0.75, 1.2.4 removed,
    1.2.5 added (0.25, so 1.2 still adds up), 1.1.2's bands changed (from 70% → from 60%)."""
    edits = [
        ("id: nghe-an-huyen-2019", "id: nghe-an-huyen-2020"),
        ("year: 2019", "year: 2020"),
        ("name: Ban hành kế hoạch CCHC năm kịp thời, đúng quy định",
         "name: Ban hành kế hoạch CCHC năm đúng thời hạn"),
        ("{above: 90, points: 1.5}, {min: 70, points: 1}]", "{above: 90, points: 1.5}, {min: 60, points: 1}]"),
        ("""          - code: "1.2.1"
            name: Báo cáo CCHC quý I đầy đủ, đúng thời hạn
            name_en: Q1 PAR report complete and on time
            max: 0.5""", """          - code: "1.2.1"
            name: Báo cáo CCHC quý I đầy đủ, đúng thời hạn
            name_en: Q1 PAR report complete and on time
            max: 0.75"""),
        ("""          - code: "1.2.4"
            name: Báo cáo CCHC năm đầy đủ, đúng thời hạn
            name_en: Annual PAR report complete and on time
            max: 0.5
            rule: {type: yes_no}""", """          - code: "1.2.5"
            name: Báo cáo chuyên đề về cải cách TTHC
            max: 0.25
            rule: {type: yes_no}"""),
    ]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def years():
    return _load(Y2019, "2019.yaml"), _load(_next_year(Y2019), "2020.yaml")


def test_the_same_set_has_no_differences(years):
    a, _ = years
    diff = diff_sets(a, _load(Y2019, "again.yaml"))
    assert diff.empty and diff.counts() == {} and diff.method_changes == ()


def test_two_years_say_what_changed(years):
    a, b = years
    diff = diff_sets(a, b)
    found = {(c.kind, c.code, c.field) for c in diff.changes}
    assert found == {("header", None, "id"), ("header", None, "year"),
                     ("renamed", "1.1.1", "name"), ("rule", "1.1.2", "bands"),
                     ("max", "1.2.1", "max"), ("removed", "1.2.4", None),
                     ("added", "1.2.5", None)}
    (bands,) = diff.of_kind("rule")
    assert bands.old[-1] == {"min": 70, "points": 1} and bands.new[-1] == {"min": 60, "points": 1}
    (mx,) = diff.of_kind("max")
    assert (mx.old, mx.new) == (0.5, 0.75)
    (renamed,) = diff.of_kind("renamed")
    assert renamed.new == "Ban hành kế hoạch CCHC năm đúng thời hạn"
    assert diff.of_kind("added")[0].new == 0.25 and diff.of_kind("removed")[0].old == 0.5
    # listed in a fixed order: added, removed, renamed, max, rule, then the header
    assert [c.kind for c in diff.changes] == ["added", "removed", "renamed", "max", "rule",
                                              "header", "header"]
    assert len(diff.method_changes) == 5  # id and year are not a change of method
    json_ready = diff.to_dict()
    assert json_ready["counts"] == {"added": 1, "removed": 1, "renamed": 1, "max": 1, "rule": 1,
                                    "header": 2}


def test_renumbered_moved_kind_and_rule_type():
    base = """id: t\ntitle: T\nyear: 2025\nlevel: xa\ndomains:
  - code: "1"
    name: Một
    max: 3
    children:
      - {code: "1.1", name: Kế hoạch, max: 1, rule: {type: yes_no}}
      - {code: "1.2", name: Báo cáo, max: 2, rule: {type: count, per_item: 0.5}}
  - {code: "B", name: Thưởng, max: 1, kind: bonus, rule: {type: points}}
"""
    changed = base.replace('{code: "1.1", name: Kế hoạch', '{code: "1.3", name: Kế hoạch') \
        .replace("rule: {type: count, per_item: 0.5}", "rule: {type: count, per_item: 1}") \
        .replace("kind: bonus, rule: {type: points}", "kind: penalty, rule: {type: yes_no}")
    diff = diff_sets(_load(base, "a"), _load(changed, "b"))
    found = {(c.kind, c.code, c.field, c.old, c.new) for c in diff.changes}
    assert found == {("recoded", "1.3", None, "1.1", "1.3"),
                     ("rule", "1.2", "per_item", 0.5, 1), ("rule", "B", "type", "points", "yes_no"),
                     ("kind", "B", "kind", "bonus", "penalty")}
    moved = base.replace('''      - {code: "1.2", name: Báo cáo, max: 2, rule: {type: count, per_item: 0.5}}
  - {code: "B"''', '''  - code: "2"
    name: Hai
    max: 2
    children:
      - {code: "1.2", name: Báo cáo, max: 2, rule: {type: count, per_item: 0.5}}
  - {code: "B"''').replace("max: 3", "max: 1", 1)
    diff = diff_sets(_load(base, "a"), _load(moved, "b"))
    assert {(c.kind, c.code, c.old, c.new) for c in diff.changes} == {
        ("added", "2", None, 2), ("max", "1", 3, 1), ("moved", "1.2", "1", "2")}


def test_the_trends_sentence_is_short_and_names_the_codes(years):
    a, b = years
    (row,) = method_changes([b, a])
    assert row[:4] == (2019, 2020, "nghe-an-huyen-2019", "nghe-an-huyen-2020")
    assert [r[:4] for r in method_changes([a, b])] == compare_sets([a, b])
    en = describe_method_change(row[4], "en")
    assert en == ("What changed in the criteria: 1 added (1.2.5); 1 removed (1.2.4); "
                  "1 renamed (1.1.1); 1 max changed (1.2.1); 1 rules changed (1.1.2).")
    assert describe_method_change(row[4], "vi").startswith("Thay đổi về tiêu chí: thêm 1 (1.2.5)")
    same_method = diff_sets(a, _load(Y2019.replace("year: 2019", "year: 2020"), "c"))
    assert describe_method_change(same_method, "en").startswith("The criteria and their scoring")
