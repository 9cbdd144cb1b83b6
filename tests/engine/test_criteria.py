"""Criteria sets (CONTRACT §1): loading and validation."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import HEADER, build_criteria, criteria_issues, yaml_text

from par import ParError, check_criteria, load_criteria
from par.domain.issues import errors_only

ROOT = Path(__file__).resolve().parents[2]


def problems(body: str, header: str = HEADER) -> list[tuple[str, str | None]]:
    """Sorted (issue.code, issue.node) of the errors; asserts nothing was loaded."""
    criteria, issues = criteria_issues(body, header)
    assert criteria is None
    return sorted((i.code, i.node) for i in errors_only(issues))


VALID = """
    max_total: 20
    scale: 10
    bands:
      - {min: 80, label: B}
      - {min: 90, label: A}
      - {min: 0, label: C}
    ranking: {ties: dense}
    domains:
      - code: "1"
        name: Chỉ đạo điều hành
        name_en: Direction
        max: 12
        children:
          - code: "1.1"
            name: Kế hoạch
            max: 5
            children:
              - {code: "1.1.1", name: Ban hành, max: 2, rule: {type: yes_no}}
              - {code: "1.1.2", name: Hoàn thành, max: 3, rule: {type: ratio, bands: [{min: 70, points: 1}, {above: 90, points: 3}]}}
          - {code: "1.2", name: Báo cáo, max: 7, rule: {type: points, aggregate: mean}}
      - code: "2"
        name: Khảo sát
        max: 8
        rule: {type: survey}
      - {code: "T", name: Thưởng, max: 2, kind: bonus, rule: {type: count, per_item: 0.5}}
      - {code: "P", name: Trừ điểm, max: 3, kind: penalty, rule: {type: count, per_item: 1}}
    """


def test_valid_set_with_depth_three_bonus_and_penalty(write):
    path = write("set.yaml", yaml_text(VALID))
    c = load_criteria(path)
    assert (c.id, c.year, c.level, c.scale, c.max_total, c.ties) == ("t", 2025, "xa", 10, 20, "dense")
    assert list(c.nodes) == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "T", "P"]
    assert [leaf.code for leaf in c.leaves] == ["1.1.1", "1.1.2", "1.2", "2", "T", "P"]
    assert c.parent_of["1.1.1"] == "1.1" and c.parent_of["1.1"] == "1" and c.parent_of["1"] is None
    assert c.domain_of["1.1.2"] == "1"
    assert [d.kind for d in c.domains] == ["regular", "regular", "bonus", "penalty"]
    assert c.regular_max == 20  # 12 + 8; bonus and penalty are not part of the max
    assert c.nodes["1"].display_name("en") == "Direction"
    assert c.nodes["1.1"].display_name("en") == "Kế hoạch"  # no name_en: falls back
    # defaults per type: ratio → sum, points declared mean, survey without bands → linear
    assert c.nodes["1.1.2"].rule.aggregate == "sum"
    assert c.nodes["1.2"].rule.aggregate == "mean"
    assert c.nodes["2"].rule.aggregate == "last" and c.nodes["2"].rule.linear
    # bands are evaluated in descending order of the bound, whatever the file order
    assert [(b.bound, b.strict) for b in c.nodes["1.1.2"].rule.bands] == [(90, True), (70, False)]
    assert [b.label for b in c.bands] == ["A", "B", "C"]
    assert c.sha256 and len(c.sha256) == 64 and c.source == str(path)


def test_defaults_scale_and_ties():
    c = build_criteria('domains:\n  - {code: "1", name: A, max: 5, rule: {type: yes_no}}')
    assert (c.scale, c.ties, c.max_total, c.bands) == (100.0, "min", None, ())


def test_bundled_criteria_sets_are_valid():
    files = sorted((ROOT / "criteria").glob("*.yaml"))
    assert files
    for path in files:
        criteria, issues = check_criteria(path)
        assert criteria is not None, (path, [(i.code, i.node, i.params) for i in issues])
        assert not errors_only(issues)


def test_unquoted_decimal_codes_stay_text():
    c = build_criteria("""
        domains:
          - code: 1
            name: A
            max: 3
            children:
              - {code: 1.10, name: a, max: 1, rule: {type: yes_no}}
              - {code: 1.1, name: b, max: 1, rule: {type: yes_no}}
              - code: 1.20
                name: c
                max: 1
                rule: {type: yes_no}
        """)
    # YAML alone would make 1.10 == 1.1 (a duplicate) and 1.20 → "1.2"
    assert list(c.nodes) == ["1", "1.10", "1.1", "1.20"]
    assert all(isinstance(code, str) for code in c.nodes)


def test_option_labels_yes_no_stay_text():
    c = build_criteria("""
        domains:
          - {code: "1", name: A, max: 2, rule: {type: choice, options: {yes: 1, no: 0, Một phần: 0.5}}}
        """)
    assert c.nodes["1"].rule.options == {"yes": 1.0, "no": 0.0, "Một phần": 0.5}


def test_four_distinct_problems_are_all_reported_with_their_node():
    body = """
        max_total: 30
        domains:
          - code: "1"
            name: A
            max: 10
            children:
              - {code: "1.1", name: a, max: 4, rule: {type: yes_no}}
              - {code: "1.2", name: b, max: 5, rule: {type: yes_no}}
          - code: "2"
            name: B
            max: 10
            children:
              - {code: "2.1", name: a, max: 10, rule: {type: yes_no, aggregate: sum}}
          - code: "3"
            name: C
            max: 10
            children:
              - {code: "1.1", name: a, max: 5, rule: {type: yes_no}}
              - {code: "3.2", name: b, max: 5, rule: {type: ratio, linear: true, bands: [{min: 1, points: 1}]}}
        """
    assert problems(body) == [
        ("criteria.aggregate", "2.1"),
        ("criteria.children_sum", "1"),  # 4 + 5 ≠ 10
        ("criteria.duplicate_code", "1.1"),
        ("criteria.ratio_bands_or_linear", "3.2"),
    ]
    _, issues = criteria_issues(body)
    dup = next(i for i in issues if i.code == "criteria.duplicate_code")
    assert dup.file == "t.yaml" and dup.line == 22 and dup.params["first_line"] == 11


def test_sum_checks_still_run_next_to_an_invalid_leaf():
    body = """
        max_total: 50
        domains:
          - code: "1"
            name: A
            max: 10
            children:
              - {code: "1.1", name: a, max: 4, rule: {type: yes_no, aggregate: sum}}
              - {code: "1.2", name: b, max: 5, rule: {type: yes_no}}
        """
    assert problems(body) == [("criteria.aggregate", "1.1"), ("criteria.children_sum", "1"),
                              ("criteria.max_total", None)]


def test_children_max_sum_mismatch_deep_in_the_tree():
    body = """
        domains:
          - code: "1"
            name: A
            max: 3
            children:
              - code: "1.1"
                name: a
                max: 3
                children:
                  - {code: "1.1.1", name: x, max: 1, rule: {type: yes_no}}
                  - {code: "1.1.2", name: y, max: 1.5, rule: {type: yes_no}}
        """
    assert problems(body) == [("criteria.children_sum", "1.1")]
    _, issues = criteria_issues(body)
    assert issues[0].params == {"total": "2.5", "max": "3"}


def test_children_sum_tolerates_float_rounding():
    # 0.1 + 0.2 = 0.30000000000000004, within the 1e-9 tolerance
    build_criteria("""
        domains:
          - code: "1"
            name: A
            max: 0.3
            children:
              - {code: "1.1", name: a, max: 0.1, rule: {type: yes_no}}
              - {code: "1.2", name: b, max: 0.2, rule: {type: yes_no}}
        """)


def test_max_total_mismatch_counts_only_regular_domains():
    body = """
        max_total: {total}
        domains:
          - {{code: "1", name: A, max: 6, rule: {{type: yes_no}}}}
          - {{code: "2", name: B, max: 4, rule: {{type: points}}}}
          - {{code: "T", name: T, max: 5, kind: bonus, rule: {{type: points}}}}
        """
    build_criteria(body.format(total=10))  # 6 + 4; the bonus 5 does not count
    assert problems(body.format(total=15)) == [("criteria.max_total", None)]
    _, issues = criteria_issues(body.format(total=15))
    assert issues[0].params == {"total": "10", "max_total": "15"}


def test_band_points_over_max():
    assert problems("""
        domains:
          - code: "1"
            name: A
            max: 2
            children:
              - {code: "1.1", name: a, max: 1, rule: {type: count, bands: [{min: 5, points: 1.5}, {min: 1, points: 1}]}}
              - {code: "1.2", name: b, max: 1, rule: {type: survey, bands: [{min: 90, points: 1}]}}
        """) == [("criteria.band_points_over_max", "1.1")]


@pytest.mark.parametrize("rule, code", [
    ("{type: yes_no, aggregate: sum}", "criteria.aggregate"),
    ("{type: choice, aggregate: mean, options: {A: 1}}", "criteria.aggregate"),
    ("{type: ratio, aggregate: mean, linear: true}", "criteria.aggregate"),
    ("{type: ratio, aggregate: max, linear: true}", "criteria.aggregate"),
    ("{type: points, aggregate: median}", "criteria.aggregate"),
    ("{type: ratio, linear: true, bands: [{min: 50, points: 1}]}", "criteria.ratio_bands_or_linear"),
    ("{type: ratio}", "criteria.ratio_bands_or_linear"),
    ("{type: count}", "criteria.count_bands_or_per_item"),
    ("{type: count, per_item: 1, bands: [{min: 1, points: 1}]}", "criteria.count_bands_or_per_item"),
    ("{type: survey, linear: true, bands: [{min: 50, points: 1}]}", "criteria.survey_bands_or_linear"),
    ("{type: yes_no, per_item: 1}", "criteria.param_not_for_type"),
    ("{type: count, per_item: 0}", "criteria.not_positive"),
    ("{type: count, per_item: nhiều}", "criteria.not_a_number"),
    ("{type: deduction}", "criteria.missing_key"),
    ("{type: choice}", "criteria.options_missing"),
    ("{type: choice, options: {A: 1.5}}", "criteria.option_fraction"),
    ("{type: survey, linear: yes please}", "criteria.not_a_bool"),
    ("{type: ratio, linear: true, direction: down}", "criteria.direction"),
    ("{type: ratio, linear: true, when_empty: skip}", "criteria.when_empty"),
    ("{type: percentage}", "criteria.rule_type"),
    ("{type: count, bands: [{min: 1, above: 2, points: 1}]}", "criteria.band_bound"),
    ("{type: count, bands: [{min: x, points: 1}]}", "criteria.not_a_number"),
    ("{type: count, bands: [{min: 1, points: -1}]}", "criteria.band_points_negative"),
    ("{type: count, bands: []}", "criteria.bands_not_list"),
    ("yes_no", "criteria.rule_not_mapping"),
])
def test_bad_rule_is_reported_on_its_leaf(rule, code):
    assert problems(f"""
        domains:
          - code: "1"
            name: A
            max: 4
            children:
              - {{code: "1.1", name: ok, max: 2, rule: {{type: yes_no}}}}
              - {{code: "1.2", name: bad, max: 2, rule: {rule}}}
        """) == [(code, "1.2")]


@pytest.mark.parametrize("node, code", [
    ('{code: "1.2", name: b, max: 2, rule: {type: yes_no}, children: [{code: "1.2.1", name: x, max: 2, rule: {type: yes_no}}]}',
     "criteria.children_or_rule"),
    ('{code: "1.2", name: b, max: 2}', "criteria.children_or_rule"),
    ('{code: "1.2", name: b, max: 2, children: []}', "criteria.children_empty"),
    ('{code: "1.2", name: b, max: 0, rule: {type: yes_no}}', "criteria.not_positive"),
    ('{code: "1.2", name: b, max: "2", rule: {type: yes_no}}', "criteria.not_a_number"),
    ('{code: "1.2", name: b, max: 2, kind: bonus, rule: {type: yes_no}}', "criteria.kind_not_top"),
    ('{code: "1.2", max: 2, rule: {type: yes_no}}', "criteria.missing_key"),
    ('{code: "1.1", name: b, max: 2, rule: {type: yes_no}}', "criteria.duplicate_code"),
    ('{code: "1.2", name: b, name: c, max: 2, rule: {type: yes_no}}', "criteria.duplicate_key"),
])
def test_bad_node_is_reported_with_its_code(node, code):
    found = problems(f"""
        domains:
          - code: "1"
            name: A
            max: 4
            children:
              - {{code: "1.1", name: a, max: 2, rule: {{type: yes_no}}}}
              - {node}
        """)
    assert found == [(code, "1.2" if code != "criteria.duplicate_code" else "1.1")]


@pytest.mark.parametrize("header, code", [
    ("id: Bộ Thử\ntitle: T\nyear: 2025\nlevel: xa\n", "criteria.bad_id"),
    ("id: t\ntitle: T\nyear: hai nghìn\nlevel: xa\n", "criteria.bad_year"),
    (HEADER + "ranking: {ties: average}\n", "criteria.ties"),
    (HEADER + "scale: 0\n", "criteria.not_positive"),
    (HEADER + "bands: [{min: 90}]\n", "criteria.missing_key"),
    ("id: t\ntitle: T\nyear: 2025\n", "criteria.missing_key"),
])
def test_bad_top_level_key(header, code):
    assert problems('domains:\n  - {code: "1", name: A, max: 5, rule: {type: yes_no}}',
                    header) == [(code, None)]


@pytest.mark.parametrize("text, code", [("", "criteria.not_mapping"),
                                        ("- just\n- a list\n", "criteria.not_mapping"),
                                        (HEADER + "domains: []\n", "criteria.no_domains"),
                                        (HEADER + "domains: {a: 1}\n", "criteria.no_domains")])
def test_document_shape(text, code):
    criteria, issues = criteria_issues(text, header="")
    assert criteria is None and [(i.code, i.node) for i in errors_only(issues)] == [(code, None)]


def test_no_regular_domain_and_bad_kind():
    assert problems("""
        domains:
          - {code: "T", name: T, max: 5, kind: bonus, rule: {type: points}}
        """) == [("criteria.no_regular", None)]
    assert problems("""
        domains:
          - {code: "1", name: A, max: 5, kind: extra, rule: {type: points}}
        """) == [("criteria.kind", "1")]


def test_unknown_key_is_only_a_warning():
    c, issues = criteria_issues("""
        domains:
          - {code: "1", name: A, max: 5, weight: 2, rule: {type: yes_no}}
        """)
    assert c is not None
    assert [(i.code, i.node, i.severity) for i in issues] == [("criteria.unknown_key", "1", "warning")]


def test_yaml_syntax_error_gives_a_line():
    text = yaml_text("""
        domains:
          - code: "1"
            name: A
            max: [5
          - code: "2"
        """)
    criteria, issues = criteria_issues(text[len(HEADER):])
    assert criteria is None
    assert [i.code for i in issues] == ["criteria.yaml_syntax"]
    assert issues[0].line is not None and issues[0].line >= 8  # `max: [5` is on line 8
    assert f"t.yaml:{issues[0].line}" in issues[0].render("en")


def test_load_criteria_raises_par_error_listing_every_problem(write):
    path = write("bad.yaml", yaml_text("""
        domains:
          - code: "1"
            name: A
            max: 4
            children:
              - {code: "1.1", name: a, max: 2, rule: {type: yes_no, aggregate: max}}
              - {code: "1.2", name: b, max: 2, rule: {type: count}}
        """))
    with pytest.raises(ParError) as exc:
        load_criteria(path)
    assert sorted((i.code, i.node) for i in exc.value.issues) == [
        ("criteria.aggregate", "1.1"), ("criteria.count_bands_or_per_item", "1.2")]
    assert all(i.file == str(path) for i in exc.value.issues)


def test_missing_file_is_an_issue_not_an_exception(tmp_path):
    criteria, issues = check_criteria(tmp_path / "none.yaml")
    assert criteria is None and [i.code for i in issues] == ["file.not_found"]


def test_messages_render_in_both_languages_with_node_and_file():
    _, issues = criteria_issues("""
        domains:
          - code: "1"
            name: A
            max: 10
            children:
              - {code: "1.1", name: a, max: 5, rule: {type: yes_no}}
              - {code: "1.2", name: b, max: 5, rule: {type: count, bands: [{min: 1, points: 9}]}}
        """)
    assert [(i.code, i.node) for i in issues] == [("criteria.band_points_over_max", "1.2")]
    vi, en = issues[0].render("vi"), issues[0].render("en")
    assert vi.startswith("t.yaml:") and "mã 1.2" in vi and "vượt điểm tối đa" in vi
    assert en.startswith("t.yaml:") and "code 1.2" in en and "exceed" in en
    assert "9" in vi and "9" in en and "{" not in vi + en


def test_missing_key_message_renders(write):
    path = write("bad.yaml", yaml_text("""
        domains:
          - {code: "1", max: 5, rule: {type: yes_no}}
        """))
    with pytest.raises(ParError) as exc:
        load_criteria(path)
    assert [(i.code, i.node) for i in exc.value.issues] == [("criteria.missing_key", "1")]
    assert "'name'" in exc.value.issues[0].render("en")
    assert "'name'" in exc.value.issues[0].render("vi")
