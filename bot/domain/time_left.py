"""Time left before a ticket's deadline, counted the way people count it.

* One or more working days before the deadline day: whole working days, counted from tomorrow
  to the deadline day ("sisa 5 hari kerja"), whatever the hour today — never days plus minutes
  (office days are not all the same length, so "5 days 30 minutes" would be an artefact).
* On the deadline day, and always for *ringan*: office hours and minutes.
* Late: working days since the deadline day when at least one has passed, otherwise office
  hours and minutes since the deadline.

The wording is in ``bot.texts.desk.time_left_words``; this module only decides the numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.tickets import Ticket
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkCalendar


class TimeLeftKind(StrEnum):
    CLOSED = "closed"
    ANSWERED = "answered"
    DAYS_LEFT = "days_left"
    CLOCK_LEFT = "clock_left"
    DAYS_LATE = "days_late"
    CLOCK_LATE = "clock_late"


@dataclass(frozen=True)
class TimeLeft:
    kind: TimeLeftKind
    deadline: dt.datetime
    days: int = 0
    minutes: int = 0  # office minutes (rounded) for the clock kinds

    @property
    def is_late(self) -> bool:
        return self.kind in (TimeLeftKind.DAYS_LATE, TimeLeftKind.CLOCK_LATE)


def _office_minutes(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> int:
    return round(calendar.working_time_between(start, end).duration / dt.timedelta(minutes=1))


def time_left(calendar: WorkCalendar, ticket: Ticket, now: dt.datetime) -> TimeLeft:
    deadline = ticket.deadline_at
    if not ticket.is_open:
        return TimeLeft(TimeLeftKind.CLOSED, deadline)
    if ticket.first_answer_at is not None:
        return TimeLeft(TimeLeftKind.ANSWERED, deadline)
    return time_to(calendar, deadline, now, by_days=ticket.tier is not Tier.RINGAN)


def time_to(calendar: WorkCalendar, deadline: dt.datetime, now: dt.datetime, *, by_days: bool = True) -> TimeLeft:
    """The time left before (or past) ``deadline`` at ``now``; ``by_days`` False for ringan."""
    zone = calendar.zone
    today = now.astimezone(zone).date()
    deadline_day = deadline.astimezone(zone).date()
    if now <= deadline:
        days = calendar.count_working_days(today, deadline_day)
        if by_days and days >= 1:
            return TimeLeft(TimeLeftKind.DAYS_LEFT, deadline, days=days)
        return TimeLeft(TimeLeftKind.CLOCK_LEFT, deadline, minutes=_office_minutes(calendar, now, deadline))
    late_days = calendar.count_working_days(deadline_day, today)
    if late_days >= 1:
        return TimeLeft(TimeLeftKind.DAYS_LATE, deadline, days=late_days)
    return TimeLeft(TimeLeftKind.CLOCK_LATE, deadline, minutes=_office_minutes(calendar, deadline, now))
