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

    ``method`` is one of sendMessage, copyMessage, sendPhoto, sendDocument, sendMediaGroup, or editMessageText
    for a ticket card (purpose ``card_edit``: the card's message id is looked up when it is sent,
    as the card itself may still be waiting in the outbox); ``reply_markup`` is plain Bot API
    JSON (dict), so the core needs no Telegram types to build one.
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


# Purposes with their own meaning to the sender.
CARD_PURPOSE = "ticket_card"
CARD_EDIT_PURPOSE = "card_edit"
# Payload flag (stored in pending rows: a stable name): send as a reply to the ticket's card in the
# row's chat, looked up when sent (a new ticket's card may still be waiting in the outbox).
REPLY_TO_CARD = "reply_to_ticket_card"
# Card edits go out in their own lane: they need no order against new messages in the chat
# (only after the card itself, which the sender checks), so they do not queue behind them.
_LANE = f"CASE WHEN purpose = '{CARD_EDIT_PURPOSE}' THEN 'edit' ELSE 'send' END"
SEND_LANE, EDIT_LANE = "send", "edit"


def card_edit(chat_id: int, ticket_id: int, html_text: str, reply_markup: dict[str, Any] | None) -> OutboxMessage:
    """The new content of a ticket's card (Telegram's editMessageText)."""
    payload: dict[str, Any] = {"method": "editMessageText", "text": html_text, "parse_mode": "HTML",
                               "reply_markup": reply_markup or {"inline_keyboard": []}}
    return OutboxMessage(chat_id, payload, CARD_EDIT_PURPOSE, ticket_id)


async def enqueue(conn: aiosqlite.Connection, message: OutboxMessage) -> int:
    """Adds a row; call inside the caller's transaction so the row lives or dies with the change.

    A card edit supersedes the card's edits still waiting: only the latest content goes out.
    """
    now = to_db_time(utc_now())
    if message.purpose == CARD_EDIT_PURPOSE:
        await conn.execute(
            "DELETE FROM outbox WHERE status = 'pending' AND purpose = ? AND ticket_id = ? AND chat_id = ?",
            (CARD_EDIT_PURPOSE, message.ticket_id, message.chat_id),
        )
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


async def due_rows(
    db: Database, now: dt.datetime, *, chat_id: int, limit: int = 100, lane: str = SEND_LANE
) -> list[OutboxRow]:
    """The chat's pending rows of one lane that are due, oldest first (the order they must arrive in)."""
    rows = await db.fetchall(
        "SELECT id, chat_id, ticket_id, purpose, payload, attempts, parts_sent FROM outbox"
        f" WHERE status = 'pending' AND chat_id = ? AND next_attempt_at <= ? AND {_LANE} = ?"
        " ORDER BY id LIMIT ?",
        (chat_id, to_db_time(now), lane, limit),
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


async def next_due_per_chat(db: Database) -> list[tuple[int, str, dt.datetime]]:
    """Every (chat, lane) with pending rows and when its earliest one is due."""
    rows = await db.fetchall(
        f"SELECT chat_id, {_LANE} AS lane, MIN(next_attempt_at) AS due FROM outbox WHERE status = 'pending'"
        " GROUP BY chat_id, lane"
    )
    return [(int(row["chat_id"]), str(row["lane"]), dt.datetime.fromisoformat(row["due"])) for row in rows]


async def card_pending(db: Database, ticket_id: int) -> bool:
    """Whether the ticket's card is still waiting in the outbox."""
    value = await db.fetchval(
        "SELECT 1 FROM outbox WHERE ticket_id = ? AND purpose = ? AND status = 'pending' LIMIT 1",
        (ticket_id, CARD_PURPOSE),
    )
    return value is not None


async def card_message(db: Database, ticket_id: int) -> tuple[int, int] | None:
    """(chat, message id) of the ticket's card in the staff group, once it was sent."""
    row = await db.fetchone("SELECT card_chat_id, card_message_id FROM tickets WHERE id = ?", (ticket_id,))
    if row is None or row["card_message_id"] is None:
        return None
    return int(row["card_chat_id"]), int(row["card_message_id"])


async def mark_part_sent(
    db: Database,
    row_id: int,
    *,
    parts_sent: int,
    finished: bool,
    at: dt.datetime,
    link: tuple[int, int, int] | None,
    card: bool = False,
) -> None:
    """Records a delivered part (and, with ``link`` = (chat, message, ticket), its message link;
    with ``card``, that message is the ticket's card).

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
        if card:
            statements.append((
                "UPDATE tickets SET card_chat_id = ?, card_message_id = ? WHERE id = ? AND card_message_id IS NULL",
                link,
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


async def postpone_row(conn: aiosqlite.Connection, row_id: int, until: dt.datetime, reason: str) -> None:
    """Only this row waits (a card edit whose card is not out yet)."""
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
        (to_db_time(until), reason, row_id),
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
