"""The sample seeder and the sample reset: sample mode only, admins only, audited, nothing deleted."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from par.domain.auth import Actor
from par.domain.issues import ParError
from par.sample.seed import ensure_seeded, reset_sample
from par.store.schema import audit_log, input_rows, submissions
from par.store.storage import Store
from par.store.surveys import results

ADMIN = Actor("office", "admin")


def _xa():
    from par.engine.catalog import list_criteria

    return next(c for c in list_criteria() if c.id == "nghe-an-xa-2025")


def _count(store, table, *where) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()


@pytest.fixture
def sample_store(tmp_path, monkeypatch):
    monkeypatch.setenv("PAR_SAMPLE_MODE", "1")
    store = Store(f"sqlite:///{tmp_path / 'sample.db'}")
    assert ensure_seeded(store) and store.is_sample()
    yield store
    store.dispose()


def test_outside_sample_mode_nothing_is_seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'real.db'}")
    monkeypatch.delenv("PAR_SAMPLE_MODE", raising=False)
    store = Store()
    assert not ensure_seeded(store)
    assert store.is_empty() and store.units().empty and not store.is_sample()


def test_a_database_with_data_of_its_own_is_never_seeded(tmp_path, monkeypatch):
    store = Store(f"sqlite:///{tmp_path / 'own.db'}")
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    ensure_seeded(store)
    from pathlib import Path

    from par import load_criteria, read_units
    from par.store.submit import import_files

    root = Path(__file__).resolve().parents[2]
    criteria = load_criteria(root / "criteria" / "nghe-an-huyen-2019.yaml")
    units = read_units(root / "data" / "units.csv")
    store.sync_units(units)
    csv = b"unit,period,criterion,value\ncua-lo,2019-Q4,1.1.1,c\xc3\xb3\n"
    import_files(store, [("own.csv", csv)], [criteria], units, actor=ADMIN)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "1")  # switched on by mistake: still nothing added
    assert not ensure_seeded(store)
    assert _count(store, submissions) == 1
    with pytest.raises(ParError) as err:
        reset_sample(store, ADMIN)
    assert err.value.issues[0].code == "data.not_sample"
    assert _count(store, submissions, submissions.c.status == "current") == 1


def test_reset_withdraws_audits_and_reseeds_without_deleting(sample_store):
    store = sample_store
    before = {"subs": _count(store, submissions), "rows": _count(store, input_rows),
              "audit": _count(store, audit_log)}
    current = _count(store, submissions, submissions.c.status == "current")
    current_rows = _count(store, input_rows, input_rows.c.submission_id.in_(
        select(submissions.c.id).where(submissions.c.status == "current")))
    last = store.history()["id"].max()
    reset_sample(store, ADMIN)
    # the sample's current submissions once more, the old ones kept; on the way, each unit's
    # appraisal (the round's, imported domain by domain when it was first seeded, comes back
    # as one import) is merged with the sipas form's values, then the leaders' form's: two
    # more submissions per unit surveyed, each superseded by the next (par.sample.surveys)
    new = store.history()
    new = new[new["id"] > last]
    passed = new[new["status"] == "superseded"]
    surveyed = results(store, _xa(), "sipas", "2025")[0]["unit"].nunique()
    assert len(passed) == 2 * surveyed and (passed["stage"] == "appraisal").all()
    assert set(passed["source_name"]) == {"xa-2025-appraisal.csv", "khảo sát: sipas"}
    assert _count(store, submissions) == before["subs"] + current + len(passed)
    assert _count(store, input_rows) == before["rows"] + current_rows + passed["row_count"].sum()
    assert _count(store, submissions, submissions.c.status == "withdrawn") == current
    assert _count(store, submissions, submissions.c.status == "current") == current
    audit = store.audit()
    assert len(audit) > before["audit"]  # nothing deleted from the log
    reset = audit[audit["action"] == "reset"]
    assert list(reset["user"]) == ["office"] and '"withdrawn": %d' % current in reset["detail"].iloc[0]


@pytest.mark.parametrize("actor", [None, Actor("chief", "reviewer"),
                                   Actor("lan", "unit", frozenset({"cua-lo"}))])
def test_only_an_admin_may_reset(sample_store, actor):
    before = _count(sample_store, audit_log)
    with pytest.raises(ParError):
        reset_sample(sample_store, actor)
    assert _count(sample_store, submissions, submissions.c.status == "withdrawn") == 0
    assert _count(sample_store, audit_log) == before


def test_no_reset_outside_sample_mode(sample_store, monkeypatch):
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    with pytest.raises(ParError) as err:
        reset_sample(sample_store, ADMIN)
    assert err.value.issues[0].code == "data.not_sample"


def test_a_sample_file_seeded_by_an_earlier_version_can_still_be_reset(tmp_path, monkeypatch):
    """data/par.db from before samples were marked: only the seeder's rows, no mark."""
    import par.settings as settings
    from par.store.schema import meta

    monkeypatch.delenv("PAR_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAR_SAMPLE_MODE", raising=False)
    monkeypatch.setattr(settings, "SAMPLE_DATABASE", tmp_path / "par.db")
    store = Store()
    assert ensure_seeded(store)
    with store.engine.begin() as conn:
        conn.execute(meta.delete())  # as an earlier version left it
    assert not store.is_sample()
    assert not ensure_seeded(store)  # nothing seeded twice …
    assert store.is_sample()  # … but recognised as the sample
    reset_sample(store, ADMIN)
    assert _count(store, submissions, submissions.c.status == "withdrawn") > 0
    store.dispose()


def test_seeding_activates_the_sample_files_but_keeps_a_set_the_admin_chose(sample_store):
    from par.engine.catalog import list_criteria
    from par.engine.criteria import check_criteria_text
    from par.store import library

    files = {c.id: c for c in list_criteria()}
    assert {(c.id, c.sha256) for c in library.active_sets(sample_store)} == {
        (c.id, c.sha256) for c in files.values()}
    xa = files["nghe-an-xa-2025"]
    own, _ = check_criteria_text(xa.yaml_text.replace("id: nghe-an-xa-2025", "id: tinh-xa-2025"),
                                 "own.yaml")
    library.add_set(sample_store, own, actor=Actor("office", "admin"), activate=True)
    ensure_seeded(sample_store)  # the next start of the dashboard
    active = {c.level: c.id for c in library.active_sets(sample_store)}
    assert active["xa"] == "tinh-xa-2025"
    assert active["huyen"] == "nghe-an-huyen-2019"
