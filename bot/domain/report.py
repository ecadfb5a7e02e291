"""The monthly report's figures and the rules that compute them from ticket rows (no I/O).

The definitions are in :mod:`bot.services.report`'s docstring, which gathers the rows.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.domain.tickets import Channel, Status
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkingSpan

TOP_PACKAGES = 5
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
# Until this day of a month, a report without a month means the previous (complete) month.
DEFAULT_PREVIOUS_MONTH_UNTIL_DAY = 5


def parse_month(text: str) -> tuple[int, int] | None:
    """'2026-11' → (2026, 11); None unless a month of the years 2000–2100 in YYYY-MM."""
    match = _MONTH.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return year, month


def default_month(today: dt.date) -> tuple[int, int]:
    """The previous month in the first days of a month (it is complete), else this month so far."""
    if today.day <= DEFAULT_PREVIOUS_MONTH_UNTIL_DAY:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.year, last.month
    return today.year, today.month


@dataclass(frozen=True)
class TicketRow:
    code: str
    received_at: dt.datetime
    channel: Channel
    tier: Tier
    status: Status
    deadline_at: dt.datetime
    first_answer_at: dt.datetime | None
    closed_at: dt.datetime | None
    rating: int | None
    package_code: str | None
    # Office hours from receipt to the answer; None while unanswered.
    answer_hours: float | None

    @property
    def answered_at(self) -> dt.datetime | None:
        # Only an answer counts: a ticket closed without one (old data) stays unanswered.
        return self.first_answer_at

    @property
    def on_time(self) -> bool | None:
        """True/False once answered; None while unanswered."""
        answered = self.answered_at
        return None if answered is None else answered <= self.deadline_at


@dataclass(frozen=True)
class Timeliness:
    on_time: int = 0
    late: int = 0
    unanswered: int = 0
    # Unanswered and already past the deadline when the report was made.
    unanswered_overdue: int = 0

    @property
    def answered(self) -> int:
        return self.on_time + self.late

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


@dataclass(frozen=True)
class WeekFigures:
    iso_year: int
    iso_week: int
    start: dt.date  # first day of the week inside the month
    end: dt.date  # last day of the week inside the month
    received_by_tier: dict[Tier, int]
    answered: int
    on_time: int

    @property
    def received(self) -> int:
        return sum(self.received_by_tier.values())

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


@dataclass(frozen=True)
class MonthFigures:
    year: int
    month: int
    zone: ZoneInfo
    start: dt.datetime
    end: dt.datetime
    generated_at: dt.datetime
    as_of: dt.datetime
    day_length: dt.timedelta
    rows: tuple[TicketRow, ...]
    by_tier: dict[Tier, int]
    by_channel: dict[Channel, int]
    by_status: dict[Status, int]
    timeliness: dict[Tier, Timeliness]
    overall: Timeliness
    answer_hours: tuple[float, ...]  # sorted
    median_answer_hours: float | None
    p90_answer_hours: float | None
    overdue_open: tuple[str, ...]  # codes, earliest deadline first
    rating_count: int
    rating_average: float | None
    top_packages: tuple[tuple[str, int], ...]
    weeks: tuple[WeekFigures, ...] = field(default_factory=tuple)

    @property
    def received(self) -> int:
        return len(self.rows)

    def describe_hours(self, hours: float | None) -> str | None:
        """Office hours as working days of the calendar: '1 hari kerja 2 jam'."""
        if hours is None:
            return None
        return WorkingSpan(dt.timedelta(hours=hours), self.day_length).describe()


def percentile(sorted_values: tuple[float, ...] | list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (PERCENTILE.INC); None for no values."""
    if not sorted_values:
        return None
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (position - low) * (sorted_values[high] - sorted_values[low])


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, month, 1, tzinfo=zone)
    following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, following


def timeliness_of(rows: list[TicketRow], now: dt.datetime) -> Timeliness:
    on_time = sum(1 for r in rows if r.on_time is True)
    late = sum(1 for r in rows if r.on_time is False)
    unanswered = [r for r in rows if r.on_time is None]
    return Timeliness(on_time, late, len(unanswered), sum(1 for r in unanswered if r.deadline_at < now))


def weeks_of(rows: list[TicketRow], start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> tuple[WeekFigures, ...]:
    first_day, last_day = start.date(), (end - dt.timedelta(days=1)).date()
    weeks: list[WeekFigures] = []
    day = first_day
    while day <= last_day:
        week_end = min(last_day, day + dt.timedelta(days=6 - day.weekday()))
        iso = day.isocalendar()
        inside = [r for r in rows if day <= r.received_at.astimezone(zone).date() <= week_end]
        weeks.append(WeekFigures(
            iso_year=iso.year, iso_week=iso.week, start=day, end=week_end,
            received_by_tier={tier: sum(1 for r in inside if r.tier is tier) for tier in Tier},
            answered=sum(1 for r in inside if r.on_time is not None),
            on_time=sum(1 for r in inside if r.on_time is True),
        ))
        day = week_end + dt.timedelta(days=1)
    return tuple(weeks)
