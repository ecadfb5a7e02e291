"""SQL for the update journal: raw updates as Telegram sent them, and when each was finished."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import aiosqlite

from storage.db import Database, placeholders, to_db_time

_INSERT = "INSERT OR IGNORE INTO update_journal (update_id, payload, received_at) VALUES (?, ?, ?)"


async def known_ids(conn: aiosqlite.Connection, update_ids: Sequence[int]) -> set[int]:
    """Which of ``update_ids`` are journaled already (a redelivery)."""
    sql = f"SELECT update_id FROM update_journal WHERE update_id IN ({placeholders(update_ids)})"
    async with conn.execute(sql, update_ids) as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def insert_many(conn: aiosqlite.Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Journals ``(update_id, payload JSON, received_at)`` rows in one statement."""
    await conn.executemany(_INSERT, rows)


async def insert_one(conn: aiosqlite.Connection, update_id: int, payload: str, received_at: dt.datetime) -> bool:
    """Journals one update; False if it was journaled before."""
    cursor = await conn.execute(_INSERT, (update_id, payload, to_db_time(received_at)))
    return cursor.rowcount == 1


async def mark_done(conn: aiosqlite.Connection, update_ids: Iterable[int], at: dt.datetime) -> None:
    """Marks updates finished; call in the transaction that commits their conversation state."""
    now = to_db_time(at)
    await conn.executemany(
        "UPDATE update_journal SET done_at = ? WHERE update_id = ?",
        [(now, update_id) for update_id in update_ids],
    )


async def unfinished(db: Database) -> list[tuple[int, str]]:
    """``(update_id, payload JSON)`` of the updates journaled but not finished, in order."""
    rows = await db.fetchall(
        "SELECT update_id, payload FROM update_journal WHERE done_at IS NULL ORDER BY update_id"
    )
    return [(row["update_id"], row["payload"]) for row in rows]


async def count_unfinished(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM update_journal WHERE done_at IS NULL") or 0)


async def is_done(db: Database, update_id: int) -> bool:
    return bool(await db.fetchval("SELECT done_at FROM update_journal WHERE update_id = ?", (update_id,)))


async def last_update_id(db: Database) -> int | None:
    value = await db.fetchval("SELECT MAX(update_id) FROM update_journal")
    return None if value is None else int(value)


async def delete_finished_before(conn: aiosqlite.Connection, cutoff: dt.datetime) -> int:
    cursor = await conn.execute(
        "DELETE FROM update_journal WHERE done_at IS NOT NULL AND done_at < ?", (to_db_time(cutoff),)
    )
    return max(cursor.rowcount, 0)
