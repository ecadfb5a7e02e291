"""Rating buttons ``nilai:KODE:N`` under the closing notice (private chat).

A press turns the request into one line of thanks naming the rating. A rating of 1 or 2 then
invites one line of comment: the citizen's next text goes to staff (``TicketService.add_rating_comment``).
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
)

from bot.domain import callbacks as cb
from bot.services.notices import parse_rating_callback
from bot.services.tickets import (
    AlreadyRated,
    InvalidRating,
    NotClosedYet,
    RatingWindowClosed,
    TicketError,
    TicketService,
)
from bot.texts import followup as followup_texts
from bot.texts import watch as texts
from handlers.groups import MAIN_GROUP
from handlers.util import (
    Context,
    StaffHandler,
    in_private_chat,
    operation_key,
    remove_buttons,
    reply_html,
)

log = logging.getLogger(__name__)

Handler = StaffHandler

# user_data key (stored: a stable name): the ticket whose low rating awaits the citizen's comment.
RATING_COMMENT_FOR = "rating_comment_for"

async def rating_button(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    parsed = parse_rating_callback(query.data)
    if parsed is None or not in_private_chat(update):
        await query.answer()
        return
    code, value = parsed
    tickets: TicketService = context.desk.tickets
    try:
        await tickets.rate(code, user.id, value, idempotency_key=operation_key(update, "rate"))
    except TicketError as error:
        await query.answer(_rating_refusal(error, tickets), show_alert=False)
    else:
        await query.answer(texts.rating_thanks_toast(value))
        await _confirm_in_chat(update, context, texts.rating_thanks(code, value))
        if value <= tickets.COMMENT_INVITED_UP_TO and context.user_data is not None:
            # A low rating invites one line of comment: the citizen's next text (see handle_comment).
            context.user_data[RATING_COMMENT_FOR] = code
            await reply_html(update, context, followup_texts.ASK_RATING_COMMENT)
        return
    await remove_buttons(update)


async def _confirm_in_chat(update: Update, context: Context, html: str) -> None:
    """The pressed rating request becomes one line saying what was recorded, its buttons gone: the
    toast vanishes, the chat keeps the line (and loses the 1–5 scale it no longer needs)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    try:
        await context.bot.edit_message_text(html, chat_id=query.message.chat.id,
                                            message_id=query.message.message_id,
                                            parse_mode=ParseMode.HTML, reply_markup=None)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return  # the same press delivered twice
        # The request cannot be edited any more: the line comes as a message of its own.
        await reply_html(update, context, html)
        with contextlib.suppress(BadRequest):
            await remove_buttons(update)


async def handle_comment(update: Update, context: Context) -> bool:
    """The citizen's text after a rating of 1 or 2: the comment, sent to staff. False if none is awaited."""
    message = update.effective_message
    user = update.effective_user
    code = (context.user_data or {}).get(RATING_COMMENT_FOR)
    if code is None or message is None or user is None or not in_private_chat(update) or not message.text:
        return False
    assert context.user_data is not None
    context.user_data.pop(RATING_COMMENT_FOR, None)
    try:
        await context.desk.tickets.add_rating_comment(code, user.id, message.text,
                                                      idempotency_key=operation_key(update, "rating_comment"))
    except TicketError:
        return False  # not invited (any more): the message is handled like any other
    await reply_html(update, context, followup_texts.rating_comment_received(code))
    return True


def _rating_refusal(error: TicketError, tickets: TicketService) -> str:
    if isinstance(error, AlreadyRated):
        return texts.rating_already_given()
    if isinstance(error, RatingWindowClosed):
        return texts.rating_window_over(tickets.RATING_WINDOW.days)
    if isinstance(error, NotClosedYet):
        return texts.rating_not_closed()
    if isinstance(error, InvalidRating):
        return texts.rating_invalid()
    return texts.RATING_UNAVAILABLE  # not the owner or no such ticket: reveal nothing


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(
        CallbackQueryHandler(rating_button, pattern=cb.RATING.pattern), MAIN_GROUP
    )
