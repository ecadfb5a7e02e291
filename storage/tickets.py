"""SQL for tickets, their history, attachments and message links."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import aiosqlite

from bot.domain.tickets import (
    Actor,
    ActorKind,
    Attachment,
    Channel,
    EventKind,
    HeldReply,
    NewComplaint,
    Status,
    Ticket,
    TicketEvent,
    format_ticket_code,
)
from bot.domain.tiers import MatterKind, Tier
from storage.db import Database, from_db_time, to_db_time

_TICKET_COLUMNS = (
    "id, code, citizen_user_id, citizen_chat_id, name, contact, channel, matter_kind, package_code,"
    " description, tier, tier_reason, status, confidential, received_at, deadline_at,"
    " first_answer_at, closed_at, target_at, rating, owner_id, owner_name"
)


def row_to_ticket(row: Any) -> Ticket:
    return Ticket(
        id=row["id"],
        code=row["code"],
        citizen_user_id=row["citizen_user_id"],
        citizen_chat_id=row["citizen_chat_id"],
        name=row["name"],
        contact=row["contact"],
        channel=Channel(row["channel"]),
        matter_kind=MatterKind(row["matter_kind"]) if row["matter_kind"] else None,
        package_code=row["package_code"],
        description=row["description"],
        tier=Tier(row["tier"]),
        tier_reason=row["tier_reason"],
        status=Status(row["status"]),
        confidential=bool(row["confidential"]),
        received_at=from_db_time(row["received_at"]),  # type: ignore[arg-type]
        deadline_at=from_db_time(row["deadline_at"]),  # type: ignore[arg-type]
        first_answer_at=from_db_time(row["first_answer_at"]),
        closed_at=from_db_time(row["closed_at"]),
        target_at=from_db_time(row["target_at"]),
        rating=row["rating"],
        owner_id=row["owner_id"],
        owner_name=row["owner_name"],
    )


async def next_code(conn: aiosqlite.Connection, year: int) -> tuple[str, int]:
    """Allocates the next code of ``year`` inside the caller's (write-locked) transaction."""
    await conn.execute(
        "INSERT INTO ticket_counters (year, last_seq) VALUES (?, 1)"
        " ON CONFLICT (year) DO UPDATE SET last_seq = last_seq + 1",
        (year,),
    )
    async with conn.execute("SELECT last_seq FROM ticket_counters WHERE year = ?", (year,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    seq = int(row[0])
    if seq > 99999:
        raise OverflowError(f"ticket sequence of {year} exhausted")
    return format_ticket_code(year, seq), seq


async def insert_ticket(
    conn: aiosqlite.Connection,
    complaint: NewComplaint,
    *,
    code: str,
    year: int,
    seq: int,
    tier: Tier,
    tier_reason: str,
    received_at: dt.datetime,
    deadline_at: dt.datetime,
    idempotency_key: str | None,
    pin_hash: str | None = None,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO tickets (code, year, seq, citizen_user_id, citizen_chat_id, name, contact,"
        " channel, matter_kind, package_code, description, tier, tier_reason, status, confidential,"
        " received_at, deadline_at, idempotency_key, pin_hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'baru', ?, ?, ?, ?, ?)",
        (
            code, year, seq, complaint.citizen_user_id, complaint.citizen_chat_id, complaint.name,
            complaint.contact, complaint.channel.value, complaint.matter_kind.value,
            complaint.package_code, complaint.description, tier.value, tier_reason,
            int(complaint.confidential), to_db_time(received_at), to_db_time(deadline_at),
            idempotency_key, pin_hash,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def add_event(
    conn: aiosqlite.Connection,
    ticket_id: int,
    kind: EventKind,
    actor: Actor,
    at: dt.datetime,
    data: dict[str, Any] | None = None,
    attachments: Iterable[Attachment] = (),
) -> int:
    cursor = await conn.execute(
        "INSERT INTO ticket_events (ticket_id, at, kind, actor_kind, actor_id, actor_name, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, to_db_time(at), kind.value, actor.kind.value, actor.id, actor.name,
         json.dumps(data or {}, ensure_ascii=False)),
    )
    event_id = cursor.lastrowid
    assert event_id is not None
    for item in attachments:
        await conn.execute(
            "INSERT INTO attachments (ticket_id, event_id, kind, file_id, file_unique_id, file_name,"
            " mime_type, file_size, caption) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, event_id, item.kind, item.file_id, item.file_unique_id, item.file_name,
             item.mime_type, item.file_size, item.caption),
        )
    return event_id


async def update_fields(conn: aiosqlite.Connection, ticket_id: int, **fields: Any) -> None:
    assignments = ", ".join(f"{name} = ?" for name in fields)
    values = [to_db_time(v) if isinstance(v, dt.datetime) else v for v in fields.values()]
    await conn.execute(f"UPDATE tickets SET {assignments} WHERE id = ?", (*values, ticket_id))


async def ticket_by_code(conn: aiosqlite.Connection | Database, code: str) -> Ticket | None:
    sql = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE code = ?"
    row = await _fetchone(conn, sql, (code,))
    return row_to_ticket(row) if row else None


async def ticket_by_id(conn: aiosqlite.Connection | Database, ticket_id: int) -> Ticket | None:
    row = await _fetchone(conn, f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
    return row_to_ticket(row) if row else None


async def ticket_by_idempotency_key(conn: aiosqlite.Connection | Database, key: str) -> Ticket | None:
    sql = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE idempotency_key = ?"
    row = await _fetchone(conn, sql, (key,))
    return row_to_ticket(row) if row else None


async def open_tickets(db: Database, limit: int | None = None) -> list[Ticket]:
    sql = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE status <> 'selesai' ORDER BY deadline_at, id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [row_to_ticket(row) for row in await db.fetchall(sql)]


_OPEN_UNANSWERED = "status <> 'selesai' AND first_answer_at IS NULL"
_OPEN_ANSWERED = "status <> 'selesai' AND first_answer_at IS NOT NULL"


async def open_overview(db: Database, now: dt.datetime, limit: int) -> tuple[int, int, list[Ticket]]:
    """(open tickets, overdue ones, the first ``limit``: overdue first, then by deadline).

    Overdue = unanswered and past the deadline (an answered ticket met or missed it already).
    Each query is a range scan of a partial index (migration 0006); nothing loads the backlog.
    """
    params = {"now": to_db_time(now), "limit": limit}
    total = await db.fetchval("SELECT COUNT(*) FROM tickets WHERE status <> 'selesai'")
    overdue = await db.fetchval(
        f"SELECT COUNT(*) FROM tickets WHERE {_OPEN_UNANSWERED} AND deadline_at < :now", params
    )
    columns = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE"
    late = await db.fetchall(
        f"{columns} {_OPEN_UNANSWERED} AND deadline_at < :now ORDER BY deadline_at, id LIMIT :limit", params
    )
    waiting = await db.fetchall(
        f"{columns} {_OPEN_UNANSWERED} AND deadline_at >= :now ORDER BY deadline_at, id LIMIT :limit", params
    )
    answered = await db.fetchall(f"{columns} {_OPEN_ANSWERED} ORDER BY deadline_at, id LIMIT :limit", params)
    rest = sorted([*waiting, *answered], key=lambda row: (row["deadline_at"], row["id"]))
    tickets = [row_to_ticket(row) for row in [*late, *rest][:limit]]
    return int(total or 0), int(overdue or 0), tickets


async def tickets_of_citizen(db: Database, user_id: int, limit: int = 50) -> list[Ticket]:
    rows = await db.fetchall(
        f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE citizen_user_id = ?"
        " ORDER BY received_at DESC, id DESC LIMIT ?",
        (user_id, limit),
    )
    return [row_to_ticket(row) for row in rows]


async def count_filed_since(db: Database, user_id: int, since: dt.datetime) -> int:
    value = await db.fetchval(
        "SELECT COUNT(*) FROM tickets WHERE citizen_user_id = ? AND received_at >= ?",
        (user_id, to_db_time(since)),
    )
    return int(value or 0)


async def events_of(db: Database, ticket_id: int) -> list[TicketEvent]:
    rows = await db.fetchall(
        "SELECT id, ticket_id, at, kind, actor_kind, actor_id, actor_name, data FROM ticket_events"
        " WHERE ticket_id = ? ORDER BY id",
        (ticket_id,),
    )
    files = await db.fetchall(
        "SELECT event_id, kind, file_id, file_unique_id, file_name, mime_type, file_size, caption"
        " FROM attachments WHERE ticket_id = ? ORDER BY id",
        (ticket_id,),
    )
    by_event: dict[int, list[Attachment]] = {}
    for f in files:
        by_event.setdefault(f["event_id"], []).append(
            Attachment(kind=f["kind"], file_id=f["file_id"], file_unique_id=f["file_unique_id"],
                       file_name=f["file_name"], mime_type=f["mime_type"], file_size=f["file_size"],
                       caption=f["caption"])
        )
    return [
        TicketEvent(
            id=r["id"],
            ticket_id=r["ticket_id"],
            at=from_db_time(r["at"]),  # type: ignore[arg-type]
            kind=EventKind(r["kind"]),
            actor=Actor(ActorKind(r["actor_kind"]), r["actor_id"], r["actor_name"]),
            data=json.loads(r["data"]),
            attachments=tuple(by_event.get(r["id"], ())),
        )
        for r in rows
    ]


async def link_message(db: Database, chat_id: int, message_id: int, ticket_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT OR IGNORE INTO message_links (chat_id, message_id, ticket_id) VALUES (?, ?, ?)",
            (chat_id, message_id, ticket_id),
        )


async def first_message_of(db: Database, chat_id: int, ticket_id: int) -> int | None:
    """The first message linked to a ticket in a chat (in the staff chat: its card)."""
    return await db.fetchval(
        "SELECT MIN(message_id) FROM message_links WHERE chat_id = ? AND ticket_id = ?", (chat_id, ticket_id)
    )


async def ticket_for_message(db: Database, chat_id: int, message_id: int) -> Ticket | None:
    row = await db.fetchone(
        f"SELECT {', '.join('t.' + c.strip() for c in _TICKET_COLUMNS.split(','))}"
        " FROM message_links m JOIN tickets t ON t.id = m.ticket_id"
        " WHERE m.chat_id = ? AND m.message_id = ?",
        (chat_id, message_id),
    )
    return row_to_ticket(row) if row else None


async def rating_comment_of(conn: aiosqlite.Connection, ticket_id: int) -> str | None:
    async with conn.execute("SELECT rating_comment FROM tickets WHERE id = ?", (ticket_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None or row[0] is None else str(row[0])


async def _fetchone(conn: aiosqlite.Connection | Database, sql: str, params: tuple[Any, ...]) -> Any:
    if isinstance(conn, Database):
        return await conn.fetchone(sql, params)
    async with conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def pin_hash_of(conn: aiosqlite.Connection, ticket_id: int) -> str | None:
    """The stored PIN hash of a recorded complaint (not part of :class:`Ticket`: it is a secret)."""
    async with conn.execute("SELECT pin_hash FROM tickets WHERE id = ?", (ticket_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None or row[0] is None else str(row[0])


async def last_message_ids(db: Database) -> dict[int, int]:
    """The highest message id linked to a ticket, per chat."""
    rows = await db.fetchall("SELECT chat_id, MAX(message_id) AS top FROM message_links GROUP BY chat_id")
    return {int(row["chat_id"]): int(row["top"]) for row in rows}


async def has_event(conn: aiosqlite.Connection, ticket_id: int, kind: EventKind) -> bool:
    """Whether the ticket's history holds an event of ``kind`` (e.g. an earlier closing)."""
    row = await _fetchone(conn, "SELECT 1 FROM ticket_events WHERE ticket_id = ? AND kind = ? LIMIT 1",
                          (ticket_id, kind.value))
    return row is not None


# --- /daftar with a filter ------------------------------------------------------------------------

# The filters of /daftar: the SQL condition each adds to "open".
LIST_FILTERS = {
    "terlambat": "first_answer_at IS NULL AND deadline_at < :now",
    "saya": "owner_id = :owner",
    "baru": "status = 'baru'",
    "tier": "tier = :tier",
}


async def open_filtered(
    db: Database, now: dt.datetime, which: str, limit: int, *, owner_id: int | None = None,
    tier: Tier | None = None,
) -> tuple[int, int, list[Ticket]]:
    """(matching open tickets, overdue among them, the first ``limit`` by deadline, overdue first)."""
    params = {"now": to_db_time(now), "owner": owner_id, "tier": tier.value if tier else None, "limit": limit}
    where = f"status <> 'selesai' AND {LIST_FILTERS[which]}"
    total = await db.fetchval(f"SELECT COUNT(*) FROM tickets WHERE {where}", params)
    overdue = await db.fetchval(
        f"SELECT COUNT(*) FROM tickets WHERE {where} AND first_answer_at IS NULL AND deadline_at < :now", params
    )
    rows = await db.fetchall(
        f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE {where}"
        " ORDER BY (first_answer_at IS NULL AND deadline_at < :now) DESC, deadline_at, id LIMIT :limit",
        params,
    )
    return int(total or 0), int(overdue or 0), [row_to_ticket(row) for row in rows]


# --- replies held for «Kirim» / «Catatan» ---------------------------------------------------------

_HELD_COLUMNS = (
    "id, ticket_id, chat_id, source_message_id, prompt_message_id, author_id, author_name, text,"
    " attachments, resolution, resolved_by_name"
)


def _row_to_held(row: Any) -> HeldReply:
    return HeldReply(
        id=row["id"], ticket_id=row["ticket_id"], chat_id=row["chat_id"],
        source_message_id=row["source_message_id"], prompt_message_id=row["prompt_message_id"],
        author=Actor(ActorKind.STAFF, row["author_id"], row["author_name"]), text=row["text"],
        attachments=tuple(Attachment(**item) for item in json.loads(row["attachments"])),
        resolution=row["resolution"], resolved_by=row["resolved_by_name"],
    )


async def hold_reply(
    conn: aiosqlite.Connection, ticket_id: int, chat_id: int, source_message_id: int, author: Actor,
    text: str, attachments: Iterable[Attachment], at: dt.datetime,
) -> HeldReply:
    """Keeps a reply until a button is pressed; the same Telegram message is held once."""
    await conn.execute(
        "INSERT OR IGNORE INTO held_replies (ticket_id, chat_id, source_message_id, author_id, author_name,"
        " text, attachments, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, chat_id, source_message_id, author.id, author.name, text,
         json.dumps([item.model_dump() for item in attachments], ensure_ascii=False), to_db_time(at)),
    )
    row = await _fetchone(conn, f"SELECT {_HELD_COLUMNS} FROM held_replies WHERE chat_id = ? AND source_message_id = ?",
                          (chat_id, source_message_id))
    return _row_to_held(row)


async def held_reply(conn: aiosqlite.Connection | Database, held_id: int) -> HeldReply | None:
    row = await _fetchone(conn, f"SELECT {_HELD_COLUMNS} FROM held_replies WHERE id = ?", (held_id,))
    return _row_to_held(row) if row else None


async def held_reply_for_message(db: Database, chat_id: int, source_message_id: int) -> HeldReply | None:
    row = await _fetchone(db, f"SELECT {_HELD_COLUMNS} FROM held_replies WHERE chat_id = ? AND source_message_id = ?",
                          (chat_id, source_message_id))
    return _row_to_held(row) if row else None


async def set_held_prompt(db: Database, held_id: int, prompt_message_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE held_replies SET prompt_message_id = ? WHERE id = ?", (prompt_message_id, held_id))


async def update_held_text(db: Database, held_id: int, text: str) -> bool:
    """The officer edited the held message: the new text is what a later «Kirim» sends."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE held_replies SET text = ? WHERE id = ? AND resolution IS NULL", (text, held_id)
        )
        return cursor.rowcount > 0


async def resolve_held_reply(
    conn: aiosqlite.Connection, held_id: int, resolution: str, by: Actor, at: dt.datetime
) -> bool:
    """Marks the held reply pressed; False when someone pressed first (a double press)."""
    cursor = await conn.execute(
        "UPDATE held_replies SET resolution = ?, resolved_at = ?, resolved_by_id = ?, resolved_by_name = ?"
        " WHERE id = ? AND resolution IS NULL",
        (resolution, to_db_time(at), by.id, by.name, held_id),
    )
    return cursor.rowcount > 0
