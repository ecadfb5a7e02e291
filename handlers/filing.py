"""The guided filing conversation (/lapor): seven short steps, then one atomic filing.

The draft lives in ``user_data`` (persisted in SQLite after every update), so a restart
resumes at the same step with the same answers. Nothing reaches the ticket store before the
citizen presses «Kirim»; that press files exactly once even when it is delivered twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import warnings
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain import callbacks as cb
from bot.domain.classifier import Classification
from bot.domain.contacts import (
    PACKAGE_CODE_PATTERN,
    enough_letters,
    means_skip,
    normalise_contact,
    normalise_phone,
)
from bot.domain.privacy import alleges_wrongdoing
from bot.domain.tickets import Attachment, NewComplaint
from bot.domain.tiers import MatterKind, Tier
from bot.texts import common as common_texts
from bot.texts import filing as texts
from bot.texts import followup as followup_texts
from handlers import albums
from handlers.groups import MAIN_GROUP
from handlers.util import (
    FILING_DRAFT_KEY,
    FREE_MESSAGE_HOOKS,
    Context,
    Draft,
    attachment_of,
    evidence_refusal,
    in_private_chat,
    keyboard,
    remove_buttons,
    reply_html,
    send_html,
    too_large,
)

DRAFT = FILING_DRAFT_KEY


class FilingStep(StrEnum):
    """The filing conversation's steps. Stored with every conversation in flight: never rename a value
    (storage/migrations/0007 rewrote the integers of older releases)."""

    NAME = "filing.name"
    CONTACT = "filing.contact"
    KIND = "filing.kind"
    PACKAGE = "filing.package"
    DESCRIPTION = "filing.description"
    EVIDENCE = "filing.evidence"
    CONFIDENTIAL = "filing.confidential"
    CONFIRM = "filing.confirm"
    EDIT = "filing.edit"


# What a step callback returns: the next step, or ConversationHandler.END (an int).
NextStep = FilingStep | int


# --- draft helpers ------------------------------------------------------------------------


_DRAFT = Draft(DRAFT)




def _expired(context: Context) -> bool:
    """True when the draft sat idle past the timeout (also after a restart lost the timer)."""
    return _DRAFT.idle_too_long(context, untouched_counts=False)



def _editing(context: Context) -> bool:
    return bool(_DRAFT.get(context).get("editing"))


# --- the steps ------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> NextStep:
    if update.callback_query is not None:
        await update.callback_query.answer()
    if not in_private_chat(update):
        return ConversationHandler.END
    filed_today = await _filed_today(update, context)
    if filed_today >= context.desk.settings.limits.complaints_per_day:
        # Told before step 1, not after seven steps at «Kirim»; a draft in progress is kept.
        await reply_html(update, context, common_texts.COMPLAINTS_PER_DAY_REACHED.format(count=filed_today))
        return ConversationHandler.END
    if context.user_data and context.user_data.get(DRAFT):
        await reply_html(update, context, texts.RESTARTED)
    _DRAFT.drop(context)
    _DRAFT.touch(context)
    return await ask_name(update, context)


async def _filed_today(update: Update, context: Context) -> int:
    """How many complaints the citizen filed since midnight (WITA): the daily limit counts these."""
    user = update.effective_user
    assert user is not None
    desk = context.desk
    today_start = desk.clock().astimezone(desk.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return await desk.tickets.filed_since(user.id, today_start)


async def ask_name(update: Update, context: Context) -> NextStep:
    user = update.effective_user
    name = user.full_name if user else ""
    if name and len(name.strip()) >= 2:
        markup = keyboard([[(texts.use_name_button(name), cb.FILING_USE_TELEGRAM_NAME.build())]])
        await reply_html(update, context, texts.ASK_NAME, markup)
    else:
        await reply_html(update, context, texts.ASK_NAME_TYPED)
    return FilingStep.NAME


async def name_from_telegram(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await query.answer()
    return await _set_name(update, context, update.effective_user.full_name)


async def name_typed(update: Update, context: Context) -> NextStep:
    message = update.effective_message
    assert message is not None
    return await _set_name(update, context, message.text or "")


async def _set_name(update: Update, context: Context, name: str) -> NextStep:
    name = " ".join(name.split())
    if not 2 <= len(name) <= 100 or not any(ch.isalpha() for ch in name):
        await reply_html(update, context, texts.NAME_INVALID)
        return FilingStep.NAME
    _DRAFT.get(context)["name"] = name
    return await _next(update, context, ask_contact)


async def ask_contact(update: Update, context: Context) -> NextStep:
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton(texts.SHARE_PHONE_BUTTON, request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
    await reply_html(update, context, texts.ASK_CONTACT, markup)
    return FilingStep.CONTACT


async def contact_shared(update: Update, context: Context) -> NextStep:
    message = update.effective_message
    assert message is not None and message.contact is not None
    user = update.effective_user
    if message.contact.user_id is not None and user is not None and message.contact.user_id != user.id:
        await reply_html(update, context, texts.CONTACT_NOT_YOURS)
        return FilingStep.CONTACT
    phone = normalise_phone(message.contact.phone_number, international=True)
    if phone is None:
        await reply_html(update, context, texts.CONTACT_INVALID)
        return FilingStep.CONTACT
    return await _set_contact(update, context, phone)


async def contact_typed(update: Update, context: Context) -> NextStep:
    message = update.effective_message
    assert message is not None
    return await _contact_text(update, context, message.text or "")


async def _contact_text(update: Update, context: Context, text: str) -> NextStep:
    contact = normalise_contact(text)
    if contact is None:
        await reply_html(update, context, texts.CONTACT_INVALID)
        return FilingStep.CONTACT
    return await _set_contact(update, context, contact)


async def _set_contact(update: Update, context: Context, contact: str) -> NextStep:
    _DRAFT.get(context)["contact"] = contact
    # Take the one-time phone keyboard away before showing inline buttons.
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, texts.CONTACT_SAVED, reply_markup=ReplyKeyboardRemove())
    return await _next(update, context, ask_kind)


async def ask_kind(update: Update, context: Context) -> NextStep:
    rows = [[(label, cb.FILING_KIND.build(kind=kind.value))] for kind, label in texts.KIND_BUTTONS.items()]
    await reply_html(update, context, texts.ASK_KIND, keyboard(rows))
    return FilingStep.KIND


async def kind_chosen(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _DRAFT.get(context)["kind"] = MatterKind(cb.FILING_KIND.field(query.data, "kind")).value
    return await _next(update, context, ask_package)


async def kind_typed(update: Update, context: Context) -> NextStep:
    await reply_html(update, context, texts.KIND_BY_BUTTON_TEXT)
    return await ask_kind(update, context)


async def ask_package(update: Update, context: Context) -> NextStep:
    await reply_html(update, context, texts.ASK_PACKAGE, keyboard([[(texts.SKIP_BUTTON, cb.FILING_SKIP_PACKAGE.build())]]))
    return FilingStep.PACKAGE


async def package_typed(update: Update, context: Context) -> NextStep:
    message = update.effective_message
    assert message is not None
    return await _package_text(update, context, message.text or "")


async def _package_text(update: Update, context: Context, text: str) -> NextStep:
    draft = _DRAFT.get(context)
    if means_skip(text):  # typing "Lewati" works like the button
        draft["package_code"] = None
        return await _next(update, context, ask_description)
    code = re.sub(r"\s", "", text)
    if not PACKAGE_CODE_PATTERN.match(code):
        await reply_html(update, context, texts.PACKAGE_INVALID, keyboard([[(texts.SKIP_BUTTON, cb.FILING_SKIP_PACKAGE.build())]]))
        return FilingStep.PACKAGE
    draft["package_code"] = code
    draft.pop("package_name", None)
    draft.pop("package_unknown", None)
    # A code we do not know is accepted (the data may lag behind SPSE) but flagged.
    package = await context.desk.packages.get(code)
    if package is not None:
        draft["package_name"] = package.name
    else:
        draft["package_unknown"] = True
        await reply_html(update, context, texts.package_not_known(code))
    return await _next(update, context, ask_description)


async def package_skipped(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None
    await query.answer()
    _DRAFT.get(context)["package_code"] = None
    return await _next(update, context, ask_description)


def _chosen_kind(context: Context) -> MatterKind | None:
    kind = _DRAFT.get(context).get("kind")
    return MatterKind(kind) if kind in {k.value for k in MatterKind} else None


async def ask_description(update: Update, context: Context) -> NextStep:
    minimum = context.desk.settings.limits.description_min_chars
    await reply_html(update, context, texts.ask_description(_chosen_kind(context), minimum))
    return FilingStep.DESCRIPTION


async def description_typed(update: Update, context: Context) -> NextStep:
    message = update.effective_message
    assert message is not None
    return await _description_text(update, context, message.text or "")


def _description_problem(context: Context, text: str) -> str | None:
    """Why ``text`` cannot be the description (worded), or None."""
    limits = context.desk.settings.limits
    if len(text) >= limits.description_min_chars and not enough_letters(text, _letters_needed(context)):
        return texts.DESCRIPTION_NEEDS_WORDS
    if len(text) < limits.description_min_chars:
        return texts.description_too_short(len(text), limits.description_min_chars)
    if len(text) > limits.description_max_chars:
        return texts.description_too_long(len(text), limits.description_max_chars)
    return None


async def _description_text(update: Update, context: Context, text: str) -> NextStep:
    text = text.strip()
    problem = _description_problem(context, text)
    if problem is not None:
        await reply_html(update, context, problem)
        return FilingStep.DESCRIPTION
    _DRAFT.get(context)["description"] = text
    return await _next(update, context, ask_evidence)


async def description_file(update: Update, context: Context) -> NextStep:
    """A photo or document at the description step loses nothing: the file is kept as evidence,
    and its caption, when it reads as a description, is the description (people often write the
    whole complaint under a photo)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    caption = (message.caption or "").strip()
    problem = _description_problem(context, caption) if caption else None
    as_description = bool(caption) and problem is None
    attachment = attachment_of(message, with_caption=not as_description)
    draft = _DRAFT.get(context)
    files: list[dict[str, Any]] = draft.setdefault("attachments", [])
    refusal = _file_refusal(context, attachment, files)
    if refusal is None and attachment is not None:
        files.append(attachment.model_dump())
    if as_description:
        draft["description"] = caption
    _DRAFT.touch(context)
    if message.media_group_id is not None:
        # One acknowledgement for the album (handlers.albums), worded for the step it leaves.
        albums.note_part(context, user_id=user.id, chat_id=message.chat_id, media_group_id=message.media_group_id,
                         target=albums.FILING, accepted=attachment if refusal is None else None, refusal=refusal)
        if not as_description:
            return FilingStep.DESCRIPTION
        return await show_summary(update, context) if _editing(context) else FilingStep.EVIDENCE
    if as_description:
        received = refusal or texts.evidence_received(len(files))

        async def ask(update: Update, context: Context) -> NextStep:
            return await ask_evidence(update, context, before=received)

        return await _next(update, context, ask)
    kept = len(files) if refusal is None else None
    await reply_html(update, context, texts.file_kept_ask_description(kept, refusal, problem))
    return FilingStep.DESCRIPTION


def _letters_needed(context: Context) -> int:
    """Letters a description needs: half its minimum length (so 21 emoji are not a complaint)."""
    return max(1, context.desk.settings.limits.description_min_chars // 2)


async def ask_evidence(update: Update, context: Context, *, before: str = "") -> NextStep:
    """Step 6; ``before``: a line that belongs on top (a file kept at step 5)."""
    done = keyboard([[(texts.EVIDENCE_DONE_BUTTON, cb.FILING_EVIDENCE_DONE.build())]])
    prompt = texts.ask_evidence(_chosen_kind(context))
    await reply_html(update, context, f"{before}\n\n{prompt}" if before else prompt, done)
    return FilingStep.EVIDENCE


def _file_refusal(context: Context, attachment: Attachment | None, files: list[dict[str, Any]]) -> str | None:
    """Why a file cannot be evidence (worded), or None: type, allow-list, size, count."""
    limits = context.desk.settings.limits
    if attachment is None:
        return texts.EVIDENCE_WRONG_TYPE
    refusal = evidence_refusal(attachment)
    if refusal is None and too_large(context.desk, attachment):
        refusal = texts.file_too_large(limits.max_file_mb)
    if refusal is None and len(files) >= limits.evidence_max_files:
        refusal = texts.evidence_limit(limits.evidence_max_files)
    return refusal


async def evidence_album_part(update: Update, context: Context) -> NextStep:
    """One part of an album at the evidence step: kept or refused silently, acknowledged once
    for the whole album (handlers.albums)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.media_group_id is not None and user is not None
    files: list[dict[str, Any]] = _DRAFT.get(context).setdefault("attachments", [])
    attachment = attachment_of(message, with_caption=True)
    refusal = _file_refusal(context, attachment, files)
    if refusal is None and attachment is not None:
        files.append(attachment.model_dump())
    _DRAFT.touch(context)
    albums.note_part(context, user_id=user.id, chat_id=message.chat_id, media_group_id=message.media_group_id,
                     target=albums.FILING, accepted=attachment if refusal is None else None, refusal=refusal)
    return FilingStep.EVIDENCE


async def evidence_file(update: Update, context: Context) -> NextStep:
    message = update.effective_message
    assert message is not None
    if message.media_group_id is not None:
        return await evidence_album_part(update, context)
    attachment = attachment_of(message, with_caption=True)  # its caption goes to staff with it
    files: list[dict[str, Any]] = _DRAFT.get(context).setdefault("attachments", [])
    done = keyboard([[(texts.EVIDENCE_DONE_BUTTON, cb.FILING_EVIDENCE_DONE.build())]])
    refusal = _file_refusal(context, attachment, files)
    if refusal is not None or attachment is None:
        await reply_html(update, context, refusal or texts.EVIDENCE_WRONG_TYPE, done)
        return FilingStep.EVIDENCE
    files.append(attachment.model_dump())
    _DRAFT.touch(context)
    await reply_html(update, context, texts.evidence_received(len(files), noted=attachment.caption is not None), done)
    return FilingStep.EVIDENCE


async def evidence_done(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None
    await query.answer()
    draft = _DRAFT.get(context)
    draft.setdefault("attachments", [])
    return await _next(update, context, show_summary)  # asks «rahasiakan» first when it applies


def _needs_confidentiality_answer(context: Context) -> bool:
    """The draft alleges wrongdoing (kind or tier, see bot.domain.privacy) and the citizen has not
    answered the «rahasiakan» question yet. Every way to the summary and to «Kirim» checks this:
    the kind chosen at step 3 or while editing, text that raises the tier, an edited description."""
    draft = _DRAFT.get(context)
    if "confidential" in draft:
        return False
    kind = MatterKind(draft.get("kind", MatterKind.QUESTION.value))
    return alleges_wrongdoing(kind, _predicted_tier(context))


async def ask_confidential(update: Update, context: Context) -> NextStep:
    markup = keyboard([[(texts.CONFIDENTIAL_YES, cb.FILING_CONFIDENTIAL.build(answer="ya"))],
                       [(texts.CONFIDENTIAL_NO, cb.FILING_CONFIDENTIAL.build(answer="tidak"))]])
    await reply_html(update, context, texts.ASK_CONFIDENTIAL, markup)
    _DRAFT.touch(context)
    return FilingStep.CONFIDENTIAL


async def confidential_chosen(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _DRAFT.get(context)["confidential"] = cb.FILING_CONFIDENTIAL.field(query.data, "answer") == "ya"
    return await _next(update, context, show_summary)


def _classification(context: Context) -> Classification:
    draft = _DRAFT.get(context)
    kind = MatterKind(draft.get("kind", MatterKind.QUESTION.value))
    return context.desk.classifier.classify(kind, draft.get("description", ""))


def _raised_by_text(result: Classification) -> bool:
    return result.escalated and result.base is not None and result.base < result.tier


def _predicted_tier(context: Context) -> Tier:
    result = _classification(context)
    if _DRAFT.get(context).get("disputed") and _raised_by_text(result) and result.base is not None:
        return result.base  # the citizen said «Ini bukan dugaan pelanggaran»
    return result.tier


async def show_summary(update: Update, context: Context) -> NextStep:
    draft = _DRAFT.get(context)
    draft.pop("editing", None)
    if _needs_confidentiality_answer(context):
        return await ask_confidential(update, context)
    tier = _predicted_tier(context)
    if draft.get("confidential") is False and not alleges_wrongdoing(MatterKind(draft["kind"]), tier):
        draft.pop("confidential", None)  # a «tidak» is asked again if the draft becomes wrongdoing
    result = _classification(context)
    rows = [[(texts.SEND_BUTTON, cb.FILING_SEND.build())]]
    note = ""
    if _raised_by_text(result):
        if draft.get("disputed"):
            note = texts.disputed_note(tier)
        else:
            note = texts.escalation_note(result.matched, result.tier)
            rows.append([(texts.NOT_WRONGDOING_BUTTON, cb.FILING_NOT_WRONGDOING.build())])
    text = texts.summary(draft, MatterKind(draft["kind"]), tier, bool(draft.get("confidential")),
                         note)
    markup = keyboard([
        *rows,
        [(texts.EDIT_BUTTON, cb.FILING_EDIT.build()), (texts.CANCEL_BUTTON, cb.FILING_CANCEL.build())],
    ])
    await reply_html(update, context, text, markup)
    return FilingStep.CONFIRM


async def not_wrongdoing(update: Update, context: Context) -> NextStep:
    """«Ini bukan dugaan pelanggaran»: the chosen kind's tier stands; recorded at filing."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _DRAFT.get(context)["disputed"] = True
    await remove_buttons(update)
    return await show_summary(update, context)


async def choose_field(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None
    await query.answer()
    rows = [[(label, cb.FILING_EDIT_FIELD.build(field=key))] for key, label in texts.EDIT_FIELDS.items()]
    await reply_html(update, context, texts.ASK_WHICH_FIELD, keyboard(rows))
    return FilingStep.EDIT


async def edit_field(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    field = cb.FILING_EDIT_FIELD.field(query.data, "field")
    draft = _DRAFT.get(context)
    draft["editing"] = True
    if field == "bukti" and draft.get("attachments"):
        # «Ubah» → «Bukti» adds to what was sent before (nothing sent is thrown away).
        await reply_html(update, context, texts.evidence_kept(len(draft["attachments"])))
    if field in ("jenis", "uraian"):
        # The tier may change: a «tidak» is asked again if the draft still alleges wrongdoing;
        # a «ya» stands (a request to be masked is never dropped silently).
        if draft.get("confidential") is not True:
            draft.pop("confidential", None)
        draft.pop("disputed", None)
    asks = {"nama": ask_name, "kontak": ask_contact, "jenis": ask_kind, "paket": ask_package,
            "uraian": ask_description, "bukti": ask_evidence}
    return await asks[field](update, context)


async def _next(update: Update, context: Context, ask: Any) -> NextStep:
    """Moves on: back to the summary when the citizen was editing one field, else the next step."""
    _DRAFT.touch(context)
    if _editing(context):  # one field changed (also «Uraian», whose next step is the evidence)
        return await show_summary(update, context)
    result: NextStep = await ask(update, context)
    return result


async def send(update: Update, context: Context) -> NextStep:
    query = update.callback_query
    assert query is not None and query.message is not None
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    desk = context.desk
    draft = _DRAFT.get(context)
    if _needs_confidentiality_answer(context):
        # Last line of defence (e.g. a summary shown by an older release): never file alleged
        # wrongdoing without the «rahasiakan» answer.
        await query.answer()
        return await ask_confidential(update, context)
    # The summary message identifies this filing: a double tap or a redelivered update
    # carries the same message id and returns the ticket filed the first time.
    key = f"file:{chat.id}:{query.message.message_id}"
    today_start = desk.clock().astimezone(desk.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    filed_today = await desk.tickets.filed_since(user.id, today_start)
    if filed_today >= desk.settings.limits.complaints_per_day and not await desk.tickets.filed_with_key(key):
        await query.answer()
        await reply_html(update, context, common_texts.COMPLAINTS_PER_DAY_REACHED.format(count=filed_today))
        _DRAFT.drop(context)
        return ConversationHandler.END
    try:
        complaint = NewComplaint(
            name=draft["name"], contact=draft["contact"], matter_kind=MatterKind(draft["kind"]),
            package_code=draft.get("package_code"), description=draft["description"],
            citizen_user_id=user.id, citizen_chat_id=chat.id,
            confidential=bool(draft.get("confidential")),
            escalation_disputed=bool(draft.get("disputed")),
            attachments=tuple(Attachment(**item) for item in draft.get("attachments", [])),
        )
    except (KeyError, ValidationError):
        # A draft from an older version or a lost step: start over rather than store half a complaint.
        _DRAFT.drop(context)
        await query.answer()
        await reply_html(update, context, texts.CANCELLED)
        return ConversationHandler.END
    await desk.tickets.file(complaint, idempotency_key=key)
    _DRAFT.drop(context)
    # Both only touch the pressed message, so they can share one round trip.
    await asyncio.gather(query.answer(), remove_buttons(update))
    return ConversationHandler.END


async def sent_already(update: Update, context: Context) -> None:
    """A «Kirim» press after the conversation ended (double tap): the ticket exists already."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.ALREADY_SENT)


async def cancel(update: Update, context: Context) -> NextStep:
    if update.callback_query is not None:
        await update.callback_query.answer()
    _DRAFT.drop(context)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, texts.CANCELLED, reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


async def timed_out(update: Update, context: Context) -> None:
    """PTB's idle timer fired: the draft is kept (see :func:`offer_resume`), the citizen is told."""
    chat = update.effective_chat
    if not _DRAFT.exists(context):
        return
    _DRAFT.get(context)["paused"] = True
    if chat is not None:
        minutes = context.desk.settings.limits.conversation_timeout_minutes
        await context.bot.send_message(chat.id, followup_texts.draft_paused(minutes, DRAFT_KEPT_HOURS),
                                       reply_markup=ReplyKeyboardRemove())


# --- a slow typist keeps the draft -------------------------------------------------------------

# After the idle timeout the answers are kept at least this long; the citizen's next message is
# answered with «Lanjutkan» or «Mulai baru».
DRAFT_KEPT_HOURS = 24


def _draft_kept(context: Context) -> bool:
    """A paused draft still within the idle timeout plus DRAFT_KEPT_HOURS of its last answer."""
    touched = _DRAFT.get(context).get("touched_at") if _DRAFT.exists(context) else None
    if not touched:
        return False
    limit = dt.timedelta(minutes=context.desk.settings.limits.conversation_timeout_minutes,
                         hours=DRAFT_KEPT_HOURS)
    return context.desk.clock() - dt.datetime.fromisoformat(touched) <= limit


async def _pause(update: Update, context: Context) -> NextStep:
    """The draft sat idle past the timeout: keep it, keep what was just typed, offer the choice."""
    draft = _DRAFT.get(context)
    draft["paused"] = True
    message = update.effective_message
    typed = message.text if message is not None and update.callback_query is None else None
    if typed and not typed.startswith("/") and _current_state(update, context) in _TEXT_STEPS:
        draft["pending_text"] = typed
    if update.callback_query is not None:
        await update.callback_query.answer()
    markup = keyboard([[(followup_texts.RESUME_BUTTON, cb.FILING_RESUME.build()),
                        (followup_texts.START_OVER_BUTTON, cb.FILING_START_OVER.build())]])
    minutes = context.desk.settings.limits.conversation_timeout_minutes
    await reply_html(update, context, followup_texts.draft_waiting(minutes, bool(draft.get("pending_text"))),
                     markup)
    return ConversationHandler.END


async def offer_resume(update: Update, context: Context) -> bool:
    """Outside the conversation: a kept draft turns the citizen's next message into the choice
    «Lanjutkan» / «Mulai baru». False when there is no kept draft (one past its time is dropped)."""
    if not in_private_chat(update) or not _DRAFT.exists(context) or not _DRAFT.get(context).get("paused"):
        return False
    if not _draft_kept(context) or _current_state(update, context) is None:
        _DRAFT.drop(context)
        return False
    await _pause(update, context)
    return True


async def resume(update: Update, context: Context) -> NextStep:
    """«Lanjutkan»: back to the same step with the earlier answers; the text typed meanwhile is used."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await remove_buttons(update)
    state = _current_state(update, context)
    if state is None or not _DRAFT.get(context).get("paused"):
        _DRAFT.drop(context)
        await reply_html(update, context, followup_texts.DRAFT_GONE)
        return ConversationHandler.END
    draft = _DRAFT.get(context)
    draft.pop("paused", None)
    typed = draft.pop("pending_text", None)
    _DRAFT.touch(context)
    await reply_html(update, context, followup_texts.RESUMED)
    step = _TEXT_STEPS.get(state)
    if typed and step is not None:
        result: NextStep = await step(update, context, typed)
        return result
    return await _ask_again(update, context, state)


async def start_over(update: Update, context: Context) -> NextStep:
    """«Mulai baru»: the kept draft is dropped and filing starts at step 1."""
    _DRAFT.drop(context)
    await remove_buttons(update)
    return await start(update, context)


async def _ask_again(update: Update, context: Context, state: FilingStep) -> NextStep:
    """The question of a step once more, without answering a button press (the caller did)."""
    if state is FilingStep.CONFIDENTIAL:
        markup = keyboard([[(texts.CONFIDENTIAL_YES, cb.FILING_CONFIDENTIAL.build(answer="ya"))],
                           [(texts.CONFIDENTIAL_NO, cb.FILING_CONFIDENTIAL.build(answer="tidak"))]])
        await reply_html(update, context, texts.ASK_CONFIDENTIAL, markup)
        return FilingStep.CONFIDENTIAL
    if state is FilingStep.EDIT:
        rows = [[(label, cb.FILING_EDIT_FIELD.build(field=key))] for key, label in texts.EDIT_FIELDS.items()]
        await reply_html(update, context, texts.ASK_WHICH_FIELD, keyboard(rows))
        return FilingStep.EDIT
    result = await _repeat_question(update, context)
    return result if result is not None else ConversationHandler.END


async def wrong_input(update: Update, context: Context) -> NextStep | None:
    """A sticker, voice note, location… where text or a button is expected: explain, ask again."""
    step = _current_state(update, context)
    await reply_html(update, context, texts.wrong_input(step.value if step else None))
    return await _repeat_question(update, context)


async def _repeat_question(update: Update, context: Context) -> NextStep | None:
    state = _current_state(update, context)
    asks = {FilingStep.NAME: ask_name, FilingStep.CONTACT: ask_contact, FilingStep.KIND: ask_kind, FilingStep.PACKAGE: ask_package,
            FilingStep.DESCRIPTION: ask_description, FilingStep.EVIDENCE: ask_evidence, FilingStep.CONFIRM: show_summary,
            FilingStep.CONFIDENTIAL: ask_confidential}
    ask = asks.get(state) if state is not None else None
    if ask is None:
        return None
    result: NextStep = await ask(update, context)
    return result


def _current_state(update: Update, context: Context) -> FilingStep | None:
    """The step the citizen is at, as the draft recorded it (see :func:`_tracked`)."""
    step = _DRAFT.get(context).get("step") if _DRAFT.exists(context) else None
    try:
        return FilingStep(step) if step else None
    except ValueError:
        return None


# Steps answered by typing: what «Lanjutkan» feeds the text typed after the timeout into.
_TEXT_STEPS: dict[FilingStep, Any] = {
    FilingStep.NAME: _set_name,
    FilingStep.CONTACT: _contact_text,
    FilingStep.PACKAGE: _package_text,
    FilingStep.DESCRIPTION: _description_text,
}


def _menu_command(callback: Any) -> Any:
    """Main-menu commands mid-conversation: answer them, remind, and stay at the same step."""

    async def run(update: Update, context: Context) -> None:
        await callback(update, context)
        chat = update.effective_chat
        if chat is not None:
            await send_html(context, chat.id, texts.STILL_FILING)

    return run


def _guard_expiry(callback: Any) -> Any:
    """Every step first checks the idle timeout, which survives restarts unlike PTB's timer."""

    async def run(update: Update, context: Context) -> NextStep | None:
        if _expired(context):
            return await _pause(update, context)
        result: NextStep | None = await _tracked(callback)(update, context)
        return result

    return run


def _tracked(callback: Any) -> Any:
    """Records the step a callback moves to in the draft, so the bot knows where a citizen is
    without reading the conversation handler's internals (the draft is persisted with the step)."""

    async def run(update: Update, context: Context) -> NextStep | None:
        result: NextStep | None = await callback(update, context)
        if isinstance(result, FilingStep) and _DRAFT.exists(context):
            _DRAFT.get(context)["step"] = result.value
        return result

    return run


def build_conversation(application: Application) -> ConversationHandler[Any]:  # type: ignore[type-arg]
    from handlers import citizen, common, layanan, paket

    desk = application.desk  # type: ignore[attr-defined]
    private = filters.ChatType.PRIVATE
    text = private & filters.TEXT & ~filters.COMMAND
    files = private & (filters.PHOTO | filters.Document.ALL)
    other = private & ~filters.COMMAND
    g = _guard_expiry
    states: dict[object, list[Any]] = {
        FilingStep.NAME: [CallbackQueryHandler(g(name_from_telegram), pattern=cb.FILING_USE_TELEGRAM_NAME.pattern),
               MessageHandler(text, g(name_typed))],
        FilingStep.CONTACT: [MessageHandler(private & filters.CONTACT, g(contact_shared)),
                  MessageHandler(text, g(contact_typed))],
        FilingStep.KIND: [CallbackQueryHandler(g(kind_chosen), pattern=cb.FILING_KIND.pattern),
               MessageHandler(text, g(kind_typed))],
        FilingStep.PACKAGE: [CallbackQueryHandler(g(package_skipped), pattern=cb.FILING_SKIP_PACKAGE.pattern),
                  MessageHandler(text, g(package_typed))],
        FilingStep.DESCRIPTION: [MessageHandler(text, g(description_typed)), MessageHandler(files, g(description_file))],
        FilingStep.EVIDENCE: [CallbackQueryHandler(g(evidence_done), pattern=cb.FILING_EVIDENCE_DONE.pattern),
                   MessageHandler(files, g(evidence_file)),
                   MessageHandler(other, g(evidence_file))],
        FilingStep.CONFIDENTIAL: [CallbackQueryHandler(g(confidential_chosen), pattern=cb.FILING_CONFIDENTIAL.pattern)],
        FilingStep.CONFIRM: [CallbackQueryHandler(g(send), pattern=cb.FILING_SEND.pattern),
                  CallbackQueryHandler(g(choose_field), pattern=cb.FILING_EDIT.pattern),
                  CallbackQueryHandler(g(not_wrongdoing), pattern=cb.FILING_NOT_WRONGDOING.pattern)],
        FilingStep.EDIT: [CallbackQueryHandler(g(edit_field), pattern=cb.FILING_EDIT_FIELD.pattern)],
        ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out),
                                      CallbackQueryHandler(timed_out)],
    }
    fallbacks: list[Any] = [
        CommandHandler("batal", cancel),
        CallbackQueryHandler(cancel, pattern=cb.FILING_CANCEL.pattern),
        CommandHandler("lapor", _tracked(start)),
        CallbackQueryHandler(_tracked(start), pattern=cb.MENU_FILE.pattern),
        CommandHandler("start", _menu_command(common.start)),
        CommandHandler("bantuan", _menu_command(common.help_command)),
        CommandHandler("status", _menu_command(citizen.status)),
        CommandHandler("paket", _menu_command(paket.package_command)),
        CommandHandler("layanan", _menu_command(layanan.service_info_command)),
        MessageHandler(private & filters.COMMAND, _menu_command(common.unknown_command)),
        MessageHandler(other, _tracked(wrong_input)),
    ]
    with warnings.catch_warnings():
        # per_message=False is deliberate: the conversation is per chat and user, buttons included.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        handler: ConversationHandler[Any] = ConversationHandler(
            entry_points=[CommandHandler("lapor", _tracked(start), filters=private),
                          CallbackQueryHandler(_tracked(start), pattern=cb.MENU_FILE.pattern),
                          CallbackQueryHandler(_tracked(resume), pattern=cb.FILING_RESUME.pattern),
                          CallbackQueryHandler(_tracked(start_over), pattern=cb.FILING_START_OVER.pattern)],
            states=states,
            fallbacks=fallbacks,
            conversation_timeout=desk.settings.limits.conversation_timeout_minutes * 60,
            name="filing",
            persistent=True,
            allow_reentry=True,
        )
    return handler


def register(application: Application) -> None:  # type: ignore[type-arg]
    FREE_MESSAGE_HOOKS["filing.kept_draft"] = offer_resume
    application.add_handler(build_conversation(application), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(sent_already, pattern=cb.FILING_SEND.pattern), MAIN_GROUP)
