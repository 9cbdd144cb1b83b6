"""One ingest path: the CLI import, the upload page and the sample seeder store the same rows.

All three end in par.store.submit.submit; this test feeds the same file through each
door into its own database and compares what was stored, row by row and typed.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor
from par.engine.catalog import list_criteria
from par.sample.seed import ensure_seeded
from par.store.accounts import Accounts
from par.store.library import add_set
from par.store.schema import input_rows, submissions
from par.store.storage import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "inputs" / "huyen-2019-self.csv"
FILE_NAME = "huyen-2019-cua-lo-q4.csv"  # the seeder pairs <level>-<year>-*.csv with its set


def _one_unit_file(folder: Path) -> Path:
    """Cửa Lò's 2019-Q4 self-assessment from the sample: every rule type, N/A, ratios."""
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    part = frame[(frame["unit"] == "cua-lo") & (frame["period"] == "2019-Q4")]
    assert len(part) > 50
    path = folder / FILE_NAME
    part.to_csv(path, index=False)
    return path


def _dump(url: str) -> list[tuple]:
    store = Store(url)
    s, r = submissions, input_rows
    query = (select(s.c.unit, s.c.period, s.c.stage, s.c.criteria_id, s.c.criteria_sha256,
                    s.c.source_name, s.c.source_sha256, s.c.row_count, s.c.status,
                    r.c.criterion, r.c.value, r.c.number, r.c.na, r.c.numerator,
                    r.c.denominator, r.c.evidence, r.c.note, r.c.source_row)
             .join(r, r.c.submission_id == s.c.id).order_by(r.c.source_row))
    with store.engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    store.dispose()
    return rows


def _through_cli(path: Path, url: str) -> None:
    env = {**os.environ, "PAR_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "par", "import", path.name,
                           "--units", str(ROOT / "data" / "units.csv")],
                          cwd=path.parent, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _through_seeder(path: Path, url: str) -> None:
    store = Store(url)
    assert ensure_seeded(store, inputs=path.parent)
    store.dispose()


def _upload_page() -> None:
    from par.app.upload import page_upload

    page_upload()


def _through_upload_page(path: Path, url: str, monkeypatch) -> None:
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")  # a province's database: nothing seeded
    st.cache_resource.clear()  # the page's store is a per-process resource: point it here
    st.cache_data.clear()
    store = Store(url)  # the page signs in as an account of this database, by name
    Accounts(store).add(Actor.local_admin(), "office", "admin", "Mật-khẩu-rất-bí-mật-2025")
    store.dispose()
    try:
        at = AppTest.from_function(_upload_page, default_timeout=60)
        at.session_state["account"] = "office"
        at.session_state["seen"] = time.time()
        at = at.run()
        box = at.selectbox(key="upload_set")
        at = box.select_index(next(i for i, o in enumerate(box.options) if "huyện" in o)).run()
        unit = at.selectbox(key="upload_unit")
        at = unit.select_index(unit.options.index("Thị xã Cửa Lò")).run()
        period = at.selectbox(key="upload_period")
        at = period.select_index(period.options.index("2019-Q4")).run()
        at = at.get("file_uploader")[0].upload(path.name, path.read_bytes()).run()
        assert not at.error, [e.value for e in at.error]
        at = at.button(key="confirm_upload").click().run()
        assert not at.exception and not at.error
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def test_cli_upload_page_and_seeder_store_identical_rows(tmp_path, monkeypatch):
    path = _one_unit_file(tmp_path)
    urls = {door: f"sqlite:///{tmp_path / door}.db" for door in ("cli", "seeder", "upload")}
    # the page and the CLI need the units and the set in their database, as in real use
    for url in urls.values():
        Store(url).sync_units(pd.read_csv(ROOT / "data" / "units.csv", dtype=str,
                                          keep_default_na=False).assign(
            group=lambda f: f["group"].replace("", None)))
        for criteria in list_criteria():  # the office has added the year's sets
            add_set(Store(url), criteria, actor=Actor.local_admin(), activate=True)
    _through_cli(path, urls["cli"])
    _through_seeder(path, urls["seeder"])
    _through_upload_page(path, urls["upload"], monkeypatch)
    dumps = {door: _dump(url) for door, url in urls.items()}
    assert len(dumps["cli"]) == len(pd.read_csv(path)) > 50
    assert dumps["cli"] == dumps["seeder"] == dumps["upload"]
    numbers = [row[11] for row in dumps["cli"]]
    assert any(isinstance(n, float) for n in numbers)  # typed: numbers stored as numbers
    assert {row[12] for row in dumps["cli"]} <= {True, False, 0, 1}
