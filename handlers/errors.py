"""The error handler: log every failure with the update's id, never with message content."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.texts import common as texts
from handlers.util import Context, send_html

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # Only ids and the error's type: exception messages can quote what the user typed.
    # The traceback's frames are logged, the exception's message is not.
    frames = "".join(traceback.format_tb(error.__traceback__)) if error is not None else ""
    log.error("update failed update_id=%s error=%s\n%s", update_id, type(error).__name__, frames)
    if isinstance(update, Update):
        await _answer_button(update, context, update_id)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            await send_html(context, update.effective_chat.id, texts.SOMETHING_WENT_WRONG)
        except TelegramError:
            log.warning("could not tell the user about the failure update_id=%s", update_id)


async def _answer_button(update: Update, context: Context, update_id: int | None) -> None:
    """A failed button press still gets its answer, or the button spins in the client."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(texts.BUTTON_FAILED)
    except TelegramError:
        # Already answered by the handler before it failed, or the query expired: nothing spins.
        log.info("callback query not answered by the error handler update_id=%s", update_id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_error_handler(on_error)
