"""/start, /bantuan, /chatid, the main menu, and what to do with anything else."""

from __future__ import annotations

import functools

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.tickets import parse_ticket_code
from bot.texts import common as texts
from bot.texts import paket as paket_texts
from handlers import citizen, layanan, paket, rating
from handlers.groups import MAIN_GROUP
from handlers.util import FREE_MESSAGE_HOOKS, Context, in_private_chat, in_staff_chat, keyboard, reply_html


@functools.cache
def main_menu() -> object:
    """Built once: PTB's keyboard objects are immutable, and /start is the busiest command."""
    return keyboard([
        [(texts.BUTTON_FILE, cb.MENU_FILE.build())],
        [(texts.BUTTON_STATUS, cb.MENU.build(item="status"))],
        [(texts.BUTTON_PACKAGE, cb.MENU.build(item="paket"))],
        [(texts.BUTTON_SERVICE, cb.MENU.build(item="layanan"))],
    ])


async def start(update: Update, context: Context) -> None:
    """/start, and the receipt's deep link ``t.me/<bot>?start=status_ADU-…``, which arrives as
    ``/start status_ADU-…`` and opens that ticket's status (for its own reporter only: anyone
    else gets the same "not found" as for a code that does not exist)."""
    if not in_private_chat(update):
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(texts.STATUS_START_PREFIX):
        code = parse_ticket_code(payload.removeprefix(texts.STATUS_START_PREFIX))
        if code is not None:
            await citizen.show_ticket(update, context, code)
            return
    user = update.effective_user
    await reply_html(update, context, texts.welcome(user.first_name if user else None), main_menu())


async def help_command(update: Update, context: Context) -> None:
    if in_staff_chat(update, context):
        await reply_html(update, context, texts.staff_help(context.bot.username))
    elif in_private_chat(update):
        await reply_html(update, context, texts.HELP, main_menu())


async def chat_id(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if in_private_chat(update):
        # A citizen has no use for a chat id or a configuration file.
        await reply_html(update, context, texts.CHAT_ID_PRIVATE)
    else:
        await reply_html(update, context, texts.chat_id_answer(chat.id, chat.title))


async def menu_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    item = cb.MENU.field(query.data, "item")
    if item == "status":
        await citizen.show_status_list(update, context)
    elif item == "paket":
        await paket.ask_for_code(update, context)
    elif item == "layanan":
        await layanan.show_overview(update, context)


async def private_text(update: Update, context: Context) -> None:
    """Text outside any conversation: a ticket code, a package code, or a pointer to the menu."""
    message = update.effective_message
    if message is None or not in_private_chat(update):
        return
    for hook in FREE_MESSAGE_HOOKS.values():
        if await hook(update, context):
            return
    if await rating.handle_comment(update, context):
        return
    if await citizen.handle_free_message(update, context):
        return
    if await citizen.handle_loose_file(update, context):
        return
    text = (message.text or "").strip()
    if text and parse_ticket_code(text):
        context.args = [text]
        await citizen.status(update, context)
        return
    if await paket.handle_code_text(update, context):
        return
    await reply_html(update, context, texts.NOT_UNDERSTOOD, main_menu())


async def unknown_command(update: Update, context: Context) -> None:
    if in_private_chat(update):
        await reply_html(update, context, texts.UNKNOWN_COMMAND)


# Citizens' commands (private chat only): in the staff group they get a one-line pointer.
PRIVATE_ONLY_COMMANDS = ("lapor", "status", "start", paket_texts.FOLLOW_COMMAND, paket_texts.UNFOLLOW_COMMAND)


async def wrong_chat(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not in_staff_chat(update, context) or not message.text:
        return
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    if command == "batal":
        await reply_html(update, context, texts.NOTHING_TO_CANCEL_IN_GROUP)
        return
    await reply_html(update, context, texts.private_only_command(command, context.bot.username))


async def stale_button(update: Update, context: Context) -> None:
    """A button no handler takes any more (an ended conversation, an old message): a short toast."""
    query = update.callback_query
    if query is not None:
        await query.answer(texts.STALE_BUTTON)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler([*PRIVATE_ONLY_COMMANDS, "batal"], wrong_chat,
                                           filters=filters.ChatType.GROUPS), MAIN_GROUP)
    application.add_handler(CommandHandler("start", start), MAIN_GROUP)
    application.add_handler(CommandHandler("bantuan", help_command), MAIN_GROUP)
    application.add_handler(CommandHandler("help", help_command), MAIN_GROUP)
    application.add_handler(CommandHandler("chatid", chat_id), MAIN_GROUP)
    application.add_handler(
        CallbackQueryHandler(menu_button, pattern=cb.MENU.pattern), MAIN_GROUP
    )
    # Registered last in the main group: only what no other handler took reaches these.
    application.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command),
                            MAIN_GROUP)
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, private_text),
                            MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(stale_button), MAIN_GROUP)
