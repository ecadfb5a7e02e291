"""After filing: the deadline watch's jobs, target dates, offline complaints, ratings, reports.

* **Jobs** (PTB JobQueue): a repeating deadline sweep every ``watch.check_interval_minutes``;
  the morning digest as a chain of ``run_once`` jobs, each scheduling the next at the next
  office opening of the work calendar (``run_daily`` is avoided on purpose: its day numbers
  start on Sunday, a classic off-by-one); one catch-up digest shortly after start. The digest
  is idempotent per date, and the sweep job calls it too, so a broken chain (a misfired job)
  costs at most one sweep interval. Jobs never raise: failures are logged with the error's
  type only.
* ``/target KODE TANGGAL [JAM]`` (staff chat): the date staff promise an answer by.
* ``/catat`` (staff chat): a complaint received face to face, by phone, e-mail or the
  complaint box, in one command or in a short guided flow; the officer gets the code and the
  PIN to hand to the reporter, who links the ticket with ``/status KODE PIN`` (citizen.py).
* Rating buttons ``nilai:KODE:N`` under the closing notice (private chat).
* ``/laporan [YYYY-MM]`` (staff chat): the monthly report as a message, a CSV and a chart.

Not built: a free-text comment after a rating. ``TicketService.rate`` takes the comment only
together with the rating and a rating cannot be changed afterwards, so a comment asked for
after the press would need a new service operation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import tempfile
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import ForceReply, InputFile, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.app import Desk
from bot.models import Channel, parse_ticket_code
from bot.notices import RATING_PREFIX, parse_rating_callback
from bot.offline import OFFLINE_CHANNELS, OfflineError, TicketAlreadyLinked, issue_new_pin, register_offline
from bot.report import month_figures, render_message, report_paths, write_chart, write_csv
from bot.texts import report as report_texts
from bot.texts import watch as texts
from bot.tickets import (
    AlreadyRated,
    InvalidRating,
    NotClosedYet,
    NothingToChange,
    RatingWindowClosed,
    TargetInPast,
    TicketClosed,
    TicketError,
    TicketNotFound,
    TicketService,
)
from bot.tiers import Tier
from bot.watch import DeadlineWatch
from bot.workcalendar import WorkCalendar
from handlers import MAIN_GROUP
from handlers.filing import normalise_contact
from handlers.util import (
    Context,
    Draft,
    StaffHandler,
    answer,
    command_remainder,
    in_private_chat,
    in_staff_chat,
    keyboard,
    operation_key,
    remove_buttons,
    send_html,
    staff_actor,
    staff_only,
)

log = logging.getLogger(__name__)

Handler = StaffHandler

SWEEP_JOB = "deadline_sweep"
DIGEST_JOB = "morning_digest"
CATCH_UP_JOB = "morning_digest_catch_up"
# The catch-up digest runs this long after start: late enough that start-up work is done.
CATCH_UP_DELAY = dt.timedelta(seconds=60)
# A job delayed by a busy event loop still runs (APScheduler's default grace is one second).
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": 3600, "coalesce": True}

# When staff give a date without a time and the day has no office hours.
DEFAULT_TARGET_TIME = dt.time(16, 0)


# --- jobs -----------------------------------------------------------------------------------------


def _log_failure(what: str, error: BaseException) -> None:
    # Only the error's type and the frames: messages can quote personal data.
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s failed error=%s\n%s", what, type(error).__name__, frames)


async def _run_sweep(desk: Desk) -> None:
    try:
        await desk.watch.sweep()
    except Exception as error:
        _log_failure("deadline sweep", error)
    if desk.settings.watch.morning_digest:
        # Safety net for the digest chain: idempotent per date, None before opening.
        await _run_digest(desk)


async def _run_digest(desk: Desk) -> None:
    try:
        await desk.watch.morning_digest()
    except Exception as error:
        _log_failure("morning digest", error)


def schedule_next_digest(application: Application) -> None:  # type: ignore[type-arg]
    """One ``run_once`` at the next office opening; the job schedules its successor."""
    desk: Desk = application.desk  # type: ignore[attr-defined]
    queue = application.job_queue
    if queue is None:
        return
    for job in queue.get_jobs_by_name(DIGEST_JOB):
        job.schedule_removal()
    now = desk.clock()
    # A delay rather than the moment itself: the desk's clock (not the wall clock) decides
    # when the office opens, which keeps a test clock or a sandbox clock consistent.
    delay = max(desk.watch.next_digest_at(now) - now, dt.timedelta(seconds=1))
    queue.run_once(_digest_job, when=delay, name=DIGEST_JOB, job_kwargs=JOB_KWARGS)


async def _sweep_job(context: Context) -> None:
    await _run_sweep(context.desk)


async def _digest_job(context: Context) -> None:
    try:
        await _run_digest(context.desk)
    finally:
        try:
            schedule_next_digest(context.application)
        except Exception as error:
            _log_failure("scheduling the next digest", error)


async def _catch_up_job(context: Context) -> None:
    await _run_digest(context.desk)


def schedule_watch(application: Application) -> DeadlineWatch:  # type: ignore[type-arg]
    desk: Desk = application.desk  # type: ignore[attr-defined]
    watch = desk.watch
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue] missing): deadline watch is off")
        return watch
    interval = dt.timedelta(minutes=desk.settings.watch.check_interval_minutes)
    queue.run_repeating(_sweep_job, interval=interval, name=SWEEP_JOB, job_kwargs=JOB_KWARGS)
    if desk.settings.watch.morning_digest:
        schedule_next_digest(application)
        queue.run_once(_catch_up_job, when=CATCH_UP_DELAY, name=CATCH_UP_JOB, job_kwargs=JOB_KWARGS)
    return watch


# --- SPSE sync ------------------------------------------------------------------------------------

SPSE_JOB = "spse_sync"
# The first scheduled sync waits until start-up is over.
SPSE_FIRST_DELAY = dt.timedelta(minutes=2)
SPSE_SKIP_KEY = "spse_skip_runs"
SPSE_MAX_SKIP = 7


async def _run_spse_sync(desk: Desk) -> None:
    """The scheduled sync: office hours only; after failures, runs are skipped (1, 3, 7 of them)."""
    spse = desk.spse
    if spse is None or not spse.enabled:
        return
    now = desk.clock()
    hours = desk.calendar.office_hours_on(now.astimezone(desk.zone).date())
    if hours is None or not hours[0] <= now <= hours[1]:
        return
    skip = int(desk.extras.get(SPSE_SKIP_KEY, 0))
    if skip > 0:
        desk.extras[SPSE_SKIP_KEY] = skip - 1
        return
    try:
        report = await spse.sync("jadwal")
    except Exception as error:
        _log_failure("spse sync", error)
        return
    if not report.ok and not report.skipped:
        desk.extras[SPSE_SKIP_KEY] = min(2 ** (spse.failures - 1) - 1, SPSE_MAX_SKIP)


async def _spse_job(context: Context) -> None:
    await _run_spse_sync(context.desk)


def schedule_spse(application: Application) -> None:  # type: ignore[type-arg]
    desk: Desk = application.desk  # type: ignore[attr-defined]
    queue = application.job_queue
    if desk.spse is None or not desk.spse.enabled:
        return
    if queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue] missing): SPSE sync is off")
        return
    interval = dt.timedelta(minutes=desk.settings.spse.sync_interval_minutes)
    queue.run_repeating(_spse_job, interval=interval, first=SPSE_FIRST_DELAY, name=SPSE_JOB,
                        job_kwargs=JOB_KWARGS)


# --- /target --------------------------------------------------------------------------------------

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
    zone = calendar.zone
    if not rest:
        hours = calendar.office_hours_on(day)
        if hours is not None:
            return hours[1]
        return dt.datetime.combine(day, DEFAULT_TARGET_TIME, tzinfo=zone)
    time_match = _TIME.match(rest)
    if time_match is None or rest[time_match.end():].strip():
        return None
    hour, minute = int(time_match.group("h")), int(time_match.group("min"))
    if hour > 23 or minute > 59:
        return None
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


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
    except NothingToChange:
        await answer(update, context, texts.target_unchanged(code))
    # Success: the outbox confirms in the staff chat and tells the citizen.


async def new_pin(update: Update, context: Context) -> None:
    """/pin KODE: a fresh PIN for an offline complaint whose PIN was lost or never handed over."""
    message = update.effective_message
    assert message is not None
    code = parse_ticket_code(command_remainder(message))
    if code is None:
        await answer(update, context, texts.PIN_USAGE)
        return
    desk = context.desk
    try:
        ticket, pin = await issue_new_pin(desk.tickets, code, staff_actor(update))
    except TicketNotFound:
        await answer(update, context, texts.pin_not_offline(code))
    except TicketClosed:
        await answer(update, context, texts.target_ticket_closed(code))
    except TicketAlreadyLinked:
        await answer(update, context, texts.pin_already_linked(code))
    else:
        await answer(update, context, texts.offline_registered_for_staff(ticket, pin, desk.zone, context.bot.username))


# --- /catat: offline complaints -------------------------------------------------------------------

CHANNEL, TIER, NAME, CONTACT, DESCRIPTION = range(5)
CATAT_DRAFT = "catat_draft"


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


_CHANNEL_ALIASES: dict[str, Channel] = {
    **{_key(channel.value): channel for channel in OFFLINE_CHANNELS},
    **{_key(channel.label): channel for channel in OFFLINE_CHANNELS},
    "tatap": Channel.TATAP_MUKA, "langsung": Channel.TATAP_MUKA, "loket": Channel.TATAP_MUKA,
    "telpon": Channel.TELEPON, "telp": Channel.TELEPON, "tlp": Channel.TELEPON,
    "phone": Channel.TELEPON, "contactcenter": Channel.TELEPON, "cc": Channel.TELEPON,
    "surel": Channel.EMAIL, "mail": Channel.EMAIL,
    "kotak": Channel.KOTAK_PENGADUAN, "kotaksaran": Channel.KOTAK_PENGADUAN,
    "surat": Channel.KOTAK_PENGADUAN,
}
_CHANNEL_ORDER = (Channel.TATAP_MUKA, Channel.TELEPON, Channel.EMAIL, Channel.KOTAK_PENGADUAN)


def parse_channel(text: str) -> Channel | None:
    return _CHANNEL_ALIASES.get(_key(text))


@dataclass(frozen=True)
class OfflineInput:
    channel: Channel
    tier: Tier
    name: str
    contact: str
    description: str


def check_name(text: str) -> str | None:
    """The name tidied up, or None when it is not a name."""
    name = " ".join(text.split())
    if not 2 <= len(name) <= 100 or not any(ch.isalpha() for ch in name):
        return None
    return name


def description_problem(desk: Desk, text: str) -> str | None:
    limits = desk.settings.limits
    length = len(text.strip())
    if length < limits.description_min_chars:
        return texts.catat_description_short(limits.description_min_chars)
    if length > limits.description_max_chars:
        return texts.catat_description_long(length, limits.description_max_chars)
    return None


def parse_catat(desk: Desk, text: str) -> OfflineInput | str:
    """``SALURAN TINGKAT | nama | kontak | uraian`` → the input, or what is wrong (plain text)."""
    parts = [part.strip() for part in text.split("|", 3)]
    if len(parts) != 4 or not all(parts):
        return texts.CATAT_MISSING_PARTS
    head, name_text, contact_text, description = parts
    words = head.split()
    channel: Channel | None = None
    used = 0
    for count in (2, 1):  # "tatap muka", "kotak pengaduan" are two words when typed with a space
        if len(words) >= count and (found := parse_channel(" ".join(words[:count]))) is not None:
            channel, used = found, count
            break
    if channel is None:
        return texts.catat_unknown_channel(words[0] if words else head)
    tier_text = " ".join(words[used:])
    if not tier_text:
        return texts.CATAT_NO_TIER
    try:
        tier = Tier.parse(tier_text)
    except ValueError:
        return texts.catat_unknown_tier(tier_text)
    name = check_name(name_text)
    if name is None:
        return texts.CATAT_NAME_INVALID
    contact = normalise_contact(contact_text)
    if contact is None:
        return texts.CATAT_CONTACT_INVALID
    problem = description_problem(desk, description)
    if problem is not None:
        return problem
    return OfflineInput(channel, tier, name, contact, description.strip())


async def record_offline(update: Update, context: Context, data: OfflineInput) -> bool:
    """Files the complaint and shows the officer the code, deadline and PIN; False if refused."""
    desk = context.desk
    try:
        ticket, pin = await register_offline(
            desk.tickets, data.channel, data.name, data.contact, data.description, data.tier,
            staff_actor(update), idempotency_key=operation_key(update, "catat"),
        )
    except OfflineError as error:
        await answer(update, context, texts.catat_refused(str(error)))
        return False
    # The ticket card comes from the outbox; this message is the receipt for the reporter.
    await answer(update, context, texts.offline_registered_for_staff(ticket, pin, desk.zone, context.bot.username))
    return True


_CATAT = Draft(CATAT_DRAFT)





def _expired(context: Context) -> bool:
    return _CATAT.idle_too_long(context, untouched_counts=True)


def _cancel_markup() -> Any:
    return keyboard([[(texts.CATAT_CANCEL_BUTTON, "catat:batal")]])


async def _prompt(update: Update, context: Context, html: str, placeholder: str) -> None:
    """A question the officer answers by replying (ForceReply opens the reply in the client)."""
    chat = update.effective_chat
    assert chat is not None
    origin = _CATAT.get(context).get("origin")
    await send_html(context, chat.id, html,
                    ForceReply(selective=True, input_field_placeholder=placeholder),
                    reply_to_message_id=origin)


async def catat_entry(update: Update, context: Context) -> int:
    """``/catat …`` files at once; a bare ``/catat`` starts the guided flow."""
    message = update.effective_message
    assert message is not None
    _CATAT.drop(context)
    remainder = command_remainder(message)
    if remainder:
        parsed = parse_catat(context.desk, remainder)
        if isinstance(parsed, str):
            await answer(update, context, texts.catat_problem(parsed))
        else:
            await record_offline(update, context, parsed)
        return ConversationHandler.END
    _CATAT.get(context)["origin"] = message.message_id
    _CATAT.touch(context)
    rows = [[(channel.label, f"catat:saluran:{channel.value}")] for channel in _CHANNEL_ORDER]
    rows.append([(texts.CATAT_CANCEL_BUTTON, "catat:batal")])
    await answer(update, context, texts.CATAT_ASK_CHANNEL, keyboard(rows))
    return CHANNEL


async def _edit(update: Update, html: str, markup: Any = None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(html, parse_mode="HTML", reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def channel_chosen(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    channel = Channel(query.data.removeprefix("catat:saluran:"))
    _CATAT.get(context)["channel"] = channel.value
    _CATAT.touch(context)
    rows = [[(tier.label, f"catat:tingkat:{tier.value}")] for tier in Tier]
    rows.append([(texts.CATAT_CANCEL_BUTTON, "catat:batal")])
    await _edit(update, f"{texts.catat_chosen(channel.label)}\n\n{texts.CATAT_ASK_TIER}", keyboard(rows))
    return TIER


async def tier_chosen(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    tier = Tier(query.data.removeprefix("catat:tingkat:"))
    draft = _CATAT.get(context)
    draft["tier"] = tier.value
    _CATAT.touch(context)
    await _edit(update, texts.catat_chosen(Channel(draft["channel"]).label, tier.label))
    await _prompt(update, context, texts.CATAT_ASK_NAME, texts.CATAT_NAME_PLACEHOLDER)
    return NAME


async def name_given(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None
    name = check_name(message.text or "")
    if name is None:
        await answer(update, context, texts.catat_try_again(texts.CATAT_NAME_INVALID))
        await _prompt(update, context, texts.CATAT_ASK_NAME, texts.CATAT_NAME_PLACEHOLDER)
        return NAME
    _CATAT.get(context)["name"] = name
    _CATAT.touch(context)
    await _prompt(update, context, texts.CATAT_ASK_CONTACT, texts.CATAT_CONTACT_PLACEHOLDER)
    return CONTACT


async def contact_given(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None
    contact = normalise_contact(message.text or "")
    if contact is None:
        await answer(update, context, texts.catat_try_again(texts.CATAT_CONTACT_INVALID))
        await _prompt(update, context, texts.CATAT_ASK_CONTACT, texts.CATAT_CONTACT_PLACEHOLDER)
        return CONTACT
    _CATAT.get(context)["contact"] = contact
    _CATAT.touch(context)
    await _ask_description(update, context)
    return DESCRIPTION


async def _ask_description(update: Update, context: Context) -> None:
    limits = context.desk.settings.limits
    await _prompt(update, context,
                  texts.catat_ask_description(limits.description_min_chars, limits.description_max_chars),
                  texts.CATAT_DESCRIPTION_PLACEHOLDER)


async def description_given(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    problem = description_problem(context.desk, text)
    if problem is not None:
        await answer(update, context, texts.catat_try_again(problem))
        await _ask_description(update, context)
        return DESCRIPTION
    draft = _CATAT.get(context)
    try:
        data = OfflineInput(Channel(draft["channel"]), Tier(draft["tier"]), draft["name"],
                            draft["contact"], text.strip())
    except (KeyError, ValueError):
        # A draft from an older version or a lost step: start over rather than store half of it.
        _CATAT.drop(context)
        await answer(update, context, texts.CATAT_EXPIRED)
        return ConversationHandler.END
    await record_offline(update, context, data)
    _CATAT.drop(context)
    return ConversationHandler.END


async def catat_cancel(update: Update, context: Context) -> int:
    query = update.callback_query
    _CATAT.drop(context)
    if query is not None:
        await query.answer()
        await _edit(update, texts.CATAT_CANCELLED)
    else:
        await answer(update, context, texts.CATAT_CANCELLED)
    return ConversationHandler.END


async def stray_catat_button(update: Update, context: Context) -> None:
    """A flow button of someone else's (or a finished) /catat: a toast, nothing else."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.CATAT_TOAST_INACTIVE)


def _step(callback: Handler) -> Handler:
    """Every step of the flow: only in the staff chat, and only while the draft is fresh."""

    async def run(update: Update, context: Context) -> Any:
        if not in_staff_chat(update, context):
            return None
        if _expired(context):
            _CATAT.drop(context)
            if update.callback_query is not None:
                await update.callback_query.answer()
                await remove_buttons(update)
            await answer(update, context, texts.CATAT_EXPIRED)
            return ConversationHandler.END
        return await callback(update, context)

    return run


class _ReplyToBot(filters.MessageFilter):
    """A reply to one of the bot's messages: what the guided flow's prompts ask for.

    In privacy mode a group bot sees nothing else anyway; with privacy off, this keeps staff
    chatter from being taken as the reporter's name.
    """

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return replied is not None and replied.from_user is not None and replied.from_user.is_bot


def build_catat_conversation(application: Application) -> ConversationHandler[Any]:  # type: ignore[type-arg]
    answer_text = filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & _ReplyToBot()
    channels = "|".join(channel.value for channel in OFFLINE_CHANNELS)
    tiers = "|".join(tier.value for tier in Tier)
    states: dict[object, list[Any]] = {
        CHANNEL: [CallbackQueryHandler(_step(channel_chosen), pattern=rf"^catat:saluran:({channels})$")],
        TIER: [CallbackQueryHandler(_step(tier_chosen), pattern=rf"^catat:tingkat:({tiers})$")],
        NAME: [MessageHandler(answer_text, _step(name_given))],
        CONTACT: [MessageHandler(answer_text, _step(contact_given))],
        DESCRIPTION: [MessageHandler(answer_text, _step(description_given))],
    }
    fallbacks: list[Any] = [
        CommandHandler("batal", staff_only(catat_cancel)),
        CallbackQueryHandler(staff_only(catat_cancel), pattern=r"^catat:batal$"),
    ]
    with warnings.catch_warnings():
        # per_message=False is deliberate: the flow belongs to one officer in the staff chat.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        handler: ConversationHandler[Any] = ConversationHandler(
            entry_points=[CommandHandler("catat", staff_only(catat_entry))],
            states=states,
            fallbacks=fallbacks,
            per_chat=True,
            per_user=True,
            name="catat",
            persistent=True,
            allow_reentry=True,
        )
    return handler


# --- rating buttons -------------------------------------------------------------------------------


async def rating_button(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    parsed = parse_rating_callback(query.data)
    if parsed is None or not in_private_chat(update):
        await query.answer()
        return
    code, value = parsed
    tickets: TicketService = context.desk.tickets
    try:
        await tickets.rate(code, user.id, value, idempotency_key=operation_key(update, "rate"))
    except TicketError as error:
        await query.answer(_rating_refusal(error, tickets), show_alert=False)
    else:
        await query.answer(texts.rating_thanks_toast(value))
    await remove_buttons(update)


def _rating_refusal(error: TicketError, tickets: TicketService) -> str:
    if isinstance(error, AlreadyRated):
        return texts.rating_already_given()
    if isinstance(error, RatingWindowClosed):
        return texts.rating_window_over(tickets.RATING_WINDOW.days)
    if isinstance(error, NotClosedYet):
        return texts.rating_not_closed()
    if isinstance(error, InvalidRating):
        return texts.rating_invalid()
    return texts.RATING_UNAVAILABLE  # not the owner or no such ticket: reveal nothing


# --- /laporan -------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def default_month(today: dt.date) -> tuple[int, int]:
    """The previous month in the first days of a month (it is complete), else this month so far."""
    if today.day <= report_texts.DEFAULT_PREVIOUS_MONTH_UNTIL_DAY:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.year, last.month
    return today.year, today.month


def parse_report_month(text: str) -> tuple[int, int] | None:
    match = _MONTH.match(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return year, month


def _report_files(figures: Any, year: int, month: int) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    """Writes the CSV and the chart into a temporary folder and reads them back (a thread)."""
    with tempfile.TemporaryDirectory(prefix="laporan-") as folder:
        csv_path, png_path = report_paths(Path(folder), year, month)
        write_csv(figures, csv_path)
        write_chart(figures, png_path)
        return (csv_path.name, csv_path.read_bytes()), (png_path.name, png_path.read_bytes())


async def laporan(update: Update, context: Context) -> None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    desk = context.desk
    now = desk.clock()
    args = command_remainder(message).split()
    if len(args) > 1:
        await answer(update, context, report_texts.LAPORAN_USAGE)
        return
    if args:
        chosen = parse_report_month(args[0])
        if chosen is None:
            await answer(update, context, report_texts.laporan_bad_month(args[0]))
            return
    else:
        chosen = default_month(now.astimezone(desk.zone).date())
    year, month = chosen
    if dt.datetime(year, month, 1, tzinfo=desk.zone) > now:
        await answer(update, context, report_texts.laporan_future_month(year, month))
        return
    figures = await month_figures(desk.db, desk.calendar, year, month, now=now)
    await answer(update, context, render_message(figures))
    (csv_name, csv_bytes), (png_name, png_bytes) = await asyncio.to_thread(_report_files, figures, year, month)
    await context.bot.send_document(chat.id, InputFile(csv_bytes, filename=csv_name),
                                    caption=report_texts.csv_caption(year, month), parse_mode="HTML")
    await context.bot.send_document(chat.id, InputFile(png_bytes, filename=png_name),
                                    caption=report_texts.chart_caption(year, month), parse_mode="HTML")


# --- registration ---------------------------------------------------------------------------------


def register(application: Application) -> None:  # type: ignore[type-arg]
    schedule_watch(application)
    schedule_spse(application)
    application.add_handler(CommandHandler("target", staff_only(target)), MAIN_GROUP)
    application.add_handler(CommandHandler("pin", staff_only(new_pin)), MAIN_GROUP)
    application.add_handler(CommandHandler("laporan", staff_only(laporan)), MAIN_GROUP)
    application.add_handler(build_catat_conversation(application), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(stray_catat_button, pattern=r"^catat:"), MAIN_GROUP)
    application.add_handler(
        CallbackQueryHandler(rating_button, pattern=rf"^{RATING_PREFIX}ADU-\d{{4}}-\d{{5}}:[1-5]$"), MAIN_GROUP
    )
