"""Reads for ``classify --corrections``: tickets whose tier staff changed (read-only)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from bot.domain.tickets import EventKind
from bot.domain.tiers import MatterKind, Tier
from storage.db import Database, from_db_time, to_db_time


@dataclass(frozen=True)
class Reclassification:
    """One staff tier change with what the classifier saw: the chosen kind and the text."""

    code: str
    matter_kind: MatterKind | None
    description: str
    name: str
    contact: str
    at: dt.datetime
    from_tier: Tier
    to_tier: Tier
    reason: str


async def reclassifications(db: Database, since: dt.datetime | None = None) -> list[Reclassification]:
    """Every ``reclassified`` history event (oldest first), optionally from ``since`` on."""
    rows = await db.fetchall(
        "SELECT t.code, t.matter_kind, t.description, t.name, t.contact, e.at, e.data"
        " FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
        " WHERE e.kind = ? AND e.at >= ? ORDER BY e.at, e.id",
        (EventKind.RECLASSIFIED.value, to_db_time(since) if since is not None else ""),
    )
    found: list[Reclassification] = []
    for row in rows:
        data = json.loads(row["data"])
        found.append(Reclassification(
            code=row["code"],
            matter_kind=MatterKind(row["matter_kind"]) if row["matter_kind"] else None,
            description=row["description"],
            name=row["name"],
            contact=row["contact"],
            at=from_db_time(row["at"]),  # type: ignore[arg-type]
            from_tier=Tier(data["from"]),
            to_tier=Tier(data["to"]),
            reason=str(data.get("reason", "")),
        ))
    return found
