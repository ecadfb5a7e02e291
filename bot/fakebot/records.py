"""Data records of the double: errors, users, chats, messages, files, calls, faults, updates."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSON = dict[str, Any]


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


def bad_request(description: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", parameters)


def forbidden(description: str) -> ApiError:
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
    # The last bot that posted here (privacy mode: general commands go to that bot only).
    last_bot_poster: int | None = None

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
        return inline_buttons(self.reply_markup)

    @property
    def protected(self) -> bool:
        """Sent with protect_content (members cannot forward or save it)."""
        return bool(self.message.get("has_protected_content"))

    @property
    def link_preview_disabled(self) -> bool:
        """Sent with link_preview_options {"is_disabled": true}."""
        return bool((self.message.get("link_preview_options") or {}).get("is_disabled"))


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
    until: float | None = None
    after: int = 0  # matching calls let through before the fault starts
    passed: int = 0  # flood: Telegram refuses matching calls until then

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


# --------------------------------------------------------------------------- internal records
# Shared by the double's modules; not part of the bot.fakebot API.


@dataclass
class StoredMessage:
    """Every message in every chat, user's or bot's."""

    data: JSON
    from_bot: bool
    sent: SentMessage | None = None
    deleted: bool = False
    service: bool = False


@dataclass
class CallbackQuery:
    """A query created by a button press, answerable until callback_query_ttl passes."""

    id: str
    created: float
    answered: bool = False
    answer: JSON | None = None


def inline_buttons(markup: JSON | None) -> list[tuple[str, str | None]]:
    """Inline buttons as (text, callback_data); URL buttons have callback_data None."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        (button["text"], button.get("callback_data"))
        for row in markup["inline_keyboard"]
        for button in row
    ]


@dataclass
class Described:
    """A successful result that Telegram accompanies with a description (webhooks)."""

    value: Any
    description: str
