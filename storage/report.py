"""SQL of the monthly report: the month's complaints and the overdue backlog at a moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.db import Database, to_db_time


async def tickets_received_between(db: Database, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """The report's columns of every ticket received in [start, end), by receipt (index on received_at)."""
    return await db.fetchall(
        "SELECT code, received_at, channel, tier, status, deadline_at, first_answer_at, closed_at,"
        " rating, package_code FROM tickets WHERE received_at >= ? AND received_at < ?"
        " ORDER BY received_at, id",
        (to_db_time(start), to_db_time(end)),
    )


async def overdue_open_codes(db: Database, as_of: dt.datetime) -> tuple[str, ...]:
    """Codes of complaints past their deadline and neither answered nor closed at ``as_of``,
    by deadline."""
    moment = to_db_time(as_of)
    unanswered = "(first_answer_at IS NULL OR first_answer_at > :as_of)"
    common = f"deadline_at < :as_of AND received_at < :as_of AND {unanswered}"
    # Open now: the partial index on deadlines of open tickets.
    still_open = await db.fetchall(
        f"SELECT code, deadline_at, id FROM tickets WHERE status <> 'selesai' AND {common}",
        {"as_of": moment},
    )
    # Closed only after as_of (a past month): the index on closed_at.
    closed_later = await db.fetchall(
        f"SELECT code, deadline_at, id FROM tickets WHERE closed_at > :as_of AND {common}",
        {"as_of": moment},
    )
    found = {(r["deadline_at"], r["id"], r["code"]) for r in [*still_open, *closed_later]}
    return tuple(code for _, _, code in sorted(found))
