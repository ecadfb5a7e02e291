"""Starting and stopping the bot: polling or webhook, journal replay, outbox, clean shutdown.

Setup mode: with a token but no ``staff_chat_id`` there is no desk to run yet, and the officer
needs the staff group's id to fill it in. The runner then starts a bare Application that answers
``/chatid`` in any group (the id and the exact configuration line), tells anyone in a private
chat that the service is being set up, and handles nothing else; it opens no database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from collections.abc import Callable
from contextlib import suppress

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Settings
from bot.delivery.app import build_application, build_desk
from bot.delivery.context import Desk, HelpdeskApplication
from bot.delivery.jobs import prune_records
from bot.delivery.journal import replay_pending
from bot.delivery.menus import register_private_commands, register_staff_commands
from bot.texts import common as common_texts
from storage.db import Database, utc_now

log = logging.getLogger(__name__)

# Only what the desk handles (Telegram drops the rest before it is queued): messages in the
# private chats and the staff group, edits of them (an officer's held reply follows its edit;
# every other edit stops at the guard), button presses, and the bot's own membership changes.
# Reactions, other members' changes and channel posts are never asked for.
ALLOWED_UPDATES = (Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)


class HelpdeskRunner:
    """Owns the database, the Application and the outbox for one run of the bot."""

    def __init__(
        self,
        settings: Settings,
        *,
        request: BaseRequest | None = None,
        updates_request: BaseRequest | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        poll_interval: float = 0.0,
        poll_timeout: int = 30,
    ) -> None:
        self.settings = settings
        self._request = request
        self._updates_request = updates_request
        self._clock = clock
        self._poll_interval = poll_interval
        self._poll_timeout = poll_timeout
        self.db: Database | None = None
        self.app: HelpdeskApplication | Application | None = None  # type: ignore[type-arg]
        self.desk: Desk | None = None

    @property
    def setup_mode(self) -> bool:
        return self.settings.telegram.staff_chat_id == 0

    async def start(self) -> HelpdeskApplication | Application:  # type: ignore[type-arg]
        if self.setup_mode:
            return await self._start_setup_mode()
        settings = self.settings
        self.db = await Database.open(settings.storage.database)
        self.desk = await build_desk(settings, self.db, self._clock)
        app = build_application(self.desk, request=self._request, updates_request=self._updates_request)
        self.app = app
        await app.initialize()
        # Unfinished updates from before a crash go first, in their original order.
        await replay_pending(self.db, app.update_queue, app.bot)
        await prune_records(self.db)  # and then every day (bot/delivery/jobs.py)
        await app.start()
        for hook in getattr(app, "start_hooks", ()):
            hook(app)
        assert self.desk.outbox is not None
        self.desk.outbox.start()
        await self._register_commands()
        await self._start_updater(app)
        log.info("bot started mode=%s staff_chat_id=%s started_at=%s", settings.telegram.mode,
                 self.desk.staff_chat.id, utc_now().isoformat(timespec="seconds"))
        return app

    async def _start_updater(self, app: Application) -> None:  # type: ignore[type-arg]
        telegram = self.settings.telegram
        assert app.updater is not None
        if telegram.mode == "webhook":
            hook = telegram.webhook
            await app.updater.start_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=hook.path.lstrip("/"),
                webhook_url=hook.url,
                secret_token=hook.secret_token.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
            )
        else:
            await app.updater.start_polling(
                poll_interval=self._poll_interval,
                timeout=self._poll_timeout,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
            )

    async def _start_setup_mode(self) -> Application:  # type: ignore[type-arg]
        telegram = self.settings.telegram
        builder = (
            ApplicationBuilder()
            .token(telegram.token.get_secret_value())
            .base_url(telegram.base_url)
            .request(self._request or HTTPXRequest(read_timeout=15))
            .get_updates_request(self._updates_request or HTTPXRequest(read_timeout=40))
        )
        if telegram.base_file_url:
            builder = builder.base_file_url(telegram.base_file_url)
        app = builder.build()
        contact = self.settings.service.contact_center

        async def group_chat_id(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
            chat, message = update.effective_chat, update.effective_message
            if chat is None or message is None:
                return
            log.info("setup mode: /chatid answered chat_id=%s", chat.id)
            await message.reply_text(common_texts.setup_chat_id_answer(chat.id, chat.title),
                                     parse_mode=ParseMode.HTML)

        async def private(update: Update, context: CallbackContext) -> None:  # type: ignore[type-arg]
            chat = update.effective_chat
            if update.callback_query is not None:
                await update.callback_query.answer()
            if chat is not None:
                await context.bot.send_message(chat.id, common_texts.setup_mode_private(contact),
                                               parse_mode=ParseMode.HTML)

        app.add_handler(CommandHandler("chatid", group_chat_id, filters=filters.ChatType.GROUPS))
        app.add_handler(MessageHandler(filters.ChatType.PRIVATE, private))
        app.add_handler(CallbackQueryHandler(private))
        self.app = app
        await app.initialize()
        await app.start()
        await self._start_updater(app)
        log.warning(
            "setup mode: [telegram] staff_chat_id is empty; answering /chatid in groups only "
            "bot=@%s mode=%s", app.bot.username, telegram.mode,
        )
        return app

    async def _register_commands(self) -> None:
        assert self.app is not None and self.desk is not None
        await register_private_commands(self.app.bot)
        await register_staff_commands(self.app.bot, self.desk.staff_chat.id)

    async def stop(self) -> None:
        """Finishes in-flight updates and sends, then closes the database."""
        app = self.app
        if self.desk is not None and self.desk.spse is not None:
            await self.desk.spse.shutdown()
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if self.desk is not None and self.desk.outbox is not None:
                await self.desk.outbox.stop()
            await app.shutdown()
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def run_until_signalled(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
            log.info("stop signal received, shutting down")
        finally:
            await self.stop()
