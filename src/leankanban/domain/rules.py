"""Board policies as pure functions. Services call these; nothing else decides."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from leankanban.domain.errors import (
    InvalidInput,
    OverrideReasonRequired,
    WipLimitExceeded,
)
from leankanban.domain.model import STATUS_FOR_KIND, Board, Deal, MoveDecision, Stage, StageKind

MAX_TITLE = 200
MAX_TEXT = 200
MAX_VALUE = Decimal("999999999999.99")


def check_move(
    board: Board,
    deal: Deal,
    to_stage: Stage,
    open_counts: Mapping[str, int],
    *,
    override_reason: str | None = None,
) -> MoveDecision:
    """Decide whether `deal` may move to `to_stage`.

    `open_counts` maps stage name to the number of deals in it now.
    Raises WipLimitExceeded when the target is full and no override reason is
    given; an override needs a non-blank reason. Leaving a stage below its
    minimum is allowed, with a warning.
    """
    from_stage = board.stage(deal.stage)
    if override_reason is not None:
        override_reason = override_reason.strip()
        if not override_reason:
            raise OverrideReasonRequired()
    if from_stage.name == to_stage.name:
        raise InvalidInput(f"The deal is already in '{to_stage.name}'.")

    warnings: list[str] = []
    used_override: str | None = None
    current = open_counts.get(to_stage.name, 0)
    if to_stage.wip_max is not None and current + 1 > to_stage.wip_max:
        if override_reason is None:
            raise WipLimitExceeded(to_stage.name, to_stage.wip_max, current)
        used_override = override_reason
        warnings.append(
            f"'{to_stage.name}' is now over its WIP limit "
            f"({current + 1}/{to_stage.wip_max}): override recorded."
        )
    left = open_counts.get(from_stage.name, 0) - 1
    if from_stage.wip_min is not None and left < from_stage.wip_min:
        warnings.append(
            f"'{from_stage.name}' is now below its minimum "
            f"({left}/{from_stage.wip_min}): the funnel is running dry."
        )
    return MoveDecision(
        from_stage=from_stage,
        to_stage=to_stage,
        status=STATUS_FOR_KIND[to_stage.kind],
        override_reason=used_override,
        warnings=tuple(warnings),
    )


def check_add(stage: Stage, open_counts: Mapping[str, int], *, override_reason: str | None = None) -> str | None:
    """A new deal entering `stage` obeys the same WIP limit as a move.

    Returns the override reason used, if the limit had to be overridden.
    """
    if override_reason is not None:
        override_reason = override_reason.strip()
        if not override_reason:
            raise OverrideReasonRequired()
    current = open_counts.get(stage.name, 0)
    if stage.wip_max is not None and current + 1 > stage.wip_max:
        if override_reason is None:
            raise WipLimitExceeded(stage.name, stage.wip_max, current)
        return override_reason
    return None


def validate_limits(wip_min: int | None, wip_max: int | None) -> None:
    for label, number in (("minimum", wip_min), ("maximum", wip_max)):
        if number is not None and number < 0:
            raise InvalidInput(f"A WIP {label} cannot be negative (got {number}).")
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


def validate_text(value: str, field: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"The {field} can be at most {MAX_TEXT} characters.", field=field)
    return cleaned


def parse_value(raw: str | int | float | Decimal | None) -> Decimal:
    """A deal value: a non-negative amount with at most two decimals.

    Accepts `1234.5`, `1,234.50` and `1 234`; empty means zero.
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
        raise InvalidInput(f"'{raw}' is not a number.", field="value") from None
    if not value.is_finite():
        raise InvalidInput(f"'{raw}' is not a number.", field="value")
    if value < 0:
        raise InvalidInput("A deal value cannot be negative.", field="value")
    if value > MAX_VALUE:
        raise InvalidInput("That deal value is too large.", field="value")
    return value.quantize(Decimal("0.01"))


def validate_currency(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise InvalidInput(f"'{raw}' is not a three-letter currency code such as EUR or USD.", field="currency")
    return code


def reorder(names: list[str], moving: str, new_index: int) -> list[str]:
    """Stage names with `moving` placed at `new_index` (clamped)."""
    rest = [n for n in names if n != moving]
    new_index = max(0, min(new_index, len(rest)))
    return rest[:new_index] + [moving] + rest[new_index:]


TEMPLATES: dict[str, tuple[Stage, ...]] = {
    "lean-sales": (
        Stage("Leads", 0, upstream=True, wip_max=30),
        Stage("Qualifying", 1, upstream=True, wip_min=3, wip_max=10),
        Stage("Discovery", 2, wip_max=8),
        Stage("Proposal", 3, wip_max=5),
        Stage("Negotiation", 4, wip_max=3),
        Stage("Won", 5, kind=StageKind.WON),
        Stage("Lost", 6, kind=StageKind.LOST),
    ),
    "blank": (
        Stage("To do", 0),
        Stage("Doing", 1, wip_max=3),
        Stage("Won", 2, kind=StageKind.WON),
        Stage("Lost", 3, kind=StageKind.LOST),
    ),
}

DEFAULT_BOARD = "pipeline"
DEFAULT_TEMPLATE = "lean-sales"


def template(name: str) -> tuple[Stage, ...]:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise InvalidInput(
            f"There is no template '{name}' (templates: {', '.join(TEMPLATES)})."
        ) from None
