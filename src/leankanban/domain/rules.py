"""Board policies as pure functions. Services call these; nothing else decides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from leankanban.domain import defaults, inputs, templates, work
from leankanban.domain.errors import (
    Conflict,
    DealBlocked,
    DiscardReasonRequired,
    InvalidInput,
    LaneLimitExceeded,
    NotAllowed,
    OverrideReasonRequired,
    PersonLimitExceeded,
    QualificationMissing,
    StaleChange,
    WipLimitExceeded,
)
from leankanban.domain.model import (
    STATUS_FOR_KIND,
    Answer,
    Board,
    Deal,
    DealStatus,
    DealType,
    Event,
    EventKind,
    Lane,
    LaneLimit,
    MoveDecision,
    Priority,
    Stage,
    StageKind,
    label,
)

# Input parsing and the templates have homes of their own (domain/inputs.py,
# domain/templates.py); their names stay here for the callers of rules.
MAX_CUSTOMER_VALUE = inputs.MAX_CUSTOMER_VALUE
MAX_POLICY = inputs.MAX_POLICY
MAX_TEXT = inputs.MAX_TEXT
MAX_TITLE = inputs.MAX_TITLE
MAX_VALUE = inputs.MAX_VALUE
NO_ACTIVITY = inputs.NO_ACTIVITY
parse_activity = inputs.parse_activity
parse_choice = inputs.parse_choice
parse_date = inputs.parse_date
parse_impact = inputs.parse_impact
parse_people = inputs.parse_people
parse_probability = inputs.parse_probability
parse_tags = inputs.parse_tags
parse_value = inputs.parse_value
validate_board_name = inputs.validate_board_name
validate_currency = inputs.validate_currency
validate_customer_value = inputs.validate_customer_value
validate_days = inputs.validate_days
validate_limits = inputs.validate_limits
validate_policy = inputs.validate_policy
validate_stage_name = inputs.validate_stage_name
validate_text = inputs.validate_text
validate_title = inputs.validate_title
TEMPLATES = templates.TEMPLATES
DEFAULT_CRITERIA = templates.DEFAULT_CRITERIA
template = templates.template

#: Open deals in active stages per (lane dimension, lane value).
LaneCounts = Mapping[tuple[Lane, str], int]
#: People's WIP on every board, by name (domain/work.py): given, it holds the person limits,
#: and the boards' owner lane limits are not counted on the one board.
People = Mapping[str, work.PersonLoad]

CUSTOMER_VALUE_CRITERION = defaults.CUSTOMER_VALUE_CRITERION


def check_move(
    board: Board,
    deal: Deal,
    to_stage: Stage,
    open_counts: Mapping[str, int],
    *,
    override_reason: str | None = None,
    lane_counts: LaneCounts | None = None,
    discard_reason: str | None = None,
    people: People | None = None,
) -> MoveDecision:
    """Decide whether `deal` may move to `to_stage`.

    `open_counts` maps stage name to the number of deals in it now;
    `lane_counts` the open deals in active stages per swimlane (see
    LaneCounts); `people` the WIP of the deal's owner on every board (see
    People; without it an owner lane limit counts this board only). Checks, in order: a move into a lost outcome needs a discard
    reason; the target's qualification criteria must be answered yes; a
    blocked deal does not move forward (see `moves_forward`); the column's and
    the deal's lanes' WIP limits. An override with a non-blank reason lets a
    move past a block and past WIP limits, never past qualification. Leaving a
    stage below its minimum is allowed, with a warning.
    """
    from_stage = board.stage(deal.stage)
    override_reason = _clean_override(override_reason)
    if from_stage.name == to_stage.name:
        raise InvalidInput(f"The deal is already in '{to_stage.name}'.")
    if to_stage.kind is StageKind.LOST and not (discard_reason or "").strip():
        raise DiscardReasonRequired(list(board.discard_reasons))
    missing = missing_criteria(board, deal, to_stage)
    if missing:
        raise QualificationMissing(to_stage.name, missing, deal.id)

    warnings: list[str] = []
    used_override: str | None = None
    block_override: str | None = None
    if deal.is_blocked and moves_forward(from_stage, to_stage):
        if override_reason is None:
            raise DealBlocked(deal.blocked_reason or "")
        block_override = override_reason
        warnings.append(f"The deal is blocked ({deal.blocked_reason}): moved on anyway, override recorded.")
    current = open_counts.get(to_stage.name, 0)
    if to_stage.wip_max is not None and current + 1 > to_stage.wip_max:
        if override_reason is None:
            raise WipLimitExceeded(to_stage.name, to_stage.wip_max, current)
        used_override = override_reason
        warnings.append(
            f"'{to_stage.name}' is now over its WIP limit "
            f"({current + 1}/{to_stage.wip_max}): override recorded."
        )
    if to_stage.is_active and not from_stage.is_active:
        for limit, now_in in lanes_over(board, deal, lane_counts or {}, people):
            if override_reason is None:
                raise _lane_refusal(limit, now_in, people)
            used_override = override_reason
            warnings.append(
                f"The {limit.dimension.value} lane '{limit.value}' is now over its WIP limit "
                f"({now_in + 1}/{limit.wip_max}): override recorded."
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
        block_override=block_override,
    )


def moves_forward(from_stage: Stage, to_stage: Stage) -> bool:
    """Whether a move takes a deal further along the open stages: what a block stops.

    Moving back, discarding, winning and reopening a closed deal are not forward:
    a blocked deal may still go back a stage or be closed.
    """
    return to_stage.kind is StageKind.OPEN and from_stage.kind is StageKind.OPEN and to_stage.position > from_stage.position


def check_seen_stage(deal: Deal, seen: Stage | None, last_change: Event | None) -> None:
    """A change asked for on a deal seen in `seen` applies only if the deal is still there.

    Raises StaleChange, naming who moved it and when (from `last_change`, the
    deal's latest event that set its stage), so the person looks again before
    acting; None for `seen` means the caller states no expectation.
    """
    if seen is None or seen.name == deal.stage:
        return
    if last_change is None:
        raise StaleChange(f"The deal is in '{deal.stage}' now, not in '{seen.name}'; nothing was changed.")
    verb = "created this deal in" if last_change.kind is EventKind.CREATED else "moved this deal to"
    when = last_change.at.strftime("%Y-%m-%d %H:%M UTC")
    raise StaleChange(
        f"{last_change.actor} {verb} '{deal.stage}' at {when}, after you saw it in '{seen.name}'; "
        "nothing was changed."
    )


def check_undo(original: Event, history: Iterable[Event], actor: str, *, manager: bool) -> None:
    """Whether `actor` may undo `original` now, given the deal's `history` (every event).

    Refused: a change undone already (at most once, whoever tried first); someone
    else's change, unless a manager asks; a move when the deal has moved since,
    an edit when the same field has been changed since (by anyone: an undo must
    never overwrite a later change).
    """
    events = list(history)
    if any(e.kind is EventKind.UNDONE and e.old_value == str(original.id) for e in events):
        raise InvalidInput("That change has been undone already.")
    if original.actor != actor and not manager:
        raise NotAllowed(f"That change was made by {original.actor}; only they or a manager can undo it.")
    later = [
        e for e in events
        if e.id is not None and original.id is not None and e.id > original.id and e.kind is original.kind
        and (original.kind is EventKind.MOVED or e.field == original.field)
    ]
    if not later:
        return
    last = later[-1]
    when = last.at.strftime("%Y-%m-%d %H:%M UTC")
    if original.kind is EventKind.MOVED:
        raise StaleChange(
            f"The deal has moved since ({last.actor} moved it to '{last.to_stage}' at {when}); "
            "undo the later move first; nothing was undone."
        )
    raise StaleChange(
        f"{last.actor} changed the {original.field} since (to '{last.new_value}' at {when}); nothing was undone."
    )


_CHANGED = {
    EventKind.CREATED: "created it", EventKind.MOVED: "moved it", EventKind.EDITED: "edited it",
    EventKind.NOTE: "added a note", EventKind.BLOCKED: "blocked it", EventKind.UNBLOCKED: "unblocked it",
    EventKind.QUALIFIED: "answered a qualification criterion", EventKind.WON: "won it", EventKind.LOST: "lost it",
}


def check_seen_version(deal: Deal, seen: int | None, last_change: Event | None) -> None:
    """An edit made on version `seen` of a deal applies only if the deal is still at it.

    Raises StaleChange naming who changed it last and when (`last_change`, the
    deal's latest event); None for `seen` states no expectation.
    """
    if seen is None or seen == deal.version:
        return
    if last_change is None:
        raise StaleChange("The deal changed after you opened it; nothing was changed, look again.")
    what = _CHANGED.get(last_change.kind, "changed it")
    when = last_change.at.strftime("%Y-%m-%d %H:%M UTC")
    raise StaleChange(f"{last_change.actor} {what} at {when}, after you opened it; nothing was changed, look again.")


def _clean_override(override_reason: str | None) -> str | None:
    if override_reason is None:
        return None
    cleaned = override_reason.strip()
    if not cleaned:
        raise OverrideReasonRequired()
    return cleaned


def check_add(
    stage: Stage,
    open_counts: Mapping[str, int],
    *,
    override_reason: str | None = None,
    board: Board | None = None,
    deal: Deal | None = None,
    lane_counts: LaneCounts | None = None,
    people: People | None = None,
) -> str | None:
    """A new deal entering `stage` obeys the same limits as a move.

    Column WIP always; lane and person limits when `board` and `deal` are
    given. Returns the override reason used, if a limit had to be overridden.
    A new deal cannot start in a lost outcome (discard it instead).
    """
    override_reason = _clean_override(override_reason)
    if stage.kind is StageKind.LOST:
        raise InvalidInput(f"A new deal cannot start in '{stage.name}'; add it, then discard it with a reason.")
    used = None
    current = open_counts.get(stage.name, 0)
    if stage.wip_max is not None and current + 1 > stage.wip_max:
        if override_reason is None:
            raise WipLimitExceeded(stage.name, stage.wip_max, current)
        used = override_reason
    if board is not None and deal is not None:
        if stage.kind is not StageKind.LOST:
            missing = missing_criteria(board, deal, stage)
            if missing:
                raise QualificationMissing(stage.name, missing)
        if stage.is_active:
            for limit, now_in in lanes_over(board, deal, lane_counts or {}, people):
                if override_reason is None:
                    raise _lane_refusal(limit, now_in, people)
                used = override_reason
    return used


def check_lane_change(
    board: Board,
    before: Deal,
    after: Deal,
    lane_counts: LaneCounts,
    *,
    override_reason: str | None = None,
    people: People | None = None,
) -> str | None:
    """An active deal re-assigned (owner, type, priority) obeys lane and person limits
    (`people`: the new owner's WIP on every board, as for check_move)."""
    override_reason = _clean_override(override_reason)
    if not before.is_open or not board.stage(before.stage).is_active:
        return None
    used = None
    for limit, now_in in lanes_over(board, after, lane_counts, people):
        if lane_value(before, limit.dimension) == limit.value:
            continue  # already counted in that lane
        if override_reason is None:
            raise _lane_refusal(limit, now_in, people)
        used = override_reason
    return used


#: The lanes a WIP limit can be set on. An account is not a unit of capacity:
#: a team limits what its people (owner), its motions (type) and its classes of
#: service (priority) take on; an account's deals are one view of the pipeline.
LIMITED_LANES = (Lane.OWNER, Lane.TYPE, Lane.PRIORITY)


def lane_value(deal: Deal, dimension: Lane) -> str:
    """Which lane `deal` sits in when grouping by `dimension`."""
    if dimension is Lane.OWNER:
        return deal.owner
    if dimension is Lane.TYPE:
        return deal.deal_type.value
    if dimension is Lane.PRIORITY:
        return deal.priority.value
    if dimension is Lane.ACCOUNT:
        return deal.account
    return ""


def lane_sort_key(dimension: Lane):  # type: ignore[no-untyped-def]
    """Sort key for the lane values of `dimension`: enum order for type and priority,
    names (case-insensitive, the empty lane last) for owners and accounts."""
    if dimension is Lane.TYPE:
        order = {member.value: number for number, member in enumerate(DealType)}
        return lambda value: (order.get(value, len(order)), value)
    if dimension is Lane.PRIORITY:
        order = {member.value: number for number, member in enumerate(Priority)}
        return lambda value: (order.get(value, len(order)), value)
    return lambda value: (value == "", value.casefold(), value)


def lane_name(dimension: Lane, value: str) -> str:
    """What a lane is called: `new logo`, `ann`; `(nobody)` / `(no account)` for the empty lane."""
    if not value:
        return "(no account)" if dimension is Lane.ACCOUNT else "(nobody)"
    return label(value) if dimension in (Lane.TYPE, Lane.PRIORITY) else value


def lanes_of(deals: Iterable[Deal], dimension: Lane) -> list[tuple[str, list[Deal]]]:
    """`deals` grouped into the lanes of `dimension`, in lane order (stable within a lane)."""
    groups: dict[str, list[Deal]] = {}
    for deal in deals:
        groups.setdefault(lane_value(deal, dimension), []).append(deal)
    return [(value, groups[value]) for value in sorted(groups, key=lane_sort_key(dimension))]


def lanes_over(board: Board, deal: Deal, lane_counts: LaneCounts, people: People | None = None) -> list[tuple]:
    """Lane limits `deal` would break by entering active work: (limit, current count).

    With `people`, the owner's limit is their person limit counted on every board
    (their deals and work cards), whichever board set it, instead of this board's."""
    over = []
    for limit in board.lane_limits:
        if people is not None and limit.dimension is Lane.OWNER:
            continue  # counted on every board, below
        if lane_value(deal, limit.dimension) != limit.value:
            continue
        current = lane_counts.get((limit.dimension, limit.value), 0)
        if current + 1 > limit.wip_max:
            over.append((limit, current))
    load = None if people is None else people.get(deal.owner)
    if load is not None and load.limit is not None and load.adding():
        over.append((LaneLimit(Lane.OWNER, deal.owner, load.limit), load.total))
    return over


def _lane_refusal(limit: LaneLimit, now_in: int, people: People | None) -> LaneLimitExceeded:
    """The refusal for a lane at its limit; a person's names their deals and work cards."""
    load = None if people is None or limit.dimension is not Lane.OWNER else people.get(limit.value)
    if load is not None:
        return PersonLimitExceeded(limit.value, limit.wip_max, load.deals, load.work)
    return LaneLimitExceeded(limit.dimension.value, limit.value, limit.wip_max, now_in)


def lane_counts_of(board: Board, deals: Iterable[Deal]) -> dict[tuple[Lane, str], int]:
    """Count open deals in active stages per lane that carries a limit."""
    active = {s.name for s in board.stages if s.is_active}
    dimensions = {limit.dimension for limit in board.lane_limits}
    counts: dict[tuple[Lane, str], int] = {}
    for deal in deals:
        if not deal.is_open or deal.stage not in active:
            continue
        for dimension in dimensions:
            key = (dimension, lane_value(deal, dimension))
            counts[key] = counts.get(key, 0) + 1
    return counts


def missing_criteria(board: Board, deal: Deal, stage: Stage) -> list[str]:
    """Criteria gating `stage` that the deal does not meet (see `criterion_met`)."""
    return [
        criterion.name
        for criterion in sorted(board.criteria, key=lambda c: c.position)
        if stage.name in criterion.required_for and not criterion_met(criterion.name, deal)
    ]


def is_derived(criterion: str) -> bool:
    """Whether a criterion is met by what the deal says when nobody answered it: the
    customer value criterion, by a written customer value statement."""
    return criterion.strip().casefold() == CUSTOMER_VALUE_CRITERION.casefold()


def effective_answer(criterion: str, deal: Deal) -> tuple[Answer | None, bool]:
    """The answer a criterion has on a deal, and whether it comes from the deal's fields
    rather than from someone answering. A yes or no someone gave decides; an unanswered
    (or unknown) customer value criterion is yes once the deal's customer value is written."""
    given = deal.qualification.get(criterion)
    if given is not None and given.answer is not Answer.UNKNOWN:
        return given.answer, False
    if is_derived(criterion) and deal.customer_value.strip():
        return Answer.YES, True
    return (None if given is None else given.answer), False


def criterion_met(criterion: str, deal: Deal) -> bool:
    return effective_answer(criterion, deal)[0] is Answer.YES


def check_stage_removal(board: Board, stage: Stage, held: int) -> None:
    """A stage can go when it holds no open deal and is not the board's last open stage
    (deals start in an open stage: a board without one could take no new deal)."""
    if held:
        raise Conflict(f"Stage '{stage.name}' still holds {held} deal(s); move them out before removing it.")
    if stage.kind is StageKind.OPEN and not any(s.kind is StageKind.OPEN and s.id != stage.id for s in board.stages):
        raise Conflict(f"'{stage.name}' is the board's last open stage; add another before removing it.")


def check_discard(board: Board, deal: Deal, reason: str, competitor: str | None) -> tuple[str, str | None]:
    """A discard needs one of the board's reasons; a loss to a competitor names it."""
    if not (reason or "").strip():
        raise DiscardReasonRequired(list(board.discard_reasons))
    cleaned = match_reason(board, reason)
    competitor = (competitor or "").strip() or None
    if "competitor" in cleaned.casefold() and competitor is None:
        raise InvalidInput("Name the competitor the deal was lost to (--competitor).")
    if not deal.is_open:
        raise InvalidInput(f"The deal is already {deal.status.value}; reopen it first.")
    return cleaned, competitor


def match_reason(board: Board, reason: str) -> str:
    """The board's discard reason `reason` names (case-insensitive), as the board spells it."""
    wanted = (reason or "").strip().casefold()
    for known in board.discard_reasons:
        if known.casefold() == wanted:
            return known
    raise InvalidInput(
        f"'{reason}' is not a discard reason on this board (reasons: {', '.join(board.discard_reasons)})."
    )


def reopen_stage(board: Board, deal: Deal, history_stages: list[str], wanted: str | None) -> Stage:
    """Where a reopened deal goes: the stage asked for, else the last open stage it was in."""
    if deal.is_open:
        raise InvalidInput("The deal is open already.")
    if wanted:
        stage = board.stage(wanted)
        if stage.is_closed:
            raise InvalidInput(f"'{stage.name}' is a closed outcome; reopen into an open stage.")
        return stage
    known = {s.name: s for s in board.stages if not s.is_closed}
    for name in reversed(history_stages):
        if name in known:
            return known[name]
    return min(known.values(), key=lambda s: s.position)


AGE_BANDS = ("fresh", "ageing", "stale")


def age_band(stage: Stage, days: int) -> str | None:
    """Colour band of a card's age in its stage against `stale_after_days`.

    fresh (green) below half the setting, ageing (amber) from half of it,
    stale (red) at or past it; None when the stage has no setting.
    """
    limit = stage.stale_after_days
    if limit is None or stage.is_closed:
        return None
    if days >= limit:
        return "stale"
    if days * 2 >= limit:
        return "ageing"
    return "fresh"


def is_stalled(deal: Deal, now: datetime, stall_days: int) -> bool:
    """An open deal with no movement or activity for the board's stall period."""
    if not deal.is_open:
        return False
    last = deal.last_activity_at or deal.stage_entered_at or deal.created_at
    return last is not None and now - last >= timedelta(days=stall_days)


def needs_review(deal: Deal, now: datetime, review_days: int) -> bool:
    """An open deal whose qualification has not been reviewed for `review_days`."""
    if not deal.is_open:
        return False
    last = deal.qualified_at or deal.created_at
    return last is not None and now - last >= timedelta(days=review_days)


def matches(deal: Deal, text: str) -> bool:
    """Free-text filter over title, account, owner, contacts and tags (all words must match)."""
    words = text.casefold().split()
    if not words:
        return True
    haystack = " ".join(
        [deal.title, deal.account, deal.owner, *deal.tags, *(c.name for c in deal.contacts)]
    ).casefold()
    return all(word in haystack for word in words)


_needs_review = needs_review  # the filter below has a parameter of that name


def deals_matching(
    deals: Iterable[Deal],
    board: Board,
    now: datetime,
    *,
    stage: str | None = None,
    status: DealStatus | None = None,
    stalled: bool = False,
    needs_review: bool = False,
    blocked: bool = False,
    owner: str | None = None,
    text: str | None = None,
) -> list[Deal]:
    """The deals (in their order) that pass every filter given: in the board's stage
    `stage` (an unknown one is refused), of `status`, stalled, due for review,
    blocked, owned by `owner` (any case), matching `text`."""
    stage_name = None if stage is None else board.stage(stage).name
    return [
        d
        for d in deals
        if (stage_name is None or d.stage == stage_name)
        and (status is None or d.status is status)
        and (not stalled or is_stalled(d, now, board.stall_days))
        and (not needs_review or _needs_review(d, now, board.review_days))
        and (not blocked or d.is_blocked)
        and (owner is None or d.owner.casefold() == owner.casefold())
        and (text is None or matches(d, text))
    ]


def limit_warning(stage: Stage, count: int) -> str | None:
    """What to tell someone who set `stage`'s limits while it holds `count` open deals."""
    if stage.wip_max is not None and count > stage.wip_max:
        return (
            f"'{stage.name}' holds {count} deals, over its new WIP limit of {stage.wip_max}: "
            "no deal can enter it until it is under (the board shows it over its limit)."
        )
    return None


def reorder(names: list[str], moving: str, new_index: int) -> list[str]:
    """Stage names with `moving` placed at `new_index` (clamped)."""
    rest = [n for n in names if n != moving]
    new_index = max(0, min(new_index, len(rest)))
    return rest[:new_index] + [moving] + rest[new_index:]


# The defaults live in domain/defaults.py; these names are kept for the callers of rules.
DEFAULT_DISCARD_REASONS = defaults.DISCARD_REASONS
DEFAULT_STALE_DAYS = defaults.STALE_DAYS
DEFAULT_BOARD = defaults.BOARD
DEFAULT_TEMPLATE = defaults.TEMPLATE
IMPROVEMENTS_TEMPLATE = defaults.IMPROVEMENTS_TEMPLATE
