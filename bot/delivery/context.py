"""What every handler receives: the desk (core services) on PTB's application and context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.delivery.outbox import OutboxSender
from bot.domain.classifier import Classifier
from bot.domain.workcalendar import WorkCalendar
from bot.services.notices import StaffChat
from bot.services.packages import PackageService
from bot.services.service_info import ServiceInfo
from bot.services.spse import SpseService
from bot.services.tickets import TicketService
from bot.services.watch import DeadlineWatch
from storage.db import Database, utc_now


@dataclass
class Desk:
    """Everything a handler needs beyond the update itself."""

    settings: Settings
    db: Database
    calendar: WorkCalendar
    classifier: Classifier
    staff_chat: StaffChat
    tickets: TicketService
    packages: PackageService
    service_info: ServiceInfo
    watch: DeadlineWatch
    clock: Callable[[], dt.datetime] = utc_now
    outbox: OutboxSender | None = None
    # Handler-layer state that outlives one update (flood gate, conversation handlers).
    extras: dict[str, Any] = field(default_factory=dict)
    # Package data from SPSE ([spse]); present even when disabled (it then syncs nothing).
    spse: SpseService | None = None

    @property
    def zone(self) -> Any:
        return self.calendar.zone


class HelpdeskApplication(Application):  # type: ignore[type-arg]
    """PTB's Application carrying the desk (PTB uses __slots__, hence the subclass)."""

    __slots__ = ("desk", "start_hooks")

    desk: Desk
    # Run by the runner once the application started (user_data loaded, JobQueue running): work a
    # stop interrupted, e.g. albums still being collected (handlers/albums.py).
    start_hooks: list[Callable[[Application], None]]  # type: ignore[type-arg]


class HelpdeskContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def desk(self) -> Desk:
        return self.application.desk  # type: ignore[attr-defined, no-any-return]


