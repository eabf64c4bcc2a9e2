"""A hand-edited backup is checked against the domain's rules before anything is written.

Each corruption starts from a real export of a seeded board (three boards, a sprint,
retros, time logs) and is refused with every problem's JSON path, and the database
keeps what it held.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leankanban.domain.errors import InvalidInput
from leankanban.services import LeanKanban, open_database
from leankanban.services.backup import SECTIONS, InvalidBackup, export_data, restore
from leankanban.services.reports import report
from tests.conftest import FakeClock, seed_pipeline
from tests.services.test_backup import rich_board


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """An empty migrated database file to copy, and a real export of a rich board."""
    folder = tmp_path_factory.mktemp("restore")
    empty = folder / "empty.db"
    engine = open_database(str(empty))
    LeanKanban(engine, actor="ann", clock=FakeClock()).ensure_default_board()
    engine.dispose()
    engine = open_database(str(folder / "source.db"))
    source = LeanKanban(engine, actor="ann", clock=FakeClock())
    source.ensure_default_board()
    rich_board(source, seed_pipeline(source))
    dump = json.loads(json.dumps(export_data(source)))
    engine.dispose()
    yield empty, dump


def fresh(template: tuple[Path, dict[str, Any]], folder: Path, name: str = "fresh.db") -> LeanKanban:
    target = folder / name
    shutil.copyfile(template[0], target)
    return LeanKanban(open_database(str(target)), actor="ann", clock=FakeClock())


def without_time(dump: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dump.items() if k != "exported_at"}


def board(dump: dict[str, Any], name: str = "pipeline") -> dict[str, Any]:
    return next(b for b in dump["boards"] if b["name"] == name)


def refused(lk: LeanKanban, dump: dict[str, Any]) -> InvalidInput:
    before = without_time(export_data(lk))
    with pytest.raises(InvalidInput) as caught:
        restore(lk, dump)
    assert without_time(export_data(lk)) == before, "a refused restore wrote something"
    return caught.value


Mutation = Callable[[dict[str, Any]], None]


def _set(section: str, index: int, key: str, value: Any) -> Mutation:
    def mutate(dump: dict[str, Any]) -> None:
        board(dump)[section][index][key] = value

    return mutate


def _drop(section: str, index: int, key: str) -> Mutation:
    def mutate(dump: dict[str, Any]) -> None:
        del board(dump)[section][index][key]

    return mutate


def _other_boards_stage(dump: dict[str, Any]) -> None:
    board(dump)["deals"][0]["stage_id"] = board(dump, "accounts")["stages"][0]["id"]


def _same_id(dump: dict[str, Any]) -> None:
    deals = board(dump)["deals"]
    deals[1]["id"] = deals[0]["id"]


def _same_board_name(dump: dict[str, Any]) -> None:
    board(dump, "accounts")["name"] = "Pipeline"


def _same_stage_name(dump: dict[str, Any]) -> None:
    stages = board(dump)["stages"]
    stages[1]["name"] = stages[0]["name"].upper()


def _extra_top_key(dump: dict[str, Any]) -> None:
    dump["extra"] = 1


def _section_not_a_list(dump: dict[str, Any]) -> None:
    board(dump)["contacts"] = {"id": 1}


def _row_not_an_object(dump: dict[str, Any]) -> None:
    board(dump)["events"].append("moved")


def _board_not_an_object(dump: dict[str, Any]) -> None:
    dump["boards"].append(["pipeline"])


def _end_before_start(dump: dict[str, Any]) -> None:
    board(dump)["sprints"][0]["end"] = "2026-10-01"


def _wip_min_above_max(dump: dict[str, Any]) -> None:
    stage = board(dump)["stages"][1]
    stage["wip_min"], stage["wip_max"] = 5, 2


def _carried_from_later(dump: dict[str, Any]) -> None:
    objective = board(dump)["objectives"][0]
    board(dump)["objectives"].append(dict(objective, id=99, position=1))
    objective["carried_from"] = 99


CORRUPTIONS: dict[str, tuple[Mutation, str, str]] = {
    # name: (mutation, the path in the message, words of the problem)
    "status": (_set("deals", 3, "status", "weird"), "boards[0].deals[3].status", "'weird' is not one of open, won, lost"),
    "value text": (_set("deals", 0, "value_cents", "lots"), "boards[0].deals[0].value_cents", "'lots' is not a whole number"),
    "value float": (_set("deals", 0, "value_cents", 12.5), "boards[0].deals[0].value_cents", "12.5 is not a whole number"),
    "value negative": (_set("deals", 0, "value_cents", -1), "boards[0].deals[0].value_cents", "is not between 0 and"),
    "value too large": (_set("deals", 0, "value_cents", 10**14), "boards[0].deals[0].value_cents", "is not between 0 and"),
    "value huge": (_set("deals", 0, "value_cents", 10**30), "boards[0].deals[0].value_cents", "out of range"),
    "value bool": (_set("deals", 0, "value_cents", True), "boards[0].deals[0].value_cents", "true is not a whole number"),
    "event kind": (_set("events", 0, "kind", "teleported"), "boards[0].events[0].kind", "'teleported' is not one of created"),
    "stage kind": (_set("stages", 0, "kind", "maybe"), "boards[0].stages[0].kind", "'maybe' is not one of open, won, lost"),
    "deal type": (_set("deals", 0, "deal_type", "New Logo"), "boards[0].deals[0].deal_type", "is not one of new_logo"),
    "priority": (_set("deals", 0, "priority", None), "boards[0].deals[0].priority", "must not be null"),
    "contact role": (_set("contacts", 0, "role", "boss"), "boards[0].contacts[0].role", "'boss' is not one of"),
    "answer": (_set("qualification", 0, "answer", "maybe"), "boards[0].qualification[0].answer", "'maybe' is not one of"),
    "sprint status": (_set("sprints", 0, "status", "done"), "boards[0].sprints[0].status", "'done' is not one of open, closed"),
    "retro kind": (_set("retros", 0, "kind", "party"), "boards[0].retros[0].kind", "'party' is not one of"),
    "item kind": (_set("retro_items", 0, "kind", "meh"), "boards[0].retro_items[0].kind", "'meh' is not one of"),
    "time category": (_set("time_logs", 0, "category", "golf"), "boards[0].time_logs[0].category", "'golf' is not one of"),
    "minutes": (_set("time_logs", 0, "minutes", 0), "boards[0].time_logs[0].minutes", "0 is not between 1 and 1440"),
    "lane none": (_set("lane_limits", 0, "dimension", "none"), "boards[0].lane_limits[0].dimension", "not a lane to limit"),
    "lane account": (
        _set("lane_limits", 0, "dimension", "account"), "boards[0].lane_limits[0].dimension", "not a lane to limit"
    ),
    "id zero": (_set("deals", 0, "id", 0), "boards[0].deals[0].id", "0 is not a positive id"),
    "id text": (_set("deals", 0, "id", "1"), "boards[0].deals[0].id", "'1' is not a whole number"),
    "id twice": (_same_id, "boards[0].deals[1].id", "is also the id of another deal"),
    "stage elsewhere": (_other_boards_stage, "boards[0].deals[0].stage_id", "is on another board"),
    "stage missing": (_set("deals", 0, "stage_id", 999), "boards[0].deals[0].stage_id", "there is no stage 999"),
    "event deal": (_set("events", 0, "deal_id", 999), "boards[0].events[0].deal_id", "there is no deal 999"),
    "event board": (_set("events", 0, "board_id", 2), "boards[0].events[0].board_id", "is not the id of the board it is in"),
    "contact deal": (_set("contacts", 0, "deal_id", 999), "boards[0].contacts[0].deal_id", "there is no deal 999"),
    "answer criterion": (_set("qualification", 0, "criterion_id", 999), "boards[0].qualification[0].criterion_id",
                         "there is no criterion 999"),
    "gate stage": (_set("criterion_stages", 0, "stage_id", 999), "boards[0].criterion_stages[0].stage_id",
                   "there is no stage 999"),
    "committed sprint": (_set("sprint_deals", 0, "sprint_id", 999), "boards[0].sprint_deals[0].sprint_id",
                         "there is no sprint 999"),
    "retro sprint": (_set("retros", 0, "sprint_id", 999), "boards[0].retros[0].sprint_id", "there is no sprint 999"),
    "item retro": (_set("retro_items", 0, "retro_id", 999), "boards[0].retro_items[0].retro_id", "there is no retro 999"),
    "item card": (_set("retro_items", 1, "card_id", 999), "boards[0].retro_items[1].card_id", "there is no deal 999"),
    "carried from": (_set("objectives", 0, "carried_from", 999), "boards[0].objectives[0].carried_from",
                     "there is no objective 999"),
    "carried from later": (_carried_from_later, "boards[0].objectives[0].carried_from", "is not listed before"),
    "improvements board": ((lambda d: board(d).update(improvements_board_id=99)), "boards[0].improvements_board_id",
                           "there is no board 99"),
    "time": (_set("deals", 0, "created_at", "yesterday"), "boards[0].deals[0].created_at", "'yesterday' is not a time"),
    "naive time": (_set("deals", 0, "created_at", "2026-11-02T09:00:00"), "boards[0].deals[0].created_at",
                   "is not a time with its UTC offset"),
    "time out of range": (_set("events", 0, "at", "0001-01-01T00:00:00+05:00"), "boards[0].events[0].at", "is not a time"),
    "date": (_set("deals", 0, "expected_close", "31/12/2026"), "boards[0].deals[0].expected_close",
             "'31/12/2026' is not a date"),
    "end before start": (_end_before_start, "boards[0].sprints[0].end", "is before the start"),
    "blank title": (_set("deals", 0, "title", "   "), "boards[0].deals[0].title", "A deal needs a title"),
    "long title": (_set("deals", 0, "title", "x" * 201), "boards[0].deals[0].title", "longer than 200 characters"),
    "title not text": (_set("deals", 0, "title", ["Acme"]), "boards[0].deals[0].title", "a list is not a text"),
    "nul in text": (_set("deals", 0, "account", "Acme\x00"), "boards[0].deals[0].account", "holds a NUL character"),
    "half a surrogate pair": (_set("deals", 0, "title", json.loads('"\\ud800"')), "boards[0].deals[0].title",
                              "'\\ud800' is not valid Unicode text"),
    "surrogate in a tag": (_set("deals", 0, "tags", [json.loads('"a\\udfff"')]), "boards[0].deals[0].tags",
                           "is not valid Unicode text"),
    "nul in event data": (_set("events", 0, "data", {"competitor\x00": "x"}), "boards[0].events[0].data",
                          "holds a NUL character"),
    "unknown key shown escaped": (_set("deals", 0, "\x1b[2J", 1), "boards[0].deals[0].\\u001b[2J", "unknown key"),
    "currency": (_set("deals", 0, "currency", "E1R"), "boards[0].deals[0].currency", "not a three-letter currency code"),
    "currency long": (_set("deals", 0, "currency", "EURO"), "boards[0].deals[0].currency", "longer than 3 characters"),
    "currency case": (_set("deals", 0, "currency", "eur"), "boards[0].deals[0].currency", "in capitals"),
    "tags": (_set("deals", 0, "tags", "a,b"), "boards[0].deals[0].tags", "is not a list of texts"),
    "long tag": (_set("deals", 0, "tags", ["t" * 41]), "boards[0].deals[0].tags", "longer than 40 characters"),
    "probability": (_set("deals", 0, "probability", 150), "boards[0].deals[0].probability", "150 is not between 0 and 100"),
    "estimate": (_set("deals", 0, "estimate_minutes", 0), "boards[0].deals[0].estimate_minutes",
                 "0 is not between 1 and 2400"),
    "linked deal": (_set("deals", 0, "linked_deal_id", 999), "boards[0].deals[0].linked_deal_id", "there is no deal 999"),
    "customer value": (_set("deals", 0, "customer_value", "a\nb"), "boards[0].deals[0].customer_value",
                       "holds a control character"),
    "long customer value": (_set("deals", 0, "customer_value", "v" * 501), "boards[0].deals[0].customer_value",
                            "at most 500 characters"),
    "customer impact": (_set("deals", 0, "customer_impact_cents", -1), "boards[0].deals[0].customer_impact_cents",
                        "-1 is not between 0 and"),
    "event data": (_set("events", 0, "data", {"competitor": ["x"]}), "boards[0].events[0].data", "is not a text"),
    "velocity": (_set("sprints", 0, "velocity", {"won_value": "lots"}), "boards[0].sprints[0].velocity",
                 "won_value 'lots' is not an amount"),
    "allocation": ((lambda d: board(d).update(allocation={"origination": 90})), "boards[0].allocation", "add up to 100"),
    "review days": ((lambda d: board(d).update(review_days=0)), "boards[0].review_days", "at least 1 day"),
    "wip min above max": (_wip_min_above_max, "boards[0].stages[1].wip_min", "above the maximum"),
    "missing key": (_drop("deals", 0, "title"), "boards[0].deals[0].title", "missing"),
    "unknown key": (_set("deals", 0, "colour", "red"), "boards[0].deals[0].colour", "unknown key"),
    "unknown top key": (_extra_top_key, "extra", "unknown key"),
    "board name twice": (_same_board_name, "boards[1].name", "is also the name of boards[0]"),
    "stage name twice": (_same_stage_name, "boards[0].stages[1].name", "repeats boards[0].stages[0]"),
    "section not a list": (_section_not_a_list, "boards[0].contacts", "an object is not a list"),
    # events[18]: the rich board has 15 deal events and 3 policy changes before it.
    "row not an object": (_row_not_an_object, "boards[0].events[18]", "'moved' is not an object"),
    "board not an object": (_board_not_an_object, "boards[3]", "a list is not an object"),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_a_corrupt_backup_is_refused_with_its_path_and_writes_nothing(template, tmp_path, name):
    mutate, path, words = CORRUPTIONS[name]
    dump = copy.deepcopy(template[1])
    mutate(dump)
    lk = fresh(template, tmp_path)
    err = refused(lk, dump)
    assert isinstance(err, InvalidBackup)
    assert any(p.startswith(f"{path}: ") and words in p for p in err.problems), err.problems
    assert "\n" not in str(err) and str(err).startswith("The backup was not restored: ")
    lk.engine.dispose()


def test_the_unchanged_export_restores(template, tmp_path):
    lk = fresh(template, tmp_path)
    restore(lk, copy.deepcopy(template[1]))
    assert without_time(export_data(lk)) == without_time(template[1])
    lk.engine.dispose()


def test_every_problem_is_collected_and_the_sentence_counts_them(template, tmp_path):
    dump = copy.deepcopy(template[1])
    deals = board(dump)["deals"]
    deals[3]["status"] = "weird"
    deals[0]["value_cents"] = "lots"
    board(dump)["events"][2]["kind"] = "teleported"
    board(dump)["stages"][0]["kind"] = "maybe"
    lk = fresh(template, tmp_path)
    err = refused(lk, dump)
    assert len(err.problems) == 4
    assert str(err) == (
        "The backup was not restored: 4 problems, at boards[0].stages[0].kind, boards[0].deals[0].value_cents, "
        "boards[0].deals[3].status and 1 more; the first: boards[0].stages[0].kind: 'maybe' is not one of "
        "open, won, lost."
    )
    lk.engine.dispose()


def test_a_single_problem_is_the_sentence(template, tmp_path):
    dump = copy.deepcopy(template[1])
    board(dump)["deals"][3]["status"] = "weird"
    lk = fresh(template, tmp_path)
    assert str(refused(lk, dump)) == (
        "The backup was not restored: boards[0].deals[3].status: 'weird' is not one of open, won, lost."
    )
    lk.engine.dispose()


def test_control_characters_in_a_value_are_shown_escaped(template, tmp_path):
    dump = copy.deepcopy(template[1])
    board(dump)["deals"][0]["status"] = "\x1b[31mred\n"
    lk = fresh(template, tmp_path)
    message = str(refused(lk, dump))
    assert "\x1b" not in message and "\n" not in message
    assert "'\\u001b[31mred\\u000a'" in message
    lk.engine.dispose()


# --- random corruption: refused as InvalidInput, or restored and readable -----------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats()
    | st.text(st.characters(blacklist_categories=()), max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _plausible(dump: dict[str, Any], key: str) -> st.SearchStrategy[Any]:
    """Values another record of the backup has under `key`: ids that exist, statuses that are valid."""
    seen = [row[key] for b in dump["boards"] for _, rows in ((k, b.get(k, [])) for k, _ in SECTIONS)
            for row in rows if isinstance(row, dict) and key in row]
    seen += [b[key] for b in dump["boards"] if key in b]
    hashable = sorted({json.dumps(v, sort_keys=True) for v in seen})
    return st.sampled_from([json.loads(v) for v in hashable]) if hashable else JSON


@st.composite
def mutated(draw: st.DrawFn, original: dict[str, Any]) -> dict[str, Any]:
    dump = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        target = draw(st.sampled_from(dump["boards"]))
        section = draw(st.sampled_from(["(board)", *(k for k, _ in SECTIONS)]))
        if section == "(board)":
            row = target
        else:
            rows = target[section]
            if not rows:
                continue
            index = draw(st.integers(min_value=0, max_value=len(rows) - 1))
            action = draw(st.sampled_from(["edit", "edit", "edit", "delete", "duplicate"]))
            if action == "delete":
                del rows[index]
                continue
            if action == "duplicate":
                rows.append(copy.deepcopy(rows[index]))
                continue
            row = rows[index]
        key = draw(st.sampled_from(sorted(k for k in row if not isinstance(row[k], list) or section != "(board)")
                                   + ["unknown"]))
        how = draw(st.sampled_from(["random", "plausible", "plausible", "drop"]))
        if how == "drop":
            row.pop(key, None)
        elif how == "plausible":
            row[key] = draw(_plausible(dump, key))
        else:
            row[key] = draw(JSON)
    return dump


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_randomly_corrupted_backup_is_restored_whole_or_refused_untouched(template, tmp_path, data):
    dump = data.draw(mutated(template[1]))
    lk = fresh(template, tmp_path, f"{id(dump)}.db")
    before = without_time(export_data(lk))
    try:
        restore(lk, dump)
    except InvalidInput:
        assert without_time(export_data(lk)) == before
    else:  # what was restored reads back: the board, its deals, the report
        for entry in dump["boards"]:
            lk.get_board(entry["name"])
            for deal in lk.list_deals(board=entry["name"]):
                lk.get_deal(deal.id)
            report(lk, board=entry["name"], since=FakeClock()() - timedelta(days=30), seed=1)
        export_data(lk)
    finally:
        lk.engine.dispose()
