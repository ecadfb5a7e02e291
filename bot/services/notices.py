"""Which messages each ticket event owes to whom (plain Bot API JSON, no Telegram types)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bot.domain import callbacks as cb
from bot.domain.privacy import alleges_wrongdoing
from bot.domain.tickets import Attachment, EventKind, Status, Ticket, TicketEvent
from bot.domain.tiers import Tier
from bot.domain.time_left import time_left
from bot.domain.workcalendar import WorkCalendar
from bot.texts import common as common_texts
from bot.texts import desk as texts
from bot.texts import evidence as evidence_texts
from bot.texts import followup as followup_texts
from bot.texts import identity as identity_texts
from bot.texts import watch as watch_texts
from bot.texts.format import fits_caption
from storage.db import utc_now
from storage.outbox import REPLY_TO_CARD, OutboxMessage, card_edit, text_message

# Events after which the ticket's card in the staff group is edited to match the ticket.
CARD_CHANGES = frozenset({
    EventKind.STAFF_REPLY, EventKind.STATUS_CHANGED, EventKind.RECLASSIFIED, EventKind.CLOSED,
    EventKind.REOPENED, EventKind.TARGET_SET, EventKind.ASSIGNED,
    # The citizen chose confidentiality after a raise to berkadar: the card is masked from then on.
    EventKind.CONFIDENTIALITY_CHOSEN,
})


def card_keyboard_for(ticket: Ticket) -> dict[str, Any]:
    """The card's buttons for the ticket's state: «Proses» only while it is new; a closed ticket
    offers «Buka kembali» and «Riwayat». Callback data "tk:<action>:<code>" stays far below 64 bytes."""
    code = ticket.code

    def action(name: str) -> dict[str, Any]:
        return {"text": texts.CARD_ACTION_BUTTONS[name], "callback_data": cb.CARD_ACTION.build(action=name, code=code)}

    if not ticket.is_open:
        return {"inline_keyboard": [[
            {"text": texts.REOPEN_BUTTON, "callback_data": cb.CARD_REOPEN.build(code=code)}, action("riwayat"),
        ]]}
    first = [action("proses")] if ticket.status is Status.NEW else []
    return {"inline_keyboard": [
        [*first, action("tingkat")], [action("tutup"), action("riwayat")],
        [{"text": texts.TAKE_BUTTON, "callback_data": cb.CARD_TAKE.build(code=code)}],
    ]}


class StaffChat:
    """The staff group's id; it changes when Telegram upgrades the group to a supergroup."""

    def __init__(self, chat_id: int) -> None:
        self.id = chat_id


def describe_time_left(calendar: WorkCalendar, ticket: Ticket, now: dt.datetime, *, until: bool = True) -> str:
    """'sisa 5 hari kerja (hingga …)' or 'terlambat 3 jam kerja' (bot.domain.time_left decides,
    bot.texts.desk words it): one wording for cards, /daftar, the digest and /status. A view
    that shows the deadline on its own line passes ``until=False``."""
    return texts.time_left_words(time_left(calendar, ticket, now), calendar.zone, until=until)


def card_text(calendar: WorkCalendar, ticket: Ticket, now: dt.datetime, *, disputed: bool | None = None) -> str:
    """The staff card of ``ticket`` as it stands at ``now``."""
    return texts.ticket_card(ticket, calendar.zone, now=now,
                             left=describe_time_left(calendar, ticket, now, until=False),
                             disputed=texts.is_disputed(ticket) if disputed is None else disputed)


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

        def to_citizen(html: str, purpose: str, markup: dict[str, Any] | None = None) -> None:
            if citizen is not None:
                out.append(text_message(citizen, html, purpose=purpose, ticket_id=ticket.id,
                                        reply_markup=markup))

        def to_staff(html: str, purpose: str, markup: dict[str, Any] | None = None) -> None:
            out.append(text_message(staff, html, purpose=purpose, ticket_id=ticket.id,
                                    reply_markup=markup))

        if kind is EventKind.FILED:
            to_citizen(texts.filed_for_citizen(ticket, zone), "filed_citizen",
                       common_texts.receipt_keyboard(ticket.code))
            card = card_text(self.calendar, ticket, self.clock(), disputed=bool(event.data.get("disputed")))
            to_staff(card, "ticket_card", card_keyboard_for(ticket))
            out.extend(evidence_for_staff(staff, ticket, event.attachments,
                                          texts.citizen_attachment_caption(ticket)))
        elif kind is EventKind.CITIZEN_MESSAGE:
            out.extend(addition_for_staff(staff, ticket, event.data.get("text", ""), event.attachments))
        elif kind is EventKind.STAFF_REPLY:
            if event.data.get("text"):
                to_citizen(texts.staff_reply_for_citizen(ticket, event.data["text"]), "staff_reply")
            if citizen is not None:
                out.extend(self._files(citizen, ticket, event.attachments,
                                       texts.staff_attachment_caption(ticket), "staff_reply_file"))
            if not (event.data.get("held") and citizen is not None):
                # A held reply's prompt already became its confirmation («📤 … dikirim»).
                to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.STATUS_CHANGED:
            to_citizen(texts.in_process_for_citizen(ticket), "status_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.RECLASSIFIED:
            to_citizen(texts.reclassified_for_citizen(ticket, zone), "status_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.CLOSED:
            to_citizen(texts.closed_for_citizen(ticket, event.data.get("note", ""),
                                                answer=bool(event.data.get("answer"))), "closed_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind is EventKind.REOPENED:
            to_citizen(texts.reopened_for_citizen(ticket, event.data.get("reason") or ""), "status_notice")
            to_staff(texts.staff_confirmation(ticket, event, zone), "staff_confirmation")
        elif kind in (EventKind.NOTE, EventKind.ASSIGNED):
            # Team business: never a word to the citizen. A held reply kept as a note is
            # confirmed by its own prompt («📝 … disimpan sebagai catatan tim»).
            if not event.data.get("held"):
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
        if kind in CARD_CHANGES:
            # First in the list: it goes out in its own lane, so its place only matters for readers.
            out.insert(0, card_edit(staff, ticket.id, card_text(self.calendar, ticket, self.clock()),
                                    card_keyboard_for(ticket)))
        if (kind is EventKind.CLOSED and citizen is not None and ticket.rating is None
                and not event.data.get("again")):
            # (A closing after a reopen asks no second time.)
            # Second message of a closing: ask the citizen to rate the service (buttons 1–5).
            out.append(text_message(citizen, watch_texts.rating_request(ticket), purpose="rating_request",
                                    ticket_id=ticket.id, reply_markup=rating_keyboard(ticket.code)))
        out.extend(self._confidentiality(ticket, event))
        return protect_confidential(ticket, out, staff)

    def _confidentiality(self, ticket: Ticket, event: TicketEvent) -> list[OutboxMessage]:
        """The «rahasiakan» offer when staff raise a ticket to berkadar, and the answer's notices."""
        citizen = ticket.citizen_chat_id
        out: list[OutboxMessage] = []
        if event.kind is EventKind.RECLASSIFIED:
            raised = event.data.get("to") == Tier.BERKADAR.value and event.data.get("from") != Tier.BERKADAR.value
            if raised and citizen is not None and not ticket.confidential and alleges_wrongdoing(
                    ticket.matter_kind, ticket.tier):
                out.append(text_message(citizen, identity_texts.offer_for_citizen(ticket),
                                        purpose="confidentiality_offer", ticket_id=ticket.id,
                                        reply_markup=confidentiality_keyboard(ticket.code)))
        elif event.kind is EventKind.CONFIDENTIALITY_CHOSEN:
            chosen = bool(event.data.get("confidential"))
            if citizen is not None:
                out.append(text_message(citizen, identity_texts.chosen_for_citizen(ticket, chosen),
                                        purpose="confidentiality_citizen", ticket_id=ticket.id))
            if chosen:
                out.append(text_message(self.staff_chat.id, identity_texts.chosen_for_staff(ticket),
                                        purpose="staff_confirmation", ticket_id=ticket.id))
        return out

    def _followup_messages(self, ticket: Ticket, event: TicketEvent) -> list[OutboxMessage]:
        """What the citizen's follow-ups owe the staff group: an objection to a closure (with «Buka
        kembali»), the comment a low rating invited."""
        staff = self.staff_chat.id
        if event.kind is EventKind.OBJECTION:
            markup = {"inline_keyboard": [[{"text": texts.REOPEN_BUTTON,
                                            "callback_data": cb.OBJECTION_REOPEN.build(code=ticket.code)}]]}
            closed_at = ticket.closed_at or event.at
            html = followup_texts.objection_for_staff(ticket.code, event.data.get("text", ""), closed_at,
                                                      self.calendar.zone)
            objection = text_message(staff, html, purpose="objection_staff", ticket_id=ticket.id,
                                     reply_markup=markup)
            return [threaded(objection),
                    *evidence_for_staff(staff, ticket, event.attachments, texts.citizen_attachment_caption(ticket))]
        if event.kind is EventKind.RATING_COMMENT:
            html = followup_texts.rating_comment_for_staff(ticket.code, int(event.data.get("rating", 0)),
                                                           event.data.get("comment", ""))
            return [threaded(text_message(staff, html, purpose="rating_comment_staff", ticket_id=ticket.id))]
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


ALBUM_LIMIT = 10  # items per sendMediaGroup (Bot API)


def threaded(message: OutboxMessage) -> OutboxMessage:
    """The message as a reply to the ticket's card in its chat, so staff read it in context (the
    sender looks the card up: a new ticket's card may still be waiting in the outbox)."""
    return OutboxMessage(message.chat_id, {**message.payload, REPLY_TO_CARD: True}, message.purpose,
                         message.ticket_id)


def evidence_for_staff(
    chat_id: int, ticket: Ticket, attachments: tuple[Attachment, ...], header: str, later_header: str | None = None
) -> list[OutboxMessage]:
    """A citizen's files for the staff chat, in reply to the ticket card: several go as albums (photos
    together, documents together, ten at most each), a lone file as itself. ``header`` (naming the
    ticket) is the caption of the first album or file, ``later_header`` (default: the same) of the others;
    what the citizen wrote on a file (its caption while filing) goes with that file."""
    groups: dict[str, list[Attachment]] = {}
    for item in attachments:
        groups.setdefault(item.kind, []).append(item)
    out: list[OutboxMessage] = []
    for kind, items in groups.items():
        for start in range(0, len(items), ALBUM_LIMIT):
            chunk = items[start:start + ALBUM_LIMIT]
            head = header if not out else (later_header or header)
            if len(chunk) == 1:
                out.extend(threaded(message) for message in DeskNotifier._files(
                    chat_id, ticket, tuple(chunk), evidence_texts.file_caption(head, chunk[0].caption),
                    "evidence_staff"))
                continue
            media: list[dict[str, Any]] = []
            for index, item in enumerate(chunk):
                entry: dict[str, Any] = {"type": kind, "media": item.file_id}
                caption = evidence_texts.file_caption(head if index == 0 else "", item.caption)
                if caption:
                    entry.update({"caption": caption, "parse_mode": "HTML"})
                media.append(entry)
            payload = {"method": "sendMediaGroup", "media": media}
            out.append(threaded(OutboxMessage(chat_id, payload, "evidence_staff", ticket.id)))
    return out


def addition_for_staff(
    chat_id: int, ticket: Ticket, text: str, attachments: tuple[Attachment, ...]
) -> list[OutboxMessage]:
    """What the citizen added to an open ticket, in reply to its card. Files go as themselves with the
    header naming the ticket (and the citizen's text, when it fits) as their caption; a text alone, or
    one too long for a caption, is a message of its own. Never a header with nothing under it."""
    message = texts.citizen_message_for_staff(ticket, text)
    header = texts.citizen_message_for_staff(ticket, "")
    as_text = [threaded(text_message(chat_id, message, purpose="citizen_message", ticket_id=ticket.id))]
    if not attachments:
        return as_text if text.strip() else []
    if not text.strip():
        return evidence_for_staff(chat_id, ticket, attachments, header)
    if fits_caption(message):
        return evidence_for_staff(chat_id, ticket, attachments, message, header)
    return [*as_text, *evidence_for_staff(chat_id, ticket, attachments, header)]


def protect_confidential(ticket: Ticket, messages: list[OutboxMessage], staff_chat_id: int) -> list[OutboxMessage]:
    """Staff-chat messages of a confidential ticket go out with protect_content: members cannot
    forward or save them (the citizen's own copies stay free to forward)."""
    if not ticket.confidential:
        return messages
    return [
        OutboxMessage(m.chat_id, {**m.payload, "protect_content": True}, m.purpose, m.ticket_id)
        if m.chat_id == staff_chat_id else m
        for m in messages
    ]


def confidentiality_keyboard(code: str) -> dict[str, Any]:
    """«Ya, rahasiakan identitas saya» / «Tidak perlu» under the offer made after filing."""
    return {"inline_keyboard": [
        [{"text": identity_texts.OFFER_YES,
          "callback_data": cb.CONFIDENTIALITY_OFFER.build(code=code, answer="ya")}],
        [{"text": identity_texts.OFFER_NO,
          "callback_data": cb.CONFIDENTIALITY_OFFER.build(code=code, answer="tidak")}],
    ]}


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
