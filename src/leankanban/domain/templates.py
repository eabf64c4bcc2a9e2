"""The board templates: the stages a new board starts with, and its default criteria."""

from __future__ import annotations

from leankanban.domain import defaults
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Criterion, Stage, StageKind

CUSTOMER_VALUE_CRITERION = defaults.CUSTOMER_VALUE_CRITERION

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
    "improvements": (
        Stage("To do", 0),
        Stage("Doing", 1, wip_max=2),
        Stage("Done", 2, kind=StageKind.WON),
    ),
    # The team's non-deal work (domain/work.py): "To do" is upstream, so only "Doing"
    # counts in a person's WIP.
    defaults.ACTIVITIES_TEMPLATE: (
        Stage("To do", 0, upstream=True),
        Stage("Doing", 1, wip_max=6),
        Stage("Done", 2, kind=StageKind.WON),
    ),
    "blank": (
        Stage("To do", 0),
        Stage("Doing", 1, wip_max=3),
        Stage("Won", 2, kind=StageKind.WON),
        Stage("Lost", 3, kind=StageKind.LOST),
    ),
}

DEFAULT_CRITERIA: dict[str, tuple[Criterion, ...]] = {
    "lean-sales": (
        # These gate no stage until the team says so (`criteria require`).
        Criterion("Ideal-customer fit", 0),
        Criterion("Budget", 1),
        Criterion("Authority", 2),
        Criterion("Need", 3),
        Criterion("Timeline", 4),
        Criterion("Compelling event", 5),
        # The one gate a new lean-sales board has: a proposal starts from the customer's value.
        Criterion(
            CUSTOMER_VALUE_CRITERION,
            6,
            required_for=frozenset({"Proposal"}),
            definition=(
                "Yes when the deal's customer value says, in the customer's terms, how much more revenue, "
                "how much less cost or what risk goes away for them (with a figure or a range). "
                "Write it on the deal first: e on the board (Customer value), or "
                "`leankanban edit ID --customer-value TEXT --impact AMOUNT`."
            ),
        ),
    ),
    "blank": (),
}

def template(name: str) -> tuple[Stage, ...]:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise InvalidInput(
            f"There is no template '{name}' (templates: {', '.join(TEMPLATES)})."
        ) from None
