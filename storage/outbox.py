"""Outbox rows: messages owed to people, written in the transaction of the change behind them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import Database, to_db_time, utc_now


@dataclass(frozen=True)
class OutboxMessage:
    """A Bot API call to make later. ``payload`` holds the method and its parameters.

    ``method`` is one of sendMessage, copyMessage, sendPhoto, sendDocument; ``reply_markup``
    is plain Bot API JSON (dict), so the core needs no Telegram types to build one.
    """

    chat_id: int
    payload: dict[str, Any]
    purpose: str
    ticket_id: int | None = None


def text_message(
    chat_id: int,
    html_text: str,
    *,
    purpose: str,
    ticket_id: int | None = None,
    reply_markup: dict[str, Any] | None = None,
) -> OutboxMessage:
    payload: dict[str, Any] = {"method": "sendMessage", "text": html_text, "parse_mode": "HTML"}
    if reply_markup:
        payload["reply_markup"] = reply_markup
    return OutboxMessage(chat_id, payload, purpose, ticket_id)


async def enqueue(conn: aiosqlite.Connection, message: OutboxMessage) -> int:
    """Adds a row; call inside the caller's transaction so the row lives or dies with the change."""
    now = to_db_time(utc_now())
    cursor = await conn.execute(
        "INSERT INTO outbox (chat_id, ticket_id, purpose, payload, created_at, next_attempt_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (message.chat_id, message.ticket_id, message.purpose,
         json.dumps(message.payload, ensure_ascii=False), now, now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    ticket_id: int | None
    purpose: str
    payload: dict[str, Any]
    attempts: int
    parts_sent: int


async def due_rows(db: Database, now: dt.datetime, *, chat_id: int, limit: int = 100) -> list[OutboxRow]:
    """The chat's pending rows that are due, oldest first (the order they must arrive in)."""
    rows = await db.fetchall(
        "SELECT id, chat_id, ticket_id, purpose, payload, attempts, parts_sent FROM outbox"
        " WHERE status = 'pending' AND chat_id = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        (chat_id, to_db_time(now), limit),
    )
    return [
        OutboxRow(r["id"], r["chat_id"], r["ticket_id"], r["purpose"], json.loads(r["payload"]),
                  r["attempts"], r["parts_sent"])
        for r in rows
    ]


async def prune_sent(db: Database, keep_days: int = 30, now: dt.datetime | None = None) -> int:
    """Deletes delivered rows older than ``keep_days``: their content is in the ticket history and
    their message ids in message_links; undelivered and failed rows are always kept."""
    cutoff = to_db_time((now or utc_now()) - dt.timedelta(days=keep_days))
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?", (cutoff,))
        return max(cursor.rowcount, 0)


# --- the sender's bookkeeping -------------------------------------------------------------


async def count_due(db: Database, now: dt.datetime) -> int:
    """Pending rows of every chat that are due at ``now``."""
    value = await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?", (to_db_time(now),)
    )
    return int(value or 0)


async def next_due_per_chat(db: Database) -> list[tuple[int, dt.datetime]]:
    """Every chat with pending rows and when its earliest one is due."""
    rows = await db.fetchall(
        "SELECT chat_id, MIN(next_attempt_at) AS due FROM outbox WHERE status = 'pending' GROUP BY chat_id"
    )
    return [(int(row["chat_id"]), dt.datetime.fromisoformat(row["due"])) for row in rows]


async def mark_part_sent(
    db: Database,
    row_id: int,
    *,
    parts_sent: int,
    finished: bool,
    at: dt.datetime,
    link: tuple[int, int, int] | None,
) -> None:
    """Records a delivered part (and, with ``link`` = (chat, message, ticket), its message link).

    Many chats finish sends at once; their marks share one commit (:meth:`Database.write_together`).
    """
    now = to_db_time(at)
    statements: list[tuple[str, Sequence[Any]]] = [(
        "UPDATE outbox SET parts_sent = ?, status = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?",
        (parts_sent, "sent" if finished else "pending", now if finished else None, row_id),
    )]
    if link is not None:
        statements.append((
            "INSERT OR IGNORE INTO message_links (chat_id, message_id, ticket_id) VALUES (?, ?, ?)", link,
        ))
    await db.write_together(statements)


async def record_failed_attempt(conn: aiosqlite.Connection, row_id: int, reason: str) -> None:
    await conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", (reason, row_id))


async def postpone_chat(conn: aiosqlite.Connection, chat_id: int, until: dt.datetime) -> None:
    """No pending row of the chat is tried before ``until``, so its messages stay in order."""
    at = to_db_time(until)
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE chat_id = ? AND status = 'pending'"
        " AND next_attempt_at < ?",
        (at, chat_id, at),
    )


async def mark_failed(conn: aiosqlite.Connection, row_id: int, reason: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (reason, row_id),
    )


async def move_pending(conn: aiosqlite.Connection, old_chat_id: int, new_chat_id: int) -> None:
    """Pending rows of a chat that became a supergroup go to its new id."""
    await conn.execute("UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'",
                       (new_chat_id, old_chat_id))


async def replace_payload(conn: aiosqlite.Connection, row_id: int, payload: dict[str, Any], reason: str) -> None:
    """A new payload to send instead (e.g. plain text after Telegram refused the formatting)."""
    await conn.execute(
        "UPDATE outbox SET payload = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
        (json.dumps(payload, ensure_ascii=False), reason, row_id),
    )
