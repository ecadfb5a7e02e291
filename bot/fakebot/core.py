"""FakeTelegram: an in-memory, strict stand-in for Telegram's Bot API server.

All state lives here and every Bot API method is implemented on plain dicts of *wire*
parameters (strings, exactly what an HTTP client sends; JSON values still encoded), so the
in-process adapter (request.py) and the HTTP server (server.py) share one code path.

Behaviour and error wording follow the official Bot API server (tdlib/telegram-bot-api,
Client.cpp) and tdlib, where a rule is known; the few places where the double must guess
are marked "approximation" in comments.

The "driver" half (``user()``, ``send_text()``, ``press_button()``, ...) is what tests and
the sandbox use to play the human side; misuse of it raises ``DriverError`` (a test bug),
never a Bot API error.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, NamedTuple

from bot.fakebot.html import FormattedText, TextFormatError, format_text, utf16_len

__all__ = [
    "ApiError",
    "ApiResponse",
    "Call",
    "CommandScopeKey",
    "DrivenUpdate",
    "DriverError",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "FileRecord",
    "FloodLimits",
    "NetworkFailure",
    "SentMessage",
    "UploadedFile",
]

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_TEXT = 200
MAX_INLINE_BUTTONS = 100  # approximation of Telegram's REPLY_MARKUP_TOO_LONG
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_MEDIA_GROUP = 10
MAX_COMMANDS = 100
MESSAGE_DELETE_WINDOW = 48 * 3600

DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)
ALL_UPDATE_TYPES = DEFAULT_ALLOWED_UPDATES | {
    "chat_member", "message_reaction", "message_reaction_count",
}
CHAT_ACTIONS = frozenset(
    {
        "cancel", "typing", "record_video", "upload_video", "record_audio", "record_voice",
        "upload_audio", "upload_voice", "upload_photo", "upload_document", "choose_sticker",
        "pick_up_location", "find_location", "record_video_note", "upload_video_note",
    }
)
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
_PRESENT = frozenset({"creator", "administrator", "member", "restricted"})
_INLINE_ACTIONS = (
    "url", "callback_data", "callback_game", "pay", "switch_inline_query",
    "switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url",
    "web_app", "copy_text",
)
_FILE_TYPE_NAMES = {
    "photo": "Photo", "document": "Document", "sticker": "Sticker", "voice": "VoiceNote",
    "video": "Video", "audio": "Audio", "animation": "Animation",
}
_FILE_ID_PREFIX = {
    "photo": "AgACAgUAAxkBAAI", "document": "BQACAgUAAxkBAAI", "sticker": "CAACAgUAAxkBAAI",
    "voice": "AwACAgUAAxkBAAI", "video": "BAACAgUAAxkBAAI", "audio": "CQACAgUAAxkBAAI",
    "animation": "CgACAgUAAxkBAAI",
}
_SEND_METHODS = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendmediagroup", "copymessage", "forwardmessage"}
)
_COMMAND_RE = re.compile(r"(?<![\w/])/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{3,64})?(?![\w/@])")
_BOT_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF")


# --------------------------------------------------------------------------- errors & records


class DriverError(AssertionError):
    """The test/sandbox drove the double in a way a real user could not (a test bug)."""


class ApiError(Exception):
    """A Bot API error answer: HTTP status + description (+ ResponseParameters)."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def response(self) -> ApiResponse:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return ApiResponse(self.status, body)


class NetworkFailure(Exception):
    """Simulated transport failure. ``processed`` tells whether Telegram executed the call
    before the connection died (the dangerous case: a retry duplicates the effect)."""

    def __init__(self, message: str, *, processed: bool, timeout: bool = False) -> None:
        super().__init__(message)
        self.processed = processed
        self.timeout = timeout


def _bad(description: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", parameters)


def _forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


@dataclass
class ApiResponse:
    status: int
    body: JSON

    def to_bytes(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass
class UploadedFile:
    """One multipart part as the server received it."""

    filename: str
    content: bytes
    mime_type: str | None = None


@dataclass
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False
    language_code: str | None = None
    started: bool = True  # has pressed Start in the private chat with the bot
    blocked: bool = False  # has blocked the bot

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class FakeChat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None
    migrated_from: int | None = None
    next_message_id: int = 1

    def to_dict(self, users: Mapping[int, FakeUser]) -> JSON:
        if self.type == "private":
            user = users[self.id]
            data: JSON = {"id": self.id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    kind: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    file_path: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.content)


@dataclass
class SentMessage:
    """A message the bot sent, as the test inspects it.

    ``text`` is the raw text/caption exactly as the bot passed it (e.g. HTML source);
    ``rendered`` is what the user sees (tags stripped, entities decoded, trimmed).
    Edits update the record in place (previous versions go to ``history``); deletion sets
    ``deleted``.
    """

    chat_id: int
    message_id: int
    method: str
    text: str | None
    parse_mode: str | None
    rendered: str
    entities: list[JSON]
    reply_markup: JSON | None
    reply_to_message_id: int | None
    date: int
    message: JSON
    media_type: str | None = None
    file_id: str | None = None
    media: Any = None
    media_group_id: str | None = None
    deleted: bool = False
    history: list[JSON] = field(default_factory=list)

    @property
    def is_media(self) -> bool:
        return self.media_type is not None

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        return _inline_buttons(self.reply_markup)


class CommandScopeKey(NamedTuple):
    type: str
    chat_id: int | None = None
    user_id: int | None = None
    language_code: str = ""


@dataclass
class Call:
    """One request the bot made: wire params (strings) and the outcome."""

    method: str
    params: dict[str, str]
    files: tuple[str, ...]
    at: float
    status: int | None = None
    description: str | None = None


@dataclass
class Fault:
    """An injected failure; see FakeTelegram.inject()."""

    kind: str
    method: str | None = None
    chat_id: int | str | None = None
    times: int | None = 1
    retry_after: int = 5
    status: int = 500
    text: str | None = None
    hits: int = 0
    until: float | None = None  # flood: Telegram refuses matching calls until then

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


@dataclass
class FloodLimits:
    """Opt-in rate limits (Telegram's published guidance; exact server limits are secret).

    Each pair is (max messages, window seconds) over a sliding window.
    """

    global_limit: tuple[int, float] = (30, 1.0)
    private_chat: tuple[int, float] = (5, 5.0)
    group_chat: tuple[int, float] = (20, 60.0)


@dataclass
class DrivenUpdate:
    """What a driver call produced. ``update_id`` is None when Telegram would not deliver
    the update to the bot (privacy mode, bot not in chat, filtered by allowed_updates)."""

    kind: str  # message | edited_message | channel_post | callback_query | my_chat_member
    payload: JSON  # the Message / CallbackQuery / ChatMemberUpdated object
    update_id: int | None
    chat_id: int | None = None
    message_id: int | None = None
    callback_query_id: str | None = None

    @property
    def delivered(self) -> bool:
        return self.update_id is not None

    @property
    def update(self) -> JSON:
        """The whole Update as Telegram serves it (update_id None if not delivered)."""
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class _Stored:
    """Every message in every chat, user's or bot's."""

    data: JSON
    from_bot: bool
    sent: SentMessage | None = None
    deleted: bool = False
    service: bool = False


@dataclass
class _CallbackQuery:
    id: str
    created: float
    answered: bool = False
    answer: JSON | None = None


def _inline_buttons(markup: JSON | None) -> list[tuple[str, str | None]]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        (button["text"], button.get("callback_data"))
        for row in markup["inline_keyboard"]
        for button in row
    ]


# --------------------------------------------------------------------------- argument access


class _Args:
    """Wire parameters with tdlib-like lenient coercion."""

    def __init__(self, params: Mapping[str, str], files: Mapping[str, UploadedFile]) -> None:
        self.params = params
        self.files = files

    def get(self, name: str, default: str = "") -> str:
        value = self.params.get(name)
        return default if value is None else value

    def opt(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def integer(self, name: str, default: int = 0) -> int:
        value = self.params.get(name)
        if value in (None, ""):
            return default
        # tdlib's to_integer: leading integer part; garbage yields 0.
        match = re.match(r"\s*(-?\d+)", str(value))
        return int(match.group(1)) if match else 0

    def flag(self, name: str) -> bool:
        return str(self.params.get(name, "")).strip().lower() in ("true", "1")

    def json(self, name: str, what: str) -> Any:
        raw = self.opt(name)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise _bad(f"can't parse {what} JSON object") from exc


# --------------------------------------------------------------------------- the double


class FakeTelegram:
    """The fake Bot API server state plus the driver API used by tests and the sandbox."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int | None = None,
        bot_username: str = "pbj_helpdesk_bot",
        bot_first_name: str = "PBJ Helpdesk",
        latency: float = 0.0,
        privacy_mode: bool = True,
        strict_html_ampersand: bool = False,
        flood_limits: FloodLimits | None = None,
        callback_query_ttl: float = 15.0,
    ) -> None:
        if bot_id is None:
            prefix = (token or "").split(":", 1)[0]
            bot_id = int(prefix) if prefix.isdigit() else 7000000001
        self.token = token
        self.latency = latency
        self.privacy_mode = privacy_mode
        self.strict_html_ampersand = strict_html_ampersand
        self.flood_limits = flood_limits
        self.callback_query_ttl = callback_query_ttl
        self.bot = FakeUser(bot_id, bot_first_name, username=bot_username, is_bot=True)

        self.users: dict[int, FakeUser] = {bot_id: self.bot}
        self.chats: dict[int, FakeChat] = {}
        self.files: dict[str, FileRecord] = {}
        self.calls: list[Call] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.callback_answers: dict[str, JSON] = {}
        self.faults: list[Fault] = []
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.confirmed_count = 0
        self.confirmed_update_id: int | None = None
        self.dropped_count = 0

        self._messages: dict[tuple[int, int], _Stored] = {}
        self._sent: list[SentMessage] = []
        self._queue: list[JSON] = []
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._next_update_id = 100000001
        self._ids = itertools.count(1)
        self._callbacks: dict[str, _CallbackQuery] = {}
        self._photo_sets: dict[str, list[JSON]] = {}
        self._commands: dict[CommandScopeKey, list[tuple[str, str]]] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._long_poll: object | None = None
        self._aborted_polls: dict[object, str] = {}
        self._logged_out = False
        self._time_offset = 0.0
        self._flood_log: dict[Any, deque[float]] = {}
        self._methods: dict[str, Callable[[_Args], Any]] = {
            name.lower(): getattr(self, f"_api_{name}")
            for name in (
                "getMe", "getUpdates", "sendMessage", "editMessageText", "editMessageCaption",
                "editMessageReplyMarkup", "deleteMessage", "deleteMessages", "sendPhoto",
                "sendDocument", "sendMediaGroup", "copyMessage", "forwardMessage",
                "answerCallbackQuery", "setMyCommands", "getMyCommands", "deleteMyCommands",
                "getChat", "getChatMember", "getChatMemberCount", "getChatAdministrators",
                "leaveChat", "sendChatAction", "setWebhook", "deleteWebhook", "getWebhookInfo",
                "getFile", "close", "logOut",
            )
        }

    # ------------------------------------------------------------------ clock & events

    def now(self) -> float:
        """Telegram's clock (wall time plus advance_time() offsets)."""
        return time.time() + self._time_offset

    def advance_time(self, seconds: float) -> None:
        """Move Telegram's clock forward (message age rules, callback query expiry)."""
        self._time_offset += seconds

    def _changed(self) -> None:
        # Wake every waiter (long polls, wait_for); each re-checks its own condition.
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait_change(self, at_most: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait({waiter}, timeout=max(at_most, 0))
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    # ------------------------------------------------------------------ request entry point

    async def handle(
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, UploadedFile] | None = None,
        *,
        token: str | None = None,
    ) -> ApiResponse:
        """Executes one Bot API request. Raises NetworkFailure for simulated transport
        faults; everything else (including Telegram errors) is an ApiResponse."""
        params = {k: v for k, v in params.items() if v is not None}
        files = dict(files or {})
        call = Call(method, dict(params), tuple(files), self.now())
        self.calls.append(call)
        try:
            response, lost = await self._execute(method, params, files, token)
        except NetworkFailure:
            call.description = "network failure (request lost)"
            raise
        finally:
            self._changed()
        call.status = response.status
        call.description = response.body.get("description")
        if lost is not None:
            call.status, call.description = None, f"response lost ({lost.kind})"
            raise NetworkFailure(
                "simulated connection loss after Telegram processed the request",
                processed=True,
                timeout=lost.kind == "timeout",
            )
        return response

    async def _execute(
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, UploadedFile],
        token: str | None,
    ) -> tuple[ApiResponse, Fault | None]:
        """Runs the method; returns the response and the fault that eats it, if any."""
        lost: Fault | None = None
        try:
            handler = self._authorize(method, token)
            fault = self._take_fault(method, params)
            if fault is not None and fault.kind in ("network_after", "timeout"):
                lost = fault
            elif fault is not None:
                self._raise_fault(fault, params)
            result = handler(_Args(params, files))
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return error.response(), lost
        if isinstance(result, _Described):
            body = {"ok": True, "result": result.value, "description": result.description}
            return ApiResponse(200, body), lost
        return ApiResponse(200, {"ok": True, "result": result}), lost

    def _authorize(self, method: str, token: str | None) -> Callable[[_Args], Any]:
        if self.token is not None and token != self.token:
            raise ApiError(401, "Unauthorized")
        if self._logged_out:
            raise ApiError(401, "Unauthorized")
        handler = self._methods.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler

    # ------------------------------------------------------------------ fault injection

    def inject(
        self,
        method: str | None = None,
        chat_id: int | str | None = None,
        error: str = "flood",
        times: int | None = 1,
        *,
        retry_after: int = 5,
        status: int = 500,
        text: str | None = None,
    ) -> Fault:
        """Makes matching requests fail.

        error: "flood" (429 with retry_after; like Telegram, matching calls made before
        retry_after seconds have passed get 429 again with the remaining time), "server" (5xx ``status``), "network" (request
        lost, not executed), "network_after" (executed, response lost), "timeout" (executed,
        client times out), "blocked" (403 bot was blocked), "forbidden" (403 with ``text``),
        "bad_request" (400 with ``text``), "migrate" (the group really migrates; 400 with
        migrate_to_chat_id). ``times=None`` = forever. Matching is by method name
        (case-insensitive) and/or chat_id.
        """
        kinds = {
            "flood", "server", "network", "network_after", "timeout", "blocked", "forbidden",
            "bad_request", "migrate",
        }
        if error not in kinds:
            raise DriverError(f"unknown fault {error!r}; expected one of {sorted(kinds)}")
        if error == "migrate" and chat_id is not None:
            chat = self.chats.get(int(chat_id))
            if chat is None or chat.type != "group":
                raise DriverError("migrate faults need a basic group chat_id")
        fault = Fault(error, method, chat_id, times, retry_after, status, text)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Removes all faults, including running flood waits."""
        self.faults.clear()

    @staticmethod
    def _fault_matches(fault: Fault, method: str, params: Mapping[str, str]) -> bool:
        if fault.method is not None and fault.method.lower() != method.lower():
            return False
        return fault.chat_id is None or params.get("chat_id") == str(fault.chat_id)

    def _check_flood_wait(self, method: str, params: Mapping[str, str]) -> None:
        """A flood wait is a hard ban: retrying before it ends earns another 429 with the
        remaining seconds, as on Telegram (so an early retry shows up as a bug)."""
        now = self.now()
        for fault in self.faults:
            if fault.until is None or now >= fault.until:
                continue
            if self._fault_matches(fault, method, params):
                remaining = max(1, math.ceil(fault.until - now))
                raise ApiError(
                    429, f"Too Many Requests: retry after {remaining}", {"retry_after": remaining}
                )

    def _take_fault(self, method: str, params: Mapping[str, str]) -> Fault | None:
        self._check_flood_wait(method, params)
        for fault in self.faults:
            if fault.exhausted or not self._fault_matches(fault, method, params):
                continue
            if fault.kind == "migrate" and not self._is_basic_group(params.get("chat_id")):
                continue
            fault.hits += 1
            if fault.kind == "flood":
                fault.until = self.now() + fault.retry_after
            return fault
        return None

    def _is_basic_group(self, raw_chat_id: str | None) -> bool:
        try:
            chat = self.chats.get(int(raw_chat_id or ""))
        except ValueError:
            return False
        return chat is not None and chat.type == "group" and chat.migrated_to is None

    def _raise_fault(self, fault: Fault, params: Mapping[str, str]) -> None:
        if fault.kind == "flood":
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if fault.kind == "server":
            raise ApiError(fault.status, fault.text or _http_phrase(fault.status))
        if fault.kind == "network":
            raise NetworkFailure("simulated network failure", processed=False)
        if fault.kind == "blocked":
            raise _forbidden("bot was blocked by the user")
        if fault.kind == "forbidden":
            text = fault.text or "bot was kicked from the group chat"
            raise ApiError(403, text if text.startswith("Forbidden: ") else f"Forbidden: {text}")
        if fault.kind == "bad_request":
            text = fault.text or "injected error"
            raise ApiError(400, text if text.startswith("Bad Request: ") else f"Bad Request: {text}")
        if fault.kind == "migrate":
            new_id = self.migrate_group(int(params["chat_id"]))
            raise _bad(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_id}
            )

    def _check_flood(self, method: str, chat: FakeChat, count: int = 1) -> None:
        if self.flood_limits is None or method.lower() not in _SEND_METHODS:
            return
        now = time.monotonic()
        limits = self.flood_limits
        chat_limit = limits.private_chat if chat.type == "private" else limits.group_chat
        buckets: list[tuple[Any, tuple[int, float]]] = [
            ("global", limits.global_limit),
            (chat.id, chat_limit),
        ]
        for key, (maximum, window) in buckets:
            log = self._flood_log.setdefault(key, deque())
            while log and log[0] <= now - window:
                log.popleft()
            if len(log) + count > maximum:
                retry = max(1, math.ceil(log[0] + window - now)) if log else 1
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                )
        for key, _ in buckets:
            self._flood_log[key].extend([now] * count)

    # ------------------------------------------------------------------ driver: world setup

    def user(
        self,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        *,
        user_id: int | None = None,
        language_code: str | None = "id",
        started: bool = True,
        is_bot: bool = False,
    ) -> FakeUser:
        """Creates a Telegram user (and the private chat with the bot, id = user id).
        ``started=False`` models someone who never pressed Start."""
        if user_id is None:
            user_id = 100000000 + next(self._ids)
        if user_id in self.users:
            raise DriverError(f"user {user_id} already exists")
        user = FakeUser(user_id, first_name, last_name, username, is_bot, language_code, started)
        self.users[user_id] = user
        self.chats[user_id] = FakeChat(user_id, "private")
        return user

    def group(
        self,
        title: str = "Test Group",
        members: Iterable[FakeUser | int] | Mapping[FakeUser | int, str] = (),
        *,
        supergroup: bool = False,
        bot_status: str = "member",
        username: str | None = None,
        chat_id: int | None = None,
    ) -> FakeChat:
        """Creates a group (or supergroup) with the bot in ``bot_status`` and members.
        ``members`` is a list (status "member") or a mapping user -> status; the first
        listed user becomes "creator" unless a creator is given explicitly."""
        if chat_id is None:
            n = next(self._ids)
            chat_id = -(1001800000000 + n) if supergroup else -(4000000000 + n)
        if chat_id in self.chats or chat_id >= 0:
            raise DriverError(f"bad or duplicate group id {chat_id}")
        chat = FakeChat(chat_id, "supergroup" if supergroup else "group", title, username)
        self.chats[chat_id] = chat
        pairs = members.items() if isinstance(members, Mapping) else ((m, "member") for m in members)
        statuses = {self._user(member).id: status for member, status in pairs}
        if statuses and "creator" not in statuses.values():
            first = next(iter(statuses))
            statuses[first] = "creator"
        for member, status in statuses.items():
            self.add_member(chat_id, member, status)
        self._set_status(chat, self.bot.id, bot_status)
        return chat

    def channel(
        self,
        title: str = "Test Channel",
        *,
        username: str | None = None,
        bot_status: str = "administrator",
        chat_id: int | None = None,
    ) -> FakeChat:
        if chat_id is None:
            chat_id = -(1002800000000 + next(self._ids))
        chat = FakeChat(chat_id, "channel", title, username)
        self.chats[chat_id] = chat
        self._set_status(chat, self.bot.id, bot_status)
        return chat

    def add_member(self, chat_id: int, user: FakeUser | int, status: str = "member") -> None:
        """Silently sets a member's status (setup helper: no update is generated)."""
        chat = self._driver_chat(chat_id)
        if chat.type == "private":
            raise DriverError("private chats have no members")
        self._set_status(chat, self._user(user).id, status)

    def _set_status(self, chat: FakeChat, user_id: int, status: str) -> None:
        if status not in MEMBER_STATUSES:
            raise DriverError(f"unknown member status {status!r}")
        chat.members[user_id] = status

    def set_bot_status(
        self, chat_id: int, status: str, *, by: FakeUser | int | None = None
    ) -> DrivenUpdate:
        """Changes the bot's membership (added, promoted, kicked...) and emits the
        ``my_chat_member`` update Telegram sends for it."""
        chat = self._driver_chat(chat_id)
        if chat.type == "private":
            raise DriverError("use block_bot()/unblock_bot() for private chats")
        actor = self._user(by) if by is not None else self._any_admin(chat)
        old = chat.members.get(self.bot.id, "left")
        self._set_status(chat, self.bot.id, status)
        return self._my_chat_member(chat, actor, old, status)

    def add_bot_to_group(
        self, chat_id: int, by: FakeUser | int, status: str = "member"
    ) -> list[DrivenUpdate]:
        """A user adds the bot: my_chat_member plus the new_chat_members service message."""
        chat = self._driver_chat(chat_id)
        actor = self._user(by)
        updates = [self.set_bot_status(chat_id, status, by=actor)]
        service = self._new_message(chat, actor, {"new_chat_members": [self.bot.to_dict()]})
        updates.append(self._deliver_message(chat, service, "message", service=True))
        return updates

    def block_bot(self, user: FakeUser | int, *, notify: bool = True) -> DrivenUpdate | None:
        """The user blocks the bot: sends fail with 403 and (as on Telegram) the bot gets a
        my_chat_member update with status "kicked"."""
        target = self._user(user)
        target.blocked = True
        if not notify:
            return None
        return self._my_chat_member(self.chats[target.id], target, "member", "kicked")

    def unblock_bot(self, user: FakeUser | int, *, notify: bool = True) -> DrivenUpdate | None:
        target = self._user(user)
        target.blocked = False
        target.started = True
        if not notify:
            return None
        return self._my_chat_member(self.chats[target.id], target, "kicked", "member")

    def migrate_group(self, old_id: int) -> int:
        """Upgrades a basic group to a supergroup (same members, new id). Sends to the old
        id then fail with 400 + migrate_to_chat_id, as on Telegram."""
        old = self._driver_chat(old_id)
        if old.type != "group" or old.migrated_to is not None:
            raise DriverError(f"chat {old_id} is not an active basic group")
        new_id = -(1001900000000 + next(self._ids))
        new = FakeChat(new_id, "supergroup", old.title, old.username, dict(old.members))
        new.migrated_from = old_id
        self.chats[new_id] = new
        old.migrated_to = new_id
        actor = self._any_admin(old)
        # Telegram posts a service message in both chats.
        to_msg = self._new_message(old, actor, {"migrate_to_chat_id": new_id})
        self._deliver_message(old, to_msg, "message", service=True)
        from_msg = self._new_message(new, actor, {"migrate_from_chat_id": old_id})
        self._deliver_message(new, from_msg, "message", service=True)
        return new_id

    # ------------------------------------------------------------------ driver: updates

    def send_text(
        self,
        user: FakeUser | int,
        chat_id: int | None,
        text: str,
        reply_to_message_id: int | None = None,
        *,
        entities: list[JSON] | None = None,
    ) -> DrivenUpdate:
        """The user sends ``text`` (chat_id None = private chat). Commands get a
        bot_command entity, like Telegram clients produce."""
        if not text:
            raise DriverError("Telegram clients cannot send an empty message")
        found = list(entities or []) + _command_entities(text)
        content: JSON = {"text": text}
        if found:
            content["entities"] = sorted(found, key=lambda e: (e["offset"], -e["length"]))
        return self._user_message(user, chat_id, content, reply_to_message_id)

    def send_photo(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        caption: str | None = None,
        *,
        width: int = 1280,
        height: int = 960,
        content: bytes | None = None,
        reply_to_message_id: int | None = None,
    ) -> DrivenUpdate:
        sizes = self._make_photo_sizes(content or _FAKE_JPEG, width, height)
        data: JSON = {"photo": sizes}
        self._add_caption(data, caption)
        return self._user_message(user, chat_id, data, reply_to_message_id)

    def send_document(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        *,
        content: bytes | None = None,
        file_size: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> DrivenUpdate:
        """``file_size`` without ``content`` fakes a file of that size (for size limits)."""
        if content is None:
            content = b"%PDF-1.4 fake\n" if file_size is None else b"\0" * file_size
        record = self._new_file("document", content, file_name=file_name, mime_type=mime_type)
        data: JSON = {"document": self._file_dict(record)}
        self._add_caption(data, caption)
        return self._user_message(user, chat_id, data, reply_to_message_id)

    def send_contact(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        phone_number: str = "+6281234567890",
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | bool | None = True,
        vcard: str | None = None,
    ) -> DrivenUpdate:
        """Shares a contact; by default the user's own (what a request_contact button
        sends: contact.user_id == from.id). ``contact_user_id=None`` for a foreign card."""
        sender = self._user(user)
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or sender.first_name,
        }
        last = last_name if last_name is not None else sender.last_name
        if last:
            contact["last_name"] = last
        if contact_user_id is True:
            contact["user_id"] = sender.id
        elif isinstance(contact_user_id, int) and contact_user_id is not False:
            contact["user_id"] = contact_user_id
        if vcard:
            contact["vcard"] = vcard
        return self._user_message(sender, chat_id, {"contact": contact}, None)

    def send_sticker(
        self, user: FakeUser | int, chat_id: int | None = None, emoji: str = "👍"
    ) -> DrivenUpdate:
        record = self._new_file("sticker", b"RIFF\0\0\0\0WEBPVP8 ", width=512, height=512)
        sticker = self._file_dict(record)
        sticker.update(
            {"type": "regular", "width": 512, "height": 512, "is_animated": False,
             "is_video": False, "emoji": emoji}
        )
        return self._user_message(user, chat_id, {"sticker": sticker}, None)

    def send_voice(
        self, user: FakeUser | int, chat_id: int | None = None, duration: int = 3
    ) -> DrivenUpdate:
        record = self._new_file("voice", b"OggS" + b"\0" * 2000, mime_type="audio/ogg",
                                duration=duration)
        return self._user_message(user, chat_id, {"voice": self._file_dict(record)}, None)

    def send_location(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        latitude: float = -6.2088,
        longitude: float = 106.8456,
    ) -> DrivenUpdate:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user, chat_id, {"location": location}, None)

    def edit_text(
        self, user: FakeUser | int, chat_id: int | None, message_id: int, text: str
    ) -> DrivenUpdate:
        """The user edits their earlier text message: an ``edited_message`` update."""
        sender = self._user(user)
        chat = self._driver_chat(sender.id if chat_id is None else chat_id)
        stored = self._messages.get((chat.id, message_id))
        if stored is None or stored.deleted or stored.data.get("from", {}).get("id") != sender.id:
            raise DriverError(f"user {sender.id} has no message {message_id} in chat {chat.id}")
        if "text" not in stored.data:
            raise DriverError("only text messages can be edited by this driver")
        stored.data["text"] = text
        stored.data.pop("entities", None)
        found = _command_entities(text)
        if found:
            stored.data["entities"] = found
        stored.data["edit_date"] = int(self.now())
        return self._deliver_message(chat, dict(stored.data), "edited_message")

    def channel_post(self, chat_id: int, text: str) -> DrivenUpdate:
        chat = self._driver_chat(chat_id)
        if chat.type != "channel":
            raise DriverError(f"chat {chat_id} is not a channel")
        data = self._new_message(chat, None, {"text": text})
        data["sender_chat"] = chat.to_dict(self.users)
        return self._deliver_message(chat, data, "channel_post")

    def press_button(
        self,
        user: FakeUser | int,
        chat_id: int | None,
        message_id: int,
        callback_data: str,
    ) -> DrivenUpdate:
        """The user taps an inline button. The message must be the bot's, still exist, and
        carry a button with exactly this callback_data; otherwise it is a test bug."""
        presser = self._user(user)
        chat = self._driver_chat(presser.id if chat_id is None else chat_id)
        self._require_presence(chat, presser)
        stored = self._messages.get((chat.id, message_id))
        if stored is None or stored.deleted or not stored.from_bot:
            raise DriverError(f"no bot message {message_id} in chat {chat.id}")
        markup = stored.sent.reply_markup if stored.sent else None
        datas = [data for _, data in _inline_buttons(markup)]
        if callback_data not in datas:
            raise DriverError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"buttons: {_inline_buttons(markup)}"
            )
        query_id = str(next(self._ids) * 7919 + 4000000000000000000)
        self._callbacks[query_id] = _CallbackQuery(query_id, self.now())
        instance = hashlib.sha1(f"{chat.id}".encode()).hexdigest()[:16]
        query = {
            "id": query_id,
            "from": presser.to_dict(),
            "message": dict(stored.data),
            "chat_instance": str(int(instance, 16) % (10**19)),
            "data": callback_data,
        }
        update_id = self._enqueue("callback_query", query)
        return DrivenUpdate(
            "callback_query", query, update_id, chat.id, message_id, callback_query_id=query_id
        )

    # ------------------------------------------------------------------ driver internals

    def _user(self, user: FakeUser | int) -> FakeUser:
        user_id = user.id if isinstance(user, FakeUser) else user
        found = self.users.get(user_id)
        if found is None:
            raise DriverError(f"unknown user {user_id}; create it with user()")
        return found

    def _driver_chat(self, chat_id: int) -> FakeChat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise DriverError(f"unknown chat {chat_id}")
        return chat

    def _any_admin(self, chat: FakeChat) -> FakeUser:
        for user_id, status in chat.members.items():
            if status in ("creator", "administrator") and user_id != self.bot.id:
                return self.users[user_id]
        for user_id, status in chat.members.items():
            if status in _PRESENT and user_id != self.bot.id:
                return self.users[user_id]
        return self.bot

    def _require_presence(self, chat: FakeChat, user: FakeUser) -> None:
        if chat.type == "private":
            if chat.id != user.id:
                raise DriverError(f"user {user.id} cannot act in private chat {chat.id}")
            return
        if chat.migrated_to is not None:
            raise DriverError(f"group {chat.id} was migrated to {chat.migrated_to}")
        if chat.members.get(user.id) not in _PRESENT:
            raise DriverError(f"user {user.id} is not a member of chat {chat.id}")

    def _new_message(self, chat: FakeChat, sender: FakeUser | None, content: JSON) -> JSON:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: JSON = {"message_id": message_id}
        if sender is not None:
            data["from"] = sender.to_dict()
        data["chat"] = chat.to_dict(self.users)
        data["date"] = int(self.now())
        data.update(content)
        return data

    def _user_message(
        self,
        user: FakeUser | int,
        chat_id: int | None,
        content: JSON,
        reply_to_message_id: int | None,
    ) -> DrivenUpdate:
        sender = self._user(user)
        chat = self._driver_chat(sender.id if chat_id is None else chat_id)
        self._require_presence(chat, sender)
        if chat.type == "private":
            if sender.blocked:
                self.unblock_bot(sender)  # writing to a blocked bot means unblocking it
            sender.started = True
        if reply_to_message_id is not None:
            target = self._messages.get((chat.id, reply_to_message_id))
            if target is None or target.deleted:
                raise DriverError(f"no message {reply_to_message_id} in chat {chat.id} to reply to")
            content = {**content, "reply_to_message": _without_reply(target.data)}
        data = self._new_message(chat, sender, content)
        return self._deliver_message(chat, data, "message")

    def _deliver_message(
        self, chat: FakeChat, data: JSON, kind: str, *, service: bool = False
    ) -> DrivenUpdate:
        key = (chat.id, data["message_id"])
        if kind in ("message", "channel_post"):
            self._messages[key] = _Stored(data, from_bot=False, service=service)
        update_id = None
        if self._bot_sees(chat, data, service):
            update_id = self._enqueue(kind, data)
        return DrivenUpdate(kind, data, update_id, chat.id, data["message_id"])

    def _bot_sees(self, chat: FakeChat, data: JSON, service: bool) -> bool:
        """Telegram's delivery rules, including group privacy mode."""
        if chat.type == "private":
            return True
        status = chat.members.get(self.bot.id, "left")
        if status not in _PRESENT:
            # The bot still hears about its own removal via my_chat_member, not messages.
            return False
        if chat.type == "channel" or service or not self.privacy_mode:
            return True
        if status in ("creator", "administrator"):
            return True  # privacy mode does not apply to admins
        reply = data.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot.id:
            return True
        text = data.get("text") or data.get("caption") or ""
        for match in _COMMAND_RE.finditer(text):
            target = match.group(2)
            if target is None or target[1:].lower() == (self.bot.username or "").lower():
                return True
        return False

    def _my_chat_member(
        self, chat: FakeChat, actor: FakeUser, old: str, new: str
    ) -> DrivenUpdate:
        payload = {
            "chat": chat.to_dict(self.users),
            "from": actor.to_dict(),
            "date": int(self.now()),
            "old_chat_member": self._member_dict(chat, self.bot, old),
            "new_chat_member": self._member_dict(chat, self.bot, new),
        }
        update_id = self._enqueue("my_chat_member", payload)
        return DrivenUpdate("my_chat_member", payload, update_id, chat.id)

    def _enqueue(self, kind: str, payload: JSON) -> int | None:
        if kind not in self._allowed_updates:
            return None  # Telegram drops update types the bot did not ask for
        update_id = self._next_update_id
        self._next_update_id += 1
        self._queue.append({"update_id": update_id, kind: payload})
        self._changed()
        return update_id

    def _add_caption(self, data: JSON, caption: str | None) -> None:
        if caption:
            data["caption"] = caption
            found = _command_entities(caption)
            if found:
                data["caption_entities"] = found

    # ------------------------------------------------------------------ inspection

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent (oldest first), deleted ones included with .deleted."""
        return [m for m in self._sent if chat_id is None or m.chat_id == chat_id]

    def last_sent(self, chat_id: int | None = None) -> SentMessage:
        messages = self.sent(chat_id)
        if not messages:
            raise DriverError(f"the bot sent nothing{'' if chat_id is None else f' to {chat_id}'}")
        return messages[-1]

    def clear_sent(self) -> None:
        """Forgets the sent log (messages still exist for edits/buttons)."""
        self._sent.clear()

    @staticmethod
    def buttons(message: SentMessage) -> list[tuple[str, str | None]]:
        """Inline buttons as (text, callback_data); URL buttons have callback_data None."""
        return _inline_buttons(message.reply_markup)

    @staticmethod
    def keyboard(message: SentMessage) -> list[list[str]]:
        """Reply-keyboard rows as button texts ([] when none)."""
        markup = message.reply_markup or {}
        return [[button["text"] for button in row] for row in markup.get("keyboard", [])]

    def message(self, chat_id: int, message_id: int) -> JSON:
        """Current state of any message (user's or bot's), as Telegram stores it."""
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise DriverError(f"no message {message_id} in chat {chat_id}")
        return stored.data

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def confirmed_offset(self) -> int | None:
        """The highest ``offset`` the bot has confirmed with (last confirmed id + 1)."""
        return None if self.confirmed_update_id is None else self.confirmed_update_id + 1

    @property
    def pending_updates(self) -> list[JSON]:
        return list(self._queue)

    @property
    def allowed_updates(self) -> frozenset[str]:
        return self._allowed_updates

    @property
    def commands(self) -> dict[CommandScopeKey, list[tuple[str, str]]]:
        return {key: list(value) for key, value in self._commands.items()}

    def commands_for(
        self,
        scope: str = "default",
        chat_id: int | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[tuple[str, str]]:
        return list(self._commands.get(CommandScopeKey(scope, chat_id, user_id, language_code), []))

    def visible_commands(
        self, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """The command menu a user would see in a chat (Telegram's scope resolution)."""
        chat = self._driver_chat(chat_id)
        chain: list[tuple[str, int | None, int | None]]
        if chat.type == "private":
            chain = [("chat", chat.id, None), ("all_private_chats", None, None)]
        else:
            is_admin = user_id is not None and chat.members.get(user_id) in ("creator", "administrator")
            chain = [("chat_member", chat.id, user_id)] if user_id is not None else []
            if is_admin:
                chain.append(("chat_administrators", chat.id, None))
            chain.append(("chat", chat.id, None))
            if is_admin:
                chain.append(("all_chat_administrators", None, None))
            chain.append(("all_group_chats", None, None))
        chain.append(("default", None, None))
        for scope, c_id, u_id in chain:
            for lang in ((language_code, "") if language_code else ("",)):
                key = CommandScopeKey(scope, c_id, u_id, lang)
                if key in self._commands:
                    return list(self._commands[key])
        return []

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,
        *,
        chat_id: int | None = None,
    ) -> SentMessage:
        """Waits (event-driven) until a sent message matches; existing ones count too.
        Edits re-trigger the check, so predicates on ``rendered`` see edited text."""
        def matches(message: SentMessage) -> bool:
            if chat_id is not None and message.chat_id != chat_id:
                return False
            return predicate is None or predicate(message)

        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for message in self._sent:
                if matches(message):
                    return message
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = [(m.chat_id, m.rendered[:80]) for m in self._sent[-5:]]
                raise TimeoutError(f"no matching sent message within {timeout}s; last: {recent}")
            await self._wait_change(remaining)

    async def wait_for_call(
        self,
        method: str | Callable[[Call], bool],
        timeout: float = 5.0,
    ) -> Call:
        """Waits until the bot made a matching request (answered ones only)."""
        def matches(call: Call) -> bool:
            if call.status is None and call.description is None:
                return False
            if isinstance(method, str):
                return call.method.lower() == method.lower()
            return method(call)

        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for call in self.calls:
                if matches(call):
                    return call
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no matching call within {timeout}s")
            await self._wait_change(remaining)

    async def wait_until_idle(self, timeout: float = 5.0) -> None:
        """Waits until the bot has fetched and confirmed every queued update."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._queue:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._queue)} updates still unconfirmed")
            await self._wait_change(remaining)

    # ------------------------------------------------------------------ chats & access

    def _chat_arg(self, args: _Args, name: str = "chat_id") -> FakeChat:
        raw = args.get(name).strip()
        if not raw:
            raise _bad(f"{name} is empty")
        chat: FakeChat | None
        if raw.startswith("@"):
            wanted = raw[1:].lower()
            chat = next(
                (c for c in self.chats.values()
                 if c.type != "private" and (c.username or "").lower() == wanted),
                None,
            )
        else:
            try:
                chat = self.chats.get(int(raw))
            except ValueError:
                chat = None
        if chat is None:
            raise _bad("chat not found")
        if chat.type == "private" and not self._knows_user(self.users[chat.id]):
            raise _bad("chat not found")
        return chat

    def _knows_user(self, user: FakeUser) -> bool:
        # The bot "knows" users who started it or whom it has seen in a shared group.
        if user.started:
            return True
        return any(
            chat.members.get(user.id) in _PRESENT and chat.members.get(self.bot.id) in _PRESENT
            for chat in self.chats.values()
            if chat.type != "private"
        )

    def _check_read(self, chat: FakeChat) -> None:
        if chat.type in ("supergroup", "channel") and chat.username is None:
            self._check_membership(chat)

    def _check_write(self, chat: FakeChat) -> None:
        """Telegram's check_chat_access for sending/editing (before the send itself)."""
        if chat.type == "private":
            return
        if chat.migrated_to is not None:
            raise _bad(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        self._check_membership(chat)
        if chat.type == "channel" and chat.members.get(self.bot.id) not in ("creator", "administrator"):
            raise _bad("need administrator rights in the channel chat")

    def _check_membership(self, chat: FakeChat) -> None:
        status = chat.members.get(self.bot.id, "left")
        kind = {"group": "group", "supergroup": "supergroup", "channel": "channel"}[chat.type]
        if status == "kicked":
            raise _forbidden(f"bot was kicked from the {kind} chat")
        if status not in _PRESENT:
            raise _forbidden(f"bot is not a member of the {kind} chat")

    def _check_recipient(self, chat: FakeChat) -> None:
        """Server-side refusals that happen only when a message is actually sent."""
        if chat.type != "private":
            return
        user = self.users[chat.id]
        if user.is_bot:
            raise _forbidden("bot can't send messages to bots")
        if user.blocked:
            raise _forbidden("bot was blocked by the user")
        if not user.started:
            raise _forbidden("bot can't initiate conversation with a user")

    def _reply_to(self, args: _Args, chat: FakeChat) -> _Stored | None:
        params = args.json("reply_parameters", "reply parameters")
        if params is not None and not isinstance(params, dict):
            raise _bad("object expected as reply parameters")
        if params:
            message_id = int(params.get("message_id") or 0)
            allow = bool(params.get("allow_sending_without_reply"))
            reply_chat = chat
            if params.get("chat_id") not in (None, ""):
                reply_chat = self._chat_arg(_Args({"chat_id": str(params["chat_id"])}, {}))
        else:
            message_id = args.integer("reply_to_message_id")
            allow = args.flag("allow_sending_without_reply")
            reply_chat = chat
        if message_id <= 0:
            return None
        stored = self._messages.get((reply_chat.id, message_id))
        if stored is None or stored.deleted:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return stored

    # ------------------------------------------------------------------ reply markup

    def _reply_markup(self, args: _Args) -> JSON | None:
        """Parses reply_markup like the Bot API server: structural JSON errors first,
        normalised to what Telegram keeps (first action of each inline button)."""
        value = args.json("reply_markup", "reply keyboard markup")
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _bad("object expected as reply markup")
        keyboard = _rows(value, "keyboard", "Field \"keyboard\" must be an Array of Arrays")
        inline = _rows(
            value,
            "inline_keyboard",
            'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
        )
        selective = bool(value.get("selective") or value.get("personal_keyboard"))
        if keyboard:
            rows = [[_keyboard_button(b) for b in row] for row in keyboard]
            result: JSON = {"keyboard": rows}
            for key in ("resize_keyboard", "one_time_keyboard", "is_persistent"):
                if value.get(key):
                    result[key] = True
            if value.get("input_field_placeholder"):
                result["input_field_placeholder"] = value["input_field_placeholder"]
            if selective:
                result["selective"] = True
            return result
        if inline:
            return {"inline_keyboard": [[_inline_button(b) for b in row] for row in inline]}
        if value.get("remove_keyboard") or value.get("hide_keyboard"):
            return {"remove_keyboard": True, **({"selective": True} if selective else {})}
        if value.get("force_reply") or value.get("force_reply_keyboard"):
            result = {"force_reply": True}
            if value.get("input_field_placeholder"):
                result["input_field_placeholder"] = value["input_field_placeholder"]
            return result
        return None

    @staticmethod
    def _check_markup_content(markup: JSON | None) -> None:
        """tdlib/server-side checks, which run after chat access checks."""
        if not markup:
            return
        for row in markup.get("keyboard", []):
            for button in row:
                if not button["text"]:
                    raise _bad("keyboard button text must be non-empty")
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        if len(buttons) > MAX_INLINE_BUTTONS:
            raise _bad("reply markup is too long")
        for button in buttons:
            if not button["text"]:
                raise _bad("inline keyboard button text must be non-empty")
            data = button.get("callback_data")
            if data is not None and len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                raise _bad("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not _plausible_url(url):
                raise _bad("BUTTON_URL_INVALID")

    # ------------------------------------------------------------------ text helpers

    def _format(self, args: _Args, text_field: str, *, caption: bool) -> FormattedText:
        raw = args.get(text_field)
        entities_field = "caption_entities" if caption else "entities"
        try:
            return format_text(
                raw,
                args.opt("parse_mode"),
                args.opt(entities_field),
                allow_empty=caption,
                strict_ampersand=self.strict_html_ampersand,
            )
        except TextFormatError as error:
            raise _bad(error.description) from error

    @staticmethod
    def _check_length(formatted: FormattedText, *, caption: bool) -> None:
        length = utf16_len(formatted.text)
        if caption and length > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        if not caption and length > MAX_TEXT_LENGTH:
            raise _bad("message is too long")

    # ------------------------------------------------------------------ message creation

    def _bot_message(
        self,
        chat: FakeChat,
        content: JSON,
        *,
        method: str,
        raw_text: str | None,
        parse_mode: str | None,
        formatted: FormattedText | None,
        markup: JSON | None,
        reply: _Stored | None,
        protect: bool = False,
        media: tuple[str, str | None, Any] | None = None,
        media_group_id: str | None = None,
    ) -> SentMessage:
        data = self._new_message(chat, self.bot, {})
        if chat.type == "channel":
            data.pop("from")
            data["sender_chat"] = chat.to_dict(self.users)
        if reply is not None:
            data["reply_to_message"] = _without_reply(reply.data)
        if media_group_id:
            data["media_group_id"] = media_group_id
        if protect:
            data["has_protected_content"] = True
        data.update(content)
        if markup and "inline_keyboard" in markup:
            data["reply_markup"] = markup  # only inline keyboards are part of a Message
        media_type, file_id, media_obj = media or (None, None, None)
        sent = SentMessage(
            chat_id=chat.id,
            message_id=data["message_id"],
            method=method,
            text=raw_text,
            parse_mode=parse_mode,
            rendered=formatted.text if formatted else "",
            entities=list(formatted.entities) if formatted else [],
            reply_markup=markup,
            reply_to_message_id=reply.data["message_id"] if reply else None,
            date=data["date"],
            message=data,
            media_type=media_type,
            file_id=file_id,
            media=media_obj,
            media_group_id=media_group_id,
        )
        self._messages[(chat.id, sent.message_id)] = _Stored(data, from_bot=True, sent=sent)
        self._sent.append(sent)
        return sent

    def _prepare_send(self, args: _Args) -> tuple[FakeChat, JSON | None, _Stored | None]:
        """Common send pipeline after content parsing: markup JSON, chat access, reply."""
        markup = self._reply_markup(args)
        chat = self._chat_arg(args)
        self._check_write(chat)
        reply = self._reply_to(args, chat)
        return chat, markup, reply

    def _finish_checks(
        self, chat: FakeChat, markup: JSON | None, method: str, count: int = 1
    ) -> None:
        """Checks Telegram makes when actually sending: markup content, recipient, flood."""
        self._check_markup_content(markup)
        self._check_recipient(chat)
        self._check_flood(method, chat, count)

    # ------------------------------------------------------------------ files

    def _new_file(
        self,
        kind: str,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
    ) -> FileRecord:
        n = next(self._ids)
        digest = base64.urlsafe_b64encode(hashlib.sha256(f"{kind}{n}".encode()).digest())
        token = digest.decode().rstrip("=")
        file_id = f"{_FILE_ID_PREFIX[kind]}{n:06d}{token[:40]}"
        unique = f"AQAD{token[40:52]}{n}"
        extension = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else {
            "photo": "jpg", "sticker": "webp", "voice": "oga", "video": "mp4",
            "audio": "mp3", "animation": "mp4",
        }.get(kind, "bin")
        folder = "voice" if kind == "voice" else f"{kind}s"
        record = FileRecord(
            file_id, unique, kind, content, file_name, mime_type, width, height, duration,
            f"{folder}/file_{n}.{extension}",
        )
        self.files[file_id] = record
        return record

    @staticmethod
    def _file_dict(record: FileRecord) -> JSON:
        data: JSON = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
        for key in ("file_name", "mime_type", "width", "height", "duration"):
            if getattr(record, key) is not None:
                data[key] = getattr(record, key)
        data["file_size"] = record.file_size
        return data

    def _make_photo_sizes(self, content: bytes, width: int, height: int) -> list[JSON]:
        sizes: list[JSON] = []
        for limit in (90, 320, 800, 1280):
            scale = min(1.0, limit / max(width, height))
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            if sizes and (w, h) == (sizes[-1]["width"], sizes[-1]["height"]):
                break
            part = content if scale == 1.0 else content[: max(1, int(len(content) * scale * scale))]
            record = self._new_file("photo", part, width=w, height=h)
            sizes.append(self._file_dict(record))
        for size in sizes:
            self._photo_sets[size["file_id"]] = sizes
        return sizes

    def _input_file(self, args: _Args, name: str, value: str | None, kind: str) -> tuple[FileRecord, list[JSON] | None]:
        """Resolves a file argument: multipart upload, attach://, URL or file_id."""
        upload = args.files.get(name)
        if upload is None and value and value.startswith("attach://"):
            upload = args.files.get(value[len("attach://") :])
            if upload is None:
                raise _bad(f"can't find attached file \"{value[len('attach://'):]}\"")
        if upload is not None:
            return self._from_upload(upload, kind)
        if not value:
            noun = {"photo": "photo", "document": "document"}.get(kind, kind)
            raise _bad(f"there is no {noun} in the request")
        if re.match(r"^https?://", value):
            content = _FAKE_JPEG if kind == "photo" else b"downloaded by URL"
            return self._stored_upload(content, kind, value.rsplit("/", 1)[-1] or None, None)
        record = self.files.get(value.strip())
        if record is None:
            raise _bad("wrong remote file identifier specified: can't unserialize it")
        if record.kind != kind:
            raise _bad(
                f"can't use file of type {_FILE_TYPE_NAMES[record.kind]} as {_FILE_TYPE_NAMES[kind]}"
            )
        return record, self._photo_sets.get(record.file_id)

    def _from_upload(self, upload: UploadedFile, kind: str) -> tuple[FileRecord, list[JSON] | None]:
        if not upload.content:
            raise _bad("file must be non-empty")
        if len(upload.content) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        if kind == "photo" and not upload.content.startswith(_IMAGE_MAGIC):
            raise _bad("IMAGE_PROCESS_FAILED")
        return self._stored_upload(upload.content, kind, upload.filename, upload.mime_type)

    def _stored_upload(
        self, content: bytes, kind: str, filename: str | None, mime: str | None
    ) -> tuple[FileRecord, list[JSON] | None]:
        if kind == "photo":
            width, height = _image_size(content)
            sizes = self._make_photo_sizes(content, width, height)
            return self.files[sizes[-1]["file_id"]], sizes
        record = self._new_file(
            kind, content, file_name=filename, mime_type=mime or "application/octet-stream"
        )
        return record, None

    def download(self, token: str | None, file_path: str) -> tuple[int, bytes]:
        """Serves https://api.telegram.org/file/bot<token>/<file_path>."""
        if self.token is not None and token != self.token:
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        for record in self.files.values():
            if record.file_path == file_path:
                return 200, record.content
        return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'

    # ------------------------------------------------------------------ Bot API: basics

    def _api_getMe(self, args: _Args) -> JSON:
        data = self.bot.to_dict()
        data.update(
            {
                "can_join_groups": True,
                "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )
        return data

    def _api_close(self, args: _Args) -> bool:
        return True

    def _api_logOut(self, args: _Args) -> bool:
        self._logged_out = True  # the cloud API refuses this token afterwards
        return True

    # ------------------------------------------------------------------ Bot API: updates

    async def _api_getUpdates(self, args: _Args) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = args.integer("offset")
        limit = min(max(args.integer("limit", 100), 1), 100)
        timeout = min(max(args.integer("timeout"), 0), 50)
        self._update_allowed(args)
        self._confirm(offset)
        if self._queue or timeout == 0:
            return self._queue[:limit]
        return await self._long_poll_wait(limit, timeout)

    async def _long_poll_wait(self, limit: int, seconds: int) -> list[JSON]:
        self._abort_long_poll(
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
        token = object()
        self._long_poll = token
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            while True:
                if token in self._aborted_polls:
                    raise ApiError(409, self._aborted_polls.pop(token))
                if self._queue:
                    return self._queue[:limit]
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                await self._wait_change(remaining)
        finally:
            self._aborted_polls.pop(token, None)
            if self._long_poll is token:
                self._long_poll = None

    def _abort_long_poll(self, message: str) -> None:
        if self._long_poll is not None:
            self._aborted_polls[self._long_poll] = message
            self._long_poll = None
            self._changed()

    def _update_allowed(self, args: _Args) -> None:
        raw = args.opt("allowed_updates")
        if raw is None:
            return  # Telegram keeps the previous setting
        try:
            value = json.loads(raw)
        except ValueError:
            return
        if isinstance(value, list):
            wanted = frozenset(str(v) for v in value) & ALL_UPDATE_TYPES
            self._allowed_updates = wanted or DEFAULT_ALLOWED_UPDATES

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = -offset
            dropped = self._queue[:-keep] if keep < len(self._queue) else []
            self.dropped_count += len(dropped)
            self._queue = self._queue[len(dropped) :]
            self._changed()
            return
        confirmed = [u for u in self._queue if u["update_id"] < offset]
        if confirmed:
            self.confirmed_count += len(confirmed)
            self.confirmed_update_id = confirmed[-1]["update_id"]
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
            self._changed()  # the request may now long-poll; wake wait_until_idle() first

    def _api_setWebhook(self, args: _Args) -> _Described:
        url = args.get("url")
        if url:
            match = re.match(r"^https://[^/:]+(?::(\d+))?(/.*)?$", url)
            if not match:
                raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
            if match.group(1) and match.group(1) not in ("80", "88", "443", "8443"):
                raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
            secret = args.opt("secret_token")
            if secret is not None and (
                len(secret) > 256 or not re.fullmatch(r"[A-Za-z0-9_-]+", secret)
            ):
                raise _bad("secret token contains unallowed characters")
        if args.flag("drop_pending_updates"):
            self._drop_pending()
        self._update_allowed(args)
        if url == self.webhook_url:
            return _Described(True, "Webhook is already set" if url else "Webhook is already deleted")
        if url:
            self._abort_long_poll("Conflict: terminated by setWebhook request")
        self.webhook_url = url
        self.webhook_secret_token = args.opt("secret_token") if url else None
        return _Described(True, "Webhook was set" if url else "Webhook was deleted")

    def _api_deleteWebhook(self, args: _Args) -> _Described:
        if args.flag("drop_pending_updates"):
            self._drop_pending()
        was_set = bool(self.webhook_url)
        self.webhook_url = ""
        self.webhook_secret_token = None
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _drop_pending(self) -> None:
        self.dropped_count += len(self._queue)
        self._queue = []

    def _api_getWebhookInfo(self, args: _Args) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            info["ip_address"] = "127.0.0.1"
        if self._allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # ------------------------------------------------------------------ Bot API: sending

    def _api_sendMessage(self, args: _Args) -> JSON:
        if not args.get("text"):
            raise _bad("message text is empty")
        formatted = self._format(args, "text", caption=False)
        chat, markup, reply = self._prepare_send(args)
        self._check_length(formatted, caption=False)
        self._finish_checks(chat, markup, "sendMessage")
        content: JSON = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        sent = self._bot_message(
            chat, content, method="sendMessage", raw_text=args.get("text"),
            parse_mode=args.opt("parse_mode"), formatted=formatted, markup=markup, reply=reply,
            protect=args.flag("protect_content"),
        )
        return sent.message

    def _caption_content(self, args: _Args, formatted: FormattedText) -> JSON:
        content: JSON = {}
        if formatted.text:
            content["caption"] = formatted.text
            if formatted.entities:
                content["caption_entities"] = formatted.entities
        if args.flag("show_caption_above_media"):
            content["show_caption_above_media"] = True
        if args.flag("has_spoiler"):
            content["has_media_spoiler"] = True
        return content

    def _send_media(self, args: _Args, method: str, kind: str) -> JSON:
        formatted = self._format(args, "caption", caption=True)
        chat, markup, reply = self._prepare_send(args)
        record, sizes = self._input_file(args, kind, args.opt(kind), kind)
        self._check_length(formatted, caption=True)
        self._finish_checks(chat, markup, method)
        content = self._caption_content(args, formatted)
        media_obj: Any = sizes if kind == "photo" else self._file_dict(record)
        content[kind] = media_obj
        sent = self._bot_message(
            chat, content, method=method, raw_text=args.opt("caption"),
            parse_mode=args.opt("parse_mode"), formatted=formatted, markup=markup, reply=reply,
            protect=args.flag("protect_content"), media=(kind, record.file_id, media_obj),
        )
        return sent.message

    def _api_sendPhoto(self, args: _Args) -> JSON:
        return self._send_media(args, "sendPhoto", "photo")

    def _api_sendDocument(self, args: _Args) -> JSON:
        return self._send_media(args, "sendDocument", "document")

    def _api_sendMediaGroup(self, args: _Args) -> list[JSON]:
        raw = args.opt("media")
        if raw is None:
            raise _bad("parameter \"media\" is required")
        try:
            items = json.loads(raw)
        except ValueError as exc:
            raise _bad("can't parse media JSON object") from exc
        if not isinstance(items, list):
            raise _bad("expected an Array of InputMedia")
        parsed = [self._input_media(args, item) for item in items]
        chat, _, reply = self._prepare_send(args)
        if len(parsed) > MAX_MEDIA_GROUP:
            raise _bad("too many messages to send as an album")
        if not parsed:
            raise _bad("there are no messages to send")
        kinds = {kind for kind, _, _ in parsed}
        for kind in ("document", "audio"):
            if kind in kinds and len(kinds) > 1:
                raise _bad(f"{_FILE_TYPE_NAMES[kind]} can't be mixed with other media types")
        resolved = []
        for (kind, item, formatted), index in zip(parsed, range(len(parsed)), strict=True):
            name = f"media.{index}"
            record, sizes = self._input_file(args, name, str(item.get("media") or ""), kind)
            self._check_length(formatted, caption=True)
            resolved.append((kind, item, formatted, record, sizes))
        self._finish_checks(chat, None, "sendMediaGroup", len(resolved))
        group_id = str(13000000000000000 + next(self._ids))
        results = []
        for kind, item, formatted, record, sizes in resolved:
            content: JSON = {}
            if formatted.text:
                content["caption"] = formatted.text
                if formatted.entities:
                    content["caption_entities"] = formatted.entities
            media_obj: Any = sizes if kind == "photo" else self._file_dict(record)
            content[kind] = media_obj
            sent = self._bot_message(
                chat, content, method="sendMediaGroup", raw_text=item.get("caption"),
                parse_mode=item.get("parse_mode"), formatted=formatted, markup=None, reply=reply,
                media=(kind, record.file_id, media_obj), media_group_id=group_id,
            )
            results.append(sent.message)
        return results

    def _input_media(self, args: _Args, item: Any) -> tuple[str, JSON, FormattedText]:
        if not isinstance(item, dict):
            raise _bad("can't parse InputMedia: expected an Object")
        kind = item.get("type")
        if kind not in ("photo", "video", "document", "audio"):
            raise _bad("can't parse InputMedia: unsupported media type")
        caption_args = _Args(
            {
                "caption": str(item.get("caption") or ""),
                "parse_mode": str(item.get("parse_mode") or ""),
                "caption_entities": json.dumps(item["caption_entities"])
                if item.get("caption_entities") else "",
            },
            {},
        )
        try:
            formatted = self._format(caption_args, "caption", caption=True)
        except ApiError as error:
            detail = error.description.removeprefix("Bad Request: ")
            raise _bad(f"can't parse InputMedia: {detail}") from error
        return str(kind), item, formatted

    def _api_copyMessage(self, args: _Args) -> JSON:
        source_chat = self._chat_arg(args, "from_chat_id")
        self._check_read(source_chat)
        source = self._source_message(source_chat, args.integer("message_id"), "message to copy")
        if source.service:
            raise _bad("message can't be copied")
        chat, markup, reply = self._prepare_send(args)
        content, formatted, media = self._copied_content(args, source)
        self._finish_checks(chat, markup, "copyMessage")
        sent = self._bot_message(
            chat, content, method="copyMessage", raw_text=args.opt("caption") or formatted.text,
            parse_mode=args.opt("parse_mode"), formatted=formatted, markup=markup, reply=reply,
            protect=args.flag("protect_content"), media=media,
        )
        return {"message_id": sent.message_id}

    def _copied_content(
        self, args: _Args, source: _Stored
    ) -> tuple[JSON, FormattedText, tuple[str, str | None, Any] | None]:
        data = source.data
        if "text" in data:
            formatted = FormattedText(data["text"], list(data.get("entities", [])))
            return {"text": data["text"], **({"entities": data["entities"]} if "entities" in data else {})}, formatted, None
        kind = next((k for k in ("photo", "document", "sticker", "voice", "video", "audio",
                                 "contact", "location") if k in data), None)
        if kind is None:
            raise _bad("message can't be copied")
        content: JSON = {kind: data[kind]}
        if args.opt("caption") is not None or args.opt("caption_entities") is not None:
            formatted = self._format(args, "caption", caption=True)
            self._check_length(formatted, caption=True)
        else:
            formatted = FormattedText(data.get("caption", ""), list(data.get("caption_entities", [])))
        content.update(self._caption_content(args, formatted))
        media_obj = data[kind]
        file_id = None
        if isinstance(media_obj, list):
            file_id = media_obj[-1]["file_id"]
        elif isinstance(media_obj, dict):
            file_id = media_obj.get("file_id")
        return content, formatted, (kind, file_id, media_obj)

    def _source_message(self, chat: FakeChat, message_id: int, what: str) -> _Stored:
        if message_id <= 0:
            raise _bad("message identifier is not specified")
        stored = self._messages.get((chat.id, message_id))
        if stored is None or stored.deleted:
            raise _bad(f"{what} not found")
        return stored

    def _api_forwardMessage(self, args: _Args) -> JSON:
        source_chat = self._chat_arg(args, "from_chat_id")
        self._check_read(source_chat)
        source = self._source_message(source_chat, args.integer("message_id"), "message to forward")
        if source.data.get("has_protected_content"):
            raise _bad("message can't be forwarded")
        if source.service:
            raise _bad("message can't be forwarded")
        chat = self._chat_arg(args)
        self._check_write(chat)
        self._finish_checks(chat, None, "forwardMessage")
        data = source.data
        origin: JSON
        if "sender_chat" in data and source_chat.type == "channel":
            origin = {"type": "channel", "chat": data["sender_chat"], "message_id": data["message_id"],
                      "date": data["date"]}
        else:
            origin = {"type": "user", "sender_user": data.get("from", self.bot.to_dict()),
                      "date": data["date"]}
        keep = ("text", "entities", "photo", "document", "sticker", "voice", "video", "audio",
                "contact", "location", "caption", "caption_entities")
        content: JSON = {"forward_origin": origin}
        content.update({k: data[k] for k in keep if k in data})
        text = data["text"] if "text" in data else data.get("caption", "")
        entities = data["entities"] if "text" in data else data.get("caption_entities", [])
        formatted = FormattedText(text, list(entities or []))
        sent = self._bot_message(
            chat, content, method="forwardMessage", raw_text=formatted.text, parse_mode=None,
            formatted=formatted, markup=None, reply=None, protect=args.flag("protect_content"),
        )
        return sent.message

    def _api_sendChatAction(self, args: _Args) -> bool:
        chat = self._chat_arg(args)
        action = args.get("action").lower()
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._check_write(chat)
        self._check_recipient(chat)
        self.chat_actions.append((chat.id, action))
        return True

    # ------------------------------------------------------------------ Bot API: editing

    def _editable(self, args: _Args) -> tuple[FakeChat, _Stored]:
        if args.opt("inline_message_id"):
            raise _bad("inline messages are not supported by this double")  # approximation
        chat = self._chat_arg(args)
        self._check_write(chat)
        stored = self._source_message(chat, args.integer("message_id"), "message to edit")
        if not stored.from_bot or stored.sent is None:
            raise _bad("message can't be edited")
        return chat, stored

    def _apply_edit(
        self,
        stored: _Stored,
        *,
        content: JSON | None,
        formatted: FormattedText | None,
        raw_text: str | None,
        parse_mode: str | None,
        markup: JSON | None,
    ) -> JSON:
        sent = stored.sent
        assert sent is not None
        data = stored.data
        new_markup = markup if markup and "inline_keyboard" in markup else None
        old_markup = data.get("reply_markup")
        keys = ("text", "entities", "caption", "caption_entities")
        old_content = {k: data[k] for k in keys if k in data}
        same_content = content is None or content == old_content
        if same_content and new_markup == old_markup:
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        sent.history.append(
            {"text": sent.text, "rendered": sent.rendered, "reply_markup": sent.reply_markup}
        )
        if content is not None:
            for key in ("text", "entities", "caption", "caption_entities"):
                data.pop(key, None)
            data.update(content)
            sent.text, sent.parse_mode = raw_text, parse_mode
            sent.rendered = formatted.text if formatted else ""
            sent.entities = list(formatted.entities) if formatted else []
        # Editing without reply_markup removes the inline keyboard, as on Telegram.
        if new_markup is None:
            data.pop("reply_markup", None)
        else:
            data["reply_markup"] = new_markup
        sent.reply_markup = new_markup
        data["edit_date"] = int(self.now())
        return data

    def _api_editMessageText(self, args: _Args) -> JSON:
        if not args.get("text"):
            raise _bad("message text is empty")
        formatted = self._format(args, "text", caption=False)
        markup = self._reply_markup(args)
        _, stored = self._editable(args)
        if "text" not in stored.data:
            raise _bad("there is no text in the message to edit")
        self._check_length(formatted, caption=False)
        self._check_markup_content(markup)
        content: JSON = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        return self._apply_edit(
            stored, content=content, formatted=formatted, raw_text=args.get("text"),
            parse_mode=args.opt("parse_mode"), markup=markup,
        )

    def _api_editMessageCaption(self, args: _Args) -> JSON:
        formatted = self._format(args, "caption", caption=True)
        markup = self._reply_markup(args)
        _, stored = self._editable(args)
        if "text" in stored.data:
            raise _bad("there is no caption in the message to edit")
        self._check_length(formatted, caption=True)
        self._check_markup_content(markup)
        content: JSON = {}
        if formatted.text:
            content["caption"] = formatted.text
            if formatted.entities:
                content["caption_entities"] = formatted.entities
        return self._apply_edit(
            stored, content=content, formatted=formatted, raw_text=args.opt("caption"),
            parse_mode=args.opt("parse_mode"), markup=markup,
        )

    def _api_editMessageReplyMarkup(self, args: _Args) -> JSON:
        markup = self._reply_markup(args)
        _, stored = self._editable(args)
        self._check_markup_content(markup)
        return self._apply_edit(
            stored, content=None, formatted=None, raw_text=None, parse_mode=None, markup=markup
        )

    def _api_deleteMessage(self, args: _Args) -> bool:
        chat = self._chat_arg(args)
        self._check_write(chat)
        self._delete(chat, args.integer("message_id"))
        return True

    def _api_deleteMessages(self, args: _Args) -> bool:
        chat = self._chat_arg(args)
        self._check_write(chat)
        ids = args.json("message_ids", "message identifiers")
        if not isinstance(ids, list) or not ids:
            raise _bad("message identifiers are not specified")
        for message_id in ids:
            stored = self._messages.get((chat.id, int(message_id)))
            if stored is not None and not stored.deleted and self._may_delete(chat, stored):
                self._mark_deleted(stored)
        return True

    def _delete(self, chat: FakeChat, message_id: int) -> None:
        stored = self._source_message(chat, message_id, "message to delete")
        if not self._may_delete(chat, stored):
            raise _bad("message can't be deleted")
        self._mark_deleted(stored)

    def _may_delete(self, chat: FakeChat, stored: _Stored) -> bool:
        if self.now() - stored.data["date"] > MESSAGE_DELETE_WINDOW:
            return False
        if stored.from_bot or chat.type == "private":
            return True
        return chat.members.get(self.bot.id) in ("creator", "administrator")

    @staticmethod
    def _mark_deleted(stored: _Stored) -> None:
        stored.deleted = True
        if stored.sent is not None:
            stored.sent.deleted = True

    # ------------------------------------------------------------------ Bot API: callbacks

    def _api_answerCallbackQuery(self, args: _Args) -> bool:
        query_id = args.get("callback_query_id")
        query = self._callbacks.get(query_id)
        too_old = query is None or query.answered or (
            self.now() - query.created > self.callback_query_ttl
        )
        if too_old:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        assert query is not None
        text = args.get("text")
        if len(text) > MAX_CALLBACK_ANSWER_TEXT:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {
            "text": text or None,
            "show_alert": args.flag("show_alert"),
            "url": args.opt("url"),
            "cache_time": args.integer("cache_time"),
        }
        self.callback_answers[query_id] = query.answer
        return True

    # ------------------------------------------------------------------ Bot API: commands

    def _scope_key(self, args: _Args) -> CommandScopeKey:
        language = args.get("language_code")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        scope = args.json("scope", "BotCommandScope")
        if scope is None:
            return CommandScopeKey("default", None, None, language)
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return CommandScopeKey(kind, None, None, language)
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise _bad("unsupported bot command scope specified")
        chat = self._chat_arg(_Args({"chat_id": str(scope.get("chat_id") or "")}, {}))
        if kind == "chat_member":
            user_id = int(scope.get("user_id") or 0)
            if user_id not in self.users:
                raise _bad("user not found")
            if chat.type == "private":
                raise _bad("can't use chat member scope in private chats")  # approximation
            return CommandScopeKey(kind, chat.id, user_id, language)
        if kind == "chat_administrators" and chat.type == "private":
            raise _bad("can't use chat administrators scope in private chats")  # approximation
        return CommandScopeKey(kind, chat.id, None, language)

    def _api_setMyCommands(self, args: _Args) -> bool:
        raw = args.json("commands", "BotCommand array")
        if not isinstance(raw, list):
            raise _bad("field \"commands\" must be an Array")
        key = self._scope_key(args)
        commands: list[tuple[str, str]] = []
        for item in raw:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand: expected an Object")
            command = str(item.get("command") or "").strip().removeprefix("/")
            description = str(item.get("description") or "").strip()
            if not command:
                raise _bad("command must be non-empty")
            if len(command) > 32:
                raise _bad("command length must not exceed 32")
            if not description:
                raise _bad("command description must be non-empty")
            if len(description) > 256:
                raise _bad("command description length must not exceed 256")
            if not _BOT_COMMAND_NAME.fullmatch(command):
                raise _bad("BOT_COMMAND_INVALID")
            commands.append((command, description))
        if len(commands) > MAX_COMMANDS:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        if commands:
            self._commands[key] = commands
        else:
            self._commands.pop(key, None)
        return True

    def _api_getMyCommands(self, args: _Args) -> list[JSON]:
        key = self._scope_key(args)
        return [{"command": c, "description": d} for c, d in self._commands.get(key, [])]

    def _api_deleteMyCommands(self, args: _Args) -> bool:
        self._commands.pop(self._scope_key(args), None)
        return True

    # ------------------------------------------------------------------ Bot API: chats

    def _member_dict(self, chat: FakeChat, user: FakeUser, status: str) -> JSON:
        data: JSON = {"status": status, "user": user.to_dict()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                    "can_delete_messages": True, "can_manage_video_chats": True,
                    "can_restrict_members": True, "can_promote_members": False,
                    "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
                    "can_edit_stories": False, "can_delete_stories": False,
                }
            )
            if chat.type != "channel":
                data["can_pin_messages"] = True
            else:
                data.update({"can_post_messages": True, "can_edit_messages": True})
        elif status == "kicked":
            data["until_date"] = 0
        elif status == "restricted":
            data.update({"is_member": True, "until_date": 0})
            for perm in (
                "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
                "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
                "can_manage_topics", "can_send_audios", "can_send_documents", "can_send_photos",
                "can_send_videos", "can_send_video_notes", "can_send_voice_notes",
                "can_edit_tag", "can_react_to_messages",
            ):
                data[perm] = False
        return data

    def _api_getChat(self, args: _Args) -> JSON:
        chat = self._chat_arg(args)
        self._check_read(chat)
        data = chat.to_dict(self.users)
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                    "premium_subscription": False, "gifts_from_channels": False,
                },
            }
        )
        return data

    def _api_getChatMember(self, args: _Args) -> JSON:
        chat = self._chat_arg(args)
        self._check_read(chat)
        user_id = args.integer("user_id")
        user = self.users.get(user_id)
        if user is None:
            raise _bad("user not found" if user_id > 0 else "invalid user_id specified")
        if chat.type == "private":
            if user_id not in (chat.id, self.bot.id):
                raise _bad("user not found")
            return self._member_dict(chat, user, "member")
        if chat.type == "channel" and chat.members.get(self.bot.id) not in ("creator", "administrator"):
            raise _bad("member list is inaccessible")
        return self._member_dict(chat, user, chat.members.get(user_id, "left"))

    def _api_getChatMemberCount(self, args: _Args) -> int:
        chat = self._chat_arg(args)
        self._check_read(chat)
        if chat.type == "private":
            return 2
        return sum(1 for status in chat.members.values() if status in _PRESENT)

    def _api_getChatAdministrators(self, args: _Args) -> list[JSON]:
        chat = self._chat_arg(args)
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        self._check_read(chat)
        return [
            self._member_dict(chat, self.users[user_id], status)
            for user_id, status in chat.members.items()
            if status in ("creator", "administrator")
        ]

    def _api_leaveChat(self, args: _Args) -> bool:
        chat = self._chat_arg(args)
        if chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        if chat.migrated_to is not None:
            raise _bad(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        self._check_membership(chat)
        old = chat.members.get(self.bot.id, "left")
        chat.members[self.bot.id] = "left"
        self._my_chat_member(chat, self.bot, old, "left")
        return True

    def _api_getFile(self, args: _Args) -> JSON:
        file_id = args.get("file_id").strip()
        if not file_id:
            raise _bad("file_id is empty")  # approximation
        record = self.files.get(file_id)
        if record is None:
            raise _bad("wrong remote file identifier specified: can't unserialize it")
        if record.file_size > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": record.file_path,
        }


# --------------------------------------------------------------------------- module helpers


def _http_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Internal Server Error"


@dataclass
class _Described:
    """A successful result that Telegram accompanies with a description (webhooks)."""

    value: Any
    description: str


def _rows(value: JSON, key: str, error: str) -> list[list[Any]]:
    rows = value.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _bad(error)
    return [row for row in rows if row]


def _keyboard_button(button: Any) -> JSON:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict):
        raise _bad("can't parse keyboard button: KeyboardButton must be a String or an Object")
    if not isinstance(button.get("text"), str):
        raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
    return dict(button)


def _inline_button(button: Any) -> JSON:
    if not isinstance(button, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    result: JSON = {"text": button["text"]}
    for key in ("icon_custom_emoji_id", "style"):
        if key in button:
            result[key] = button[key]
    # Like the Bot API server: the first present action wins, the rest is silently dropped.
    for action in _INLINE_ACTIONS:
        value = button.get(action)
        if action in ("url", "callback_data"):
            if not value:
                continue
            result[action] = str(value)
            return result
        if action in button:
            result[action] = value
            return result
    raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")


def _plausible_url(url: str) -> bool:
    if re.match(r"^(https?|tg)://\S+$", url, re.IGNORECASE):
        return True
    return bool(re.match(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$", url))


def _without_reply(data: JSON) -> JSON:
    # Telegram includes only one level of reply_to_message.
    return {k: v for k, v in data.items() if k != "reply_to_message"}


def _command_entities(text: str) -> list[JSON]:
    entities = []
    for match in _COMMAND_RE.finditer(text):
        offset = utf16_len(text[: match.start()])
        entities.append(
            {"type": "bot_command", "offset": offset, "length": utf16_len(match.group(0))}
        )
    return entities


def _image_size(content: bytes) -> tuple[int, int]:
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        return int.from_bytes(content[6:8], "little"), int.from_bytes(content[8:10], "little")
    if content.startswith(b"\xff\xd8"):
        size = _jpeg_size(content)
        if size:
            return size
    return 800, 600


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(content):
        if content[i] != 0xFF:
            return None
        marker = content[i + 1]
        length = int.from_bytes(content[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(content[i + 5 : i + 7], "big")
            width = int.from_bytes(content[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    return None


# A minimal valid-looking JPEG header used for driver-side photos.
_FAKE_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xc0\x00\x11\x08\x03\xc0\x05\x00\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    + b"\x00" * 4000
    + b"\xff\xd9"
)
