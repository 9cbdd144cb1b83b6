"""The sample database, seeded once for the tests that only read it (a reset works on a copy)."""
from __future__ import annotations

import pytest

from par.sample.seed import ensure_seeded
from par.store.storage import Store


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """The file of a sample database seeded as `make run`'s first start seeds it."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_SAMPLE_MODE", "1")
        store = Store(f"sqlite:///{path}")
        assert ensure_seeded(store)
        store.dispose()
    return path


@pytest.fixture
def store(seeded):
    s = Store(f"sqlite:///{seeded}")
    yield s
    s.dispose()
