"""The ticket lifecycle: every operation the chat layer calls, each one atomic and idempotent.

An operation runs in one write transaction: the ticket change, its history event and the
outbox rows telling people about it commit together or not at all. An ``idempotency_key``
(derived from the Telegram update or message behind the call) makes a redelivered update
return the first result instead of acting twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiosqlite

from bot.domain.classifier import Classifier
from bot.domain.tickets import (
    SYSTEM,
    Actor,
    Attachment,
    EventKind,
    HeldReply,
    NewComplaint,
    Status,
    Ticket,
    TicketEvent,
)
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkCalendar
from bot.texts import classify as classify_texts
from bot.texts import desk as desk_texts
from storage import tickets as repo
from storage.db import Database, claim_operation, record_operation, utc_now
from storage.outbox import OutboxMessage, enqueue


class TicketError(Exception):
    """Base of the refusals the chat layer turns into a polite message."""


class TicketNotFound(TicketError):
    pass


class TicketClosed(TicketError):
    pass


class TicketAlreadyOpen(TicketError):
    pass


class NothingToChange(TicketError):
    """The ticket already is as asked; ``field`` says what was asked for (texts word it)."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.field = field  # "status", "tier", "owner", "confidential", "target"


def _open_ticket_of_citizen(code: str, user_id: int) -> Callable[[Ticket], None]:
    """The check of a citizen's own addition: another person's ticket is "not found", a closed one refused."""

    def check(ticket: Ticket) -> None:
        if ticket.citizen_user_id != user_id:
            raise TicketNotFound(code)
        if not ticket.is_open:
            raise TicketClosed(code)

    return check


class NotAnswered(TicketError):
    """Closing a ticket that was never answered needs the answer (/tutup KODE teks)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class HeldReplyResolved(TicketError):
    """A held reply's button was pressed already (by ``by``, choosing ``resolution``)."""

    def __init__(self, held_id: int, resolution: str | None, by: str | None) -> None:
        super().__init__(held_id)
        self.held_id = held_id
        self.resolution = resolution
        self.by = by


class HeldReplyNotFound(TicketError):
    pass


class Notifier(Protocol):
    """Turns a history event into the messages people are owed (built without Telegram types)."""

    def messages_for(self, ticket: Ticket, event: TicketEvent) -> list[OutboxMessage]: ...


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    event: TicketEvent | None
    replayed: bool = False


class TicketService:
    def __init__(
        self,
        db: Database,
        calendar: WorkCalendar,
        classifier: Classifier,
        notifier: Notifier,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.classifier = classifier
        self.notifier = notifier
        self.clock = clock

    # --- filing -------------------------------------------------------------------------

    async def file(
        self,
        complaint: NewComplaint,
        *,
        received_at: dt.datetime | None = None,
        tier: Tier | None = None,
        actor: Actor | None = None,
        idempotency_key: str | None = None,
        pin_hash: str | None = None,
    ) -> Outcome:
        """Stores a complaint and owes the citizen its code and the staff a ticket card.

        ``tier`` lets staff set the tier of an offline complaint; otherwise the classifier
        decides from the chosen kind and the text. A replayed ``idempotency_key`` returns the
        ticket filed the first time, with no new messages.
        """
        received = received_at or self.clock()
        disputed: dict[str, Any] = {}
        if tier is None:
            classification = self.classifier.classify(complaint.matter_kind, complaint.description)
            chosen_tier, reason = classification.tier, classify_texts.reason(classification)
            base = classification.base or chosen_tier
            if complaint.escalation_disputed and classification.escalated and base < chosen_tier:
                # The citizen disputed the escalation: the kind's tier stands, staff judge
                # with /tingkat, and the history keeps what the text would have given.
                disputed = {"disputed": True, "text_tier": chosen_tier.value}
                chosen_tier, reason = base, desk_texts.disputed_reason(reason, base)
        else:
            chosen_tier, reason = tier, desk_texts.TIER_SET_AT_RECORDING
        deadline = self.calendar.deadline(chosen_tier, received)
        year = received.astimezone(self.calendar.zone).year
        async with self.db.transaction() as conn:
            if idempotency_key is not None:
                earlier = await repo.ticket_by_idempotency_key(conn, idempotency_key)
                if earlier is not None:
                    return Outcome(earlier, None, replayed=True)
            code, seq = await repo.next_code(conn, year)
            ticket_id = await repo.insert_ticket(
                conn, complaint, code=code, year=year, seq=seq, tier=chosen_tier,
                tier_reason=reason, received_at=received, deadline_at=deadline,
                idempotency_key=idempotency_key, pin_hash=pin_hash,
            )
            who = actor or Actor.citizen(complaint.citizen_user_id, complaint.name)
            data = {"tier": chosen_tier.value, "reason": reason, "channel": complaint.channel.value,
                    **disputed}
            return await self.record_event(conn, ticket_id, EventKind.FILED, who, received, data,
                                      complaint.attachments)

    # --- conversation on a ticket ---------------------------------------------------------

    async def add_citizen_message(
        self,
        code: str,
        user_id: int,
        text: str,
        attachments: Sequence[Attachment] = (),
        *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Adds information from the citizen; only the ticket's owner may, only while open."""

        check = _open_ticket_of_citizen(code, user_id)

        return await self._act(
            code, idempotency_key, check, EventKind.CITIZEN_MESSAGE, Actor.citizen(user_id),
            {"text": text}, attachments,
        )

    async def add_evidence_after_filing(
        self,
        code: str,
        user_id: int,
        caption: str,
        attachment: Attachment,
        *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """A photo or document the citizen sent later, not as a reply: kept on the open ticket (caption
        as its text) and forwarded to the staff group as a reply to the ticket's card (notices)."""

        check = _open_ticket_of_citizen(code, user_id)
        return await self._act(code, idempotency_key, check, EventKind.CITIZEN_MESSAGE, Actor.citizen(user_id),
                               {"text": caption, "after_filing": True}, (attachment,))

    async def staff_reply(
        self,
        code: str,
        staff: Actor,
        text: str,
        attachments: Sequence[Attachment] = (),
        *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        def check(ticket: Ticket) -> None:
            if not ticket.is_open:
                raise TicketClosed(code)

        def change(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
            fields: dict[str, Any] = {"status": Status.ANSWERED.value}
            if ticket.first_answer_at is None:
                fields["first_answer_at"] = now
            return fields

        return await self._act(
            code, idempotency_key, check, EventKind.STAFF_REPLY, staff, {"text": text},
            attachments, change,
        )

    async def mark_in_process(self, code: str, staff: Actor, *, idempotency_key: str | None = None) -> Outcome:
        def check(ticket: Ticket) -> None:
            if not ticket.is_open:
                raise TicketClosed(code)
            if ticket.status is not Status.NEW:
                raise NothingToChange(code, "status")

        return await self._act(
            code, idempotency_key, check, EventKind.STATUS_CHANGED, staff,
            {"from": Status.NEW.value, "to": Status.IN_PROGRESS.value}, (),
            lambda ticket, now: {"status": Status.IN_PROGRESS.value},
        )

    async def reclassify(
        self,
        code: str,
        new_tier: Tier,
        staff: Actor,
        reason: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Moves a ticket to another tier; the deadline is recomputed from the original receipt."""

        def check(ticket: Ticket) -> None:
            if not ticket.is_open:
                raise TicketClosed(code)
            if ticket.tier is new_tier:
                raise NothingToChange(code, "tier")

        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            deadline = self.calendar.deadline(new_tier, ticket.received_at)
            why = reason or desk_texts.TIER_CHANGED_BY_STAFF
            await repo.update_fields(conn, ticket.id, tier=new_tier.value, tier_reason=why,
                                     deadline_at=deadline)
            data = {
                "from": ticket.tier.value, "to": new_tier.value, "reason": why,
                "deadline_from": ticket.deadline_at.isoformat(), "deadline_to": deadline.isoformat(),
            }
            return await self.record_event(conn, ticket.id, EventKind.RECLASSIFIED, staff, now, data)

        return await self._run(code, idempotency_key, check, run)

    async def close(
        self, code: str, staff: Actor, note: str | None = None, *, idempotency_key: str | None = None
    ) -> Outcome:
        """Closes a ticket. Closing means answered: a ticket never answered needs ``note``, which
        is then the answer (sent to the citizen with the closing, and its first answer time);
        without one, NotAnswered. A closing after a reopen asks for no second rating."""
        text = (note or "").strip()

        def check(ticket: Ticket) -> None:
            if not ticket.is_open:
                raise TicketClosed(code)
            if ticket.first_answer_at is None and not text:
                raise NotAnswered(code)

        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            fields: dict[str, Any] = {"status": Status.CLOSED.value, "closed_at": now}
            data: dict[str, Any] = {"note": text}
            if ticket.first_answer_at is None:
                fields["first_answer_at"] = now
                data["answer"] = True
            if await repo.has_event(conn, ticket.id, EventKind.CLOSED):
                data["again"] = True
            await repo.update_fields(conn, ticket.id, **fields)
            return await self.record_event(conn, ticket.id, EventKind.CLOSED, staff, now, data)

        return await self._run(code, idempotency_key, check, run)

    async def reopen(
        self, code: str, staff: Actor, reason: str | None = None, *, idempotency_key: str | None = None
    ) -> Outcome:
        """Reopens a closed ticket; the reason is kept in the history and sent to the citizen."""

        def check(ticket: Ticket) -> None:
            if ticket.is_open:
                raise TicketAlreadyOpen(code)

        data = {"reason": reason.strip()} if reason and reason.strip() else {}
        return await self._act(
            code, idempotency_key, check, EventKind.REOPENED, staff, data, (),
            lambda ticket, now: {"status": Status.IN_PROGRESS.value, "closed_at": None},
        )

    # --- the team's own work on a ticket ---------------------------------------------------

    async def add_note(
        self, code: str, staff: Actor, text: str, attachments: Sequence[Attachment] = (), *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """An internal note: in the history and /tiket, never sent to the citizen, not an answer."""
        return await self._act(code, idempotency_key, lambda ticket: None, EventKind.NOTE, staff,
                               {"text": text}, attachments)

    async def take(self, code: str, staff: Actor, *, idempotency_key: str | None = None) -> Outcome:
        """/ambil: the ticket becomes ``staff``'s; taking it over from another officer is recorded."""

        def check(ticket: Ticket) -> None:
            if not ticket.is_open:
                raise TicketClosed(code)
            if ticket.owner_id == staff.id:
                raise NothingToChange(code, "owner")

        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            await repo.update_fields(conn, ticket.id, owner_id=staff.id, owner_name=staff.name)
            data = {"to_id": staff.id, "to_name": staff.name, "from_id": ticket.owner_id,
                    "from_name": ticket.owner_name}
            return await self.record_event(conn, ticket.id, EventKind.ASSIGNED, staff, now, data)

        return await self._run(code, idempotency_key, check, run)

    async def hold_reply(
        self, code: str, staff: Actor, chat_id: int, source_message_id: int, text: str,
        attachments: Sequence[Attachment] = (),
    ) -> HeldReply:
        """Keeps a plain reply to a ticket message until «Kirim» or «Catatan» is pressed.

        Nothing is recorded in the history and nothing is sent yet. The same Telegram message
        is held once (a redelivered update finds the same held reply)."""
        async with self.db.transaction() as conn:
            ticket = await repo.ticket_by_code(conn, code)
            if ticket is None:
                raise TicketNotFound(code)
            if not ticket.is_open:
                raise TicketClosed(code)
            return await repo.hold_reply(conn, ticket.id, chat_id, source_message_id, staff, text,
                                         attachments, self.clock())

    async def held_reply(self, held_id: int) -> HeldReply | None:
        return await repo.held_reply(self.db, held_id)

    async def held_reply_for_message(self, chat_id: int, message_id: int) -> HeldReply | None:
        return await repo.held_reply_for_message(self.db, chat_id, message_id)

    async def set_held_prompt(self, held_id: int, prompt_message_id: int) -> None:
        await repo.set_held_prompt(self.db, held_id, prompt_message_id)

    async def edit_held_reply(self, held_id: int, text: str) -> bool:
        """The officer edited the held message before a press: a later «Kirim» sends the new text."""
        return await repo.update_held_text(self.db, held_id, text)

    async def resolve_held_reply(
        self, held_id: int, choice: str, presser: Actor, *, idempotency_key: str | None = None
    ) -> Outcome:
        """«Kirim ke pelapor» (``kirim``) sends the held reply as the answer; «Simpan sebagai
        catatan» (``catatan``) keeps it as a note. Either one once: a second press (also by
        another officer) raises HeldReplyResolved. The reply stays its author's; a press by
        someone else is recorded as ``pressed_by``."""
        if choice not in ("kirim", "catatan"):
            raise ValueError(choice)
        async with self.db.transaction() as conn:
            if idempotency_key is not None:
                earlier = await claim_operation(conn, idempotency_key)
                if earlier is not None:
                    ticket = await repo.ticket_by_code(conn, earlier)
                    assert ticket is not None
                    return Outcome(ticket, None, replayed=True)
            held = await repo.held_reply(conn, held_id)
            if held is None:
                raise HeldReplyNotFound(held_id)
            ticket = await repo.ticket_by_id(conn, held.ticket_id)
            assert ticket is not None
            now = self.clock()
            if not await repo.resolve_held_reply(conn, held_id, choice, presser, now):
                raise HeldReplyResolved(held_id, held.resolution, held.resolved_by)
            data: dict[str, Any] = {"text": held.text, "held": held_id}
            if presser.id != held.author.id:
                data["pressed_by"] = presser.name
            if choice == "kirim":
                if not ticket.is_open:
                    raise TicketClosed(ticket.code)
                fields: dict[str, Any] = {"status": Status.ANSWERED.value}
                if ticket.first_answer_at is None:
                    fields["first_answer_at"] = now
                await repo.update_fields(conn, ticket.id, **fields)
                outcome = await self.record_event(conn, ticket.id, EventKind.STAFF_REPLY, held.author, now, data,
                                                  held.attachments)
            else:
                outcome = await self.record_event(conn, ticket.id, EventKind.NOTE, held.author, now, data,
                                                  held.attachments)
            if idempotency_key is not None:
                await record_operation(conn, idempotency_key, ticket.code)
            return outcome

    async def open_filtered(
        self, now: dt.datetime, which: str, limit: int = 50, *, owner_id: int | None = None,
        tier: Tier | None = None,
    ) -> tuple[int, int, list[Ticket]]:
        """/daftar with a filter (terlambat, saya, baru, a tier): (count, overdue, first ``limit``)."""
        return await repo.open_filtered(self.db, now, which, limit, owner_id=owner_id, tier=tier)

    async def reveal_identity(self, code: str, admin: Actor, *, idempotency_key: str | None = None) -> Outcome:
        """Records that an admin looked behind a confidential reporter's mask."""

        def check(ticket: Ticket) -> None:
            if not ticket.confidential:
                raise NothingToChange(code, "confidential")

        return await self._act(code, idempotency_key, check, EventKind.IDENTITY_REVEALED, admin, {})

    async def choose_confidentiality(
        self, code: str, user_id: int, confidential: bool, *, idempotency_key: str | None = None
    ) -> Outcome:
        """The citizen's answer to the confidentiality offer made after filing (staff raised the tier).

        Only the ticket's owner may answer (TicketNotFound otherwise, like a wrong code). A ticket
        already confidential stays so: masking is never undone from a button (NothingToChange).
        From a «ya» on, every card, notice and piece of evidence in the staff chat is masked.
        """

        def check(ticket: Ticket) -> None:
            if ticket.citizen_user_id is None or ticket.citizen_user_id != user_id:
                raise TicketNotFound(code)
            if ticket.confidential:
                raise NothingToChange(code, "confidential")

        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            if confidential:
                await repo.update_fields(conn, ticket.id, confidential=1)
            return await self.record_event(conn, ticket.id, EventKind.CONFIDENTIALITY_CHOSEN,
                                           Actor.citizen(user_id), now, {"confidential": confidential})

        return await self._run(code, idempotency_key, check, run)

    async def record_undelivered(self, ticket_id: int, purpose: str, error: str) -> None:
        """Notes in the history that a message could not reach its person (e.g. bot blocked)."""
        async with self.db.transaction() as conn:
            await self.record_event(conn, ticket_id, EventKind.UNDELIVERED, SYSTEM, self.clock(),
                               {"purpose": purpose, "error": error})

    # --- reads ----------------------------------------------------------------------------

    async def get(self, code: str) -> Ticket | None:
        return await repo.ticket_by_code(self.db, code)

    async def link_message(self, chat_id: int, message_id: int, ticket_id: int) -> None:
        """A bot message sent directly (not through the outbox) is about this ticket: a reply to it lands here."""
        await repo.link_message(self.db, chat_id, message_id, ticket_id)

    async def get_by_id(self, ticket_id: int) -> Ticket | None:
        return await repo.ticket_by_id(self.db, ticket_id)

    async def for_citizen(self, code: str, user_id: int) -> Ticket | None:
        """The ticket only if ``user_id`` filed it: others get the same None as a wrong code."""
        ticket = await repo.ticket_by_code(self.db, code)
        if ticket is None or ticket.citizen_user_id != user_id:
            return None
        return ticket

    async def citizen_tickets(self, user_id: int, limit: int = 50) -> list[Ticket]:
        return await repo.tickets_of_citizen(self.db, user_id, limit)

    async def open_overview(self, now: dt.datetime, limit: int = 50) -> tuple[int, int, list[Ticket]]:
        """For /daftar: (open count, overdue count, up to ``limit`` tickets, overdue first)."""
        return await repo.open_overview(self.db, now, limit)

    async def list_open(self, limit: int | None = None) -> list[Ticket]:
        """Open tickets by deadline: the overdue ones come first because their deadline is earliest."""
        return await repo.open_tickets(self.db, limit)

    async def history(self, ticket: Ticket) -> list[TicketEvent]:
        return await repo.events_of(self.db, ticket.id)

    async def filed_with_key(self, idempotency_key: str) -> bool:
        """Whether a filing with this key exists (a double tap on «Kirim» is not a new complaint)."""
        return await repo.ticket_by_idempotency_key(self.db, idempotency_key) is not None

    async def filed_since(self, user_id: int, since: dt.datetime) -> int:
        return await repo.count_filed_since(self.db, user_id, since)

    async def ticket_for_message(self, chat_id: int, message_id: int) -> Ticket | None:
        return await repo.ticket_for_message(self.db, chat_id, message_id)

    # --- machinery ------------------------------------------------------------------------

    async def _act(
        self,
        code: str,
        idempotency_key: str | None,
        check: Callable[[Ticket], None],
        kind: EventKind,
        actor: Actor,
        data: dict[str, Any],
        attachments: Sequence[Attachment] = (),
        change: Callable[[Ticket, dt.datetime], dict[str, Any]] | None = None,
    ) -> Outcome:
        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            if change is not None:
                await repo.update_fields(conn, ticket.id, **change(ticket, now))
            return await self.record_event(conn, ticket.id, kind, actor, now, data, attachments)

        return await self._run(code, idempotency_key, check, run)

    async def _run(
        self,
        code: str,
        idempotency_key: str | None,
        check: Callable[[Ticket], None],
        run: Callable[[aiosqlite.Connection, Ticket, dt.datetime], Any],
    ) -> Outcome:
        async with self.db.transaction() as conn:
            if idempotency_key is not None:
                earlier = await claim_operation(conn, idempotency_key)
                if earlier is not None:
                    ticket = await repo.ticket_by_code(conn, earlier)
                    assert ticket is not None
                    return Outcome(ticket, None, replayed=True)
            ticket = await repo.ticket_by_code(conn, code)
            if ticket is None:
                raise TicketNotFound(code)
            check(ticket)
            outcome: Outcome = await run(conn, ticket, self.clock())
            if idempotency_key is not None:
                await record_operation(conn, idempotency_key, ticket.code)
            return outcome

    async def record_event(
        self,
        conn: aiosqlite.Connection,
        ticket_id: int,
        kind: EventKind,
        actor: Actor,
        at: dt.datetime,
        data: dict[str, Any],
        attachments: Sequence[Attachment] = (),
    ) -> Outcome:
        """Appends a history event inside the caller's transaction and queues what it owes people."""
        event_id = await repo.add_event(conn, ticket_id, kind, actor, at, data, attachments)
        ticket = await repo.ticket_by_id(conn, ticket_id)
        assert ticket is not None
        event = TicketEvent(event_id, ticket_id, at, kind, actor, data, tuple(attachments))
        for message in self.notifier.messages_for(ticket, event):
            await enqueue(conn, message)
        return Outcome(ticket, event)

    # --- objections to a closure and comments on a low rating -----------------------------

    # How long after closing a reply from the citizen counts as an objection (keberatan).
    OBJECTION_WINDOW = dt.timedelta(days=30)
    # Ratings that invite one line of comment.
    COMMENT_INVITED_UP_TO = 2

    async def object_to_closure(
        self,
        code: str,
        user_id: int,
        text: str,
        attachments: Sequence[Attachment] = (),
        *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """The citizen objects to a closure: recorded, and staff get it with «Buka kembali».

        Refusals: TicketNotFound (not the owner), TicketAlreadyOpen, ObjectionWindowClosed.
        """

        def check(ticket: Ticket) -> None:
            if ticket.citizen_user_id is None or ticket.citizen_user_id != user_id:
                raise TicketNotFound(code)
            if ticket.is_open or ticket.closed_at is None:
                raise TicketAlreadyOpen(code)
            if self.clock() > ticket.closed_at + self.OBJECTION_WINDOW:
                raise ObjectionWindowClosed(code, self.OBJECTION_WINDOW.days)

        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            return await self.record_event(conn, ticket.id, EventKind.OBJECTION, Actor.citizen(user_id),
                                           now, {"text": text}, attachments)

        return await self._run(code, idempotency_key, check, run)

    async def add_rating_comment(
        self, code: str, user_id: int, text: str, *, idempotency_key: str | None = None
    ) -> Outcome:
        """The one line a rating of 1 or 2 invited; staff get it. Refusal: CommentNotInvited."""
        line = " ".join(text.split())[: self.RATING_COMMENT_MAX]

        def check(ticket: Ticket) -> None:
            if ticket.citizen_user_id is None or ticket.citizen_user_id != user_id:
                raise TicketNotFound(code)
            if ticket.rating is None or ticket.rating > self.COMMENT_INVITED_UP_TO or not line:
                raise CommentNotInvited(code)

        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            if await repo.rating_comment_of(conn, ticket.id):
                raise CommentNotInvited(code)
            await repo.update_fields(conn, ticket.id, rating_comment=line)
            data = {"rating": ticket.rating, "comment": line}
            return await self.record_event(conn, ticket.id, EventKind.RATING_COMMENT, Actor.citizen(user_id),
                                           now, data)

        return await self._run(code, idempotency_key, check, run)

    # --- target date and satisfaction -----------------------------------------------------

    # How long after closing the citizen may still rate (calendar days, from ``closed_at``).
    RATING_WINDOW = dt.timedelta(days=14)
    RATING_COMMENT_MAX = 1000

    async def set_target(
        self, code: str, when: dt.datetime, staff: Actor, *, idempotency_key: str | None = None
    ) -> Outcome:
        """Records the date staff promise an answer by; the legal deadline does not move.

        Refuses a closed ticket (TicketClosed), a moment not in the future (TargetInPast), a day
        off (TargetNotWorkingDay), a time outside office hours (TargetOutsideOfficeHours), a moment
        after the legal deadline while it can still be met (TargetAfterDeadline) and the target already set
        (NothingToChange). The citizen is told.
        """
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("target must be an aware datetime")

        def check(ticket: Ticket) -> None:
            if not ticket.is_open:
                raise TicketClosed(code)
            if when <= self.clock():
                raise TargetInPast(code)
            self._check_target_moment(code, ticket, when)
            if ticket.target_at == when:
                raise NothingToChange(code, "target")

        async def run(conn: aiosqlite.Connection, ticket: Ticket, now: dt.datetime) -> Outcome:
            await repo.update_fields(conn, ticket.id, target_at=when)
            data = {
                "target": when.isoformat(),
                "previous": ticket.target_at.isoformat() if ticket.target_at else None,
            }
            return await self.record_event(conn, ticket.id, EventKind.TARGET_SET, staff, now, data)

        return await self._run(code, idempotency_key, check, run)

    def _check_target_moment(self, code: str, ticket: Ticket, when: dt.datetime) -> None:
        """A promise the office can keep: a working day, within its office hours, by the legal deadline."""
        local = when.astimezone(self.calendar.zone)
        day = local.date()
        hours = self.calendar.office_hours_on(day)
        if hours is None:
            raise TargetNotWorkingDay(code, day, self.calendar.day_off_reason(day))
        if not hours[0] <= local <= hours[1]:
            raise TargetOutsideOfficeHours(code, hours[0], hours[1])
        # Once the deadline has passed, a later target is the only honest promise left (the overdue
        # notice tells the citizen of it); before, a target may not promise more time than the law gives.
        if when > ticket.deadline_at and self.clock() <= ticket.deadline_at:
            raise TargetAfterDeadline(code, ticket.deadline_at)

    async def rate(
        self,
        code: str,
        user_id: int,
        rating: int,
        comment: str | None = None,
        now: dt.datetime | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """The citizen's satisfaction (1–5) with a closed ticket, once, within RATING_WINDOW.

        Refusals: InvalidRating (not 1–5), TicketNotFound (not the owner: same as a wrong
        code), NotClosedYet, AlreadyRated, RatingWindowClosed (a late press).
        """
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidRating(code)
        note = (comment or "").strip()[: self.RATING_COMMENT_MAX] or None

        def check(ticket: Ticket) -> None:
            if ticket.citizen_user_id is None or ticket.citizen_user_id != user_id:
                raise TicketNotFound(code)
            if ticket.is_open or ticket.closed_at is None:
                raise NotClosedYet(code)
            if ticket.rating is not None:
                raise AlreadyRated(code)
            if (now or self.clock()) > ticket.closed_at + self.RATING_WINDOW:
                raise RatingWindowClosed(code)

        async def run(conn: aiosqlite.Connection, ticket: Ticket, clock_now: dt.datetime) -> Outcome:
            at = now or clock_now
            await repo.update_fields(conn, ticket.id, rating=rating, rating_comment=note, rated_at=at)
            data: dict[str, Any] = {"rating": rating, "comment": note}
            return await self.record_event(conn, ticket.id, EventKind.RATED, Actor.citizen(user_id), at, data)

        return await self._run(code, idempotency_key, check, run)


# --- refusals of target dates and ratings -------------------------------------------------


class ObjectionWindowClosed(TicketError):
    """A reply to a ticket closed longer ago than the objection window."""

    def __init__(self, code: str, days: int) -> None:
        super().__init__(code)
        self.code = code
        self.days = days


class CommentNotInvited(TicketError):
    """A rating comment for a ticket whose rating invited none (or that has one already)."""


class TargetInPast(TicketError):
    pass


class TargetNotWorkingDay(TicketError):
    def __init__(self, code: str, day: dt.date, reason: str | None) -> None:
        super().__init__(code)
        self.day = day
        self.reason = reason


class TargetOutsideOfficeHours(TicketError):
    def __init__(self, code: str, opens: dt.datetime, closes: dt.datetime) -> None:
        super().__init__(code)
        self.opens = opens
        self.closes = closes


class TargetAfterDeadline(TicketError):
    def __init__(self, code: str, deadline: dt.datetime) -> None:
        super().__init__(code)
        self.deadline = deadline


class InvalidRating(TicketError):
    pass


class NotClosedYet(TicketError):
    pass


class AlreadyRated(TicketError):
    pass


class RatingWindowClosed(TicketError):
    pass
