"""Shared pieces of the core-level tests: a fixed clock, WITA dates, the standard service wiring."""

from __future__ import annotations

import datetime as dt

from bot.config import CalendarConfig, TiersConfig
from bot.domain.classifier import Classifier
from bot.domain.workcalendar import WorkCalendar
from bot.services.notices import DeskNotifier, StaffChat
from bot.services.tickets import TicketService
from storage.db import Database

WITA = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> dt.datetime:
    """A moment in WITA, 2026 unless said otherwise."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=WITA)


class FixedClock:
    """A clock the test moves by assigning ``now``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def default_calendar() -> WorkCalendar:
    return WorkCalendar(CalendarConfig(), TiersConfig())


def ticket_service(db: Database, clock: FixedClock, staff_chat_id: int,
                   calendar: WorkCalendar | None = None) -> TicketService:
    """The TicketService as the bot wires it, on the default calendar and classifier."""
    calendar = calendar or default_calendar()
    notifier = DeskNotifier(calendar, StaffChat(staff_chat_id), clock)
    return TicketService(db, calendar, Classifier(), notifier, clock)
