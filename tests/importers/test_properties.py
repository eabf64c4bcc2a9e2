"""Whatever bytes arrive, the importers answer with a batch or ImportFailed, never a crash."""

from __future__ import annotations

import contextlib
import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leankanban.domain.errors import InvalidInput
from leankanban.importers import FORMATS, ImportBatch, ImportFailed, RawFile, parse_import
from leankanban.importers.values import ValueProblem, parse_amount, parse_datetime

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADERS = [
    "Name", "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "CreatedDate", "Id",
    "Deal Name", "Deal Stage", "Record ID", 'Date entered "Won (Sales)"',
    "Deal - Title", "Deal - Stage", "Deal - Status", "Deal - Value", "Deal - Won time",
    "Task Id", "Column", "Title", "Status", "Creation date",
    "title", "stage", "value", "status", "created_at",
]
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "1", "TRUE", "won", "lost", "open", "Closed Won", "2024-01-02", "02/30/24", "-5", "1.234,5 €"]),
)


def _attempt(raw: RawFile, **kwargs) -> None:
    try:
        result = parse_import(raw, **kwargs)
    except ImportFailed as err:
        assert str(err).startswith(f"Cannot import {raw.name}") and str(err).endswith(".")
    else:
        assert isinstance(result, ImportBatch)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from([None, *FORMATS]))
def test_arbitrary_bytes_never_crash(data, format):
    try:
        _attempt(RawFile("x.csv", data), format=format)
    except InvalidInput:
        raise AssertionError("format names in FORMATS are all valid") from None


@SETTINGS
@given(st.text(max_size=2000))
def test_arbitrary_text_never_crashes(text):
    _attempt(RawFile("x.csv", text.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True),
    st.lists(st.lists(CELLS, max_size=9), max_size=6),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    st.booleans(),
)
def test_arbitrary_csv_never_crashes(header, rows, delimiter, encoding, dayfirst):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, "replace")
    from leankanban.importers import ParseOptions

    for format in (None, "csv"):
        _attempt(RawFile("x.csv", data), format=format, options=ParseOptions(dayfirst=dayfirst))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(
    st.fixed_dictionaries(
        {"lists": JSON_VALUES, "cards": JSON_VALUES},
        optional={"actions": JSON_VALUES, "members": JSON_VALUES, "customFields": JSON_VALUES},
    )
)
def test_arbitrary_trello_shapes_never_crash(document):
    _attempt(RawFile("board.json", json.dumps(document).encode()))


@SETTINGS
@given(st.text(max_size=40))
def test_value_parsers_only_raise_value_problems(text):
    for parse in (parse_amount, parse_datetime):
        with contextlib.suppress(ValueProblem):
            parse(text)


def _objects(keys: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    return st.lists(st.fixed_dictionaries({}, optional=keys), max_size=4)


IDS = st.sampled_from(["l1", "l2", "c1", "m1", "f1", "65e11a80aaaaaaaaaaaa0001", ""])
MAYBE = st.one_of(JSON_VALUES, IDS)
WHEN = st.one_of(st.sampled_from(["2024-03-01T09:00:00.000Z", "", "soon", "0000-01-01T00:00:00Z"]), JSON_VALUES)


@SETTINGS
@given(
    _objects({"id": MAYBE, "name": st.one_of(st.sampled_from(["Won", "Lost", "Leads"]), MAYBE), "pos": MAYBE, "closed": MAYBE}),
    _objects(
        {
            "id": MAYBE, "name": MAYBE, "idList": MAYBE, "closed": MAYBE, "due": WHEN, "idMembers": MAYBE,
            "dateLastActivity": WHEN,
            "customFieldItems": st.lists(
                st.fixed_dictionaries({}, optional={"idCustomField": MAYBE, "value": MAYBE, "idValue": MAYBE}), max_size=3
            ),
        }
    ),
    _objects(
        {
            "type": st.sampled_from(["createCard", "updateCard", "commentCard"]),
            "date": WHEN,
            "data": st.fixed_dictionaries(
                {}, optional={"card": st.fixed_dictionaries({}, optional={"id": MAYBE}), "list": MAYBE, "listAfter": MAYBE}
            ),
        }
    ),
    _objects({"id": MAYBE, "name": st.sampled_from(["Deal value", "Company", "Currency", "x"]), "options": MAYBE}),
)
def test_plausible_trello_boards_never_crash(lists, cards, actions, fields):
    document = {"lists": lists, "cards": cards, "actions": actions, "customFields": fields, "members": []}
    _attempt(RawFile("board.json", json.dumps(document).encode()))
