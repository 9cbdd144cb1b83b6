"""Load and validate a criteria set (CONTRACT §1).

Validation never stops at the first problem: ``check_criteria`` walks the whole
document and returns every issue with the file, the node code and the YAML
line, and ``load_criteria`` raises ``ParError`` with all of them.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from par.domain.issues import Issue, ParError, errors_only
from par.domain.models import (
    ALLOWED_AGGREGATES,
    KINDS,
    RULE_TYPES,
    Band,
    CriteriaSet,
    Node,
    Rule,
    SurveyForm,
    SurveyQuestion,
    SurveySource,
    sort_bands,
)

TOLERANCE = 1e-9
_ID = re.compile(r"^[a-z0-9-]+$")
_LINE = "__line__"
TOP_KEYS = {"id", "title", "title_en", "decision", "year", "level", "scale", "max_total",
            "bands", "ranking", "domains", "evidence_required", "surveys"}
NODE_KEYS = {"code", "name", "name_en", "max", "kind", "children", "rule", "description",
             "evidence_required"}
RULE_KEYS = {"type", "bands", "linear", "per_item", "options", "direction", "when_empty",
             "aggregate", "source"}
SURVEY_KEYS = {"id", "name", "min_responses", "options", "questions"}
QUESTION_KEYS = {"code", "text", "options"}
SOURCE_KEYS = {"form", "questions"}
RULE_PARAMS = {  # parameters each rule type may carry besides type/aggregate
    "points": set(), "yes_no": set(), "choice": {"options"},
    "ratio": {"bands", "linear", "direction", "when_empty"},
    "count": {"bands", "per_item"}, "survey": {"bands", "linear", "source"},
    "deduction": {"per_item"},
}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: 10x faster
    """Keeps mapping keys and `code` values as the text written.

    YAML would turn `code: 1.10` into the float 1.1 and `yes:` into True; a
    criteria author means the text, so scalars in those places stay text.
    """


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    out: dict[str, Any] = {_LINE: node.start_mark.line + 1}
    dupes = []
    for key_node, value_node in node.value:
        key = (key_node.value if isinstance(key_node, yaml.ScalarNode)
               else loader.construct_object(key_node, deep=True))
        if key == "code" and isinstance(value_node, yaml.ScalarNode):
            value = value_node.value
        else:
            value = loader.construct_object(value_node, deep=True)
        if key in out:
            dupes.append(key)
        out[key] = value
    if dupes:
        out["__dupes__"] = dupes
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []
        self.seen: dict[str, int | None] = {}
        self.forms: dict[str, set[str] | None] = {}  # form id → its question codes (None: unread)

    def add(self, code: str, raw: dict | None = None, node: str | None = None,
            severity: str = "error", **params: Any) -> None:
        line = raw.get(_LINE) if isinstance(raw, dict) else None
        self.issues.append(Issue(code, params, file=self.file, node=node, line=line,
                                 severity=severity))

    def unknown_keys(self, raw: dict, allowed: set[str], node: str | None) -> None:
        for key in raw.get("__dupes__", []):
            self.add("criteria.duplicate_key", raw, node, key=key)
        for key in raw:
            if key not in allowed and key not in (_LINE, "__dupes__"):
                self.add("criteria.unknown_key", raw, node, severity="warning", key=key)

    def number(self, raw: dict, key: str, node: str | None, *, positive=False,
               required=False) -> float | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.add("criteria.missing_key", raw, node, key=key)
            return None
        if not _is_number(value):
            self.add("criteria.not_a_number", raw, node, key=key, value=value)
            return None
        if positive and value <= 0:
            self.add("criteria.not_positive", raw, node, key=key, value=value)
            return None
        return float(value)

    # -- bands -------------------------------------------------------------
    def bands(self, raw_bands: Any, owner: dict, node: str | None, value_key: str,
              node_max: float | None = None) -> tuple[Band, ...] | None:
        if not isinstance(raw_bands, list) or not raw_bands:
            self.add("criteria.bands_not_list", owner, node)
            return None
        out = []
        for raw in raw_bands:
            if not isinstance(raw, dict):
                self.add("criteria.band_not_mapping", owner, node, value=raw)
                continue
            has_min, has_above = "min" in raw, "above" in raw
            if has_min == has_above:
                self.add("criteria.band_bound", raw, node)
                continue
            bound_key = "min" if has_min else "above"
            bound = self.number(raw, bound_key, node)
            if value_key == "points":
                value = self.number(raw, "points", node, required=True)
                if value is not None and value < 0:
                    self.add("criteria.band_points_negative", raw, node, points=value)
                    value = None
                if value is not None and node_max is not None and value > node_max + TOLERANCE:
                    self.add("criteria.band_points_over_max", raw, node, points=value,
                             max=node_max)
                    value = None
                if bound is not None and value is not None:
                    out.append(Band(bound, not has_min, points=value))
            else:
                label = raw.get("label")
                if label is None or str(label).strip() == "":
                    self.add("criteria.missing_key", raw, node, key="label")
                elif bound is not None:
                    out.append(Band(bound, not has_min, label=str(label),
                                    label_en=_opt_str(raw.get("label_en"))))
        return sort_bands(out) if len(out) == len(raw_bands) else None

    # -- rules -------------------------------------------------------------
    def rule(self, raw: Any, node_raw: dict, code: str, node_max: float | None) -> Rule | None:
        if not isinstance(raw, dict):
            self.add("criteria.rule_not_mapping", node_raw, code)
            return None
        self.unknown_keys(raw, RULE_KEYS, code)
        rtype = raw.get("type")
        if rtype not in RULE_TYPES:
            self.add("criteria.rule_type", raw, code, value=rtype, allowed=", ".join(RULE_TYPES))
            return None
        ok = True
        for key in sorted(RULE_KEYS - {"type", "aggregate"} - RULE_PARAMS[rtype]):
            if key in raw:
                self.add("criteria.param_not_for_type", raw, code, key=key, type=rtype)
                ok = False
        allowed = ALLOWED_AGGREGATES[rtype]
        aggregate = raw.get("aggregate", allowed[0])
        if aggregate not in allowed:
            self.add("criteria.aggregate", raw, code, value=aggregate, type=rtype,
                     allowed=", ".join(allowed))
            ok = False
        bands = None
        if "bands" in raw and "bands" in RULE_PARAMS[rtype]:
            bands = self.bands(raw["bands"], raw, code, "points", node_max)
            ok = ok and bands is not None
        linear = raw.get("linear", False)
        if not isinstance(linear, bool):
            self.add("criteria.not_a_bool", raw, code, key="linear", value=linear)
            ok, linear = False, False
        per_item = None
        if "per_item" in raw and "per_item" in RULE_PARAMS[rtype]:
            per_item = self.number(raw, "per_item", code, positive=True)
            ok = ok and per_item is not None
        has_bands = "bands" in raw
        if rtype == "ratio" and has_bands == bool(linear):
            self.add("criteria.ratio_bands_or_linear", raw, code)
            ok = False
        if rtype == "count" and has_bands == ("per_item" in raw):
            self.add("criteria.count_bands_or_per_item", raw, code)
            ok = False
        if rtype == "survey" and has_bands and linear:
            self.add("criteria.survey_bands_or_linear", raw, code)
            ok = False
        if rtype == "deduction" and "per_item" not in raw:
            self.add("criteria.missing_key", raw, code, key="per_item")
            ok = False
        options = None
        if rtype == "choice":
            options = self.options(raw.get("options"), raw, code)
            ok = ok and options is not None
        direction = raw.get("direction", "higher_is_better")
        if direction not in ("higher_is_better", "lower_is_better"):
            self.add("criteria.direction", raw, code, value=direction)
            ok = False
        when_empty = raw.get("when_empty", "na")
        if when_empty not in ("na", "full", "zero"):
            self.add("criteria.when_empty", raw, code, value=when_empty)
            ok = False
        source = None
        if rtype == "survey" and "source" in raw:
            source = self.source(raw["source"], raw, code)
            ok = ok and source is not None
        if not ok:
            return None
        return Rule(type=rtype, aggregate=aggregate, bands=bands,
                    linear=bool(linear) or (rtype == "survey" and not has_bands),
                    per_item=per_item, options=options, direction=direction,
                    when_empty=when_empty, source=source)

    # -- surveys (SURVEY §1) -------------------------------------------------------------
    def source(self, raw: Any, rule_raw: dict, code: str) -> SurveySource | None:
        if not isinstance(raw, dict):
            self.add("survey.source_not_mapping", rule_raw, code)
            return None
        self.unknown_keys(raw, SOURCE_KEYS, code)
        form = raw.get("form")
        if form is None or str(form).strip() == "":
            self.add("survey.source_no_form", raw, code)
            return None
        form = str(form).strip()
        questions = raw.get("questions")
        if not isinstance(questions, list) or not questions:
            self.add("survey.source_no_questions", raw, code, form=form)
            return None
        questions = [unicodedata.normalize("NFC", str(q)).strip() for q in questions]
        if form not in self.forms:
            self.add("survey.unknown_form", raw, code, form=form,
                     known=", ".join(self.forms) or "–")
            return None
        known = self.forms[form]
        if known is None:  # the form itself is broken: reported there
            return None
        ok = True
        for q in questions:
            if q not in known:
                self.add("survey.unknown_question", raw, code, form=form, question=q)
                ok = False
        if len(set(questions)) != len(questions):
            self.add("survey.repeated_question", raw, code, form=form)
            ok = False
        return SurveySource(form, tuple(questions)) if ok else None

    def survey_options(self, raw: Any, owner: dict, node: str
                       ) -> dict[str, float | None] | None:
        if not isinstance(raw, dict) or not [k for k in raw if k not in (_LINE, "__dupes__")]:
            self.add("survey.options_missing", owner, node)
            return None
        out: dict[str, float | None] = {}
        folded: set[str] = set()
        ok = True
        for key in raw.get("__dupes__", []):
            self.add("criteria.duplicate_key", raw, node, key=key)
            ok = False
        for label, percent in raw.items():
            if label in (_LINE, "__dupes__"):
                continue
            text = unicodedata.normalize("NFC", str(label)).strip()
            if percent is not None and (not _is_number(percent) or not 0 <= percent <= 100):
                self.add("survey.option_percent", raw, node, label=text, value=percent)
                ok = False
            elif not text or text.casefold() in folded:
                self.add("survey.duplicate_option", raw, node, label=text)
                ok = False
            else:
                folded.add(text.casefold())
                out[text] = None if percent is None else float(percent)
        return out if ok else None

    def surveys(self, raw: Any, doc: dict) -> tuple[SurveyForm, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.add("survey.not_list", doc)
            return ()
        out = []
        for form_raw in raw:
            if not isinstance(form_raw, dict):
                self.add("survey.form_not_mapping", doc, value=form_raw)
                continue
            form_id = form_raw.get("id")
            label = str(form_id) if form_id is not None else "?"
            self.unknown_keys(form_raw, SURVEY_KEYS, label)
            ok = True
            if form_id is None:
                self.add("criteria.missing_key", form_raw, label, key="id")
                ok = False
            elif not isinstance(form_id, str) or not _ID.match(form_id):
                self.add("survey.bad_id", form_raw, label, value=form_id)
                ok = False
            elif form_id in self.forms:
                self.add("survey.duplicate_id", form_raw, label, id=form_id)
                ok = False
                form_id = None  # the first form of that id stands
            else:
                self.forms[form_id] = None
            name = form_raw.get("name")
            if name is None or str(name).strip() == "":
                self.add("criteria.missing_key", form_raw, label, key="name")
                ok = False
            minimum = form_raw.get("min_responses", 30)
            if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
                self.add("survey.min_responses", form_raw, label, value=minimum)
                ok = False
            options = self.survey_options(form_raw.get("options"), form_raw, label)
            ok = ok and options is not None
            questions, codes, folded = [], set(), set()
            raw_questions = form_raw.get("questions")
            if not isinstance(raw_questions, list) or not raw_questions:
                self.add("survey.no_questions", form_raw, label)
                ok = False
                raw_questions = []
            for q in raw_questions:
                if not isinstance(q, dict):
                    self.add("survey.question_not_mapping", form_raw, label, value=q)
                    ok = False
                    continue
                self.unknown_keys(q, QUESTION_KEYS, label)
                code = q.get("code")
                code = None if code is None else unicodedata.normalize("NFC", str(code)).strip()
                text = q.get("text")
                if not code:
                    self.add("criteria.missing_key", q, label, key="code")
                    ok = False
                    continue
                if code.casefold() in folded:  # answer columns are matched ignoring case
                    self.add("survey.duplicate_question", q, label, question=code)
                    ok = False
                    continue
                codes.add(code)
                folded.add(code.casefold())
                if text is None or str(text).strip() == "":
                    self.add("criteria.missing_key", q, f"{label}/{code}", key="text")
                    ok = False
                own = None
                if "options" in q:
                    own = self.survey_options(q["options"], q, f"{label}/{code}")
                    ok = ok and own is not None
                questions.append(SurveyQuestion(code, str(text or "").strip(), own))
            if isinstance(form_id, str) and form_id in self.forms:
                self.forms[form_id] = codes if ok else None
            if ok:
                out.append(SurveyForm(form_id, str(name).strip(), options, tuple(questions),
                                      minimum))
        return tuple(out)

    def options(self, raw: Any, rule_raw: dict, code: str) -> dict[str, float] | None:
        if not isinstance(raw, dict) or not [k for k in raw if k not in (_LINE, "__dupes__")]:
            self.add("criteria.options_missing", rule_raw, code)
            return None
        out, ok = {}, True
        for key in raw.get("__dupes__", []):
            self.add("criteria.duplicate_key", raw, code, key=key)
            ok = False
        for label, fraction in raw.items():
            if label in (_LINE, "__dupes__"):
                continue
            if not _is_number(fraction) or not 0 <= fraction <= 1:
                self.add("criteria.option_fraction", raw, code, label=label, value=fraction)
                ok = False
            else:
                out[str(label).strip()] = float(fraction)
        return out if ok else None

    # -- nodes -------------------------------------------------------------
    def flag(self, raw: dict, key: str, node: str | None) -> bool | None:
        """An optional true/false key (None when absent)."""
        if key not in raw:
            return None
        if not isinstance(raw[key], bool):
            self.add("criteria.not_bool", raw, node, key=key, value=raw[key])
            return None
        return raw[key]

    def node(self, raw: Any, parent: str | None, top_level: bool) -> Node | None:
        if not isinstance(raw, dict):
            self.add("criteria.node_not_mapping", None, parent, value=raw)
            return None
        code = raw.get("code")
        code = None if code is None else str(code).strip()
        label = code or (f"{parent}/?" if parent else "?")
        self.unknown_keys(raw, NODE_KEYS, label)
        if not code:
            self.add("criteria.missing_key", raw, label, key="code")
        elif code in self.seen:
            self.add("criteria.duplicate_code", raw, code, first_line=self.seen[code])
        else:
            self.seen[code] = raw.get(_LINE)
        name = raw.get("name")
        if name is None or str(name).strip() == "":
            self.add("criteria.missing_key", raw, label, key="name")
        node_max = self.number(raw, "max", label, positive=True, required=True)
        kind = raw.get("kind", "regular")
        if kind not in KINDS:
            self.add("criteria.kind", raw, label, value=kind)
        elif kind != "regular" and not top_level:
            self.add("criteria.kind_not_top", raw, label, kind=kind)
        has_children, has_rule = "children" in raw, "rule" in raw
        if has_children == has_rule:
            self.add("criteria.children_or_rule", raw, label)
            return None
        children: list[Node] = []
        rule = None
        if has_children:
            raw_children = raw["children"]
            if not isinstance(raw_children, list) or not raw_children:
                self.add("criteria.children_empty", raw, label)
                return None
            children = [c for c in (self.node(c, label, False) for c in raw_children) if c]
            # Sum the maxima as written, so a broken child does not hide this problem too.
            maxima = [c.get("max") if isinstance(c, dict) else None for c in raw_children]
            if node_max is not None and all(_is_number(m) and m > 0 for m in maxima):
                total = float(sum(maxima))
                if abs(total - node_max) > TOLERANCE:
                    self.add("criteria.children_sum", raw, label, total=_fmt(total),
                             max=_fmt(node_max))
            if len(children) != len(raw_children):
                return None
        else:
            rule = self.rule(raw["rule"], raw, label, node_max)
        evidence = self.flag(raw, "evidence_required", label)
        if not code or node_max is None or rule is None and not children:
            return None
        if name is None or kind not in KINDS:
            return None
        return Node(code=code, name=str(name).strip(), max=node_max, kind=kind,
                    name_en=_opt_str(raw.get("name_en")),
                    description=_opt_str(raw.get("description")),
                    rule=rule, children=tuple(children), line=raw.get(_LINE),
                    evidence_required=evidence)

    def document(self, raw: Any) -> CriteriaSet | None:
        if not isinstance(raw, dict):
            self.add("criteria.not_mapping", None)
            return None
        self.unknown_keys(raw, TOP_KEYS, None)
        set_id = raw.get("id")
        if set_id is None:
            self.add("criteria.missing_key", raw, key="id")
        elif not isinstance(set_id, str) or not _ID.match(set_id):
            self.add("criteria.bad_id", raw, value=set_id)
        for key in ("title", "level"):
            if raw.get(key) is None or str(raw.get(key)).strip() == "":
                self.add("criteria.missing_key", raw, key=key)
        year = raw.get("year")
        if year is None:
            self.add("criteria.missing_key", raw, key="year")
        elif not isinstance(year, int) or isinstance(year, bool) or not 1900 < year < 3000:
            self.add("criteria.bad_year", raw, value=year)
        scale = self.number(raw, "scale", None, positive=True)
        max_total = self.number(raw, "max_total", None, positive=True)
        bands: tuple[Band, ...] | None = ()
        if "bands" in raw:
            bands = self.bands(raw["bands"], raw, None, "label")
        ties = (raw.get("ranking") or {}).get("ties", "min") if isinstance(
            raw.get("ranking", {}), dict) else None
        if ties not in ("min", "dense"):
            self.add("criteria.ties", raw, value=ties)
        evidence = self.flag(raw, "evidence_required", None)
        surveys = self.surveys(raw.get("surveys"), raw)  # before the leaves that name them
        raw_domains = raw.get("domains")
        domains: list[Node] = []
        if not isinstance(raw_domains, list) or not raw_domains:
            self.add("criteria.no_domains", raw)
        else:
            domains = [d for d in (self.node(d, None, True) for d in raw_domains) if d]
            regular = [d for d in raw_domains
                       if isinstance(d, dict) and d.get("kind", "regular") == "regular"]
            maxima = [d.get("max") for d in regular]
            kinds_known = all(d.get("kind", "regular") in KINDS for d in raw_domains
                              if isinstance(d, dict))
            if not kinds_known:
                pass  # the bad kind is reported on its node; totals would only add noise
            elif not regular:
                self.add("criteria.no_regular", raw)
            elif max_total is not None and all(_is_number(m) and m > 0 for m in maxima):
                total = float(sum(maxima))
                if abs(total - max_total) > TOLERANCE:
                    self.add("criteria.max_total", raw, total=_fmt(total), max_total=_fmt(max_total))
        if errors_only(self.issues):
            return None
        return CriteriaSet(id=set_id, title=str(raw["title"]).strip(), year=year,
                           level=str(raw["level"]).strip(), domains=tuple(domains),
                           scale=scale if scale is not None else 100.0, max_total=max_total,
                           bands=bands or (), ties=ties, decision=_opt_str(raw.get("decision")),
                           title_en=_opt_str(raw.get("title_en")),
                           evidence_required=bool(evidence), surveys=surveys)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def _fmt(x: float) -> str:
    return f"{x:.10g}"


MAX_TEXT = 5 * 2**20  # a criteria file is a few hundred lines; this is far beyond any
MAX_EXPANDED_NODES = 200_000  # nodes after aliases are expanded (a real set has ~3,000)


def _expanded_size(root) -> int:
    """How many nodes the document has once every alias is expanded, counted on the
    composed graph (where an alias is one shared node) without expanding anything."""
    sizes: dict[int, int] = {}
    stack = [(root, False)]
    while stack:  # iterative: a deeply nested file cannot exhaust the Python stack
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = ([n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
                    else list(node.value) if isinstance(node, yaml.SequenceNode) else [])
        if done:
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children),
                                  MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes.get(id(root), 0)


def _guarded_load(text: str, file: str):
    """The YAML document, or the issue that refuses it. Aliases are composed (shared, cheap)
    and measured before anything is constructed, so a few hundred bytes of nested aliases
    (a "billion laughs") cannot expand into gigabytes."""
    if len(text) > MAX_TEXT:
        return None, Issue("criteria.too_big", {"size_mb": round(len(text) / 2**20, 1),
                                                "limit_mb": MAX_TEXT // 2**20}, file=file)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        if _expanded_size(root) > MAX_EXPANDED_NODES:
            return None, Issue("criteria.alias_bomb", {"limit": MAX_EXPANDED_NODES}, file=file)
        return loader.construct_document(root), None
    finally:
        loader.dispose()


def check_criteria_text(text: str, file: str = "<criteria>") -> tuple[CriteriaSet | None, list[Issue]]:
    """Validate YAML text; return the set (None if any error) and every issue."""
    checker = _Checker(file)
    try:
        raw, refused = _guarded_load(text, file)
        if refused is not None:
            return None, [refused]
    except RecursionError:
        return None, [Issue("criteria.too_deep", {}, file=file)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        issue = Issue("criteria.yaml_syntax", {"detail": str(getattr(exc, "problem", exc))},
                      file=file, line=line)
        return None, [issue]
    criteria = checker.document(raw)
    if criteria is not None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        criteria = replace(criteria, source=file, sha256=digest, yaml_text=text)
    return criteria, checker.issues


def check_criteria(path: str | Path) -> tuple[CriteriaSet | None, list[Issue]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Issue("file.not_found", {}, file=str(path))]
    except UnicodeDecodeError:
        return None, [Issue("file.not_utf8", {}, file=str(path))]
    except OSError as exc:
        return None, [Issue("file.unreadable", {"detail": exc.strerror}, file=str(path))]
    return check_criteria_text(text, str(path))


def load_criteria(path: str | Path) -> CriteriaSet:
    """The validated criteria set; raises ``ParError`` listing every problem."""
    criteria, issues = check_criteria(path)
    if criteria is None:
        raise ParError(issues)
    return criteria
