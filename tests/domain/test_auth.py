"""The role menu and "may import for any of my units" are library answers, for every role."""
from __future__ import annotations

import pytest

from par.domain.auth import PAGES, ROLES, VIEW_PAGES, Actor, acting, menu_for

VIEW = ["home", "ranking", "unit", "compare", "criteria", "trends", "data"]
ADMIN = Actor("office", "admin")
REVIEWER = Actor("chief", "reviewer")
STAFF = Actor("lan", "unit", frozenset({"cua-lo"}))
STAFF_OF_TWO = Actor("ha", "unit", frozenset({"cua-lo", "vinh"}))
STAFF_OF_NONE = Actor("nobody", "unit")
STRANGER = Actor("x", "guest")  # a role the rule book does not know


def test_view_pages_and_page_keys():
    assert list(VIEW_PAGES) == VIEW
    assert set(PAGES) == set(VIEW) | {"upload", "sets", "audit", "login", "round_self",
                                      "round_appraise", "rounds", "surveys"}
    assert set(ROLES) == {"admin", "reviewer", "unit", "appraiser"}


@pytest.mark.parametrize("actor, expected", [
    (ADMIN, True), (Actor.local_admin(), True), (Actor.system(), True),
    (REVIEWER, False), (STAFF, True), (STAFF_OF_TWO, True), (STAFF_OF_NONE, False),
    (STRANGER, False)], ids=["admin", "local", "system", "reviewer", "unit", "unit-of-two",
                             "unit-of-none", "unknown-role"])
def test_may_import_any(actor, expected):
    assert actor.may_import_any() is expected
    # consistent with the rule book: True exactly when some import would be authorised
    assert expected == (actor.may("import") or any(actor.may("import", u) for u in actor.units))


APPRAISER = Actor("tp", "appraiser", domains=frozenset({"2"}))


@pytest.mark.parametrize("actor, expected", [
    (ADMIN, VIEW + ["upload", "round_self", "round_appraise", "rounds", "surveys", "sets",
                  "audit"]),
    (REVIEWER, VIEW + ["rounds", "surveys", "audit"]),
    (STAFF, VIEW + ["upload", "round_self"]),
    (STAFF_OF_TWO, VIEW + ["upload", "round_self"]),
    (STAFF_OF_NONE, VIEW),
    (APPRAISER, VIEW + ["round_appraise", "rounds", "surveys"]),
    (STRANGER, VIEW),
    (None, ["login"])], ids=["admin", "reviewer", "unit", "unit-of-two", "unit-of-none",
                             "appraiser", "unknown-role", "nobody"])
def test_menu_with_accounts(actor, expected):
    assert menu_for(actor, has_accounts=True) == expected


@pytest.mark.parametrize("actor", [None, ADMIN, REVIEWER, STAFF], ids=["nobody", "admin",
                                                                       "reviewer", "unit"])
def test_demo_mode_menu_is_the_read_only_view_whoever_asks(actor):
    assert menu_for(actor, has_accounts=False) == VIEW + ["rounds", "surveys"]  # read-only
    assert acting(actor, has_accounts=False) is None  # nobody may reset or import


def test_acting_with_accounts_is_the_signed_in_actor():
    assert acting(STAFF, has_accounts=True) is STAFF
    assert acting(None, has_accounts=True) is None


def test_menu_is_a_fresh_list_of_known_pages():
    menu = menu_for(ADMIN, has_accounts=True)
    menu.append("junk")
    assert "junk" not in menu_for(ADMIN, has_accounts=True)
    for actor in (ADMIN, REVIEWER, STAFF, None):
        for has_accounts in (True, False):
            assert set(menu_for(actor, has_accounts=has_accounts)) <= set(PAGES)


def test_menu_needs_keyword_has_accounts():
    with pytest.raises(TypeError):
        menu_for(ADMIN, True)  # type: ignore[misc]


def test_importable_keeps_only_the_actors_units_in_order():
    staff = Actor("lan", "unit", frozenset({"cua-lo", "vinh"}))
    assert staff.importable(["vinh", "do-luong", "cua-lo"]) == ["vinh", "cua-lo"]
    assert Actor("office", "admin").importable(["a", "b"]) == ["a", "b"]
    assert Actor("chief", "reviewer").importable(["a", "b"]) == []
