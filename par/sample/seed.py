"""Sample mode: fill an empty database with the bundled sample (criteria sets, units, inputs,
and the 2025 commune set's scoring round).

Only in sample mode (no database configured, or PAR_SAMPLE_MODE=1; see par.settings):
a province's own database starts empty and never receives a synthetic row. The sample
goes in through the same ``submit`` as every upload; the round (par.sample.round) through
the round's own functions, as the office, the units and the appraisers would use them.
"""
from __future__ import annotations

from pathlib import Path

from par import settings
from par.domain.auth import Actor, authorize
from par.domain.issues import Issue, ParError
from par.engine import catalog
from par.read.units import read_units
from par.sample import round as sample_round
from par.store.library import active_sets, add_set
from par.store.storage import Store
from par.store.submit import prepare_all, submit

SAMPLE_USER = "sample"
UNITS_FILE = catalog.ROOT / "data" / "units.csv"
SAMPLE_INPUTS = catalog.ROOT / "data" / "inputs"


def register_reference_data(store: Store) -> None:
    store.sync_units(read_units(UNITS_FILE))
    active = {(c.level, c.year): c for c in active_sets(store)}
    for criteria in catalog.list_criteria():
        # the sample's files are its sets: a new version of a file replaces the old one, but
        # a set the admin activated for that level and year (another id) is left in place
        now = active.get((criteria.level, criteria.year))
        add_set(store, criteria, actor=None, source_name=Path(criteria.source).name,
                activate=now is None or now.id == criteria.id)


def ensure_seeded(store: Store, inputs: Path = SAMPLE_INPUTS) -> bool:
    """In sample mode, seed an empty database from data/; return True when it did."""
    if not settings.sample_mode():
        return False
    register_reference_data(store)
    if not store.is_sample() and _seeded_by_an_earlier_version(store):
        store.mark_sample()  # so the admin's "reset the sample" works on it
    if store.has_current() or (not store.is_empty() and not store.is_sample()):
        return False  # data of its own, or the sample already there
    units = store.units()
    sets = catalog.list_criteria()
    files = []
    for criteria in sets:
        for path in catalog.inputs_for(criteria, inputs):
            files.append((path.name, path.read_bytes()))
    store.mark_sample()
    office = Actor.system(SAMPLE_USER)
    # the round first, so the commune self-assessments below are imported into it (the
    # round's events belong to the bundled inputs: none with a folder of one's own)
    rnd, fresh = None, False
    if Path(inputs).resolve() == SAMPLE_INPUTS.resolve():
        rnd, fresh = sample_round.open_round(store, sets, office)
    submit(store, prepare_all(files, sets, units), actor=office)
    if rnd is not None:
        criteria = next(c for c in sets if c.id == rnd.criteria_id)
        sample_round.play(store, rnd, criteria, units, fresh=fresh, actor=office)
    return True


def _seeded_by_an_earlier_version(store: Store) -> bool:
    """The sample's own file (no database configured), seeded before databases were marked
    as samples: every submission in it was stored by the seeder."""
    if settings.database_configured():
        return False
    users = set(store.history()["user"])
    return bool(users) and users <= {SAMPLE_USER} | sample_round.actor_names(store.units().index)


def reset_sample(store: Store, actor: Actor) -> None:
    """Sample mode, a sample database and an admin only: withdraw every current submission
    (audited; nothing deleted) and seed the sample again."""
    authorize(actor, "reset")
    if not settings.sample_mode():
        raise ParError([Issue("data.not_sample", {})])
    store.withdraw_all(actor=actor)
    ensure_seeded(store)
