"""A team on one PostgreSQL database, with real login roles (issue 12): the database
itself guards the roles and the history; on SQLite, triggers guard the history."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from leankanban.cli import app
from leankanban.domain.errors import DatabaseError, NotAllowed
from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban, open_database
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres


@dataclass
class Team:
    owner: LeanKanban
    rep: LeanKanban
    manager: LeanKanban
    rep_name: str
    manager_name: str
    rep_url: str
    schema: str


def _as(url: str, role: str) -> str:
    return url.replace("//postgres@", f"//{role}@", 1)


def _raw(role: str, schema: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(_as(PG_URL, role), options=f"-c search_path={schema}", autocommit=True)


@pytest.fixture
def team(pg_url: str) -> Iterator[Team]:
    import psycopg

    schema = parse_qs(urlsplit(pg_url).query)["schema"][0]
    suffix = uuid.uuid4().hex[:8]
    rep_name, manager_name = f"lk_rep_{suffix}", f"lk_mgr_{suffix}"
    owner = LeanKanban(open_database(pg_url), actor="postgres")
    owner.ensure_default_board()
    owner.add_to_team(rep_name, "rep")
    owner.add_to_team(manager_name, "manager")
    rep_url, manager_url = _as(pg_url, rep_name), _as(pg_url, manager_name)
    rep = LeanKanban(open_database(rep_url), actor=rep_name)
    manager = LeanKanban(open_database(manager_url), actor=manager_name)
    try:
        yield Team(owner, rep, manager, rep_name, manager_name, rep_url, schema)
    finally:
        for lk in (rep, manager, owner):
            lk.engine.dispose()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for name in (rep_name, manager_name):
                conn.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(name)))


def test_team_list_shows_people_and_roles(team: Team):
    people = {p.name: p.role for p in team.owner.team()}
    assert people[team.rep_name] == "rep" and people[team.manager_name] == "manager"


def test_a_rep_works_the_deals(team: Team):
    deal = team.rep.add_deal("Acme", stage="Leads").id
    team.rep.step_deal(deal, 1, from_stage="Leads")
    team.rep.add_note(deal, "Called")
    team.rep.discard(deal, "No budget")
    assert {e.actor for e in team.owner.history(deal)} == {team.rep_name}


def test_a_rep_cannot_change_a_wip_limit_through_the_app_or_sql(team: Team):
    with pytest.raises(NotAllowed) as refused:
        team.rep.set_stage_limits("Proposal", wip_max=99)
    assert str(refused.value) == "Changing a stage's WIP limits needs the manager role; ask a manager of the team."
    import psycopg

    with _raw(team.rep_name, team.schema) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE stage SET wip_max = 99")
    with _raw(team.rep_name, team.schema) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE board SET stall_days = 99")
    assert team.owner.get_board().stage("Proposal").wip_max == 5


def test_a_manager_changes_policies_and_the_change_is_theirs(team: Team):
    team.manager.set_stage_limits("Proposal", wip_max=4)
    [change] = team.owner.policy_history()
    assert (change.field, change.new_value, change.actor) == ("wip_max", "4", team.manager_name)


def test_a_rep_cannot_add_people(team: Team):
    with pytest.raises(NotAllowed, match="needs the manager role"):
        team.rep.add_to_team("lk_nobody", "rep")


def test_no_role_the_app_makes_can_change_or_delete_history(team: Team):
    import psycopg

    team.rep.add_deal("Acme", stage="Leads")
    for role in (team.rep_name, team.manager_name):
        for statement in ("DELETE FROM event", "UPDATE event SET actor = 'someone'", "TRUNCATE event"):
            with _raw(role, team.schema) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    # Not even the owner: the trigger stands in the way.
    with _raw("postgres", team.schema) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute("DELETE FROM event")
    assert len(team.owner.history(team.owner.list_deals()[0].id)) == 1


def test_a_rep_writes_history_in_their_own_name_only(team: Team):
    deal = team.rep.add_deal("Acme", stage="Leads").id
    board = team.owner.get_board().id
    with _raw(team.rep_name, team.schema) as conn:
        conn.execute(
            "INSERT INTO event (board_id, deal_id, kind, at, actor) VALUES (%s, %s, 'note', now(), 'the-ceo')",
            (board, deal),
        )
    # The services pretending to be someone else fare no better.
    LeanKanban(team.rep.engine, actor="the-ceo").add_note(deal, "Hello")
    assert {e.actor for e in team.owner.history(deal)} == {team.rep_name}


def test_the_cli_records_the_role_not_leankanban_user(team: Team):
    result = CliRunner().invoke(
        app, ["--db", team.rep_url, "add", "Globex"], env={"LEANKANBAN_USER": "mallory", "LEANKANBAN_DB": None}
    )
    assert result.exit_code == 0, result.output
    deal = int(result.stdout)
    [created] = team.owner.history(deal)
    assert created.kind is EventKind.CREATED and created.actor == team.rep_name


def test_undo_of_someone_elses_change_needs_a_manager(team: Team):
    deal = team.manager.add_deal("Acme", stage="Leads", value="100").id
    team.manager.edit_deal(deal, value="200")
    edit = [e for e in team.owner.history(deal) if e.kind is EventKind.EDITED][-1]
    with pytest.raises(NotAllowed, match=f"made by {team.manager_name}"):
        team.rep.undo(edit.id)
    team.rep.edit_deal(deal, next_step="Call")
    mine = [e for e in team.owner.history(deal) if e.field == "next_step"][-1]
    team.manager.undo(mine.id)  # a manager may undo anyone's
    assert team.owner.get_deal(deal).next_step in (None, "")


def test_a_raw_refusal_from_the_database_is_one_sentence(team: Team):
    # The app's own check comes first; this is what the database says when it does not.
    from sqlalchemy import text

    with pytest.raises(DatabaseError, match="lacks a permission"), team.rep.write() as session:
        session.execute(text("UPDATE stage SET wip_max = 1"))


@pytest.mark.parametrize("statement", ["DELETE FROM event", "UPDATE event SET actor = 'x'"])
def test_sqlite_history_is_append_only_too(lk_sqlite: LeanKanban, sqlite_url: str, statement: str):
    lk_sqlite.add_deal("Acme")
    with sqlite3.connect(sqlite_url) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(statement)


def test_a_manager_adds_a_rep_and_changes_roles(team: Team):
    import psycopg

    newcomer = f"{team.rep_name}_new"
    try:
        assert team.manager.add_to_team(newcomer, "rep") is True
        people = {p.name: p.role for p in team.owner.team()}
        assert people[newcomer] == "rep"
        assert team.manager.add_to_team(newcomer, "manager") is False  # an existing person: a new role
        assert {p.name: p.role for p in team.owner.team()}[newcomer] == "manager"
        team.manager.add_to_team(newcomer, "rep")
        assert {p.name: p.role for p in team.owner.team()}[newcomer] == "rep"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(newcomer)))
