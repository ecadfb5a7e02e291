"""SQL of personal-data requests (UU No. 27/2022): everything stored about one person, across tables.

Finding a person (by ticket code or phone) and counting what an erasure would change are here
too; the counts mirror the erasing statements one for one.

Reads return plain dict rows (every column, as an export shows them); the erasing writes take the
open transaction's connection and return how many rows they changed where the service reports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import aiosqlite

from storage.db import Database, placeholders, to_db_time

# Updates mentioning a Telegram user (as sender of a message or of a button press).
_UPDATE_OF_USER = "json_extract(payload, '$.message.from.id') = ? OR json_extract(payload, '$.callback_query.from.id') = ?"


async def _rows(db: Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in await db.fetchall(sql, params)]


async def _changes(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> int:
    cursor = await conn.execute(sql, params)
    return max(cursor.rowcount, 0)


# --- export ------------------------------------------------------------------------------------


async def tickets_of_user(db: Database, user_id: int) -> list[dict[str, Any]]:
    return await _rows(db, "SELECT * FROM tickets WHERE citizen_user_id = ? ORDER BY id", (user_id,))


async def events_of_tickets(db: Database, ticket_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ticket_ids:
        return []
    sql = f"SELECT * FROM ticket_events WHERE ticket_id IN ({placeholders(ticket_ids)}) ORDER BY id"
    return await _rows(db, sql, ticket_ids)


async def attachments_of_tickets(db: Database, ticket_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ticket_ids:
        return []
    sql = f"SELECT * FROM attachments WHERE ticket_id IN ({placeholders(ticket_ids)}) ORDER BY id"
    return await _rows(db, sql, ticket_ids)


async def stored_state_of_user(db: Database, user_id: int) -> list[dict[str, Any]]:
    """The person's PTB user and private-chat data (kind, key, value JSON)."""
    return await _rows(db, "SELECT kind, key, value FROM persistence WHERE kind IN ('user', 'chat') AND key = ?",
                       (str(user_id),))


async def package_follows_of_user(db: Database, user_id: int) -> list[dict[str, Any]]:
    return await _rows(db, "SELECT p.code, f.since FROM package_followers f JOIN packages p ON p.id = f.package_id"
                       " WHERE f.user_id = ? OR f.chat_id = ?", (user_id, user_id))


async def messages_to_chat(db: Database, chat_id: int) -> list[dict[str, Any]]:
    """Outbox rows addressed to the chat (payload as JSON text)."""
    return await _rows(db, "SELECT purpose, payload, status, created_at, sent_at FROM outbox WHERE chat_id = ?"
                       " ORDER BY id", (chat_id,))


async def count_journaled_updates_of_user(db: Database, user_id: int) -> int:
    value = await db.fetchval(f"SELECT COUNT(*) FROM update_journal WHERE {_UPDATE_OF_USER}", (user_id, user_id))
    return int(value or 0)


async def record_request(conn: aiosqlite.Connection, kind: str, user_id: int, at: dt.datetime) -> None:
    """Notes that a request of ``kind`` ('export', 'erase') was carried out (no personal data)."""
    await conn.execute("INSERT INTO data_requests (kind, user_id, at) VALUES (?, ?, ?)",
                       (kind, user_id, to_db_time(at)))


# --- erasure (inside the caller's transaction) ---------------------------------------------------


async def ticket_ids_of_user(conn: aiosqlite.Connection, user_id: int) -> list[int]:
    async with conn.execute("SELECT id FROM tickets WHERE citizen_user_id = ?", (user_id,)) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def anonymise_ticket(conn: aiosqlite.Connection, ticket_id: int, placeholder: str) -> None:
    """Replaces name, contact and description by ``placeholder`` and unlinks the Telegram account."""
    await conn.execute(
        "UPDATE tickets SET name = ?, contact = ?, description = ?, rating_comment = NULL,"
        " citizen_user_id = NULL, citizen_chat_id = NULL WHERE id = ?",
        (placeholder, placeholder, placeholder, ticket_id),
    )


async def event_data_of_ticket(conn: aiosqlite.Connection, ticket_id: int) -> list[tuple[int, str]]:
    """``(event id, data JSON)`` of the ticket's history."""
    async with conn.execute("SELECT id, data FROM ticket_events WHERE ticket_id = ?", (ticket_id,)) as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def replace_event_data(conn: aiosqlite.Connection, event_id: int, data_json: str) -> None:
    await conn.execute("UPDATE ticket_events SET data = ? WHERE id = ?", (data_json, event_id))


async def forget_citizen_names_in_history(conn: aiosqlite.Connection, ticket_id: int) -> None:
    await conn.execute("UPDATE ticket_events SET actor_name = NULL WHERE ticket_id = ? AND actor_kind = 'citizen'",
                       (ticket_id,))


async def blank_held_replies(conn: aiosqlite.Connection, ticket_id: int, placeholder: str) -> None:
    """Staff replies held for «Kirim ke pelapor» can quote the reporter: their text and files go."""
    await conn.execute("UPDATE held_replies SET text = ?, attachments = '[]' WHERE ticket_id = ?",
                       (placeholder, ticket_id))


async def delete_attachments(conn: aiosqlite.Connection, ticket_id: int) -> None:
    await conn.execute("DELETE FROM attachments WHERE ticket_id = ?", (ticket_id,))


async def blank_finished_messages_of_ticket(conn: aiosqlite.Connection, ticket_id: int, payload_json: str) -> None:
    """Sent or failed outbox rows of the ticket get ``payload_json``; pending ones must still go out."""
    await conn.execute("UPDATE outbox SET payload = ? WHERE ticket_id = ? AND status <> 'pending'",
                       (payload_json, ticket_id))


async def add_system_event(conn: aiosqlite.Connection, ticket_id: int, kind: str, at: dt.datetime) -> None:
    """A history row without actor or data (e.g. 'this ticket's personal data was erased')."""
    await conn.execute(
        "INSERT INTO ticket_events (ticket_id, at, kind, actor_kind, data) VALUES (?, ?, ?, 'system', '{}')",
        (ticket_id, to_db_time(at), kind),
    )


async def delete_stored_state_of_user(conn: aiosqlite.Connection, user_id: int) -> int:
    return await _changes(conn, "DELETE FROM persistence WHERE kind IN ('user', 'chat') AND key = ?", (str(user_id),))


async def delete_private_conversations_of_user(conn: aiosqlite.Connection, user_id: int) -> int:
    """Conversation states keyed on (chat, user) = (user, user): the person's private chat."""
    return await _changes(conn, "DELETE FROM persistence WHERE kind = 'conversation' AND key LIKE ?",
                          (f'%[{user_id}, {user_id}]%',))


async def delete_package_follows_of_user(conn: aiosqlite.Connection, user_id: int) -> int:
    return await _changes(conn, "DELETE FROM package_followers WHERE user_id = ? OR chat_id = ?", (user_id, user_id))


async def blank_finished_messages_to_chat(conn: aiosqlite.Connection, chat_id: int, payload_json: str) -> int:
    """Sent or failed outbox rows to the chat get ``payload_json`` and chat 0; pending ones stay."""
    return await _changes(conn, "UPDATE outbox SET payload = ?, chat_id = 0 WHERE chat_id = ? AND status <> 'pending'",
                          (payload_json, chat_id))


async def delete_finished_updates_of_user(conn: aiosqlite.Connection, user_id: int) -> int:
    """Finished journal entries from or to the person (unfinished ones must still be processed)."""
    return await _changes(
        conn, f"DELETE FROM update_journal WHERE done_at IS NOT NULL AND ({_UPDATE_OF_USER}"
        " OR json_extract(payload, '$.message.chat.id') = ?)", (user_id, user_id, user_id))


async def delete_finished_updates_about_ticket(conn: aiosqlite.Connection, ticket_id: int) -> int:
    """Finished journal entries that quote the ticket (a staff reply carries the card it answers,
    with the reporter's name and contact)."""
    return await _changes(
        conn, "DELETE FROM update_journal WHERE done_at IS NOT NULL"
        " AND instr(payload, (SELECT code FROM tickets WHERE id = ?)) > 0", (ticket_id,))


async def delete_pin_failures_of_user(conn: aiosqlite.Connection, user_id: int) -> None:
    await conn.execute("DELETE FROM pin_failures WHERE user_id = ?", (user_id,))


# --- finding the person, and what an erasure would change ------------------------------------


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
