"""Outbox rows: messages owed to people, written in the transaction of the change behind them."""

from __future__ import annotations

import datetime as dt
import json
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
