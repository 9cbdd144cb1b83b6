"""Hostile criteria files: alias bombs, huge values, deep nesting — refused fast and small."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import HEADER, yaml_text

from par.engine.criteria import MAX_EXPANDED_NODES, check_criteria_text

ROOT = Path(__file__).resolve().parents[2]
BODY = """
domains:
  - code: "1"
    name: Một
    max: 100
    children:
      - {code: "1.1", name: Có kế hoạch, max: 100, rule: {type: yes_no}}
"""


def billion_laughs(levels: int = 9, width: int = 9, where: str = "title") -> str:
    """The classic: each anchor holds ``width`` aliases of the one before (9^9 leaves)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\n{where}: *l{levels - 1}\n"


def node_aliases(levels: int = 12) -> str:
    """Mappings, not lists: each anchored mapping holds two keys aliasing the one before."""
    lines = ["m0: &m0 {code: x, name: y}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{a: *m{i - 1}, b: *m{i - 1}, c: *m{i - 1}, d: *m{i - 1}}}")
    return "\n".join(lines) + f"\nextra: *m{levels - 1}\n"


@pytest.mark.parametrize("text", [
    pytest.param("id: t\nyear: 2025\nlevel: xa\n" + billion_laughs(), id="billion laughs"),
    pytest.param("id: t\nyear: 2025\nlevel: xa\n" + billion_laughs(6, 12), id="wide"),
    pytest.param(HEADER + node_aliases() + BODY.strip() + "\n", id="node aliases"),
])
def test_alias_bombs_are_refused_before_they_expand(text):
    assert len(text.encode()) < 4096
    start = time.perf_counter()
    criteria, issues = check_criteria_text(text, "bomb.yaml")
    assert time.perf_counter() - start < 1.0
    assert criteria is None and [i.code for i in issues] == ["criteria.alias_bomb"]
    assert str(MAX_EXPANDED_NODES) in issues[0].render("en").replace(",", "")


def test_a_bomb_stays_small_in_a_process_of_its_own(tmp_path):
    """`par check` on a 392-byte file once reached 10 GB: with 300 MB of address space it
    now answers, refusing the file (exit 2), instead of being killed."""
    path = tmp_path / "bomb.yaml"
    path.write_text("id: t\nyear: 2025\nlevel: xa\n" + billion_laughs(), encoding="utf-8")
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20,) * 2);"
            "from par.cli.main import main; sys.exit(main(['check', sys.argv[1]]))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "bí danh" in done.stderr and len(done.stderr) < 2000


def test_shared_bands_by_anchor_still_work():
    """Anchors are legitimate in moderation: one bands list used by two criteria."""
    body = """
    domains:
      - code: "1"
        name: Một
        max: 10
        children:
          - code: "1.1"
            name: Đúng hạn
            max: 5
            rule: {type: ratio, bands: &b [{min: 100, points: 5}, {min: 90, points: 3}]}
          - code: "1.2"
            name: Đúng hạn (xã)
            max: 5
            rule: {type: ratio, bands: *b}
      - {code: "2", name: Hai, max: 90, children: [{code: "2.1", name: x, max: 90, rule: {type: points}}]}
    """
    criteria, issues = check_criteria_text(yaml_text(body))
    assert criteria is not None, [i.render("en") for i in issues]
    assert len(criteria.leaves) == 3


def test_a_huge_value_is_quoted_short():
    huge = "x" * 1_000_000
    text = HEADER + BODY.replace("max: 100\n    children", f"max: {huge}\n    children", 1)
    criteria, issues = check_criteria_text(text)
    assert criteria is None and issues
    assert all(len(i.render("vi")) < 1000 for i in issues)
    assert any("xxxx" in i.render("en") and "(+" in i.render("en") for i in issues)


def test_deep_nesting_is_refused_not_crashed():
    text = HEADER + "extra: " + "[" * 50_000 + "]" * 50_000 + "\n"
    criteria, issues = check_criteria_text(text)
    assert criteria is None and issues and issues[0].code in ("criteria.yaml_syntax",
                                                              "criteria.too_deep")
