"""``/target KODE TANGGAL [JAM]`` (staff chat): the date staff promise an answer by."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    CommandHandler,
)

from bot.domain.moments import parse_target_moment
from bot.domain.tickets import split_leading_ticket_code
from bot.services.tickets import (
    NothingToChange,
    TargetAfterDeadline,
    TargetInPast,
    TargetNotWorkingDay,
    TargetOutsideOfficeHours,
    TicketClosed,
    TicketNotFound,
)
from bot.texts import staff as staff_texts
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

async def target(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    parts = split_leading_ticket_code(command_remainder(message))
    if parts is None or not parts[1]:
        await answer(update, context, texts.TARGET_USAGE)
        return
    code, moment_text = parts
    desk = context.desk
    when = parse_target_moment(moment_text, desk.calendar)
    if when is None:
        await answer(update, context, texts.target_bad_date(moment_text))
        return
    try:
        await desk.tickets.set_target(code, when, staff_actor(update),
                                      idempotency_key=operation_key(update, "set_target"))
    except TicketNotFound:
        await answer(update, context, staff_texts.not_found(code))
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
