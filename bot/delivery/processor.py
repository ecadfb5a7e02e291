"""Concurrent across chats, strictly ordered within one chat.

PTB's default handles one update at a time for the whole bot, so one slow round trip to
Telegram delays every citizen in the province. With this processor unrelated chats run in
parallel while updates of the same chat (a filing conversation, a staff group) keep their order.
After each update a ``finalize`` hook runs while the chat is still held: it persists the
conversation state and marks the journal entry done in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

Finalizer = Callable[[object], Awaitable[None]]


def ordering_key(update: object) -> int | None:
    """Updates sharing a key never overlap; None means no ordering is needed."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class _KeyLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256, finalize: Finalizer | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.finalize = finalize
        self._locks: dict[int, _KeyLock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await self._run(update, coroutine)
            return
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = _KeyLock()
        entry.users += 1
        try:
            # asyncio.Lock wakes waiters first-in first-out, which keeps the chat's order.
            async with entry.lock:
                await self._run(update, coroutine)
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[key]

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if self.finalize is not None:
                try:
                    await self.finalize(update)
                except Exception:
                    log.exception("finalizing update failed update_id=%s",
                                  getattr(update, "update_id", None))

    async def initialize(self) -> None:
        """Nothing to set up: locks are created on demand."""

    async def shutdown(self) -> None:
        """Nothing to release: in-flight updates are awaited by the Application."""
