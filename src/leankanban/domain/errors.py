"""Domain errors. Each carries what a user needs to read, as one sentence."""

from __future__ import annotations

from leankanban.domain import defaults


class LeanKanbanError(Exception):
    """Base for every error a user can cause. `str(err)` is one plain sentence."""

    #: CLI exit code for this kind of error (documented in the README).
    exit_code = 1


class PolicyViolation(LeanKanbanError):
    """A board policy refused the change (WIP limit, qualification ...)."""

    exit_code = 3


class WipLimitExceeded(PolicyViolation):
    def __init__(self, stage: str, limit: int, current: int) -> None:
        self.stage = stage
        self.limit = limit
        self.current = current
        super().__init__(
            f"Stage '{stage}' is at its WIP limit ({current}/{limit}); "
            "finish or discard a deal there first, or override with a reason."
        )


class QualificationMissing(PolicyViolation):
    def __init__(self, stage: str, missing: list[str], deal_id: int | None = None) -> None:
        self.stage = stage
        self.missing = missing
        message = f"'{stage}' needs these qualification criteria answered yes first: {', '.join(missing)}."
        if any(name.casefold() == defaults.CUSTOMER_VALUE_CRITERION.casefold() for name in missing):
            how = (f"`leankanban edit {deal_id} --customer-value TEXT`" if deal_id is not None
                   else "`--customer-value TEXT`")
            message += (
                f" '{defaults.CUSTOMER_VALUE_CRITERION}' is met once the deal says what it is worth to the "
                f"customer: {how} (e on the board)."
            )
        super().__init__(message)


class LaneLimitExceeded(PolicyViolation):
    def __init__(self, dimension: str, value: str, limit: int, current: int) -> None:
        self.dimension = dimension
        self.value = value
        self.limit = limit
        self.current = current
        who = f"{value or '(none)'}" if dimension != "owner" else f"{value or '(nobody)'}'s"
        what = "open deals in active stages" if dimension == "owner" else f"active deals in the {dimension} lane '{value}'"
        if dimension == "owner":
            message = f"{who} WIP limit is reached ({current}/{limit} {what}); override with a reason."
        else:
            message = f"The {dimension} lane '{value}' is at its WIP limit ({current}/{limit} {what}); override with a reason."
        super().__init__(message)


class PersonLimitExceeded(LaneLimitExceeded):
    """A person's WIP limit, counted on every board: their deals and work cards in progress."""

    def __init__(self, person: str, limit: int, deals: int, work: int) -> None:
        super().__init__("owner", person, limit, deals + work)
        self.deals = deals
        self.work = work
        cards = f"{deals} deal{'s' if deals != 1 else ''} and {work} work card{'s' if work != 1 else ''}"
        self.args = (
            f"{person or '(nobody)'}'s WIP limit is reached ({deals + work}/{limit}: {cards} in progress "
            "on all boards); finish something first, or override with a reason.",
        )


class DiscardReasonRequired(PolicyViolation):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(
            "A discarded deal needs a reason"
            + (f" (one of: {', '.join(reasons)})." if reasons else ".")
        )


class OverrideReasonRequired(PolicyViolation):
    def __init__(self) -> None:
        super().__init__("A WIP limit override needs a reason.")


class DealBlocked(PolicyViolation):
    """A blocked deal asked to move forward without an override."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"The deal is blocked ({reason}) and cannot move forward until it is unblocked; "
            "unblock it, or override with a reason to move it anyway."
        )


class NotAllowed(PolicyViolation):
    """The person's role does not allow the change."""


class NotFound(LeanKanbanError):
    exit_code = 4


class UnknownStage(NotFound):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        choices = ", ".join(known) if known else "none"
        super().__init__(f"There is no stage '{name}' on this board (stages: {choices}).")


class UnknownDeal(NotFound):
    def __init__(self, deal_id: int) -> None:
        self.deal_id = deal_id
        super().__init__(f"There is no deal with id {deal_id}.")


class UnknownBoard(NotFound):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        choices = ", ".join(known) if known else "none"
        super().__init__(f"There is no board '{name}' (boards: {choices}).")


class UnknownCriterion(NotFound):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        choices = ", ".join(known) if known else "none"
        super().__init__(f"There is no qualification criterion '{name}' (criteria: {choices}).")


class InvalidInput(LeanKanbanError):
    """A value a user typed is not acceptable."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class Conflict(LeanKanbanError):
    """The change clashes with existing data (duplicate name, non-empty stage ...)."""

    exit_code = 5


class StaleChange(Conflict):
    """The deal changed between what a person saw and what they asked for."""


class DatabaseError(LeanKanbanError):
    """The database cannot be opened or used."""

    exit_code = 6


class UnknownSprint(NotFound):
    def __init__(self, what: str) -> None:
        super().__init__(f"There is no {what}.")


class UnknownRetro(NotFound):
    def __init__(self, retro_id: int) -> None:
        super().__init__(f"There is no retro {retro_id}.")
