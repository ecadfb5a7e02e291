"""Rating buttons ``nilai:KODE:N`` under the closing notice (private chat).

Not built: a free-text comment after a rating. ``TicketService.rate`` takes the comment only together with
the rating and a rating cannot be changed afterwards, so a comment asked for after the press would need a
new service operation.
"""

from __future__ import annotations

import logging

from telegram import Update
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
from bot.texts import watch as texts
from handlers.groups import MAIN_GROUP
from handlers.util import (
    Context,
    StaffHandler,
    in_private_chat,
    operation_key,
    remove_buttons,
)

log = logging.getLogger(__name__)

Handler = StaffHandler

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
    await remove_buttons(update)


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
