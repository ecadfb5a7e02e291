"""InspectionMixin: what tests read back: sent messages, keyboards, calls, and waiting for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.fakebot.records import JSON, Call, DriverError, SentMessage, inline_buttons
from bot.fakebot.state import FakeTelegramState


class InspectionMixin(FakeTelegramState):
    """Read-only views of what the bot did, plus event-driven waits."""

    # ------------------------------------------------------------------ sent messages & calls

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
        return inline_buttons(message.reply_markup)

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

    # ------------------------------------------------------------------ waiting

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
