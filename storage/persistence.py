"""SQL for PTB's persisted state (user, chat and bot data, conversations), stored as JSON text.

Rows are ``(kind, key, value)``; ``kind`` is ``user``, ``chat``, ``bot`` or ``conversation``.
"""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from storage.db import Database


async def entries_of_kind(db: Database, kind: str) -> list[tuple[str, str]]:
    """``(key, value JSON)`` of every stored entry of ``kind``."""
    rows = await db.fetchall("SELECT key, value FROM persistence WHERE kind = ?", (kind,))
    return [(row["key"], row["value"]) for row in rows]


async def delete_entries(conn: aiosqlite.Connection, entries: Iterable[tuple[str, str]]) -> None:
    """Deletes ``(kind, key)`` entries in one statement."""
    await conn.executemany("DELETE FROM persistence WHERE kind = ? AND key = ?", entries)


async def upsert_entries(conn: aiosqlite.Connection, entries: Iterable[tuple[str, str, str]]) -> None:
    """Writes ``(kind, key, value JSON)`` entries in one statement, replacing older values."""
    await conn.executemany(
        "INSERT INTO persistence (kind, key, value) VALUES (?, ?, ?)"
        " ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
        entries,
    )
