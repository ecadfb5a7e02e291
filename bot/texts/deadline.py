"""Texts of ``pbj-helpdesk deadline --explain`` (plain text for the terminal)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.workcalendar import DeadlineExplanation
from bot.texts.format import format_date, format_when
from bot.texts.labels import tier_label


def _duration(span: dt.timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} jam"] if hours else []) + ([f"{minutes} menit"] if minutes else [])
    return " ".join(parts) or "0 menit"


def explanation(received: dt.datetime, explained: DeadlineExplanation, zone: ZoneInfo) -> list[str]:
    lines = [f"Tingkat: {tier_label(explained.tier)}", f"Diterima: {format_when(received, zone)}"]
    for day, reason in explained.skipped:
        lines.append(f"  dilewati {format_date(day)}: {reason}")
    if explained.office_time_used:
        # Office-hour tiers: which part of each day's office hours the allowance used.
        total = dt.timedelta(0)
        for begin, end in explained.office_time_used:
            total += end - begin
            lines.append(f"  jam kerja {format_date(begin.date())}: {begin:%H.%M}–{end:%H.%M} "
                         f"({_duration(end - begin)})")
        lines.append(f"Jam kerja dihitung: {_duration(total)}")
    else:
        lines.append(f"Hari kerja dihitung: {len(explained.counted)}")
    lines.append(f"Batas: {format_when(explained.deadline, zone)}")
    return lines
