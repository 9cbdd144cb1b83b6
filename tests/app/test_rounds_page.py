"""AppTest: the "Đợt chấm điểm" page — an admin creates a round, moves it to published, the
ranking shows the published result labelled with its date whatever rows change afterwards;
reopening needs a reason; the board counts what round_state says; read-only for reviewers;
a refusal changes nothing; English."""
from __future__ import annotations

import shutil
import time

import pytest
import streamlit as st
from conftest import plain
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor

PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
SET = "nghe-an-huyen-2019"  # 21 units, the whole year appraised: small and complete
TIMEOUT = 120


def _rounds_page() -> None:
    from par.app.rounds import page_rounds

    page_rounds()


def _ranking_page() -> None:
    from par.app.ranking import page_ranking

    page_ranking()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> str:
    """The seeded sample with an admin, a reviewer and a unit account (copied per test)."""
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    path = tmp_path_factory.mktemp("rounds") / "template.db"
    store = Store(f"sqlite:///{path}")
    ensure_seeded(store)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "rb-office", "admin", PASSWORD)
    accounts.add(Actor("rb-office", "admin"), "rb-chief", "reviewer", PASSWORD)
    accounts.add(Actor("rb-office", "admin"), "rb-lan", "unit", PASSWORD, units=["cua-lo"])
    store.dispose()
    return str(path)


@pytest.fixture
def db(template, tmp_path, monkeypatch):
    """A fresh copy of the template for one test; yields its Store."""
    from par.store.storage import Store

    path = tmp_path / "par.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    store = Store(url)
    yield store
    store.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


def _run(page, name: str | None = "rb-office", lang: str = "vi") -> AppTest:
    at = AppTest.from_function(page, default_timeout=TIMEOUT)
    if name is not None:
        at.session_state["account"] = name
        at.session_state["seen"] = time.time()
    at.session_state["lang"] = lang
    at = at.run()
    assert not at.exception, at.exception
    return at


STATUS = "Đã tự chấm"  # a column of the status board


def _table(at: AppTest, column: str):
    """The first table with ``column`` (st.dataframe's key is not in AppTest's tree)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _grid(at: AppTest):
    """The unit × domain grid (its columns are the domains: "1. …")."""
    return next(d.value for d in at.dataframe if str(d.value.columns[0]).startswith("1. "))


def _click(at: AppTest, key: str) -> AppTest:
    at = at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def _create(at: AppTest, period: str = "2019") -> AppTest:
    box = at.selectbox(key=f"rounds_new_set_{_lang(at)}")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o
                               or "district" in o)).run()
    at = at.selectbox(key=f"rounds_new_period_{_lang(at)}").set_value(period).run()
    return _click(at, "rounds_create")


def _lang(at: AppTest) -> str:
    return at.session_state["lang"]


def _tick(at: AppTest):
    """The confirming tick of the next move (one per round and phase)."""
    return next(c for c in at.checkbox if c.key.startswith("rounds_advance_confirm_"))


def _advance(at: AppTest) -> AppTest:
    assert at.button(key="rounds_advance").disabled  # the confirming tick first
    at = _tick(at).check().run()
    return _click(at, "rounds_advance")


def _our_round(store):
    from par.store.rounds import round_for

    return round_for(store, SET, "2019")


def test_admin_runs_a_round_to_published_and_the_ranking_shows_the_published_result(db):
    from par.store import round_work
    from par.store.publication import list_publications

    at = _create(_run(_rounds_page))
    rnd = _our_round(db)
    assert rnd is not None and rnd.phase == "self"
    assert plain(at.success[0].value).startswith(f"Đã tạo đợt #{rnd.id} (Cả năm 2019)")
    assert at.toast[0].value == at.success[0].value  # said at the top and where the person is
    assert at.selectbox(key="rounds_pick_vi").value == rnd.id
    assert "Tự chấm → " in plain(at.markdown[1].value) or any(
        ":blue-background[**▶ Tự chấm**]" in m.value for m in at.markdown)
    phases = []
    for expected in ("Thẩm định", "Giải trình", "Quyết định"):
        at = _advance(at)
        phases.append(_our_round(db).phase)
        assert at.success[0].value == f"Đợt #{rnd.id} đã chuyển sang giai đoạn {expected}."
        assert not _tick(at).value  # the next move's tick starts unticked
        assert _tick(at).key == f"rounds_advance_confirm_{rnd.id}_{_our_round(db).phase}"
    assert phases == ["appraisal", "explanation", "final"]
    # from the decision phase the button says it publishes
    assert "công bố kết quả" in at.button(key="rounds_advance").label
    at = _advance(at)
    assert _our_round(db).phase == "published"
    pubs = list_publications(db, SET, "2019")
    assert len(pubs) == 1
    assert at.success[0].value.startswith(f"Đã công bố kết quả đợt #{rnd.id} (lần công bố #")
    listed = _table(at, "Lần công bố")
    assert list(listed["Lần công bố"]) == [f"#{int(pubs['id'].iloc[0])}"]
    # published: reopen only (no move on, no deadlines to change, nothing to unlock)
    assert not [b for b in at.button if b.key in ("rounds_advance", "rounds_deadlines")]
    assert any(b.key == "rounds_reopen" for b in at.button)

    # the ranking shows the published result, labelled with its date
    ranking = _ranking_page_on_2019()
    label = [c.value for c in ranking.caption if "Kết quả chính thức" in c.value]
    from par.present.published import published_date
    date = published_date(pubs.iloc[0].to_dict())
    assert label and f"công bố ngày {date} (đợt #{rnd.id})" in label[0]
    before = ranking.dataframe[0].value["Chỉ số (%)"].copy()
    # a row changes afterwards (an admin writes in every phase): the ranking does not move
    admin = Actor("rb-office", "admin")
    cua_lo_before = float(before.loc["cua-lo"])
    # Cửa Lò lost these points (README): full marks now
    round_work.appraise(db, rnd.id, "cua-lo", "1.1.1", value="có", comment="sửa sau",
                        actor=admin)
    round_work.appraise(db, rnd.id, "cua-lo", "1.1.2", numerator="10", denominator="10",
                        comment="sửa sau", actor=admin)
    from par.engine.scoring import score
    from par.store.library import active_sets
    from par.store.rows import load_rows

    criteria = next(c for c in active_sets(db) if c.id == SET)
    live = score(criteria, db.units(), load_rows(db, criteria, db.units())[0])
    assert live.units.at["cua-lo", "index"] > cua_lo_before + 1  # the rows did change
    after = _ranking_page_on_2019().dataframe[0].value["Chỉ số (%)"]
    assert after.loc["cua-lo"] == pytest.approx(cua_lo_before)
    assert after.equals(before)


def _ranking_page_on_2019() -> AppTest:
    at = _run(_ranking_page)
    box = at.selectbox(key="criteria_id")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o)).run()
    assert at.selectbox(key=f"as_of_{SET}").value.is_annual
    assert not at.exception, at.exception
    return at


def test_a_running_round_labels_the_ranking_provisional(db):
    at = _create(_run(_rounds_page))
    rnd = _our_round(db)
    _advance(at)
    ranking = _ranking_page_on_2019()
    texts = [c.value for c in ranking.caption]
    assert any(f"Kết quả tạm thời — đợt chấm điểm đang ở giai đoạn Thẩm định (đợt #{rnd.id})"
               in c for c in texts)
    assert not any("Kết quả chính thức" in c for c in texts)


def test_reopen_needs_a_reason(db):
    from par.store import rounds as R

    admin = Actor("rb-office", "admin")
    criteria = next(c for c in _sets(db) if c.id == SET)
    rnd = R.create_round(db, criteria, "2019", self_until="2030-01-01",
                         explain_until="2030-02-01", actor=admin)
    for _ in range(4):
        R.advance(db, rnd.id, actor=admin)
    at = _run(_rounds_page)
    at = at.selectbox(key="rounds_pick_vi").set_value(rnd.id).run()
    at = _click(at, "rounds_reopen")
    assert "Nhập lý do mở lại đợt" in at.error[0].value
    assert R.get_round(db, rnd.id).phase == "published"
    at = at.text_area(key="rounds_reopen_reason").input("Sai điểm tiêu chí 1.1.1").run()
    at = _click(at, "rounds_reopen")
    assert R.get_round(db, rnd.id).phase == "final"
    assert "đã mở lại" in at.success[0].value
    audit = db.audit()
    assert "Sai điểm tiêu chí 1.1.1" in audit[audit["action"] == "round_reopen"]["detail"].iloc[0]
    # the ranking keeps showing the earlier publication while the round runs again
    assert any("Kết quả chính thức" in c.value for c in _ranking_page_on_2019().caption)


def _sets(store):
    from par.store.library import active_sets

    return active_sets(store)


def test_the_board_counts_what_round_state_says_and_filters(db):
    from par.store import round_work
    from par.store import rounds as R

    admin = Actor("rb-office", "admin")
    criteria = next(c for c in _sets(db) if c.id == SET)
    rnd = R.create_round(db, criteria, "2019-Q2", self_until="2030-01-01",
                         explain_until="2030-02-01", actor=admin)
    R.submit_unit(db, rnd.id, "cua-lo", actor=admin)
    R.advance(db, rnd.id, actor=admin)
    round_work.appraise(db, rnd.id, "vinh", "1.1.1", value="có", comment="thiếu QĐ",
                        explain=True, actor=admin)
    status = round_work.round_state(db, rnd.id).status().set_index("unit")
    at = _run(_rounds_page)
    at = at.selectbox(key="rounds_pick_vi").set_value(rnd.id).run()
    board = _table(at, STATUS)
    assert len(board) == len(status) == 21
    assert list(board.columns) == ["Đơn vị", "Nhóm", "Đã nộp", "Đã tự chấm", "Đã thẩm định",
                                   "Yêu cầu giải trình", "Đã giải trình", "Thiếu tài liệu"]
    for column, key in (("Đã tự chấm", "self"), ("Đã thẩm định", "appraised"),
                        ("Yêu cầu giải trình", "flagged"), ("Đã giải trình", "explained"),
                        ("Thiếu tài liệu", "missing_evidence")):
        assert board[column].to_dict() == status[key].to_dict(), column
    assert (board["Đã nộp"] == "đã nộp").sum() == 1 and board.at["cua-lo", "Đã nộp"] == "đã nộp"
    assert board.at["vinh", "Yêu cầu giải trình"] == 1
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Đã nộp"] == "1/21" and metrics["Đơn vị có yêu cầu giải trình"] == "1"
    # the grid: one row per unit, one column per domain, cells "x/n"
    grid = _grid(at)
    assert len(grid) == 21 and list(grid.columns)[0].startswith("1. ")
    assert grid.loc["Thành phố Vinh"].sum() == status.loc["vinh", "appraised"]
    # filters
    at = at.radio(key="rounds_filter_vi").set_value("flagged").run()
    assert list(_table(at, STATUS).index) == ["vinh"]
    assert list(_grid(at).index) == ["Thành phố Vinh"]
    at = at.radio(key="rounds_filter_vi").set_value("not_submitted").run()
    assert "cua-lo" not in _table(at, STATUS).index
    assert len(_table(at, STATUS)) == 20


def test_a_reviewer_sees_the_board_without_controls(db):
    from par.store import rounds as R

    criteria = next(c for c in _sets(db) if c.id == SET)
    R.create_round(db, criteria, "2019", self_until="2030-01-01", explain_until="2030-02-01",
                   actor=Actor("rb-office", "admin"))
    at = _run(_rounds_page, "rb-chief")
    assert "Chế độ chỉ xem" in at.info[0].value
    assert _table(at, STATUS) is not None
    keys = {w.key for w in list(at.button) + list(at.checkbox) + list(at.text_area)}
    assert not {k for k in keys if k and k.startswith("rounds_")}
    assert not at.expander  # neither "create" nor the deadlines and unlock panels


def test_a_unit_account_cannot_use_the_page(db):
    at = _run(_rounds_page, "rb-lan")
    assert "dành cho Sở Nội vụ" in at.info[0].value
    assert not at.dataframe


def test_a_refusal_shows_the_message_and_changes_nothing(db):
    from par.store.rounds import list_rounds

    at = _create(_run(_rounds_page))
    assert len(list_rounds(db)) == 1 + _others(db)
    version = db.data_version()
    at = _create(at)  # the same set and period again
    message = plain(at.error[0].value)
    assert "Không thực hiện được, không có gì thay đổi" in message
    assert "đã có đợt chấm điểm cho kỳ 2019" in message
    assert len(list_rounds(db)) == 1 + _others(db)
    assert db.data_version() == version  # nothing written (the refusal is audited only)
    refused = db.audit()
    refused = refused[refused["action"] == "refused"]
    assert refused["detail"].str.contains("round.exists").any()  # the refusal is audited


def _others(store) -> int:
    """Rounds that are not this test's (the sample may bring its own)."""
    from par.store.rounds import list_rounds

    return sum(1 for r in list_rounds(store) if r.criteria_id != SET)


def test_english_labels(db):
    at = _create(_run(_rounds_page, lang="en"))
    rnd = _our_round(db)
    assert at.success[0].value.startswith(f"Round #{rnd.id} (Whole year 2019) created")
    assert _tick(at).label.startswith("I confirm moving round")
    assert at.button(key="rounds_advance").label == "Move on to Appraisal"
    board = _table(at, "Self-scored")
    assert list(board.columns)[:3] == ["Unit", "Group", "Submitted"]
    assert at.subheader[0].value == "Scoring rounds"


def test_admin_moves_the_deadlines_and_unlocks_a_unit(db):
    import datetime as dt

    from par.domain.rounds import VIETNAM
    from par.store import rounds as R

    admin = Actor("rb-office", "admin")
    criteria = next(c for c in _sets(db) if c.id == SET)
    rnd = R.create_round(db, criteria, "2019", self_until="2030-01-01T17:00",
                         explain_until="2030-02-01T17:00", actor=admin)
    R.submit_unit(db, rnd.id, "cua-lo", actor=admin)
    at = _run(_rounds_page)
    at = at.selectbox(key="rounds_pick_vi").set_value(rnd.id).run()
    k = f"_{rnd.id}"
    assert at.date_input(key="rounds_dl_self_date" + k).value == dt.date(2030, 1, 1)
    assert at.time_input(key="rounds_dl_self_time" + k).value == dt.time(17, 0)
    at = at.date_input(key="rounds_dl_self_date" + k).set_value(dt.date(2030, 1, 10)).run()
    at = _click(at, "rounds_deadlines")
    moved = R.get_round(db, rnd.id)
    assert moved.self_until.astimezone(VIETNAM).replace(tzinfo=None) == dt.datetime(
        2030, 1, 10, 17, 0)
    assert "tự chấm đến 10/01/2030 17:00" in at.success[0].value
    # an explanation deadline before the self-assessment one is refused, nothing changes
    at = at.date_input(key="rounds_dl_explain_date" + k).set_value(dt.date(2030, 1, 5)).run()
    at = _click(at, "rounds_deadlines")
    assert "phải sau hạn tự chấm" in plain(at.error[0].value)
    assert R.get_round(db, rnd.id).explain_until == moved.explain_until
    # unlock Cửa Lò's submitted self-assessment
    assert at.selectbox(key="rounds_unlock_unit").options == ["Thị xã Cửa Lò"]
    at = at.text_input(key="rounds_unlock_reason").input("Đơn vị xin sửa 1.1.1").run()
    at = _click(at, "rounds_unlock")
    assert R.submitted_units(db, rnd.id).empty
    assert "Đã mở khóa bản tự chấm của Thị xã Cửa Lò" in plain(at.success[0].value)
    audit = db.audit()
    assert "Đơn vị xin sửa 1.1.1" in audit[audit["action"] == "round_unsubmit"]["detail"].iloc[0]


def test_switching_the_language_keeps_the_chosen_round_and_filter(db):
    at = _create(_run(_rounds_page, lang="en"))
    rnd = _our_round(db)
    at = at.radio(key="rounds_filter_en").set_value("not_submitted").run()
    at.session_state["lang"] = "vi"
    at = at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="rounds_pick_vi").value == rnd.id
    assert at.radio(key="rounds_filter_vi").value == "not_submitted"
    assert at.radio(key="rounds_filter_vi").options[1] == "Chưa nộp"
