"""Command menus per scope (setMyCommands): citizens' in private chats, staff's in the staff group.

Telegram shows a user the most specific scope that has a list: in the staff group its
administrators see the ``chat_administrators`` list (with /identitas), everyone else the
``chat`` list; private chats show the citizens' list. Staff commands therefore never appear
in a private chat, and /identitas only to the group's administrators.
"""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
)
from telegram.error import TelegramError

from bot.texts import common as texts

log = logging.getLogger(__name__)


async def register_private_commands(bot: Bot) -> None:
    try:
        await bot.set_my_commands(
            [BotCommand(name, text) for name, text in texts.PRIVATE_COMMANDS],
            scope=BotCommandScopeAllPrivateChats(),
        )
    except TelegramError as exc:
        # Menus are a convenience; the bot works without them.
        log.warning("could not register command menus error=%s", exc)


async def register_staff_commands(bot: Bot, staff_chat_id: int) -> None:
    """The staff group's two menus; called again when the group moves to a new id."""
    if not staff_chat_id:
        return
    staff = [BotCommand(name, text) for name, text in texts.STAFF_COMMANDS
             if name not in texts.ADMIN_COMMANDS]
    admins = [BotCommand(name, text) for name, text in texts.STAFF_COMMANDS]
    try:
        await bot.set_my_commands(staff, scope=BotCommandScopeChat(staff_chat_id))
        await bot.set_my_commands(admins, scope=BotCommandScopeChatAdministrators(staff_chat_id))
    except TelegramError as exc:
        log.warning("could not register the staff command menus chat_id=%s error=%s", staff_chat_id, exc)
