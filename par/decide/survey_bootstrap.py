"""How much of "14/21" is survey sampling noise? A seeded bootstrap over respondents.

The survey leaves' values are means over a sample of respondents (SURVEY §3), so a unit's
rank carries their sampling error. ``survey_rank_interval`` measures it:

1. The point: the scorecard of the current rows as of ``as_of`` (default: the survey's
   period): its ranks are the ranks the dashboard shows.
2. The rows replaced: per form with answers, the ``appraisal`` rows of the survey's period
   (same year and period order) for that form's survey leaves (``survey_leaves``) of units
   that have respondents on that form; rows marked N/A are kept as they are.
3. Each of ``replicates`` replicates resamples, per form and unit, the unit's respondents
   with replacement (as many as it has; one ``numpy`` Generator seeded with ``seed``, all
   draws of a form and block of replicates at once), recomputes each question's percent
   and each leaf's value exactly as ``par.engine.survey`` does (the mean of the answered,
   non-null percents; the leaf the mean of its non-null questions; no value → the row is
   dropped: the leaf is missing in that replicate), puts them in place of the rows of 2.
4. Only the affected (unit, leaf) cells are re-scored, by ``par.engine.scoring.score`` on
   those cells' rows (every stage and period, so the engine's window, stage choice,
   aggregation, rules and evidence apply unchanged) for all replicates stacked as units;
   the other leaves keep their points; nodes, totals and the index come from the engine's
   ``roll_up`` and ``unit_totals``, ranks from the index rounded as CONTRACT §4 ranks it
   (the set's ties rule).

Per unit (card order) the result has the point ``rank``/``of``, ``low``/``high``: the 2.5
and 97.5 percentiles of the replicate ranks (inverted CDF, so ranks that occurred) widened
to include the point rank when they miss it (the point is one of the outcomes the interval
describes, and "14/21 (15–17)" would read as a contradiction), the unit ranked just above
(``above``) and ``flip_share``: the share of replicates in which the unit is strictly ahead
of it (rounded index), i.e. their order flips; NA for the first and unranked units. A
point-ranked unit whose index is lost in a replicate (all its survey leaves missing and
nothing else applicable) ranks last there.

With no answers, or answers without variance (every respondent of a unit gives the same
option), every replicate reproduces the point and the interval collapses to it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from par.decide.uncertainty import competition_ranks
from par.domain.issues import Issue, ParError
from par.domain.models import CriteriaSet, SurveyForm
from par.domain.periods import Period, parse_period
from par.engine.ranking import index_key
from par.engine.scoring import roll_up, score, unit_totals
from par.engine.survey import from_wide, survey_leaves
from par.i18n import t

SBOOT_COLUMNS = ["name", "rank", "of", "low", "high", "above", "flip_share", "label"]
DEFAULT_REPLICATES = 200
MAX_REPLICATES = 10_000
MAX_CELLS = 50_000_000  # replicates × units × leaves held at once by the roll-up
_DRAW_BLOCK = 4_000_000  # replicates × respondents drawn at once
# the row columns ``score`` reads (the stacked replicate rows carry only these)
_SCORED = ["unit", "period", "year", "order", "criterion", "stage", "na", "value", "numerator",
           "denominator", "evidence"]


def max_replicates(units: int, leaves: int) -> int:
    """The most replicates allowed for ``units`` units and ``leaves`` leaves (memory)."""
    return max(1, min(MAX_REPLICATES, MAX_CELLS // max(1, units * leaves)))


def check_period(criteria: CriteriaSet, period) -> Period:
    parsed = period if isinstance(period, Period) else parse_period(str(period).strip())
    if parsed is None or parsed.year != criteria.year:
        raise ParError([Issue("sboot.bad_period", {"period": period, "year": criteria.year})])
    return parsed


def _forms(criteria: CriteriaSet, answers: Mapping[str, pd.DataFrame]) -> list[SurveyForm]:
    unknown = [f for f in answers if criteria.survey(f) is None]
    if unknown:
        raise ParError([Issue("sboot.unknown_form", {"form": f, "id": criteria.id})
                        for f in unknown])
    issues = [Issue("sboot.bad_answers", {"form": f, "column": c})
              for f, frame in answers.items() for c in ("unit", "respondent")
              if frame is not None and c not in frame]
    if issues:
        raise ParError(issues)
    return [form for form in criteria.surveys if form.id in answers]


def _long(frame: pd.DataFrame, form: SurveyForm) -> pd.DataFrame:
    """unit, respondent, question, pct: from wide, long with ``pct``, or long with ``answer``."""
    if "question" not in frame:
        return from_wide(frame, form)
    if "pct" in frame:
        return frame[["unit", "respondent", "question", "pct"]]
    wide = frame.pivot_table(index=["unit", "respondent"], columns="question", values="answer",
                             aggfunc="first", sort=False).reset_index()
    return from_wide(wide, form)


class _Sample:
    """One form's respondents of the units to resample: a respondents × questions matrix of
    percents (NaN: no answer or an excluded option), respondents grouped by unit."""

    def __init__(self, long: pd.DataFrame, form: SurveyForm, unit_ids: list):
        codes = [q.code for q in form.questions]
        unit = np.asarray(long["unit"], dtype=object)
        keep = pd.Index(unit_ids, dtype=object).get_indexer(unit)
        long = long[keep >= 0]
        u = keep[keep >= 0]
        resp, _ = pd.factorize(pd.Series(list(zip(u, np.asarray(long["respondent"],
                                                                 dtype=object)))), sort=False)
        resp = np.asarray(resp, dtype=np.int64)
        n_resp = int(resp.max()) + 1 if len(resp) else 0
        unit_of = np.zeros(n_resp, dtype=np.int64)
        unit_of[resp] = u
        order = np.argsort(unit_of, kind="stable")  # respondents grouped by unit
        position = np.empty(n_resp, dtype=np.int64)
        position[order] = np.arange(n_resp)
        q = pd.Index(codes, dtype=object).get_indexer(np.asarray(long["question"], dtype=object))
        matrix = np.full((n_resp, len(codes)), np.nan)
        ok = q >= 0
        matrix[position[resp[ok]], q[ok]] = long["pct"].to_numpy(dtype=float)[ok]
        self.matrix = matrix
        self.unit = unit_of[order]  # each (sorted) respondent's unit position
        self.count = np.bincount(self.unit, minlength=len(unit_ids))
        self.start = np.r_[0, np.cumsum(self.count)[:-1]]
        self.codes = codes
        self.units = len(unit_ids)

    def percents(self, rng: np.random.Generator, replicates: int) -> np.ndarray:
        """replicates × units × questions: each question's mean percent over a resample of
        each unit's respondents (NaN when none of them answered it)."""
        n_resp, n_q = self.matrix.shape
        out = np.full((replicates, self.units, n_q), np.nan)
        if n_resp == 0:
            return out
        block = max(1, _DRAW_BLOCK // n_resp)
        high = self.count[self.unit]
        for b0 in range(0, replicates, block):
            nb = min(block, replicates - b0)
            draws = rng.integers(0, high, size=(nb, n_resp)) + self.start[self.unit]
            cell = (np.arange(nb, dtype=np.int64)[:, None] * self.units + self.unit[None]).ravel()
            size = nb * self.units
            for j in range(n_q):  # a loop over questions, not units
                x = self.matrix[draws, j].ravel()
                ok = ~np.isnan(x)
                n = np.bincount(cell[ok], minlength=size)
                total = np.bincount(cell[ok], weights=x[ok], minlength=size)
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[b0:b0 + nb, :, j] = np.where(n > 0, total / np.maximum(n, 1),
                                                     np.nan).reshape(nb, self.units)
        return out


def _leaf_values(percents: np.ndarray, codes: list[str], questions: tuple[str, ...]
                 ) -> np.ndarray:
    """replicates × units: the mean of the leaf's non-null question percents (NaN: none)."""
    cols = [codes.index(q) for q in questions]
    part = percents[:, :, cols]
    ok = ~np.isnan(part)
    n = ok.sum(axis=2)
    total = np.where(ok, part, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


@dataclass(frozen=True)
class SurveyReplicates:
    """The index of every unit of the level in each bootstrap replicate of the survey answers.

    ``index``: replicates × units (``unit_ids`` order; NaN where a replicate lost a unit's
    index); ``card``: the point scorecard the replicates vary (as of ``as_of``); ``forms``:
    the forms resampled; ``replaced``: how many appraisal rows the answers stand for."""

    card: object
    unit_ids: list
    index: np.ndarray
    seed: int
    forms: list
    replaced: int

    @property
    def replicates(self) -> int:
        return int(self.index.shape[0])

    def deltas(self, ids) -> np.ndarray:
        """replicates × ``ids``: each replicate's index minus the point index (0 for a unit the
        answers do not move or not of the level; NaN where the replicate lost the index)."""
        point = self.card.units["index"].reindex(self.unit_ids).to_numpy(dtype=float)
        delta = self.index - point[None]
        delta = np.where(np.isnan(point)[None], 0.0, delta)
        pos = pd.Index(self.unit_ids, dtype=object).get_indexer(pd.Index(ids, dtype=object))
        out = np.zeros((self.replicates, len(pos)))
        out[:, pos >= 0] = delta[:, pos[pos >= 0]]
        return out


def survey_rank_interval(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
                         answers: Mapping[str, pd.DataFrame], period, *,
                         replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                         as_of: Period | None = None) -> pd.DataFrame:
    """Per unit (card order): ``SBOOT_COLUMNS`` (see the module). ``answers``: form id → its
    respondents' answers (``par.store.surveys.answers`` / wide, or long with ``pct`` or
    ``answer``); ``period``: the survey's period ("2025", "2025-Q2" or a Period). Raises
    ``ParError`` for an unknown form, a period outside the set's year or a bad count."""
    return rank_interval(survey_replicates(criteria, units, rows, answers, period,
                                           replicates=replicates, seed=seed, as_of=as_of))


def rank_interval(rep: SurveyReplicates) -> pd.DataFrame:
    """``SBOOT_COLUMNS`` per unit from replicates already computed (``survey_replicates``)."""
    return _summary(rep.card, rep.unit_ids, rep.index, rep.replicates, rep.seed, rep.forms,
                    rep.replaced)


def survey_replicates(criteria: CriteriaSet, units: pd.DataFrame, rows: pd.DataFrame,
                      answers: Mapping[str, pd.DataFrame], period, *,
                      replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                      as_of: Period | None = None) -> SurveyReplicates:
    """Steps 1–4 of the module: the replicates' index per unit (``SurveyReplicates``); the
    arguments and errors as ``survey_rank_interval``. ``par.decide.uncertainty`` adds them to
    its own perturbations so "14/21 (12–16)" carries the survey's sampling error too."""
    period = check_period(criteria, period)
    forms = _forms(criteria, answers)
    as_of = as_of or period
    scored = units[units["level"] == criteria.level]
    n_units, n_leaves = len(scored), len(criteria.leaves)
    if int(replicates) < 1:
        raise ParError([Issue("sboot.bad_replicates", {"replicates": replicates})])
    if int(replicates) > max_replicates(n_units, n_leaves):
        raise ParError([Issue("sboot.too_many_replicates", {
            "replicates": replicates, "max": max_replicates(n_units, n_leaves),
            "units": n_units})])
    replicates = int(replicates)
    rng = np.random.default_rng(seed)
    card = score(criteria, units, rows, as_of)
    unit_ids = scored["id"].tolist()

    # the rows each form's answers replace
    r_unit = np.asarray(rows["unit"], dtype=object)
    r_crit = np.asarray(rows["criterion"], dtype=object)
    base_mask = ((np.asarray(rows["stage"], dtype=object) == "appraisal")
                 & (rows["year"].to_numpy() == period.year)
                 & (rows["order"].to_numpy() == period.order)
                 & ~rows["na"].to_numpy(dtype=bool)
                 & (pd.Index(unit_ids, dtype=object).get_indexer(r_unit) >= 0))
    targets = []  # (row positions, their values: replicates × rows)
    for form in forms:
        frame = answers[form.id]
        leaves = survey_leaves(criteria, form.id)
        if frame is None or frame.empty or not leaves:
            continue
        long = _long(frame, form)
        answered = pd.unique(np.asarray(long["unit"], dtype=object))
        mask = base_mask & np.isin(r_crit, [leaf.code for leaf in leaves]) \
            & pd.Series(r_unit).isin(set(answered)).to_numpy()
        where = np.flatnonzero(mask)
        if not len(where):
            continue
        form_units = list(pd.unique(r_unit[where]))
        sample = _Sample(long, form, form_units)
        pct = sample.percents(rng, replicates)
        values = np.stack([_leaf_values(pct, sample.codes, leaf.rule.source.questions)
                           for leaf in leaves], axis=2)  # replicates × units × leaves
        u = pd.Index(form_units, dtype=object).get_indexer(r_unit[where])
        lf = pd.Index([leaf.code for leaf in leaves], dtype=object).get_indexer(r_crit[where])
        targets.append((where, values[:, u, lf]))

    index = np.broadcast_to(card.units["index"].reindex(unit_ids).to_numpy(dtype=float),
                            (replicates, n_units))
    if targets:
        index = _replicate_index(criteria, scored, rows, card, targets, replicates, as_of)
    return SurveyReplicates(card, unit_ids, np.asarray(index, dtype=float), seed,
                            [f.id for f in forms], sum(len(w) for w, _ in targets))


def _replicate_index(criteria: CriteriaSet, scored: pd.DataFrame, rows: pd.DataFrame, card,
                     targets: list, replicates: int, as_of: Period) -> np.ndarray:
    """replicates × units: the index with the survey rows replaced by each replicate's."""
    unit_ids = scored["id"].tolist()
    n_units, n_leaves = len(unit_ids), len(criteria.leaves)
    where = np.concatenate([w for w, _ in targets])
    values = np.concatenate([v for _, v in targets], axis=1)  # replicates × target rows
    r_unit = np.asarray(rows["unit"], dtype=object)
    r_crit = np.asarray(rows["criterion"], dtype=object)
    # the affected cells, and every row of them (all stages and periods)
    cells = pd.MultiIndex.from_arrays([r_unit[where], r_crit[where]]).unique()
    in_cell = pd.MultiIndex.from_arrays([r_unit, r_crit]).isin(cells)
    sub_pos = np.flatnonzero(in_cell)
    sub = rows.iloc[sub_pos]
    target_at = pd.Index(sub_pos).get_indexer(where)  # target rows within ``sub``
    affected = list(pd.unique(cells.get_level_values(0)))
    n_aff, n_sub = len(affected), len(sub)
    # stacked: replicate b's copy of affected unit i is unit "b|i"
    ids = np.array([f"{b}|{i}" for b in range(replicates) for i in range(n_aff)], dtype=object)
    base_units = scored.set_index("id").loc[affected].reset_index()
    stacked_units = pd.DataFrame({c: np.tile(base_units[c].to_numpy(dtype=object), replicates)
                                  for c in base_units.columns})
    stacked_units["id"] = ids
    u_of_sub = pd.Index(affected, dtype=object).get_indexer(np.asarray(sub["unit"], dtype=object))
    data = {c: np.tile(sub[c].to_numpy(), replicates) for c in _SCORED if c in sub}
    data["unit"] = ids[(np.arange(replicates)[:, None] * n_aff + u_of_sub[None]).ravel()]
    value = np.tile(sub["value"].to_numpy(dtype=float), replicates).reshape(replicates, n_sub)
    value[:, target_at] = values
    data["value"] = value.ravel()
    keep = np.ones((replicates, n_sub), dtype=bool)
    keep[:, target_at] = ~np.isnan(values)  # no value in this replicate: the leaf is missing
    stacked = pd.DataFrame(data)[keep.ravel()]
    rescored = score(criteria, stacked_units, stacked, as_of).leaves
    points = rescored["points"].to_numpy(dtype=float).reshape(replicates, n_aff, n_leaves)
    applicable = rescored["applicable"].to_numpy(dtype=bool).reshape(replicates, n_aff, n_leaves)

    base = card.leaves
    leaf_max = base["max"].to_numpy(dtype=float).reshape(n_units, n_leaves)
    p = np.repeat(base["points"].to_numpy(dtype=float).reshape(1, n_units, n_leaves),
                  replicates, axis=0)
    m = np.repeat((leaf_max * base["applicable"].to_numpy(dtype=bool).reshape(
        n_units, n_leaves))[None], replicates, axis=0)
    grid_pos = pd.Index(unit_ids, dtype=object).get_indexer(affected)
    leaf_pos = pd.Index([leaf.code for leaf in criteria.leaves], dtype=object).get_indexer(
        cells.get_level_values(1))
    aff_pos = pd.Index(affected, dtype=object).get_indexer(cells.get_level_values(0))
    g = grid_pos[aff_pos]
    p[:, g, leaf_pos] = points[:, aff_pos, leaf_pos]
    m[:, g, leaf_pos] = (leaf_max[g, leaf_pos][None] * applicable[:, aff_pos, leaf_pos])
    flat = pd.RangeIndex(replicates * n_units)
    node_score, node_max = roll_up(criteria, p.reshape(-1, n_leaves), m.reshape(-1, n_leaves),
                                   flat)
    labels = pd.DataFrame({"name": np.zeros(len(flat)), "group": np.zeros(len(flat))})
    totals = unit_totals(criteria, labels, node_score, node_max)
    return totals["index"].to_numpy(dtype=float).reshape(replicates, n_units)


def _summary(card, unit_ids: list, index: np.ndarray, replicates: int, seed: int,
             forms: list[str], replaced: int) -> pd.DataFrame:
    keys = index_key(index)
    finite = ~np.isnan(keys)
    floor = (np.nanmin(keys) - 1) if finite.any() else 0.0
    keys = np.where(finite, keys, floor).astype(np.int64)  # a lost index ranks last
    ranks = competition_ranks(keys, card.criteria.ties) if len(unit_ids) else keys
    q = lambda p: np.percentile(ranks, p, axis=0, method="inverted_cdf").astype(np.int64)
    grid = pd.Index(unit_ids, dtype=object)
    out = pd.DataFrame(index=card.units.index)
    out["name"] = card.units["name"]
    out["rank"] = card.units["rank"].astype("Int64")
    out["of"] = card.units["of"].astype("Int64")
    ranked = out["rank"].notna().to_numpy()
    pos = grid.get_indexer(out.index)
    low = np.full(len(out), -1, dtype=np.int64)
    high = np.full(len(out), -1, dtype=np.int64)
    if len(unit_ids):
        low, high = q(2.5)[pos], q(97.5)[pos]
    point = out["rank"].fillna(0).to_numpy(dtype=np.int64)
    low, high = np.minimum(low, point), np.maximum(high, point)  # the point is an outcome
    out["low"] = pd.array(np.where(ranked, low, 0), dtype="Int64")
    out["high"] = pd.array(np.where(ranked, high, 0), dtype="Int64")
    out.loc[~ranked, ["low", "high"]] = pd.NA
    # the neighbour above in the point order (the card lists ranked units best first)
    above = pd.Series(pd.NA, index=out.index, dtype=object)
    share = pd.Series(np.nan, index=out.index, dtype=float)
    order = np.flatnonzero(ranked)
    if len(order) > 1:
        me, up = order[1:], order[:-1]
        above.iloc[me] = out.index[up].to_numpy()
        share.iloc[me] = (keys[:, pos[me]] > keys[:, pos[up]]).mean(axis=0)
    out["above"] = above
    out["flip_share"] = share
    out["label"] = [t("decide.rank_interval", rank=r, of=o, low=lo, high=hi)
                    if not pd.isna(r) else "–"
                    for r, o, lo, hi in zip(out["rank"], out["of"], out["low"], out["high"])]
    out.attrs.update(replicates=replicates, seed=seed, forms=forms, replaced=replaced)
    return out[SBOOT_COLUMNS]


__all__ = ["SBOOT_COLUMNS", "DEFAULT_REPLICATES", "SurveyReplicates", "check_period",
           "max_replicates", "rank_interval", "survey_rank_interval", "survey_replicates"]
