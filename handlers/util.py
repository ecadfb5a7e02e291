"""Small helpers shared by the handlers (Telegram-side parsing and rendering)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter
from telegram.ext import ConversationHandler

from bot.delivery.context import Desk, HelpdeskContext
from bot.delivery.outbox import flood_wait_seconds
from bot.domain.evidence import EvidenceVerdict, judge_evidence
from bot.domain.tickets import Actor, Attachment
from bot.texts import common as common_texts
from bot.texts import evidence as evidence_texts
from bot.texts.format import split_for_telegram

Context = HelpdeskContext
FLOOD_RETRIES = 2


def in_staff_chat(update: Update, context: Context) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.id == context.desk.staff_chat.id


def in_private_chat(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == "private"


def staff_actor(update: Update) -> Actor:
    user = update.effective_user
    assert user is not None
    return Actor.staff(user.id, user.full_name)


async def send_html(
    context: Context,
    chat_id: int,
    html_text: str,
    reply_markup: Any = None,
    reply_to_message_id: int | None = None,
    *,
    protect_content: bool = False,
) -> Message:
    """Sends HTML, split into several messages when over Telegram's limit (buttons on the last).

    ``protect_content`` for views of a confidential ticket: members cannot forward or save them.
    """
    parts = split_for_telegram(html_text)
    message: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        for attempt in range(FLOOD_RETRIES + 1):
            try:
                message = await context.bot.send_message(
                    chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=reply_markup if last else None,
                    reply_to_message_id=reply_to_message_id if index == 0 else None,
                    allow_sending_without_reply=True,
                    protect_content=True if protect_content else None,
                )
                break
            except RetryAfter as exc:
                # Waiting here holds only this chat (updates are ordered per chat, parallel across).
                if attempt == FLOOD_RETRIES:
                    raise
                await asyncio.sleep(flood_wait_seconds(exc))
    assert message is not None
    return message


async def reply_html(update: Update, context: Context, html_text: str, reply_markup: Any = None) -> Message:
    chat = update.effective_chat
    assert chat is not None
    return await send_html(context, chat.id, html_text, reply_markup)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from (label, callback_data) pairs; data is checked against Telegram's 64 bytes."""
    for row in rows:
        for _, data in row:
            if len(data.encode()) > 64:
                raise ValueError(f"callback data too long: {data!r}")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def attachment_of(message: Message, *, with_caption: bool = False) -> Attachment | None:
    """The photo or document of a message as evidence, or None. ``with_caption`` keeps the message's
    caption on the file (evidence while filing); otherwise the caller takes it as the message's text."""
    caption = ((message.caption or "").strip() or None) if with_caption else None
    if message.photo:
        largest = message.photo[-1]
        return Attachment(kind="photo", file_id=largest.file_id, file_unique_id=largest.file_unique_id,
                          file_size=largest.file_size, caption=caption)
    if message.document:
        doc = message.document
        return Attachment(kind="document", file_id=doc.file_id, file_unique_id=doc.file_unique_id,
                          file_name=doc.file_name, mime_type=doc.mime_type, file_size=doc.file_size,
                          caption=caption)
    return None


def evidence_refusal(attachment: Attachment) -> str | None:
    """The Indonesian refusal of a file not on the evidence allow-list (bot.domain.evidence), or None."""
    verdict = judge_evidence(attachment.kind, attachment.file_name, attachment.mime_type)
    if verdict is EvidenceVerdict.ACCEPTED:
        return None
    return evidence_texts.refused(verdict, attachment.file_name)


def too_large(desk: Desk, attachment: Attachment) -> bool:
    limit = desk.settings.limits.max_file_mb * 1024 * 1024
    return attachment.file_size is not None and attachment.file_size > limit


def operation_key(update: Update, action: str) -> str:
    """Idempotency key of an action: the Telegram message behind it, else the update id."""
    message = update.effective_message
    if update.callback_query is not None:
        return f"{action}:cb:{update.callback_query.id}"
    if message is not None:
        return f"{action}:msg:{message.chat_id}:{message.message_id}"
    return f"{action}:upd:{update.update_id}"


def command_args(context: Context) -> list[str]:
    return list(context.args or [])


async def remove_buttons(update: Update) -> None:
    """Takes the inline buttons off the pressed message; an already bare message is fine."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def answer(update: Update, context: Context, html: str, reply_markup: Any = None) -> Message:
    """Answers in the update's chat, as a reply to the message behind it (not for button presses)."""
    chat = update.effective_chat
    message = update.effective_message
    assert chat is not None
    reply_to = message.message_id if message is not None and update.callback_query is None else None
    return await send_html(context, chat.id, html, reply_markup, reply_to)


def command_remainder(message: Message) -> str:
    """Everything after the command word, newlines kept (context.args would lose them)."""
    parts = (message.text or "").split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""


StaffHandler = Callable[[Update, Context], Coroutine[Any, Any, Any]]


def staff_only(callback: StaffHandler) -> StaffHandler:
    """Runs a command in the staff chat; a private chat gets STAFF_ONLY and learns nothing else.

    Returns the callback's result, or ConversationHandler.END when refused, so it also wraps
    conversation steps.
    """

    async def run(update: Update, context: Context) -> Any:
        if in_staff_chat(update, context):
            return await callback(update, context)
        if in_private_chat(update):
            chat = update.effective_chat
            assert chat is not None
            await send_html(context, chat.id, common_texts.STAFF_ONLY)
        return ConversationHandler.END

    return run


# Checks a private message outside any conversation goes through first, by name; each returns True when
# it handled the message. The filing conversation registers its kept-draft offer here, so handlers.common
# need not import handlers.filing (which imports common for its menu commands).
FreeMessageHook = Callable[[Update, "Context"], Coroutine[Any, Any, bool]]
FREE_MESSAGE_HOOKS: dict[str, FreeMessageHook] = {}


# user_data key of the filing conversation's draft (stored: a stable name).
FILING_DRAFT_KEY = "draft"


class Draft:
    """A conversation's answers in ``user_data`` (so they are persisted), with an idle clock.

    The clock is a timestamp in the draft rather than PTB's timer job, so an idle draft is
    still recognised as expired after a restart.
    """

    def __init__(self, key: str) -> None:
        self.key = key

    def get(self, context: Context) -> dict[str, Any]:
        assert context.user_data is not None
        draft: dict[str, Any] = context.user_data.setdefault(self.key, {})
        return draft

    def exists(self, context: Context) -> bool:
        return bool((context.user_data or {}).get(self.key))

    def drop(self, context: Context) -> None:
        if context.user_data is not None:
            context.user_data.pop(self.key, None)

    def touch(self, context: Context) -> None:
        self.get(context)["touched_at"] = context.desk.clock().isoformat()

    def idle_too_long(self, context: Context, *, untouched_counts: bool) -> bool:
        """True past the configured conversation timeout; ``untouched_counts``: a draft that was
        never touched counts as expired."""
        touched = (context.user_data or {}).get(self.key, {}).get("touched_at")
        if not touched:
            return untouched_counts
        limit = dt.timedelta(minutes=context.desk.settings.limits.conversation_timeout_minutes)
        return context.desk.clock() - dt.datetime.fromisoformat(touched) > limit
