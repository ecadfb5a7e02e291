"""Which messages each ticket event owes to whom (plain Bot API JSON, no Telegram types)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bot.domain import callbacks as cb
from bot.domain.tickets import Attachment, EventKind, Ticket, TicketEvent
from bot.domain.workcalendar import WorkCalendar
from bot.texts import desk as texts
from bot.texts import followup as followup_texts
from bot.texts import watch as watch_texts
from storage.db import utc_now
from storage.outbox import OutboxMessage, text_message

# Callback data of ticket-card buttons: "tk:<action>:<code>" stays far below 64 bytes.
CARD_ACTIONS = (("proses", "🔎 Proses"), ("tingkat", "🏷 Ubah tingkat"), ("tutup", "✅ Tutup"),
                ("riwayat", "🕘 Riwayat"))
# Citizen-side button on a status view: "add information to this ticket".


def card_keyboard(code: str) -> dict[str, Any]:
    buttons = [{"text": label, "callback_data": cb.CARD_ACTION.build(action=action, code=code)} for action, label in CARD_ACTIONS]
    return {"inline_keyboard": [buttons[:2], buttons[2:]]}


class StaffChat:
    """The staff group's id; it changes when Telegram upgrades the group to a supergroup."""

    def __init__(self, chat_id: int) -> None:
        self.id = chat_id


def describe_time_left(calendar: WorkCalendar, ticket: Ticket, now: dt.datetime) -> str:
    """'sisa 2 hari kerja 3 jam' or 'terlambat 3 jam kerja', on the same calendar as deadlines."""
    if not ticket.is_open:
        return "selesai"
    if ticket.first_answer_at is not None:
        return "sudah dijawab"
    if now <= ticket.deadline_at:
        span = calendar.working_time_between(now, ticket.deadline_at)
        return f"sisa {span.describe()}"
    span = calendar.working_time_between(ticket.deadline_at, now)
    return f"terlambat {span.describe()}"


class DeskNotifier:
    def __init__(
        self,
        calendar: WorkCalendar,
        staff_chat: StaffChat,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.calendar = calendar
        self.staff_chat = staff_chat
        self.clock = clock

    def messages_for(self, ticket: Ticket, event: TicketEvent) -> list[OutboxMessage]:
        zone = self.calendar.zone
        staff = self.staff_chat.id
        citizen = ticket.citizen_chat_id  # None for an offline complaint not yet linked
        out: list[OutboxMessage] = []
        kind = event.kind

        def to_citizen(html: str, purpose: str) -> None:
            if citizen is not None:
                out.append(text_message(citizen, html, purpose=purpose, ticket_id=ticket.id))

        def to_staff(html: str, purpose: str, markup: dict[str, Any] | None = None) -> None:
            out.append(text_message(staff, html, purpose=purpose, ticket_id=ticket.id,
                                    reply_markup=markup))

        if kind is EventKind.FILED:
            to_citizen(texts.filed_for_citizen(ticket, zone), "filed_citizen")
            now = self.clock()
            card = texts.ticket_card(ticket, zone, now=now,
                                     left=describe_time_left(self.calendar, ticket, now),
                                     disputed=bool(event.data.get("disputed")))
            to_staff(card, "ticket_card", card_keyboard(ticket.code))
            out.extend(self._files(staff, ticket, event.attachments,
                                   texts.citizen_attachment_caption(ticket), "evidence_staff"))
        elif kind is EventKind.CITIZEN_MESSAGE:
            to_staff(texts.citizen_message_for_staff(ticket, event.data.get("text", "")), "citizen_message")
            out.extend(self._files(staff, ticket, event.attachments,
                                   texts.citizen_attachment_caption(ticket), "evidence_staff"))
        elif kind is EventKind.STAFF_REPLY:
            if event.data.get("text"):
                to_citizen(texts.staff_reply_for_citizen(ticket, event.data["text"]), "staff_reply")
            if citizen is not None:
                out.extend(self._files(citizen, ticket, event.attachments,
                                       texts.staff_attachment_caption(ticket), "staff_reply_file"))
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.STATUS_CHANGED:
            to_citizen(texts.in_process_for_citizen(ticket), "status_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.RECLASSIFIED:
            to_citizen(texts.reclassified_for_citizen(ticket, zone), "status_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.CLOSED:
            to_citizen(texts.closed_for_citizen(ticket, event.data.get("note", "")), "closed_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.REOPENED:
            to_citizen(texts.reopened_for_citizen(ticket), "status_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.UNDELIVERED:
            to_staff(texts.undelivered_for_staff(ticket.code, event.data.get("purpose", "")),
                     "undelivered_staff")
        elif kind is EventKind.TARGET_SET:
            to_citizen(watch_texts.target_set_for_citizen(ticket, zone), "target_notice")
            to_staff(watch_texts.target_set_for_staff(ticket, event.actor.name, zone), "staff_confirmation")
        elif kind is EventKind.RATED:
            to_staff(watch_texts.rated_for_staff(ticket, int(event.data.get("rating", 0)),
                                                 event.data.get("comment")), "rating_staff")
        elif kind is EventKind.LINKED:
            to_citizen(watch_texts.linked_for_citizen(ticket, zone), "linked_citizen")
            to_staff(watch_texts.linked_for_staff(ticket), "linked_staff")
        out.extend(self._followup_messages(ticket, event))
        if kind is EventKind.CLOSED and citizen is not None and ticket.rating is None:
            # Second message of a closing: ask the citizen to rate the service (buttons 1–5).
            out.append(text_message(citizen, watch_texts.rating_request(ticket), purpose="rating_request",
                                    ticket_id=ticket.id, reply_markup=rating_keyboard(ticket.code)))
        return out

    def _followup_messages(self, ticket: Ticket, event: TicketEvent) -> list[OutboxMessage]:
        """What the citizen's follow-ups owe the staff group: an objection to a closure (with «Buka
        kembali»), the comment a low rating invited."""
        staff = self.staff_chat.id
        if event.kind is EventKind.OBJECTION:
            markup = {"inline_keyboard": [[{"text": followup_texts.REOPEN_BUTTON,
                                            "callback_data": cb.OBJECTION_REOPEN.build(code=ticket.code)}]]}
            closed_at = ticket.closed_at or event.at
            html = followup_texts.objection_for_staff(ticket.code, event.data.get("text", ""), closed_at,
                                                      self.calendar.zone)
            return [text_message(staff, html, purpose="objection_staff", ticket_id=ticket.id, reply_markup=markup),
                    *self._files(staff, ticket, event.attachments, texts.citizen_attachment_caption(ticket),
                                 "evidence_staff")]
        if event.kind is EventKind.RATING_COMMENT:
            html = followup_texts.rating_comment_for_staff(ticket.code, int(event.data.get("rating", 0)),
                                                           event.data.get("comment", ""))
            return [text_message(staff, html, purpose="rating_comment_staff", ticket_id=ticket.id)]
        return []

    @staticmethod
    def _files(
        chat_id: int, ticket: Ticket, attachments: tuple[Attachment, ...], caption: str, purpose: str
    ) -> list[OutboxMessage]:
        messages = []
        for item in attachments:
            method = "sendPhoto" if item.kind == "photo" else "sendDocument"
            field = "photo" if item.kind == "photo" else "document"
            payload = {"method": method, field: item.file_id, "caption": caption, "parse_mode": "HTML"}
            messages.append(OutboxMessage(chat_id, payload, purpose, ticket.id))
        return messages


# --- satisfaction rating buttons --------------------------------------------------------------

# Callback data "nilai:<code>:<1..5>", e.g. "nilai:ADU-2026-00001:5" (22 bytes; limit 64).


def rating_keyboard(code: str) -> dict[str, Any]:
    """One row of buttons 1–5 under the rating request."""
    return {"inline_keyboard": [[{"text": str(value), "callback_data": cb.RATING.build(code=code, value=value)}
                                 for value in range(1, 6)]]}


def parse_rating_callback(data: str) -> tuple[str, int] | None:
    """("ADU-2026-00001", 5) from a rating button's callback data; None if it is not one."""
    fields = cb.RATING.parse(data)
    return None if fields is None else (fields["code"], int(fields["value"]))
