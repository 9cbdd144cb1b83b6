"""Frames shaped for people: localised headers and formatted numbers (dashboard, exports)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from par.analysis.lagging import get_lagging
from par.engine.scoring import Scorecard
from par.engine.standing import submitted
from par.i18n import t
from par.i18n.formatting import fmt_number, fmt_rank, round_half_up
from par.present.tables import Format, Shown, group_label, number, numeric


def ranking_table(card: Scorecard, lang: str = "vi", change: pd.Series | None = None
                  ) -> Shown:
    """The ranking, best first: ranks, index, score and max stay numbers (sorted as numbers,
    shown "14/21", "87,77"); a unit without data in the period reads "chưa nộp" in the rank
    column (par.engine.standing); groups by name (Xã, Phường). Indexed by unit id."""
    u = card.units
    has_groups = u["group"].notna().any()
    missing = u.index[~submitted(card).to_numpy()]
    rank, unit = t("col.rank", lang), t("col.unit", lang)
    data = {rank: numeric(u["rank"]), unit: u["name"].to_numpy()}
    formats = [Format(rank, lambda r, of=_of(u["of"]): fmt_rank(r, of)),
               Format(rank, lambda _r: t("word.not_submitted", lang), missing)]
    if has_groups:
        group, group_rank = t("col.group", lang), t("col.group_rank", lang)
        data[group] = [group_label(g, lang) for g in u["group"]]
        data[group_rank] = numeric(u["group_rank"])
        formats.append(Format(group_rank, lambda _r: "–"))
        for code, rows in u.groupby("group", sort=False).groups.items():
            of = _of(u.loc[rows, "group_of"])
            formats.append(Format(group_rank, lambda r, of=of: fmt_rank(r, of), pd.Index(rows)))
        formats.append(Format(group_rank, lambda _r: t("word.not_submitted", lang), missing))
    index, score, amax = t("col.index", lang), t("col.score", lang), t("col.max", lang)
    data.update({
        index: numeric(u["index_2dp"]), score: numeric(u["score"]), amax: numeric(u["max"]),
        t("col.band", lang): [card.criteria.grade_label(b, lang) or ""
                              for b in u["band"].fillna("")],
        t("col.provisional", lang): [t("word.yes", lang) if p else "" for p in u["provisional"]],
    })
    formats += [Format(c, number(lang)) for c in (index, score, amax)]
    if change is not None and pd.Series(change, dtype=object).notna().any():
        # no column at all when nothing can be compared (the first period of a level):
        # a column of empty cells reads "None" in the grid
        moved = t("col.rank_change", lang)
        data[moved] = numeric([change.get(i) for i in u.index])
        formats.append(Format(moved, rank_change_text))
    return Shown(pd.DataFrame(data, index=u.index), formats)


def _of(values) -> int:
    """The one "of" of a ranking (0 when nobody is ranked)."""
    found = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    return int(found.max()) if len(found) else 0


def ranking_download(card: Scorecard, shown: Shown, lang: str = "vi") -> pd.DataFrame:
    """The ranking as shown (its rows, in its order) for a spreadsheet: numbers as numbers
    (index to 2 decimals, the figure that ranks), a rank as two numbers (rank, units ranked)
    so no spreadsheet reads "3/12" as a date, words for groups, grades and "chưa nộp"."""
    text = shown.text()
    u = card.units.loc[shown.frame.index]
    out = pd.DataFrame(index=u.index)
    out[t("col.rank", lang)] = u["rank"].astype("Int64")
    out[t("col.of", lang)] = u["of"].where(u["rank"].notna()).astype("Int64")
    for column in shown.columns[1:]:
        if column == t("col.group_rank", lang):
            out[column] = u["group_rank"].astype("Int64")
            out[t("col.group_of", lang)] = u["group_of"].where(u["group_rank"].notna()
                                                               ).astype("Int64")
        elif column == t("col.rank_change", lang):
            out[column] = shown[column].astype("Float64").astype("Int64")
        elif pd.api.types.is_float_dtype(shown[column]):
            out[column] = round_half_up(shown[column].to_numpy(dtype=float), 2)
        else:
            out[column] = text[column]
    out[t("col.data", lang)] = np.where(submitted(card).loc[u.index].to_numpy(), "",
                                        t("word.not_submitted", lang))
    return out.reset_index(drop=True)


def lagging_table(card: Scorecard, unit: str, lang: str = "vi") -> Shown:
    """Where the unit lags its peers, numbers first and sorted by points lost (the gap to
    the peers' mean beside them), the criterion's name last."""
    lag = get_lagging(card, unit)
    lag = lag.sort_values(["points_lost", "gap"], ascending=False, kind="stable")
    return _criteria_numbers(card, lag, "gap", "col.gap", lang)


def strengths_table(card: Scorecard, unit: str, lang: str = "vi") -> Shown:
    """Where the unit leads its peers, largest lead first, laid out like the lagging table."""
    from par.analysis.lagging import get_strengths

    return _criteria_numbers(card, get_strengths(card, unit), "lead", "col.lead", lang)


def _criteria_numbers(card: Scorecard, frame: pd.DataFrame, extra: str, extra_key: str,
                      lang: str) -> Shown:
    names = {c: n.display_name(lang) for c, n in card.criteria.nodes.items()}
    columns = {k: t(f"col.{k}", lang) for k in ("points_lost", "score", "max", "mean", "best")}
    columns[extra] = t(extra_key, lang)
    data = {t("col.code", lang): frame["criterion"].to_numpy()}
    data.update({label: numeric(frame[k]) for k, label in columns.items()})
    data[t("col.criterion", lang)] = [names[c] for c in frame["criterion"]]
    return Shown(pd.DataFrame(data, index=pd.Index(frame["criterion"].to_numpy())),
                 [Format(label, number(lang)) for label in columns.values()])


def weakest_table(card: Scorecard, weakest: pd.DataFrame, lang: str = "vi") -> Shown:
    """The province-wide weakest criteria (par.analysis.lagging.get_weakest), numbers first."""
    nodes = card.criteria.nodes
    columns = {"mean_attainment": t("col.attainment", lang), "mean": t("col.mean", lang),
               "max": t("col.max", lang)}
    data = {t("col.code", lang): weakest["criterion"].to_numpy()}
    data.update({label: numeric(weakest[k]) for k, label in columns.items()})
    data[t("col.criterion", lang)] = [nodes[c].display_name(lang) for c in weakest["criterion"]]
    return Shown(pd.DataFrame(data, index=pd.Index(weakest["criterion"].to_numpy())),
                 [Format(label, number(lang)) for label in columns.values()])


def kpis(card: Scorecard) -> dict[str, float | int | None]:
    """Mean, best and worst index of the ranked units (None when nobody is ranked), the
    provisional units, and how many of the level's units have data in the period."""
    ranked = card.ranked
    return {"mean": float(ranked["index"].mean()) if len(ranked) else None,
            "best": float(ranked["index"].max()) if len(ranked) else None,
            "worst": float(ranked["index"].min()) if len(ranked) else None,
            "provisional": int(card.units["provisional"].sum()),
            "submitted": int(submitted(card).sum()), "units": len(card.units)}


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


def sets_table(sets: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The stored criteria sets (par.store.library.list_sets) as the office reads them:
    statuses in words, times in Vietnam time, the version as the first 12 hex digits."""
    from par.i18n.formatting import fmt_time

    out = pd.DataFrame({
        "year": sets["year"].astype(int), "level": sets["level"], "id": sets["id"],
        "title": sets["title"],
        "status": [t(f"library.status.{s}", lang) for s in sets["status"]],
        "registered_at": [fmt_time(v, lang) for v in sets["registered_at"]],
        "added_by": sets["added_by"].fillna("–"),
        "source_name": sets["source_name"].fillna("–"),
        "version": sets["sha256"].str[:12],
    })
    return out.rename(columns={c: t(f"library.col.{c}", lang) for c in out.columns})
