"""Intake journal: an update is durable in SQLite before Telegram learns it was received.

PTB's polling loop and its webhook server both hand every update to
``application.update_queue.put`` and only *then* confirm it to Telegram (the next
``getUpdates`` offset, or the HTTP 200 of the webhook). :class:`JournalingQueue` makes that
``put`` commit the update to the journal first, so a crash at any instant loses nothing:
unfinished journal entries are replayed at the next start, and a redelivered update that is
already journaled is dropped here instead of being processed twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

from telegram import Bot, Update

from storage.db import Database, to_db_time, utc_now

log = logging.getLogger(__name__)


class JournalingQueue(asyncio.Queue[Any]):
    def __init__(self) -> None:
        super().__init__()
        self._db: Database | None = None

    def attach(self, db: Database) -> None:
        self._db = db

    async def put(self, item: Any) -> None:
        if isinstance(item, Update) and self._db is not None and not await journal_update(self._db, item):
            log.info("update already journaled, dropped update_id=%s", item.update_id)
            return
        await super().put(item)


async def journal_update(db: Database, update: Update) -> bool:
    """Stores the update; False if it was stored before (a redelivery)."""
    payload = json.dumps(update.to_dict(), ensure_ascii=False)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO update_journal (update_id, payload, received_at) VALUES (?, ?, ?)",
            (update.update_id, payload, to_db_time(utc_now())),
        )
        return cursor.rowcount == 1


async def pending_updates(db: Database, bot: Bot) -> list[Update]:
    rows = await db.fetchall(
        "SELECT update_id, payload FROM update_journal WHERE done_at IS NULL ORDER BY update_id"
    )
    updates = []
    for row in rows:
        update = Update.de_json(json.loads(row["payload"]), bot)
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
    cutoff = to_db_time((now or utc_now()) - dt.timedelta(days=keep_days))
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM update_journal WHERE done_at IS NOT NULL AND done_at < ?", (cutoff,)
        )
        return max(cursor.rowcount, 0)
