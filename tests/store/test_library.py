"""The office's criteria sets in the database: drafts, one active set per level and year,
copies for a new year, old databases migrated, rights enforced and audited."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from par.domain.auth import Actor
from par.domain.issues import ParError
from par.engine.criteria import check_criteria_text, load_criteria
from par.engine.diff import diff_sets
from par.engine.scoring import score
from par.read.units import read_units
from par.store import library
from par.store.schema import criteria_sets
from par.store.storage import Store
from par.store.submit import import_files
from tests.pg import postgres_server

ROOT = Path(__file__).resolve().parents[2]
XA = load_criteria(ROOT / "criteria" / "nghe-an-xa-2025.yaml")
SO = load_criteria(ROOT / "criteria" / "nghe-an-so-2025.yaml")
HUYEN = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
ADMIN = Actor("office", "admin")


def edited(criteria, old: str, new: str):
    """Another version of a set: the same YAML with one text changed."""
    assert old in criteria.yaml_text
    out, issues = check_criteria_text(criteria.yaml_text.replace(old, new, 1), "edited.yaml")
    assert out is not None, issues
    return out


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'par.db'}")
    yield s
    s.dispose()


def statuses(store) -> dict[tuple[str, str], str]:
    frame = library.list_sets(store)
    return {(r.id, r.sha256[:8]): r.status for r in frame.itertuples()}


def test_a_set_is_stored_as_a_draft_and_activated_on_request(store):
    assert library.add_set(store, XA, actor=ADMIN, source_name="xa.yaml") == "draft"
    assert library.active_sets(store) == []
    active = library.activate(store, XA.id, actor=ADMIN)
    assert active.sha256 == XA.sha256 and active.yaml_text == XA.yaml_text
    [only] = library.active_sets(store)
    assert only.id == XA.id and [leaf.code for leaf in only.leaves] == [
        leaf.code for leaf in XA.leaves]
    audit = store.audit()
    assert list(audit["action"]) == ["criteria_add", "criteria_activate"]
    assert set(audit["user"]) == {"office"}
    listed = library.list_sets(store).iloc[0]
    assert (listed["status"], listed["added_by"], listed["source_name"]) == (
        "active", "office", "xa.yaml")


def test_storing_the_same_version_again_changes_nothing(store):
    library.add_set(store, XA, actor=ADMIN, activate=True)
    before = (library.list_sets(store).to_dict("records"), len(store.audit()))
    assert library.add_set(store, XA, actor=ADMIN) == "active"
    assert library.add_set(store, XA, actor=ADMIN, activate=True) == "active"
    assert (library.list_sets(store).to_dict("records"), len(store.audit())) == before


def test_one_active_set_per_level_and_year_the_replaced_one_is_retired(store):
    v2 = edited(XA, "(minh họa)", "(minh họa, sửa đổi)")
    for criteria in (XA, SO, v2):
        library.add_set(store, criteria, actor=ADMIN)
    library.activate(store, XA.id, XA.sha256, actor=ADMIN)
    library.activate(store, SO.id, actor=ADMIN)
    library.activate(store, v2.id, v2.sha256[:10], actor=ADMIN)  # a prefix names a version
    assert statuses(store) == {(XA.id, XA.sha256[:8]): "retired",
                               (XA.id, v2.sha256[:8]): "active",
                               (SO.id, SO.sha256[:8]): "active"}
    assert [(c.id, c.sha256) for c in library.active_sets(store)] == [
        (SO.id, SO.sha256), (XA.id, v2.sha256)]  # newest year, then level
    detail = store.audit()["detail"].iloc[-1]
    assert f"{XA.id}@{XA.sha256[:12]}" in detail  # the activation names what it replaced


def test_another_set_id_for_the_same_level_and_year_replaces_the_active_one(store):
    other = edited(XA, "id: nghe-an-xa-2025", "id: nghe-an-xa-2025-b")
    library.add_set(store, XA, actor=ADMIN, activate=True)
    library.add_set(store, other, actor=ADMIN, activate=True)
    assert [c.id for c in library.active_sets(store)] == ["nghe-an-xa-2025-b"]


def test_the_database_itself_refuses_two_active_sets_of_a_level_and_year(store):
    library.add_set(store, XA, actor=ADMIN, activate=True)
    at = store.audit()["at"].iloc[0]
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(criteria_sets).values(
            id="x", sha256="0" * 64, title="x", year=XA.year, level=XA.level, yaml="",
            registered_at=at, status="active"))


@pytest.mark.parametrize("actor", [Actor("chief", "reviewer"),
                                   Actor("lan", "unit", frozenset({"p-cua-lo"}))])
def test_only_the_office_adds_activates_and_nothing_changes_on_refusal(store, actor):
    library.add_set(store, XA, actor=ADMIN)
    before = (library.list_sets(store).to_dict("records"), len(store.audit()))
    v2 = edited(XA, "(minh họa)", "(sửa)")
    with pytest.raises(ParError):
        library.add_set(store, v2, actor=actor)
    with pytest.raises(ParError):
        library.activate(store, XA.id, actor=actor)
    assert (library.list_sets(store).to_dict("records"), len(store.audit())) == before


def test_a_set_brought_by_an_import_is_active_only_if_its_year_has_none(store):
    assert library.add_set(store, XA, actor=None, by="lan") == "active"
    v2 = edited(XA, "(minh họa)", "(sửa)")
    assert library.add_set(store, v2, actor=None, by="lan") == "draft"
    assert [c.sha256 for c in library.active_sets(store)] == [XA.sha256]
    assert list(store.audit()["user"]) == ["lan"]  # the implicit activation, by the importer


def test_an_import_stores_its_set_and_the_dashboard_scores_with_the_active_one(store):
    units = read_units(ROOT / "data" / "units.csv")
    store.sync_units(units)
    data = ("unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
            "vinh,2019-Q1,1.1.1,có,,,,,\n").encode()
    import_files(store, [("q1.csv", data)], [HUYEN], units, actor=ADMIN)
    [active] = library.active_sets(store)
    assert (active.id, active.sha256) == (HUYEN.id, HUYEN.sha256)
    assert active.source == f"{HUYEN.id}@{HUYEN.sha256[:12]}"


def test_copy_for_a_new_year_keeps_the_text_and_moves_id_year_and_titles():
    draft = library.copy_for_year(XA, 2026)
    assert (draft.id, draft.year) == ("nghe-an-xa-2026", 2026)
    assert "2026" in draft.title and "2025" not in draft.title
    assert "2026" in draft.title_en
    # comments and everything else word for word: only the four header lines differ
    old, new = XA.yaml_text.splitlines(), draft.yaml_text.splitlines()
    assert len(old) == len(new)
    assert {o.split(":")[0] for o, n in zip(old, new) if o != n} == {"id", "year", "title",
                                                                     "title_en"}
    assert XA.yaml_text.splitlines()[0].startswith("#") and new[0] == old[0]
    assert not diff_sets(XA, draft).method_changes
    assert library.copy_for_year(XA, 2027, "xa-moi").id == "xa-moi"


def test_a_copy_scores_exactly_like_its_source():
    units = read_units(ROOT / "data" / "units.csv")
    from par.read.inputs import read_inputs

    rows, _ = read_inputs([ROOT / "data" / "inputs" / "xa-2025-self.csv"], XA, units)
    draft = library.copy_for_year(XA, 2026)
    moved = rows.assign(period=rows["period"].astype(str).str.replace("2025", "2026"),
                        year=2026)
    a, b = score(XA, units, rows).units, score(draft, units, moved).units
    assert a["index"].tolist() == b["index"].tolist() and a["rank"].tolist() == b["rank"].tolist()


def test_copy_refuses_a_yaml_whose_header_it_cannot_find():
    spaced = check_criteria_text(XA.yaml_text.replace("\nyear: 2025", "\nyear:   2025", 1),
                                 "b.yaml")[0]
    assert library.copy_for_year(spaced, 2026).year == 2026
    from dataclasses import replace

    with pytest.raises(ParError) as exc:  # a flow-style document has no "id:" line to move
        library.copy_for_year(replace(XA, yaml_text="{id: x, year: 2025}"), 2026)
    assert exc.value.issues[0].code == "library.copy_unreadable"


def test_get_set_by_id_and_version_and_clear_errors(store):
    v2 = edited(XA, "(minh họa)", "(sửa)")
    library.add_set(store, XA, actor=ADMIN, activate=True)
    library.add_set(store, v2, actor=ADMIN)
    assert library.get_set(store, XA.id).sha256 == XA.sha256  # the active one first
    assert library.get_set(store, XA.id, v2.sha256[:12]).sha256 == v2.sha256
    with pytest.raises(ParError) as exc:
        library.get_set(store, "nope")
    assert exc.value.issues[0].code == "library.unknown_set"
    assert library.get_set(store, XA.id, "").sha256 == XA.sha256  # no hash: the active one
    with pytest.raises(ParError) as exc:
        library.get_set(store, XA.id, "ffffffffffff")
    assert exc.value.issues[0].code == "library.unknown_set"


def test_baseline_is_the_active_set_of_the_year_else_last_years():
    draft = library.copy_for_year(XA, 2026)
    v2 = edited(XA, "(minh họa)", "(sửa)")
    assert library.baseline(v2, [XA, SO]) is XA
    assert library.baseline(XA, [XA, SO]) is None  # itself
    assert library.baseline(draft, [XA, SO, HUYEN]) is XA
    assert library.baseline(HUYEN, [XA, SO]) is None


def test_an_old_database_gets_statuses_latest_of_each_year_active(tmp_path):
    """A database from before sets had a status: the columns are added and the latest
    version of each level and year becomes the active one, the others retired."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE criteria_sets (pk INTEGER PRIMARY KEY, id VARCHAR(100) "
                          "NOT NULL, sha256 VARCHAR(64) NOT NULL, title TEXT NOT NULL, year "
                          "INTEGER NOT NULL, level VARCHAR(50) NOT NULL, yaml TEXT NOT NULL, "
                          "registered_at DATETIME NOT NULL, UNIQUE (id, sha256))"))
        v2 = edited(XA, "(minh họa)", "(sửa)")
        for c in (XA, v2, SO):
            conn.execute(text("INSERT INTO criteria_sets (id, sha256, title, year, level, yaml, "
                              "registered_at) VALUES (:i, :s, :t, :y, :l, :x, "
                              "'2025-10-01 00:00:00')"),
                         dict(i=c.id, s=c.sha256, t=c.title, y=c.year, l=c.level,
                              x=c.yaml_text))
    engine.dispose()
    store = Store(url)
    assert statuses(store) == {(XA.id, XA.sha256[:8]): "retired",
                               (XA.id, v2.sha256[:8]): "active",
                               (SO.id, SO.sha256[:8]): "active"}
    with store.engine.connect() as conn:  # the index that keeps one active set is there too
        names = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index'"))]
    assert "one_active_set" in names
    store.dispose()


def test_activation_on_postgresql_keeps_one_active_set():
    with postgres_server() as url:
        store = Store(url)
        try:
            v2 = edited(XA, "(minh họa)", "(sửa)")
            library.add_set(store, XA, actor=ADMIN, activate=True)
            library.add_set(store, v2, actor=ADMIN, activate=True)
            with store.engine.connect() as conn:
                active = conn.execute(select(criteria_sets.c.sha256).where(
                    criteria_sets.c.status == "active")).scalars().all()
            assert active == [v2.sha256]
        finally:
            from par.store.schema import metadata

            metadata.drop_all(store.engine)
            store.dispose()
