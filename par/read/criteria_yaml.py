"""A criteria set as YAML text in the shipped files' style: flow mappings for rules and
bands, codes always quoted, numbers without trailing zeros (the criteria workbook writes it)."""
from __future__ import annotations

from typing import Any

import yaml

from par.domain.models import ALLOWED_AGGREGATES, CriteriaSet, Node


def plain_number(x: float | None):
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else float(x)




class _Flow(dict):
    """A mapping written on one line ({type: ratio, bands: [...]})."""


class _Dumper(yaml.SafeDumper):
    pass


class _Code(str):
    """A node code, always quoted: "1.10" must not read as the number 1.1."""


_Dumper.add_representer(_Code, lambda d, data: d.represent_scalar(
    "tag:yaml.org,2002:str", str(data), style='"'))


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping(
    "tag:yaml.org,2002:map", data.items(), flow_style=True))


def _str_representer(dumper, data: str):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_representer)


def _flowed(node: dict) -> dict:
    out = {}
    for key in ("code", "name", "name_en", "max", "kind", "evidence_required", "rule",
                "description", "children"):
        if key not in node:
            continue
        value = node[key]
        if key == "rule":
            value = _Flow({k: ([_Flow(b) for b in v] if k == "bands" else
                               _Flow(v) if k in ("options", "source") else v)
                           for k, v in value.items()})
        elif key == "children":
            value = [_flowed(c) for c in value]
        elif key == "code":
            value = _Code(value)
        out[key] = value
    return out


def _form(form: dict) -> dict:
    """A survey form: its options on one line, a question per line."""
    out = {k: form[k] for k in ("id", "name", "min_responses") if k in form}
    out["options"] = _Flow(form["options"])
    out["questions"] = [_Flow({k: (_Flow(v) if k == "options" else v) for k, v in q.items()})
                        for q in form["questions"]]
    return out


def criteria_yaml(document: dict, source: str | None = None) -> str:
    """The YAML text of a criteria document (header keys first, one rule per line)."""
    order = ["id", "title", "title_en", "decision", "year", "level", "scale", "max_total",
             "bands", "ranking", "evidence_required", "surveys", "domains"]
    doc = {}
    for key in order:
        if key not in document:
            continue
        value = document[key]
        if key == "bands":
            value = [_Flow(b) for b in value]
        elif key == "ranking":
            value = _Flow(value)
        elif key == "surveys":
            value = [_form(f) for f in value]
        elif key == "domains":
            value = [_flowed(d) for d in value]
        doc[key] = value
    head = f"# Written by par from {source}\n" if source else ""
    return head + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                            width=4096, default_flow_style=False)


def set_document(criteria: CriteriaSet) -> dict:
    """A validated criteria set as the YAML document (every field, defaults left out)."""
    from par.engine.diff import band_dict

    def node_doc(node: Node) -> dict:
        out: dict[str, Any] = {"code": node.code, "name": node.name}
        if node.name_en:
            out["name_en"] = node.name_en
        out["max"] = plain_number(node.max)
        if node.kind != "regular":
            out["kind"] = node.kind
        if node.evidence_required is not None:
            out["evidence_required"] = node.evidence_required
        if node.rule is not None:
            r = node.rule
            rule: dict[str, Any] = {"type": r.type}
            if r.source is not None:
                rule["source"] = {"form": r.source.form, "questions": list(r.source.questions)}
            if r.aggregate != ALLOWED_AGGREGATES[r.type][0]:
                rule["aggregate"] = r.aggregate
            if r.bands is not None:
                rule["bands"] = [band_dict(b) for b in r.bands]
            if r.linear and r.type == "ratio":
                rule["linear"] = True
            if r.per_item is not None:
                rule["per_item"] = plain_number(r.per_item)
            if r.options is not None:
                rule["options"] = {k: plain_number(v) for k, v in r.options.items()}
            if r.direction != "higher_is_better":
                rule["direction"] = r.direction
            if r.when_empty != "na":
                rule["when_empty"] = r.when_empty
            out["rule"] = rule
        if node.description:
            out["description"] = node.description
        if node.children:
            out["children"] = [node_doc(c) for c in node.children]
        return out

    doc: dict[str, Any] = {"id": criteria.id, "title": criteria.title}
    for key in ("title_en", "decision"):
        if getattr(criteria, key):
            doc[key] = getattr(criteria, key)
    doc.update(year=criteria.year, level=criteria.level, scale=plain_number(criteria.scale))
    if criteria.max_total is not None:
        doc["max_total"] = plain_number(criteria.max_total)
    if criteria.bands:
        doc["bands"] = [band_dict(b) for b in criteria.bands]
    doc["ranking"] = {"ties": criteria.ties}
    if criteria.evidence_required:
        doc["evidence_required"] = True
    if criteria.surveys:
        doc["surveys"] = [form_doc(f) for f in criteria.surveys]
    doc["domains"] = [node_doc(d) for d in criteria.domains]
    return doc


def form_doc(form) -> dict:
    """A survey form (``SurveyForm``) as its YAML mapping (the default 30 left out)."""
    out: dict[str, Any] = {"id": form.id, "name": form.name}
    if form.min_responses != 30:
        out["min_responses"] = int(form.min_responses)
    out["options"] = {k: plain_number(v) for k, v in form.options.items()}
    out["questions"] = []
    for q in form.questions:
        question: dict[str, Any] = {"code": q.code, "text": q.text}
        if q.options is not None:
            question["options"] = {k: plain_number(v) for k, v in q.options.items()}
        out["questions"].append(question)
    return out
