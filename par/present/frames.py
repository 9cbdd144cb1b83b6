"""Frames shaped for people: localised headers and formatted numbers (dashboard, exports)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.analysis.lagging import get_lagging
from par.engine.scoring import Scorecard
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_rank


def ranking_table(card: Scorecard, lang: str = "vi", change: pd.Series | None = None
                  ) -> pd.DataFrame:
    u = card.units
    has_groups = u["group"].notna().any()
    data = {
        t("col.rank", lang): [fmt_rank(r, o) for r, o in zip(u["rank"], u["of"])],
        t("col.unit", lang): u["name"].to_numpy(),
    }
    if has_groups:
        data[t("col.group", lang)] = u["group"].fillna("").to_numpy()
        data[t("col.group_rank", lang)] = [fmt_rank(r, o) for r, o in
                                           zip(u["group_rank"], u["group_of"])]
    data.update({
        t("col.index", lang): [fmt_number(v, lang) for v in u["index"]],
        t("col.score", lang): [fmt_number(v, lang) for v in u["score"]],
        t("col.max", lang): [fmt_number(v, lang) for v in u["max"]],
        t("col.band", lang): [card.criteria.grade_label(b, lang) or "" for b in u["band"].fillna("")],
        t("col.provisional", lang): [t("word.yes", lang) if p else "" for p in u["provisional"]],
    })
    if change is not None:
        data[t("col.rank_change", lang)] = [rank_change_text(change.get(i)) for i in u.index]
    return pd.DataFrame(data, index=u.index)


def lagging_table(card: Scorecard, unit: str, lang: str = "vi") -> pd.DataFrame:
    lag = get_lagging(card, unit)
    names = {c: n.display_name(lang) for c, n in card.criteria.nodes.items()}
    return pd.DataFrame({
        t("col.code", lang): lag["criterion"],
        t("col.criterion", lang): [names[c] for c in lag["criterion"]],
        **{t(f"col.{k}", lang): [fmt_number(v, lang) for v in lag[k]]
           for k in ("score", "max", "points_lost", "mean", "best")},
    })


def kpis(card: Scorecard) -> dict[str, float | int | None]:
    ranked = card.ranked
    return {"mean": float(ranked["index"].mean()) if len(ranked) else None,
            "best": float(ranked["index"].max()) if len(ranked) else None,
            "worst": float(ranked["index"].min()) if len(ranked) else None,
            "provisional": int(card.units["provisional"].sum())}


def preview_table(before: Scorecard, after: Scorecard, unit_ids: list[str], lang: str = "vi"
                  ) -> pd.DataFrame:
    """Index and rank of the uploaded units before and after the upload."""
    b, a = before.units, after.units
    return pd.DataFrame({
        t("col.unit", lang): [a.at[u, "name"] for u in unit_ids],
        t("col.index_before", lang): [fmt_number(b.at[u, "index"], lang) for u in unit_ids],
        t("col.index_after", lang): [fmt_number(a.at[u, "index"], lang) for u in unit_ids],
        t("col.rank_before", lang): [fmt_rank(b.at[u, "rank"], b.at[u, "of"]) for u in unit_ids],
        t("col.rank_after", lang): [fmt_rank(a.at[u, "rank"], a.at[u, "of"]) for u in unit_ids],
    })


def history_table(history: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    cols = ["id", "unit", "period", "stage", "status", "row_count", "user", "created_at",
            "source_name"]
    out = history[cols].copy()
    out["status"] = [t(f"status.{s}", lang) for s in out["status"]]
    out["stage"] = [t(f"stage.{s}", lang) for s in out["stage"]]
    out["created_at"] = out["created_at"].astype(str).str[:19]
    return out.rename(columns={c: t(f"hist.{c}", lang) for c in cols})


def localise(frame: pd.DataFrame, columns: dict[str, str], lang: str = "vi",
             numbers: tuple[str, ...] = ()) -> pd.DataFrame:
    """Keep ``columns`` (frame column → catalogue key), format ``numbers``, rename for people."""
    out = frame[list(columns)].copy()
    for col in numbers:
        out[col] = [fmt_number(v, lang) for v in out[col]]
    return out.rename(columns={c: t(k, lang) for c, k in columns.items()})


def strengths_table(card: Scorecard, unit: str, lang: str = "vi") -> pd.DataFrame:
    from par.analysis.lagging import get_strengths

    s = get_strengths(card, unit)
    names = {c: n.display_name(lang) for c, n in card.criteria.nodes.items()}
    s = s.assign(name=[names[c] for c in s["criterion"]])
    return localise(s, {"criterion": "col.code", "name": "col.criterion", "score": "col.score",
                        "max": "col.max", "mean": "col.mean", "best": "col.best"}, lang,
                    numbers=("score", "max", "mean", "best"))


def rank_change_text(change) -> str:
    if change is None or pd.isna(change) or change == 0:
        return "–" if change is None or pd.isna(change) else "="
    return f"↑{int(change)}" if change > 0 else f"↓{-int(change)}"


def filter_audit(frame: pd.DataFrame, actions=None, user: str = "", unit: str = "") -> pd.DataFrame:
    """The audit log narrowed to some actions (e.g. "refused"), a user and a unit; the user
    and unit match anywhere in the text, ignoring case. Newest first."""
    keep = np.ones(len(frame), dtype=bool)
    if actions:
        keep &= frame["action"].isin(list(actions)).to_numpy()
    for column, needle in (("user", user), ("unit", unit)):
        if needle and needle.strip():
            keep &= frame[column].fillna("").astype(str).str.contains(
                needle.strip(), case=False, regex=False).to_numpy()
    return frame[keep].sort_values("id", ascending=False)
