"""``/target KODE TANGGAL [JAM]`` (staff chat): the date staff promise an answer by."""

from __future__ import annotations

import datetime as dt
import logging
import re

from telegram import Update
from telegram.ext import (
    Application,
    CommandHandler,
)

from bot.domain.tickets import parse_ticket_code
from bot.domain.workcalendar import WorkCalendar
from bot.services.tickets import (
    NothingToChange,
    TargetAfterDeadline,
    TargetInPast,
    TargetNotWorkingDay,
    TargetOutsideOfficeHours,
    TicketClosed,
    TicketNotFound,
)
from bot.texts import watch as texts
from handlers.groups import MAIN_GROUP
from handlers.util import (
    Context,
    StaffHandler,
    answer,
    command_remainder,
    operation_key,
    staff_actor,
    staff_only,
)

log = logging.getLogger(__name__)

Handler = StaffHandler

# When staff give a date without a time and the day has no office hours.
DEFAULT_TARGET_TIME = dt.time(16, 0)


_TARGET = re.compile(r"^(ADU[\s_-]*\d{4}[\s_-]*\d{1,5})(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
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


async def target(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    match = _TARGET.match(command_remainder(message))
    code = parse_ticket_code(match.group(1)) if match else None
    if match is None or code is None or not (match.group(2) or "").strip():
        await answer(update, context, texts.TARGET_USAGE)
        return
    desk = context.desk
    when = parse_target_moment(match.group(2), desk.calendar)
    if when is None:
        await answer(update, context, texts.target_bad_date(match.group(2)))
        return
    try:
        await desk.tickets.set_target(code, when, staff_actor(update),
                                      idempotency_key=operation_key(update, "set_target"))
    except TicketNotFound:
        await answer(update, context, texts.target_not_found(code))
    except TicketClosed:
        await answer(update, context, texts.target_ticket_closed(code))
    except TargetInPast:
        await answer(update, context, texts.target_in_past())
    except TargetNotWorkingDay as error:
        await answer(update, context, texts.target_not_working_day(error.day, error.reason))
    except TargetOutsideOfficeHours as error:
        await answer(update, context, texts.target_outside_office_hours(error.opens, error.closes, desk.zone))
    except TargetAfterDeadline as error:
        await answer(update, context, texts.target_after_deadline(error.deadline, desk.zone))
    except NothingToChange:
        await answer(update, context, texts.target_unchanged(code))
    # Success: the outbox confirms in the staff chat and tells the citizen.


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("target", staff_only(target)), MAIN_GROUP)
