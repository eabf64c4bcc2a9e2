"""Who the person at the database is, and what their role allows.

On PostgreSQL a team's people are login roles: members of the group role
MANAGER or REP. The database owner and superusers count as managers. An
SQLite file is one person's: they manage it.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

#: The group roles a team's people belong to (cluster-wide, like every PostgreSQL role).
MANAGER = "leankanban_manager"
REP = "leankanban_rep"

_IS_MANAGER = text(
    """
    SELECT r.rolsuper
        OR d.datdba = r.oid
        OR EXISTS (
            SELECT 1 FROM pg_roles m
            WHERE m.rolname = :manager AND pg_has_role(session_user, m.oid, 'MEMBER')
        )
    FROM pg_roles r, pg_database d
    WHERE r.rolname = session_user AND d.datname = current_database()
    """
)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def is_manager(session: Session) -> bool:
    """Whether the person connected may do what only a manager may."""
    if not is_postgres(session):
        return True
    return bool(session.execute(_IS_MANAGER, {"manager": MANAGER}).scalar())
