"""The published ranking, labelled with its date everywhere it is shown (WORKFLOW §3):
par.app.cache.scorecard gives a published period's frozen result whatever rows change
afterwards, and the ranking, unit, compare, home and trends pages say so."""
from __future__ import annotations

import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor
from par.domain.periods import Period

PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
SET = "nghe-an-huyen-2019"
ADMIN = Actor("pl-office", "admin")
TIMEOUT = 120


@pytest.fixture(scope="module")
def published_url(tmp_path_factory):
    """The sample with the 2019 district round published, then Cửa Lò's rows changed."""
    from par.sample.seed import ensure_seeded
    from par.store import round_work
    from par.store import rounds as R
    from par.store.accounts import Accounts
    from par.store.library import active_sets
    from par.store.publication import list_publications
    from par.store.storage import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('published') / 'par.db'}"
    store = Store(url)
    ensure_seeded(store)
    Accounts(store).add(Actor.local_admin(), ADMIN.name, "admin", PASSWORD)
    criteria = next(c for c in active_sets(store) if c.id == SET)
    rnd = R.create_round(store, criteria, "2019", self_until="2030-01-01",
                         explain_until="2030-02-01", actor=ADMIN)
    for _ in range(4):
        R.advance(store, rnd.id, actor=ADMIN)
    # Cửa Lò lost these points (README): full marks now, after the publication
    round_work.appraise(store, rnd.id, "cua-lo", "1.1.1", value="có", actor=ADMIN)
    round_work.appraise(store, rnd.id, "cua-lo", "1.1.2", numerator="10", denominator="10",
                        actor=ADMIN)
    meta = list_publications(store, SET, "2019").iloc[0].to_dict()
    store.dispose()
    return url, rnd, meta


@pytest.fixture
def db(published_url, monkeypatch):
    url, rnd, meta = published_url
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield rnd, meta
    st.cache_resource.clear()
    st.cache_data.clear()


def _live(url):
    from par.engine.scoring import score
    from par.store.library import active_sets
    from par.store.publication import published
    from par.store.rows import load_rows
    from par.store.storage import Store

    store = Store(url)
    criteria = next(c for c in active_sets(store) if c.id == SET)
    live = score(criteria, store.units(), load_rows(store, criteria, store.units())[0])
    frozen, _ = published(store, criteria, "2019")
    store.dispose()
    return live, frozen


def test_cache_scorecard_is_the_published_card_and_publication_its_meta(db, published_url):
    from par.app import cache

    rnd, meta = db
    live, frozen = _live(published_url[0])
    assert live.units.at["cua-lo", "index"] > frozen.units.at["cua-lo", "index"] + 1  # rows moved
    card = cache.scorecard(SET, _year())
    assert card.units.at["cua-lo", "index"] == pytest.approx(frozen.units.at["cua-lo", "index"])
    assert card.units["rank"].tolist() == frozen.units["rank"].tolist()
    found = cache.publication(SET, _year())
    assert found["round_id"] == rnd.id and found["id"] == meta["id"]
    # a quarter nobody published is scored from the rows, with no publication
    assert cache.publication(SET, Period(2019, 2)) is None
    assert cache.scorecard(SET, Period(2019, 2)).as_of == Period(2019, 2)


def _year() -> Period:
    from par.domain.periods import parse_period

    return parse_period("2019")


def _label(meta) -> str:
    from par.present.published import published_label

    return published_label(meta)


def _page(fn, lang: str = "vi", **state) -> AppTest:
    at = AppTest.from_function(fn, default_timeout=TIMEOUT)
    at.session_state["account"] = ADMIN.name
    at.session_state["seen"] = time.time()
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at = at.run()
    assert not at.exception, at.exception
    box = at.selectbox(key="criteria_id")
    if box.value is None or box.value.id != SET:
        at = box.select_index(next(i for i, o in enumerate(box.options) if "2019" in o)).run()
        assert not at.exception, at.exception
    return at


def _unit_page():
    from par.app.unit import page_unit

    page_unit()


def _compare_page():
    from par.app.compare import page_compare

    page_compare()


def _trends_page():
    from par.app.trends import page_trends

    page_trends()


def _home_page():
    from par.app.home import page_home

    page_home()


def test_the_unit_page_shows_the_published_result_and_says_so(db, published_url):
    _, meta = db
    at = _page(_unit_page, unit="cua-lo")
    at = at.selectbox(key="unit").set_value("cua-lo").run()
    assert _label(meta) in [c.value.split(" ", 1)[1] for c in at.caption]
    _, frozen = _live(published_url[0])
    from par.i18n.formatting import fmt_number, fmt_rank

    u = frozen.units.loc["cua-lo"]
    assert at.subheader[0].value == (f"Xếp thứ {fmt_rank(u['rank'], u['of'])} · "
                                     f"{fmt_number(u['index'])}%")


def test_the_compare_page_says_so(db):
    _, meta = db
    at = _page(_compare_page, unit="cua-lo")
    assert any(c.value.endswith(_label(meta)) for c in at.caption)


def test_the_home_page_says_so_for_that_level(db):
    _, meta = db
    at = AppTest.from_function(_home_page, default_timeout=TIMEOUT)
    at.session_state["account"] = ADMIN.name
    at.session_state["seen"] = time.time()
    at = at.run()
    assert not at.exception, at.exception
    labels = [c.value for c in at.caption if "Kết quả chính thức" in c.value]
    assert len(labels) == 1 and labels[0].endswith(_label(meta))  # the district level only


def test_the_trends_page_reads_the_published_year_and_says_so(db, published_url):
    _, meta = db
    at = _page(_trends_page, unit="cua-lo")
    at = at.selectbox(key="unit").set_value("cua-lo").run()
    assert f"Cả năm 2019: {_label(meta)}" in [c.value for c in at.caption]
    table = at.dataframe[-1].value
    _, frozen = _live(published_url[0])
    from par.i18n.formatting import fmt_number

    year = table[table.iloc[:, 0] == "2019"]
    assert year["Chỉ số (%)"].iloc[0] == fmt_number(frozen.units.at["cua-lo", "index"])


def test_english(db):
    _, meta = db
    at = _page(_unit_page, lang="en", unit="cua-lo")
    assert any("Official result, published on" in c.value and f"(round #{meta['round_id']})"
               in c.value for c in at.caption)


def test_a_downloaded_chart_title_ends_with_the_publication_date(db):
    from par.app import cache
    from par.app.exports_ui import labelled_chart
    from par.present.published import published_short

    _, meta = db
    card = cache.scorecard(SET, _year())
    fig = labelled_chart(card, "ranking", "vi", published=cache.publication(SET, _year()))
    assert fig.layout.title.text.endswith(" " + published_short(meta))
    assert "công bố" not in labelled_chart(card, "ranking", "vi").layout.title.text
