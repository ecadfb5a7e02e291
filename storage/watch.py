"""SQL of the deadline watch: which open tickets may need an alert, and the alerts and digests sent.

``deadline_alerts`` is keyed on ``(ticket_id, threshold, deadline_at)`` and ``digests_sent`` on the
day, so ``INSERT OR IGNORE`` tells a first write from a repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import aiosqlite

from bot.domain.tickets import Ticket
from bot.domain.tiers import Tier
from storage.db import Database, to_db_time
from storage.tickets import row_to_ticket

_CANDIDATES_SQL = """
SELECT t.* FROM tickets AS t
WHERE t.status <> 'selesai'
  AND t.first_answer_at IS NULL
  AND t.deadline_at <= :max_bound
  AND ({tier_terms})
  AND NOT EXISTS (SELECT 1 FROM deadline_alerts AS a
                  WHERE a.ticket_id = t.id AND a.threshold = 'overdue'
                    AND a.deadline_at = t.deadline_at)
  AND (t.deadline_at <= :now OR NOT EXISTS (SELECT 1 FROM deadline_alerts AS a
                  WHERE a.ticket_id = t.id AND a.threshold = 'reminder'
                    AND a.deadline_at = t.deadline_at))
ORDER BY t.deadline_at, t.id
"""


async def alert_candidates(db: Database, now: dt.datetime, bounds: Mapping[Tier, dt.datetime]) -> list[Ticket]:
    """Open unanswered tickets of each tier with a deadline up to its bound and no alert recorded
    for that deadline yet (the reminder only while the deadline is ahead), oldest deadline first.

    A range scan of the partial index of open unanswered tickets by deadline; no history is read.
    """
    params: dict[str, Any] = {"now": to_db_time(now), "max_bound": to_db_time(max(bounds.values()))}
    terms = []
    for index, (tier, bound) in enumerate(bounds.items()):
        params[f"tier{index}"] = tier.value
        params[f"bound{index}"] = to_db_time(bound)
        terms.append(f"(t.tier = :tier{index} AND t.deadline_at <= :bound{index})")
    sql = _CANDIDATES_SQL.format(tier_terms=" OR ".join(terms))
    return [row_to_ticket(row) for row in await db.fetchall(sql, params)]


async def record_alert(conn: aiosqlite.Connection, ticket_id: int, threshold: str, sent_at: dt.datetime) -> bool:
    """Records the alert for the ticket's current deadline; False if it was recorded before.

    The deadline is copied as stored, so the key matches the SQL of :func:`alert_candidates`
    whatever text format the row was written in.
    """
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO deadline_alerts (ticket_id, threshold, deadline_at, sent_at)"
        " SELECT id, ?, deadline_at, ? FROM tickets WHERE id = ?",
        (threshold, to_db_time(sent_at), ticket_id),
    )
    return cursor.rowcount != 0


async def digest_sent_on(db: Database, day: dt.date) -> bool:
    return bool(await db.fetchval("SELECT 1 FROM digests_sent WHERE day = ?", (day.isoformat(),)))


async def record_digest(conn: aiosqlite.Connection, day: dt.date, sent_at: dt.datetime) -> bool:
    """Records the day's digest; False if it was recorded before."""
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO digests_sent (day, sent_at) VALUES (?, ?)",
        (day.isoformat(), to_db_time(sent_at)),
    )
    return cursor.rowcount != 0


async def open_unanswered_due_between(
    db: Database, start: dt.datetime | None, end: dt.datetime, limit: int
) -> tuple[list[Ticket], int]:
    """Open unanswered tickets with start <= deadline < end (the first ``limit``), and their count."""
    where = "status <> 'selesai' AND first_answer_at IS NULL AND deadline_at < ?"
    params: list[Any] = [to_db_time(end)]
    if start is not None:
        where += " AND deadline_at >= ?"
        params.append(to_db_time(start))
    total = int(await db.fetchval(f"SELECT COUNT(*) FROM tickets WHERE {where}", params) or 0)
    rows = await db.fetchall(
        f"SELECT * FROM tickets WHERE {where} ORDER BY deadline_at, id LIMIT {int(limit)}", params
    )
    return [row_to_ticket(row) for row in rows], total
