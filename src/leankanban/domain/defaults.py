"""Every default the product ships with, defined once.

The domain model, the store's column defaults, the CLI's option defaults, the
TUI and the metrics all read these names; a literal `14` or `"EUR"` elsewhere
is a second copy that will drift. (Migrations keep their own literals: they
are a record of what each schema version said.)
"""

from __future__ import annotations

#: A deal with no movement or activity for this many days is stalled.
STALL_DAYS = 14
#: A deal whose qualification was not reviewed for this many days needs review.
REVIEW_DAYS = 30
#: The currency of a deal that names none.
CURRENCY = "EUR"

#: The board the first run creates, and its template.
BOARD = "pipeline"
TEMPLATE = "lean-sales"
#: The template of the board that retros put their improvement cards on.
IMPROVEMENTS_TEMPLATE = "improvements"
#: The template of a board for the team's non-deal work (work cards: To do / Doing / Done).
ACTIVITIES_TEMPLATE = "activities"

#: The discard reasons a new board starts with.
DISCARD_REASONS = (
    "Lost to competitor",
    "No budget",
    "No decision / status quo",
    "Not a fit",
    "Timing",
    "Duplicate",
)

#: Days in a stage after which a card on a lean-sales board turns stale, by stage.
STALE_DAYS = {"Leads": 14, "Qualifying": 10, "Discovery": 14, "Proposal": 10, "Negotiation": 7}

#: The lean-sales criterion that gates Proposal on new boards. Unanswered, it is met by a
#: written customer value statement (rules.criterion_met); an answer, yes or no, decides.
CUSTOMER_VALUE_CRITERION = "Customer value quantified"
