"""FakeTelegramState: the double's shared state, clock, change events and message store primitives."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from bot.fakebot.constants import API_METHODS, DEFAULT_ALLOWED_UPDATES
from bot.fakebot.html import FormattedText, TextFormatError, format_text
from bot.fakebot.params import Args
from bot.fakebot.records import (
    JSON,
    Call,
    CallbackQuery,
    CommandScopeKey,
    DriverError,
    FakeChat,
    FakeUser,
    Fault,
    FileRecord,
    FloodLimits,
    SentMessage,
    StoredMessage,
    bad_request,
)


class FakeTelegramState:
    """All state of the fake Bot API server; the area mixins of FakeTelegram build on it."""

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
        human_pace: float = 0.0,
    ) -> None:
        if bot_id is None:
            prefix = (token or "").split(":", 1)[0]
            bot_id = int(prefix) if prefix.isdigit() else 7000000001
        self.token = token
        self.latency = latency
        self.privacy_mode = privacy_mode
        self.strict_html_ampersand = strict_html_ampersand
        self.flood_limits = flood_limits
        self.flood_refusals: list[tuple[str, int]] = []  # (method, chat_id) refused by the limits
        self.callback_query_ttl = callback_query_ttl
        # Seconds of Telegram's clock each driven human action takes (typing, tapping): a
        # test drives far faster than people do, which the flood limits would punish.
        self.human_pace = human_pace
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

        self._messages: dict[tuple[int, int], StoredMessage] = {}
        self._sent: list[SentMessage] = []
        self._queue: list[JSON] = []
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._next_update_id = 100000001
        self._ids = itertools.count(1)
        self._callbacks: dict[str, CallbackQuery] = {}
        self._photo_sets: dict[str, list[JSON]] = {}
        self._reactions: dict[tuple[int, int, int], list[JSON]] = {}
        self._commands: dict[CommandScopeKey, list[tuple[str, str]]] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._long_poll: object | None = None
        self._aborted_polls: dict[object, str] = {}
        self._logged_out = False
        self._time_offset = 0.0
        self._flood_log: dict[Any, deque[float]] = {}

        # The handlers are defined by the area mixins that FakeTelegram combines.
        self._methods: dict[str, Callable[[Args], Any]] = {
            name.lower(): getattr(self, f"_api_{name}") for name in API_METHODS
        }

    # ------------------------------------------------------------------ clock & events

    def now(self) -> float:
        """Telegram's clock (wall time plus advance_time() offsets)."""
        return time.time() + self._time_offset

    def advance_time(self, seconds: float) -> None:
        """Move Telegram's clock forward (message age rules, callback query expiry)."""
        self._time_offset += seconds

    def _human_acts(self) -> None:
        self._time_offset += self.human_pace

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

    # ------------------------------------------------------------------ driver lookups

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

    # ------------------------------------------------------------------ messages & updates

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

    def _enqueue(self, kind: str, payload: JSON) -> int | None:
        if kind not in self._allowed_updates:
            return None  # Telegram drops update types the bot did not ask for
        update_id = self._next_update_id
        self._next_update_id += 1
        self._queue.append({"update_id": update_id, kind: payload})
        self._changed()
        return update_id

    def _source_message(self, chat: FakeChat, message_id: int, what: str) -> StoredMessage:
        if message_id <= 0:
            raise bad_request("message identifier is not specified")
        stored = self._messages.get((chat.id, message_id))
        if stored is None or stored.deleted:
            raise bad_request(f"{what} not found")
        return stored

    def _format(self, args: Args, text_field: str, *, caption: bool) -> FormattedText:
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
            raise bad_request(error.description) from error


def without_reply(data: JSON) -> JSON:
    # Telegram includes only one level of reply_to_message.
    return {k: v for k, v in data.items() if k != "reply_to_message"}
