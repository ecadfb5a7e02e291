"""Personal-data requests under UU No. 27/2022: export everything about a person, or erase it.

Erasure anonymises rather than deletes: tickets keep their code, tier, channel, dates, status,
package code and rating, so the monthly statistics stay true, while names, contacts, texts,
file references, chat ids and the raw journaled updates of the person are removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.domain.contacts import normalise_phone
from bot.domain.tickets import EventKind, parse_ticket_code
from storage import personal_data as personal_queries
from storage.db import Database, to_db_time, utc_now

ERASED = "[dihapus]"


async def _rows(db: Database, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(row) for row in await db.fetchall(sql, params)]


async def export_person(db: Database, user_id: int) -> dict[str, Any]:
    tickets = await _rows(db, "SELECT * FROM tickets WHERE citizen_user_id = ? ORDER BY id", (user_id,))
    ids = tuple(ticket["id"] for ticket in tickets)
    marks = ",".join("?" for _ in ids)
    events = await _rows(db, f"SELECT * FROM ticket_events WHERE ticket_id IN ({marks}) ORDER BY id", ids) if ids else []
    files = await _rows(db, f"SELECT * FROM attachments WHERE ticket_id IN ({marks}) ORDER BY id", ids) if ids else []
    for event in events:
        event["data"] = json.loads(event["data"])
    for ticket in tickets:
        ticket.pop("pin_hash", None)  # a secret of the bureau's, not personal data
        ticket.pop("idempotency_key", None)
    stored = await _rows(db, "SELECT kind, key, value FROM persistence WHERE kind IN ('user', 'chat') AND key = ?",
                         (str(user_id),))
    follows = await _rows(db, "SELECT p.code, f.since FROM package_followers f JOIN packages p ON p.id = f.package_id"
                          " WHERE f.user_id = ? OR f.chat_id = ?", (user_id, user_id))
    messages = await _rows(db, "SELECT purpose, payload, status, created_at, sent_at FROM outbox WHERE chat_id = ?"
                           " ORDER BY id", (user_id,))
    for message in messages:
        message["payload"] = json.loads(message["payload"])
    journal = await db.fetchval(
        "SELECT COUNT(*) FROM update_journal WHERE json_extract(payload, '$.message.from.id') = ?"
        " OR json_extract(payload, '$.callback_query.from.id') = ?", (user_id, user_id),
    )
    await _record_request(db, "export", user_id)
    return {
        "telegram_user_id": user_id,
        "exported_at": to_db_time(utc_now()),
        "tickets": tickets,
        "ticket_history": events,
        "attachments": files,
        "conversation_state": [{**row, "value": json.loads(row["value"])} for row in stored],
        "package_follows": follows,
        "messages_to_person": messages,
        "raw_updates_kept": int(journal or 0),
    }


async def erase_person(db: Database, user_id: int) -> dict[str, int]:
    """Anonymises one person in one transaction; returns counts of what was changed."""
    counts: dict[str, int] = {}
    now = to_db_time(utc_now())
    async with db.transaction() as conn:
        async with conn.execute("SELECT id FROM tickets WHERE citizen_user_id = ?", (user_id,)) as cursor:
            ticket_ids = [row[0] for row in await cursor.fetchall()]
        counts["tickets"] = len(ticket_ids)
        for ticket_id in ticket_ids:
            await _erase_ticket(conn, ticket_id, now)
        counts["conversation_state"] = await _changes(conn, "DELETE FROM persistence WHERE kind IN ('user', 'chat')"
                                                      " AND key = ?", (str(user_id),))
        counts["conversation_state"] += await _changes(
            conn, "DELETE FROM persistence WHERE kind = 'conversation' AND key LIKE ?", (f'%[{user_id}, {user_id}]%',))
        counts["package_follows"] = await _changes(
            conn, "DELETE FROM package_followers WHERE user_id = ? OR chat_id = ?", (user_id, user_id))
        counts["messages"] = await _changes(
            conn, "UPDATE outbox SET payload = ?, chat_id = 0 WHERE chat_id = ? AND status <> 'pending'",
            (json.dumps({"method": "erased"}), user_id))
        # Unfinished updates must still be processed; finished ones are only kept for dedup.
        counts["raw_updates"] = await _changes(
            conn, "DELETE FROM update_journal WHERE done_at IS NOT NULL AND ("
            "json_extract(payload, '$.message.from.id') = ? OR json_extract(payload, '$.callback_query.from.id') = ?"
            " OR json_extract(payload, '$.message.chat.id') = ?)", (user_id, user_id, user_id))
        await conn.execute("DELETE FROM pin_failures WHERE user_id = ?", (user_id,))
        await conn.execute("INSERT INTO data_requests (kind, user_id, at) VALUES ('erase', ?, ?)", (user_id, now))
    return counts


async def _erase_ticket(conn: aiosqlite.Connection, ticket_id: int, now: str) -> None:
    await conn.execute(
        "UPDATE tickets SET name = ?, contact = ?, description = ?, rating_comment = NULL,"
        " citizen_user_id = NULL, citizen_chat_id = NULL WHERE id = ?",
        (ERASED, ERASED, ERASED, ticket_id),
    )
    # History rows stay (append-only), but their free text is personal data: blank it.
    async with conn.execute("SELECT id, data FROM ticket_events WHERE ticket_id = ?", (ticket_id,)) as cursor:
        events = await cursor.fetchall()
    for event_id, raw in events:
        data = json.loads(raw)
        scrubbed = {key: (ERASED if key in ("text", "note", "comment") and value else value)
                    for key, value in data.items()}
        if scrubbed != data:
            await conn.execute("UPDATE ticket_events SET data = ? WHERE id = ?", (json.dumps(scrubbed), event_id))
    await conn.execute("UPDATE ticket_events SET actor_name = NULL WHERE ticket_id = ? AND actor_kind = 'citizen'",
                       (ticket_id,))
    await conn.execute("DELETE FROM attachments WHERE ticket_id = ?", (ticket_id,))
    await conn.execute("UPDATE outbox SET payload = ? WHERE ticket_id = ? AND status <> 'pending'",
                       (json.dumps({"method": "erased"}), ticket_id))
    await conn.execute(
        "INSERT INTO ticket_events (ticket_id, at, kind, actor_kind, data) VALUES (?, ?, ?, 'system', '{}')",
        (ticket_id, now, EventKind.ERASED.value),
    )


async def _changes(conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]) -> int:
    cursor = await conn.execute(sql, params)
    return max(cursor.rowcount, 0)


async def _record_request(db: Database, kind: str, user_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO data_requests (kind, user_id, at) VALUES (?, ?, ?)",
                           (kind, user_id, to_db_time(utc_now())))


# --- finding the person, and what an erasure would change -----------------------------------------
# People arrive with a ticket code or a phone number, not a Telegram id. The queries are in
# storage/personal_data.py.


@dataclass(frozen=True)
class Person:
    """Whose data a request is about: Telegram users, plus tickets recorded for someone without one."""

    user_ids: tuple[int, ...]
    ticket_ids: tuple[int, ...] = ()  # e.g. a complaint by telephone entered with /catat


class PersonNotFound(Exception):
    """Nothing is stored under this ticket code or phone number (``kind`` is "ticket" or "phone")."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(kind, value)
        self.kind, self.value = kind, value


async def find_person(db: Database, *, user_id: int | None = None, ticket_code: str | None = None,
                      phone: str | None = None) -> Person:
    if user_id is not None:
        return Person((user_id,))
    if ticket_code is not None:
        code = parse_ticket_code(ticket_code)
        row = await personal_queries.ticket_by_code(db, code) if code else None
        if row is None:
            raise PersonNotFound("ticket", ticket_code)
        user = row["citizen_user_id"]
        return Person((int(user),)) if user is not None else Person((), (int(row["id"]),))
    assert phone is not None
    contact = normalise_phone(phone)
    rows = await personal_queries.tickets_by_contact(db, contact) if contact else []
    if not rows:
        raise PersonNotFound("phone", phone)
    users = tuple(sorted({int(r["citizen_user_id"]) for r in rows if r["citizen_user_id"] is not None}))
    return Person(users, tuple(int(r["id"]) for r in rows if r["citizen_user_id"] is None))


async def preview_erase(db: Database, person: Person) -> dict[str, int]:
    """What :func:`erase` would anonymise, per kind; changes nothing."""
    total: dict[str, int] = {"tickets": len(person.ticket_ids)}
    for user_id in person.user_ids:
        for kind, count in (await personal_queries.erase_counts(db, user_id)).items():
            total[kind] = total.get(kind, 0) + count
    return total


async def erase(db: Database, person: Person) -> dict[str, int]:
    total: dict[str, int] = {}
    for user_id in person.user_ids:
        for kind, count in (await erase_person(db, user_id)).items():
            total[kind] = total.get(kind, 0) + count
    if person.ticket_ids:
        now = to_db_time(utc_now())
        async with db.transaction() as conn:
            for ticket_id in person.ticket_ids:
                await _erase_ticket(conn, ticket_id, now)
        total["tickets"] = total.get("tickets", 0) + len(person.ticket_ids)
    return total
