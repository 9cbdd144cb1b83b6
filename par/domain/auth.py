"""Who may do what: roles, the acting user (Actor) and the one authorisation rule book.

Enforcement lives here and in par.store.storage, never only in the UI: every write in the
store takes an Actor and calls ``authorize`` inside its transaction.

- admin: the PAR office — every unit, rollback, criteria sets, accounts;
- reviewer: office chief and leadership — sees everything, changes nothing;
- unit: staff of one or more named units — imports (and rolls back) their own units only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from par.domain.issues import Issue, ParError

ROLES = ("admin", "reviewer", "unit")
ACTIONS = ("import", "rollback", "criteria", "accounts", "audit", "reset")


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    units: frozenset[str] = field(default_factory=frozenset)
    local: bool = False  # the CLI on the machine itself, before any account exists

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


def authorize(actor: Actor | None, action: str, unit: str | None = None) -> None:
    """Raise ParError unless ``actor`` may do ``action`` (on ``unit``)."""
    if actor is None:
        raise ParError([Issue("auth.no_actor", {})])
    if not actor.may(action, unit):
        raise ParError([Issue("auth.forbidden", {
            "user": actor.name, "role": actor.role, "action": action, "unit": unit or "–"})])
