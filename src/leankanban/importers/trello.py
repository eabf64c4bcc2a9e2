"""Trello board JSON export.

Lists become stages in `pos` order; lists named like Won/Lost are outcomes.
Cards become deals; `createCard` / `updateCard` (with `listBefore` /
`listAfter`) actions become stage history. Archived cards are skipped unless
they sit in a Won or Lost list (teams archive finished deals). Optional
custom fields named like Value/Amount, Account/Company and Currency fill
those fields; the first member is the owner.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from leankanban.domain.model import StageKind
from leankanban.importers.common import ParseOptions, clip, plural
from leankanban.importers.errors import ImportFailed
from leankanban.importers.model import ImportBatch, ImportedDeal, Skip
from leankanban.importers.pipeline import Row, collapse, entered, kinds_by_name
from leankanban.importers.stages import STATUS_OF, build_stages, outcome_kind
from leankanban.importers.textio import RawFile, load_json
from leankanban.importers.values import ValueProblem, parse_amount, parse_date, parse_datetime

SOURCE = "trello"
_CREATE = {"createCard", "copyCard", "convertToCardFromCheckItem", "moveCardToBoard", "emailCard"}
_VALUE_FIELD = re.compile(r"value|amount|deal size|revenue|price|wert|betrag|montant", re.I)
_ACCOUNT_FIELD = re.compile(r"account|company|organi[sz]ation|client|customer|firma|kunde", re.I)
_CURRENCY_FIELD = re.compile(r"currency|währung|devise", re.I)


def matches(document: object) -> bool:
    return isinstance(document, dict) and "cards" in document and "lists" in document


class _Json:
    """Typed reads from the export; a wrong shape is an ImportFailed naming the JSON path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, path: str, message: str) -> ImportFailed:
        return ImportFailed(self.file, None, path, message)

    def objects(self, document: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = document.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(key, "expected a list of objects")
        return value

    def text(self, item: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = item.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", "expected text")
        return value

    def when(self, item: dict[str, Any], key: str, path: str, options: ParseOptions) -> datetime | None:
        value = self.text(item, key, path)
        try:
            return parse_datetime(value, tz=options.tz) if value else None
        except ValueProblem as err:
            raise self.fail(f"{path}.{key}", str(err)) from None


def _created_from_id(card_id: str) -> datetime | None:
    """Trello ids are MongoDB ObjectIds: the first 8 hex digits are the creation time."""
    if re.fullmatch(r"[0-9a-fA-F]{24}", card_id):
        seconds = int(card_id[:8], 16)
        if 631152000 <= seconds <= 7258118400:  # 1990..2200
            return datetime.fromtimestamp(seconds, UTC)
    return None


def _position(value: object) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float) and value == value:
        try:
            return float(value)
        except OverflowError:
            return float("inf") if value > 0 else float("-inf")
    if value == "top":
        return float("-inf")
    return float("inf")


class _Board:
    """The export's lists, members and custom fields: what every card is read against."""

    def __init__(self, read: _Json, document: dict[str, Any]) -> None:
        lists = read.objects(document, "lists")
        for key in ("cards", "actions"):  # shape errors in the order the export lists its parts
            read.objects(document, key)
        members = read.objects(document, "members")
        custom_fields = read.objects(document, "customFields")
        self.names: dict[str, str] = {}  # list id -> stage name
        self.order: list[tuple[float, int, str, bool]] = []  # (pos, index, list id, archived)
        for i, item in enumerate(lists):
            path = f"lists[{i}]"
            list_id = read.text(item, "id", path, required=True)
            self.names[list_id] = clip(read.text(item, "name", path), 60) or "(unnamed list)"
            self.order.append((_position(item.get("pos")), i, list_id, item.get("closed") is True))
        self.order.sort()
        self.members = {
            read.text(m, "id", f"members[{i}]"): clip(
                read.text(m, "fullName", f"members[{i}]") or read.text(m, "username", f"members[{i}]")
            )
            for i, m in enumerate(members)
        }
        self.roles = _field_roles(read, custom_fields)
        self.option_text = _option_text(custom_fields)
        self.kinds = kinds_by_name(self.names.values())

    def owner(self, card: dict[str, Any]) -> str:
        """The first member of the card the export names."""
        id_members = card.get("idMembers") or []
        if not isinstance(id_members, list):
            return ""
        return next((self.members[m] for m in id_members if isinstance(m, str) and m in self.members), "")

    def stage_names(self, used: set[str], deals: list[ImportedDeal]) -> list[str]:
        """Lists in `pos` order (archived ones only when used), then stages seen only in history."""
        names = [self.names[list_id] for _pos, _i, list_id, closed in self.order if not closed or self.names[list_id] in used]
        for deal in deals:  # stages seen only in history (deleted lists)
            for entry in deal.history:
                if entry.stage not in self.kinds:
                    self.kinds[entry.stage] = outcome_kind(entry.stage) or StageKind.OPEN
                    names.append(entry.stage)
        return list(dict.fromkeys(names))


def _field_roles(read: _Json, custom_fields: list[dict[str, Any]]) -> dict[str, str]:
    """Custom field id -> value, currency or account, by the field's name."""
    roles: dict[str, str] = {}
    for i, item in enumerate(custom_fields):
        name = read.text(item, "name", f"customFields[{i}]")
        field_id = read.text(item, "id", f"customFields[{i}]")
        for role, pattern in (("value", _VALUE_FIELD), ("currency", _CURRENCY_FIELD), ("account", _ACCOUNT_FIELD)):
            if pattern.search(name):
                roles.setdefault(field_id, role)
                break
    return roles


def _option_text(custom_fields: list[dict[str, Any]]) -> dict[str, str]:
    """Dropdown option id -> its text."""
    text: dict[str, str] = {}
    for item in custom_fields:
        choices = item.get("options")
        for opt in choices if isinstance(choices, list) else []:
            if isinstance(opt, dict) and isinstance(opt.get("id"), str) and isinstance(opt.get("value"), dict):
                text[opt["id"]] = str(opt["value"].get("text", ""))
    return text


def _move_of(action: dict[str, Any]) -> tuple[str, bool, object] | None:
    """(card id, whether it created the card, the list it put the card in) for card-placing actions."""
    kind = action.get("type")
    data = action.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("card"), dict):
        return None
    card_id = data["card"].get("id")
    if not isinstance(card_id, str):
        return None
    if kind in _CREATE:
        return card_id, True, data.get("list")
    if kind == "updateCard" and "listAfter" in data:
        return card_id, False, data.get("listAfter")
    return None


def _list_name(target: object, names: dict[str, str]) -> str | None:
    if not isinstance(target, dict):
        return None
    list_id = target.get("id")
    name = names.get(list_id) if isinstance(list_id, str) else None
    if name is None and isinstance(target.get("name"), str):
        name = clip(target["name"], 60)
    return name or None


def _moves(
    read: _Json, actions: list[dict[str, Any]], names: dict[str, str], options: ParseOptions
) -> tuple[dict[str, list[tuple[datetime, int, str]]], dict[str, datetime]]:
    """Stage entries per card from the actions (unsorted), and when each card was created."""
    moves: dict[str, list[tuple[datetime, int, str]]] = {}
    created: dict[str, datetime] = {}
    for i, action in enumerate(actions):
        move = _move_of(action)
        if move is None:
            continue
        card_id, creates, target = move
        at = read.when(action, "date", f"actions[{i}]", options)
        if at is None:
            continue
        if creates:
            created[card_id] = min(at, created.get(card_id, at))
        name = _list_name(target, names)
        if name:
            moves.setdefault(card_id, []).append((at, i, name))
    return moves, created


class _Cards:
    """Cards -> deals, with the skips and the lists they use."""

    def __init__(self, read: _Json, board: _Board, actions: list[dict[str, Any]], options: ParseOptions) -> None:
        self.read, self.board, self.options = read, board, options
        self.moves, self.created = _moves(read, actions, board.names, options)
        self.skipped: list[Skip] = []
        self.used: set[str] = set()

    def deal(self, i: int, card: dict[str, Any]) -> ImportedDeal | None:
        path = f"cards[{i}]"
        card_id = self.read.text(card, "id", path)
        title = clip(self.read.text(card, "name", path))
        stage = self.board.names.get(self.read.text(card, "idList", path))
        reason = self._unusable(card, card_id or str(i), title, stage)
        if reason is not None:
            self.skipped.append(Skip(None, reason, self.read.file))
            return None
        assert stage is not None
        kind = self.board.kinds[stage]
        row = Row(None, [], title, stage, card_id or None, owner=self.board.owner(card))
        row.history = tuple(collapse(self.moves.get(card_id, [])))
        self.used.update([stage, *(e.stage for e in row.history)])
        row.created_at = self.created.get(card_id) or _created_from_id(card_id)
        row.expected_close = self._due(card, path) if kind is StageKind.OPEN else None
        row.value, row.currency, row.account = _custom_values(
            self.read, card, path, self.board.roles, self.board.option_text, self.options
        )
        closed_at = None
        if kind is not StageKind.OPEN:
            closed_at = entered(row.history, stage) or self.read.when(card, "dateLastActivity", path, self.options)
        return row.deal(SOURCE, STATUS_OF[kind], closed_at)

    def _unusable(self, card: dict[str, Any], name: str, title: str, stage: str | None) -> str | None:
        if not title:
            return f"card {name} has no name"
        if stage is None:
            return f"card '{title}' is in a list the export does not include"
        if card.get("closed") is True and self.board.kinds[stage] is StageKind.OPEN:
            return f"card '{title}' is archived"
        return None

    def _due(self, card: dict[str, Any], path: str) -> Any:
        due = self.read.text(card, "due", path)
        try:
            return parse_date(due) if due else None
        except ValueProblem as err:
            raise self.read.fail(f"{path}.due", str(err)) from None


def _document(raw: RawFile, text: str | None) -> tuple[_Json, dict[str, Any]]:
    document = load_json(raw, text)
    read = _Json(raw.name)
    if not isinstance(document, dict):
        raise read.fail("$", "expected a Trello board (a JSON object with lists and cards)")
    for key in ("lists", "cards"):
        if key not in document:
            raise read.fail(key, f"the board has no '{key}'")
    return read, document


def parse(raw: RawFile, *, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    read, document = _document(raw, text)
    board = _Board(read, document)
    cards = read.objects(document, "cards")
    actions = read.objects(document, "actions")
    reader = _Cards(read, board, actions, options)
    deals = [deal for i, card in enumerate(cards) if (deal := reader.deal(i, card)) is not None]
    names = board.stage_names(reader.used, deals)
    stages = build_stages(names, {n: board.kinds[n] for n in names})
    warnings = []
    if not any(isinstance(a, dict) for a in actions) and deals:
        warnings.append("The export has no actions, so cards come without stage history.")
    archived = sum(1 for s in reader.skipped if s.reason.endswith("is archived"))
    if archived:
        warnings.append(f"Skipped {plural(archived, 'archived card')} outside Won/Lost lists.")
    if not board.roles and deals:
        warnings.append("No custom field holds a deal value, so values are 0.")
    return ImportBatch(SOURCE, stages, tuple(deals), tuple(reader.skipped), tuple(warnings))


def _custom_text(item: dict[str, Any], option_text: dict[str, str]) -> str:
    raw_value = item.get("value")
    if isinstance(raw_value, dict):
        return next((str(v) for v in raw_value.values() if isinstance(v, str | int | float)), "")
    if isinstance(item.get("idValue"), str):
        return option_text.get(item["idValue"], "")
    return ""


def _custom_values(
    read: _Json,
    card: dict[str, Any],
    path: str,
    roles: dict[str, str],
    option_text: dict[str, str],
    options: ParseOptions,
) -> tuple[Decimal, str, str]:
    """The card's value, currency and account from its custom fields."""
    value, currency, account = Decimal("0"), options.currency, ""
    items = card.get("customFieldItems") or []
    if not isinstance(items, list):
        return value, currency, account
    for j, item in enumerate(items):
        field_id = item.get("idCustomField") if isinstance(item, dict) else None
        role = roles.get(field_id) if isinstance(field_id, str) else None
        if role is None:
            continue
        text = _custom_text(item, option_text)
        if role == "value":
            try:
                value, written = parse_amount(text)
            except ValueProblem as err:
                raise read.fail(f"{path}.customFieldItems[{j}]", str(err)) from None
            currency = written or currency
        elif role == "currency" and re.fullmatch(r"[A-Za-z]{3}", text.strip()):
            currency = text.strip().upper()
        elif role == "account":
            account = clip(text)
    return value, currency, account
