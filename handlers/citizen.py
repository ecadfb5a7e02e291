"""The citizen's own tickets: /status, one ticket's history, and adding information."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.domain import callbacks as cb
from bot.domain.tickets import Attachment, parse_ticket_code
from bot.services.notices import describe_time_left
from bot.services.recorded import TicketAlreadyLinked, TooManyPinAttempts, link_by_pin, normalise_pin
from bot.services.tickets import (
    NothingToChange,
    ObjectionWindowClosed,
    TicketAlreadyOpen,
    TicketClosed,
    TicketNotFound,
)
from bot.texts import desk as texts
from bot.texts import followup as followup_texts
from bot.texts import identity as identity_texts
from bot.texts import watch as watch_texts
from handlers import albums
from handlers.groups import MAIN_GROUP
from handlers.rating import RATING_COMMENT_FOR
from handlers.util import (
    Context,
    attachment_of,
    command_args,
    evidence_refusal,
    in_private_chat,
    keyboard,
    operation_key,
    remove_buttons,
    reply_html,
    too_large,
)

ADDING_TO = "adding_to"
# user_data key (stored: a stable name) of a file sent after filing while the citizen picks its ticket.
LATE_EVIDENCE = "late_evidence"
LATE_EVIDENCE_KEPT = 10  # files waiting for the citizen's choice at once


async def status(update: Update, context: Context) -> None:
    """``/status``, ``/status KODE``, and ``/status KODE PIN`` to link an offline complaint."""
    if not in_private_chat(update):
        return
    args = command_args(context)
    if not args:
        await show_status_list(update, context)
        return
    code, rest = split_code(args)
    if code is None:
        await reply_html(update, context, texts.STATUS_USAGE)
        return
    pin = normalise_pin(" ".join(rest))
    if pin.isdigit():
        await link_and_show(update, context, code, pin)
        return
    await show_ticket(update, context, code)


def split_code(args: list[str]) -> tuple[str | None, list[str]]:
    """The ticket code at the start of the arguments (typed in one to three words) and the rest."""
    for count in range(min(3, len(args)), 0, -1):
        code = parse_ticket_code(" ".join(args[:count]))
        if code is not None:
            return code, args[count:]
    return None, args


async def link_and_show(update: Update, context: Context, code: str, pin: str) -> None:
    """Links an offline complaint by its PIN, then shows it; every failure looks like a wrong code."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    desk = context.desk
    if await desk.tickets.for_citizen(code, user.id) is not None:
        await show_ticket(update, context, code)  # already theirs: no PIN needed, no attempt counted
        return
    try:
        ticket = await link_by_pin(desk.tickets, code, pin, user.id, chat.id)
    except TooManyPinAttempts as error:
        await reply_html(update, context, watch_texts.link_locked(error.retry_at, desk.zone))
        return
    except TicketAlreadyLinked:
        ticket = None  # the right PIN for someone else's ticket: reveal nothing
    if ticket is None:
        await reply_html(update, context, texts.TICKET_NOT_FOUND)
        return
    # The confirmation ("now linked to your account") comes from the outbox.
    await show_ticket(update, context, ticket.code)


async def show_status_list(update: Update, context: Context) -> None:
    user = update.effective_user
    assert user is not None
    desk = context.desk
    now = desk.clock()
    tickets = await desk.tickets.citizen_tickets(user.id, limit=20)
    rows = [(ticket, describe_time_left(desk.calendar, ticket, now, until=False)) for ticket in tickets]
    buttons = [[(texts.DETAIL_BUTTON.format(code=ticket.code), cb.TICKET_DETAIL.build(code=ticket.code))] for ticket in tickets[:8]]
    await reply_html(update, context, texts.citizen_ticket_list(rows, desk.zone, now),
                     keyboard(buttons) if buttons else None)


async def show_ticket(update: Update, context: Context, code: str) -> None:
    user = update.effective_user
    assert user is not None
    desk = context.desk
    ticket = await desk.tickets.for_citizen(code, user.id)
    if ticket is None:
        # The same answer for someone else's code as for a code that does not exist.
        await reply_html(update, context, texts.TICKET_NOT_FOUND)
        return
    now = desk.clock()
    events = await desk.tickets.history(ticket)
    view = texts.citizen_ticket_view(ticket, events, desk.zone, now=now,
                                     left=describe_time_left(desk.calendar, ticket, now, until=False))
    markup = keyboard([[(texts.ADD_INFO_BUTTON, cb.ADD_INFORMATION.build(code=ticket.code))]]) if ticket.is_open else None
    await reply_html(update, context, view, markup)


async def detail_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await show_ticket(update, context, cb.TICKET_DETAIL.field(query.data, "code"))


async def add_info_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    await query.answer()
    code = cb.ADD_INFORMATION.field(query.data, "code")
    ticket = await context.desk.tickets.for_citizen(code, update.effective_user.id)
    if ticket is None:
        await reply_html(update, context, texts.TICKET_NOT_FOUND)
        return
    if not ticket.is_open:
        await reply_html(update, context, texts.ticket_closed_for_citizen(code))
        return
    assert context.user_data is not None
    context.user_data[ADDING_TO] = code
    await reply_html(update, context, texts.ask_addition(code))


async def cancel_addition(update: Update, context: Context) -> None:
    if context.user_data and context.user_data.pop(ADDING_TO, None):
        await reply_html(update, context, texts.ADDITION_CANCELLED)
    elif context.user_data and context.user_data.pop(RATING_COMMENT_FOR, None):
        await reply_html(update, context, followup_texts.RATING_COMMENT_CANCELLED)


async def handle_free_message(update: Update, context: Context) -> bool:
    """A private message outside the filing conversation that adds to a ticket, if it is one.

    Either a reply to a bot message about the ticket, or the next message after «Tambah
    keterangan». Returns False when the message is about no ticket.
    """
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not in_private_chat(update):
        return False
    desk = context.desk
    code: str | None = None
    if message.reply_to_message is not None:
        ticket = await desk.tickets.ticket_for_message(message.chat_id, message.reply_to_message.message_id)
        if ticket is not None and ticket.citizen_user_id == user.id:
            code = ticket.code
    if code is None and message.media_group_id is not None:
        code = albums.target_of(context, message.media_group_id)  # a later part of an album
    if code is None and context.user_data:
        code = context.user_data.get(ADDING_TO)
    if code is None:
        return False
    if message.media_group_id is not None:
        return add_album_part(update, context, code)
    attachment = attachment_of(message)
    text = message.text or message.caption or ""
    if attachment is None and not text.strip():
        await reply_html(update, context, texts.ADDITION_EMPTY)
        return True
    refusal = evidence_refusal(attachment) if attachment is not None else None
    if refusal is not None:
        await reply_html(update, context, refusal)  # nothing refused reaches the staff chat
        return True
    if attachment is not None and too_large(desk, attachment):
        from bot.texts import filing as filing_texts

        await reply_html(update, context, filing_texts.file_too_large(desk.settings.limits.max_file_mb))
        return True
    if len(text) > desk.settings.limits.description_max_chars:
        from bot.texts import filing as filing_texts

        await reply_html(update, context, filing_texts.description_too_long(
            len(text), desk.settings.limits.description_max_chars))
        return True
    try:
        await desk.tickets.add_citizen_message(
            code, user.id, text, (attachment,) if attachment else (),
            idempotency_key=operation_key(update, "citizen_message"),
        )
    except TicketNotFound:
        await reply_html(update, context, texts.TICKET_NOT_FOUND)
    except TicketClosed:
        # Within the objection window a message on a closed ticket is an objection (keberatan).
        await object_to_closure(update, context, code, text, (attachment,) if attachment else ())
    else:
        await reply_html(update, context, texts.addition_received(code))
    if context.user_data is not None:
        context.user_data.pop(ADDING_TO, None)
    return True


def add_album_part(update: Update, context: Context, code: str) -> bool:
    """One part of an album adding to ticket ``code``: noted now, handed to staff as one album and
    acknowledged once when the album is complete (handlers.albums)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.media_group_id is not None and user is not None
    desk = context.desk
    attachment = attachment_of(message)
    refusal = evidence_refusal(attachment) if attachment is not None else None
    if refusal is None and attachment is not None and too_large(desk, attachment):
        from bot.texts import filing as filing_texts

        refusal = filing_texts.file_too_large(desk.settings.limits.max_file_mb)
    albums.note_part(context, user_id=user.id, chat_id=message.chat_id, media_group_id=message.media_group_id,
                     target=code, accepted=attachment if refusal is None else None, refusal=refusal,
                     caption=message.caption or "")
    if context.user_data is not None:
        context.user_data.pop(ADDING_TO, None)
    return True


async def confidentiality_button(update: Update, context: Context) -> None:
    """rahasia:<code>:<ya|tidak>, the offer made when staff raised the ticket to berkadar."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    fields = cb.CONFIDENTIALITY_OFFER.parse(query.data)
    assert fields is not None
    toast: str | None = None
    try:
        await context.desk.tickets.choose_confidentiality(
            fields["code"], update.effective_user.id, fields["answer"] == "ya",
            idempotency_key=operation_key(update, "confidentiality"),
        )
    except TicketNotFound:
        toast = identity_texts.NOT_FOUND
    except NothingToChange:
        toast = identity_texts.ALREADY_CONFIDENTIAL
    else:
        await remove_buttons(update)  # one answer per offer; the notice comes from the outbox
    await query.answer(toast)
async def object_to_closure(update: Update, context: Context, code: str, text: str,
                            attachments: tuple[Attachment, ...]) -> None:
    user = update.effective_user
    assert user is not None
    try:
        await context.desk.tickets.object_to_closure(code, user.id, text, attachments,
                                                     idempotency_key=operation_key(update, "objection"))
    except ObjectionWindowClosed as error:
        await reply_html(update, context, followup_texts.objection_too_late(error.code, error.days))
    except TicketAlreadyOpen:
        # Reopened meanwhile: the message is an ordinary addition again.
        await context.desk.tickets.add_citizen_message(code, user.id, text, attachments,
                                                       idempotency_key=operation_key(update, "citizen_message"))
        await reply_html(update, context, texts.addition_received(code))
    except TicketNotFound:
        await reply_html(update, context, texts.TICKET_NOT_FOUND)
    else:
        await reply_html(update, context, followup_texts.objection_received(code))


async def handle_loose_file(update: Update, context: Context) -> bool:
    """A photo or document sent after filing, not as a reply: it belongs to an open ticket.

    Exactly one open ticket: attached at once. Several: the citizen picks one (buttons; the file waits in
    ``user_data``). None: the citizen is told how to file. Returns False when the message has no file.
    """
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not in_private_chat(update):
        return False
    attachment = attachment_of(message)
    if attachment is None:
        return False
    desk = context.desk
    refusal = evidence_refusal(attachment)
    if refusal is not None:  # executables and scripts never reach a ticket or the staff chat
        await reply_html(update, context, refusal)
        return True
    if too_large(desk, attachment):
        await reply_html(update, context, followup_texts.late_evidence_too_large(desk.settings.limits.max_file_mb))
        return True
    open_tickets = [ticket for ticket in await desk.tickets.citizen_tickets(user.id) if ticket.is_open]
    caption = (message.caption or "")[: desk.settings.limits.description_max_chars]
    key = operation_key(update, "late_evidence")
    if not open_tickets:
        await reply_html(update, context, followup_texts.LATE_EVIDENCE_NO_TICKET)
    elif len(open_tickets) == 1:
        await attach_late_evidence(update, context, open_tickets[0].code, caption, attachment, key)
    else:
        rows = [[(followup_texts.late_evidence_button(ticket.code, ticket.description),
                  cb.LATE_EVIDENCE.build(code=ticket.code))] for ticket in open_tickets[:8]]
        asked = await reply_html(update, context, followup_texts.LATE_EVIDENCE_WHICH, keyboard(rows))
        assert context.user_data is not None
        # Keyed by the question's message: each file waits for the buttons asked about it.
        waiting: dict[str, Any] = context.user_data.setdefault(LATE_EVIDENCE, {})
        waiting[str(asked.message_id)] = {"attachment": attachment.model_dump(), "caption": caption, "key": key}
        for old in sorted(waiting, key=int)[:-LATE_EVIDENCE_KEPT]:
            waiting.pop(old)
    return True


async def attach_late_evidence(update: Update, context: Context, code: str, caption: str,
                               attachment: Attachment, key: str) -> None:
    user = update.effective_user
    assert user is not None
    try:
        await context.desk.tickets.add_evidence_after_filing(code, user.id, caption, attachment,
                                                             idempotency_key=key)
    except TicketNotFound:
        await reply_html(update, context, texts.TICKET_NOT_FOUND)
    except TicketClosed:
        await reply_html(update, context, texts.ticket_closed_for_citizen(code))
    else:
        await reply_html(update, context, followup_texts.late_evidence_received(code, caption))


async def late_evidence_chosen(update: Update, context: Context) -> None:
    """The citizen picked the ticket a waiting file belongs to."""
    query = update.callback_query
    assert query is not None and query.data is not None
    asked = query.message.message_id if query.message is not None else None
    waiting = (context.user_data or {}).get(LATE_EVIDENCE) or {}
    pending = waiting.pop(str(asked), None)
    if pending is None:
        await query.answer(followup_texts.LATE_EVIDENCE_STALE)
        await remove_buttons(update)
        return
    await query.answer()
    await remove_buttons(update)
    code = cb.LATE_EVIDENCE.field(query.data, "code")
    await attach_late_evidence(update, context, code, pending["caption"], Attachment(**pending["attachment"]),
                               pending["key"])


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    application.add_handler(
        CallbackQueryHandler(confidentiality_button, pattern=cb.CONFIDENTIALITY_OFFER.pattern), MAIN_GROUP
    )
    application.add_handler(CommandHandler("status", status, filters=private), MAIN_GROUP)
    application.add_handler(CommandHandler("batal", cancel_addition, filters=private), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(detail_button, pattern=cb.TICKET_DETAIL.pattern), MAIN_GROUP)
    application.add_handler(
        CallbackQueryHandler(add_info_button, pattern=cb.ADD_INFORMATION.pattern), MAIN_GROUP
    )
    application.add_handler(
        CallbackQueryHandler(late_evidence_chosen, pattern=cb.LATE_EVIDENCE.pattern), MAIN_GROUP
    )
