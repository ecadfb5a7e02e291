"""Runs before everything: drops updates the desk must not act on, and limits floods."""

from __future__ import annotations

import logging
import time
from collections import deque

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.texts import common as texts
from handlers.groups import GUARD_GROUP
from handlers.util import Context, send_html

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0


class FloodGate:
    """Sliding one-minute window per person; one polite notice per window, then silence."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[int, deque[float]] = {}
        self._warned_until: dict[int, float] = {}
        self._admitted = 0

    def admit(self, user_id: int, now: float) -> tuple[bool, bool]:
        """(allowed, should_warn)."""
        self._admitted += 1
        if self._admitted % 10_000 == 0:
            self._forget_quiet(now)
        window = self._seen.setdefault(user_id, deque())
        while window and now - window[0] > WINDOW_SECONDS:
            window.popleft()
        if len(window) < self.per_minute:
            window.append(now)
            return True, False
        warn = self._warned_until.get(user_id, 0.0) <= now
        if warn:
            self._warned_until[user_id] = now + WINDOW_SECONDS
        return False, warn


    def _forget_quiet(self, now: float) -> None:
        """Drops people silent for a whole window, so memory follows the active crowd only."""
        quiet = [uid for uid, window in self._seen.items() if not window or now - window[-1] > WINDOW_SECONDS]
        for user_id in quiet:
            del self._seen[user_id]
            self._warned_until.pop(user_id, None)


def _is_chatid_command(update: Update) -> bool:
    message = update.effective_message
    words = ((message.text or "") if message else "").split()
    return bool(words) and words[0].split("@")[0].lower() == "/chatid"


async def guard(update: Update, context: Context) -> None:
    desk = context.desk
    if update.channel_post or update.edited_channel_post:
        raise ApplicationHandlerStop
    if update.my_chat_member is not None:
        await _membership_changed(update, context)
        raise ApplicationHandlerStop
    if update.message is None and update.edited_message is None and update.callback_query is None:
        # Reactions, other members' changes, polls...: not asked for (runner.ALLOWED_UPDATES),
        # but Telegram still delivers ones queued under an older setting. They are not
        # messages: nothing to do, and they never count against anyone's message limit.
        raise ApplicationHandlerStop
    if update.message is not None and await _group_migrated(update, context):
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is not None and user.is_bot:
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE and chat.id != desk.staff_chat.id:
        if _is_chatid_command(update):
            return  # /chatid works in any group, so the bureau can find the staff chat's id
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        raise ApplicationHandlerStop  # edits would re-run steps; the citizen can send again
    if chat is not None and chat.type == ChatType.PRIVATE and user is not None:
        # Only what the person sent (a message or a button press) reaches this point.
        gate: FloodGate = desk.extras["flood_gate"]
        allowed, warn = gate.admit(user.id, time.monotonic())
        if not allowed:
            log.info("rate limited user_id=%s update_id=%s", user.id, update.update_id)
            if warn:
                await send_html(context, chat.id, texts.RATE_LIMITED)
            raise ApplicationHandlerStop


async def _group_migrated(update: Update, context: Context) -> bool:
    """The service messages of a group's upgrade to a supergroup (one in each chat).

    For the staff group the new id is adopted at once, before any send to the old id fails:
    staff who act first in the new supergroup are answered there (their updates come after
    the ``migrate_from_chat_id`` message of the same chat, which is processed first)."""
    message = update.message
    chat = update.effective_chat
    assert message is not None
    if chat is None:
        return False
    if message.migrate_to_chat_id is not None:
        old, new = chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, chat.id
    else:
        return False
    outbox = context.desk.outbox
    if outbox is not None and old == context.desk.staff_chat.id:
        await outbox.follow_migration(old, new)
    return True


async def _membership_changed(update: Update, context: Context) -> None:
    change = update.my_chat_member
    assert change is not None
    desk = context.desk
    chat = change.chat
    joined = change.new_chat_member.status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    if not joined or chat.type == ChatType.PRIVATE or chat.id == desk.staff_chat.id:
        return
    consented = change.from_user is not None and change.from_user.id in desk.settings.telegram.admin_user_ids
    log.info("bot added to a group chat_id=%s by_user_id=%s consented=%s", chat.id,
             change.from_user.id if change.from_user else None, consented)
    if desk.settings.telegram.leave_foreign_groups and not consented:
        await context.bot.leave_chat(chat.id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    desk = application.desk  # type: ignore[attr-defined]
    desk.extras["flood_gate"] = FloodGate(desk.settings.limits.messages_per_minute)
    application.add_handler(TypeHandler(Update, guard), group=GUARD_GROUP)
