"""A criteria set as a workbook laid out like a published annex, and back (docs/criteria-workbook.md).

``write_criteria_book(criteria)`` writes three sheets: the set's header fields and grade bands
("Thông tin chung"), one row per node ("Tiêu chí": STT/Mã, name, max, then how it is scored
as structured columns) and short instructions. ``read_criteria_book(data, name)`` reads such
a workbook (or one typed by hand in the same layout: headings are found in the first rows,
in Vietnamese or English, and the parent column may be left out), builds the YAML text and
validates it with ``par.engine.criteria.check_criteria_text``; every problem names the sheet
and the cell. The bytes pass the hostile-file guard before calamine sees them.

Choice options are written in points, as published ("Kịp thời: 1; Không kịp thời: 0,5"), and
turned into the YAML's fractions of the leaf's max: the shortest fraction that gives back
those points, so a set written and read again scores exactly as before.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from par.domain.issues import Issue, ParError, errors_only
from par.domain.models import ALLOWED_AGGREGATES, KINDS, RULE_TYPES, CriteriaSet, Node
from par.engine.criteria import check_criteria_text
from par.i18n import LANGS, t
from par.read.criteria_yaml import criteria_yaml, plain_number
from par.read.tabular import cell_text, column_letter
from par.read.values import parse_number

NODE_COLUMNS = ["code", "name", "max", "parent", "kind", "type", "bands", "per_item", "options",
                "linear", "direction", "when_empty", "aggregate", "source", "evidence_required",
                "name_en", "description"]
REQUIRED_COLUMNS = ["code", "name", "max"]
SET_FIELDS = ["id", "title", "title_en", "decision", "year", "level", "scale", "max_total",
              "ties", "evidence_required"]
# the survey forms' sheet (SURVEY §1): a row per form (no question code), then its questions
SURVEY_COLUMNS = ["form", "form_name", "min_responses", "question", "text", "answer_options"]
GRADE_COLUMNS = ["grade", "condition", "grade_en"]
WIDTHS = {"code": 9, "name": 60, "max": 9, "parent": 9, "kind": 12, "type": 12, "bands": 34,
          "per_item": 10, "options": 40, "linear": 9, "direction": 13, "when_empty": 13,
          "aggregate": 13, "source": 22, "evidence_required": 12, "name_en": 40,
          "description": 60}
SURVEY_WIDTHS = {"form": 14, "form_name": 40, "min_responses": 12, "question": 10, "text": 70,
                 "answer_options": 50}
EXCLUDED_WORDS = ("không tính", "excluded", "null", "–", "-")
HEADER_SCAN = 30  # rows searched for the heading row (a published annex has a title above)
# Heading words a hand-made annex may use besides the catalogue's (folded).
ALIASES = {"code": ("stt", "mã", "stt / mã", "mã số", "mã tiêu chí", "tt"),
           "name": ("tên tiêu chí", "tiêu chí", "nội dung", "lĩnh vực/tiêu chí", "criterion",
                    "name"),
           "max": ("điểm tối đa", "điểm chuẩn", "max", "điểm")}
MIN_WORDS = ("từ", "min", "≥", ">=", "at least", "tối thiểu")
ABOVE_WORDS = ("trên", "above", ">", "over", "hơn")
ELSE_WORDS = ("dưới", "below", "<", "còn lại", "else", "otherwise")
YES = {"có", "yes", "x", "1", "true", "đúng"}
NO = {"", "không", "no", "0", "false"}


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


def _words(prefix: str, values) -> dict[str, str]:
    """Folded word (either language, or the YAML value itself) → the YAML value."""
    out = {}
    for value in values:
        out[_fold(value)] = value
        out[_fold(value.replace("_", " "))] = value
        for lang in LANGS:
            out[_fold(t(f"criteriabook.{prefix}.{value}", lang))] = value
    return out


def _vocab() -> dict[str, dict[str, str]]:
    return {"type": _words("type", RULE_TYPES), "kind": _words("kind", KINDS),
            "aggregate": _words("aggregate", ("sum", "last", "mean", "max", "min")),
            "direction": _words("direction", ("higher_is_better", "lower_is_better")),
            "when_empty": _words("when_empty", ("na", "full", "zero")),
            "ties": _words("ties", ("min", "dense"))}


# -- numbers as text ------------------------------------------------------------------------

def number_text(x: float, lang: str = "vi") -> str:
    """The shortest text that reads back as exactly ``x`` (decimal comma in Vietnamese)."""
    x = float(x)
    text = str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    return text.replace(".", ",") if lang == "vi" else text


def fraction_of(points: float, node_max: float) -> float:
    """The option's fraction of the leaf max: the shortest decimal whose product with the max
    is exactly the points typed (the scorer multiplies the max by it), else the nearest."""
    raw = points / node_max
    candidates = [float(f"{raw:.{digits}g}") for digits in range(1, 18)]
    near, up, down = [raw], raw, raw
    for _ in range(3):  # a product and a division each round once: look a few ulps around
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        near += [up, down]
    exact = [c for c in candidates + near if c * node_max == points]
    if exact:
        return min(exact, key=lambda c: (len(repr(c)), abs(c - raw)))
    return raw


def points_text(fraction: float, node_max: float, lang: str = "vi") -> str:
    """An option's points as published: the shortest figure that reads back as a fraction
    scoring exactly the same points."""
    points = node_max * fraction
    for digits in range(1, 18):
        text = f"{points:.{digits}g}"
        if fraction_of(float(text), node_max) * node_max == points:
            return number_text(float(text), lang)
    return number_text(points, lang)


def bands_text(bands, lang: str = "vi") -> str:
    word = {False: t("criteriabook.word.min", lang), True: t("criteriabook.word.above", lang)}
    return "; ".join(f"{word[b.strict]} {number_text(b.bound, lang)}: "
                     f"{number_text(b.points, lang)}" for b in bands)


def options_text(options: dict[str, float], node_max: float, lang: str = "vi") -> str:
    sep = "\n" if any(c in label for label in options for c in ";:\n") else "; "
    return sep.join(f"{label}: {points_text(f, node_max, lang)}" for label, f in options.items())


_NUM = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[-+]?\d+)?"
_BAND = re.compile(rf"^(?:.*?\s)?(?P<cond>{'|'.join(map(re.escape, MIN_WORDS + ABOVE_WORDS + ELSE_WORDS))})"
                   rf"\s*(?P<bound>{_NUM})\s*%?(?:\s*(?:-|–|đến|to)\s*{_NUM}\s*%?)?[^:]*:\s*"
                   rf"(?P<points>{_NUM})\s*(?:điểm|points?)?$")
_ELSE = re.compile(rf"^(?:còn lại|else|otherwise)\s*:\s*(?P<points>{_NUM})\s*(?:điểm|points?)?$")
_CONDITION = re.compile(rf"^(?:(?P<cond>{'|'.join(map(re.escape, MIN_WORDS + ABOVE_WORDS))})\s*)?"
                        rf"(?P<bound>{_NUM})\s*%?\s*(?:trở lên|or more)?$")


def _segments(text: str) -> list[str]:
    parts = text.split("\n") if "\n" in text else text.split(";")
    return [p.strip() for p in parts if p.strip()]


def _num(text: str) -> float | None:
    return parse_number(text)


# -- writing ----------------------------------------------------------------------------------

def _put(ws, row: int, column: int, value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row, column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, never a formula
    return cell


def _node_values(node: Node, parent: str | None, lang: str) -> dict[str, Any]:
    w = lambda prefix, value: t(f"criteriabook.{prefix}.{value}", lang)
    out: dict[str, Any] = {"code": node.code, "name": node.name,
                           "max": int(node.max) if node.max.is_integer() else node.max,
                           "parent": parent or "", "name_en": node.name_en or "",
                           "description": node.description or "",
                           "kind": "" if node.kind == "regular" else w("kind", node.kind)}
    if node.evidence_required is not None:
        out["evidence_required"] = t("criteriabook.word.yes" if node.evidence_required
                                     else "criteriabook.word.no", lang)
    r = node.rule
    if r is None:
        return out
    out["type"] = w("type", r.type)
    if r.source is not None:
        out["source"] = f"{r.source.form}: {', '.join(r.source.questions)}"
    out["aggregate"] = w("aggregate", r.aggregate)
    if r.bands is not None:
        out["bands"] = bands_text(r.bands, lang)
    if r.per_item is not None:
        out["per_item"] = int(r.per_item) if r.per_item.is_integer() else r.per_item
    if r.options is not None:
        out["options"] = options_text(r.options, node.max, lang)
    if r.type == "ratio":
        out["linear"] = t("criteriabook.word.yes", lang) if r.linear else ""
        out["direction"] = w("direction", r.direction)
        out["when_empty"] = w("when_empty", r.when_empty)
    return out


def write_criteria_book(criteria: CriteriaSet, lang: str = "vi") -> bytes:
    """The workbook of a criteria set (headings and words in ``lang``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    lang = lang if lang in LANGS else "vi"
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="BDD7EE")
    branch_fill = PatternFill("solid", fgColor="EDEDED")
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    ws = wb.active
    ws.title = t("criteriabook.sheet.set", lang)
    _put(ws, 1, 1, t("criteriabook.title", lang)).font = Font(bold=True, size=14)
    values = {"id": criteria.id, "title": criteria.title, "title_en": criteria.title_en or "",
              "decision": criteria.decision or "", "year": criteria.year,
              "level": criteria.level,
              "scale": int(criteria.scale) if criteria.scale.is_integer() else criteria.scale,
              "max_total": "" if criteria.max_total is None else (
                  int(criteria.max_total) if criteria.max_total.is_integer()
                  else criteria.max_total),
              "ties": t(f"criteriabook.ties.{criteria.ties}", lang),
              "evidence_required": t("criteriabook.word.yes", lang)
              if criteria.evidence_required else ""}
    row = 3
    for key in SET_FIELDS:
        _put(ws, row, 1, t(f"criteriabook.field.{key}", lang)).font = bold
        _put(ws, row, 2, values[key]).alignment = wrap
        _put(ws, row, 3, key)  # the YAML key, for whoever reads both
        row += 1
    row += 1
    for i, key in enumerate(GRADE_COLUMNS, start=1):
        cell = _put(ws, row, i, t(f"criteriabook.col.{key}", lang))
        cell.font, cell.fill = bold, head_fill
    for band in criteria.bands:
        row += 1
        word = t("criteriabook.word.above" if band.strict else "criteriabook.word.min", lang)
        _put(ws, row, 1, band.label)
        _put(ws, row, 2, f"{word} {number_text(band.bound, lang)}")
        _put(ws, row, 3, band.label_en or "")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 90
    ws.column_dimensions["C"].width = 14

    nodes = wb.create_sheet(t("criteriabook.sheet.nodes", lang))
    _put(nodes, 1, 1, t("criteriabook.nodes_title", lang)).font = Font(bold=True, size=14)
    _put(nodes, 2, 1, criteria.title).font = Font(italic=True)
    header = 4
    for i, key in enumerate(NODE_COLUMNS, start=1):
        cell = _put(nodes, header, i, t(f"criteriabook.col.{key}", lang))
        cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
        nodes.column_dimensions[column_letter(i - 1)].width = WIDTHS[key]
    row = header
    for node in (n for d in criteria.domains for n in d.walk()):
        row += 1
        for i, key in enumerate(NODE_COLUMNS, start=1):
            value = _node_values(node, criteria.parent_of.get(node.code), lang).get(key, "")
            cell = _put(nodes, row, i, value)
            cell.alignment = wrap
            if key in ("code", "parent"):
                cell.number_format = "@"  # "1.10" stays text in Excel
            if not node.is_leaf:
                cell.font, cell.fill = bold, branch_fill
    nodes.freeze_panes = f"D{header + 1}"

    if criteria.surveys:
        _write_surveys(wb.create_sheet(t("criteriabook.sheet.surveys", lang)), criteria, lang,
                       (bold, head_fill, branch_fill, wrap))

    help_ws = wb.create_sheet(t("criteriabook.sheet.help", lang))
    help_ws.column_dimensions["A"].width = 130
    for i, line in enumerate(t("criteriabook.help.lines", lang, sheet=nodes.title).split("\n"),
                             start=1):
        _put(help_ws, i, 1, line).alignment = wrap
    wb.properties.title, wb.properties.creator = criteria.title, "par"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def survey_options_text(options: dict, lang: str = "vi") -> str:
    """{"A": 100, "E": None} → "A: 100; E: không tính" (percent of each answer)."""
    excluded = t("criteriabook.word.excluded", lang)
    return "; ".join(f"{label}: {excluded if v is None else number_text(v, lang)}"
                     for label, v in options.items())


def _write_surveys(ws, criteria: CriteriaSet, lang: str, styles) -> None:
    bold, head_fill, form_fill, wrap = styles
    header = 1
    for i, key in enumerate(SURVEY_COLUMNS, start=1):
        cell = _put(ws, header, i, t(f"criteriabook.col.{key}", lang))
        cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
        ws.column_dimensions[column_letter(i - 1)].width = SURVEY_WIDTHS[key]
    row = header
    for form in criteria.surveys:
        row += 1
        values = {"form": form.id, "form_name": form.name, "min_responses": form.min_responses,
                  "answer_options": survey_options_text(form.options, lang)}
        for i, key in enumerate(SURVEY_COLUMNS, start=1):
            cell = _put(ws, row, i, values.get(key, ""))
            cell.font, cell.fill, cell.alignment = bold, form_fill, wrap
        for q in form.questions:
            row += 1
            values = {"form": form.id, "question": q.code, "text": q.text,
                      "answer_options": "" if q.options is None
                      else survey_options_text(q.options, lang)}
            for i, key in enumerate(SURVEY_COLUMNS, start=1):
                cell = _put(ws, row, i, values.get(key, ""))
                cell.alignment = wrap
                if key == "question":
                    cell.number_format = "@"
    ws.freeze_panes = f"A{header + 1}"


# -- reading ----------------------------------------------------------------------------------

@dataclass
class _Reader:
    file: str
    issues: list[Issue] = field(default_factory=list)
    vocab: dict = field(default_factory=_vocab)
    # where each YAML item came from, to point the checker's problems at cells
    node_row: dict[str, int] = field(default_factory=dict)
    node_sheet: str | None = None
    node_cols: dict[str, int] = field(default_factory=dict)
    set_sheet: str | None = None
    set_cell: dict[str, str] = field(default_factory=dict)
    grade_cell: str | None = None

    def add(self, message: str, sheet: str | None, cell: str | None = None,
            severity: str = "error", node: str | None = None, **params) -> None:
        self.issues.append(Issue(message, params, file=self.file, sheet=sheet, cell=cell,
                                 node=node, severity=severity))

    def node_cell(self, code: str | None, key: str) -> str | None:
        row = self.node_row.get(code or "")
        col = self.node_cols.get(key, self.node_cols.get("code"))
        return None if row is None or col is None else f"{column_letter(col)}{row}"

    def word(self, kind: str, text: str, sheet: str, cell: str) -> str | None:
        value = self.vocab[kind].get(_fold(text))
        if value is None:
            allowed = sorted({t(f"criteriabook.{kind}.{v}", "vi") for v in set(
                self.vocab[kind].values())})
            self.add("criteriabook.bad_word", sheet, cell, value=text, allowed=", ".join(allowed))
        return value


def _rows(book, sheet: str) -> list[list[str]]:
    return [[cell_text(v).strip() for v in r]
            for r in book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)]


def _find_sheet(book, key: str, test) -> str | None:
    names = {_fold(t(f"criteriabook.sheet.{key}", lang)) for lang in LANGS}
    for name in book.sheet_names:
        if _fold(name) in names:
            return name
    for name in book.sheet_names:  # a hand-made workbook: the sheet that looks right
        if test(name):
            return name
    return None


def _heading_index() -> dict[str, str]:
    out = {}
    for key in NODE_COLUMNS:
        for lang in LANGS:
            out[_fold(t(f"criteriabook.col.{key}", lang))] = key
        out[_fold(key)] = key
    for key, names in ALIASES.items():
        for name in names:
            out.setdefault(_fold(name), key)
    return out


def _find_header(rows: list[list[str]]) -> tuple[int | None, dict[str, int]]:
    index = _heading_index()
    for r, cells in enumerate(rows[:HEADER_SCAN]):
        found: dict[str, int] = {}
        for c, text in enumerate(cells):
            key = index.get(_fold(text))
            if key and key not in found:
                found[key] = c
        if all(k in found for k in REQUIRED_COLUMNS):
            return r, found
    return None, {}


def _parse_bands(text: str, reader: _Reader, sheet: str, cell: str) -> list[dict] | None:
    out, ok = [], True
    for part in _segments(text):
        folded = _fold(part)
        match = _BAND.match(folded)
        else_match = _ELSE.match(folded)
        if match is None and else_match is None:
            reader.add("criteriabook.bad_band", sheet, cell, value=part)
            ok = False
            continue
        cond = match.group("cond") if match else "còn lại"
        points = _num((match or else_match).group("points"))
        if cond in ELSE_WORDS:  # "dưới 70%: 0": what the rule gives anyway
            if points != 0:
                reader.add("criteriabook.band_else", sheet, cell, value=part)
                ok = False
            continue
        bound = _num(match.group("bound"))
        if bound is None or points is None:
            reader.add("criteriabook.bad_band", sheet, cell, value=part)
            ok = False
            continue
        out.append({"above" if cond in ABOVE_WORDS else "min": plain_number(bound),
                    "points": plain_number(points)})
    return out if ok else None


_OPTION = re.compile(rf"\s*(?P<label>.+?)[ \t]*:[ \t]*(?P<points>{_NUM})[ \t]*(?:điểm|points?)?"
                     r"[ \t]*(?:;|\n|$)", re.I | re.S)


def _split_options(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """[(label, points text)] from 'A: 1; B: 0,5' (a label may hold ':' or ';'); the part
    that could not be read, if any."""
    out, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip(" ;\n"):
            break
        match = _OPTION.match(text, pos)
        if match is None:
            rest = text[pos:].strip(" ;\n")
            return out, rest.split(";")[0].split("\n")[0] or rest
        out.append((match.group("label").strip(), match.group("points")))
        pos = match.end()
    return out, None


def _parse_options(text: str, node_max: float | None, reader: _Reader, sheet: str,
                   cell: str) -> dict | None:
    parts, bad = _split_options(text)
    if bad is not None:
        reader.add("criteriabook.bad_option", sheet, cell, value=bad)
        return None
    out, ok = {}, True
    for label, value in parts:
        points = _num(value)
        if not label or points is None or points < 0:
            reader.add("criteriabook.bad_option", sheet, cell, value=f"{label}: {value}")
            ok = False
            continue
        if label in out:
            reader.add("criteriabook.duplicate_option", sheet, cell, label=label)
            ok = False
            continue
        if node_max is None:
            reader.add("criteriabook.options_without_max", sheet, cell)
            return None
        if points > node_max + 1e-9:
            reader.add("criteriabook.option_over_max", sheet, cell, label=label,
                       points=number_text(points), max=number_text(node_max))
            ok = False
            continue
        out[label] = plain_number(fraction_of(points, node_max))
    return out if ok else None





def _read_set_sheet(rows: list[list[str]], sheet: str, reader: _Reader) -> dict:
    labels = {}
    for key in SET_FIELDS:
        labels[_fold(key)] = key
        for lang in LANGS:
            labels[_fold(t(f"criteriabook.field.{key}", lang))] = key
    grade_head = {_fold(t("criteriabook.col.grade", lang)) for lang in LANGS} | {"bands",
                                                                               "grade"}
    out: dict[str, Any] = {}
    grades: list[dict] | None = None
    for r, cells in enumerate(rows, start=1):
        cells = cells + ["", "", ""]
        first = _fold(cells[0])
        if grades is not None:
            if not any(cells[:3]):
                break
            _grade_row(cells, r, sheet, reader, grades)
            continue
        if first in grade_head:
            grades = []
            reader.grade_cell = f"A{r}"
            continue
        key = labels.get(first) or labels.get(_fold(cells[2]))
        if key is None:
            continue
        reader.set_cell[key] = f"B{r}"
        text = cells[1]
        if text == "":
            continue
        if key in ("year", "scale", "max_total"):
            number = _num(text)
            if number is None:
                reader.add("criteriabook.not_a_number", sheet, f"B{r}", value=text)
                continue
            out[key] = plain_number(number)
        elif key == "ties":
            value = reader.word("ties", text, sheet, f"B{r}")
            if value:
                out["ranking"] = {"ties": value}
        elif key == "evidence_required":
            value = _yes_no(text, reader, sheet, f"B{r}")
            if value:
                out["evidence_required"] = True
        else:
            out[key] = text
    if grades:
        out["bands"] = grades
    return out


def _grade_row(cells: list[str], r: int, sheet: str, reader: _Reader, grades: list) -> None:
    label, condition, label_en = cells[0], cells[1], cells[2]
    match = _CONDITION.match(_fold(condition))
    bound = _num(match.group("bound")) if match else None
    if bound is None:
        reader.add("criteriabook.bad_band", sheet, f"B{r}", value=condition)
        return
    band = {"above" if match.group("cond") in ABOVE_WORDS else "min": plain_number(bound),
            "label": label}
    if label_en:
        band["label_en"] = label_en
    grades.append(band)


def _read_node_sheet(rows: list[list[str]], sheet: str, reader: _Reader) -> list[dict] | None:
    header, cols = _find_header(rows)
    if header is None:
        columns = ", ".join(t(f"criteriabook.col.{k}", "vi") for k in REQUIRED_COLUMNS)
        reader.add("criteriabook.no_header", sheet, None, columns=columns)
        return None
    reader.node_cols = cols
    by_code: dict[str, dict] = {}
    top: list[dict] = []
    for r, cells in enumerate(rows[header + 1:], start=header + 2):
        get = lambda k: cells[cols[k]] if k in cols and cols[k] < len(cells) else ""
        at = lambda k: f"{column_letter(cols[k])}{r}"
        if not any(get(k) for k in cols):
            continue
        code = get("code")
        if not code:
            reader.add("criteriabook.no_code", sheet, at("code"))
            continue
        if code in by_code:
            reader.add("criteriabook.duplicate_code", sheet, at("code"), code=code,
                       row=reader.node_row[code])
            continue
        reader.node_row[code] = r
        node: dict[str, Any] = {"code": code}
        if get("name"):
            node["name"] = get("name")
        if get("name_en"):
            node["name_en"] = get("name_en")
        node_max = None
        if get("max"):
            node_max = _num(get("max"))
            if node_max is None:
                reader.add("criteriabook.not_a_number", sheet, at("max"), value=get("max"))
            else:
                node["max"] = plain_number(node_max)
        if get("kind"):
            kind = reader.word("kind", get("kind"), sheet, at("kind"))
            if kind and kind != "regular":
                node["kind"] = kind
        if get("evidence_required"):
            flag = _yes_no(get("evidence_required"), reader, sheet, at("evidence_required"))
            if flag is not None:
                node["evidence_required"] = flag
        rule = _read_rule(get, at, node_max, sheet, reader)
        if rule is not None:
            node["rule"] = rule
        if get("description"):
            node["description"] = get("description")
        parent = get("parent") or _dotted_parent(code, by_code)
        if parent:
            if parent not in by_code:
                reader.add("criteriabook.unknown_parent", sheet, at("parent") if "parent" in cols
                           else at("code"), parent=parent)
                continue
            by_code[parent].setdefault("children", []).append(node)
        else:
            top.append(node)
        by_code[code] = node
    if not by_code and not errors_only(reader.issues):
        reader.add("criteriabook.no_rows", sheet, None)
    return top


def _yes_no(text: str, reader: _Reader, sheet: str, cell: str) -> bool | None:
    folded = _fold(text)
    if folded in YES:
        return True
    if folded in NO:
        return False
    reader.add("criteriabook.bad_word", sheet, cell, value=text, allowed=", ".join(
        t(f"criteriabook.word.{w}", lang) for w in ("yes", "no") for lang in LANGS))
    return None


_SOURCE = re.compile(r"^\s*(?P<form>[^:]+?)\s*:\s*(?P<questions>.+?)\s*$")


def _read_source(text: str, reader: _Reader, sheet: str, cell: str) -> dict | None:
    """"sipas: Q1, Q2" → {form: sipas, questions: [Q1, Q2]}."""
    match = _SOURCE.match(text)
    questions = [q for q in re.split(r"[,;\s]+", match.group("questions")) if q] if match else []
    if not match or not questions:
        reader.add("criteriabook.bad_source", sheet, cell, value=text)
        return None
    return {"form": match.group("form"), "questions": questions}


def _dotted_parent(code: str, known: dict) -> str | None:
    parts = code.split(".")
    for n in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            return candidate
    return None


def _read_rule(get, at, node_max, sheet: str, reader: _Reader) -> dict | None:
    if not get("type"):
        return None  # a branch; the checker says so if it has no children
    rtype = reader.word("type", get("type"), sheet, at("type"))
    if rtype is None:
        return {"type": "?"}  # keeps the row a leaf; the word is already reported
    rule: dict[str, Any] = {"type": rtype}
    if get("bands"):
        bands = _parse_bands(get("bands"), reader, sheet, at("bands"))
        rule["bands"] = bands if bands is not None else [{"min": 0, "points": 0}]
    if get("linear"):
        text = _fold(get("linear"))
        if text in YES:
            rule["linear"] = True
        elif text not in NO:
            reader.add("criteriabook.bad_word", sheet, at("linear"), value=get("linear"),
                       allowed=f"{t('criteriabook.word.yes', 'vi')}, {t('criteriabook.word.yes', 'en')}")
    if get("per_item"):
        per_item = _num(get("per_item"))
        if per_item is None:
            reader.add("criteriabook.not_a_number", sheet, at("per_item"), value=get("per_item"))
        else:
            rule["per_item"] = plain_number(per_item)
    if get("options"):
        options = _parse_options(get("options"), node_max, reader, sheet, at("options"))
        if options is not None:
            rule["options"] = options
    for key in ("direction", "when_empty"):
        if get(key):
            value = reader.word(key, get(key), sheet, at(key))
            default = "higher_is_better" if key == "direction" else "na"
            if value and value != default:
                rule[key] = value
    if get("aggregate"):
        value = reader.word("aggregate", get("aggregate"), sheet, at("aggregate"))
        if value and value != ALLOWED_AGGREGATES[rtype][0]:
            rule["aggregate"] = value
    if get("source"):
        source = _read_source(get("source"), reader, sheet, at("source"))
        if source is not None:
            rule["source"] = source
    return rule


def _read_survey_options(text: str, reader: _Reader, sheet: str, cell: str) -> dict | None:
    """"A: 100; B: 60; E: không tính" → {A: 100, B: 60, E: None}."""
    excluded = {_fold(w) for w in EXCLUDED_WORDS} | {
        _fold(t("criteriabook.word.excluded", lang)) for lang in LANGS}
    out: dict[str, Any] = {}
    for part in (p for p in re.split(r"[;\n]", text) if p.strip()):
        label, sep, value = part.rpartition(":")
        label = label.strip()
        if not sep or not label:
            reader.add("criteriabook.bad_survey_option", sheet, cell, value=part.strip())
            return None
        if _fold(value) in excluded:
            out[label] = None
            continue
        number = _num(value.strip().rstrip("%").strip())
        if number is None:
            reader.add("criteriabook.bad_survey_option", sheet, cell, value=part.strip())
            return None
        out[label] = plain_number(number)
    return out


def _read_survey_sheet(rows: list[list[str]], sheet: str, reader: _Reader) -> list[dict]:
    names = {}
    for key in SURVEY_COLUMNS:
        names[_fold(key)] = key
        for lang in LANGS:
            names[_fold(t(f"criteriabook.col.{key}", lang))] = key
    header = next((i for i, r in enumerate(rows[:HEADER_SCAN])
                   if {"form", "question"} <= {names.get(_fold(c)) for c in r}), None)
    if header is None:
        reader.add("criteriabook.no_header", sheet, None, columns=", ".join(
            t(f"criteriabook.col.{k}", "vi") for k in ("form", "question", "text")))
        return []
    cols = {names[_fold(c)]: j for j, c in enumerate(rows[header]) if _fold(c) in names}
    forms: dict[str, dict] = {}
    for r, cells in enumerate(rows[header + 1:], start=header + 2):
        get = lambda k: cells[cols[k]] if k in cols and cols[k] < len(cells) else ""
        at = lambda k: f"{column_letter(cols.get(k, 0))}{r}"
        if not any(cells):
            continue
        form_id = get("form")
        if not form_id:
            reader.add("criteriabook.no_form", sheet, at("form"))
            continue
        form = forms.setdefault(form_id, {"id": form_id, "questions": []})
        options = (_read_survey_options(get("answer_options"), reader, sheet,
                                        at("answer_options"))
                   if get("answer_options") else None)
        if not get("question"):  # the form's own row
            if get("form_name"):
                form["name"] = get("form_name")
            if get("min_responses"):
                n = _num(get("min_responses"))
                if n is None:
                    reader.add("criteriabook.not_a_number", sheet, at("min_responses"),
                               value=get("min_responses"))
                else:
                    form["min_responses"] = plain_number(n)
            if options is not None:
                form["options"] = options
            continue
        question = {"code": get("question"), "text": get("text")}
        if options is not None:
            question["options"] = options
        form["questions"].append(question)
    return list(forms.values())


# -- the checker's problems, at their cells ---------------------------------------------------

_NODE_KEY_COLUMN = {"code": "code", "name": "name", "max": "max", "per_item": "per_item",
                    "label": "bands"}
_ISSUE_COLUMN = {
    "criteria.duplicate_code": "code", "criteria.children_sum": "max",
    "criteria.kind": "kind", "criteria.kind_not_top": "kind",
    "criteria.children_or_rule": "type", "criteria.children_empty": "type",
    "criteria.rule_type": "type", "criteria.rule_not_mapping": "type",
    "criteria.aggregate": "aggregate", "criteria.direction": "direction",
    "criteria.when_empty": "when_empty", "criteria.not_a_bool": "linear",
    "criteria.options_missing": "options", "criteria.option_fraction": "options",
    "criteria.ratio_bands_or_linear": "bands", "criteria.count_bands_or_per_item": "bands",
    "criteria.survey_bands_or_linear": "bands", "criteria.bands_not_list": "bands",
    "criteria.band_not_mapping": "bands", "criteria.band_bound": "bands",
    "criteria.band_points_negative": "bands", "criteria.band_points_over_max": "bands",
}
_SET_KEY = {"criteria.bad_id": "id", "criteria.bad_year": "year", "criteria.ties": "ties",
            "criteria.max_total": "max_total"}


def _placed(issue: Issue, reader: _Reader) -> Issue:
    """A checker issue moved from the YAML text to the workbook cell it came from."""
    from dataclasses import replace

    key = issue.params.get("key")
    if issue.node and issue.node.split("/")[0] in reader.node_row:
        code = issue.node
        column = (_ISSUE_COLUMN.get(issue.code) or (issue.params.get("key") if issue.code ==
                  "criteria.param_not_for_type" else None) or _NODE_KEY_COLUMN.get(key, "code"))
        if column not in reader.node_cols:
            column = "code"
        return replace(issue, file=reader.file, sheet=reader.node_sheet, line=None,
                       cell=reader.node_cell(code, column))
    field_key = _SET_KEY.get(issue.code) or key
    if issue.code in ("criteria.band_bound", "criteria.bands_not_list") or key == "label":
        cell = reader.grade_cell
    elif issue.code in ("criteria.no_domains", "criteria.no_regular"):
        return replace(issue, file=reader.file, sheet=reader.node_sheet, line=None)
    else:
        cell = reader.set_cell.get(field_key or "")
    return replace(issue, file=reader.file, sheet=reader.set_sheet, line=None, cell=cell)


def read_criteria_book(data: bytes, name: str) -> tuple[CriteriaSet | None, str | None,
                                                          list[Issue]]:
    """(the set or None, its YAML text or None, every issue) from an untrusted workbook."""
    from par.read.guard import check_xlsx

    refused = check_xlsx(data, name)
    if refused:
        return None, None, refused
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        return None, None, [Issue("file.bad_xlsx", {"detail": str(exc).strip()[:200]},
                                  file=name)]
    reader = _Reader(name)
    node_sheet = _find_sheet(book, "nodes", lambda s: _find_header(_rows(book, s))[0]
                             is not None)
    set_sheet = _find_sheet(book, "set", lambda s: s != node_sheet and any(
        _fold(r[0]) in {_fold(t("criteriabook.field.id", lang)) for lang in LANGS} | {"id"}
        for r in _rows(book, s) if r))
    sheets = ", ".join(book.sheet_names)
    for found, key in ((set_sheet, "set"), (node_sheet, "nodes")):
        if found is None:
            reader.add("criteriabook.no_sheet", None, expected=t(f"criteriabook.sheet.{key}", "vi"),
                       sheets=sheets)
    if set_sheet is None or node_sheet is None:
        return None, None, reader.issues
    reader.set_sheet, reader.node_sheet = set_sheet, node_sheet
    document = _read_set_sheet(_rows(book, set_sheet), set_sheet, reader)
    domains = _read_node_sheet(_rows(book, node_sheet), node_sheet, reader)
    survey_sheet = _find_sheet(book, "surveys", lambda s: False)  # every problem at once
    if survey_sheet is not None:
        forms = _read_survey_sheet(_rows(book, survey_sheet), survey_sheet, reader)
        if forms:
            document["surveys"] = forms
    if domains is None or errors_only(reader.issues):
        return None, None, reader.issues
    document["domains"] = domains
    text = criteria_yaml(document, Path(name).name)
    criteria, issues = check_criteria_text(text, name)
    issues = reader.issues + [_placed(i, reader) for i in issues]
    return criteria, (text if criteria is not None else None), issues


def load_criteria_book(path: str | Path) -> tuple[CriteriaSet, str]:
    """(the set, its YAML text) from a workbook file; raises ``ParError`` with every problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=str(path))]) from None
    criteria, text, issues = read_criteria_book(data, str(path))
    if criteria is None:
        raise ParError(issues)
    return criteria, text
