"""Who may do what: roles, the acting user (Actor) and the one authorisation rule book.

Enforcement lives here and in par.store.storage, never only in the UI: every write in the
store takes an Actor and calls ``authorize`` inside its transaction.

- admin: the PAR office — every unit, rollback, criteria sets, accounts;
- reviewer: office chief and leadership — sees everything, changes nothing;
- unit: staff of one or more named units — imports (and rolls back) their own units only;
- appraiser: a member of the appraisal council for some domains (top-level codes) — writes
  appraisal rows for those domains in a scoring round only (par.domain.rounds), reads the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from par.domain.issues import Issue, ParError, term

ROLES = ("admin", "reviewer", "unit", "appraiser")
ACTIONS = ("import", "rollback", "criteria", "units", "accounts", "audit", "reset")

# The dashboard's pages by key, in menu order (par/app/menu.py maps them to st.Page).
VIEW_PAGES = ("home", "ranking", "unit", "compare", "criteria", "trends", "data")
# the scoring round (par.domain.rounds): "Tự chấm" for unit staff, "Thẩm định" for
# appraisers, "Đợt chấm" (create, move on, status board, publish) for the office
ROUND_PAGES = ("round_self", "round_appraise", "rounds")
# "surveys": survey forms' answers and results (import: admin; the others read)
PAGES = VIEW_PAGES + ("upload",) + ROUND_PAGES + ("surveys", "sets", "audit", "login")


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    units: frozenset[str] = field(default_factory=frozenset)
    local: bool = False  # the CLI on the machine itself, before any account exists
    domains: frozenset[str] = field(default_factory=frozenset)  # an appraiser's domain codes

    @classmethod
    def local_admin(cls, name: str = "local") -> "Actor":
        return cls(name, "admin", local=True)

    @classmethod
    def system(cls, name: str = "sample") -> "Actor":
        """The seeder of the bundled sample: an admin that is not an account."""
        return cls(name, "admin", local=True)

    def may(self, action: str, unit: str | None = None) -> bool:
        if self.role == "admin":
            return True
        if self.role == "reviewer":
            return action == "audit"
        if self.role == "unit":
            return action in ("import", "rollback") and unit in self.units
        return False

    def may_import_any(self) -> bool:
        """May import for at least one unit: admins, and unit staff with at least one unit."""
        return self.may("import") or any(self.may("import", u) for u in self.units)

    def importable(self, unit_ids) -> list[str]:
        """Those of ``unit_ids`` this actor may import for, in the given order."""
        return [u for u in unit_ids if self.may("import", u)]


def authorize(actor: Actor | None, action: str, unit: str | None = None) -> None:
    """Raise ParError unless ``actor`` may do ``action`` (on ``unit``)."""
    if actor is None:
        raise ParError([Issue("auth.no_actor", {})])
    if not actor.may(action, unit):
        raise ParError([Issue("auth.forbidden", {
            "user": actor.name, "role": term(f"auth.role_{actor.role}"),
            "action": term(f"auth.action_{action}"), "unit": unit or "–"})])


def acting(actor: Actor | None, *, has_accounts: bool) -> Actor | None:
    """Who the dashboard acts for: nobody in demo mode (no account exists yet, so nobody
    may reset or import whatever the session holds), else the signed-in actor (or None)."""
    return actor if has_accounts else None


def menu_for(actor: Actor | None, *, has_accounts: bool) -> list[str]:
    """The dashboard's page keys for ``actor``, in menu order.

    No account yet (demo mode): the read-only view. Accounts but nobody signed in: the
    login page only. Signed in: the view, plus upload for whoever may import for some
    unit, the criteria sets for whoever manages them, the audit log for whoever may audit.
    """
    actor = acting(actor, has_accounts=has_accounts)
    if not has_accounts:
        return list(VIEW_PAGES) + ["rounds", "surveys"]  # the board and surveys, read-only
    if actor is None:
        return ["login"]
    pages = list(VIEW_PAGES)
    if actor.may_import_any():
        pages.append("upload")
    if actor.role == "admin" or (actor.role == "unit" and actor.units):
        pages.append("round_self")
    if actor.role in ("admin", "appraiser"):
        pages.append("round_appraise")
    if actor.role in ("admin", "reviewer", "appraiser"):
        pages.append("rounds")  # the status board; only an admin sees its controls
        pages.append("surveys")  # survey results; only an admin imports answers
    if actor.may("criteria"):
        pages.append("sets")
    if actor.may("audit"):
        pages.append("audit")
    return pages
