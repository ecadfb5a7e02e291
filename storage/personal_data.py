"""SQL for finding a person's data and counting what an erasure would anonymise (read-only).

The erasure itself still lives in :mod:`bot.services.personal_data`; these queries mirror its
statements one for one, so the preview counts what the erasure then changes.
"""

from __future__ import annotations

from typing import Any

from storage.db import Database


async def ticket_by_code(db: Database, code: str) -> Any:
    return await db.fetchone("SELECT id, citizen_user_id FROM tickets WHERE code = ?", (code,))


async def tickets_by_contact(db: Database, contact: str) -> list[Any]:
    return await db.fetchall("SELECT id, citizen_user_id FROM tickets WHERE contact = ? ORDER BY id", (contact,))


async def erase_counts(db: Database, user_id: int) -> dict[str, int]:
    """What ``erase_person(db, user_id)`` would change, per kind."""

    async def count(sql: str, params: tuple[Any, ...]) -> int:
        return int(await db.fetchval(sql, params) or 0)

    return {
        "tickets": await count("SELECT COUNT(*) FROM tickets WHERE citizen_user_id = ?", (user_id,)),
        "conversation_state": (
            await count("SELECT COUNT(*) FROM persistence WHERE kind IN ('user', 'chat') AND key = ?",
                        (str(user_id),))
            + await count("SELECT COUNT(*) FROM persistence WHERE kind = 'conversation' AND key LIKE ?",
                          (f"%[{user_id}, {user_id}]%",))
        ),
        "package_follows": await count(
            "SELECT COUNT(*) FROM package_followers WHERE user_id = ? OR chat_id = ?", (user_id, user_id)),
        "messages": await count(
            "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status <> 'pending'", (user_id,)),
        "raw_updates": await count(
            "SELECT COUNT(*) FROM update_journal WHERE done_at IS NOT NULL AND ("
            "json_extract(payload, '$.message.from.id') = ? OR json_extract(payload, '$.callback_query.from.id') = ?"
            " OR json_extract(payload, '$.message.chat.id') = ?)", (user_id, user_id, user_id)),
    }
