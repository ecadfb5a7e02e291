"""The staff side of what citizens send after filing, and of staff texts cut by Telegram.

* «Buka kembali» under a citizen's objection (keberatan) to a closure reopens the ticket.
* A staff text that reaches Telegram's 4096-character limit gets a warning: clients split longer
  messages and, in privacy mode, a group bot receives only the first part. The officer continues with
  ``/balas KODE …``, which reaches the citizen as the next part. This runs in its own handler group, after
  the staff command or reply itself was handled.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.tickets import parse_ticket_code
from bot.services.tickets import TicketAlreadyOpen, TicketError
from bot.texts import followup as texts
from handlers.groups import AFTER_GROUP, MAIN_GROUP
from handlers.util import (
    Context,
    answer,
    in_staff_chat,
    operation_key,
    remove_buttons,
    staff_actor,
)

# Clients cut at a word boundary just below 4096 UTF-16 units; a text this long was probably cut.
LONG_TEXT_WARNING_AT = 4000


async def reopen_after_objection(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    if not in_staff_chat(update, context):
        await query.answer()
        return
    code = cb.OBJECTION_REOPEN.field(query.data, "code")
    try:
        await context.desk.tickets.reopen(code, staff_actor(update),
                                          idempotency_key=operation_key(update, "reopen_objection"))
    except TicketAlreadyOpen:
        await query.answer(texts.OBJECTION_ALREADY_OPEN)
    except TicketError:
        await query.answer()
    else:
        await query.answer(texts.reopened_by_objection(code))
    await remove_buttons(update)
    # The staff confirmation and the citizen's notice come from the outbox.


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def warn_long_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.text or not in_staff_chat(update, context):
        return
    length = _utf16_length(message.text)
    if length < LONG_TEXT_WARNING_AT:
        return
    code: str | None = None
    words = message.text.split(None, 2)
    if words and words[0].split("@")[0].lower() == "/balas" and len(words) > 1:
        code = parse_ticket_code(words[1])
    if code is None and message.reply_to_message is not None:
        ticket = await context.desk.tickets.ticket_for_message(message.chat_id, message.reply_to_message.message_id)
        code = ticket.code if ticket is not None else None
    await answer(update, context, texts.long_text_warning(code, length))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(reopen_after_objection, pattern=cb.OBJECTION_REOPEN.pattern),
                            MAIN_GROUP)
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT, warn_long_text), AFTER_GROUP)
