"""PTB persistence in SQLite (JSON, no pickle), committed together with the intake journal.

PTB calls the ``update_*`` methods from :meth:`Application.update_persistence`; this class
only stages those changes. :meth:`commit` writes everything staged and marks journal entries
done in the same transaction, so "this update is finished" and "the conversation moved on"
can never disagree after a crash.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

from telegram.ext import Application, BasePersistence, PersistenceInput

from storage import journal as journal_repo
from storage import persistence as state_repo
from storage.db import Database, utc_now

_DELETE = object()

# Our own names for the shapes PTB's BasePersistence passes (its aliases live in a private module).
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CallbackDataCache = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


def _conversation_key(name: str, key: ConversationKey) -> str:
    return json.dumps([name, list(key)])


class SQLitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database) -> None:
        # update_interval only drives PTB's background flush; we commit after every update.
        super().__init__(
            store_data=PersistenceInput(bot_data=True, chat_data=True, user_data=True, callback_data=False),
            update_interval=60,
        )
        self.db = db
        self._staged: dict[tuple[str, str], Any] = {}

    # --- reads at start -------------------------------------------------------------------

    async def _load(self, kind: str) -> dict[str, Any]:
        return {key: json.loads(value) for key, value in await state_repo.entries_of_kind(self.db, kind)}

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): value for key, value in (await self._load("user")).items()}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): value for key, value in (await self._load("chat")).items()}

    async def get_bot_data(self) -> dict[Any, Any]:
        return (await self._load("bot")).get("bot", {})

    async def get_callback_data(self) -> CallbackDataCache | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        conversations: ConversationDict = {}
        for key, state in (await self._load("conversation")).items():
            stored_name, parts = json.loads(key)
            if stored_name == name:
                conversations[tuple(parts)] = state
        return conversations

    # --- staged writes --------------------------------------------------------------------

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        self._staged[("user", str(user_id))] = data

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        self._staged[("chat", str(chat_id))] = data

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        self._staged[("bot", "bot")] = data

    async def update_callback_data(self, data: CallbackDataCache) -> None:
        """Arbitrary callback data is off: buttons carry short explicit strings."""

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        self._staged[("conversation", _conversation_key(name, key))] = (
            _DELETE if new_state is None else new_state
        )

    async def drop_chat_data(self, chat_id: int) -> None:
        self._staged[("chat", str(chat_id))] = _DELETE

    async def drop_user_data(self, user_id: int) -> None:
        self._staged[("user", str(user_id))] = _DELETE

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """In-memory data is authoritative while the bot runs."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """In-memory data is authoritative while the bot runs."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """In-memory data is authoritative while the bot runs."""

    async def flush(self) -> None:
        await self.commit(())

    # --- the commit -----------------------------------------------------------------------

    async def commit(self, finished_update_ids: Iterable[int]) -> None:
        """Writes staged state and marks the given journal entries done, atomically."""
        staged, self._staged = self._staged, {}
        done = list(finished_update_ids)
        if not staged and not done:
            return
        try:
            deletes = [(kind, key) for (kind, key), value in staged.items() if value is _DELETE]
            upserts = [(kind, key, json.dumps(value, ensure_ascii=False))
                       for (kind, key), value in staged.items() if value is not _DELETE]
            async with self.db.transaction() as conn:
                if deletes:
                    await state_repo.delete_entries(conn, deletes)
                if upserts:
                    await state_repo.upsert_entries(conn, upserts)
                if done:
                    await journal_repo.mark_done(conn, done, utc_now())
        except BaseException:
            # Keep what was not written for the next commit; newer staged values win.
            for item, value in staged.items():
                self._staged.setdefault(item, value)
            raise


class _Batch:
    __slots__ = ("done", "update_ids")

    def __init__(self) -> None:
        self.update_ids: list[int] = []
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class GroupCommit:
    """Finishes updates in groups: one persistence flush and one transaction for all the updates
    that complete in the same moment (under load, dozens), instead of one each.

    ``finish`` returns only after the update's state and journal mark are committed, so the
    processor keeps holding the chat until then and the chat's next update sees committed state.
    """

    def __init__(self, application: Application, persistence: SQLitePersistence) -> None:  # type: ignore[type-arg]
        self.application = application
        self.persistence = persistence
        self._open: _Batch | None = None
        self._lock = asyncio.Lock()
        self._flushes: set[asyncio.Task[None]] = set()

    async def finish(self, update_id: int | None) -> None:
        batch = self._open
        if batch is None:
            batch = self._open = _Batch()
            task = asyncio.create_task(self._flush(batch))
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)
        if update_id is not None:
            batch.update_ids.append(update_id)
        await asyncio.shield(batch.done)

    async def _flush(self, batch: _Batch) -> None:
        await asyncio.sleep(0)  # let the other updates finishing right now join this batch
        async with self._lock:
            if self._open is batch:
                self._open = None  # later arrivals start the next batch
            try:
                await self.application.update_persistence()
                await self.persistence.commit(batch.update_ids)
            except BaseException as error:
                batch.done.set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                batch.done.set_result(None)
