"""Procurement packages in chat: looking up a package, following it, and the staff's commands.

Anyone (private chat): ``/paket KODE``, the «Cek Status Paket» menu button (the next private
text is the code), or a private message that is nothing but a plausible code. A code can be a
kode paket or a kode RUP; several matches are listed with buttons. A package that is not public
gets the same answer as an unknown code. ``/ikuti`` and ``/berhenti_ikuti`` and the buttons
under a status view or a notice start and stop notices for the person's own chat.

Staff chat: ``/paket_tahap``, ``/paket_info``, ``/paket_publik`` (and ``/paket``, which there
also shows packages that are not public). Like ``handlers.staff``, these are registered without
a chat filter and check ``in_staff_chat`` when they run; a private chat gets ``STAFF_ONLY``.

Everything about packages goes through :class:`bot.services.packages.PackageService`; texts come from
:mod:`bot.texts.paket`. A command that fails with a domain error (:class:`PackageError`) is answered
in one place, :func:`answers_package_errors`, with the wording of :func:`bot.texts.paket.describe_error`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.packages import (
    Outcome,
    Package,
    PackageError,
    PackageNotFound,
    SpseStage,
    Stage,
    StageAmbiguous,
    StageChoice,
    StageEmpty,
    StageState,
    parse_code,
    parse_stage,
)
from bot.domain.spse import StateValues, is_backwards, read_stage, state_from_spse
from bot.services.spse import SpseUnavailable
from bot.texts import common as common_texts
from bot.texts import paket as texts
from bot.texts import spse as spse_texts
from handlers.groups import MAIN_GROUP
from handlers.util import (
    FILING_DRAFT_KEY,
    Context,
    command_args,
    in_private_chat,
    in_staff_chat,
    keyboard,
    operation_key,
    remove_buttons,
    reply_html,
    staff_actor,
)

# Runs after the main group, for every private command: drops a pending «Cek Status Paket»
# question. /batal is taken in the main group by the ticket handlers, which do not stop it here.
AFTER_MAIN_GROUP = MAIN_GROUP + 1

# user_data key: when «Cek Status Paket» asked for a code (ISO time); the next private text is it.
ASK_FLAG = "paket_ask"
# chat_data key (staff chat): stage-choice message id → what the command said beside the stage.
PENDING_STAGE = "paket_tahap_pending"
PENDING_LIMIT = 20
# Buttons offering several packages or several stages; Telegram shows up to 100, people read few.
MAX_CHOICES = 10

_CODE = r"\d{5,20}"
CODE_MESSAGE = re.compile(rf"^{_CODE}$")
# chat_data key (staff chat): confirmation message id → the /paket_tahap waiting for the answer.
PENDING_CONFIRM = "paket_tahap_confirm"

_YES = {"ya", "y", "yes", "publik", "tampil", "tampilkan", "buka", "1", "on"}
_NO = {"tidak", "t", "no", "n", "tdk", "sembunyi", "sembunyikan", "privat", "tutup", "0", "off"}

_P = ParamSpec("_P")
_R = TypeVar("_R")


def answers_package_errors(
    callback: Callable[Concatenate[Update, Context, _P], Awaitable[_R]],
) -> Callable[Concatenate[Update, Context, _P], Coroutine[Any, Any, _R | None]]:
    """The one place a domain error becomes a reply: the wrapped handler just raises.

    A citizen (private chat) who named an unknown package also learns what a code looks like;
    the wrapped coroutine then returns None.
    """

    @functools.wraps(callback)
    async def answering(update: Update, context: Context, *args: _P.args, **kwargs: _P.kwargs) -> _R | None:
        try:
            return await callback(update, context, *args, **kwargs)
        except PackageError as error:
            await reply_html(update, context, texts.describe_error(error))
            return None

    return answering


# --- reading: status views ----------------------------------------------------------------------


def _swap_button(markup: InlineKeyboardMarkup | None, old_data: str, label: str,
                 data: str) -> InlineKeyboardMarkup | None:
    """``markup`` with the button carrying ``old_data`` replaced; None if there is no such button."""
    if markup is None:
        return None
    found = False
    rows: list[list[InlineKeyboardButton]] = []
    for row in markup.inline_keyboard:
        new_row: list[InlineKeyboardButton] = []
        for button in row:
            if button.callback_data == old_data:
                found = True
                button = InlineKeyboardButton(label, callback_data=data)
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows) if found else None


def _follow_button(code: str, following: bool) -> tuple[str, str]:
    if following:
        return texts.UNFOLLOW_BUTTON, cb.PACKAGE_UNFOLLOW.build(code=code)
    return texts.FOLLOW_BUTTON, cb.PACKAGE_FOLLOW.build(code=code)


async def show_package(update: Update, context: Context, package: Package, *, staff: bool) -> None:
    """The public status view; in a private chat with the follow button, in the staff chat with
    a note when the package is hidden from citizens."""
    desk = context.desk
    service = context.desk.packages
    history = await service.history_of(package)
    html = texts.render_status(package, history, zone=desk.zone)
    html += await spse_section(context, package)
    rows: list[list[tuple[str, str]]] = []
    if staff:
        if not package.public:
            html += f"\n\n{texts.STAFF_PRIVATE_NOTE}"
    else:
        chat = update.effective_chat
        assert chat is not None
        following = await service.follows(package, chat.id)
        if following or not package.state.is_final:  # nothing to follow once the procedure is over
            rows.append([_follow_button(package.code, following)])
    successor = package.retendered_as if (staff or package.retendered_as_public) else None
    if successor:
        rows.append([(texts.view_button_label(successor), cb.PACKAGE_VIEW.build(code=successor))])
    await reply_html(update, context, html, keyboard(rows) if rows else None)


async def spse_section(context: Context, package: Package) -> str:
    """The SPSE lines of a synced package's status view ("" for a package SPSE never showed)."""
    spse = context.desk.spse
    view = await spse.view(package) if spse is not None else None
    return "" if view is None else "\n" + spse_texts.render_section(view, package, zone=context.desk.zone)


@answers_package_errors
async def lookup(update: Update, context: Context, text: str) -> None:
    """Answers a code: one package's status, a list to choose from, or why there is none.

    A code the bot does not know is asked of SPSE live (when [spse] is enabled): found, it is
    stored and shown; SPSE unreachable is said as such, never as "not found".
    """
    staff = in_staff_chat(update, context)
    code = parse_code(text)
    found = await context.desk.packages.find(code, include_private=staff)
    spse = context.desk.spse
    if not found and spse is not None and spse.enabled:
        try:
            found = await spse.lookup(code)
        except SpseUnavailable:
            await reply_html(update, context, spse_texts.unreachable(code))
            return
    if not found:
        await reply_html(update, context, texts.not_found(code))
    elif len(found) == 1:
        await show_package(update, context, found[0], staff=staff)
    else:
        shown = found[:MAX_CHOICES]
        buttons = [[(texts.list_button_label(package), cb.PACKAGE_VIEW.build(code=package.code))] for package in shown]
        await reply_html(update, context, texts.render_list(shown, code), keyboard(buttons))


def _filing_in_progress(context: Context) -> bool:
    return bool(context.user_data and context.user_data.get(FILING_DRAFT_KEY))


async def ask_for_code(update: Update, context: Context) -> None:
    """«Cek Status Paket» (and /paket without a code): the next private text is the code.

    Called from the menu button after its query was answered, so this never answers it.
    """
    if not in_private_chat(update):
        return
    if _filing_in_progress(context):
        # Text goes to the complaint's current step; the code has to come as a command.
        await reply_html(update, context, texts.ASK_CODE_WHILE_FILING)
        return
    assert context.user_data is not None
    context.user_data[ASK_FLAG] = context.desk.clock().isoformat()
    await reply_html(update, context, texts.ASK_CODE)


def _take_ask_flag(context: Context) -> bool:
    """True if a code was asked for recently; the question is used up either way."""
    if not context.user_data:
        return False
    asked = context.user_data.pop(ASK_FLAG, None)
    if not isinstance(asked, str):
        return False
    try:
        asked_at = dt.datetime.fromisoformat(asked)
    except ValueError:
        return False
    limit = dt.timedelta(minutes=context.desk.settings.limits.conversation_timeout_minutes)
    return context.desk.clock() - asked_at <= limit


async def handle_code_text(update: Update, context: Context) -> bool:
    """Free private text: the answer to «Cek Status Paket», or a message that is only a code.

    Returns False when the text is neither (the caller then says it did not understand).
    """
    message = update.effective_message
    if message is None or not in_private_chat(update):
        return False
    text = (message.text or "").strip()
    asked = _take_ask_flag(context)
    if text and (asked or CODE_MESSAGE.fullmatch(text)):
        await lookup(update, context, text)
        return True
    return False


async def package_command(update: Update, context: Context) -> None:
    """/paket KODE — in a private chat or the staff chat (other groups never get here)."""
    staff = in_staff_chat(update, context)
    if not staff and not in_private_chat(update):
        return
    if context.user_data:
        context.user_data.pop(ASK_FLAG, None)
    args = command_args(context)
    if not args:
        if staff:
            await reply_html(update, context, texts.PACKAGE_USAGE)
        else:
            await ask_for_code(update, context)
        return
    # The whole text, so that "/paket 1013 0232 000" is refused for its spaces, not cut short.
    await lookup(update, context, " ".join(args))


async def cancel_question(update: Update, context: Context) -> None:
    """Any private command but /paket drops a pending question; /batal says so."""
    message = update.effective_message
    if message is None or not context.user_data or ASK_FLAG not in context.user_data:
        return
    command = (message.text or "").split(maxsplit=1)[0].split("@")[0].lower()
    if command == "/paket":
        return
    pending = _take_ask_flag(context)
    if command == "/batal" and pending:
        await reply_html(update, context, texts.ASK_CANCELLED)


# --- following -----------------------------------------------------------------------------------


async def _follow(update: Update, context: Context, code: str) -> bool:
    """Follows ``code`` for the chat and answers; a PackageError when it cannot."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    service = context.desk.packages
    new = await service.follow(code, chat.id, user.id if user else None)
    package = await service.get(code)
    assert package is not None
    await reply_html(update, context, texts.follow_reply(package, new=new))
    return True


@answers_package_errors
async def follow_command(update: Update, context: Context) -> None:
    """/ikuti KODE (private chats): a kode RUP of several packages lists them to choose."""
    args = command_args(context)
    if not args:
        await reply_html(update, context, texts.FOLLOW_USAGE)
        return
    code = parse_code(" ".join(args))
    found = await context.desk.packages.find(code)
    if not found:
        await reply_html(update, context, texts.not_found(code))
    elif len(found) == 1:
        await _follow(update, context, found[0].code)
    else:
        shown = found[:MAX_CHOICES]
        buttons = [[(texts.follow_choice_label(package), cb.PACKAGE_FOLLOW.build(code=package.code))]
                   for package in shown]
        await reply_html(update, context, texts.render_list(shown, code), keyboard(buttons))


@answers_package_errors
async def unfollow_command(update: Update, context: Context) -> None:
    """/berhenti_ikuti KODE (private chats); without a code, the list of followed packages."""
    chat = update.effective_chat
    assert chat is not None
    service = context.desk.packages
    args = command_args(context)
    if not args:
        followed = await service.followed_by(chat.id)
        if not followed:
            await reply_html(update, context, texts.NOT_FOLLOWING_ANY)
            return
        buttons = [[(texts.unfollow_choice_label(package), cb.PACKAGE_UNFOLLOW.build(code=package.code))]
                   for package in followed[:MAX_CHOICES]]
        await reply_html(update, context, texts.followed_list(followed), keyboard(buttons))
        return
    code = parse_code(" ".join(args))
    removed = await service.unfollow(code, chat.id)
    if not removed:
        # Perhaps a kode RUP: stop the followed packages that carry it.
        for package in await service.followed_by(chat.id):
            if code in package.rup_codes:
                removed = await service.unfollow(package.code, chat.id) or removed
    await reply_html(update, context, texts.unfollow_reply(code, removed=removed))


async def _replace_pressed_button(update: Update, label: str, data: str) -> None:
    """Turns the pressed follow/stop button into its opposite, keeping the other buttons."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message) or query.data is None:
        return
    markup = _swap_button(message.reply_markup, query.data, label, data)
    if markup is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


_PACKAGE_BUTTONS = {"lihat": cb.PACKAGE_VIEW, "ikut": cb.PACKAGE_FOLLOW, "stop": cb.PACKAGE_UNFOLLOW,
                    "info": cb.PACKAGE_INFO}


def _package_button(data: str) -> tuple[str, str]:
    """(action, code) of a pkt:lihat / ikut / stop / info button."""
    for action, fmt in _PACKAGE_BUTTONS.items():
        fields = fmt.parse(data)
        if fields is not None:
            return action, fields["code"]
    raise ValueError(data)


@answers_package_errors
async def package_button(update: Update, context: Context) -> None:
    """pkt:lihat / pkt:ikut / pkt:stop / pkt:info buttons."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    action, code = _package_button(query.data)
    staff = in_staff_chat(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    service = context.desk.packages
    if action == "lihat":
        package = await service.get(code, include_private=staff)
        if package is None:
            await reply_html(update, context, texts.not_found(code))
        else:
            await show_package(update, context, package, staff=staff)
    elif action == "info":
        if staff:
            await _show_info(update, context, code)
    elif action == "ikut":
        if in_private_chat(update) and await _follow(update, context, code):
            await _replace_pressed_button(update, *_follow_button(code, True))
    else:  # stop: under a status view, the followed list, or a notice from the outbox
        removed = await service.unfollow(code, chat.id)
        await reply_html(update, context, texts.unfollow_reply(code, removed=removed))
        if in_private_chat(update) and await service.get(code) is not None:
            await _replace_pressed_button(update, *_follow_button(code, False))
        else:
            await remove_buttons(update)


# --- staff -----------------------------------------------------------------------------------------


async def _staff_gate(update: Update, context: Context) -> bool:
    """True in the staff chat; a private chat is told the command is for staff, and nothing else."""
    if in_staff_chat(update, context):
        return True
    if in_private_chat(update):
        await reply_html(update, context, common_texts.STAFF_ONLY)
    return False


Reading = StageChoice | StageAmbiguous


def split_stage(words: Sequence[str]) -> tuple[Reading, int]:
    """The stage named by the longest leading run of ``words``, and how many words it took.

    "pembukaan dokumen penawaran dihadiri 5 peserta" → (SPSE pembukaan penawaran, 3): the words
    after the stage are the note. A clear reading wins over a longer ambiguous one ("5 dokumen
    lengkap" is stage 5 with a note). A number after the first word ends the stage (except in
    "tahap 5"), and trailing words that name no stage on their own are left to the note even
    when the fuzzy matching swallowed them. With nothing clearer than an ambiguous reading,
    returns that StageAmbiguous; raises PackageError when no leading words name a stage.
    """
    limit = _stage_word_limit(words)
    found: tuple[Reading, int] | None = None
    ambiguous: tuple[Reading, int] | None = None
    error: PackageError | None = None
    for count in range(limit, 0, -1):
        reading = _read(words[:count])
        if isinstance(reading, StageChoice):
            found = (reading, count)
            break
        if isinstance(reading, StageAmbiguous):
            ambiguous = ambiguous or (reading, count)
        else:
            error = error or reading
    result = found or ambiguous
    if result is None:
        assert error is not None
        raise error
    reading, count = result
    while count > 1 and _names_no_stage(words[count - 1]) and _same(_read(words[:count - 1]), reading):
        count -= 1
    if isinstance(reading, StageAmbiguous):
        shorter = _read(words[:count])  # so that the question quotes only the stage's words
        if isinstance(shorter, StageAmbiguous):
            reading = shorter
    return reading, count


def _read(words: Sequence[str]) -> Reading | PackageError:
    try:
        return parse_stage(" ".join(words))
    except PackageError as exc:  # StageAmbiguous included
        return exc


def _same(one: Reading | PackageError, other: Reading) -> bool:
    if isinstance(one, StageAmbiguous) and isinstance(other, StageAmbiguous):
        return one.candidates == other.candidates
    return isinstance(one, StageChoice) and one == other


def _names_no_stage(word: str) -> bool:
    reading = _read([word])
    return isinstance(reading, PackageError) and not isinstance(reading, StageAmbiguous)


def _stage_word_limit(words: Sequence[str]) -> int:
    """Stage names hold no numbers beyond a leading stage number ("5", "tahap ke 5")."""
    for index in range(1, len(words)):
        if words[index].isascii() and words[index].isdigit():
            before = _read(words[:index])
            if not isinstance(before, StageEmpty):
                return index
    return len(words)


def _rest_after(text: str, count: int) -> str:
    """What follows the first ``count`` words of a command's arguments, spacing kept."""
    pieces = text.strip().split(maxsplit=count)
    return pieces[count].strip() if len(pieces) > count else ""


def _command_arguments(update: Update) -> str:
    message = update.effective_message
    text = (message.text or "") if message else ""
    return _rest_after(text, 1)


def _public_note(note: str | None) -> str | None:
    """The part of the officer's note meant for followers: a note starting "publik:" or "umum:"."""
    text = (note or "").strip()
    for prefix in spse_texts.PUBLIC_NOTE_PREFIXES:
        if text.lower().startswith(prefix):
            return text[len(prefix):].strip() or None
    return None


async def _confirmation_question(context: Context, code: str, choice: StageChoice) -> str | None:
    """Why this change should be confirmed first, or None: it contradicts SPSE's stage 5, goes
    backwards, or records a tender's outcome before the tender began."""
    package = await context.desk.packages.get(code, include_private=True)
    if package is None:
        return None
    before = package.state
    after = choice.resolve(before)
    if after == before:
        return None
    spse = context.desk.spse
    view = await spse.view(package) if spse is not None else None
    if view is not None and view.stage_known:
        target = state_from_spse(read_stage(view.stage_text), _values(before))
        if target is not None and (int(after.stage) == 5 or target.stage == 5) and _values(after) != target:
            spse_state = StageState(Stage(target.stage), SpseStage(target.step) if target.step else None,
                                    Outcome(target.outcome) if target.outcome else None)
            return spse_texts.contradicts_spse(code, texts.state_label(spse_state), view.stage_text,
                                               texts.state_label(after))
    if is_backwards(_values(before), _values(after)):
        return spse_texts.backwards(code, texts.state_label(before), texts.state_label(after))
    if (after.outcome in (Outcome.COMPLETED, Outcome.FAILED, Outcome.RETENDERED)
            and int(before.stage) < 5 and before.outcome is None):
        return spse_texts.early_outcome(code, texts.state_label(before), texts.state_label(after))
    return None


def _values(state: StageState) -> StateValues:
    return StateValues(int(state.stage), state.spse.value if state.spse else None,
                       state.outcome.value if state.outcome else None)


async def _ask_confirmation(update: Update, context: Context, code: str, choice: StageChoice,
                            note: str | None, new_code: str | None, question: str) -> None:
    rows = [[(spse_texts.CONFIRM_YES, cb.PACKAGE_CONFIRM.build(answer="ya", code=code)),
             (spse_texts.CONFIRM_NO, cb.PACKAGE_CONFIRM.build(answer="tidak", code=code))]]
    sent = await reply_html(update, context, question, keyboard(rows))
    if context.chat_data is not None:
        pending: dict[str, Any] = context.chat_data.setdefault(PENDING_CONFIRM, {})
        pending[str(sent.message_id)] = {"code": code, "key": choice.key, "note": note or "",
                                         "new_code": new_code or ""}
        for old in sorted(pending, key=int)[:-PENDING_LIMIT]:
            del pending[old]


@answers_package_errors
async def confirm_button(update: Update, context: Context) -> None:
    """pkt:yakin:ya|tidak:KODE — the answer to a /paket_tahap confirmation (the rest waits in chat_data)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    if not in_staff_chat(update, context):
        return
    answer = cb.PACKAGE_CONFIRM.field(query.data, "answer")
    code = cb.PACKAGE_CONFIRM.field(query.data, "code")
    message = query.message
    entry = None
    if context.chat_data and message is not None:
        entry = context.chat_data.get(PENDING_CONFIRM, {}).pop(str(message.message_id), None)
    await remove_buttons(update)
    if not isinstance(entry, dict) or entry.get("code") != code:
        await reply_html(update, context, spse_texts.CONFIRM_EXPIRED)
        return
    if answer == "tidak":
        await reply_html(update, context, spse_texts.CONFIRM_DROPPED)
        return
    try:
        choice = StageChoice.from_key(str(entry.get("key") or ""))
    except ValueError:
        await reply_html(update, context, texts.STAGE_CHOICE_INVALID)
        return
    await _apply_stage(update, context, code, choice, str(entry.get("note") or ""),
                       str(entry.get("new_code") or "") or None, confirmed=True)


async def _apply_stage(update: Update, context: Context, code: str, choice: StageChoice,
                       note: str | None, new_code: str | None, *, confirmed: bool = False) -> None:
    if not confirmed:
        question = await _confirmation_question(context, code, choice)
        if question is not None:
            await _ask_confirmation(update, context, code, choice, note, new_code, question)
            return
    actor = staff_actor(update)
    change = await context.desk.packages.set_stage(
        code, choice, actor_id=actor.id, actor_name=actor.name or "", note=note or None,
        idempotency_key=operation_key(update, "paket_tahap"), new_code=new_code,
        public_note=_public_note(note),
    )
    html = texts.stage_change_reply(change)
    if change.after.outcome is Outcome.RETENDERED and not change.new_code:
        html += f"\n{texts.retender_code_hint(change.code)}"
    await reply_html(update, context, html)


@answers_package_errors
async def package_stage_command(update: Update, context: Context) -> None:
    """/paket_tahap KODE TAHAP [catatan]; tender ulang: /paket_tahap KODE tender ulang KODE_BARU."""
    if not await _staff_gate(update, context):
        return
    arguments = _command_arguments(update)
    words = arguments.split()
    if len(words) < 2:
        await reply_html(update, context, texts.STAGE_USAGE)
        return
    code = parse_code(words[0])
    if await context.desk.packages.get(code, include_private=True) is None:
        raise PackageNotFound(code)
    choice, used = split_stage(words[1:])
    if isinstance(choice, StageAmbiguous):
        await _offer_stages(update, context, code, choice, _rest_after(arguments, 1 + used))
        return
    taken = 1 + used
    new_code: str | None = None
    if choice.outcome is Outcome.RETENDERED and len(words) > taken and words[taken].isdigit():
        new_code = words[taken]
        taken += 1
    await _apply_stage(update, context, code, choice, _rest_after(arguments, taken), new_code)


async def _offer_stages(update: Update, context: Context, code: str, exc: StageAmbiguous,
                        rest: str) -> None:
    """Several stages fit: one button each; the rest of the command waits in chat_data."""
    rows = []
    for candidate in exc.candidates[:MAX_CHOICES]:
        data = cb.PACKAGE_STAGE.build(code=code, choice=candidate.key)
        if len(data.encode()) <= 64:
            rows.append([(texts.stage_choice_button(texts.choice_label(candidate)), data)])
    sent = await reply_html(update, context, texts.describe_error(exc), keyboard(rows) if rows else None)
    if rest and context.chat_data is not None:
        pending: dict[str, Any] = context.chat_data.setdefault(PENDING_STAGE, {})
        pending[str(sent.message_id)] = {"code": code, "rest": rest}
        for old in sorted(pending, key=int)[:-PENDING_LIMIT]:
            del pending[old]


@answers_package_errors
async def stage_button(update: Update, context: Context) -> None:
    """pkt:tahap:KODE:KEY — a stage chosen from the candidates of an ambiguous /paket_tahap."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    if not in_staff_chat(update, context):
        return
    fields = cb.PACKAGE_STAGE.parse(query.data)
    assert fields is not None
    code, key = fields["code"], fields["choice"]
    try:
        choice = StageChoice.from_key(key)
    except ValueError:
        await reply_html(update, context, texts.STAGE_CHOICE_INVALID)
        return
    rest = ""
    message = query.message
    if context.chat_data and message is not None:
        entry = context.chat_data.get(PENDING_STAGE, {}).pop(str(message.message_id), None)
        if isinstance(entry, dict) and entry.get("code") == code:
            rest = str(entry.get("rest") or "")
    new_code: str | None = None
    if choice.outcome is Outcome.RETENDERED and rest.split() and rest.split()[0].isdigit():
        new_code = rest.split()[0]
        rest = _rest_after(rest, 1)
    await remove_buttons(update)
    await _apply_stage(update, context, code, choice, rest, new_code)


async def _show_info(update: Update, context: Context, text: str) -> None:
    service = context.desk.packages
    code = parse_code(text)
    package = await service.get(code, include_private=True)
    if package is None:
        found = await service.find(code, include_private=True)
        if len(found) > 1:
            shown = found[:MAX_CHOICES]
            buttons = [[(texts.list_button_label(p), cb.PACKAGE_INFO.build(code=p.code))] for p in shown]
            await reply_html(update, context, texts.render_list(shown, code), keyboard(buttons))
            return
        if not found:
            raise PackageNotFound(code)
        package = found[0]
    history = await service.history(package.code, include_private=True)
    followers = await service.followers_count(package.code)
    await reply_html(update, context, texts.render_info(package, history, followers, zone=context.desk.zone))


@answers_package_errors
async def package_info_command(update: Update, context: Context) -> None:
    """/paket_info KODE — everything, history and followers count included (staff chat)."""
    if not await _staff_gate(update, context):
        return
    args = command_args(context)
    if not args:
        await reply_html(update, context, texts.INFO_USAGE)
        return
    await _show_info(update, context, " ".join(args))


@answers_package_errors
async def package_visibility_command(update: Update, context: Context) -> None:
    """/paket_publik KODE ya|tidak [catatan] — shows or hides a package outside staff."""
    if not await _staff_gate(update, context):
        return
    arguments = _command_arguments(update)
    words = arguments.split()
    flag = words[1].lower() if len(words) >= 2 else ""
    if flag not in _YES | _NO:
        await reply_html(update, context, texts.VISIBILITY_USAGE)
        return
    public = flag in _YES
    actor = staff_actor(update)
    code = parse_code(words[0])
    changed = await context.desk.packages.set_public(
        code, public, actor_id=actor.id, actor_name=actor.name or "", note=_rest_after(arguments, 2),
    )
    await reply_html(update, context, texts.visibility_reply(code, public, changed=changed))


# --- SPSE -----------------------------------------------------------------------------------------


async def sinkron(update: Update, context: Context) -> None:
    """/sinkron (staff chat): syncs with SPSE now; the summary of what changed follows."""
    if not await _staff_gate(update, context):
        return
    spse = context.desk.spse
    chat = update.effective_chat
    assert chat is not None
    if spse is None or not spse.enabled:
        await reply_html(update, context, spse_texts.SYNC_DISABLED)
        return
    if spse.running:
        await reply_html(update, context, spse_texts.SYNC_BUSY)
        return
    # A sync takes minutes (requests are spaced): it runs beside the chat, not inside this update.
    await reply_html(update, context, spse_texts.SYNC_STARTED)
    spse.start_sync("staf", report_to=chat.id)


# --- registration ------------------------------------------------------------------------------


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("paket", package_command), MAIN_GROUP)
    application.add_handler(CommandHandler(texts.FOLLOW_COMMAND, follow_command, filters=private), MAIN_GROUP)
    application.add_handler(CommandHandler(texts.UNFOLLOW_COMMAND, unfollow_command, filters=private),
                            MAIN_GROUP)
    application.add_handler(CommandHandler("paket_tahap", package_stage_command), MAIN_GROUP)
    application.add_handler(CommandHandler("paket_info", package_info_command), MAIN_GROUP)
    application.add_handler(CommandHandler("paket_publik", package_visibility_command), MAIN_GROUP)
    application.add_handler(CommandHandler(spse_texts.SYNC_COMMAND, sinkron), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(package_button, pattern=cb.any_of(*_PACKAGE_BUTTONS.values())), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(stage_button, pattern=cb.PACKAGE_STAGE.pattern), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(confirm_button, pattern=cb.PACKAGE_CONFIRM.pattern), MAIN_GROUP)
    application.add_handler(MessageHandler(filters.COMMAND & private, cancel_question), AFTER_MAIN_GROUP)
