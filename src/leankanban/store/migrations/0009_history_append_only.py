"""History is append-only in the database itself, and PostgreSQL guards the team's roles.

SQLite: triggers abort any UPDATE or DELETE of an event. PostgreSQL: the same
trigger (and TRUNCATE), events of reps recorded in their role's name, the
groups leankanban_manager and leankanban_rep with their grants (see
`store.roles.install`, which the migration runner also re-applies after every
later migration, so tables rebuilt or added later keep them).
"""

from leankanban.store import roles


def upgrade(op) -> None:
    roles.install(op.get_bind())
