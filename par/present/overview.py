"""The first screen's sentences (par.analysis.overview in words), in the user's language."""
from __future__ import annotations

from par.analysis.overview import LevelOverview, UnitOverview
from par.decide.target import TargetPlan
from par.engine.scoring import Scorecard
from par.i18n import MESSAGES, t
from par.i18n.formatting import fmt_number, fmt_period, fmt_rank


def level_words(level: str, lang: str = "vi") -> str:
    """What a level's units are called ("xã, phường"); the level code when unknown."""
    key = f"home.level.{level}"
    return t(key, lang) if key in MESSAGES else level


def headline(ov: LevelOverview, card: Scorecard, lang: str = "vi") -> str:
    """'130 xã, phường — 98 đã nộp Quý III/2025; cao nhất …, thấp nhất …, tăng mạnh nhất …'."""
    text = t("home.headline", lang, units=ov.units, what=level_words(card.criteria.level, lang),
             submitted=ov.submitted, period=fmt_period(ov.period, lang),
             best=ov.best["name"], best_index=fmt_number(ov.best["index"], lang),
             worst=ov.worst["name"], worst_index=fmt_number(ov.worst["index"], lang))
    riser = ov.riser
    if riser is not None:
        text += t("home.riser", lang, name=riser["name"], change=int(riser["change"]))
    return text + "."


def unit_headline(uo: UnitOverview, lang: str = "vi") -> str:
    """'Xếp thứ 14/21 · 82,35% (↑2 bậc, +1,20 điểm so với kỳ trước)'."""
    rank = fmt_rank(uo.rank, uo.of) if uo.rank is not None else t("home.unranked", lang)
    text = t("app.headline", lang, rank=rank, index=fmt_number(uo.index, lang))
    if uo.rank_change is not None and uo.index_change is not None:
        if uo.rank_change > 0:
            move = t("home.up", lang, n=uo.rank_change)
        elif uo.rank_change < 0:
            move = t("home.down", lang, n=-uo.rank_change)
        else:
            move = t("home.same", lang)
        sign = "+" if uo.index_change >= 0 else ""
        text += " " + t("home.change", lang, move=move,
                        points=sign + fmt_number(uo.index_change, lang))
    return text


def next_rank_text(plan: TargetPlan | None, lang: str = "vi") -> str:
    """What the next rank up needs, in one sentence."""
    if plan is None:
        return t("home.top", lang)
    target = fmt_rank(plan.target_rank, plan.of)
    if not plan.reachable:
        return t("home.unreachable", lang, target=target)
    where = ", ".join(plan.gains["code"].head(3))
    return t("home.next_rank", lang, target=target,
             points=fmt_number(plan.points_needed, lang), where=where)


def due_text(uo: UnitOverview, lang: str = "vi") -> str:
    if uo.due is None:
        return t("home.nothing_due", lang)
    ends = uo.due_ends.strftime("%d/%m/%Y") if lang == "vi" else uo.due_ends.isoformat()
    return t("home.due", lang, period=fmt_period(uo.due, lang), ends=ends)
