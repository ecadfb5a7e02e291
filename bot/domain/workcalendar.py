"""Working days, office hours and the deadline of each complaint tier.

Rules of the bureau's service standard, as implemented here:

* A working day is Monday–Friday that is neither an Indonesian public holiday nor a
  *cuti bersama* (joint leave day, the ``government`` category of ``holidays.ID``), and
  whose weekday has office hours. ``extra_holidays`` from the configuration are added as
  days off, then ``extra_workdays`` are made working days (so they win over both, and may
  even be a Saturday). An extra workday takes its weekday's office hours, or — when that
  weekday has none, e.g. a Saturday — the first configured hours of Monday…Friday.
* *Ringan*: N office hours, counted only inside office hours of working days. A complaint
  received outside office hours starts the clock at the next opening.
* Other tiers: the deadline is the closing time of the N-th working day after the
  calendar day of receipt; the day of receipt never counts, whatever the hour.

Everything is computed in the configured zone (WITA by default) and returned as aware
datetimes in that zone. Holiday tables are built lazily once per year and reused, and the
per-year list of working days makes an N-th-working-day lookup a binary search.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

from bot.config import CalendarConfig, OpeningHours, TiersConfig
from bot.domain.tiers import Tier

__all__ = ["DeadlineExplanation", "WorkCalendar", "WorkingSpan"]

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_UTC = dt.UTC
_MICROSECOND = dt.timedelta(microseconds=1)
# A calendar without a single working day in this many years is misconfigured; stop
# instead of searching forever.
_MAX_YEARS_AHEAD = 20


def _require_aware(moment: dt.datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} harus memiliki zona waktu (datetime tanpa zona ditolak): {moment}")


def _format_number(value: float) -> str:
    """Indonesian decimal comma: 1,5."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@dataclass(frozen=True)
class WorkingSpan:
    """Office time inside working days, e.g. what is left before a deadline.

    ``day_length`` is the usual length of one office day on this calendar; it turns an
    amount of office time into "whole working days + office hours".
    """

    duration: dt.timedelta
    day_length: dt.timedelta

    @property
    def hours(self) -> float:
        return self.duration / dt.timedelta(hours=1)

    def total_seconds(self) -> float:
        return self.duration.total_seconds()

    @property
    def is_zero(self) -> bool:
        return self.duration <= dt.timedelta(0)

    def days_and_hours(self) -> tuple[int, dt.timedelta]:
        """Whole working days (of ``day_length``) and the office time that remains."""
        if self.is_zero:
            return 0, dt.timedelta(0)
        days, rest = divmod(self.duration, self.day_length)
        return int(days), rest

    def describe(self) -> str:
        """'2 hari kerja 3 jam', '3 jam kerja', '45 menit kerja', rounded to the minute."""
        days, rest = self.days_and_hours()
        minutes = round(rest / dt.timedelta(minutes=1))
        if minutes * dt.timedelta(minutes=1) >= self.day_length:
            # Rounding pushed the remainder up to a full day.
            days, minutes = days + 1, 0
        hours, minutes = divmod(minutes, 60)
        clock = " ".join(
            part for part in (f"{hours} jam" if hours else "", f"{minutes} menit" if minutes else "")
            if part
        )
        if days:
            return f"{days} hari kerja" + (f" {clock}" if clock else "")
        if clock:
            return f"{clock} kerja"
        return "0 menit kerja"


@dataclass(frozen=True)
class DeadlineExplanation:
    """Why a deadline falls where it does, for staff.

    ``counted`` are the working days that consumed the allowance, ``skipped`` the days
    off between receipt and deadline with their reason. For day tiers the day of receipt
    is neither counted nor listed as skipped: it simply never counts.
    """

    tier: Tier
    received: dt.datetime
    clock_start: dt.datetime
    deadline: dt.datetime
    counted: list[dt.date]
    skipped: list[tuple[dt.date, str]]
    # Ringan only: the office time used on each counted day, (from, to) in the calendar's zone.
    office_time_used: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)


@dataclass(frozen=True)
class _Year:
    """One year of the calendar: days off with reasons, working days and office time."""

    days_off: dict[int, str]  # ordinal → holiday name(s), only for dates with a holiday
    workdays: list[int]  # sorted ordinals of working days
    workday_set: frozenset[int]
    hours: dict[int, OpeningHours]  # office hours of each working day
    # prefix[i] = office time (µs) of workdays[:i], for O(log n) spans.
    prefix: list[int]


class WorkCalendar:
    """Working-day calendar of the bureau and deadline computation for every tier."""

    def __init__(self, calendar: CalendarConfig, tiers: TiersConfig | None = None) -> None:
        self.config = calendar
        self.tiers = tiers or TiersConfig()
        self.zone: ZoneInfo = calendar.zone
        self._weekday_hours = [calendar.hours_for(weekday) for weekday in range(7)]
        weekday_hours = [hours for hours in self._weekday_hours[:5] if hours is not None]
        if not weekday_hours:
            raise ValueError("kalender tanpa jam kantor Senin–Jumat: tidak ada hari kerja")
        # Hours used by an extra workday whose weekday is closed (typically a Saturday).
        self._fallback_hours = weekday_hours[0]
        self._extra_holidays: dict[dt.date, list[str]] = {}
        for extra in calendar.extra_holidays:
            self._extra_holidays.setdefault(extra.date, []).append(extra.name)
        self._extra_workdays = frozenset(calendar.extra_workdays)
        lengths = Counter(
            self._length(dt.date(2001, 1, 1 + weekday), hours)  # 2001-01-01 was a Monday
            for weekday, hours in enumerate(self._weekday_hours[:5])
            if hours is not None
        )
        # The most common day length (ties: the longer); Mon–Thu 8.5 h by default.
        self.day_length: dt.timedelta = max(lengths, key=lambda length: (lengths[length], length))
        self._years: dict[int, _Year] = {}

    # --- per-year tables ---------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> _Year:
        library = holidays.country_holidays(
            "ID",
            years=year,
            categories=(holidays.PUBLIC, holidays.GOVERNMENT),
            language="id",
        )
        names: dict[dt.date, list[str]] = {}
        for day in library:
            names.setdefault(day, []).extend(library.get_list(day))
        for day, extra in self._extra_holidays.items():
            if day.year == year:
                names.setdefault(day, []).extend(extra)
        days_off = {day.toordinal(): "; ".join(dict.fromkeys(n)) for day, n in names.items()}

        workdays: list[int] = []
        hours: dict[int, OpeningHours] = {}
        prefix = [0]
        day = dt.date(year, 1, 1)
        while day.year == year:
            ordinal = day.toordinal()
            opening = self._weekday_hours[day.weekday()]
            if day in self._extra_workdays:
                opening = opening or self._fallback_hours
            elif day.weekday() >= 5 or ordinal in days_off:
                opening = None
            if opening is not None:
                workdays.append(ordinal)
                hours[ordinal] = opening
                prefix.append(prefix[-1] + self._length(day, opening) // _MICROSECOND)
            day += dt.timedelta(days=1)
        return _Year(days_off, workdays, frozenset(workdays), hours, prefix)

    def _length(self, day: dt.date, hours: OpeningHours) -> dt.timedelta:
        opens, closes = self._bounds(day, hours)
        return closes.astimezone(_UTC) - opens.astimezone(_UTC)

    def _bounds(self, day: dt.date, hours: OpeningHours) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, hours.opens, tzinfo=self.zone),
            dt.datetime.combine(day, hours.closes, tzinfo=self.zone),
        )

    def _hours(self, day: dt.date) -> OpeningHours | None:
        return self._year(day.year).hours.get(day.toordinal())

    def _local(self, moment: dt.datetime, name: str = "waktu") -> dt.datetime:
        _require_aware(moment, name)
        return moment.astimezone(self.zone)

    # --- days ------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return day.toordinal() in self._year(day.year).workday_set

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day, in Indonesian; None for a working day.

        Holiday names come from the library (and the configured extra holidays); a
        weekend adds its day name: "Sabtu", or "Hari Raya Natal (Sabtu)".
        """
        table = self._year(day.year)
        ordinal = day.toordinal()
        if ordinal in table.workday_set:
            return None
        weekday = day.weekday()
        holiday = table.days_off.get(ordinal)
        if weekday >= 5:
            closed = DAY_NAMES[weekday]
        elif self._weekday_hours[weekday] is None:
            closed = f"kantor tutup hari {DAY_NAMES[weekday]}"
        else:
            closed = ""
        if holiday and closed:
            return f"{holiday} ({closed})"
        return holiday or closed or "hari libur"

    def office_hours_on(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        hours = self._hours(day)
        return None if hours is None else self._bounds(day, hours)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
        if count < 1:
            raise ValueError("jumlah hari kerja harus minimal 1")
        year = day.year
        table = self._year(year)
        index = bisect_right(table.workdays, day.toordinal())
        for _ in range(_MAX_YEARS_AHEAD + 1):
            available = len(table.workdays) - index
            if count <= available:
                return dt.date.fromordinal(table.workdays[index + count - 1])
            count -= available
            year += 1
            table = self._year(year)
            index = 0
        raise ValueError(f"tidak ada cukup hari kerja dalam {_MAX_YEARS_AHEAD} tahun ke depan")

    def count_working_days(self, after: dt.date, through: dt.date) -> int:
        """Working days d with ``after`` < d <= ``through`` ("sisa 2 hari kerja")."""
        if through <= after:
            return 0
        total = 0
        for year in range(after.year, through.year + 1):
            table = self._year(year)
            low = bisect_right(table.workdays, after.toordinal())
            high = bisect_right(table.workdays, through.toordinal())
            total += high - low
        return total

    # --- instants ----------------------------------------------------------------------------

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """The first office opening at or after ``moment`` (in the calendar's zone)."""
        local = self._local(moment)
        day = local.date()
        hours = self._hours(day)
        if hours is not None:
            opens, _ = self._bounds(day, hours)
            if local <= opens:
                return opens
        following = self.next_working_day(day)
        return self._bounds(following, self._year(following.year).hours[following.toordinal()])[0]

    def _clock_start(self, local: dt.datetime) -> dt.datetime:
        """When office time starts running for something received at ``local``."""
        day = local.date()
        hours = self._hours(day)
        if hours is not None:
            opens, closes = self._bounds(day, hours)
            if local < closes:
                return max(local, opens)
        return self.next_opening(local)

    # --- deadlines ---------------------------------------------------------------------------

    def working_days_for(self, tier: Tier) -> int | None:
        """Working days allowed for ``tier``; None for Ringan (counted in office hours)."""
        tier = Tier(tier)
        return {
            Tier.RINGAN: None,
            Tier.NORMATIF: self.tiers.normatif_working_days,
            Tier.TIDAK_BERKADAR: self.tiers.tidak_berkadar_working_days,
            Tier.BERKADAR: self.tiers.berkadar_working_days,
        }[tier]

    def allowance_text(self, tier: Tier) -> str:
        """The tier's service standard in words: '3 jam kerja', '5 hari kerja'."""
        days = self.working_days_for(tier)
        if days is None:
            return f"{_format_number(self.tiers.ringan_office_hours)} jam kerja"
        return f"{days} hari kerja"

    def deadline(self, tier: Tier, received: dt.datetime) -> dt.datetime:
        local = self._local(received, "waktu diterima")
        days = self.working_days_for(tier)
        if days is None:
            return self._ringan(local)[0]
        target = self.add_working_days(local.date(), days)
        hours = self._year(target.year).hours[target.toordinal()]
        return dt.datetime.combine(target, hours.closes, tzinfo=self.zone)

    def _ringan(self, local: dt.datetime) -> tuple[dt.datetime, dt.datetime, list[tuple[dt.datetime, dt.datetime]]]:
        """(deadline, clock start, office time used on each day) for a Ringan complaint."""
        start = self._clock_start(local)
        remaining = dt.timedelta(hours=self.tiers.ringan_office_hours)
        cursor = start.astimezone(_UTC)
        day = start.date()
        used: list[tuple[dt.datetime, dt.datetime]] = []
        while True:
            hours = self._hours(day)
            if hours is not None:
                opens, closes = self._bounds(day, hours)
                begin = max(cursor, opens.astimezone(_UTC))
                available = closes.astimezone(_UTC) - begin
                if available > dt.timedelta(0):
                    end = begin + min(remaining, available)
                    used.append((begin.astimezone(self.zone), end.astimezone(self.zone)))
                    if remaining <= available:
                        return end.astimezone(self.zone), start, used
                    remaining -= available
            day = self.next_working_day(day)

    def explain(self, tier: Tier, received: dt.datetime) -> DeadlineExplanation:
        tier = Tier(tier)
        local = self._local(received, "waktu diterima")
        days = self.working_days_for(tier)
        if days is None:
            deadline, start, office_time = self._ringan(local)
            counted = [begin.date() for begin, _ in office_time]
            first_day = local.date()  # a Ringan received on a day off lists that day too
        else:
            deadline = self.deadline(tier, local)
            first = self.next_working_day(local.date())
            start = self._bounds(first, self._year(first.year).hours[first.toordinal()])[0]
            counted = [
                first + dt.timedelta(days=offset)
                for offset in range((deadline.date() - first).days + 1)
                if self.is_working_day(first + dt.timedelta(days=offset))
            ]
            first_day = local.date() + dt.timedelta(days=1)
        skipped: list[tuple[dt.date, str]] = []
        day = first_day
        while day <= deadline.date():
            reason = self.day_off_reason(day)
            if reason is not None:
                skipped.append((day, reason))
            day += dt.timedelta(days=1)
        if days is None:
            return DeadlineExplanation(tier, local, start, deadline, counted, skipped, office_time)
        return DeadlineExplanation(tier, local, start, deadline, counted, skipped)

    # --- spans ---------------------------------------------------------------------------------

    def _office_between_days(self, after: dt.date, before: dt.date) -> int:
        """Office time (µs) of the working days strictly between two dates."""
        total = 0
        for year in range(after.year, before.year + 1):
            table = self._year(year)
            low = bisect_right(table.workdays, after.toordinal())
            high = bisect_left(table.workdays, before.toordinal())
            if high > low:
                total += table.prefix[high] - table.prefix[low]
        return total

    def _office_within_day(self, day: dt.date, start: dt.datetime, end: dt.datetime) -> int:
        """Office time (µs) of ``day`` that lies between two UTC instants."""
        hours = self._hours(day)
        if hours is None:
            return 0
        opens, closes = self._bounds(day, hours)
        begin = max(start, opens.astimezone(_UTC))
        finish = min(end, closes.astimezone(_UTC))
        return max(0, (finish - begin) // _MICROSECOND)

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> WorkingSpan:
        """Office time of working days between two instants; zero when ``end <= start``.

        For lateness, swap the arguments: ``working_time_between(deadline, now)``.
        """
        first, last = self._local(start, "awal"), self._local(end, "akhir")
        if last <= first:
            return WorkingSpan(dt.timedelta(0), self.day_length)
        start_utc, end_utc = first.astimezone(_UTC), last.astimezone(_UTC)
        first_day, last_day = first.date(), last.date()
        total = self._office_within_day(first_day, start_utc, end_utc)
        if last_day != first_day:
            total += self._office_between_days(first_day, last_day)
            total += self._office_within_day(last_day, start_utc, end_utc)
        return WorkingSpan(dt.timedelta(microseconds=total), self.day_length)

    def elapsed_share(self, received: dt.datetime, deadline: dt.datetime, now: dt.datetime) -> float:
        """Share of the office time between receipt and deadline already used, in [0, 1].

        1.0 from the deadline on, and also when receipt and deadline enclose no office time
        (e.g. they are equal), so a reminder is never held back by an empty allowance.
        """
        allowed = self.working_time_between(received, deadline).duration
        if allowed <= dt.timedelta(0):
            return 1.0
        used = self.working_time_between(received, now).duration
        return min(1.0, max(0.0, used / allowed))
