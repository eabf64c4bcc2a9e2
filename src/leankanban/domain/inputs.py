"""What the app accepts from people and files: each input parsed and checked in one place.

Dates, probabilities, tags and names, enum choices, day counts and WIP limits, titles and
names, policies and free text, money and customer values, currencies. Every surface (the
CLI, the TUI's forms, imports, restore) calls these, so a value is accepted or refused
with the same sentence everywhere. `domain.rules` re-exports them for its callers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Activity

MAX_TITLE = 200
MAX_TEXT = 200
MAX_VALUE = Decimal("999999999999.99")


def parse_date(raw: str | date | None, field: str = "date") -> date | None:
    """An ISO date (YYYY-MM-DD); empty means none."""
    if raw is None or isinstance(raw, date):
        return raw
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{raw}' is not a date; use YYYY-MM-DD.", field=field) from None


def parse_probability(raw: str | int | None) -> int | None:
    """A deal's win probability in percent: `60` or `60%`, 0 to 100; empty or `none`
    means the stage's probability."""
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip().removesuffix("%").strip()
    if not text or text.lower() in ("none", "stage"):
        return None
    try:
        percent = int(text)
    except ValueError:
        percent = -1
    if not 0 <= percent <= 100:
        raise InvalidInput(
            f"'{raw}' is not a win probability; give a whole percent from 0 to 100, or 'none' for the stage's.",
            field="probability",
        )
    return percent


def parse_tags(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    """Tags from `a, b c` or a list: trimmed, lower-case, unique, in order."""
    if raw is None:
        return ()
    items = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for item in items:
        tag = item.strip().lower()
        if tag:
            if len(tag) > 40:
                raise InvalidInput(f"A tag can be at most 40 characters ('{tag[:20]}...').", field="tags")
            seen[tag] = None
    return tuple(seen)


def parse_people(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return tuple(dict.fromkeys(i.strip() for i in items if i.strip()))


def parse_choice(enum_type, raw, field: str):
    """An enum member from its value or label (`new logo`, `new_logo`, `New-Logo`)."""
    if isinstance(raw, enum_type):
        return raw
    key = str(raw).strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return enum_type(key)
    except ValueError:
        choices = ", ".join(m.value for m in enum_type)
        raise InvalidInput(f"'{raw}' is not a valid {field} (choose from: {choices}).", field=field) from None


#: What clears a deal's activity category (the CLI's `--activity none`, a blank form field).
NO_ACTIVITY = "none"


def parse_activity(raw: str | Activity | None) -> Activity | None:
    """A deal's activity category from its value or label; blank or `none`: no category."""
    if raw is None or isinstance(raw, Activity):
        return raw
    if not str(raw).strip() or str(raw).strip().lower() == NO_ACTIVITY:
        return None
    key = str(raw).strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return Activity(key)
    except ValueError:
        choices = ", ".join([*(m.value for m in Activity), NO_ACTIVITY])
        raise InvalidInput(f"'{raw}' is not a valid activity (choose from: {choices}).", field="activity") from None


def validate_days(days: int | None, what: str) -> int | None:
    if days is not None and days < 1:
        raise InvalidInput(f"The {what} must be at least 1 day.")
    return days


def validate_limits(wip_min: int | None, wip_max: int | None) -> None:
    for bound, number in (("minimum", wip_min), ("maximum", wip_max)):
        if number is not None and number < 0:
            raise InvalidInput(f"A WIP {bound} cannot be negative (got {number}).")
    if wip_max is not None and wip_max == 0:
        raise InvalidInput("A WIP maximum must be at least 1; clear it to remove the limit.")
    if wip_min is not None and wip_max is not None and wip_min > wip_max:
        raise InvalidInput(f"The WIP minimum ({wip_min}) is above the maximum ({wip_max}).")


def validate_title(title: str) -> str:
    cleaned = title.strip()
    if not cleaned:
        raise InvalidInput("A deal needs a title.", field="title")
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"A title can be at most {MAX_TITLE} characters.", field="title")
    return cleaned


def validate_stage_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("A stage needs a name.", field="name")
    if len(cleaned) > 60:
        raise InvalidInput("A stage name can be at most 60 characters.", field="name")
    return cleaned


def validate_board_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("A board needs a name.", field="name")
    if len(cleaned) > 60:
        raise InvalidInput("A board name can be at most 60 characters.", field="name")
    return cleaned


#: The longest policy or definition (a page a team reviews, not a manual).
MAX_POLICY = 2000


def validate_policy(value: str | None, field: str) -> str:
    """A policy or definition as written: trimmed, at most MAX_POLICY characters, several
    lines and Markdown allowed; no control characters but newlines and tabs (it is shown
    on every surface, and must read the same everywhere)."""
    cleaned = (value or "").strip()
    if len(cleaned) > MAX_POLICY:
        raise InvalidInput(f"The {field} can be at most {MAX_POLICY:,} characters (it has {len(cleaned):,}).", field=field)
    bad = next((ch for ch in cleaned if (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0), None)
    if bad is not None:
        raise InvalidInput(f"The {field} holds a control character (U+{ord(bad):04X}); write it as plain text.", field=field)
    return cleaned


def validate_text(value: str, field: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"The {field} can be at most {MAX_TEXT} characters.", field=field)
    return cleaned


def parse_value(
    raw: str | int | float | Decimal | None, *, field: str = "value", what: str = "deal value"
) -> Decimal:
    """A deal value: a non-negative amount with at most two decimals.

    Accepts `1234.5`, `1,234.50` and `1 234`; empty means zero. `field` and `what`
    name the amount in errors (another amount, such as a customer impact, reads the same).
    """
    if raw is None:
        return Decimal("0")
    if isinstance(raw, Decimal | int | float):
        text = str(raw)
    else:
        text = raw.strip().replace(",", "").replace(" ", "").replace("_", "")
    if not text:
        return Decimal("0")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"'{raw}' is not a number.", field=field) from None
    if not value.is_finite():
        raise InvalidInput(f"'{raw}' is not a number.", field=field)
    if value < 0:
        raise InvalidInput(f"A {what} cannot be negative.", field=field)
    if value > MAX_VALUE:
        raise InvalidInput(f"That {what} is too large.", field=field)
    return value.quantize(Decimal("0.01"))


#: The longest customer value statement: a sentence or two a stand-up can read.
MAX_CUSTOMER_VALUE = 500


def validate_customer_value(raw: str | None) -> str:
    """A deal's customer value statement: one line, trimmed, at most MAX_CUSTOMER_VALUE
    characters, no control characters (it is shown on the card's screen and in every
    report format)."""
    cleaned = (raw or "").strip()
    if len(cleaned) > MAX_CUSTOMER_VALUE:
        raise InvalidInput(
            f"The customer value can be at most {MAX_CUSTOMER_VALUE} characters (it has {len(cleaned):,}).",
            field="customer_value",
        )
    bad = next((ch for ch in cleaned if ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0), None)
    if bad is not None:
        raise InvalidInput(
            f"The customer value holds a control character (U+{ord(bad):04X}); write it as one line of plain text.",
            field="customer_value",
        )
    return cleaned


def parse_impact(raw: str | int | float | Decimal | None) -> Decimal | None:
    """A customer impact: an amount as `parse_value` reads one, or None (empty or `none`:
    no estimate)."""
    if raw is None or (isinstance(raw, str) and raw.strip().casefold() in ("", "none", "-")):
        return None
    return parse_value(raw, field="customer_impact", what="customer impact")


def validate_currency(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise InvalidInput(f"'{raw}' is not a three-letter currency code such as EUR or USD.", field="currency")
    return code
