"""Use cases about the team's people on a shared PostgreSQL database: who they are and their roles.

A person is a PostgreSQL login role in one of two groups (store.roles):
reps work the deals, managers also change the board's policies. The
database enforces it with grants; the services say so first, in one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from leankanban.domain import rules
from leankanban.domain.errors import InvalidInput, NotAllowed
from leankanban.services.base import ServiceBase
from leankanban.store import roles

ROLES = {"rep": roles.REP, "manager": roles.MANAGER}


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    #: "manager", "rep" or "owner" (the database's owner, who may do everything).
    role: str


class TeamMixin(ServiceBase):
    def team(self) -> list[Person]:
        """Everyone who may work on this database, by name."""
        with self.read() as session:
            _require_postgres(session)
            return [Person(name, role) for name, role in roles.people(session.connection())]

    def add_to_team(self, name: str, role: str, *, password: str | None = None) -> bool:
        """Give `name` a login role as a rep or a manager (or change their role).
        True when the person is new. Needs a manager who may create roles, or the owner."""
        name = rules.validate_text(name, "name")
        group = ROLES.get(role.strip().casefold())
        if group is None:
            raise InvalidInput(f"'{role}' is not a role; use rep or manager.")
        if password is not None and not password.strip():
            raise InvalidInput("A password cannot be blank; leave it out to log in without one.")
        with self.write() as session:
            _require_postgres(session)
            self.require_manager(session, "Adding people to the team")
            return roles.add_person(session.connection(), name, group, password)


def _require_postgres(session) -> None:  # type: ignore[no-untyped-def]
    if not roles.is_postgres(session):
        raise NotAllowed(
            "A team works on a shared PostgreSQL database; this SQLite file is one person's "
            "(see 'Working as a team' in the README)."
        )
