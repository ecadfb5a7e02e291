"""The staff group: answering citizens, moving tickets along, and looking things up.

Staff work from one group chat. A Telegram *reply* to a bot message about a ticket (its card,
a confirmation, a citizen's addition) is held: the bot asks «📤 Kirim ke pelapor» or «📝 Simpan
sebagai catatan», and nothing reaches the citizen before one is pressed (the held reply is kept
in SQLite, so a restart in between loses nothing; an edit before the press changes what is
sent). ``/balas KODE teks`` sends directly; ``/catatan`` keeps a note for the team; commands and
the buttons on ticket cards change a ticket. Every change goes through ``TicketService``, whose outbox sends both the
citizen's notice and the confirmation in the staff chat; these callbacks only answer refusals.

The staff chat's id can change (a group upgraded to a supergroup), so handlers are registered
without a chat filter and check ``in_staff_chat`` when they run. Commands in a private chat get
``STAFF_ONLY`` and nothing about tickets; other groups never get past the guard.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.tickets import Attachment, Ticket, parse_ticket_code
from bot.domain.tiers import Tier
from bot.services.notices import card_keyboard_for, describe_time_left
from bot.services.tickets import (
    HeldReplyNotFound,
    HeldReplyResolved,
    NotAnswered,
    NothingToChange,
    TicketAlreadyOpen,
    TicketClosed,
    TicketError,
    TicketNotFound,
)
from bot.texts import desk as desk_texts
from bot.texts import staff as texts
from bot.texts.format import split_for_telegram
from bot.texts.labels import parse_tier
from handlers.groups import GUARD_GROUP, MAIN_GROUP
from handlers.util import (
    Context,
    StaffHandler,
    answer,
    attachment_of,
    command_remainder,
    in_staff_chat,
    keyboard,
    operation_key,
    remove_buttons,
    send_html,
    staff_actor,
    staff_only,
    too_large,
)

# /daftar shows the open tickets with the nearest deadlines, at most this many.
LIST_LIMIT = 50

_CODE = r"ADU-\d{4}-\d{5}"
# A code at the start of a command's arguments, in the forgiving forms people type.
_CODE_FIRST = re.compile(r"^(ADU[ \t_-]*\d{4}[ \t_-]*\d{1,5})(?=\s|$)", re.IGNORECASE)
# Something meant as a code but malformed ("ADU-2026-123456"): a usage line, not the reply's ticket.
_CODE_ATTEMPT = re.compile(r"^ADU[\s_-]*\d", re.IGNORECASE)
_CODE_ANYWHERE = re.compile(_CODE)

Handler = StaffHandler


# --- small helpers ---------------------------------------------------------------------------


async def send_linked(
    context: Context, chat_id: int, html: str, ticket: Ticket, *, markup: object = None,
    reply_to: int | None = None,
) -> None:
    """Sends a view of a ticket whose every part is linked to it, so a reply answers the citizen."""
    parts = split_for_telegram(html)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await send_html(context, chat_id, part, markup if last else None,
                               reply_to if index == 0 else None, protect_content=ticket.confidential)
        await context.desk.tickets.link_message(sent.chat_id, sent.message_id, ticket.id)


def card_markup(ticket: Ticket) -> InlineKeyboardMarkup:
    """The card's buttons for the ticket's state (the same the outbox puts on the card)."""
    return _markup(card_keyboard_for(ticket))


def _markup(json_markup: dict[str, Any]) -> InlineKeyboardMarkup:
    rows = [[(button["text"], button["callback_data"]) for button in row] for row in json_markup["inline_keyboard"]]
    return keyboard(rows)


async def linked_ticket(context: Context, message: Message) -> Ticket | None:
    """The ticket of the bot message ``message`` replies to, or None.

    Normally the message link recorded by the outbox; a reply can beat that record by a few
    milliseconds (it is written after Telegram confirms the send), so a ticket card — a bot
    message carrying the card's buttons — stands for its ticket too.
    """
    replied = message.reply_to_message
    if replied is None:
        return None
    tickets = context.desk.tickets
    ticket = await tickets.ticket_for_message(replied.chat_id, replied.message_id)
    if ticket is not None:
        return ticket
    from_bot = replied.from_user is not None and replied.from_user.is_bot
    markup = replied.reply_markup
    button_data = [button.callback_data for row in (markup.inline_keyboard if markup else ())
                   for button in row if isinstance(button.callback_data, str)]
    card_codes = {fields["code"] for data in button_data
                  if (fields := cb.CARD_ACTION.parse(data) or cb.CARD_REOPEN.parse(data))}
    if from_bot and len(card_codes) == 1:
        return await tickets.get(card_codes.pop())
    return None


async def command_target(update: Update, context: Context, command: str) -> tuple[str, str] | None:
    """(ticket code, the rest of the text) of a staff command, or None after a usage line.

    The code comes first (``/tutup ADU-2026-00007 catatan``); without one, a command sent as a
    reply to a bot message about a ticket acts on that ticket (``/proses`` under its card).
    """
    message = update.effective_message
    assert message is not None
    remainder = command_remainder(message)
    match = _CODE_FIRST.match(remainder)
    if match is not None:
        code = parse_ticket_code(match.group(1))
        if code is not None:
            return code, remainder[match.end():].strip()
    elif not _CODE_ATTEMPT.match(remainder) and message.reply_to_message is not None:
        ticket = await linked_ticket(context, message)
        if ticket is not None:
            return ticket.code, remainder
    await answer(update, context, texts.usage(command))
    return None


async def refusal(context: Context, code: str, error: TicketError) -> str:
    """The staff chat's answer when the ticket service refused an action."""
    if isinstance(error, TicketNotFound):
        return texts.not_found(code)
    if isinstance(error, TicketClosed):
        return texts.ticket_closed(code)
    if isinstance(error, TicketAlreadyOpen):
        return texts.already_open(code)
    if isinstance(error, NotAnswered):
        return texts.close_needs_answer(code)
    assert isinstance(error, NothingToChange), error
    # What was already so comes with the error, not from the command's name.
    if error.field == "owner":
        return texts.already_yours(code)
    if error.field == "confidential":
        return texts.not_confidential(code)
    ticket = await context.desk.tickets.get(code)
    if ticket is None:
        return texts.not_found(code)
    return texts.same_tier(ticket) if error.field == "tier" else texts.already_in_process(ticket)


def toast_for(error: TicketError) -> str:
    if isinstance(error, TicketNotFound):
        return texts.TOAST_NOT_FOUND
    if isinstance(error, TicketClosed):
        return texts.TOAST_CLOSED
    if isinstance(error, NotAnswered):
        return texts.TOAST_NOT_ANSWERED
    if isinstance(error, TicketAlreadyOpen):
        return texts.TOAST_ALREADY_OPEN
    return texts.TOAST_IN_PROCESS


def tier_and_reason(rest: str) -> tuple[Tier, str] | None:
    """The tier at the start of ``rest`` (codes or labels, one to three words) and the reason."""
    words = rest.split()
    for count in (3, 2, 1):
        if len(words) < count:
            continue
        try:
            tier = parse_tier(" ".join(words[:count]))
        except ValueError:
            continue
        pieces = re.split(r"\s+", rest.strip(), maxsplit=count)
        return tier, pieces[count].strip() if len(pieces) > count else ""
    return None


# --- answering the citizen ------------------------------------------------------------------


async def relay(update: Update, context: Context, code: str, text: str,
                attachments: tuple[Attachment, ...] = ()) -> None:
    try:
        await context.desk.tickets.staff_reply(
            code, staff_actor(update), text, attachments,
            idempotency_key=operation_key(update, "staff_reply"),
        )
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))


async def reply_to_ticket_message(update: Update, context: Context) -> None:
    """A reply in the staff chat to a bot message linked to a ticket is held: the bot asks
    «Kirim ke pelapor» or «Simpan sebagai catatan», and nothing is sent before a press."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or not in_staff_chat(update, context):
        return
    desk = context.desk
    ticket = await linked_ticket(context, message)
    if ticket is None:
        return  # staff chatter under some other bot message
    attachment = attachment_of(message)
    text = message.text or message.caption or ""
    if attachment is None and not text.strip():
        await answer(update, context, texts.UNSUPPORTED_REPLY)
        return
    if attachment is not None and too_large(desk, attachment):
        await answer(update, context, texts.file_too_large(desk.settings.limits.max_file_mb))
        return
    try:
        held = await desk.tickets.hold_reply(ticket.code, staff_actor(update), message.chat_id, message.message_id,
                                             text, (attachment,) if attachment else ())
    except TicketError as error:
        await answer(update, context, await refusal(context, ticket.code, error))
        return
    if held.prompt_message_id is not None:
        return  # a redelivered update: the question was asked already
    prompt = await answer(update, context, texts.held_prompt(ticket, held), held_markup(held.id))
    await desk.tickets.link_message(prompt.chat_id, prompt.message_id, ticket.id)
    await desk.tickets.set_held_prompt(held.id, prompt.message_id)


def held_markup(held_id: int) -> InlineKeyboardMarkup:
    return keyboard([[(texts.SEND_HELD_BUTTON, cb.HELD_REPLY.build(choice="kirim", id=held_id)),
                      (texts.NOTE_HELD_BUTTON, cb.HELD_REPLY.build(choice="catatan", id=held_id))]])


async def held_reply_button(update: Update, context: Context) -> None:
    """«📤 Kirim ke pelapor» / «📝 Simpan sebagai catatan» under a held reply; any officer may press, once."""
    query = update.callback_query
    assert query is not None
    if not in_staff_chat(update, context):
        await query.answer(texts.TOAST_STAFF_ONLY)
        return
    fields = cb.HELD_REPLY.parse(query.data)
    assert fields is not None
    held_id, choice = int(fields["id"]), fields["choice"]
    tickets = context.desk.tickets
    toast: str | None = None
    try:
        # No idempotency key: the held reply's own resolution makes a repeated press harmless.
        await tickets.resolve_held_reply(held_id, choice, staff_actor(update))
    except HeldReplyResolved as error:
        toast = texts.toast_held_resolved(error.resolution, error.by)
        # The prompt is the only confirmation of a held reply: a press replayed after a crash
        # (or a second press) still leaves it saying what was chosen, not "Belum dikirim".
        await _show_held_done(update, context, error.held_id, error.resolution, error.by)
    except HeldReplyNotFound:
        toast = texts.TOAST_HELD_GONE
        await remove_buttons(update)
    except TicketError as error:
        toast = toast_for(error)  # e.g. closed meanwhile: «Catatan» still works
    else:
        toast = texts.TOAST_SENT if choice == "kirim" else texts.TOAST_NOTED
        await _show_held_done(update, context, held_id, choice, staff_actor(update).name)
    finally:
        await query.answer(toast)


async def _show_held_done(update: Update, context: Context, held_id: int, choice: str | None,
                          by: str | None) -> None:
    query = update.callback_query
    assert query is not None
    held = await context.desk.tickets.held_reply(held_id)
    ticket = await context.desk.tickets.get_by_id(held.ticket_id) if held else None
    if ticket is None or choice is None:
        await remove_buttons(update)
        return
    try:
        await query.edit_message_text(texts.held_done(ticket.code, choice, by), parse_mode="HTML")
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            await remove_buttons(update)


async def held_reply_edited(update: Update, context: Context) -> None:
    """The officer edited a held reply before a press: «Kirim» will send the new text.

    Runs before the guard (which drops edited messages for every other handler)."""
    message = update.edited_message
    if message is None or not in_staff_chat(update, context) or (message.from_user and message.from_user.is_bot):
        return
    tickets = context.desk.tickets
    held = await tickets.held_reply_for_message(message.chat_id, message.message_id)
    text = message.text or message.caption or ""
    if held is None or not held.is_pending or not await tickets.edit_held_reply(held.id, text):
        return
    ticket = await tickets.get_by_id(held.ticket_id)
    if ticket is None or held.prompt_message_id is None:
        return
    updated = await tickets.held_reply(held.id)
    assert updated is not None
    try:
        await context.bot.edit_message_text(texts.held_prompt(ticket, updated), chat_id=message.chat_id,
                                            message_id=held.prompt_message_id, parse_mode="HTML",
                                            reply_markup=held_markup(held.id))
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def reply_command(update: Update, context: Context) -> None:
    target = await command_target(update, context, "balas")
    if target is None:
        return
    code, text = target
    if not text:
        await answer(update, context, texts.EMPTY_REPLY)
        return
    await relay(update, context, code, text)


# --- changing a ticket ----------------------------------------------------------------------------


async def in_progress_command(update: Update, context: Context) -> None:
    target = await command_target(update, context, "proses")
    if target is None:
        return
    code = target[0]
    try:
        await context.desk.tickets.mark_in_process(
            code, staff_actor(update), idempotency_key=operation_key(update, "mark_in_process")
        )
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))


async def reclassify_command(update: Update, context: Context) -> None:
    target = await command_target(update, context, "tingkat")
    if target is None:
        return
    code, rest = target
    if not rest:
        await answer(update, context, texts.usage("tingkat"))
        return
    parsed = tier_and_reason(rest)
    if parsed is None:
        await answer(update, context, texts.unknown_tier(rest.split()[0]))
        return
    tier, reason = parsed
    try:
        await context.desk.tickets.reclassify(
            code, tier, staff_actor(update), reason or None,
            idempotency_key=operation_key(update, "reclassify"),
        )
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))


async def close_command(update: Update, context: Context) -> None:
    target = await command_target(update, context, "tutup")
    if target is None:
        return
    code, note = target
    try:
        await context.desk.tickets.close(
            code, staff_actor(update), note or None, idempotency_key=operation_key(update, "close")
        )
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))


async def reopen_command(update: Update, context: Context) -> None:
    target = await command_target(update, context, "buka")
    if target is None:
        return
    code, reason = target
    try:
        await context.desk.tickets.reopen(code, staff_actor(update), reason or None,
                                          idempotency_key=operation_key(update, "reopen"))
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))


# --- the team's own work ----------------------------------------------------------------------


async def note_command(update: Update, context: Context) -> None:
    """/catatan KODE teks (or /catatan teks as a reply to a ticket message): a note for the team."""
    target = await command_target(update, context, "catatan")
    if target is None:
        return
    code, text = target
    if not text:
        await answer(update, context, texts.EMPTY_NOTE)
        return
    try:
        await context.desk.tickets.add_note(code, staff_actor(update), text,
                                            idempotency_key=operation_key(update, "note"))
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))


async def take_command(update: Update, context: Context) -> None:
    """/ambil KODE: the ticket becomes the sender's (taking it over from another is recorded)."""
    target = await command_target(update, context, "ambil")
    if target is None:
        return
    code = target[0]
    try:
        await context.desk.tickets.take(code, staff_actor(update), idempotency_key=operation_key(update, "take"))
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))


# --- looking things up ----------------------------------------------------------------------------


async def ticket_command(update: Update, context: Context) -> None:
    target = await command_target(update, context, "tiket")
    if target is None:
        return
    code = target[0]
    desk = context.desk
    ticket = await desk.tickets.get(code)
    if ticket is None:
        await answer(update, context, texts.not_found(code))
        return
    now = desk.clock()
    card = desk_texts.ticket_card(ticket, desk.zone, now=now, left=describe_time_left(desk.calendar, ticket, now, until=False),
                                  disputed=desk_texts.is_disputed(ticket), full=True)
    history = desk_texts.staff_history(ticket, await desk.tickets.history(ticket), desk.zone)
    chat = update.effective_chat
    assert chat is not None
    await send_linked(context, chat.id, texts.full_ticket(card, history), ticket, markup=card_markup(ticket))


async def list_command(update: Update, context: Context) -> None:
    """/daftar, or /daftar terlambat | saya | baru | TINGKAT."""
    desk = context.desk
    now = desk.clock()
    message = update.effective_message
    assert message is not None
    word = command_remainder(message).strip().lower()
    if not word:
        total, overdue, tickets = await desk.tickets.open_overview(now, LIST_LIMIT)
        rows = [(ticket, describe_time_left(desk.calendar, ticket, now)) for ticket in tickets]
        await answer(update, context, texts.open_tickets(rows, desk.zone, now, total=total, overdue=overdue))
        return
    tier: Tier | None = None
    if word in texts.FILTER_LABELS:
        which, label = word, texts.FILTER_LABELS[word]
    else:
        try:
            tier = parse_tier(word)
        except ValueError:
            await answer(update, context, texts.usage("daftar"))
            return
        which, label = "tier", texts.tier_filter_label(tier)
    user = update.effective_user
    total, overdue, tickets = await desk.tickets.open_filtered(
        now, which, LIST_LIMIT, owner_id=user.id if user else None, tier=tier,
    )
    rows = [(ticket, describe_time_left(desk.calendar, ticket, now)) for ticket in tickets]
    await answer(update, context, texts.filtered_list(label, rows, desk.zone, now, total=total, overdue=overdue))


async def identity_command(update: Update, context: Context) -> None:
    """Sends a confidential reporter's identity to the admin's private chat, and records it."""
    desk = context.desk
    user = update.effective_user
    assert user is not None
    if user.id not in desk.settings.telegram.admin_user_ids:
        await answer(update, context, texts.ADMIN_ONLY)
        return
    target = await command_target(update, context, "identitas")
    if target is None:
        return
    code = target[0]
    ticket = await desk.tickets.get(code)
    if ticket is None:
        await answer(update, context, texts.not_found(code))
        return
    if not ticket.confidential:
        await answer(update, context, texts.not_confidential(code))
        return
    # Sent first, recorded after: the history must not claim a disclosure that never happened.
    try:
        await send_html(context, user.id, texts.identity_for_admin(ticket), protect_content=True)
    except Forbidden:
        await answer(update, context, texts.identity_undeliverable(code, context.bot.username))
        return
    try:
        await desk.tickets.reveal_identity(code, staff_actor(update),
                                           idempotency_key=operation_key(update, "reveal_identity"))
    except TicketError as error:
        await answer(update, context, await refusal(context, code, error))
        return
    await answer(update, context, texts.identity_sent(code, user.full_name))


# --- ticket-card buttons --------------------------------------------------------------------------


async def card_button(update: Update, context: Context) -> None:
    """tk:<action>:<code> and tk:tier:<code>:<tier>; every press gets an answer (a toast or none)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if not in_staff_chat(update, context):
        await query.answer(texts.TOAST_STAFF_ONLY)
        return
    toast: str | None = None
    try:
        tier_choice = cb.CARD_TIER.parse(query.data)
        reopen = cb.CARD_REOPEN.parse(query.data)
        take = cb.CARD_TAKE.parse(query.data)
        if tier_choice is not None:
            toast = await choose_tier(update, context, tier_choice["code"], tier_choice["tier"])
        elif reopen is not None:
            toast = await press_reopen(update, context, reopen["code"])
        elif take is not None:
            toast = await press_take(update, context, take["code"])
        else:
            action = cb.CARD_ACTION.parse(query.data)
            assert action is not None
            toast = await BUTTON_ACTIONS[action["action"]](update, context, action["code"])
    finally:
        await query.answer(toast)


async def press_in_progress(update: Update, context: Context, code: str) -> str | None:
    try:
        await context.desk.tickets.mark_in_process(
            code, staff_actor(update), idempotency_key=operation_key(update, "mark_in_process")
        )
    except TicketError as error:
        return toast_for(error)
    return texts.TOAST_DONE


async def _open_ticket_or_toast(context: Context, code: str) -> Ticket | str:
    ticket = await context.desk.tickets.get(code)
    if ticket is None:
        return texts.TOAST_NOT_FOUND
    if not ticket.is_open:
        return texts.TOAST_CLOSED
    return ticket


def _pressed_message_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query is not None and query.message is not None else None


async def press_reclassify(update: Update, context: Context, code: str) -> str | None:
    ticket = await _open_ticket_or_toast(context, code)
    if isinstance(ticket, str):
        return ticket
    rows = [[(texts.tier_button(tier, ticket.tier), cb.CARD_TIER.build(code=code, tier=tier.value))] for tier in Tier]
    rows.append([(texts.CANCEL_BUTTON, cb.CARD_ACTION.build(action="batal", code=code))])
    chat = update.effective_chat
    assert chat is not None
    await send_linked(context, chat.id, texts.choose_tier(ticket), ticket, markup=keyboard(rows),
                      reply_to=_pressed_message_id(update))
    return None


async def choose_tier(update: Update, context: Context, code: str, value: str) -> str | None:
    try:
        tier = parse_tier(value)
    except ValueError:
        return texts.TOAST_NOT_FOUND
    try:
        await context.desk.tickets.reclassify(
            code, tier, staff_actor(update), idempotency_key=operation_key(update, "reclassify")
        )
    except NothingToChange:
        return texts.TOAST_SAME_TIER  # the buttons stay: another tier can still be picked
    except TicketError as error:
        await remove_buttons(update)
        return toast_for(error)
    await remove_buttons(update)
    return texts.TOAST_DONE


async def press_reopen(update: Update, context: Context, code: str) -> str | None:
    try:
        await context.desk.tickets.reopen(code, staff_actor(update), idempotency_key=operation_key(update, "reopen"))
    except TicketError as error:
        return toast_for(error)
    return texts.TOAST_REOPENED


async def press_take(update: Update, context: Context, code: str) -> str | None:
    try:
        await context.desk.tickets.take(code, staff_actor(update), idempotency_key=operation_key(update, "take"))
    except NothingToChange:
        return texts.TOAST_ALREADY_YOURS
    except TicketError as error:
        return toast_for(error)
    return texts.TOAST_DONE


async def press_close(update: Update, context: Context, code: str) -> str | None:
    ticket = await _open_ticket_or_toast(context, code)
    if isinstance(ticket, str):
        return ticket
    chat = update.effective_chat
    assert chat is not None
    if ticket.first_answer_at is None:
        # Closing means answered: ask for the answer instead of offering a bare closing.
        await send_linked(context, chat.id, texts.close_needs_answer(code), ticket,
                          reply_to=_pressed_message_id(update))
        return None
    markup = keyboard([[(texts.CONFIRM_CLOSE_BUTTON, cb.CARD_ACTION.build(action="tutup_ya", code=code)),
                        (texts.CANCEL_BUTTON, cb.CARD_ACTION.build(action="batal", code=code))]])
    await send_linked(context, chat.id, texts.confirm_close(ticket), ticket, markup=markup,
                      reply_to=_pressed_message_id(update))
    return None


async def press_close_confirmed(update: Update, context: Context, code: str) -> str | None:
    try:
        await context.desk.tickets.close(code, staff_actor(update), None,
                                         idempotency_key=operation_key(update, "close"))
    except TicketError as error:
        await remove_buttons(update)
        return toast_for(error)
    await remove_buttons(update)
    return texts.TOAST_DONE


async def press_cancel(update: Update, context: Context, code: str) -> str | None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(texts.CANCELLED)
    except BadRequest:
        await remove_buttons(update)
    return texts.TOAST_CANCELLED


async def press_riwayat(update: Update, context: Context, code: str) -> str | None:
    desk = context.desk
    ticket = await desk.tickets.get(code)
    if ticket is None:
        return texts.TOAST_NOT_FOUND
    history = desk_texts.staff_history(ticket, await desk.tickets.history(ticket), desk.zone)
    chat = update.effective_chat
    assert chat is not None
    await send_linked(context, chat.id, history, ticket, reply_to=_pressed_message_id(update))
    return None


BUTTON_ACTIONS: dict[str, Callable[[Update, Context, str], Awaitable[str | None]]] = {
    "proses": press_in_progress,
    "tingkat": press_reclassify,
    "tutup": press_close,
    "tutup_ya": press_close_confirmed,
    "batal": press_cancel,
    "riwayat": press_riwayat,
}


# --- registration ---------------------------------------------------------------------------------


class _ReplyToTicketMessage(filters.MessageFilter):
    """A reply to a bot message that names a ticket or carries ticket-card buttons.

    Every message the outbox links to a ticket names its code; narrowing the relay to those
    leaves replies to other bot prompts in the staff chat to the handlers registered after
    this module (in privacy mode every answer to a bot question in a group is a reply).
    Whether the message really belongs to a ticket is decided in the callback.
    """

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or not replied.from_user.is_bot:
            return False
        if _CODE_ANYWHERE.search(replied.text or replied.caption or ""):
            return True
        markup = replied.reply_markup
        return markup is not None and any(
            str(button.callback_data or "").startswith("tk:")
            for row in markup.inline_keyboard for button in row
        )


# Edited messages are dropped by the guard; a held reply's edit is read just before it.
EDIT_GROUP = GUARD_GROUP - 1


COMMANDS: dict[str, Handler] = {
    "balas": reply_command,
    "proses": in_progress_command,
    "tingkat": reclassify_command,
    "tutup": close_command,
    "buka": reopen_command,
    "catatan": note_command,
    "ambil": take_command,
    "tiket": ticket_command,
    "daftar": list_command,
    "identitas": identity_command,
}


def register(application: Application) -> None:  # type: ignore[type-arg]
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, staff_only(callback)), MAIN_GROUP)
    application.add_handler(
        CallbackQueryHandler(card_button, pattern=cb.any_of(cb.CARD_ACTION, cb.CARD_TIER, cb.CARD_REOPEN,
                                                            cb.CARD_TAKE)), MAIN_GROUP
    )
    application.add_handler(CallbackQueryHandler(held_reply_button, pattern=cb.HELD_REPLY.pattern), MAIN_GROUP)
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.ChatType.GROUPS & filters.REPLY, held_reply_edited),
        EDIT_GROUP,
    )
    relay_filter = filters.ChatType.GROUPS & filters.REPLY & ~filters.COMMAND & _ReplyToTicketMessage()
    application.add_handler(MessageHandler(relay_filter, reply_to_ticket_message), MAIN_GROUP)
