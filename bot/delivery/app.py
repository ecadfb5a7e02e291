"""Application assembly: the core services and the PTB Application wired around them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Settings
from bot.delivery.context import Desk, HelpdeskApplication, HelpdeskContext
from bot.delivery.jobs import schedule_spse, schedule_watch
from bot.delivery.journal import Journal, JournalingQueue, JournalingRequest
from bot.delivery.migration import relink_staff_chat
from bot.delivery.outbox import OutboxSender, adopted_staff_chat
from bot.delivery.persistence import GroupCommit, SQLitePersistence
from bot.delivery.processor import PerChatUpdateProcessor
from bot.domain.classifier import Classifier
from bot.domain.workcalendar import WorkCalendar
from bot.services.notices import DeskNotifier, StaffChat
from bot.services.packages import PackageService
from bot.services.service_info import ServiceInfo
from bot.services.spse import SpseService
from bot.services.tickets import TicketService
from bot.services.watch import DeadlineWatch
from storage.db import Database, utc_now
from storage.outbox import OutboxRow


async def build_desk(settings: Settings, db: Database, clock: Callable[[], dt.datetime] = utc_now) -> Desk:
    calendar = WorkCalendar(settings.calendar, settings.tiers)
    classifier = Classifier()
    staff_chat = StaffChat(await adopted_staff_chat(db) or settings.telegram.staff_chat_id)
    notifier = DeskNotifier(calendar, staff_chat, clock)
    tickets = TicketService(db, calendar, classifier, notifier, clock)
    packages = PackageService(db, clock=clock, zone=calendar.zone)
    service_info = ServiceInfo.load(settings.service, settings.calendar)
    watch = DeadlineWatch(db, calendar, settings.watch, lambda: staff_chat.id, clock)
    desk = Desk(settings, db, calendar, classifier, staff_chat, tickets, packages, service_info, watch, clock)
    desk.spse = SpseService(db, settings.spse, clock=clock, zone=calendar.zone)
    return desk


def build_application(
    desk: Desk,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> HelpdeskApplication:
    """The real Application; tests and the sandbox pass a Bot API double as ``request``."""
    settings = desk.settings
    telegram = settings.telegram
    journal = Journal(desk.db)
    queue = JournalingQueue()
    queue.journal = journal
    persistence = SQLitePersistence(desk.db)
    processor = PerChatUpdateProcessor(telegram.max_concurrent_updates)
    builder = (
        ApplicationBuilder()
        .application_class(HelpdeskApplication)
        .token(telegram.token.get_secret_value() or "0:sandbox")
        .base_url(telegram.base_url)
        .update_queue(queue)
        .persistence(persistence)
        .concurrent_updates(processor)
        .context_types(_context_types())
        # No link previews, ever: the bot relays what citizens and staff typed, and a preview makes
        # Telegram's servers fetch the link (exposing the reader, or showing a misleading card).
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        # No retries inside the limiter: its flood wait pauses every chat; the outbox and
        # send_html wait per chat instead.
        .rate_limiter(AIORateLimiter(overall_max_rate=telegram.overall_max_rate,
                                     group_max_rate=telegram.group_max_rate, max_retries=0))
    )
    if telegram.base_file_url:
        builder = builder.base_file_url(telegram.base_file_url)
    builder = builder.request(request or HTTPXRequest(connection_pool_size=64, read_timeout=15))
    # getUpdates responses are journaled before PTB sees them (see bot/intake.py).
    builder = builder.get_updates_request(
        JournalingRequest(updates_request or HTTPXRequest(read_timeout=40), journal)
    )
    application: HelpdeskApplication = builder.build()  # type: ignore[assignment]
    application.desk = desk
    application.start_hooks = []

    group_commit = GroupCommit(application, persistence)

    async def finalize(update: object) -> None:
        # Conversation state and "this update is done" are committed together.
        await group_commit.finish(update.update_id if isinstance(update, Update) else None)

    processor.finalize = finalize

    async def on_migrated(old_chat_id: int, new_chat_id: int) -> None:
        await relink_staff_chat(desk, application.bot, old_chat_id, new_chat_id)

    outbox = OutboxSender(desk.db, application.bot, desk.staff_chat, _undelivered_hook(desk),
                          on_migrated=on_migrated)
    desk.outbox = outbox
    desk.db.commit_listeners.append(outbox.wake)

    from handlers import register

    register(application)
    schedule_watch(application)
    schedule_spse(application)
    return application


def _context_types() -> Any:
    from telegram.ext import ContextTypes

    return ContextTypes(context=HelpdeskContext)


def _undelivered_hook(desk: Desk) -> Callable[[OutboxRow, str], Any]:
    async def on_undelivered(row: OutboxRow, reason: str) -> None:
        if row.ticket_id is not None and row.chat_id != desk.staff_chat.id:
            await desk.tickets.record_undelivered(row.ticket_id, row.purpose, reason)

    return on_undelivered
