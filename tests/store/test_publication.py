"""Publication (WORKFLOW §3): the round's result frozen as published, whatever rows change
afterwards; reopening keeps every publication, publishing again adds one."""
from __future__ import annotations

import pandas as pd
import pytest

from par.domain.issues import ParError
from par.engine.scoring import score
from par.store import publication as P
from par.store import round_work as W
from par.store import rounds as R
from par.store.frozen import FRAMES
from par.store.rows import load_rows
from tests.store.test_rounds import (
    ADMIN,
    APPRAISER,
    CRITERIA,
    LEAF,
    OTHER_UNIT,
    UNIT,
    assert_refused,
    build,
    freeze_clock,
)


@pytest.fixture
def final(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "final")
    yield store, rid
    store.dispose()


def live(store):
    """The set scored now from the current rows, as of the round's period, the units without
    rows unranked (as the dashboard ranks a period)."""
    from par.domain.periods import parse_period
    from par.engine.standing import rank_submitted

    units = store.units()
    rows, _ = load_rows(store, CRITERIA, units)
    return rank_submitted(score(CRITERIA, units, rows, parse_period("2025")))


def assert_same(card, other) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(card, name), getattr(other, name),
                                      check_dtype=False, check_categorical=False, obj=name)


def test_the_published_result_is_frozen_while_rows_change_and_every_publication_is_kept(final):
    store, rid = final
    W.appraise(store, rid, UNIT, "2.1", value="8", comment="đủ hồ sơ", actor=ADMIN)
    before = live(store)
    assert R.advance(store, rid, actor=ADMIN).phase == "published"  # from final: publishes
    first, meta = P.published(store, CRITERIA, "2025")
    assert_same(first, before)  # every frame, as scored at that moment
    assert first.units.loc[UNIT, "score"] == before.units.loc[UNIT, "score"] > 0
    assert set(first.units.index) == {UNIT, OTHER_UNIT}
    assert {"score", "index", "rank", "band"} <= set(first.units.columns)
    assert (first.units.loc[UNIT, "rank"], first.units.loc[UNIT, "of"]) == (1, 1)
    # the other unit sent nothing for 2025: frozen unranked, not "2/2" at 0,00
    assert pd.isna(first.units.loc[OTHER_UNIT, "rank"])
    assert pd.isna(first.units.loc[OTHER_UNIT, "index"])
    assert (meta["round_id"], meta["criteria_id"], meta["criteria_sha256"], meta["period"],
            meta["published_by"]) == (rid, CRITERIA.id, CRITERIA.sha256, "2025", ADMIN.name)
    assert meta["published_at"] is not None

    # the admin changes an appraisal row after publication: the live score moves, the
    # published one does not
    W.appraise(store, rid, UNIT, "2.1", value="1", comment="sai số liệu", actor=ADMIN)
    changed = live(store)
    assert changed.units.loc[UNIT, "score"] < before.units.loc[UNIT, "score"]
    again, same_meta = P.published(store, CRITERIA, "2025")
    assert_same(again, first)
    assert same_meta == meta

    # reopening keeps the publication; publishing again adds the newer one
    R.reopen(store, rid, reason="Điều chỉnh lĩnh vực 2", actor=ADMIN)
    assert P.published(store, CRITERIA, "2025")[1]["id"] == meta["id"]
    second_id = P.publish(store, rid, actor=ADMIN)
    listed = P.list_publications(store, CRITERIA.id, "2025")
    assert list(listed["id"]) == [second_id, meta["id"]]  # newest first
    newer, newer_meta = P.published(store, CRITERIA, "2025")
    assert newer_meta["id"] == second_id
    assert_same(newer, changed)
    older, older_meta = P.published(store, CRITERIA, publication_id=meta["id"])
    assert older_meta == meta
    assert_same(older, first)
    assert [a for a in store.audit()["action"] if a.startswith("round_")][-3:] == [
        "round_publish", "round_reopen", "round_publish"]


def test_nothing_published_is_none_and_require_published_says_so(final):
    store, rid = final
    assert P.published(store, CRITERIA, "2025") is None
    assert P.list_publications(store).empty
    with pytest.raises(ParError) as caught:
        P.require_published(store, CRITERIA, "2025")
    assert caught.value.issues[0].code == "round.no_publication"
    assert CRITERIA.id in caught.value.issues[0].render("vi")
    P.publish(store, rid, actor=ADMIN)
    assert P.published(store, CRITERIA, "2025-Q1") is None  # another period: not this one
    assert P.published(store, CRITERIA)[1]["period"] == "2025"
    assert P.published(store, CRITERIA, publication_id=999) is None


def test_only_an_admin_publishes_and_only_from_final(final):
    store, rid = final
    issue = assert_refused(store, rid, lambda: P.publish(store, rid, actor=APPRAISER),
                           unit=None, criterion=None)
    assert issue.code == "round.admin_only"
    issue = assert_refused(store, rid, lambda: R.advance(store, rid, actor=APPRAISER),
                           unit=None, criterion=None)
    assert issue.code == "round.admin_only"
    P.publish(store, rid, actor=ADMIN)
    issue = assert_refused(store, rid, lambda: P.publish(store, rid, actor=ADMIN),
                           unit=None, criterion=None)
    assert issue.code == "round.no_next"
    R.reopen(store, rid, reason="x", actor=ADMIN)
    R.set_deadlines(store, rid, actor=ADMIN, explain_until="2026-03-01")
    assert len(P.list_publications(store)) == 1


def test_the_published_scores_are_those_of_the_evidence_and_appraisal_rules(tmp_path,
                                                                           monkeypatch):
    """A set requiring evidence: the leaf with a file counts, those without score 0 unless
    appraised; the frozen result says which leaves missed evidence."""
    from tests.store.test_rounds import YAML

    freeze_clock(monkeypatch)
    yaml = YAML.replace("level: xa\n", "level: xa\nevidence_required: true\n")
    store, rid = build(tmp_path / "par.db", "final", yaml)
    try:
        W.appraise(store, rid, UNIT, "2.1", value="6", comment="", actor=ADMIN)
        R.advance(store, rid, actor=ADMIN)
        criteria = W.round_criteria(store, R.get_round(store, rid))
        card, _ = P.published(store, criteria, "2025")
        leaves = card.leaves[card.leaves["unit"] == UNIT].set_index("criterion")
        assert leaves["points"].to_dict() == {LEAF: 4.0, "1.2": 0.0, "2.1": 6.0}
        assert leaves["missing_evidence"].to_dict() == {LEAF: False, "1.2": True, "2.1": False}
    finally:
        store.dispose()
