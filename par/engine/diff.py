"""What changed between two criteria sets: a pure comparison, no text.

``diff_sets(a, b)`` matches nodes by code; a node whose code is gone and a new node with the
very same name (one of each) are the same node renumbered (``recoded``). For every matched
node it reports a new name, a new maximum, a rule changed (the type, or the parameters
that differ: bands, options, per_item, linear, direction, when_empty, aggregate), a new
parent (``moved``), a new kind, and a new English name or description (``text``); the set's
own fields (title, max_total, grade bands, ties, …) are ``header`` changes. The words are
chosen by the callers (``par.analysis.trends``, ``par.cli.criteria``) from the catalogue.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from par.domain.models import Band, CriteriaSet, Node, Rule

TOLERANCE = 1e-9
# The order changes are listed in, and the kinds a reader calls "the method changed".
KINDS = ("added", "removed", "recoded", "renamed", "max", "rule", "moved", "kind", "text",
         "header")
METHOD_KINDS = frozenset({"added", "removed", "recoded", "renamed", "max", "rule", "moved",
                          "kind"})
RULE_FIELDS = ("type", "aggregate", "bands", "linear", "per_item", "options", "direction",
               "when_empty")
HEADER_FIELDS = ("id", "title", "title_en", "decision", "year", "level", "scale", "max_total",
                 "bands", "ties")
# Header fields that differ every year by nature: not a change of method.
HEADER_IDENTITY = frozenset({"id", "title", "title_en", "decision", "year"})


@dataclass(frozen=True)
class Change:
    """One difference. ``code`` is the node's code in B (in A for ``removed``); ``old_code``
    its code in A when it was renumbered; ``field`` the rule or header field for ``rule``,
    ``text`` and ``header`` changes; ``old``/``new`` plain values (JSON-ready)."""

    kind: str
    code: str | None = None
    field: str | None = None
    old: Any = None
    new: Any = None
    old_code: str | None = None
    name: str | None = None  # the node's name (in B, in A for removed), for display

    def to_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "old_code": self.old_code,
                "name": self.name, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class SetDiff:
    a_id: str
    b_id: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def method_changes(self) -> tuple[Change, ...]:
        """The changes that alter how units are scored (not titles, years or texts)."""
        return tuple(c for c in self.changes if c.kind in METHOD_KINDS
                     or c.kind == "header" and c.field not in HEADER_IDENTITY)

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.kind] = out.get(c.kind, 0) + 1
        return out

    def to_dict(self) -> dict:
        return {"a": self.a_id, "b": self.b_id, "counts": self.counts(),
                "changes": [c.to_dict() for c in self.changes]}


def band_dict(band: Band) -> dict:
    """A band as the YAML writes it: {min|above: bound, points|label: …}."""
    out: dict[str, Any] = {"above" if band.strict else "min": _plain(band.bound)}
    if band.points is not None:
        out["points"] = _plain(band.points)
    if band.label is not None:
        out["label"] = band.label
    if band.label_en is not None:
        out["label_en"] = band.label_en
    return out


def rule_dict(rule: Rule) -> dict:
    """A rule's fields as plain values (every field, defaults included)."""
    return {"type": rule.type, "aggregate": rule.aggregate,
            "bands": None if rule.bands is None else [band_dict(b) for b in rule.bands],
            "linear": rule.linear, "per_item": _plain(rule.per_item),
            "options": None if rule.options is None else {k: _plain(v)
                                                          for k, v in rule.options.items()},
            "direction": rule.direction, "when_empty": rule.when_empty}


def _plain(x):
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _same_number(x, y) -> bool:
    if x is None or y is None:
        return x is y
    return abs(float(x) - float(y)) <= TOLERANCE


def _same(x, y) -> bool:
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(
            x, bool) and not isinstance(y, bool):
        return _same_number(x, y)
    if isinstance(x, dict) and isinstance(y, dict):
        return list(x) == list(y) and all(_same(x[k], y[k]) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_same(p, q) for p, q in zip(x, y))
    return x == y


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _rule_changes(code: str, name: str, a: Rule | None, b: Rule | None,
                  old_code: str | None) -> list[Change]:
    if a is None or b is None:  # a branch became a leaf or back: its type says it
        if a is b:
            return []
        return [Change("rule", code, "type", None if a is None else a.type,
                       None if b is None else b.type, old_code, name)]
    ra, rb = rule_dict(a), rule_dict(b)
    if ra["type"] != rb["type"]:
        return [Change("rule", code, "type", ra["type"], rb["type"], old_code, name)]
    return [Change("rule", code, f, ra[f], rb[f], old_code, name)
            for f in RULE_FIELDS if not _same(ra[f], rb[f])]


def _node_changes(na: Node, nb: Node, parent_a: str | None, parent_b: str | None,
                  old_code: str | None) -> list[Change]:
    code, out = nb.code, []
    if old_code is not None:
        out.append(Change("recoded", code, None, old_code, code, old_code, nb.name))
    if _key(na.name) != _key(nb.name):
        out.append(Change("renamed", code, "name", na.name, nb.name, old_code, nb.name))
    if not _same_number(na.max, nb.max):
        out.append(Change("max", code, "max", _plain(na.max), _plain(nb.max), old_code, nb.name))
    out += _rule_changes(code, nb.name, na.rule, nb.rule, old_code)
    if parent_a != parent_b:
        out.append(Change("moved", code, "parent", parent_a, parent_b, old_code, nb.name))
    if na.kind != nb.kind:
        out.append(Change("kind", code, "kind", na.kind, nb.kind, old_code, nb.name))
    for f in ("name_en", "description"):
        if (getattr(na, f) or None) != (getattr(nb, f) or None):
            out.append(Change("text", code, f, getattr(na, f), getattr(nb, f), old_code,
                              nb.name))
    return out


def _header(a: CriteriaSet, b: CriteriaSet) -> list[Change]:
    out = []
    for f in HEADER_FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        if f == "bands":
            x, y = [band_dict(v) for v in x], [band_dict(v) for v in y]
        x, y = _plain(x), _plain(y)
        if not _same(x, y):
            out.append(Change("header", None, f, x, y))
    return out


def diff_sets(a: CriteriaSet, b: CriteriaSet) -> SetDiff:
    """Every difference from ``a`` (the earlier set) to ``b``, in the order of KINDS, nodes
    in B's tree order (A's for removed nodes)."""
    nodes_a, nodes_b = a.nodes, b.nodes
    gone = [c for c in nodes_a if c not in nodes_b]
    new = [c for c in nodes_b if c not in nodes_a]
    # renumbered: the only gone node and the only new node with one name
    names_gone: dict[str, list[str]] = {}
    for c in gone:
        names_gone.setdefault(_key(nodes_a[c].name), []).append(c)
    names_new: dict[str, list[str]] = {}
    for c in new:
        names_new.setdefault(_key(nodes_b[c].name), []).append(c)
    recoded = {names_new[k][0]: v[0] for k, v in names_gone.items()
               if len(v) == 1 and len(names_new.get(k, ())) == 1}
    matched = {c: c for c in nodes_b if c in nodes_a} | recoded  # code in B → code in A
    changes: list[Change] = _header(a, b)
    for c in new:
        if c not in recoded:
            n = nodes_b[c]
            changes.append(Change("added", c, None, None, _plain(n.max), name=n.name))
    taken = set(recoded.values())
    for c in gone:
        if c not in taken:
            n = nodes_a[c]
            changes.append(Change("removed", c, None, _plain(n.max), None, name=n.name))
    for cb in nodes_b:
        if cb not in matched:
            continue
        ca = matched[cb]
        pa, pb = a.parent_of.get(ca), b.parent_of.get(cb)
        # a parent that was only renumbered is the same parent
        if pa is not None and pb is not None and matched.get(pb) == pa:
            pa = pb
        changes += _node_changes(nodes_a[ca], nodes_b[cb], pa, pb, ca if ca != cb else None)
    order = {k: i for i, k in enumerate(KINDS)}
    position_b = {c: i for i, c in enumerate(nodes_b)}
    position_a = {c: i for i, c in enumerate(nodes_a)}

    def sort_key(ch: Change):
        where = (position_a.get(ch.code, 0) if ch.kind == "removed"
                 else position_b.get(ch.code, -1))
        return order[ch.kind], where

    return SetDiff(a.id, b.id, tuple(sorted(changes, key=sort_key)))
