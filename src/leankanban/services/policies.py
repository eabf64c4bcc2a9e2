"""Use cases that change a board's policies: stages and WIP limits, criteria, discard reasons, settings, lane limits.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from leankanban.domain import rules
from leankanban.domain.errors import Conflict, InvalidInput
from leankanban.domain.model import (
    Board,
    DealType,
    Event,
    EventKind,
    Lane,
    PolicyReason,
    Priority,
    Stage,
    StageKind,
)
from leankanban.services.base import (
    UNSET,
    ServiceBase,
    StageLimits,
    StageSummary,
)
from leankanban.store import flow
from leankanban.store import repository as repo
from leankanban.store.tables import (
    CriterionRow,
    CriterionStageRow,
    DealCriterionRow,
    DiscardReasonRow,
    LaneLimitRow,
    StageRow,
)


class PoliciesMixin(ServiceBase):
    # -- the record of policy changes ----------------------------------------

    def policy_history(self, *, board: str | None = None) -> list[Event]:
        """Every change of the board's policies (stages, limits, criteria, reasons,
        settings, lane limits, targets), oldest first."""
        with self.read() as session:
            row = repo.board_row(session=session, name=board)
            return repo.board_events(session=session, board_id=row.id, kind=EventKind.POLICY_CHANGED)

    # -- stages -----------------------------------------------------------

    def stage_summaries(self, board: str | None = None) -> list[StageSummary]:
        with self.read() as session:
            row = repo.board_row(session=session, name=board)
            loaded = repo.load_board(session=session, row=row)
            totals = repo.stage_totals(session=session, board_id=row.id)
        return [
            StageSummary(
                stage=s,
                count=totals.get(s.name, (0, {}))[0],
                totals=tuple(sorted(totals.get(s.name, (0, {}))[1].items())),
            )
            for s in loaded.stages
        ]

    def set_stage_limits(
        self,
        stage: str,
        *,
        board: str | None = None,
        wip_min: int | None = UNSET,
        wip_max: int | None = UNSET,
        stale_after_days: int | None = UNSET,
        because: PolicyReason | None = None,
    ) -> StageLimits:
        """Change a stage's limits and ageing setting in one go.

        Pass None to clear a setting, leave it UNSET to keep it; nothing is
        saved unless every value is valid. Each change is recorded; a maximum
        below the deals the stage holds now is allowed, with a warning (also
        recorded, with the count).
        """
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Changing a stage's WIP limits")
            current = loaded.stage(stage)
            new_min = current.wip_min if wip_min is UNSET else wip_min
            new_max = current.wip_max if wip_max is UNSET else wip_max
            new_stale = current.stale_after_days if stale_after_days is UNSET else stale_after_days
            rules.validate_limits(new_min, new_max)
            rules.validate_days(new_stale, "stale-after setting")
            if current.is_closed and (new_min is not None or new_max is not None):
                raise InvalidInput(f"'{current.name}' is a closed outcome; it takes no WIP limits.")
            stage_row = session.get(StageRow, current.id)
            stage_row.wip_min, stage_row.wip_max = new_min, new_max
            stage_row.stale_after_days = new_stale
            session.add(stage_row)
            changed = repo.stage_from_row(stage_row)
            count = repo.open_counts(session=session, board_id=row.id).get(current.name, 0)
            warning = rules.limit_warning(changed, count) if new_max != current.wip_max else None
            self.policy_changes(
                session, row.id,
                [
                    ("wip_min", current.name, current.wip_min, new_min),
                    ("wip_max", current.name, current.wip_max, new_max),
                    ("stale_after_days", current.name, current.stale_after_days, new_stale),
                ],
                data={"count": count, "over_limit": True} if warning else None,
                because=because,
            )
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return StageLimits(changed, (warning,) if warning else ())

    def add_stage(
        self,
        name: str,
        *,
        board: str | None = None,
        position: int | None = None,
        kind: StageKind = StageKind.OPEN,
        wip_min: int | None = None,
        wip_max: int | None = None,
        upstream: bool = False,
        because: PolicyReason | None = None,
    ) -> Stage:
        name = rules.validate_stage_name(name)
        rules.validate_limits(wip_min, wip_max)
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Adding a stage")
            if any(s.name.casefold() == name.casefold() for s in loaded.stages):
                raise Conflict(f"The board already has a stage called '{name}'.")
            names = [s.name for s in loaded.stages]
            if position is None:
                # New open stages go before the closed outcomes.
                closed = [s.position for s in loaded.stages if s.is_closed]
                position = min(closed) if closed and kind is StageKind.OPEN else len(names)
            order = rules.reorder(names + [name], name, position)
            session.add(
                StageRow(
                    board_id=row.id,
                    name=name,
                    position=order.index(name),
                    kind=kind.value,
                    wip_min=wip_min,
                    wip_max=wip_max,
                    upstream=upstream,
                )
            )
            session.flush()
            self._apply_order(session, row.id, order)
            flow.refresh_stage(session, row.id, [name])  # a history may name a stage of that name
            self.policy_changes(session, row.id, [("stage_added", name, None, f"{kind.value} at {order.index(name) + 1}")], because=because)
            repo.bump_revision(session=session, board_id=row.id)
            return repo.load_board(session=session, row=row).stage(name)

    def rename_stage(
        self, old: str, new: str, *, board: str | None = None, because: PolicyReason | None = None
    ) -> Stage:
        new = rules.validate_stage_name(new)
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Renaming a stage")
            current = loaded.stage(old)
            if any(s.name.casefold() == new.casefold() and s.id != current.id for s in loaded.stages):
                raise Conflict(f"The board already has a stage called '{new}'.")
            stage_row = session.get(StageRow, current.id)
            stage_row.name = new
            session.add(stage_row)
            self.policy_changes(session, row.id, [("stage_name", new, current.name, new)], because=because)
            session.flush()
            flow.refresh_stage(session, row.id, [current.name, new], current.id)  # read with the rename
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.stage_from_row(stage_row)

    def remove_stage(self, name: str, *, board: str | None = None, because: PolicyReason | None = None) -> None:
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Removing a stage")
            current = loaded.stage(name)
            held = repo.open_counts(session=session, board_id=row.id).get(current.name, 0)
            rules.check_stage_removal(loaded, current, held)
            # The criteria that gated it stay; their gate on it goes with the stage.
            for gate in session.exec(select(CriterionStageRow).where(CriterionStageRow.stage_id == current.id)):
                session.delete(gate)
            session.flush()
            session.delete(session.get(StageRow, current.id))
            session.flush()
            self._apply_order(session, row.id, [s.name for s in loaded.stages if s.id != current.id])
            flow.refresh_stage(session, row.id, [current.name])
            self.policy_changes(session, row.id, [("stage_removed", current.name, current.name, None)], because=because)
            repo.bump_revision(session=session, board_id=row.id)

    def reorder_stage(
        self, name: str, position: int, *, board: str | None = None, because: PolicyReason | None = None
    ) -> list[Stage]:
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Reordering the stages")
            current = loaded.stage(name)
            before = [s.name for s in loaded.stages]
            order = rules.reorder(before, current.name, position)
            self._apply_order(session, row.id, order)
            self.policy_changes(session, row.id, [("stage_order", current.name, before, order)], because=because)
            repo.bump_revision(session=session, board_id=row.id)
            return list(repo.load_board(session=session, row=row).stages)

    def _apply_order(self, session: Session, board_id: int, order: list[str]) -> None:
        for stage_row in repo.stage_rows(session=session, board_id=board_id):
            stage_row.position = order.index(stage_row.name)
            session.add(stage_row)
        session.flush()


    # -- explicit policies ------------------------------------------------------

    def set_stage_policy(
        self,
        stage: str,
        *,
        board: str | None = None,
        entry: str | None = UNSET,
        exit: str | None = UNSET,
        because: PolicyReason | None = None,
    ) -> Stage:
        """Write down what must be true to enter and to leave `stage` ('' or None clears one)."""
        new_entry = UNSET if entry is UNSET else rules.validate_policy(entry, "entry policy")
        new_exit = UNSET if exit is UNSET else rules.validate_policy(exit, "exit policy")
        if new_entry is UNSET and new_exit is UNSET:
            raise InvalidInput("Nothing to change; give an entry policy, an exit policy or both.")
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Changing a stage's policies")
            current = loaded.stage(stage)
            stage_row = session.get(StageRow, current.id)
            if new_entry is not UNSET:
                stage_row.entry_policy = new_entry
            if new_exit is not UNSET:
                stage_row.exit_policy = new_exit
            session.add(stage_row)
            self.policy_changes(
                session, row.id,
                [
                    ("entry_policy", current.name, current.entry_policy or None, stage_row.entry_policy or None),
                    ("exit_policy", current.name, current.exit_policy or None, stage_row.exit_policy or None),
                ],
                because=because,
            )
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.stage_from_row(stage_row)

    def define_criterion(
        self, name: str, text: str | None, *, board: str | None = None, because: PolicyReason | None = None
    ) -> Board:
        """Write down what a qualification criterion means ('' clears it)."""
        definition = rules.validate_policy(text, "definition")
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Defining a qualification criterion")
            found = loaded.criterion(name)
            criterion_row = session.get(CriterionRow, found.id)
            criterion_row.definition = definition
            session.add(criterion_row)
            self.policy_changes(
                session, row.id, [(f"criterion_definition:{found.name}", None, found.definition or None, definition or None)],
                because=because,
            )
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def define_reason(
        self, name: str, text: str | None, *, board: str | None = None, because: PolicyReason | None = None
    ) -> Board:
        """Write down when a discard reason applies ('' clears it)."""
        definition = rules.validate_policy(text, "definition")
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Defining a discard reason")
            reason = rules.match_reason(loaded, name)
            reason_row = session.exec(
                select(DiscardReasonRow).where(DiscardReasonRow.board_id == row.id, DiscardReasonRow.name == reason)
            ).one()
            old = reason_row.definition or None
            reason_row.definition = definition
            session.add(reason_row)
            self.policy_changes(session, row.id, [(f"reason_definition:{reason}", None, old, definition or None)], because=because)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    # -- criteria -------------------------------------------------------------

    def add_criterion(self, name: str, *, board: str | None = None, because: PolicyReason | None = None) -> Board:
        name = rules.validate_stage_name(name)
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Adding a qualification criterion")
            if any(c.name.casefold() == name.casefold() for c in loaded.criteria):
                raise Conflict(f"The board already has a criterion '{name}'.")
            session.add(CriterionRow(board_id=row.id, name=name, position=len(loaded.criteria)))
            self.policy_changes(session, row.id, [("criterion_added", None, None, name)], because=because)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def remove_criterion(self, name: str, *, board: str | None = None, because: PolicyReason | None = None) -> Board:
        """Remove a criterion and its answers (the answers stay in the history)."""
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Removing a qualification criterion")
            found = loaded.criterion(name)
            for model in (CriterionStageRow, DealCriterionRow):
                for link in session.exec(select(model).where(model.criterion_id == found.id)):
                    session.delete(link)
            session.flush()
            session.delete(session.get(CriterionRow, found.id))
            self.policy_changes(session, row.id, [("criterion_removed", None, found.name, None)], because=because)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def require_criterion(
        self,
        name: str,
        stage: str,
        *,
        board: str | None = None,
        required: bool = True,
        because: PolicyReason | None = None,
    ) -> Board:
        """Make (or stop making) a yes to `name` a condition for entering `stage`."""
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Changing a stage's qualification gate")
            found = loaded.criterion(name)
            target = loaded.stage(stage)
            if target.kind is StageKind.LOST:
                raise InvalidInput("Discarding is always allowed; a lost outcome cannot require criteria.")
            link = session.get(CriterionStageRow, (found.id, target.id))
            if required and link is None:
                session.add(CriterionStageRow(criterion_id=found.id, stage_id=target.id))
            elif not required and link is not None:
                session.delete(link)
            was = found.name if link is not None else None
            self.policy_changes(session, row.id, [("criterion_required", target.name, was, found.name if required else None)], because=because)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    # -- board policies ---------------------------------------------------------

    def set_discard_reasons(
        self, reasons: list[str], *, board: str | None = None, because: PolicyReason | None = None
    ) -> Board:
        """Replace the board's discard reasons (past deals keep theirs)."""
        cleaned = list(dict.fromkeys(rules.validate_text(r, "reason") for r in reasons if r.strip()))
        if not cleaned:
            raise InvalidInput("A board needs at least one discard reason.")
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            self.require_manager(session, "Changing the discard reasons")
            kept: dict[str, str] = {}  # a reason that stays keeps its definition
            for old in session.exec(select(DiscardReasonRow).where(DiscardReasonRow.board_id == row.id)):
                kept[old.name.casefold()] = old.definition or ""
                session.delete(old)
            session.flush()
            for position, reason in enumerate(cleaned):
                session.add(DiscardReasonRow(board_id=row.id, name=reason, position=position,
                                             definition=kept.get(reason.casefold(), "")))
            self.policy_changes(session, row.id, [("discard_reasons", None, list(loaded.discard_reasons), cleaned)], because=because)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def set_board_settings(
        self,
        *,
        board: str | None = None,
        review_days: int | None = None,
        stall_days: int | None = None,
        pipeline_target: str | Decimal | None = UNSET,
        capacity_per_week: int | None = UNSET,
        because: PolicyReason | None = None,
    ) -> Board:
        """Change board settings; None clears a target or capacity, UNSET keeps it."""
        rules.validate_days(review_days, "review period")
        rules.validate_days(stall_days, "stall period")
        target = UNSET
        if pipeline_target is not UNSET:
            target = None if pipeline_target in (None, "") else rules.parse_value(pipeline_target)
        if capacity_per_week is not UNSET and capacity_per_week is not None and capacity_per_week < 1:
            raise InvalidInput("Delivery capacity must be at least 1 deal a week (or none).")
        with self.write() as session:
            row, _ = self.locked_board(session, board)
            self.require_manager(session, "Changing the board's settings")
            before = (row.review_days, row.stall_days, row.pipeline_target_cents, row.capacity_per_week)
            if review_days is not None:
                row.review_days = review_days
            if stall_days is not None:
                row.stall_days = stall_days
            if target is not UNSET:
                row.pipeline_target_cents = None if target is None else repo.cents(target)
            if capacity_per_week is not UNSET:
                row.capacity_per_week = capacity_per_week
            session.add(row)
            self.policy_changes(
                session, row.id,
                [
                    ("review_days", None, before[0], row.review_days),
                    ("stall_days", None, before[1], row.stall_days),
                    ("pipeline_target", None, _money(before[2]), _money(row.pipeline_target_cents)),
                    ("capacity_per_week", None, before[3], row.capacity_per_week),
                ],
                because=because,
            )
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def set_stage_stale_after(self, stage: str, days: int | None, *, board: str | None = None) -> Stage:
        return self.set_stage_limits(stage, board=board, stale_after_days=days).stage

    def set_lane_limit(
        self,
        dimension: str | Lane,
        value: str,
        wip_max: int | None,
        *,
        board: str | None = None,
        because: PolicyReason | None = None,
    ) -> Board:
        """Limit a swimlane (or, with dimension owner, a person); None removes the limit."""
        lane = rules.parse_choice(Lane, dimension, "lane")
        if lane not in rules.LIMITED_LANES:
            raise InvalidInput("Choose a lane to limit: owner, type or priority.")
        if lane is Lane.TYPE:
            value = rules.parse_choice(DealType, value, "deal type").value
        elif lane is Lane.PRIORITY:
            value = rules.parse_choice(Priority, value, "priority").value
        else:
            value = rules.validate_text(value, "owner")
        rules.validate_limits(None, wip_max)
        with self.write() as session:
            row, _ = self.locked_board(session, board)
            self.require_manager(session, "Changing a lane's WIP limit")
            existing = session.exec(
                select(LaneLimitRow).where(
                    LaneLimitRow.board_id == row.id,
                    LaneLimitRow.dimension == lane.value,
                    LaneLimitRow.value == value,
                )
            ).first()
            what = f"lane_limit:{lane.value}"
            self.policy_changes(session, row.id, [(what, None, None if existing is None else f"{value}: {existing.wip_max}",
                                                   None if wip_max is None else f"{value}: {wip_max}")],
                               because=because)
            if wip_max is None:
                if existing is not None:
                    session.delete(existing)
            elif existing is None:
                session.add(LaneLimitRow(board_id=row.id, dimension=lane.value, value=value, wip_max=wip_max))
            else:
                existing.wip_max = wip_max
                session.add(existing)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)


def _money(cents: int | None) -> str | None:
    return None if cents is None else str(Decimal(cents) / 100)
