"""Who the person at the database is, and what their role allows.

On PostgreSQL a team's people are login roles: members of the group role
MANAGER or REP. The database owner and superusers count as managers. An
SQLite file is one person's: they manage it.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

#: The group roles a team's people belong to (cluster-wide, like every PostgreSQL role).
MANAGER = "leankanban_manager"
REP = "leankanban_rep"

#: Whether the role connected counts as a manager: a member of MANAGER, the
#: database's owner or a superuser (an SQL expression, also used by a trigger).
_MANAGER_TEST = f"""(
    SELECT r.rolsuper
        OR d.datdba = r.oid
        OR EXISTS (
            SELECT 1 FROM pg_roles m
            WHERE m.rolname = '{MANAGER}' AND pg_has_role(session_user, m.oid, 'MEMBER')
        )
    FROM pg_roles r, pg_database d
    WHERE r.rolname = session_user AND d.datname = current_database()
)"""
_IS_MANAGER = text(f"SELECT coalesce({_MANAGER_TEST}, false)")


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def is_manager(session: Session) -> bool:
    """Whether the person connected may do what only a manager may."""
    if not is_postgres(session):
        return True
    return bool(session.execute(_IS_MANAGER).scalar())


# -- what the database itself guards ------------------------------------------------

#: Tables a rep changes in everyday work: deals and what hangs off them, retros, time,
#: sprints. Everything else (the board's settings, stages, criteria and their gates,
#: discard reasons, lane limits, the migrations' record) only a manager changes.
REP_TABLES = (
    "deal", "contact", "deal_criterion", "retro", "retro_item", "time_log", "sprint", "objective", "sprint_deal",
)

_SQLITE_GUARDS = (
    """CREATE TRIGGER IF NOT EXISTS event_append_only_update BEFORE UPDATE ON event
       BEGIN SELECT RAISE(ABORT, 'leankanban history is append-only: an event cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS event_append_only_delete BEFORE DELETE ON event
       BEGIN SELECT RAISE(ABORT, 'leankanban history is append-only: an event cannot be deleted'); END""",
)

_POSTGRES_GUARDS = (
    """CREATE OR REPLACE FUNCTION leankanban_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           RAISE EXCEPTION 'leankanban history is append-only: events cannot be changed or deleted'
               USING ERRCODE = 'insufficient_privilege';
       END $$""",
    "DROP TRIGGER IF EXISTS event_append_only ON event",
    """CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
       FOR EACH ROW EXECUTE FUNCTION leankanban_append_only()""",
    "DROP TRIGGER IF EXISTS event_no_truncate ON event",
    """CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
       FOR EACH STATEMENT EXECUTE FUNCTION leankanban_append_only()""",
    # A rep writes history in their own name only, whatever the client sends; managers
    # (and the owner) may record others' names: imports keep the people in the file.
    f"""CREATE OR REPLACE FUNCTION leankanban_event_actor() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF NEW.actor IS DISTINCT FROM session_user AND NOT coalesce({_MANAGER_TEST}, false) THEN
               NEW.actor := session_user;
           END IF;
           RETURN NEW;
       END $$""",
    "DROP TRIGGER IF EXISTS event_actor ON event",
    """CREATE TRIGGER event_actor BEFORE INSERT ON event
       FOR EACH ROW EXECUTE FUNCTION leankanban_event_actor()""",
)

_GROUPS = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MANAGER}') THEN
        CREATE ROLE {MANAGER} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{REP}') THEN
        CREATE ROLE {REP} NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    NULL;  -- no right to create roles: the team's groups are made by whoever may
END $$
"""


def install(conn: Connection) -> None:
    """Make the database guard history and roles itself (idempotent; run after migrating).

    SQLite: triggers abort any UPDATE or DELETE of an event. PostgreSQL: the same
    as a trigger (TRUNCATE too), an INSERT trigger that records a rep's events in
    their role's name, the group roles MANAGER and REP, and their grants: a
    rep reads everything and changes only the REP_TABLES (and the board's
    revision counter), a manager changes everything; neither may UPDATE or
    DELETE an event.
    """
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_GUARDS:
            conn.exec_driver_sql(statement)
        return
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("SELECT pg_advisory_xact_lock(727272)"))  # the migrations' lock: one installer at a time
    for statement in _POSTGRES_GUARDS:
        conn.execute(text(statement))
    conn.execute(text(_GROUPS))
    groups = set(conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname IN (:m, :r)"), {"m": MANAGER, "r": REP}).scalars())
    if groups != {MANAGER, REP}:
        return
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    quote = conn.dialect.identifier_preparer.quote
    where = quote(schema)
    for statement in (
        f"GRANT USAGE ON SCHEMA {where} TO {MANAGER}, {REP}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {where} TO {MANAGER}, {REP}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {MANAGER}, {REP}",
        f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {MANAGER}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {where}.schema_migrations FROM {MANAGER}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(f'{where}.{t}' for t in REP_TABLES)} TO {REP}",
        f"GRANT UPDATE (revision) ON {where}.board TO {REP}",
        f"GRANT INSERT ON {where}.event TO {REP}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {where}.event FROM {MANAGER}, {REP}",
    ):
        conn.execute(text(statement))


# -- the team's people ------------------------------------------------------------


def session_user(conn: Connection) -> str:
    return str(conn.execute(text("SELECT session_user")).scalar())


def add_person(conn: Connection, name: str, group: str, password: str | None) -> bool:
    """Make `name` a login role in `group` (MANAGER or REP), out of the other group.
    An existing role just changes group. True when the role is new."""
    other = REP if group == MANAGER else MANAGER
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first() is not None
    if not exists:
        if password:
            made = conn.execute(text("SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', CAST(:name AS text), CAST(:password AS text))"),
                                {"name": name, "password": password}).scalar()
        else:
            made = conn.execute(text("SELECT format('CREATE ROLE %I LOGIN', CAST(:name AS text))"), {"name": name}).scalar()
        conn.execute(text(str(made)))
    elif password:
        changed = conn.execute(text("SELECT format('ALTER ROLE %I PASSWORD %L', CAST(:name AS text), CAST(:password AS text))"),
                               {"name": name, "password": password}).scalar()
        conn.execute(text(str(changed)))
    # A manager may add people: they can create roles and grant both groups. A rep cannot.
    if group == MANAGER:
        steps = [("GRANT %I TO %I WITH ADMIN OPTION", MANAGER), ("GRANT %I TO %I WITH ADMIN OPTION", REP),
                 ("ALTER ROLE %2$I CREATEROLE", None)]
    else:
        steps = [("REVOKE %I FROM %I", other), ("REVOKE %I FROM %I", REP), ("GRANT %I TO %I", REP),
                 ("ALTER ROLE %2$I NOCREATEROLE", None)]
    for template, role in steps:
        statement = conn.execute(
            text(f"SELECT format('{template}', CAST(:group AS text), CAST(:name AS text))"),
            {"group": role or group, "name": name},
        ).scalar()
        conn.execute(text(str(statement)))
    return not exists


def people(conn: Connection) -> list[tuple[str, str]]:
    """(login role, "manager" | "rep" | "owner") of everyone who may work on the board."""
    rows = conn.execute(
        text(
            """
            SELECT r.rolname,
                   CASE WHEN d.datdba = r.oid THEN 'owner'
                        WHEN pg_has_role(r.oid, m.oid, 'MEMBER') THEN 'manager'
                        ELSE 'rep' END
            FROM pg_roles r
            CROSS JOIN pg_database d
            LEFT JOIN pg_roles m ON m.rolname = :manager
            LEFT JOIN pg_roles p ON p.rolname = :rep
            WHERE d.datname = current_database() AND r.rolcanlogin
              AND (d.datdba = r.oid
                   OR (m.oid IS NOT NULL AND pg_has_role(r.oid, m.oid, 'MEMBER'))
                   OR (p.oid IS NOT NULL AND pg_has_role(r.oid, p.oid, 'MEMBER')))
            ORDER BY r.rolname
            """
        ),
        {"manager": MANAGER, "rep": REP},
    )
    return [(name, role) for name, role in rows]
