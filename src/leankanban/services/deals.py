"""Use cases on one deal: read, add, edit, notes, contacts, blockers, qualification, undo.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlmodel import select

from leankanban.domain import defaults, rules
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import (
    STATUS_FOR_KIND,
    Answer,
    Board,
    Contact,
    ContactRole,
    Deal,
    DealStatus,
    Event,
    EventKind,
    Stage,
    Stance,
)
from leankanban.services.base import (
    EDITABLE_FIELDS,
    UNSET,
    ServiceBase,
    clean_field,
    edit_events,
)
from leankanban.services.work import check_card, people_of
from leankanban.store import repository as repo
from leankanban.store.tables import (
    ContactRow,
    DealCriterionRow,
    DealRow,
    StageRow,
)


class DealsMixin(ServiceBase):
    # -- deals ------------------------------------------------------------

    def get_deal(self, deal_id: int) -> Deal:
        """A deal with every field, its contacts and its qualification answers."""
        with self.read() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            return repo.full_deal(session=session, row=row, stage_name=session.get(StageRow, row.stage_id).name)

    def list_deals(self, *, board: str | None = None, **filters: Any) -> list[Deal]:
        """Deals on a board, oldest in stage first, narrowed by `filters` (all must hold):
        those of `rules.deals_matching` (stage, status, stalled, needs_review, blocked,
        owner, text)."""
        now = self.now()
        with self.read() as session:
            loaded = repo.load_board(session=session, row=repo.board_row(session=session, name=board))
            stage, status = filters.get("stage"), filters.get("status")
            stage_ids = None if stage is None else [loaded.stage(stage).id]
            found = repo.deals(session=session, board=loaded, stage_ids=stage_ids, status=status)
        return rules.deals_matching(found, loaded, now, **filters)

    def history(self, deal_id: int) -> list[Event]:
        """The deal's events, oldest first."""
        with self.read() as session:
            repo.deal_row(session=session, deal_id=deal_id)
            return repo.events_for_deal(session=session, deal_id=deal_id)

    def timeline(self, deal_id: int) -> list[Event]:
        """Notes and history together, newest first (the deal screen's timeline)."""
        return list(reversed(self.history(deal_id)))

    def board_events(self, board: str | None = None) -> list[Event]:
        with self.read() as session:
            row = repo.board_row(session=session, name=board)
            return repo.events_for_board(session=session, board_id=row.id)

    def add_deal(
        self,
        title: str,
        *,
        board: str | None = None,
        stage: str | None = None,
        account: str = "",
        value: str | int | Decimal | None = None,
        currency: str = defaults.CURRENCY,
        owner: str | None = None,
        next_step: str = "",
        override_reason: str | None = None,
        **details: Any,
    ) -> Deal:
        """Create a deal (in the first stage unless told); it obeys the stage's limits.

        `details` takes the other editable fields: deal_type, priority,
        activity, expected_close, next_step_due, tags, helpers, probability, and
        on a work board linked_deal_id and estimate_minutes (domain/work.py). The
        owner's WIP limit counts their cards in progress on every board.
        """
        unknown = set(details) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput(f"Unknown deal field(s): {', '.join(sorted(unknown))}.")
        fields = {name: clean_field(name, raw) for name, raw in details.items() if raw is not None}
        fields.update(
            title=clean_field("title", title),
            value=clean_field("value", value),
            currency=clean_field("currency", currency),
            account=clean_field("account", account),
            owner=clean_field("owner", self.actor if owner is None else owner),
            next_step=clean_field("next_step", next_step),
        )
        now = self.now()
        with self.write() as session:
            row, loaded = self.locked_board(session, board)
            target = loaded.stage(stage) if stage else min(loaded.stages, key=lambda s: s.position)
            draft = Deal(stage=target.name, **fields)
            check_card(session, loaded, draft)
            counts = repo.open_counts(session=session, board_id=row.id)
            used_override = rules.check_add(
                target,
                counts,
                override_reason=override_reason,
                board=loaded,
                deal=draft,
                lane_counts=repo.lane_counts(session=session, board=loaded, people=True),
                people=people_of(session, draft.owner) if target.is_active else {},
            )
            status = STATUS_FOR_KIND[target.kind]
            deal_row = DealRow(
                board_id=row.id,
                stage_id=target.id,
                status=status.value,
                created_at=now,
                stage_entered_at=now,
                closed_at=now if target.is_closed else None,
                updated_at=now,
                last_activity_at=now,
                **repo.deal_columns(draft),
            )
            session.add(deal_row)
            session.flush()
            events = [self.event(EventKind.CREATED, now, deal_row.id, to_stage=target.name)]
            if used_override:
                events.append(
                    self.event(EventKind.WIP_OVERRIDE, now, deal_row.id, to_stage=target.name, reason=used_override)
                )
            self.record(session, row.id, events)
            return repo.deal_from_row(deal_row, target.name)

    def edit_deal(
        self, deal_id: int, *, override_reason: str | None = None, seen_version: int | None = None, **changes: Any
    ) -> Deal:
        """Change any of EDITABLE_FIELDS.

        Everything is validated before anything is written; each changed
        field is recorded as its own `edited` event. Re-assigning an active
        deal obeys person and lane WIP limits. `seen_version`, when given, is
        the `Deal.version` the person edited: if the deal changed since,
        nothing is written (StaleChange says who changed it and when).
        """
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput(f"Cannot edit {', '.join(sorted(unknown))}.")
        clean = {name: clean_field(name, raw) for name, raw in changes.items() if raw is not UNSET}
        deal, _events = self._edit(deal_id, clean, override_reason=override_reason, seen_version=seen_version)
        return deal

    def _edit(
        self,
        deal_id: int,
        clean: dict[str, Any],
        *,
        override_reason: str | None = None,
        undoing: int | None = None,
        seen_version: int | None = None,
    ) -> tuple[Deal, list[Event]]:
        """Apply cleaned fields in one transaction; the deal after, and the events recorded (with ids)."""
        now = self.now()
        with self.write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            board_row = repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            board = repo.load_board(session=session, row=board_row)
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            if undoing is not None:
                self.check_undo(session, undoing)
            before = repo.deal_from_row(row, board.stage_by_id(row.stage_id).name)
            if seen_version is not None and seen_version != before.version:
                history = repo.events_for_deal(session=session, deal_id=deal_id)
                rules.check_seen_version(before, seen_version, history[-1] if history else None)
            after = replace(before, **clean)
            if "linked_deal_id" in clean or "estimate_minutes" in clean:
                check_card(session, board, after)
            reassigned = after.owner != before.owner and before.is_open and board.stage(before.stage).is_active
            used = rules.check_lane_change(
                board,
                before,
                after,
                repo.lane_counts(session=session, board=board, people=True),
                override_reason=override_reason,
                people=people_of(session, after.owner) if reassigned else {},
            )
            data = {"undoes": str(undoing)} if undoing is not None else None
            events = edit_events(self, now, before, after, clean, data)
            if not events and undoing is None:
                return after, []
            if used:
                events.append(self.event(EventKind.WIP_OVERRIDE, now, deal_id, reason=used))
            if undoing is not None:
                events.append(self.event(EventKind.UNDONE, now, deal_id, old_value=str(undoing)))
            for column, value in repo.deal_columns(after).items():
                setattr(row, column, value)
            row.updated_at = now
            session.add(row)
            ids = self.record(session, row.board_id, events)
            return replace(after, version=row.revision), [replace(e, id=i) for e, i in zip(events, ids, strict=True)]

    # -- notes, contacts, blockers -------------------------------------------

    def add_note(self, deal_id: int, text: str) -> Event:
        text = text.strip()
        if not text:
            raise InvalidInput("A note needs some text.")
        if len(text) > 5000:
            raise InvalidInput("A note can be at most 5000 characters.")
        return self._deal_event(deal_id, EventKind.NOTE, new_value=text)

    def _deal_event(self, deal_id: int, kind: EventKind, **fields: Any) -> Event:
        now = self.now()
        with self.write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            event = self.event(kind, now, deal_id, **fields)
            [event_id] = self.record(session, row.board_id, [event])
            return replace(event, id=event_id)

    def add_contact(
        self,
        deal_id: int,
        name: str,
        *,
        role: str | ContactRole = ContactRole.INFLUENCER,
        stance: str | Stance = Stance.UNKNOWN,
        email: str = "",
    ) -> Contact:
        name = rules.validate_text(name, "contact name")
        if not name:
            raise InvalidInput("A contact needs a name.", field="name")
        contact = Contact(
            name=name,
            role=rules.parse_choice(ContactRole, role, "role"),
            stance=rules.parse_choice(Stance, stance, "stance"),
            email=rules.validate_text(email, "email"),
        )
        now = self.now()
        with self.write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            contact_row = ContactRow(
                deal_id=deal_id,
                name=contact.name,
                role=contact.role.value,
                stance=contact.stance.value,
                email=contact.email,
            )
            session.add(contact_row)
            session.flush()
            text = f"{contact.name} ({contact.role.value}, {contact.stance.value})"
            self.record(
                session, row.board_id, [self.event(EventKind.EDITED, now, deal_id, field="contacts", new_value=text)]
            )
            return replace(contact, id=contact_row.id)

    def remove_contact(self, deal_id: int, name: str) -> None:
        now = self.now()
        with self.write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            wanted = name.strip().casefold()
            found = list(session.exec(select(ContactRow).where(ContactRow.deal_id == deal_id)))
            match = [c for c in found if c.name.casefold() == wanted]
            if not match:
                names = ", ".join(c.name for c in found) or "none"
                raise InvalidInput(f"The deal has no contact '{name}' (contacts: {names}).")
            session.delete(match[0])
            self.record(
                session,
                row.board_id,
                [self.event(EventKind.EDITED, now, deal_id, field="contacts", old_value=match[0].name)],
            )

    def block(self, deal_id: int, reason: str) -> Deal:
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput("Say what blocks the deal (a reason is required).")
        now = self.now()
        with self.write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            if row.status != DealStatus.OPEN.value:
                raise InvalidInput("Only an open deal can be blocked.")
            if row.blocked_reason is not None:
                raise InvalidInput(f"The deal is already blocked: {row.blocked_reason}.")
            row.blocked_reason, row.blocked_since, row.updated_at = reason, now, now
            session.add(row)
            self.record(session, row.board_id, [self.event(EventKind.BLOCKED, now, deal_id, reason=reason)])
            return repo.deal_from_row(row, session.get(StageRow, row.stage_id).name)

    def unblock(self, deal_id: int) -> Deal:
        now = self.now()
        with self.write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            if row.blocked_reason is None:
                raise InvalidInput("The deal is not blocked.")
            was = row.blocked_reason
            row.blocked_reason, row.blocked_since, row.updated_at = None, None, now
            session.add(row)
            self.record(session, row.board_id, [self.event(EventKind.UNBLOCKED, now, deal_id, reason=was)])
            return repo.deal_from_row(row, session.get(StageRow, row.stage_id).name)

    # -- qualification --------------------------------------------------------

    def qualify(self, deal_id: int, criterion: str, answer: str | Answer, *, note: str = "") -> Deal:
        """Record an answer (yes / no / unknown) to one criterion; it is also an event."""
        parsed = rules.parse_choice(Answer, answer, "answer")
        note = rules.validate_text(note or "", "note")
        now = self.now()
        with self.write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            board_row = repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            board = repo.load_board(session=session, row=board_row)
            found = board.criterion(criterion)
            current = session.get(DealCriterionRow, (deal_id, found.id))
            old = current.answer if current else None
            if current is None:
                current = DealCriterionRow(deal_id=deal_id, criterion_id=found.id, answer=parsed.value, at=now)
            current.answer, current.note, current.actor, current.at = parsed.value, note, self.actor, now
            session.add(current)
            row.qualified_at, row.updated_at = now, now
            session.add(row)
            event = self.event(
                EventKind.QUALIFIED, now, deal_id, field=found.name, old_value=old, new_value=parsed.value, reason=note or None
            )
            self.record(session, row.board_id, [event])
            return repo.full_deal(session=session, row=row, stage_name=board.stage_by_id(row.stage_id).name)

    # -- undo -----------------------------------------------------------------

    def undo(self, event_id: int) -> Event:
        """Reverse a move or an edit by recording the opposite change.

        History is never deleted: the reversal is new events tagged with the
        id of the event it undoes, plus an `undone` marker. The reversal obeys
        the board's policies like any other change, and `rules.check_undo`:
        once only, one's own change (or a manager's), nothing changed since.
        """
        with self.read() as session:
            original = repo.event_by_id(session=session, event_id=event_id)
            if original is None or original.deal_id is None:
                raise InvalidInput(f"There is no deal change with id {event_id} to undo.")
            history = repo.events_for_deal(session=session, deal_id=original.deal_id)
        rules.check_undo(original, history, self.actor, manager=True)  # early word; checked again under the lock
        if original.kind is EventKind.MOVED:
            losses = [e for e in history if e.kind is EventKind.LOST]

            def previous(board: Board, deal: Deal) -> Stage:
                if deal.stage != original.to_stage:
                    raise InvalidInput("The deal has moved since; undo the later move first.")
                return board.stage(original.from_stage)

            discard = None
            if losses and original.from_stage == losses[-1].to_stage:
                last = losses[-1]
                discard = (last.reason or "", (last.data or {}).get("competitor"), last.new_value)
            recorded = self._move(original.deal_id, previous, undoing=event_id, discard=discard).events
        elif original.kind is EventKind.EDITED and original.field in EDITABLE_FIELDS:
            restored = clean_field(original.field, original.old_value or "")
            _deal, recorded = self._edit(original.deal_id, {original.field: restored}, undoing=event_id)
        else:
            raise InvalidInput(f"A '{original.kind.value}' event cannot be undone; only moves and edits can.")
        return recorded[-1]

