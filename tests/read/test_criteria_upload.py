"""A criteria set uploaded on the dashboard (YAML or workbook): read in the bounded worker,
every problem located, hostile files refused; and the tree a person checks before activating."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from par.engine.criteria import load_criteria
from par.i18n.formatting import fmt_time
from par.present.frames import sets_table
from par.read.criteria_book import write_criteria_book
from par.read.criteria_tree import INDENT, criteria_tree, summary
from par.read.criteria_upload import read_criteria_upload
from tests.fixtures import hostile

ROOT = Path(__file__).resolve().parents[2]
XA = load_criteria(ROOT / "criteria" / "nghe-an-xa-2025.yaml")


def test_a_yaml_upload_gives_the_same_set_and_hash():
    criteria, issues = read_criteria_upload(XA.yaml_text.encode("utf-8"), "xa.yaml")
    assert criteria is not None and not [i for i in issues if i.severity == "error"]
    assert (criteria.sha256, criteria.yaml_text) == (XA.sha256, XA.yaml_text)


def test_a_workbook_upload_gives_a_set_that_scores_the_same_nodes():
    criteria, issues = read_criteria_upload(write_criteria_book(XA), "xa.xlsx")
    assert criteria is not None, issues
    assert list(criteria.nodes) == list(XA.nodes)
    assert [n.rule for n in criteria.leaves] == [n.rule for n in XA.leaves]


def test_every_problem_is_located():
    text = XA.yaml_text.replace("max: ", "max: -", 2)
    criteria, issues = read_criteria_upload(text.encode("utf-8"), "bad.yaml")
    assert criteria is None
    errors = [i for i in issues if i.severity == "error"]
    assert len(errors) >= 2 and all(i.file == "bad.yaml" and i.line for i in errors)


@pytest.mark.parametrize("data, name, code", [
    (b"\xff\xfeid: x", "x.yaml", "file.not_utf8"),
    (b"id: x", "x.txt", "criteriabook.bad_type"),
    (b"a: &a [*a, *a]\n" + b"b: " + b"[*a, " * 30 + b"1" + b"]" * 30, "bomb.yaml", None),
])
def test_files_that_are_not_sets_are_refused_with_a_reason(data, name, code):
    criteria, issues = read_criteria_upload(data, name)
    assert criteria is None and issues
    if code:
        assert issues[0].code == code


@pytest.mark.parametrize("make", [hostile.zip_bomb, hostile.billion_laughs, hostile.xxe,
                                  hostile.encrypted, hostile.pdf_renamed])
def test_hostile_workbooks_are_refused_before_any_parser(make):
    criteria, issues = read_criteria_upload(make(), "annex.xlsx")
    assert criteria is None and issues and all(i.file == "annex.xlsx" for i in issues)


def test_an_oversized_upload_is_refused_by_size(monkeypatch):
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "0.01")
    criteria, issues = read_criteria_upload(XA.yaml_text.encode() * 3, "big.yaml")
    assert criteria is None and issues[0].code == "guard.too_big"


def test_the_tree_lists_every_node_indented_with_rules_for_leaves():
    tree = criteria_tree(XA, "vi")
    assert list(tree.columns) == ["STT/Mã", "Tên tiêu chí", "Điểm tối đa", "Loại",
                                  "Cách chấm điểm"]
    assert list(tree["STT/Mã"]) == list(XA.nodes)
    depth = {c: 0 for c in (d.code for d in XA.domains)}
    for code, parent in XA.parent_of.items():
        if parent is not None:
            depth[code] = depth[parent] + 1
    names = dict(zip(tree["STT/Mã"], tree["Tên tiêu chí"]))
    for code, node in XA.nodes.items():
        assert names[code] == INDENT * depth[code] + node.name
    rules = dict(zip(tree["STT/Mã"], tree["Cách chấm điểm"]))
    assert all(rules[n.code] for n in XA.leaves)
    assert not any(rules[c] for c, n in XA.nodes.items() if not n.is_leaf)
    assert criteria_tree(XA, "en").columns[1] == "Criterion"
    s = summary(XA)
    assert (s["leaves"], s["regular_max"]) == (len(XA.leaves), XA.regular_max)


def test_times_are_shown_in_vietnam_time():
    moment = dt.datetime(2026, 12, 2, 19, 48, tzinfo=dt.timezone.utc)
    assert fmt_time(moment) == "03/12/2026 02:48"
    assert fmt_time(moment.replace(tzinfo=None), "en") == "2026-12-03 02:48"  # SQLite: UTC
    assert fmt_time(None) == "–" and fmt_time(pd.NaT) == "–"


def test_the_sets_table_reads_as_the_office_would():
    frame = pd.DataFrame([{"id": "a", "sha256": "ab" * 32, "title": "T", "year": 2025,
                           "level": "xa", "status": "active",
                           "registered_at": dt.datetime(2025, 1, 1, 1, 0), "added_by": None,
                           "source_name": "a.yaml", "activated_at": None}])
    table = sets_table(frame, "vi")
    assert table.iloc[0].tolist() == [2025, "xa", "a", "T", "đang dùng", "01/01/2025 08:00", "–",
                                      "a.yaml", "ab" * 6]
