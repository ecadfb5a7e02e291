"""SQL for failed PIN attempts (linking a recorded complaint to a Telegram account).

Kept in ``pin_failures`` so a restart does not reset the attempt limit; the service decides the
window and the limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import aiosqlite

from storage.db import to_db_time


async def forget_failures_until(conn: aiosqlite.Connection, cutoff: dt.datetime) -> None:
    """Drops failures at or before ``cutoff`` (out of the window)."""
    await conn.execute("DELETE FROM pin_failures WHERE at <= ?", (to_db_time(cutoff),))


async def add_failure(conn: aiosqlite.Connection, user_id: int, ticket_id: int | None, at: dt.datetime) -> None:
    await conn.execute(
        "INSERT INTO pin_failures (user_id, ticket_id, at) VALUES (?, ?, ?)", (user_id, ticket_id, to_db_time(at)),
    )


async def nth_latest_failure_after(
    conn: aiosqlite.Connection,
    column: Literal["user_id", "ticket_id"],
    value: int,
    cutoff: dt.datetime,
    n: int,
) -> dt.datetime | None:
    """The ``n``-th most recent failure of ``column = value`` after ``cutoff`` (1 = the latest)."""
    if column not in ("user_id", "ticket_id"):
        raise ValueError(column)
    sql = f"SELECT at FROM pin_failures WHERE {column} = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?"
    async with conn.execute(sql, (value, to_db_time(cutoff), n - 1)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else dt.datetime.fromisoformat(str(row[0]))
