"""Intake journal: an update is durable in SQLite before Telegram learns it was received.

Telegram considers an update received when the bot asks for the next ``getUpdates`` offset
(polling) or answers the webhook's POST with 200. So:

- polling: :class:`JournalingRequest` wraps the ``getUpdates`` request and commits every
  update of a response, raw as Telegram sent it and in one transaction, *before* PTB even
  parses them — hence before PTB can ask for the next offset;
- webhook: PTB's webhook handler awaits ``update_queue.put`` before answering 200, and
  :class:`JournalingQueue` commits the update inside that ``put``.

A crash at any instant therefore loses nothing: unfinished journal entries are replayed at the
next start, and a redelivered update that is already journaled is dropped before processing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

from storage import journal as repo
from storage.db import Database, to_db_time, utc_now

log = logging.getLogger(__name__)


class Journal:
    """The journal table plus the ids journaled by the request layer and not yet queued."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._admitted: set[int] = set()

    async def record_batch(self, updates: list[dict[str, Any]]) -> None:
        """Commits a getUpdates result; only updates new to the journal will be processed."""
        if not updates:
            return
        now = to_db_time(utc_now())
        ids = [raw["update_id"] for raw in updates]
        async with self.db.transaction() as conn:
            known = await repo.known_ids(conn, ids)
            rows = [(raw["update_id"], json.dumps(raw, ensure_ascii=False), now)
                    for raw in updates if raw["update_id"] not in known]
            await repo.insert_many(conn, rows)
        fresh = [update_id for update_id, _, _ in rows]
        self._admitted.update(fresh)
        if len(fresh) < len(updates):
            log.info("redelivered updates dropped count=%s", len(updates) - len(fresh))

    def admit(self, update_id: int) -> bool:
        """True once for an update journaled by :meth:`record_batch` (False: a redelivery)."""
        if update_id in self._admitted:
            self._admitted.remove(update_id)
            return True
        return False

    async def record_one(self, update: Update) -> bool:
        """Journals a single update (webhook); False if it was journaled before."""
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        async with self.db.transaction() as conn:
            return await repo.insert_one(conn, update.update_id, payload, utc_now())


class JournalingRequest(BaseRequest):
    """The ``getUpdates`` request, journaling each response before PTB sees it."""

    def __init__(self, inner: BaseRequest, journal: Journal) -> None:
        self.inner = inner
        self.journal = journal

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, payload = await self.inner.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout,
        )
        if status == 200 and url.rsplit("/", 1)[-1].lower() == "getupdates":
            result = json.loads(payload).get("result")
            if isinstance(result, list):
                await self.journal.record_batch(result)
        return status, payload


class JournalingQueue(asyncio.Queue[Any]):
    """PTB's update queue: lets through only updates that are journaled and new."""

    def __init__(self) -> None:
        super().__init__()
        self.journal: Journal | None = None

    async def put(self, item: Any) -> None:
        if isinstance(item, Update) and self.journal is not None:
            admitted = self.journal.admit(item.update_id) or await self.journal.record_one(item)
            if not admitted:
                log.info("update already journaled, dropped update_id=%s", item.update_id)
                return
        await super().put(item)


async def pending_updates(db: Database, bot: Bot) -> list[Update]:
    updates = []
    for _, payload in await repo.unfinished(db):
        update = Update.de_json(json.loads(payload), bot)
        if update is not None:
            updates.append(update)
    return updates


async def replay_pending(db: Database, queue: asyncio.Queue[Any], bot: Bot) -> int:
    """Queues journaled-but-unfinished updates (from before a crash) ahead of new ones."""
    updates = await pending_updates(db, bot)
    for update in updates:
        queue.put_nowait(update)
    if updates:
        log.warning("replaying unfinished updates count=%s first=%s", len(updates), updates[0].update_id)
    return len(updates)


async def prune_journal(db: Database, keep_days: int = 7, now: dt.datetime | None = None) -> int:
    """Deletes finished entries older than ``keep_days``; returns how many.

    They are only needed to recognise redeliveries, which Telegram makes within a day; the
    record that matters (tickets, history) lives in the ticket tables.
    """
    cutoff = (now or utc_now()) - dt.timedelta(days=keep_days)
    async with db.transaction() as conn:
        return await repo.delete_finished_before(conn, cutoff)
