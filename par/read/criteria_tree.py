"""A criteria set as a table a person checks before activating it: the tree, each node's
maximum and kind, each leaf's rule in words (as the template writes it)."""
from __future__ import annotations

import pandas as pd

from par.domain.models import CriteriaSet
from par.i18n import t
from par.read.criteria_book import number_text
from par.read.template import describe_rule

INDENT = "\u2003"  # an em space per level: the tree reads as in the published annex


def criteria_tree(criteria: CriteriaSet, lang: str = "vi") -> pd.DataFrame:
    """One row per node, parents before children: code, name (indented), max, kind, rule."""
    rows = []

    def visit(node, depth: int) -> None:
        rows.append({
            "code": node.code,
            "name": INDENT * depth + node.display_name(lang),
            "max": number_text(node.max, lang),
            "kind": t(f"library.kind.{node.kind}", lang),
            "rule": describe_rule(node, lang) if node.is_leaf else "",
        })
        for child in node.children:
            visit(child, depth + 1)

    for domain in criteria.domains:
        visit(domain, 0)
    frame = pd.DataFrame(rows, columns=["code", "name", "max", "kind", "rule"])
    return frame.rename(columns={c: t(f"library.tree.{c}", lang) for c in frame.columns})


def summary(criteria: CriteriaSet) -> dict[str, object]:
    """The figures a person checks first: domains, nodes, leaves, points by kind."""
    by_kind: dict[str, float] = {}
    for d in criteria.domains:
        by_kind[d.kind] = by_kind.get(d.kind, 0.0) + d.max
    return {"id": criteria.id, "year": criteria.year, "level": criteria.level,
            "domains": len(criteria.domains), "nodes": len(criteria.nodes),
            "leaves": len(criteria.leaves), "regular_max": criteria.regular_max,
            "by_kind": by_kind}
