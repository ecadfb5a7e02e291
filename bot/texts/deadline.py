"""Texts of ``pbj-helpdesk deadline --explain`` (plain text for the terminal)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.workcalendar import DAY_NAMES, DeadlineExplanation
from bot.texts.format import format_date, format_when
from bot.texts.labels import tier_label


def _duration(span: dt.timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} jam"] if hours else []) + ([f"{minutes} menit"] if minutes else [])
    return " ".join(parts) or "0 menit"


def _day_off(reason: str) -> str:
    """The reason a day is skipped, without the day name the date already gives:
    'Sabtu' → 'akhir pekan', 'Hari Raya Natal (Sabtu)' → 'Hari Raya Natal, akhir pekan'."""
    for name in DAY_NAMES[5:]:
        if reason == name:
            return "akhir pekan"
        if reason.endswith(f" ({name})"):
            return f"{reason.removesuffix(f' ({name})')}, akhir pekan"
    return reason


def explanation(received: dt.datetime, explained: DeadlineExplanation, zone: ZoneInfo) -> list[str]:
    """The days in calendar order: each skipped day and, for office-hour tiers, the office
    time used on each working day."""
    lines = [f"Tingkat: {tier_label(explained.tier)}", f"Diterima: {format_when(received, zone)}"]
    days: list[tuple[dt.date, str]] = [
        (day, f"  dilewati {format_date(day)}: {_day_off(reason)}") for day, reason in explained.skipped
    ]
    if explained.office_time_used:
        # Office-hour tiers: which part of each day's office hours the allowance used.
        total = dt.timedelta(0)
        for begin, end in explained.office_time_used:
            total += end - begin
            days.append((begin.date(), f"  jam kerja {format_date(begin.date())}: {begin:%H.%M}–{end:%H.%M} "
                                       f"({_duration(end - begin)})"))
        lines.extend(line for _, line in sorted(days, key=lambda item: item[0]))
        lines.append(f"Jam kerja dihitung: {_duration(total)}")
    else:
        lines.extend(line for _, line in days)
        lines.append(f"Hari kerja dihitung: {len(explained.counted)}")
    lines.append(f"Batas: {format_when(explained.deadline, zone)}")
    return lines
