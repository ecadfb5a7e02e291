"""SQL for settings the bot learns while it runs (e.g. the staff group's new id after a migration)."""

from __future__ import annotations

import aiosqlite

from storage.db import Database


async def get(db: Database, key: str) -> str | None:
    value = await db.fetchval("SELECT value FROM runtime_settings WHERE key = ?", (key,))
    return None if value is None else str(value)


async def put(conn: aiosqlite.Connection, key: str, value: str) -> None:
    await conn.execute(
        "INSERT INTO runtime_settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
