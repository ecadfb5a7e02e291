"""Starting and stopping the bot: polling or webhook, journal replay, outbox, clean shutdown."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from collections.abc import Callable
from contextlib import suppress

from telegram import Update
from telegram.request import BaseRequest

from bot.config import Settings
from bot.delivery.app import build_application, build_desk
from bot.delivery.context import Desk, HelpdeskApplication
from bot.delivery.jobs import prune_records
from bot.delivery.journal import replay_pending
from bot.delivery.menus import register_private_commands, register_staff_commands
from storage.db import Database, utc_now

log = logging.getLogger(__name__)

# Only what the desk handles (Telegram drops the rest before it is queued): messages in the
# private chats and the staff group, button presses, and the bot's own membership changes.
# Reactions, other members' changes, edits and channel posts are never asked for.
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)


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
        self.app: HelpdeskApplication | None = None
        self.desk: Desk | None = None

    async def start(self) -> HelpdeskApplication:
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
        assert self.desk.outbox is not None
        self.desk.outbox.start()
        await self._register_commands()
        telegram = settings.telegram
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
        log.info("bot started mode=%s staff_chat_id=%s started_at=%s", telegram.mode,
                 self.desk.staff_chat.id, utc_now().isoformat(timespec="seconds"))
        return app

    async def _register_commands(self) -> None:
        assert self.app is not None and self.desk is not None
        await register_private_commands(self.app.bot)
        await register_staff_commands(self.app.bot, self.desk.staff_chat.id)

    async def stop(self) -> None:
        """Finishes in-flight updates and sends, then closes the database."""
        app = self.app
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
