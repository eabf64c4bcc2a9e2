"""Trello board JSON export.

Lists become stages in `pos` order; lists named like Won/Lost are outcomes.
Cards become deals; `createCard` / `updateCard` (with `listBefore` /
`listAfter`) actions become stage history. Archived cards are skipped unless
they sit in a Won or Lost list (teams archive finished deals). Optional
custom fields named like Value/Amount, Account/Company and Currency fill
those fields; the first member is the owner.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from leankanban.domain.model import StageKind
from leankanban.importers.common import ParseOptions, clip, plural
from leankanban.importers.errors import ImportFailed
from leankanban.importers.model import ImportBatch, ImportedDeal, Skip, StageEntry
from leankanban.importers.stages import STATUS_OF, build_stages, outcome_kind
from leankanban.importers.textio import RawFile, ValueProblem, decode, parse_amount, parse_date, parse_datetime

SOURCE = "trello"
_CREATE = {"createCard", "copyCard", "convertToCardFromCheckItem", "moveCardToBoard", "emailCard"}
_VALUE_FIELD = re.compile(r"value|amount|deal size|revenue|price|wert|betrag|montant", re.I)
_ACCOUNT_FIELD = re.compile(r"account|company|organi[sz]ation|client|customer|firma|kunde", re.I)
_CURRENCY_FIELD = re.compile(r"currency|währung|devise", re.I)


def matches(document: object) -> bool:
    return isinstance(document, dict) and "cards" in document and "lists" in document


def load_json(raw: RawFile, text: str | None = None) -> Any:
    if text is None:
        text = decode(raw)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportFailed(raw.name, err.lineno, err.colno, f"the JSON is broken or cut short ({err.msg})") from None
    except RecursionError:
        raise ImportFailed(raw.name, None, None, "the JSON is nested too deeply") from None


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


def parse(raw: RawFile, *, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    document = load_json(raw, text)
    read = _Json(raw.name)
    if not isinstance(document, dict):
        raise read.fail("$", "expected a Trello board (a JSON object with lists and cards)")
    for key in ("lists", "cards"):
        if key not in document:
            raise read.fail(key, f"the board has no '{key}'")
    lists = read.objects(document, "lists")
    cards = read.objects(document, "cards")
    actions = read.objects(document, "actions")
    members = read.objects(document, "members")
    custom_fields = read.objects(document, "customFields")

    list_names: dict[str, str] = {}
    list_order: list[tuple[float, int, str, bool]] = []
    for i, item in enumerate(lists):
        path = f"lists[{i}]"
        list_id = read.text(item, "id", path, required=True)
        name = clip(read.text(item, "name", path), 60) or "(unnamed list)"
        list_names[list_id] = name
        list_order.append((_position(item.get("pos")), i, list_id, item.get("closed") is True))
    list_order.sort()
    member_names = {
        read.text(m, "id", f"members[{i}]"): clip(read.text(m, "fullName", f"members[{i}]") or read.text(m, "username", f"members[{i}]"))
        for i, m in enumerate(members)
    }
    field_roles: dict[str, str] = {}
    for i, item in enumerate(custom_fields):
        name = read.text(item, "name", f"customFields[{i}]")
        field_id = read.text(item, "id", f"customFields[{i}]")
        if _VALUE_FIELD.search(name):
            field_roles.setdefault(field_id, "value")
        elif _CURRENCY_FIELD.search(name):
            field_roles.setdefault(field_id, "currency")
        elif _ACCOUNT_FIELD.search(name):
            field_roles.setdefault(field_id, "account")
    option_text: dict[str, str] = {}
    for item in custom_fields:
        choices = item.get("options")
        for opt in choices if isinstance(choices, list) else []:
            if isinstance(opt, dict) and isinstance(opt.get("id"), str) and isinstance(opt.get("value"), dict):
                option_text[opt["id"]] = str(opt["value"].get("text", ""))

    # Stage entries per card from actions, oldest first.
    moves: dict[str, list[tuple[datetime, int, str]]] = {}
    created: dict[str, datetime] = {}
    for i, action in enumerate(actions):
        path = f"actions[{i}]"
        kind = action.get("type")
        data = action.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("card"), dict):
            continue
        card_id = data["card"].get("id")
        if not isinstance(card_id, str):
            continue
        if kind in _CREATE:
            target = data.get("list")
        elif kind == "updateCard" and "listAfter" in data:
            target = data.get("listAfter")
        else:
            continue
        at = read.when(action, "date", path, options)
        if at is None:
            continue
        if kind in _CREATE:
            created[card_id] = min(at, created.get(card_id, at))
        if isinstance(target, dict):
            list_id = target.get("id")
            name = list_names.get(list_id) if isinstance(list_id, str) else None
            if name is None and isinstance(target.get("name"), str):
                name = clip(target["name"], 60)
            if name:
                moves.setdefault(card_id, []).append((at, i, name))

    skipped: list[Skip] = []
    warnings: list[str] = []
    deals: list[ImportedDeal] = []
    used_lists: set[str] = set()
    kinds_by_name = {name: outcome_kind(name) or StageKind.OPEN for name in list_names.values()}
    for i, card in enumerate(cards):
        path = f"cards[{i}]"
        card_id = read.text(card, "id", path)
        title = clip(read.text(card, "name", path))
        list_id = read.text(card, "idList", path)
        if not title:
            skipped.append(Skip(None, f"card {card_id or i} has no name", raw.name))
            continue
        stage = list_names.get(list_id)
        if stage is None:
            skipped.append(Skip(None, f"card '{title}' is in a list the export does not include", raw.name))
            continue
        kind = kinds_by_name[stage]
        if card.get("closed") is True and kind is StageKind.OPEN:
            skipped.append(Skip(None, f"card '{title}' is archived", raw.name))
            continue
        used_lists.add(stage)
        entries_raw = sorted(moves.get(card_id, []))
        history: list[StageEntry] = []
        for at, _i, name in entries_raw:
            if not history or history[-1].stage != name:
                history.append(StageEntry(name, at))
        for entry in history:
            used_lists.add(entry.stage)
        created_at = created.get(card_id) or _created_from_id(card_id)
        closed_at = None
        if kind is not StageKind.OPEN:
            entry = next((e for e in reversed(history) if e.stage == stage), None)
            closed_at = entry.at if entry else read.when(card, "dateLastActivity", path, options)
        due = read.text(card, "due", path)
        try:
            expected = parse_date(due) if due and kind is StageKind.OPEN else None
        except ValueProblem as err:
            raise read.fail(f"{path}.due", str(err)) from None
        value, currency, account = _custom_values(read, card, path, field_roles, option_text, options)
        id_members = card.get("idMembers") or []
        owner = ""
        if isinstance(id_members, list):
            owner = next((member_names[m] for m in id_members if isinstance(m, str) and m in member_names), "")
        deals.append(
            ImportedDeal(
                source=SOURCE,
                external_id=card_id or None,
                title=title,
                stage=stage,
                account=account,
                value=value,
                currency=currency,
                owner=owner,
                status=STATUS_OF[kind],
                created_at=created_at,
                closed_at=closed_at,
                expected_close=expected,
                history=tuple(history),
            )
        )

    names = []
    for _pos, _i, list_id, closed in list_order:
        name = list_names[list_id]
        if not closed or name in used_lists:
            names.append(name)
    for deal in deals:  # stages seen only in history (deleted lists)
        for entry in deal.history:
            if entry.stage not in kinds_by_name:
                kinds_by_name[entry.stage] = outcome_kind(entry.stage) or StageKind.OPEN
                names.append(entry.stage)
    names = list(dict.fromkeys(names))
    stages = build_stages(names, {n: kinds_by_name[n] for n in names})
    if not any(isinstance(a, dict) for a in actions) and deals:
        warnings.append("The export has no actions, so cards come without stage history.")
    archived = sum(1 for s in skipped if s.reason.endswith("is archived"))
    if archived:
        warnings.append(f"Skipped {plural(archived, 'archived card')} outside Won/Lost lists.")
    if not field_roles and deals:
        warnings.append("No custom field holds a deal value, so values are 0.")
    return ImportBatch(SOURCE, stages, tuple(deals), tuple(skipped), tuple(warnings))


def _custom_values(
    read: _Json,
    card: dict[str, Any],
    path: str,
    roles: dict[str, str],
    option_text: dict[str, str],
    options: ParseOptions,
) -> tuple[Any, str, str]:
    from decimal import Decimal

    value, currency, account = Decimal("0"), options.currency, ""
    items = card.get("customFieldItems") or []
    if not isinstance(items, list):
        return value, currency, account
    for j, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        field_id = item.get("idCustomField")
        role = roles.get(field_id) if isinstance(field_id, str) else None
        if role is None:
            continue
        raw_value = item.get("value")
        if isinstance(raw_value, dict):
            text = next((str(v) for v in raw_value.values() if isinstance(v, str | int | float)), "")
        elif isinstance(item.get("idValue"), str):
            text = option_text.get(item["idValue"], "")
        else:
            text = ""
        if role == "value":
            try:
                value, written = parse_amount(text)
            except ValueProblem as err:
                raise read.fail(f"{path}.customFieldItems[{j}]", str(err)) from None
            if written:
                currency = written
        elif role == "currency" and re.fullmatch(r"[A-Za-z]{3}", text.strip()):
            currency = text.strip().upper()
        elif role == "account":
            account = clip(text)
    return value, currency, account
