"""Complaints received off Telegram, recorded by an officer: ``/catat`` and ``/pin``.

``/catat`` (staff chat): a complaint received face to face, by phone, e-mail or the complaint box, in one
command or in a short guided flow; the officer gets the code and the PIN to hand to the reporter, who links
the ticket with ``/status KODE PIN`` (citizen.py). ``/pin KODE`` issues a new PIN when the first was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import ForceReply, Message, Update
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

from bot.delivery.context import Desk
from bot.domain import callbacks as cb
from bot.domain.contacts import enough_letters, normalise_contact, tidy_name
from bot.domain.moments import parse_date_and_time
from bot.domain.tickets import Channel, parse_ticket_code
from bot.domain.tiers import MatterKind, Tier
from bot.services.recorded import (
    OFFLINE_CHANNELS,
    OfflineError,
    TicketAlreadyLinked,
    issue_new_pin,
    register_offline,
)
from bot.services.tickets import (
    TicketClosed,
    TicketNotFound,
)
from bot.texts import watch as texts
from bot.texts.labels import channel_label, kind_label, parse_tier, tier_label
from handlers.groups import MAIN_GROUP
from handlers.util import (
    Context,
    Draft,
    StaffHandler,
    answer,
    command_remainder,
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

RECORDING_DRAFT_KEY = "catat_draft"


class RecordingStep(StrEnum):
    """The /catat conversation's steps. Stored with every conversation in flight: never rename a value
    (storage/migrations/0007 rewrote the integers of older releases)."""

    CHANNEL = "catat.channel"
    TIER = "catat.tier"
    NAME = "catat.name"
    CONTACT = "catat.contact"
    DESCRIPTION = "catat.description"
    RECEIVED = "catat.received"  # when the complaint was received (default: now)
    KIND = "catat.kind"  # its kind (pertanyaan, aturan, layanan, pelanggaran)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


_CHANNEL_ALIASES: dict[str, Channel] = {
    **{_key(channel.value): channel for channel in OFFLINE_CHANNELS},
    **{_key(channel_label(channel)): channel for channel in OFFLINE_CHANNELS},
    "tatap": Channel.IN_PERSON, "langsung": Channel.IN_PERSON, "loket": Channel.IN_PERSON,
    "telpon": Channel.PHONE, "telp": Channel.PHONE, "tlp": Channel.PHONE,
    "phone": Channel.PHONE, "contactcenter": Channel.PHONE, "cc": Channel.PHONE,
    "surel": Channel.EMAIL, "mail": Channel.EMAIL,
    "kotak": Channel.COMPLAINT_BOX, "kotaksaran": Channel.COMPLAINT_BOX,
    "surat": Channel.COMPLAINT_BOX,
}
_CHANNEL_ORDER = (Channel.IN_PERSON, Channel.PHONE, Channel.EMAIL, Channel.COMPLAINT_BOX)


def parse_channel(text: str) -> Channel | None:
    return _CHANNEL_ALIASES.get(_key(text))


@dataclass(frozen=True)
class OfflineInput:
    channel: Channel
    tier: Tier
    name: str
    contact: str
    description: str
    received_at: dt.datetime | None = None  # None: now
    kind: MatterKind | None = None  # None: the kind whose base tier is ``tier``


def description_problem(desk: Desk, text: str) -> str | None:
    limits = desk.settings.limits
    length = len(text.strip())
    if length < limits.description_min_chars:
        return texts.recording_description_short(limits.description_min_chars)
    if length > limits.description_max_chars:
        return texts.recording_description_long(length, limits.description_max_chars)
    if not enough_letters(text, max(1, limits.description_min_chars // 2)):
        return texts.RECORDING_DESCRIPTION_NEEDS_WORDS
    return None


def parse_recording(desk: Desk, text: str) -> OfflineInput | str:
    """``SALURAN TINGKAT | nama | kontak | uraian`` → the input, or what is wrong (plain text)."""
    parts = [part.strip() for part in text.split("|", 3)]
    if len(parts) != 4 or not all(parts):
        return texts.RECORDING_MISSING_PARTS
    head, name_text, contact_text, description = parts
    words = head.split()
    channel: Channel | None = None
    used = 0
    for count in (2, 1):  # "tatap muka", "kotak pengaduan" are two words when typed with a space
        if len(words) >= count and (found := parse_channel(" ".join(words[:count]))) is not None:
            channel, used = found, count
            break
    if channel is None:
        return texts.recording_unknown_channel(words[0] if words else head)
    rest = words[used:]
    # An optional receipt moment after the tier: "surat normatif 02-12-2026 14.30".
    at_date = next((index for index, word in enumerate(rest) if word[:1].isdigit()), len(rest))
    tier_text = " ".join(rest[:at_date])
    received: dt.datetime | None = None
    if at_date < len(rest):
        parsed = parse_date_and_time(" ".join(rest[at_date:]))
        if parsed is None:
            return texts.RECORDING_RECEIVED_INVALID
        received = dt.datetime.combine(parsed[0], parsed[1] or dt.time(0, 0), tzinfo=desk.zone)
        if received > desk.clock():
            return texts.RECORDING_RECEIVED_FUTURE
    if not tier_text:
        return texts.RECORDING_NO_TIER
    try:
        tier = parse_tier(tier_text)
    except ValueError:
        return texts.recording_unknown_tier(tier_text)
    name = tidy_name(name_text)
    if name is None:
        return texts.RECORDING_NAME_INVALID
    contact = normalise_contact(contact_text)
    if contact is None:
        return texts.RECORDING_CONTACT_INVALID
    problem = description_problem(desk, description)
    if problem is not None:
        return problem
    return OfflineInput(channel, tier, name, contact, description.strip(), received)


async def record_offline(update: Update, context: Context, data: OfflineInput) -> bool:
    """Files the complaint and shows the officer the code, deadline and PIN; False if refused."""
    desk = context.desk
    try:
        ticket, pin = await register_offline(
            desk.tickets, data.channel, data.name, data.contact, data.description, data.tier,
            staff_actor(update), data.received_at, idempotency_key=operation_key(update, "catat"),
            matter_kind=data.kind,
        )
    except OfflineError as error:
        await answer(update, context, texts.recording_refused(str(error)))
        return False
    # The ticket card comes from the outbox; this message is the receipt for the reporter.
    await answer(update, context, texts.offline_registered_for_staff(ticket, pin, desk.zone, context.bot.username))
    return True


_RECORDING_DRAFT = Draft(RECORDING_DRAFT_KEY)





def _expired(context: Context) -> bool:
    return _RECORDING_DRAFT.idle_too_long(context, untouched_counts=True)


def _cancel_markup() -> Any:
    return keyboard([[(texts.RECORDING_CANCEL_BUTTON, cb.RECORDING_CANCEL.build())]])


async def _prompt(update: Update, context: Context, html: str, placeholder: str) -> None:
    """A question the officer answers by replying (ForceReply opens the reply in the client)."""
    chat = update.effective_chat
    assert chat is not None
    origin = _RECORDING_DRAFT.get(context).get("origin")
    await send_html(context, chat.id, html,
                    ForceReply(selective=True, input_field_placeholder=placeholder),
                    reply_to_message_id=origin)


async def recording_entry(update: Update, context: Context) -> RecordingStep | int:
    """``/catat …`` files at once; a bare ``/catat`` starts the guided flow."""
    message = update.effective_message
    assert message is not None
    _RECORDING_DRAFT.drop(context)
    remainder = command_remainder(message)
    if remainder:
        parsed = parse_recording(context.desk, remainder)
        if isinstance(parsed, str):
            await answer(update, context, texts.recording_problem(parsed))
        else:
            await record_offline(update, context, parsed)
        return ConversationHandler.END
    _RECORDING_DRAFT.get(context)["origin"] = message.message_id
    _RECORDING_DRAFT.touch(context)
    rows = [[(channel_label(channel), cb.RECORDING_CHANNEL.build(channel=channel.value))] for channel in _CHANNEL_ORDER]
    rows.append([(texts.RECORDING_CANCEL_BUTTON, cb.RECORDING_CANCEL.build())])
    await answer(update, context, texts.RECORDING_ASK_CHANNEL, keyboard(rows))
    return RecordingStep.CHANNEL


async def _edit(update: Update, html: str, markup: Any = None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(html, parse_mode="HTML", reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def channel_chosen(update: Update, context: Context) -> RecordingStep | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    channel = Channel(cb.RECORDING_CHANNEL.field(query.data, "channel"))
    _RECORDING_DRAFT.get(context)["channel"] = channel.value
    _RECORDING_DRAFT.touch(context)
    rows = [[(tier_label(tier), cb.RECORDING_TIER.build(tier=tier.value))] for tier in Tier]
    rows.append([(texts.RECORDING_CANCEL_BUTTON, cb.RECORDING_CANCEL.build())])
    await _edit(update, f"{texts.recording_chosen(channel_label(channel))}\n\n{texts.RECORDING_ASK_TIER}", keyboard(rows))
    return RecordingStep.TIER


async def tier_chosen(update: Update, context: Context) -> RecordingStep | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    tier = Tier(cb.RECORDING_TIER.field(query.data, "tier"))
    draft = _RECORDING_DRAFT.get(context)
    draft["tier"] = tier.value
    _RECORDING_DRAFT.touch(context)
    await _edit(update, texts.recording_chosen(channel_label(Channel(draft["channel"])), tier_label(tier)))
    await _ask_received(update, context)
    return RecordingStep.RECEIVED


async def _ask_received(update: Update, context: Context) -> None:
    chat = update.effective_chat
    assert chat is not None
    markup = keyboard([[(texts.RECORDING_RECEIVED_NOW_BUTTON, cb.RECORDING_RECEIVED.build(when="sekarang"))],
                       [(texts.RECORDING_CANCEL_BUTTON, cb.RECORDING_CANCEL.build())]])
    await send_html(context, chat.id, texts.RECORDING_ASK_RECEIVED, markup,
                    reply_to_message_id=_RECORDING_DRAFT.get(context).get("origin"))


async def received_now(update: Update, context: Context) -> RecordingStep | int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    _RECORDING_DRAFT.get(context)["received_at"] = None
    _RECORDING_DRAFT.touch(context)
    await _edit(update, _received_summary(context))
    await _ask_kind(update, context)
    return RecordingStep.KIND


async def received_given(update: Update, context: Context) -> RecordingStep | int:
    """A reply with the date (and time) the complaint arrived: not in the future."""
    message = update.effective_message
    assert message is not None
    desk = context.desk
    parsed = parse_date_and_time(message.text or "")
    if parsed is None:
        await answer(update, context, texts.recording_try_again(texts.RECORDING_RECEIVED_INVALID))
        await _ask_received(update, context)
        return RecordingStep.RECEIVED
    day, time = parsed
    received = dt.datetime.combine(day, time or dt.time(0, 0), tzinfo=desk.zone)
    if received > desk.clock():
        await answer(update, context, texts.recording_try_again(texts.RECORDING_RECEIVED_FUTURE))
        await _ask_received(update, context)
        return RecordingStep.RECEIVED
    _RECORDING_DRAFT.get(context)["received_at"] = received.isoformat()
    _RECORDING_DRAFT.touch(context)
    await answer(update, context, _received_summary(context))
    await _ask_kind(update, context)
    return RecordingStep.KIND


def _received_summary(context: Context, kind_label: str | None = None) -> str:
    draft = _RECORDING_DRAFT.get(context)
    received = draft.get("received_at")
    return texts.recording_received(channel_label(Channel(draft["channel"])), tier_label(Tier(draft["tier"])),
                                    dt.datetime.fromisoformat(received) if received else None,
                                    context.desk.zone, kind_label)


async def _ask_kind(update: Update, context: Context) -> None:
    chat = update.effective_chat
    assert chat is not None
    rows = [[(kind_label(kind), cb.RECORDING_KIND.build(kind=kind.value))] for kind in MatterKind]
    rows.append([(texts.RECORDING_CANCEL_BUTTON, cb.RECORDING_CANCEL.build())])
    await send_html(context, chat.id, texts.RECORDING_ASK_KIND, keyboard(rows),
                    reply_to_message_id=_RECORDING_DRAFT.get(context).get("origin"))


async def kind_chosen(update: Update, context: Context) -> RecordingStep | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    kind = MatterKind(cb.RECORDING_KIND.field(query.data, "kind"))
    _RECORDING_DRAFT.get(context)["kind"] = kind.value
    _RECORDING_DRAFT.touch(context)
    await _edit(update, _received_summary(context, kind_label(kind)))
    await _prompt(update, context, texts.RECORDING_ASK_NAME, texts.RECORDING_NAME_PLACEHOLDER)
    return RecordingStep.NAME


async def name_given(update: Update, context: Context) -> RecordingStep | int:
    message = update.effective_message
    assert message is not None
    name = tidy_name(message.text or "")
    if name is None:
        await answer(update, context, texts.recording_try_again(texts.RECORDING_NAME_INVALID))
        await _prompt(update, context, texts.RECORDING_ASK_NAME, texts.RECORDING_NAME_PLACEHOLDER)
        return RecordingStep.NAME
    _RECORDING_DRAFT.get(context)["name"] = name
    _RECORDING_DRAFT.touch(context)
    await _prompt(update, context, texts.RECORDING_ASK_CONTACT, texts.RECORDING_CONTACT_PLACEHOLDER)
    return RecordingStep.CONTACT


async def contact_given(update: Update, context: Context) -> RecordingStep | int:
    message = update.effective_message
    assert message is not None
    contact = normalise_contact(message.text or "")
    if contact is None:
        await answer(update, context, texts.recording_try_again(texts.RECORDING_CONTACT_INVALID))
        await _prompt(update, context, texts.RECORDING_ASK_CONTACT, texts.RECORDING_CONTACT_PLACEHOLDER)
        return RecordingStep.CONTACT
    _RECORDING_DRAFT.get(context)["contact"] = contact
    _RECORDING_DRAFT.touch(context)
    await _ask_description(update, context)
    return RecordingStep.DESCRIPTION


async def _ask_description(update: Update, context: Context) -> None:
    limits = context.desk.settings.limits
    await _prompt(update, context,
                  texts.recording_ask_description(limits.description_min_chars, limits.description_max_chars),
                  texts.RECORDING_DESCRIPTION_PLACEHOLDER)


async def description_given(update: Update, context: Context) -> RecordingStep | int:
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    problem = description_problem(context.desk, text)
    if problem is not None:
        await answer(update, context, texts.recording_try_again(problem))
        await _ask_description(update, context)
        return RecordingStep.DESCRIPTION
    draft = _RECORDING_DRAFT.get(context)
    try:
        received = draft.get("received_at")
        kind = draft.get("kind")
        data = OfflineInput(Channel(draft["channel"]), Tier(draft["tier"]), draft["name"],
                            draft["contact"], text.strip(),
                            dt.datetime.fromisoformat(received) if received else None,
                            MatterKind(kind) if kind else None)
    except (KeyError, ValueError):
        # A draft from an older version or a lost step: start over rather than store half of it.
        _RECORDING_DRAFT.drop(context)
        await answer(update, context, texts.RECORDING_EXPIRED)
        return ConversationHandler.END
    await record_offline(update, context, data)
    _RECORDING_DRAFT.drop(context)
    return ConversationHandler.END


async def recording_cancel(update: Update, context: Context) -> RecordingStep | int:
    query = update.callback_query
    _RECORDING_DRAFT.drop(context)
    if query is not None:
        await query.answer()
        await _edit(update, texts.RECORDING_CANCELLED)
    else:
        await answer(update, context, texts.RECORDING_CANCELLED)
    return ConversationHandler.END


async def stray_recording_button(update: Update, context: Context) -> None:
    """A flow button of someone else's (or a finished) /catat: a toast, nothing else."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.RECORDING_TOAST_INACTIVE)


def _step(callback: Handler) -> Handler:
    """Every step of the flow: only in the staff chat, and only while the draft is fresh."""

    async def run(update: Update, context: Context) -> Any:
        if not in_staff_chat(update, context):
            return None
        if _expired(context):
            _RECORDING_DRAFT.drop(context)
            if update.callback_query is not None:
                await update.callback_query.answer()
                await remove_buttons(update)
            await answer(update, context, texts.RECORDING_EXPIRED)
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


def build_recording_conversation(application: Application) -> ConversationHandler[Any]:  # type: ignore[type-arg]
    answer_text = filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & _ReplyToBot()
    channels = "|".join(channel.value for channel in OFFLINE_CHANNELS)
    tiers = "|".join(tier.value for tier in Tier)
    states: dict[object, list[Any]] = {
        RecordingStep.CHANNEL: [CallbackQueryHandler(_step(channel_chosen), pattern=rf"^catat:saluran:({channels})$")],
        RecordingStep.TIER: [CallbackQueryHandler(_step(tier_chosen), pattern=rf"^catat:tingkat:({tiers})$")],
        RecordingStep.RECEIVED: [CallbackQueryHandler(_step(received_now), pattern=cb.RECORDING_RECEIVED.pattern),
                                 MessageHandler(answer_text, _step(received_given))],
        RecordingStep.KIND: [CallbackQueryHandler(_step(kind_chosen), pattern=cb.RECORDING_KIND.pattern)],
        RecordingStep.NAME: [MessageHandler(answer_text, _step(name_given))],
        RecordingStep.CONTACT: [MessageHandler(answer_text, _step(contact_given))],
        RecordingStep.DESCRIPTION: [MessageHandler(answer_text, _step(description_given))],
    }
    fallbacks: list[Any] = [
        CommandHandler("batal", staff_only(recording_cancel)),
        CallbackQueryHandler(staff_only(recording_cancel), pattern=cb.RECORDING_CANCEL.pattern),
    ]
    with warnings.catch_warnings():
        # per_message=False is deliberate: the flow belongs to one officer in the staff chat.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        handler: ConversationHandler[Any] = ConversationHandler(
            entry_points=[CommandHandler("catat", staff_only(recording_entry))],
            states=states,
            fallbacks=fallbacks,
            per_chat=True,
            per_user=True,
            name="catat",
            persistent=True,
            allow_reentry=True,
        )
    return handler




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
        await answer(update, context, texts.new_pin_for_staff(ticket, pin, desk.zone, context.bot.username))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("pin", staff_only(new_pin)), MAIN_GROUP)
    application.add_handler(build_recording_conversation(application), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(stray_recording_button, pattern=cb.RECORDING_ANY.pattern), MAIN_GROUP)
