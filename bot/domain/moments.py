"""Dates and times as people type them ('Senin 7 Des 2026 pukul 10.00', '07-12-2026 10:00'), Indonesian."""

from __future__ import annotations

import datetime as dt
import re

from bot.domain.workcalendar import WorkCalendar

# When staff give a date without a time and the day has no office hours.
DEFAULT_TARGET_TIME = dt.time(16, 0)


_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8,
    "agu": 8, "agt": 8, "ags": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "oct": 10, "november": 11, "nov": 11, "nopember": 11, "desember": 12, "des": 12,
    "dec": 12,
}
_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})"),
    re.compile(r"^(?P<d>\d{1,2})\s+(?P<mname>[a-z]+)\.?\s+(?P<y>\d{4})", re.IGNORECASE),
)
_TIME = re.compile(r"^(?:,?\s*(?:pukul|pkl\.?|jam)\s*)?(?P<h>\d{1,2})[:.](?P<min>\d{2})", re.IGNORECASE)
_ZONE_SUFFIX = re.compile(r"\s*wita\.?$", re.IGNORECASE)


def parse_target_moment(text: str, calendar: WorkCalendar) -> dt.datetime | None:
    """'30-12-2026', '2026-12-30 14.00', '30/12/2026 pukul 9:30', '30 Desember 2026' in WITA.

    A date without a time means the closing time of that day on the work calendar (16:00 on a
    day off). None when the text is not a date (or not a real one, like 31-02-2026).
    """
    parsed = parse_date_and_time(text)
    if parsed is None:
        return None
    day, time = parsed
    zone = calendar.zone
    if time is None:
        hours = calendar.office_hours_on(day)
        if hours is not None:
            return hours[1]
        return dt.datetime.combine(day, DEFAULT_TARGET_TIME, tzinfo=zone)
    return dt.datetime.combine(day, time, tzinfo=zone)


def parse_date_and_time(text: str) -> tuple[dt.date, dt.time | None] | None:
    """The date and (if given) the time of what staff type, in the forms of :func:`parse_target_moment`."""
    rest = _ZONE_SUFFIX.sub("", " ".join(text.split()))
    for form in _DATE_FORMS:
        match = form.match(rest)
        if match is not None:
            break
    else:
        return None
    parts = match.groupdict()
    month = _MONTHS.get(parts["mname"].lower()) if parts.get("mname") else int(parts["m"])
    if month is None:
        return None
    try:
        day = dt.date(int(parts["y"]), month, int(parts["d"]))
    except ValueError:
        return None
    rest = rest[match.end():].strip()
    if not rest:
        return day, None
    time_match = _TIME.match(rest)
    if time_match is None or rest[time_match.end():].strip():
        return None
    hour, minute = int(time_match.group("h")), int(time_match.group("min"))
    if hour > 23 or minute > 59:
        return None
    return day, dt.time(hour, minute)
