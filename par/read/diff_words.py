"""What changed between two criteria sets (par.engine.diff), in words: one line per change,
for ``python -m par criteria diff`` and the dashboard's criteria-set page."""
from __future__ import annotations

from par.engine.diff import SetDiff
from par.i18n import t
from par.read.criteria_book import bands_text, number_text


def value_text(value, field: str | None, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return t("criteriabook.word.yes", lang) if value else t("criteriabook.word.no", lang)
    if isinstance(value, (int, float)):
        return number_text(value, lang)
    if field == "bands" and isinstance(value, list):
        from par.domain.models import Band

        if value and "points" in value[0]:
            return bands_text([Band(b.get("min", b.get("above")), "above" in b,
                                    points=b["points"]) for b in value], lang)
        return "; ".join(f"{b.get('label')} {'>' if 'above' in b else '≥'} "
                         f"{number_text(b.get('min', b.get('above')), lang)}" for b in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_text(v, None, lang)}" for k, v in value.items())
    return str(value)


def diff_text(diff: SetDiff, lang: str) -> str:
    """Every change on its own line, under a title counting them."""
    if diff.empty:
        return t("criteriabook.diff.none", lang, a=diff.a_id, b=diff.b_id)
    lines = [t("criteriabook.diff.title", lang, a=diff.a_id, b=diff.b_id,
               count=len(diff.changes))]
    for c in diff.changes:
        old, new = value_text(c.old, c.field, lang), value_text(c.new, c.field, lang)
        if c.kind == "moved":
            top = t("criteriabook.diff.top", lang)
            old, new = c.old or top, c.new or top
        if c.kind == "recoded":
            old, new = c.old, c.new
        if c.kind == "renamed":
            old, new = c.old, c.new
        lines.append(t(f"criteriabook.diff.{c.kind}", lang, code=c.code or "", name=c.name or "",
                       field=c.field or "", old=old, new=new))
    return "\n".join(lines)
